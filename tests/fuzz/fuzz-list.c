/* fuzz-list.c: a list answer (GET /jobs) in either shape → wevion_job_list_parse().
 * Invariants: rows that load plus rows skipped account for every element; what loaded re-serialises
 * in both shapes (bare array and {"jobs": …, "next_cursor": …}) and reads back with nothing skipped,
 * the same rows in the same order and the same cursor. */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-core.h"

static void
check_round_trip (GPtrArray *jobs, const char *cursor, gboolean bare)
{
  g_autofree char *text = wevion_job_list_to_string (jobs, cursor, bare);
  g_autofree char *cursor2 = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  guint skipped = G_MAXUINT;

  FUZZ_CHECK (text && g_utf8_validate (text, -1, NULL));
  again = wevion_job_list_parse (text, strlen (text), &cursor2, &skipped, &error);
  FUZZ_CHECK (again != NULL && error == NULL);
  FUZZ_CHECK (skipped == 0);
  FUZZ_CHECK (again->len == jobs->len);
  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *a = g_ptr_array_index (jobs, i);
      WevionJob *b = g_ptr_array_index (again, i);

      FUZZ_CHECK (g_str_equal (wevion_job_get_id (a), wevion_job_get_id (b)));
      FUZZ_CHECK (g_str_equal (wevion_job_get_status_name (a), wevion_job_get_status_name (b)));
      FUZZ_CHECK (g_strcmp0 (wevion_job_get_prompt (a), wevion_job_get_prompt (b)) == 0);
      FUZZ_CHECK (wevion_job_get_cost_cents (a) == wevion_job_get_cost_cents (b));
    }
  if (bare)
    FUZZ_CHECK (cursor2 == NULL);
  else
    FUZZ_CHECK (g_strcmp0 (cursor, cursor2) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *cursor = NULL;
  guint skipped = G_MAXUINT;

  fuzz_init ();
  jobs = wevion_job_list_parse ((const char *) data, size, &cursor, &skipped, &error);
  if (jobs == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == WEVION_JSON_ERROR);
      FUZZ_CHECK (cursor == NULL);
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (cursor == NULL || *cursor != '\0');

  /* every element is a loaded row or a skipped one */
  root = wevion_json_parse ((const char *) data, size, NULL);
  FUZZ_CHECK (root != NULL);
  {
    JsonArray *array = NULL;

    if (JSON_NODE_HOLDS_ARRAY (root))
      array = json_node_get_array (root);
    else
      {
        FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (root));
        array = json_object_get_array_member (json_node_get_object (root), "jobs");
        FUZZ_CHECK (array != NULL);
      }
    FUZZ_CHECK (jobs->len + skipped == json_array_get_length (array));
  }
  for (guint i = 0; i < jobs->len; i++)
    FUZZ_CHECK (WEVION_IS_JOB (g_ptr_array_index (jobs, i)));

  check_round_trip (jobs, cursor, FALSE);
  check_round_trip (jobs, NULL, FALSE);
  check_round_trip (jobs, NULL, TRUE);
  return 0;
}
