/* fuzz-query.c: the query string of GET /jobs (and /team/billing) → soup_form_decode(), as the
 * server decodes it → wevion_hub_parse_list_query() and wevion_hub_parse_month().
 * Invariants: accepted filters are in range (masks hold known bits only, limit 1–500, q UTF-8 of at
 * most 1000 bytes, times not negative), an accepted cursor re-encodes to one that decodes to the
 * same position, a refusal says why; an accepted month is a real month whose label reads back. */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-hub-parse.h"

#define STATUS_BITS                                                                                          \
  ((1u << WEVION_JOB_STATUS_PENDING) | (1u << WEVION_JOB_STATUS_PROCESSING)                                  \
   | (1u << WEVION_JOB_STATUS_COMPLETED) | (1u << WEVION_JOB_STATUS_FAILED))
#define TYPE_BITS                                                                                            \
  ((1u << WEVION_JOB_TYPE_IMAGE) | (1u << WEVION_JOB_TYPE_VIDEO) | (1u << WEVION_JOB_TYPE_AVATAR)            \
   | (1u << WEVION_JOB_TYPE_TTS) | (1u << WEVION_JOB_TYPE_COMPOSITE))

static void
check_cursor (const char *text)
{
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *encoded = NULL;
  gint64 created = -1, created2 = -1;

  if (!wevion_hub_cursor_decode (text, &created, &id))
    return;
  FUZZ_CHECK (id != NULL && *id != '\0' && g_utf8_validate (id, -1, NULL));
  FUZZ_CHECK (created >= 0);
  encoded = wevion_hub_cursor_encode (created, id);
  FUZZ_CHECK (encoded != NULL);
  /* base64url: nothing the list answer would have to escape */
  for (const char *p = encoded; *p; p++)
    FUZZ_CHECK (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  FUZZ_CHECK (wevion_hub_cursor_decode (encoded, &created2, &id2));
  FUZZ_CHECK (created2 == created);
  FUZZ_CHECK (g_str_equal (id, id2));
}

static void
check_month (const char *month)
{
  g_autofree char *label = NULL;
  g_autofree char *label2 = NULL;
  gint64 from = 0, to = 0, from2 = 0, to2 = 0;

  if (!wevion_hub_parse_month (month, &from, &to, &label))
    return;
  FUZZ_CHECK (label && strlen (label) == 7 && label[4] == '-');
  FUZZ_CHECK (from < to);
  /* a month is 28 to 31 days */
  FUZZ_CHECK (to - from >= (gint64) 28 * 86400 * G_USEC_PER_SEC);
  FUZZ_CHECK (to - from <= (gint64) 31 * 86400 * G_USEC_PER_SEC);
  FUZZ_CHECK (wevion_hub_parse_month (label, &from2, &to2, &label2));
  FUZZ_CHECK (from2 == from && to2 == to && g_str_equal (label, label2));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cursor_id = NULL;
  WevionHubQuery q = { 0 };
  const char *v;

  fuzz_init ();
  text = fuzz_strndup (data, size);
  params = soup_form_decode (text);
  if (params == NULL)
    return 0;
  q.user_id = "demo";
  q.limit = 100;
  if ((v = g_hash_table_lookup (params, "cursor")))
    check_cursor (v);
  if ((v = g_hash_table_lookup (params, "month")))
    check_month (v);
  if (!wevion_hub_parse_list_query (params, &q, &cursor_id, &error))
    {
      FUZZ_CHECK (error != NULL && error->domain == WEVION_HUB_PARSE_ERROR);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK ((q.status_mask & ~STATUS_BITS) == 0);
  FUZZ_CHECK ((q.type_mask & ~TYPE_BITS) == 0);
  FUZZ_CHECK (q.limit >= 1 && q.limit <= 500);
  if ((v = g_hash_table_lookup (params, "limit")) == NULL)
    FUZZ_CHECK (q.limit == 100);
  FUZZ_CHECK (q.since_us >= 0 && q.until_us >= 0 && q.updated_since_us >= 0);
  if (q.q)
    FUZZ_CHECK (g_utf8_validate (q.q, -1, NULL) && strlen (q.q) <= 1000);
  if (q.has_cursor)
    {
      g_autofree char *encoded = wevion_hub_cursor_encode (q.cursor_created_us, q.cursor_id);

      FUZZ_CHECK (q.cursor_id == cursor_id && cursor_id && *cursor_id);
      FUZZ_CHECK (encoded != NULL);
    }
  else
    FUZZ_CHECK (q.cursor_id == NULL && cursor_id == NULL);
  return 0;
}
