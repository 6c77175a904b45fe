/* fuzz-job.c: one job row document (GET /jobs/{id}) → wevion_job_parse() → WevionJob.
 * Invariants: a row that loads re-serialises to a document that loads again with the same fields,
 * and the second serialisation is byte for byte the first (the writer's output is a fixed point);
 * nothing may follow the document. */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-core.h"

static void
same_time (GDateTime *a, GDateTime *b)
{
  FUZZ_CHECK ((a == NULL) == (b == NULL));
  if (a)
    FUZZ_CHECK (g_date_time_to_unix (a) == g_date_time_to_unix (b));
}

/* @b was read back from what @a wrote: every field survives (times to the second). */
static void
check_same_job (WevionJob *a, WevionJob *b)
{
  const char *const *ua = wevion_job_get_result_urls (a);
  const char *const *ub = wevion_job_get_result_urls (b);

  FUZZ_CHECK (g_strcmp0 (wevion_job_get_id (a), wevion_job_get_id (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_user_id (a), wevion_job_get_user_id (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_type_name (a), wevion_job_get_type_name (b)) == 0);
  FUZZ_CHECK (wevion_job_get_job_type (a) == wevion_job_get_job_type (b));
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_status_name (a), wevion_job_get_status_name (b)) == 0);
  FUZZ_CHECK (wevion_job_get_status (a) == wevion_job_get_status (b));
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_provider (a), wevion_job_get_provider (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_prompt (a), wevion_job_get_prompt (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_error_message (a), wevion_job_get_error_message (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_drive_folder_id (a), wevion_job_get_drive_folder_id (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_error_code (a), wevion_job_get_error_code (b)) == 0);
  FUZZ_CHECK (wevion_job_get_cost_cents (a) == wevion_job_get_cost_cents (b));
  FUZZ_CHECK (wevion_job_get_cost_cents (a) >= 0);
  FUZZ_CHECK (wevion_job_get_progress (a) == wevion_job_get_progress (b));
  FUZZ_CHECK (wevion_job_get_queue_position (a) == wevion_job_get_queue_position (b));
  FUZZ_CHECK (wevion_job_get_retryable_hint (a) == wevion_job_get_retryable_hint (b));
  FUZZ_CHECK (wevion_job_get_archived (a) == wevion_job_get_archived (b));
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_thumbnail_url (a), wevion_job_get_thumbnail_url (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_retry_of (a), wevion_job_get_retry_of (b)) == 0);
  FUZZ_CHECK (wevion_job_get_n_result_urls (a) == wevion_job_get_n_result_urls (b));
  for (guint i = 0; ua[i]; i++)
    FUZZ_CHECK (g_strcmp0 (ua[i], ub[i]) == 0);
  same_time (wevion_job_get_created_at (a), wevion_job_get_created_at (b));
  same_time (wevion_job_get_completed_at (a), wevion_job_get_completed_at (b));
  same_time (wevion_job_get_updated_at (a), wevion_job_get_updated_at (b));
  same_time (wevion_job_get_started_at (a), wevion_job_get_started_at (b));
  same_time (wevion_job_get_result_expires_at (a), wevion_job_get_result_expires_at (b));
  FUZZ_CHECK (json_object_get_size (wevion_job_get_settings (a))
              == json_object_get_size (wevion_job_get_settings (b)));
  FUZZ_CHECK (json_object_get_size (wevion_job_get_metadata (a))
              == json_object_get_size (wevion_job_get_metadata (b)));
}

static char *
job_to_string (WevionJob *job)
{
  g_autoptr (JsonNode) node = wevion_job_to_json (job);

  FUZZ_CHECK (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return wevion_json_to_string (node);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (WevionJob) again = NULL;
  g_autoptr (WevionJob) third = NULL;
  g_autoptr (GError) error2 = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;

  fuzz_init ();
  job = wevion_job_parse ((const char *) data, size, &error);
  if (job == NULL)
    {
      /* refused with a reason in the JSON domain, never silently */
      FUZZ_CHECK (error != NULL && error->domain == WEVION_JSON_ERROR);
      FUZZ_CHECK (error->message && g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (wevion_job_get_id (job) && *wevion_job_get_id (job));

  /* a second value after the document is refused (json-glib 1.6 took the first and leaked it) */
  {
    g_autofree char *twice = g_strdup_printf ("%.*s {}", (int) size, (const char *) data);
    g_autoptr (JsonNode) node = wevion_json_parse (twice, strlen (twice), NULL);

    FUZZ_CHECK (node == NULL);
  }

  text = job_to_string (job);
  FUZZ_CHECK (text && g_utf8_validate (text, -1, NULL));
  again = wevion_job_parse (text, strlen (text), &error2);
  if (again == NULL)
    fprintf (stderr, "re-read failed: %s\n%s\n", error2 ? error2->message : "?", text);
  FUZZ_CHECK (again != NULL);
  check_same_job (job, again);

  text2 = job_to_string (again);
  FUZZ_CHECK (g_str_equal (text, text2));

  /* an update with the very same row changes nothing and never moves backwards */
  third = wevion_job_parse (text2, strlen (text2), NULL);
  FUZZ_CHECK (third != NULL);
  FUZZ_CHECK (wevion_job_update_from_job (again, third) == WEVION_JOB_UPDATE_UNCHANGED);
  return 0;
}
