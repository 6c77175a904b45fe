/* test-security-tokens.c: the API token never leaves the Authorization header. The wevion CLI (on
 * libwevion-core: client, poller, downloader, costs) runs every command against a real wevion-hub
 * with G_MESSAGES_DEBUG=all, through successes, 401, 404, 409, injected 5xx, malformed answers,
 * downloads and a crash; every byte it prints and every file it leaves under its XDG dirs and the
 * download folder is searched for the token. (The app is searched the same way in
 * test-security-ui; cross-origin redirects in tests/core/test-client.c.) */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "core-test-hub.h"
#include "core-test-utils.h"
#include "security-test-utils.h"

#define TOKEN "cli-secret-token-83c1f"
#define WRONG "wrong-secret-token-27ad"

static WtHub *hub;
static char *home;
static GString *everything; /* all output of all runs */

static GSubprocessLauncher *
launcher_for (const char *token)
{
  GSubprocessLauncher *launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  const char *sub[] = { "config", "data", "cache" };
  const char *var[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME" };

  for (guint i = 0; i < G_N_ELEMENTS (sub); i++)
    {
      g_autofree char *p = g_build_filename (home, sub[i], NULL);

      g_subprocess_launcher_setenv (launcher, var[i], p, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "WEVION_SERVER_URL", hub->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "WEVION_TOKEN", token, TRUE);
  g_subprocess_launcher_setenv (launcher, "WEVION_POLL_INTERVAL_MS", "100", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  return launcher;
}

static char **
argv_of (const char *first, va_list args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, g_build_filename (g_getenv ("WEVION_BUILD_ROOT"), "src", "cli", "wevion", NULL));
  for (const char *arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/* Runs wevion with @token; returns the exit status; the output (stdout and stderr) in *@out */
static int
run (const char *token, char **out, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = launcher_for (token);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  g_autofree char *o = NULL;
  va_list args;

  va_start (args, first);
  argv = argv_of (first, args);
  va_end (args);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  g_string_append_printf (everything, "$ %s\n%s\n", argv[1], o);
  g_assert_null (strstr (o, TOKEN));
  g_assert_null (strstr (o, WRONG));
  if (out)
    *out = g_steal_pointer (&o);
  return g_subprocess_get_exit_status (process);
}

/* the job id the CLI printed on a line of its own (debug lines are mixed in) */
static char *
first_line (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (strlen (lines[i]) == 36 && lines[i][8] == '-' && lines[i][13] == '-' && !strchr (lines[i], ' '))
      return g_strdup (lines[i]);
  g_test_message ("no job id in: %s", text);
  g_assert_not_reached ();
  return NULL;
}

static void
test_cli_commands (void)
{
  g_autofree char *out = NULL;
  g_autofree char *done = NULL, *held = NULL, *failed = NULL;
  g_autofree char *downloads = g_build_filename (home, "downloads", NULL);

  /* successes: submit, wait, show, list, download, costs */
  g_assert_cmpint (run (TOKEN, &out, "submit", "image", "--provider", "sdxl_turbo", "--prompt", "ok [ok]",
                        "--setting", "width=64", "--setting", "height=64", NULL),
                   ==, 0);
  done = first_line (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (TOKEN, NULL, "wait", done, NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "show", done, NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "show", done, "--json", NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "list", NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "download", done, "--to", downloads, NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "costs", NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "costs", "--csv", "--jobs", NULL), ==, 0);

  /* a failure and its retry; a cancel, and a cancel of an ended job (409) */
  g_assert_cmpint (
      run (TOKEN, &out, "submit", "image", "--provider", "sdxl_turbo", "--prompt", "no [fail]", NULL), ==, 0);
  failed = first_line (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (TOKEN, NULL, "wait", failed, NULL), ==, 1);
  g_assert_cmpint (run (TOKEN, NULL, "retry", failed, NULL), ==, 0);
  g_assert_cmpint (
      run (TOKEN, &out, "submit", "image", "--provider", "sdxl_turbo", "--prompt", "held [hold]", NULL), ==,
      0);
  held = first_line (out);
  g_assert_cmpint (run (TOKEN, NULL, "cancel", held, NULL), ==, 0);
  g_assert_cmpint (run (TOKEN, NULL, "cancel", held, NULL), ==, 2);

  /* errors: 404, 401 with a wrong token, injected 500/503/429, malformed and truncated answers */
  g_assert_cmpint (run (TOKEN, NULL, "show", "00000000-0000-4000-8000-000000000000", NULL), ==, 2);
  g_assert_cmpint (run (WRONG, NULL, "list", NULL), ==, 2);
  g_assert_cmpint (run (WRONG, NULL, "download", done, "--to", downloads, NULL), ==, 2);
  wt_hub_set_faults (hub, "rate=1:500");
  g_assert_cmpint (run (TOKEN, NULL, "list", NULL), ==, 2);
  wt_hub_set_faults (hub, "rate=1:503;retry-after=0");
  g_assert_cmpint (run (TOKEN, NULL, "show", done, NULL), ==, 2);
  wt_hub_set_faults (hub, "malformed=1");
  g_assert_cmpint (run (TOKEN, NULL, "show", done, NULL), ==, 2);
  wt_hub_set_faults (hub, "truncate=1");
  g_assert_cmpint (run (TOKEN, NULL, "list", NULL), ==, 2);
  /* a download whose connection drops half-way (the downloader retries and resumes) */
  wt_hub_set_faults (hub, "drop-download=0.5");
  {
    g_autofree char *again = g_build_filename (home, "downloads-2", NULL);

    run (TOKEN, NULL, "download", done, "--to", again, NULL);
  }
  wt_hub_set_faults (hub, "");
  g_test_message ("%" G_GSIZE_FORMAT " bytes of CLI output searched", everything->len);
  /* the debug output really was on (so the search means something) */
  g_assert_nonnull (strstr (everything->str, "DEBUG"));
}

/* A crash while requests are in flight prints nothing of them */
static void
test_crash_output (void)
{
  g_autoptr (GSubprocessLauncher) launcher = launcher_for (TOKEN);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *held = NULL;
  g_autofree char *bin = g_build_filename (g_getenv ("WEVION_BUILD_ROOT"), "src", "cli", "wevion", NULL);
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);

  g_assert_cmpint (
      run (TOKEN, &out, "submit", "image", "--provider", "sdxl_turbo", "--prompt", "crash [hold]", NULL), ==,
      0);
  held = first_line (out);
  /* wait polls (with debug output on) until we see it has polled, then it aborts */
  process = g_subprocess_launcher_spawn (launcher, &error, bin, "wait", held, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_string_append_printf (seen, "%s\n", line);
      if (strstr (line, "DEBUG") || strstr (line, "processing"))
        break;
    }
  g_subprocess_send_signal (process, SIGABRT);
  {
    g_autofree char *rest = NULL;

    g_subprocess_communicate_utf8 (process, NULL, NULL, &rest, NULL, &error);
    g_assert_no_error (error);
    g_string_append (seen, rest ? rest : "");
  }
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_null (strstr (seen->str, TOKEN));
  g_string_append (everything, seen->str);
}

static void
test_nothing_on_disk (void)
{
  g_auto (GStrv) found = st_files_containing (home, TOKEN);
  g_auto (GStrv) found_wrong = st_files_containing (home, WRONG);
  g_autofree char *downloads = g_build_filename (home, "downloads", NULL);
  g_autoptr (GDir) d = g_dir_open (downloads, 0, NULL);
  guint files = 0;

  /* there is something to search: the downloads arrived */
  g_assert_nonnull (d);
  while (g_dir_read_name (d))
    files++;
  g_assert_cmpuint (files, >, 0);
  for (guint i = 0; found[i]; i++)
    g_test_message ("token in %s", found[i]);
  g_assert_cmpuint (g_strv_length (found), ==, 0);
  g_assert_cmpuint (g_strv_length (found_wrong), ==, 0);
  /* nor did the hub write it anywhere (its db, logs and result files) */
  {
    g_auto (GStrv) in_hub = st_files_containing (hub->dir, TOKEN);

    g_assert_cmpuint (g_strv_length (in_hub), ==, 0);
  }
}

/* Guards for the claims docs/security.md makes about the code: no SoupLogger anywhere (it would
 * print headers), and the client's token property cannot be read back (no property dump shows it) */
static void
scan_sources (const char *dir, guint *n_files)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        scan_sources (path, n_files);
      else if (g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h"))
        {
          g_autofree char *text = NULL;

          g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
          if (strstr (text, "SoupLogger") || strstr (text, "soup_logger"))
            g_error ("%s uses SoupLogger: it would print request headers (the token)", path);
          (*n_files)++;
        }
    }
}

static void
test_code_guards (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("WEVION_SOURCE_ROOT"), "src", NULL);
  g_autoptr (WevionClient) client = NULL;
  GParamSpec *pspec;
  guint n = 0;

  scan_sources (src, &n);
  g_assert_cmpuint (n, >, 20);
  client = wevion_client_new ("http://127.0.0.1:1", TOKEN, NULL);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "token");
  g_assert_nonnull (pspec);
  g_assert_false (pspec->flags & G_PARAM_READABLE);
}

int
main (int argc, char *argv[])
{
  g_autofree char *user = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  everything = g_string_new (NULL);
  home = wt_tmpdir ();
  user = g_strdup_printf ("alice:%s", TOKEN);
  hub = wt_hub_start ("--user", user, "--speed", "100", NULL);
  g_test_add_func ("/security/tokens/cli-commands", test_cli_commands);
  g_test_add_func ("/security/tokens/crash-output", test_crash_output);
  g_test_add_func ("/security/tokens/nothing-on-disk", test_nothing_on_disk);
  g_test_add_func ("/security/tokens/code-guards", test_code_guards);
  status = g_test_run ();
  wt_hub_stop (hub);
  wt_rmdir (home);
  return status;
}
