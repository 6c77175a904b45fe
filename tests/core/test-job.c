/* test-job.c: the job model: reading rules, transitions, failure kinds, money. */
#include "config.h"

#include <string.h>

#include "core-test-utils.h"
#include "wevion-core.h"

#define ROW_FMT                                                                                              \
  "{\"id\":\"%s\",\"user_id\":\"u1\",\"type\":\"image\",\"status\":\"%s\",\"provider\":\"flux_2_pro\","      \
  "\"prompt\":\"a cat\",\"settings\":{},\"result_urls\":[],\"error_message\":null,\"cost_cents\":%s,"        \
  "\"drive_folder_id\":null,\"metadata\":{},\"created_at\":\"2026-11-01T10:00:00Z\",\"completed_at\":null%"  \
  "s}"

static char *
row (const char *id, const char *status, const char *cost, const char *extra)
{
  return g_strdup_printf (ROW_FMT, id, status, cost, extra ? extra : "");
}

static void
test_unknown_fields_ignored (void)
{
  g_autofree char *text = row ("a", "pending", "0", ",\"shiny_new_field\":{\"x\":[1,2]},\"progress\":40");
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = wevion_job_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (wevion_job_get_id (job), ==, "a");
  g_assert_cmpint (wevion_job_get_progress (job), ==, 40);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_PENDING);
  g_assert_finalize_object (g_steal_pointer (&job));
}

static void
test_unknown_status_kept (void)
{
  g_autofree char *text = row ("a", "teleporting", "0", ",\"type\":\"hologram\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = wevion_job_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_UNKNOWN);
  g_assert_cmpstr (wevion_job_get_status_name (job), ==, "teleporting");
  g_assert_finalize_object (g_steal_pointer (&job));
}

static void
test_bad_rows_skipped (void)
{
  g_autofree char *good1 = row ("a", "pending", "0", NULL);
  g_autofree char *good2 = row ("b", "completed", "25", NULL);
  g_autofree char *negative = row ("c", "completed", "-5", NULL);
  g_autofree char *huge = row ("d", "completed", "1e300", NULL);
  g_autofree char *fraction = row ("e", "completed", "2.5", NULL);
  g_autofree char *text = g_strdup_printf ("[%s, 42, {\"id\":\"x\"}, %s, %s, %s, %s, \"str\", null]", good1,
                                           negative, huge, fraction, good2);
  g_autoptr (GError) error = NULL;
  guint skipped = 0;
  GPtrArray *jobs = wevion_job_list_parse (text, strlen (text), NULL, &skipped, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (skipped, ==, 7);
  g_assert_cmpstr (wevion_job_get_id (g_ptr_array_index (jobs, 0)), ==, "a");
  g_assert_cmpstr (wevion_job_get_id (g_ptr_array_index (jobs, 1)), ==, "b");
  g_assert_cmpint (wevion_job_get_cost_cents (g_ptr_array_index (jobs, 1)), ==, 25);
  wt_assert_finalize_array (jobs);
}

static void
test_both_shapes (void)
{
  g_autofree char *a = row ("a", "pending", "0", NULL);
  g_autofree char *bare = g_strdup_printf ("[%s]", a);
  g_autofree char *wrapped = g_strdup_printf ("{\"jobs\":[%s],\"next_cursor\":\"c2\"}", a);
  g_autofree char *wrapped_end = g_strdup_printf ("{\"jobs\":[%s],\"next_cursor\":null}", a);
  g_autofree char *cursor = NULL;
  g_autoptr (GPtrArray) j1 = wevion_job_list_parse (bare, strlen (bare), &cursor, NULL, NULL);
  g_autoptr (GPtrArray) j2 = NULL;
  g_autoptr (GPtrArray) j3 = NULL;

  g_assert_nonnull (j1);
  g_assert_cmpuint (j1->len, ==, 1);
  g_assert_null (cursor);
  j2 = wevion_job_list_parse (wrapped, strlen (wrapped), &cursor, NULL, NULL);
  g_assert_cmpuint (j2->len, ==, 1);
  g_assert_cmpstr (cursor, ==, "c2");
  g_clear_pointer (&cursor, g_free);
  j3 = wevion_job_list_parse (wrapped_end, strlen (wrapped_end), &cursor, NULL, NULL);
  g_assert_cmpuint (j3->len, ==, 1);
  g_assert_null (cursor);
}

static void
test_refused_documents (void)
{
  GString *deep = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  const char bad_utf8[] = "[\"\xff\xfe\"]";
  GPtrArray *jobs;

  for (int i = 0; i < 65; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 65; i++)
    g_string_append_c (deep, ']');
  jobs = wevion_job_list_parse (deep->str, deep->len, NULL, NULL, &error);
  g_assert_null (jobs);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_string_free (deep, TRUE);

  jobs = wevion_job_list_parse ("", 0, NULL, NULL, &error);
  g_assert_null (jobs);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_EMPTY);
  g_clear_error (&error);
  jobs = wevion_job_list_parse ("  \n", 3, NULL, NULL, &error);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_EMPTY);
  g_clear_error (&error);

  jobs = wevion_job_list_parse ("\"hello\"", 7, NULL, NULL, &error);
  g_assert_null (jobs);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_WRONG_ROOT);
  g_clear_error (&error);

  g_assert_null (wevion_job_parse ("[1]", 3, &error));
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_WRONG_ROOT);
  g_clear_error (&error);

  jobs = wevion_job_list_parse (bad_utf8, strlen (bad_utf8), NULL, NULL, &error);
  g_assert_null (jobs);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_UTF8);
  g_clear_error (&error);

  jobs = wevion_job_list_parse ("[{", 2, NULL, NULL, &error);
  g_assert_null (jobs);
  g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX);
  g_clear_error (&error);

  /* one value at the top (json-glib 1.6 would keep the last and leak the others) */
  {
    const char *const several[]
        = { "{\"a\":1}{\"b\":2}", "[] []", "\"a\"{}", "1 2", "{}1", "null[]", "[1]\"x\"" };
    const char *const one[] = { " {\"a\":\"}{\"} ", "[\"\\\"[]\"]\n", "-1e10", "\"x\"" };

    for (guint i = 0; i < G_N_ELEMENTS (several); i++)
      {
        g_autoptr (JsonNode) node = wevion_json_parse (several[i], strlen (several[i]), &error);

        g_assert_null (node);
        g_assert_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX);
        g_clear_error (&error);
      }
    for (guint i = 0; i < G_N_ELEMENTS (one); i++)
      {
        g_autoptr (JsonNode) node = wevion_json_parse (one[i], strlen (one[i]), &error);

        g_assert_no_error (error);
        g_assert_nonnull (node);
      }
  }
}

/* What fuzzing found in json-glib 1.6 and the job writer (docs/reliability.md, "Fuzzing"). */
static void
test_fuzz_findings (void)
{
  static const struct
  {
    const char *text;
    int code;
  } refused[] = {
    { "[\"\\ud800x\"]", WEVION_JSON_ERROR_INVALID_UTF8 }, /* became invalid UTF-8 */
    { "[\"\\udc00\"]", WEVION_JSON_ERROR_INVALID_UTF8 },
    { "[-9223372036854775809]", WEVION_JSON_ERROR_SYNTAX }, /* read as G_MAXINT64 */
    { "[18446744073709551617]", WEVION_JSON_ERROR_SYNTAX }, /* wrapped */
    { "[1e999]", WEVION_JSON_ERROR_SYNTAX },                /* inf, written "inf.0" */
    { "[1{}]", WEVION_JSON_ERROR_SYNTAX },
    { "{} {\"leaked\": [1, 2]}", WEVION_JSON_ERROR_SYNTAX }, /* second value leaked */
    { "[\"\\ud8 \", 1]", WEVION_JSON_ERROR_SYNTAX },         /* json-glib read past the quote */
    { "[\"\\q\"]", WEVION_JSON_ERROR_SYNTAX },
  };
  static const char *const accepted[] = {
    "[-9223372036854775808, 9223372036854775807, 1e308, -1e-400, \"\\ud83d\\ude00\", \"e+1.0\"]",
    " {\"a\": [true, false, null]}\n ",
  };
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (WevionJob) copy = NULL;
  g_autoptr (JsonNode) node = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root = wevion_json_parse (refused[i].text, strlen (refused[i].text), &error);

      g_test_message ("refused: %s", refused[i].text);
      g_assert_null (root);
      g_assert_error (error, WEVION_JSON_ERROR, refused[i].code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root = wevion_json_parse (accepted[i], strlen (accepted[i]), &error);

      g_test_message ("accepted: %s", accepted[i]);
      g_assert_no_error (error);
      g_assert_nonnull (root);
    }

  /* a double json-glib prints without a point, a year below 1000, an offset: all read back */
  text = row ("a", "completed", "1",
              ",\"settings\":{\"big\":1e30,\"small\":-2e-20,\"text\":\"1e+30.0\"},"
              "\"created_at\":\"0001-01-01T05:00:00+01:00\",\"completed_at\":\"0999-12-31T23:59:59Z\"");
  job = wevion_job_parse (text, strlen (text), NULL);
  g_assert_nonnull (job);
  node = wevion_job_to_json (job);
  again = wevion_json_to_string (node);
  g_test_message ("written: %s", again);
  g_assert_nonnull (strstr (again, "\"big\":1e+30,"));
  g_assert_nonnull (strstr (again, "\"text\":\"1e+30.0\""));
  g_assert_nonnull (strstr (again, "\"created_at\":\"0001-01-01T04:00:00Z\""));
  g_assert_nonnull (strstr (again, "\"completed_at\":\"0999-12-31T23:59:59Z\""));
  copy = wevion_job_parse (again, strlen (again), NULL);
  g_assert_nonnull (copy);
  g_assert_true (json_object_equal (wevion_job_get_settings (copy), wevion_job_get_settings (job)));
  g_assert_true (g_date_time_equal (wevion_job_get_created_at (copy), wevion_job_get_created_at (job)));
  g_clear_object (&job);

  /* an offset that puts the time before year 1 has no UTC form: not a time */
  g_free (text);
  text = row ("b", "pending", "0", ",\"created_at\":\"0001-01-01T00:30:00+01:00\"");
  g_assert_null (wevion_job_parse (text, strlen (text), NULL));
}

static void
test_roundtrip (void)
{
  g_autofree char *text = row ("a", "completed", "125",
                               ",\"result_urls\":[\"https://x/1.png\"],\"metadata\":{\"retry_of\":\"z\"},"
                               "\"updated_at\":\"2026-11-01T10:01:00Z\"");
  g_autoptr (WevionJob) job = wevion_job_parse (text, strlen (text), NULL);
  g_autoptr (JsonNode) node = wevion_job_to_json (job);
  g_autofree char *again = wevion_json_to_string (node);
  g_autoptr (WevionJob) copy = wevion_job_parse (again, strlen (again), NULL);

  g_assert_nonnull (copy);
  g_assert_cmpstr (wevion_job_get_retry_of (copy), ==, "z");
  g_assert_cmpint (wevion_job_get_cost_cents (copy), ==, 125);
  g_assert_cmpuint (wevion_job_get_n_result_urls (copy), ==, 1);
  g_assert_true (g_date_time_equal (wevion_job_get_updated_at (copy), wevion_job_get_updated_at (job)));
  /* the JSON and the copy hold no reference to the job */
  g_assert_finalize_object (g_steal_pointer (&job));
  g_assert_finalize_object (g_steal_pointer (&copy));
}

typedef struct
{
  GArray *from;
  GArray *to;
} Transitions;

static void
transition_cb (WevionJob *job, WevionJobStatus from, WevionJobStatus to, Transitions *t)
{
  g_array_append_val (t->from, from);
  g_array_append_val (t->to, to);
}

static WevionJob *
job_with_status (const char *status)
{
  g_autofree char *text = row ("a", status, "0", NULL);

  return wevion_job_parse (text, strlen (text), NULL);
}

static void
test_transitions (void)
{
  g_autoptr (WevionJob) job = job_with_status ("pending");
  g_autoptr (WevionJob) pending = job_with_status ("pending");
  g_autoptr (WevionJob) processing = job_with_status ("processing");
  g_autoptr (WevionJob) completed = job_with_status ("completed");
  g_autoptr (WevionJob) failed = job_with_status ("failed");
  Transitions t = { g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)) };

  g_signal_connect (job, "transition", G_CALLBACK (transition_cb), &t);
  g_assert_cmpint (wevion_job_update_from_job (job, pending), ==, WEVION_JOB_UPDATE_UNCHANGED);
  g_assert_cmpint (wevion_job_update_from_job (job, processing), ==, WEVION_JOB_UPDATE_CHANGED);
  g_assert_cmpint (wevion_job_update_from_job (job, processing), ==, WEVION_JOB_UPDATE_UNCHANGED);
  g_assert_cmpint (wevion_job_update_from_job (job, pending), ==, WEVION_JOB_UPDATE_BACKWARDS);
  g_assert_cmpint (wevion_job_update_from_job (job, completed), ==, WEVION_JOB_UPDATE_CHANGED);
  g_assert_cmpint (wevion_job_update_from_job (job, failed), ==, WEVION_JOB_UPDATE_BACKWARDS);
  g_assert_cmpint (wevion_job_update_from_job (job, processing), ==, WEVION_JOB_UPDATE_BACKWARDS);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpuint (t.from->len, ==, 2);
  g_assert_cmpint (g_array_index (t.from, int, 0), ==, WEVION_JOB_STATUS_PENDING);
  g_assert_cmpint (g_array_index (t.to, int, 0), ==, WEVION_JOB_STATUS_PROCESSING);
  g_assert_cmpint (g_array_index (t.from, int, 1), ==, WEVION_JOB_STATUS_PROCESSING);
  g_assert_cmpint (g_array_index (t.to, int, 1), ==, WEVION_JOB_STATUS_COMPLETED);

  /* skipping is allowed: pending → failed directly */
  {
    g_autoptr (WevionJob) other = job_with_status ("pending");
    Transitions t2 = { g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)) };

    g_signal_connect (other, "transition", G_CALLBACK (transition_cb), &t2);
    g_assert_cmpint (wevion_job_update_from_job (other, failed), ==, WEVION_JOB_UPDATE_CHANGED);
    g_assert_cmpuint (t2.to->len, ==, 1);
    g_assert_cmpint (g_array_index (t2.to, int, 0), ==, WEVION_JOB_STATUS_FAILED);
    g_assert_finalize_object (g_steal_pointer (&other));
    g_array_unref (t2.from);
    g_array_unref (t2.to);
  }
  /* an update copies from the other job and keeps no reference to it */
  g_assert_finalize_object (g_steal_pointer (&job));
  g_assert_finalize_object (g_steal_pointer (&pending));
  g_assert_finalize_object (g_steal_pointer (&processing));
  g_assert_finalize_object (g_steal_pointer (&completed));
  g_assert_finalize_object (g_steal_pointer (&failed));
  g_array_unref (t.from);
  g_array_unref (t.to);
}

static WevionFailureKind
kind_of (const char *extra)
{
  g_autofree char *text = row ("f", "failed", "0", extra);
  g_autoptr (WevionJob) job = wevion_job_parse (text, strlen (text), NULL);

  g_assert_nonnull (job);
  return wevion_job_get_failure_kind (job);
}

static void
test_failure_kinds (void)
{
  g_assert_cmpint (kind_of (",\"error_code\":\"content_moderation\",\"error_message\":\"Rejected\""), ==,
                   WEVION_FAILURE_KIND_MODERATION);
  g_assert_cmpint (kind_of (",\"error_code\":\"provider_error\",\"error_message\":\"upstream 502\""), ==,
                   WEVION_FAILURE_KIND_TRANSIENT);
  g_assert_cmpint (kind_of (",\"error_code\":\"canceled\",\"error_message\":\"Canceled\""), ==,
                   WEVION_FAILURE_KIND_CANCELED);
  g_assert_cmpint (kind_of (",\"error_message\":\"\""), ==, WEVION_FAILURE_KIND_NO_DETAILS);
  g_assert_cmpint (kind_of (NULL), ==, WEVION_FAILURE_KIND_NO_DETAILS);
  g_assert_cmpstr (wevion_failure_kind_get_advice (WEVION_FAILURE_KIND_MODERATION), !=, "");
  {
    g_autofree char *text = row ("p", "pending", "0", NULL);
    g_autoptr (WevionJob) job = wevion_job_parse (text, strlen (text), NULL);

    g_assert_cmpint (wevion_job_get_failure_kind (job), ==, WEVION_FAILURE_KIND_NONE);
  }
}

static void
test_money (void)
{
  struct
  {
    gint64 cents;
    const char *text;
  } cases[] = {
    { 0, "$0.00" },
    { 25, "$0.25" },
    { 100, "$1.00" },
    { 123450, "$1,234.50" },
    { 100000000, "$1,000,000.00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = wevion_format_cents (cases[i].cents);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
  {
    g_autofree char *text = wevion_format_cents (-300);

    g_assert_nonnull (strstr (text, "3.00"));
    g_assert_true (g_str_has_prefix (text, "−") || g_str_has_prefix (text, "-"));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/job/unknown-fields", test_unknown_fields_ignored);
  g_test_add_func ("/wevion/job/unknown-status", test_unknown_status_kept);
  g_test_add_func ("/wevion/job/bad-rows-skipped", test_bad_rows_skipped);
  g_test_add_func ("/wevion/job/both-shapes", test_both_shapes);
  g_test_add_func ("/wevion/job/refused-documents", test_refused_documents);
  g_test_add_func ("/wevion/job/fuzz-findings", test_fuzz_findings);
  g_test_add_func ("/wevion/job/roundtrip", test_roundtrip);
  g_test_add_func ("/wevion/job/transitions", test_transitions);
  g_test_add_func ("/wevion/job/failure-kinds", test_failure_kinds);
  g_test_add_func ("/wevion/money/format", test_money);
  return g_test_run ();
}
