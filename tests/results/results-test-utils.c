/* results-test-utils.c */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "results-test-utils.h"

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

RtHub *
rt_hub_start (const char *dir, const char *const *args)
{
  RtHub *hub = g_new0 (RtHub, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  const char *env = g_getenv ("WEVION_HUB");

  if (dir)
    hub->dir = g_strdup (dir);
  else
    {
      hub->dir = rt_tmpdir ();
      hub->own_dir = TRUE;
    }
  g_ptr_array_add (argv, g_strdup (env && *env ? env : WEVION_HUB_PATH));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_build_filename (hub->dir, "hub.db", NULL));
  g_ptr_array_add (argv, g_strdup ("--speed"));
  g_ptr_array_add (argv, g_strdup ("100"));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  hub->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hub->proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "wevion-hub listening on http://127.0.0.1:"));
  hub->url = g_strdup (line + strlen ("wevion-hub listening on "));
  return hub;
}

void
rt_hub_stop (RtHub *hub)
{
  g_subprocess_send_signal (hub->proc, SIGTERM);
  g_subprocess_wait (hub->proc, NULL, NULL);
  if (hub->own_dir)
    rt_rmtree (hub->dir);
  g_clear_object (&hub->proc);
  g_free (hub->url);
  g_free (hub->dir);
  g_free (hub);
}

WevionClient *
rt_client (RtHub *hub)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client = wevion_client_new (hub->url, "demo-token", &error);

  g_assert_no_error (error);
  return client;
}

guint
rt_http (const char *method, const char *url, const char *body, GBytes **out_body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_nonnull (msg);
  if (body)
    {
      g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "text/plain", b);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_body)
    *out_body = g_steal_pointer (&bytes);
  return soup_message_get_status (msg);
}

void
rt_set_faults (RtHub *hub, const char *spec)
{
  g_autofree char *url = g_strconcat (hub->url, "/admin/faults", NULL);

  g_assert_cmpuint (rt_http ("POST", url, spec, NULL), <, 300);
}

void
rt_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
rt_wait_result (GAsyncResult **result, int seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_nonnull (*result);
}

WevionJob *
rt_get_job (WevionClient *client, const char *id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  WevionJob *job;

  wevion_client_get_job_async (client, id, NULL, rt_store_result_cb, &result);
  rt_wait_result (&result, 30);
  job = wevion_client_get_job_finish (client, result, &error);
  g_assert_no_error (error);
  return job;
}

WevionJob *
rt_submit_and_wait (WevionClient *client, WevionJobType type, const char *provider, const char *prompt,
                    const char *settings_json, JsonObject *metadata)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *id = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (settings_json)
    {
      settings = json_from_string (settings_json, &error);
      g_assert_no_error (error);
    }
  wevion_client_submit_async (client, type, provider, prompt,
                              settings ? json_node_get_object (settings) : NULL, metadata, NULL,
                              rt_store_result_cb, &result);
  rt_wait_result (&result, 30);
  id = wevion_client_submit_finish (client, result, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      WevionJob *job = rt_get_job (client, id);

      if (wevion_job_get_is_terminal (job))
        return job;
      g_object_unref (job);
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
  return NULL;
}

char *
rt_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("wevion-results-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
rt_rmtree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d)
    while ((name = g_dir_read_name (d)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rt_rmtree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

GStrv
rt_list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new ();
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_str);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}
