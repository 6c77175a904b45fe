/* test-notify-text.c: the words of job notifications and the hold decision, without a display
 * (this program links libwevion-core and the GTK-free wevion-notify-text.c only). */
#include "config.h"

#include <string.h>

#include "wevion-notify-text.h"

#define NO_DETAILS "The provider reported no details. This is usually an upstream issue; retry once."

/* A job as the server sends it: a wire row through the same parser the client uses. */
static WevionJob *
job_new (const char *id, WevionJobType type, WevionJobStatus status, const char *provider, const char *prompt,
         const char *error_message, gint64 cost_cents, gint64 seconds)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) created = g_date_time_new_utc (2026, 11, 1, 10, 0, 0);
  g_autoptr (GDateTime) completed = g_date_time_add_seconds (created, (double) seconds);
  g_autofree char *created_text = g_date_time_format_iso8601 (created);
  g_autofree char *completed_text = g_date_time_format_iso8601 (completed);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  WevionJob *job;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_string_value (builder, "u1");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, wevion_job_type_to_string (type));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status == WEVION_JOB_STATUS_COMPLETED ? "completed" : "failed");
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, provider);
  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, prompt);
  json_builder_set_member_name (builder, "settings");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "result_urls");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "error_message");
  if (error_message)
    json_builder_add_string_value (builder, error_message);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "cost_cents");
  json_builder_add_int_value (builder, cost_cents);
  json_builder_set_member_name (builder, "drive_folder_id");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, created_text);
  json_builder_set_member_name (builder, "completed_at");
  json_builder_add_string_value (builder, completed_text);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  job = wevion_job_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  return job;
}

static void
test_excerpt (void)
{
  g_autofree char *plain = wevion_notify_excerpt ("  a\tcat\n\n on   a mat \x01 ", 80);
  g_autofree char *empty = wevion_notify_excerpt (NULL, 80);
  g_autofree char *exact = wevion_notify_excerpt ("abcde", 5);
  g_autofree char *cut = wevion_notify_excerpt ("abcdef", 5);
  g_autofree char *wide = wevion_notify_excerpt ("äöüßéèêëabc", 4);
  g_autoptr (GString) long_text = g_string_new (NULL);
  g_autofree char *long_cut = NULL;

  g_assert_cmpstr (plain, ==, "a cat on a mat");
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (exact, ==, "abcde");
  g_assert_cmpstr (cut, ==, "abcd…");
  g_assert_cmpstr (wide, ==, "äöü…");
  for (int i = 0; i < 40; i++)
    g_string_append (long_text, "very long prompt ");
  long_cut = wevion_notify_excerpt (long_text->str, WEVION_NOTIFY_EXCERPT_CHARS);
  g_assert_cmpint (g_utf8_strlen (long_cut, -1), ==, WEVION_NOTIFY_EXCERPT_CHARS);
  g_assert_true (g_str_has_suffix (long_cut, "…"));
}

static void
test_summary (void)
{
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_IMAGE, TRUE), ==, "Image ready");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_VIDEO, TRUE), ==, "Video ready");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_TTS, TRUE), ==, "Speech ready");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_AVATAR, FALSE), ==, "Avatar failed");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_COMPOSITE, FALSE), ==, "Composite failed");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_UNKNOWN, TRUE), ==, "Generation ready");
  g_assert_cmpstr (wevion_notify_summary (WEVION_JOB_TYPE_UNKNOWN, FALSE), ==, "Generation failed");
}

static void
test_failure_text (void)
{
  g_autofree char *none = wevion_notify_failure_text (NULL);
  g_autofree char *blank = wevion_notify_failure_text (" \n\t ");
  g_autofree char *given = wevion_notify_failure_text ("  Provider timed out \n");

  g_assert_cmpstr (none, ==, NO_DETAILS);
  g_assert_cmpstr (blank, ==, NO_DETAILS);
  g_assert_cmpstr (given, ==, "Provider timed out");
}

/* Server text reaches notification bodies (markup) escaped: tags show as text. */
static void
test_body_completed (void)
{
  g_autoptr (WevionJob) job
      = job_new ("j1", WEVION_JOB_TYPE_IMAGE, WEVION_JOB_STATUS_COMPLETED, "flux<i>2</i>",
                 "a <b>bold</b> fox & <a href=\"https://evil.example/\">a link</a>", NULL, 25, 102);
  g_autofree char *body = wevion_notify_body (job);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (wevion_notify_summary_for_job (job), ==, "Image ready");
  g_assert_cmpstr (body, ==,
                   "“a &lt;b&gt;bold&lt;/b&gt; fox &amp; &lt;a href=&quot;https://evil.example/&quot;&gt;a "
                   "link&lt;/a&gt;”\nflux&lt;i&gt;2&lt;/i&gt; · 1 min 42 s · $0.25");
  /* and it is valid markup: it parses, and shows the tags as text */
  {
    g_autofree char *wrapped = g_strdup_printf ("<body>%s</body>", body);
    GMarkupParser parser = { 0 };
    GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, NULL, NULL);

    g_assert_true (g_markup_parse_context_parse (context, wrapped, -1, &error));
    g_assert_true (g_markup_parse_context_end_parse (context, &error));
    g_assert_no_error (error);
    g_markup_parse_context_free (context);
  }
}

static void
test_body_failed (void)
{
  g_autoptr (WevionJob) job = job_new ("j2", WEVION_JOB_TYPE_VIDEO, WEVION_JOB_STATUS_FAILED, "veo_3",
                                       "a\nfox", "Upstream <error> & co", 0, 5);
  g_autoptr (WevionJob) silent
      = job_new ("j3", WEVION_JOB_TYPE_VIDEO, WEVION_JOB_STATUS_FAILED, "veo_3", "x", "", 0, 5);
  g_autofree char *body = wevion_notify_body (job);
  g_autofree char *silent_body = wevion_notify_body (silent);

  g_assert_cmpstr (wevion_notify_summary_for_job (job), ==, "Video failed");
  g_assert_cmpstr (body, ==, "Upstream &lt;error&gt; &amp; co\nveo_3 · “a fox”");
  g_assert_true (g_str_has_prefix (silent_body, NO_DETAILS "\n"));
}

static void
test_burst (void)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *s51 = wevion_notify_burst_summary (5, 1);
  g_autofree char *s10 = wevion_notify_burst_summary (1, 0);
  g_autofree char *s30 = wevion_notify_burst_summary (3, 0);
  g_autofree char *s02 = wevion_notify_burst_summary (0, 2);
  g_autofree char *body = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpstr (s51, ==, "5 jobs completed, 1 failed");
  g_assert_cmpstr (s10, ==, "1 job completed");
  g_assert_cmpstr (s30, ==, "3 jobs completed");
  g_assert_cmpstr (s02, ==, "2 jobs failed");

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%d", i);
      g_autofree char *prompt = g_strdup_printf ("<job> %d", i);

      g_ptr_array_add (jobs, job_new (id, WEVION_JOB_TYPE_IMAGE,
                                      i == 1 ? WEVION_JOB_STATUS_FAILED : WEVION_JOB_STATUS_COMPLETED,
                                      "flux_2_pro", prompt, "no", 10, 3));
    }
  body = wevion_notify_burst_body (jobs);
  lines = g_strsplit (body, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, WEVION_NOTIFY_BURST_LISTED + 1);
  g_assert_cmpstr (lines[0], ==, "Image ready “&lt;job&gt; 0”");
  g_assert_cmpstr (lines[1], ==, "Image failed “&lt;job&gt; 1”");
  g_assert_cmpstr (lines[4], ==, "and 2 more");

  g_ptr_array_set_size (jobs, 2);
  g_free (body);
  body = wevion_notify_burst_body (jobs);
  g_assert_null (strstr (body, "more"));
}

static void
test_hold (void)
{
  WevionHoldState nothing = { 0 };
  WevionHoldState s;

  g_assert_false (wevion_notify_hold_wanted (&nothing));

  s = nothing, s.run_in_background = TRUE;
  g_assert_true (wevion_notify_hold_wanted (&s));
  s.poller_stopped = TRUE; /* the setting holds even with nothing to poll */
  g_assert_true (wevion_notify_hold_wanted (&s));

  s = nothing, s.n_active = 2;
  g_assert_true (wevion_notify_hold_wanted (&s));
  /* the token was refused: active jobs can no longer be watched and do not keep the app */
  s.poller_stopped = TRUE;
  g_assert_false (wevion_notify_hold_wanted (&s));

  /* work an action started holds, whatever else: a download from a notification's button */
  s = nothing, s.n_work = 1;
  g_assert_true (wevion_notify_hold_wanted (&s));
  s.poller_stopped = TRUE, s.linger_over = TRUE;
  g_assert_true (wevion_notify_hold_wanted (&s));

  s = nothing, s.n_batched = 3;
  g_assert_true (wevion_notify_hold_wanted (&s));

  /* open notifications hold until they have lingered long enough */
  s = nothing, s.n_open = 1;
  g_assert_true (wevion_notify_hold_wanted (&s));
  s.linger_over = TRUE;
  g_assert_false (wevion_notify_hold_wanted (&s));
  s.n_open = 0, s.linger_over = FALSE;
  g_assert_false (wevion_notify_hold_wanted (&s));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wevion/notify-text/excerpt", test_excerpt);
  g_test_add_func ("/wevion/notify-text/summary", test_summary);
  g_test_add_func ("/wevion/notify-text/failure-text", test_failure_text);
  g_test_add_func ("/wevion/notify-text/body-completed", test_body_completed);
  g_test_add_func ("/wevion/notify-text/body-failed", test_body_failed);
  g_test_add_func ("/wevion/notify-text/burst", test_burst);
  g_test_add_func ("/wevion/notify-text/hold", test_hold);
  return g_test_run ();
}
