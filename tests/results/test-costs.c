/* test-costs.c: the month's roll-up (pure, with TZ set) and against a real wevion-hub. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "results-test-utils.h"

static WevionJob *
row (const char *id, const char *status, const char *type, const char *provider, const char *created,
     gint64 cents)
{
  g_autofree char *json = g_strdup_printf (
      "{\"id\":\"%s\",\"user_id\":\"u\",\"type\":\"%s\",\"status\":\"%s\",\"provider\":\"%s\",\"prompt\":"
      "\"p\","
      "\"settings\":{},\"result_urls\":[],\"error_message\":null,\"cost_cents\":%" G_GINT64_FORMAT
      ",\"drive_folder_id\":null,\"metadata\":{},\"created_at\":\"%s\",\"completed_at\":%s%s%s}",
      id, type, status, provider, cents, created, g_str_equal (status, "pending") ? "" : "\"",
      g_str_equal (status, "pending") ? "null" : created, g_str_equal (status, "pending") ? "" : "\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (json, &error);
  WevionJob *job;

  g_assert_no_error (error);
  job = wevion_job_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return job;
}

static GPtrArray *
sample (void)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);

  /* TZ is America/New_York (EDT until 1 Nov 2026 06:00 UTC, then EST, UTC−5) */
  g_ptr_array_add (
      jobs, row ("a", "completed", "image", "flux_2_pro", "2026-11-01T03:30:00Z", 25)); /* Oct 31 local */
  g_ptr_array_add (jobs, row ("b", "completed", "video", "veo_3", "2026-11-15T12:00:00Z", 150));
  g_ptr_array_add (jobs, row ("c", "completed", "image", "sdxl_turbo", "2026-11-15T13:00:00Z", 4));
  g_ptr_array_add (jobs, row ("d", "failed", "image", "flux_2_pro", "2026-11-16T12:00:00Z", 0));
  g_ptr_array_add (
      jobs, row ("e", "completed", "tts", "elevenlabs_v2", "2026-12-01T04:30:00Z", 3)); /* Nov 30 local */
  g_ptr_array_add (jobs, row ("f", "processing", "image", "flux_2_pro", "2026-11-20T12:00:00Z", 0));
  g_ptr_array_add (jobs, row ("g", "completed", "image", "flux_2_pro", "2026-10-20T12:00:00Z", 27));
  g_ptr_array_add (jobs, row ("b", "completed", "video", "veo_3", "2026-11-15T12:00:00Z", 150)); /* again */
  g_ptr_array_add (jobs,
                   row ("h", "completed", "image", "flux_2_pro", "2026-12-01T00:00:00Z", 99)); /* Dec UTC */
  return jobs;
}

static void
test_month_boundaries (void)
{
  g_autoptr (GPtrArray) jobs = sample ();
  g_autoptr (WevionCosts) utc = wevion_costs_new_from_jobs ("2026-11", TRUE, jobs);
  g_autoptr (WevionCosts) local = wevion_costs_new_from_jobs ("2026-11", FALSE, jobs);
  g_autoptr (WevionCosts) oct_local = wevion_costs_new_from_jobs ("2026-10", FALSE, jobs);
  const WevionCostsGroup *days;
  guint n;

  /* UTC: a (25) + b (150) + c (4) */
  g_assert_cmpint (wevion_costs_get_total_cents (utc), ==, 179);
  g_assert_cmpuint (wevion_costs_get_n_completed (utc), ==, 3);
  g_assert_cmpuint (wevion_costs_get_n_failed (utc), ==, 1);
  /* local New York: b + c + e (Nov 30 23:30 EST) + h (Nov 30 19:00 EST); a is Oct 31 */
  g_assert_cmpint (wevion_costs_get_total_cents (local), ==, 150 + 4 + 3 + 99);
  g_assert_cmpuint (wevion_costs_get_n_completed (local), ==, 4);
  days = wevion_costs_get_by_day (local, &n);
  g_assert_cmpuint (n, ==, 30);
  g_assert_cmpint (days[29].cents, ==, 102);
  g_assert_cmpint (days[14].cents, ==, 154);
  g_assert_cmpuint (days[15].n_failed, ==, 1);
  g_assert_cmpint (wevion_costs_get_total_cents (oct_local), ==, 25 + 27);
  days = wevion_costs_get_by_day (oct_local, &n);
  g_assert_cmpuint (n, ==, 31);
  g_assert_cmpint (days[30].cents, ==, 25);

  g_assert_null (wevion_costs_new_from_jobs ("2026-13", TRUE, jobs));
  g_assert_null (wevion_costs_new_from_jobs ("26-11", TRUE, jobs));
  {
    g_autofree char *next = wevion_costs_month_shift ("2026-12", 1);
    g_autofree char *prev = wevion_costs_month_shift ("2026-01", -1);
    g_assert_cmpstr (next, ==, "2027-01");
    g_assert_cmpstr (prev, ==, "2025-12");
  }
}

static void
test_breakdowns (void)
{
  g_autoptr (GPtrArray) jobs = sample ();
  g_autoptr (WevionCosts) utc = wevion_costs_new_from_jobs ("2026-11", TRUE, jobs);
  const WevionCostsGroup *g;
  guint n;
  g_autofree char *counts = wevion_costs_describe_counts (utc);

  g = wevion_costs_get_by_type (utc, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (g[0].name, ==, "video");
  g_assert_cmpint (g[0].cents, ==, 150);
  g_assert_cmpstr (g[1].name, ==, "image");
  g_assert_cmpint (g[1].cents, ==, 29);
  g_assert_cmpuint (g[1].n_completed, ==, 2);
  g_assert_cmpuint (g[1].n_failed, ==, 1);
  g = wevion_costs_get_by_provider (utc, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (g[0].name, ==, "veo_3");
  g_assert_cmpstr (g[1].name, ==, "flux_2_pro");
  g_assert_cmpint (g[1].cents, ==, 25);
  g_assert_cmpstr (counts, ==, "3 completed jobs · 1 failed (free)");

  wevion_costs_set_billing (utc, WEVION_BILLING_DIFFERS, 59);
  {
    g_autofree char *s = wevion_costs_describe_billing (utc);
    g_assert_cmpstr (s, ==, "Differs by $1.20 from billing ($0.59)");
  }
  wevion_costs_set_billing (utc, WEVION_BILLING_MATCHES, 179);
  {
    g_autofree char *s = wevion_costs_describe_billing (utc);
    g_assert_cmpstr (s, ==, "Matches billing");
  }
  wevion_costs_set_billing (utc, WEVION_BILLING_UNSUPPORTED, 0);
  {
    g_autofree char *s = wevion_costs_describe_billing (utc);
    g_assert_cmpstr (s, ==, "The server does not report billing");
  }
}

static void
test_csv (void)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (WevionCosts) costs = NULL;
  g_autofree char *csv = NULL;

  g_ptr_array_add (jobs, row ("x,1", "completed", "image", "=cmd", "2026-11-02T10:00:00Z", 1234));
  g_ptr_array_add (jobs, row ("y\\\"2", "failed", "video", "veo_3", "2026-11-01T10:00:00Z", 0));
  costs = wevion_costs_new_from_jobs ("2026-11", TRUE, jobs);
  csv = wevion_costs_to_csv (costs);
  g_assert_cmpstr (
      csv, ==,
      "id,created,completed,type,provider,status,cost_cents,cost_dollars\r\n"
      "\"y\"\"2\",2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,video,veo_3,failed,0,0.00\r\n"
      "\"x,1\",2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,image,\"'=cmd\",completed,1234,12.34\r\n");
}

/* ---- against the hub ------------------------------------------------------------------------ */

static void
test_hub (void)
{
  const char *demo[] = { "--demo", "--seed", "42", NULL };
  const char *minimal[] = { "--minimal", NULL };
  g_autofree char *dir = rt_tmpdir ();
  g_autofree char *month = NULL;
  g_autofree char *this_month = wevion_costs_month_current (TRUE);
  gint64 total;
  guint completed, failed;
  RtHub *hub;

  hub = rt_hub_start (dir, demo);
  {
    g_autoptr (WevionClient) client = rt_client (hub);
    g_autoptr (WevionCosts) costs = NULL;
    g_autoptr (WevionCosts) local = NULL;
    g_autofree char *csv = NULL;
    g_auto (GStrv) lines = NULL;
    gint64 csv_sum = 0;

    /* the previous month: seeded history only (the demo trickle adds to this month) */
    month = wevion_costs_month_shift (this_month, -1);
    g_setenv ("WEVION_COSTS_PAGE_SIZE", "7", TRUE); /* several pages */
    costs = rt_fetch_costs (client, month, TRUE);
    g_unsetenv ("WEVION_COSTS_PAGE_SIZE");
    total = wevion_costs_get_total_cents (costs);
    completed = wevion_costs_get_n_completed (costs);
    failed = wevion_costs_get_n_failed (costs);
    g_test_message ("%s: %u completed, %u failed, %" G_GINT64_FORMAT " cents in %u pages", month, completed,
                    failed, total, wevion_costs_get_n_pages (costs));
    g_assert_cmpuint (completed, >, 3);
    g_assert_cmpint (total, >, 0);
    g_assert_cmpuint (wevion_costs_get_n_pages (costs), >, 1);
    g_assert_cmpint (wevion_costs_get_billing_match (costs), ==, WEVION_BILLING_MATCHES);
    g_assert_cmpint (wevion_costs_get_billing_debit (costs), ==, total);
    for (guint i = 0; i < wevion_costs_get_jobs (costs)->len; i++)
      {
        WevionJob *job = g_ptr_array_index (wevion_costs_get_jobs (costs), i);
        if (wevion_job_get_status (job) == WEVION_JOB_STATUS_FAILED)
          g_assert_cmpint (wevion_job_get_cost_cents (job), ==, 0);
      }
    csv = wevion_costs_to_csv (costs);
    lines = g_strsplit (csv, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, completed + failed + 2); /* header, rows, "" */
    for (guint i = 1; lines[i] && *lines[i]; i++)
      {
        g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
        g_assert_cmpuint (g_strv_length (f), ==, 8);
        csv_sum += g_ascii_strtoll (f[6], NULL, 10);
      }
    g_assert_cmpint (csv_sum, ==, total);

    /* local time (TZ=America/New_York) puts the boundaries elsewhere but never loses or
     * double-counts a job: the local month holds exactly the jobs of the UTC months M and M+1
     * created between local midnights, counted here by hand */
    local = rt_fetch_costs (client, month, FALSE);
    {
      g_autoptr (GTimeZone) ny = g_time_zone_new_identifier ("America/New_York");
      g_autofree char *next = wevion_costs_month_shift (month, 1);
      g_autoptr (WevionCosts) next_utc = rt_fetch_costs (client, next, TRUE);
      g_autoptr (GDateTime) from = NULL;
      g_autoptr (GDateTime) to = NULL;
      GPtrArray *sources[] = { wevion_costs_get_jobs (costs), wevion_costs_get_jobs (next_utc) };
      gint64 expected_cents = 0;
      guint expected_completed = 0, expected_failed = 0, moved = 0;
      int y, m;

      g_assert_nonnull (ny);
      g_assert_cmpint (sscanf (month, "%d-%d", &y, &m), ==, 2);
      from = g_date_time_new (ny, y, m, 1, 0, 0, 0);
      to = g_date_time_add_months (from, 1);
      for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
        for (guint i = 0; i < sources[s]->len; i++)
          {
            WevionJob *job = g_ptr_array_index (sources[s], i);
            GDateTime *created = wevion_job_get_created_at (job);

            if (g_date_time_compare (created, from) < 0 || g_date_time_compare (created, to) >= 0)
              {
                moved += s == 0; /* in the UTC month, not in the local one */
                continue;
              }
            moved += s == 1;
            if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
              expected_completed++, expected_cents += wevion_job_get_cost_cents (job);
            else
              expected_failed++;
          }
      g_test_message ("%s in New York time: %u completed, %u failed, %" G_GINT64_FORMAT
                      " cents (%u jobs on the other side of a boundary)",
                      month, wevion_costs_get_n_completed (local), wevion_costs_get_n_failed (local),
                      wevion_costs_get_total_cents (local), moved);
      g_assert_cmpuint (expected_completed, >, 3);
      g_assert_cmpint (expected_cents, >, 0);
      g_assert_cmpint (wevion_costs_get_total_cents (local), ==, expected_cents);
      g_assert_cmpuint (wevion_costs_get_n_completed (local), ==, expected_completed);
      g_assert_cmpuint (wevion_costs_get_n_failed (local), ==, expected_failed);
      g_assert_cmpuint (wevion_costs_get_jobs (local)->len, ==, expected_completed + expected_failed);
      /* the boundaries really are local: the first job is at or after New York's midnight */
      if (wevion_costs_get_jobs (local)->len > 0)
        g_assert_cmpint (
            g_date_time_compare (
                wevion_job_get_created_at (g_ptr_array_index (wevion_costs_get_jobs (local), 0)), from),
            >=, 0);
      /* billing is the hub's UTC month: equal only when no job crossed a boundary */
      g_assert_cmpint (wevion_costs_get_billing_match (local), ==,
                       wevion_costs_get_total_cents (local) == total ? WEVION_BILLING_MATCHES
                                                                     : WEVION_BILLING_DIFFERS);
    }
  }
  rt_hub_stop (hub);

  /* the same data from a seed-only server: a bare array, filtered here; no billing */
  hub = rt_hub_start (dir, minimal);
  {
    g_autoptr (WevionClient) client = rt_client (hub);
    g_autoptr (WevionCosts) costs = rt_fetch_costs (client, month, TRUE);

    g_assert_cmpint (wevion_costs_get_total_cents (costs), ==, total);
    g_assert_cmpuint (wevion_costs_get_n_completed (costs), ==, completed);
    g_assert_cmpuint (wevion_costs_get_n_failed (costs), ==, failed);
    g_assert_cmpuint (wevion_costs_get_n_pages (costs), ==, 1);
    g_assert_cmpint (wevion_costs_get_billing_match (costs), ==, WEVION_BILLING_UNSUPPORTED);
  }
  rt_hub_stop (hub);
  rt_rmtree (dir);
}

int
main (int argc, char **argv)
{
  /* month boundaries in local time are tested in New York (DST ends on 1 Nov 2026) */
  g_setenv ("TZ", "America/New_York", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/results/costs/month-boundaries", test_month_boundaries);
  g_test_add_func ("/results/costs/breakdowns", test_breakdowns);
  g_test_add_func ("/results/costs/csv", test_csv);
  g_test_add_func ("/results/costs/hub", test_hub);
  return g_test_run ();
}
