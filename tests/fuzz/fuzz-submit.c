/* fuzz-submit.c: the body of POST /generate/{type} → wevion_hub_parse_submission(), the hub's
 * request body reader. The first byte picks the type, the rest is the body.
 * Invariants: a refusal carries the parse error domain and a UTF-8 message; an accepted body has a
 * provider that makes the type, a non-empty prompt of at most 20000 characters, settings and
 * metadata objects (metadata without thumbnail_url, retry_of a string when present), and the job the
 * hub would store from it survives its own wire format (serialise, read back, same fields). */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-hub-parse.h"
#include "wevion-hub-render.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (WevionHubSubmission) sub = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (WevionJob) back = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *text = NULL;
  WevionJobType type;
  int count, width, height;

  fuzz_init ();
  if (size < 1)
    return 0;
  type = (WevionJobType) (1 + data[0] % 5);
  FUZZ_CHECK (type != WEVION_JOB_TYPE_UNKNOWN);
  if (!wevion_hub_parse_submission (type, (const char *) data + 1, size - 1, &sub, &error))
    {
      FUZZ_CHECK (error != NULL && error->domain == WEVION_HUB_PARSE_ERROR);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL) && *error->message);
      FUZZ_CHECK (sub.root == NULL && sub.settings == NULL && sub.metadata == NULL);
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (sub.provider != NULL && sub.provider->type == type);
  FUZZ_CHECK (g_str_equal (sub.provider->name, sub.provider_name));
  FUZZ_CHECK (sub.prompt && *sub.prompt && g_utf8_validate (sub.prompt, -1, NULL));
  FUZZ_CHECK (g_utf8_strlen (sub.prompt, -1) <= WEVION_HUB_MAX_PROMPT);
  FUZZ_CHECK (sub.settings && sub.metadata);
  FUZZ_CHECK (!json_object_has_member (sub.metadata, "thumbnail_url"));
  if (json_object_has_member (sub.metadata, "retry_of"))
    FUZZ_CHECK (sub.retry_of != NULL);
  else
    FUZZ_CHECK (sub.retry_of == NULL);

  /* what the hub derives from the settings stays in its bounds */
  count = wevion_hub_render_count (sub.settings);
  FUZZ_CHECK (count >= 1 && count <= 4);
  wevion_hub_render_size (type, sub.settings, &width, &height);
  FUZZ_CHECK (width >= 64 && width <= 2048 && height >= 64 && height <= 2048);

  /* the row the hub stores and later serves reads back the same */
  now = g_date_time_new_from_unix_utc (1764374400);
  job = g_object_new (WEVION_TYPE_JOB, "id", "fuzz-1", "user-id", "demo", "type-name",
                      wevion_job_type_to_string (type), "status-name", "pending", "provider",
                      sub.provider_name, "prompt", sub.prompt, "settings", sub.settings, "metadata",
                      sub.metadata, "created-at", now, "updated-at", now, "progress", 0, NULL);
  {
    g_autoptr (JsonNode) node = wevion_job_to_json (job);

    text = wevion_json_to_string (node);
  }
  back = wevion_job_parse (text, strlen (text), NULL);
  FUZZ_CHECK (back != NULL);
  FUZZ_CHECK (g_str_equal (wevion_job_get_prompt (back), sub.prompt));
  FUZZ_CHECK (g_str_equal (wevion_job_get_provider (back), sub.provider_name));
  FUZZ_CHECK (wevion_job_get_job_type (back) == type);
  FUZZ_CHECK (json_object_equal (wevion_job_get_settings (back), sub.settings));
  FUZZ_CHECK (json_object_equal (wevion_job_get_metadata (back), sub.metadata));
  FUZZ_CHECK (g_strcmp0 (wevion_job_get_retry_of (back), sub.retry_of) == 0);
  return 0;
}
