/* test-cli.c: the wevion command line end to end against a real wevion-hub. */
#include "config.h"

#include <string.h>

#include "core-test-hub.h"
#include "core-test-utils.h"

static WtHub *hub;

/* Runs wevion with @args; returns the exit status, stdout in *out (and stderr in *err). */
static int
run (char **out, char **err, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  va_list args;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("WEVION_BUILD_ROOT"), "src", "cli", "wevion", NULL));
  va_start (args, first);
  for (const char *arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (hub)
    {
      g_subprocess_launcher_setenv (launcher, "WEVION_SERVER_URL", hub->url, TRUE);
      g_subprocess_launcher_setenv (launcher, "WEVION_TOKEN", "demo-token", TRUE);
    }
  else
    {
      g_subprocess_launcher_unsetenv (launcher, "WEVION_SERVER_URL");
      g_subprocess_launcher_unsetenv (launcher, "WEVION_TOKEN");
    }
  g_subprocess_launcher_setenv (launcher, "WEVION_POLL_INTERVAL_MS", "100", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_exit_status (process);
}

static void
test_usage (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *err3 = NULL;
  WtHub *saved = hub;

  g_assert_cmpint (run (&out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "wevion COMMAND"));
  g_assert_nonnull (strstr (out, "WEVION_TOKEN"));
  g_assert_cmpint (run (NULL, &err, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
  g_assert_cmpint (run (&out2, &err2, "submit", "painting", "--provider", "x", "--prompt", "y", NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "Unknown type"));
  hub = NULL;
  g_assert_cmpint (run (NULL, &err3, "list", NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "WEVION_SERVER_URL"));
  hub = saved;
}

static GPtrArray *
list_json (const char *status)
{
  g_autofree char *out = NULL;
  GPtrArray *jobs;

  if (status)
    g_assert_cmpint (run (&out, NULL, "list", "--json", "--limit", "500", "--status", status, NULL), ==, 0);
  else
    g_assert_cmpint (run (&out, NULL, "list", "--json", "--limit", "500", NULL), ==, 0);
  jobs = wevion_job_list_parse (out, strlen (out), NULL, NULL, NULL);
  g_assert_nonnull (jobs);
  return jobs;
}

static gboolean
contains_id (GPtrArray *jobs, const char *id)
{
  for (guint i = 0; i < jobs->len; i++)
    if (g_strcmp0 (wevion_job_get_id (g_ptr_array_index (jobs, i)), id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_end_to_end (void)
{
  g_autofree char *ok_out = NULL, *fail_out = NULL, *wait_out = NULL, *wait_err = NULL, *wait2_out = NULL;
  g_autofree char *retry_out = NULL, *show_out = NULL, *costs_out = NULL, *costs_err = NULL,
                  *cancel_err = NULL;
  g_autofree char *month = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) failed = NULL;
  g_autoptr (WevionJob) retried = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  gint64 sum = 0;
  guint n_completed = 0;
  g_auto (GStrv) lines = NULL;
  const char *total_line = NULL;

  g_assert_cmpint (run (&ok_out, NULL, "submit", "image", "--provider", "flux_2_pro", "--prompt",
                        "a red fox [ok]", "--setting", "count=2", "--setting", "style=watercolor", NULL),
                   ==, 0);
  g_strstrip (ok_out);
  g_assert_cmpuint (strlen (ok_out), >, 0);
  g_assert_cmpint (
      run (&fail_out, NULL, "submit", "image", "--provider", "flux_2_pro", "--prompt", "broken [fail]", NULL),
      ==, 0);
  g_strstrip (fail_out);

  /* wait: 0 for completed, 1 for failed, transitions on stderr */
  g_assert_cmpint (run (&wait_out, &wait_err, "wait", ok_out, NULL), ==, 0);
  g_assert_nonnull (strstr (wait_out, "completed"));
  g_assert_cmpint (run (&wait2_out, NULL, "wait", fail_out, NULL), ==, 1);
  g_assert_nonnull (strstr (wait2_out, "failed"));

  /* list: both there; the status filter holds */
  all = list_json (NULL);
  g_assert_true (contains_id (all, ok_out));
  g_assert_true (contains_id (all, fail_out));
  failed = list_json ("failed");
  g_assert_true (contains_id (failed, fail_out));
  g_assert_false (contains_id (failed, ok_out));

  /* show: the settings went through with their types */
  g_assert_cmpint (run (&show_out, NULL, "show", ok_out, "--json", NULL), ==, 0);
  {
    g_autoptr (WevionJob) job = wevion_job_parse (show_out, strlen (show_out), NULL);

    g_assert_nonnull (job);
    g_assert_cmpint (json_object_get_int_member (wevion_job_get_settings (job), "count"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (wevion_job_get_settings (job), "style"), ==,
                     "watercolor");
    g_assert_cmpuint (wevion_job_get_n_result_urls (job), ==, 2);
  }

  /* retry: same parameters, metadata.retry_of */
  g_assert_cmpint (run (&retry_out, NULL, "retry", fail_out, NULL), ==, 0);
  g_strstrip (retry_out);
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run (&out, NULL, "show", retry_out, "--json", NULL), ==, 0);
    retried = wevion_job_parse (out, strlen (out), NULL);
    g_assert_nonnull (retried);
    g_assert_cmpstr (wevion_job_get_retry_of (retried), ==, fail_out);
    g_assert_cmpstr (wevion_job_get_prompt (retried), ==, "broken [fail]");
    g_assert_cmpstr (wevion_job_get_provider (retried), ==, "flux_2_pro");
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run (&out, NULL, "wait", retry_out, NULL), ==, 1);
  }

  /* cancel of an ended job: a clear error, status 2 */
  g_assert_cmpint (run (NULL, &cancel_err, "cancel", ok_out, NULL), ==, 2);
  g_assert_nonnull (strstr (cancel_err, "already ended"));

  /* costs: the sum of completed cost_cents this month, matching billing (exit 0) */
  g_clear_pointer (&all, g_ptr_array_unref);
  all = list_json (NULL);
  for (guint i = 0; i < all->len; i++)
    {
      WevionJob *job = g_ptr_array_index (all, i);

      if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
        {
          sum += wevion_job_get_cost_cents (job);
          n_completed++;
        }
    }
  g_assert_cmpuint (n_completed, ==, 1);
  month = g_date_time_format (now, "%Y-%m");
  /* --csv: the month's jobs, one line each (the app's Export CSV), matching billing (exit 0) */
  g_assert_cmpint (run (&costs_out, &costs_err, "costs", "--month", month, "--utc", "--csv", NULL), ==, 0);
  g_assert_nonnull (strstr (costs_err, "Matches"));
  lines = g_strsplit (costs_out, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "id,created,completed,type,provider,status,cost_cents,cost_dollars");
  {
    gint64 csv_sum = 0;
    guint csv_completed = 0, csv_failed = 0;

    for (guint i = 1; lines[i] && *lines[i]; i++)
      {
        g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);

        g_assert_cmpuint (g_strv_length (f), ==, 8);
        if (g_str_equal (f[5], "completed"))
          csv_completed++, csv_sum += g_ascii_strtoll (f[6], NULL, 10);
        else if (g_str_equal (f[5], "failed"))
          {
            csv_failed++;
            g_assert_cmpstr (f[6], ==, "0");
          }
      }
    g_assert_cmpuint (csv_completed, ==, 1);
    g_assert_cmpuint (csv_failed, ==, 2);
    g_assert_cmpint (csv_sum, ==, sum);
  }
  /* the summary: the total, in money, with the counts */
  {
    g_autofree char *out = NULL;
    g_autofree char *money = wevion_format_cents (sum);
    g_autofree char *expected = g_strdup_printf ("Total: %s — 1 completed job · 2 failed (free)\n", money);

    g_assert_cmpint (run (&out, NULL, "costs", "--month", month, "--utc", NULL), ==, 0);
    total_line = strstr (out, "Total: ");
    g_assert_nonnull (total_line);
    g_assert_true (g_str_has_prefix (total_line, expected));
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run (&out, NULL, "costs", "--month", "13-2026", NULL), ==, 2);
  }
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  hub = wt_hub_start ("--speed", "100", NULL);
  g_test_add_func ("/wevion/cli/usage", test_usage);
  g_test_add_func ("/wevion/cli/end-to-end", test_end_to_end);
  ret = g_test_run ();
  wt_hub_stop (hub);
  return ret;
}
