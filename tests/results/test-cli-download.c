/* test-cli-download.c: `wevion download ID [--to DIR]` against a real wevion-hub. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "results-test-utils.h"

static int
run_cli (RtHub *hub, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) WEVION_CLI_PATH);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "WEVION_SERVER_URL", hub->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "WEVION_TOKEN", "demo-token", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

static void
assert_same_as_hub (const char *path, const char *url)
{
  g_autofree char *contents = NULL;
  g_autoptr (GBytes) expected = NULL;
  gsize len = 0;

  g_assert_cmpuint (rt_http ("GET", url, NULL, &expected), ==, 200);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
test_download (void)
{
  RtHub *hub = rt_hub_start (NULL, NULL);
  g_autoptr (WevionClient) client = rt_client (hub);
  g_autoptr (WevionJob) job = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo",
                                                  "[ok] two owls", "{\"count\": 2}", NULL);
  g_autoptr (WevionJob) failed
      = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[fail] owl", NULL, NULL);
  g_autofree char *folder = rt_tmpdir ();
  const char *id = wevion_job_get_id (job);

  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_auto (GStrv) lines = NULL;

    g_assert_cmpint (run_cli (hub, &out, &err, "download", id, "--to", folder, NULL), ==, 0);
    lines = g_strsplit (g_strstrip (out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        g_autofree char *dir = g_path_get_dirname (lines[i]);

        g_assert_cmpstr (dir, ==, folder);
        assert_same_as_hub (lines[i], wevion_job_get_result_urls (job)[i]);
      }
  }
  {
    /* again, only the second result: a new name, nothing overwritten */
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_auto (GStrv) names = NULL;

    g_assert_cmpint (run_cli (hub, &out, &err, "download", id, "--to", folder, "--result", "2", NULL), ==, 0);
    g_strstrip (out);
    g_assert_true (g_str_has_suffix (out, " (1).png"));
    assert_same_as_hub (out, wevion_job_get_result_urls (job)[1]);
    names = rt_list_dir (folder);
    g_assert_cmpuint (g_strv_length (names), ==, 3);
  }
  {
    /* a failed job has nothing to download; an unknown job is an error */
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *err2 = NULL;

    g_assert_cmpint (run_cli (hub, &out, &err, "download", wevion_job_get_id (failed), "--to", folder, NULL),
                     ==, 2);
    g_assert_nonnull (strstr (err, "only completed jobs have result files"));
    g_assert_cmpint (run_cli (hub, &out2, &err2, "download", "no-such-job", NULL), ==, 2);
    g_assert_nonnull (strstr (err2, "no-such-job"));
  }
  rt_rmtree (folder);
  rt_hub_stop (hub);
}

static void
check_group_lines (const char *out, const char *heading, const WevionCostsGroup *groups, guint n,
                   const char *month, gboolean days)
{
  const char *section = strstr (out, heading);
  guint listed = 0;

  g_assert_nonnull (section);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *amount = wevion_format_cents (groups[i].cents);
      g_autofree char *name = NULL;
      g_autofree char *line = NULL;

      if (days && groups[i].n_completed + groups[i].n_failed == 0)
        continue;
      name = days ? g_strdup_printf ("%s-%02d", month, atoi (groups[i].name)) : g_strdup (groups[i].name);
      line = g_strdup_printf ("\n  %-20s %12s  %u completed", name, amount, groups[i].n_completed);
      g_assert_nonnull (strstr (section, line));
      listed++;
    }
  g_assert_cmpuint (listed, >, 0);
}

/* `wevion costs`: the same figures as WevionCosts (the Costs page) for a month of several pages,
 * in local time (TZ=America/New_York, as the app) and with --utc; --csv is the page's export */
static void
test_costs_same_figures (void)
{
  const char *demo[] = { "--demo", "--seed", "42", NULL };
  RtHub *hub = rt_hub_start (NULL, demo);
  g_autoptr (WevionClient) client = rt_client (hub);
  g_autofree char *this_month = wevion_costs_month_current (TRUE);
  g_autofree char *month = wevion_costs_month_shift (this_month, -1);

  g_setenv ("WEVION_COSTS_PAGE_SIZE", "7", TRUE); /* several pages, here and in the CLI */
  for (int utc = 0; utc <= 1; utc++)
    {
      g_autoptr (WevionCosts) costs = rt_fetch_costs (client, month, utc);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *csv = NULL;
      g_autofree char *csv_err = NULL;
      g_autofree char *expected_csv = wevion_costs_to_csv (costs);
      g_autofree char *total = wevion_format_cents (wevion_costs_get_total_cents (costs));
      g_autofree char *counts = wevion_costs_describe_counts (costs);
      g_autofree char *total_line = g_strdup_printf ("\nTotal: %s — %s\n", total, counts);
      g_autofree char *billing = wevion_costs_describe_billing (costs);
      int expected_status = wevion_costs_get_billing_match (costs) == WEVION_BILLING_DIFFERS ? 1 : 0;
      const WevionCostsGroup *groups;
      guint n;

      g_test_message ("%s %s: %s, %s, %u pages; %s", month, utc ? "UTC" : "local", total, counts,
                      wevion_costs_get_n_pages (costs), billing);
      g_assert_cmpuint (wevion_costs_get_n_pages (costs), >, 1);
      g_assert_cmpuint (wevion_costs_get_n_completed (costs), >, 3);
      g_assert_cmpint (run_cli (hub, &out, &err, "costs", "--month", month, utc ? "--utc" : NULL, NULL), ==,
                       expected_status);
      g_assert_true (g_str_has_prefix (out, "Costs for "));
      g_assert_nonnull (strstr (out, utc ? "(UTC)" : "(local time)"));
      g_assert_nonnull (strstr (out, total_line));
      groups = wevion_costs_get_by_type (costs, &n);
      check_group_lines (out, "By type:", groups, n, month, FALSE);
      groups = wevion_costs_get_by_provider (costs, &n);
      check_group_lines (out, "By provider:", groups, n, month, FALSE);
      groups = wevion_costs_get_by_day (costs, &n);
      check_group_lines (out, "By day:", groups, n, month, TRUE);
      g_assert_nonnull (strstr (err, billing));

      g_assert_cmpint (
          run_cli (hub, &csv, &csv_err, "costs", "--month", month, "--csv", utc ? "--utc" : NULL, NULL), ==,
          expected_status);
      g_assert_cmpstr (csv, ==, expected_csv);
      /* the UTC month is the hub's billing month */
      if (utc)
        g_assert_nonnull (strstr (csv_err, "Matches billing"));
    }
  /* the older spelling still works */
  {
    g_autoptr (WevionCosts) costs = rt_fetch_costs (client, month, TRUE);
    g_autofree char *expected = wevion_costs_to_csv (costs);
    g_autofree char *out = NULL;

    g_assert_cmpint (run_cli (hub, &out, NULL, "costs", "--month", month, "--utc", "--csv", "--jobs", NULL),
                     ==, 0);
    g_assert_cmpstr (out, ==, expected);
  }
  g_unsetenv ("WEVION_COSTS_PAGE_SIZE");
  rt_hub_stop (hub);
}

int
main (int argc, char **argv)
{
  /* local-time months differ from UTC ones: the CLI (a child) gets this zone too */
  g_setenv ("TZ", "America/New_York", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/results/cli/download", test_download);
  g_test_add_func ("/results/cli/costs-same-figures", test_costs_same_figures);
  return g_test_run ();
}
