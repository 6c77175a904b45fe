/* wevion-hub-parse.c: the hub's readers of untrusted request text. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wevion-hub-parse.h"

G_DEFINE_QUARK (wevion - hub - parse - error - quark, wevion_hub_parse_error)

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID, message);
  return FALSE;
}

/* ---- POST /generate/{type} ----------------------------------------------------------------- */

void
wevion_hub_submission_clear (WevionHubSubmission *s)
{
  g_clear_pointer (&s->settings, json_object_unref);
  g_clear_pointer (&s->metadata, json_object_unref);
  g_clear_pointer (&s->root, json_node_unref);
  s->provider = NULL;
  s->provider_name = s->prompt = s->retry_of = NULL;
}

/* a whole number in [min, max] (JSON integer, or a double without a fraction) */
static gboolean
check_whole (JsonObject *settings, const char *key, gint64 min, gint64 max, GError **error)
{
  JsonNode *node = json_object_get_member (settings, key);
  gboolean ok = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      ok = v >= min && v <= max;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      ok = d >= (double) min && d <= (double) max && d == (double) (gint64) d;
    }
  if (!ok)
    g_set_error (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS,
                 "“settings.%s” must be a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ".",
                 key, min, max);
  return ok;
}

gboolean
wevion_hub_parse_settings (WevionJobType type, JsonObject *settings, GError **error)
{
  JsonNode *voice;

  if (!check_whole (settings, "count", 1, 4, error))
    return FALSE;
  if (type != WEVION_JOB_TYPE_TTS
      && (!check_whole (settings, "width", 64, 2048, error)
          || !check_whole (settings, "height", 64, 2048, error)))
    return FALSE;
  if (type == WEVION_JOB_TYPE_VIDEO && !check_whole (settings, "seconds", 1, 60, error))
    return FALSE;
  if (type == WEVION_JOB_TYPE_VIDEO && json_object_has_member (settings, "format")
      && !JSON_NODE_HOLDS_NULL (json_object_get_member (settings, "format")))
    {
      const char *format = NULL;

      if (!wevion_json_get_string (settings, "format", &format)
          || (!g_str_equal (format, "webm") && !g_str_equal (format, "apng")))
        {
          g_set_error_literal (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS,
                               "“settings.format” must be “webm” or “apng”.");
          return FALSE;
        }
    }
  if (type == WEVION_JOB_TYPE_TTS && !check_whole (settings, "seconds", 1, 86400, error))
    return FALSE;
  voice = json_object_get_member (settings, "voice");
  if (type == WEVION_JOB_TYPE_TTS && voice && !JSON_NODE_HOLDS_NULL (voice))
    {
      const char *name = NULL;

      if (!wevion_json_get_string (settings, "voice", &name) || *name == '\0'
          || g_utf8_strlen (name, -1) > 100)
        {
          g_set_error_literal (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS,
                               "“settings.voice” must be a voice name (1 to 100 characters).");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
wevion_hub_parse_submission (WevionJobType type, const char *data, gsize len, WevionHubSubmission *out,
                             GError **error)
{
  g_auto (WevionHubSubmission) s = { 0 };
  g_autoptr (GError) local = NULL;
  JsonObject *body;
  JsonNode *node;

  s.root = wevion_json_parse (data, len, &local);
  if (s.root == NULL || !JSON_NODE_HOLDS_OBJECT (s.root))
    {
      g_set_error (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID,
                   "The body is not a JSON object%s%s", local ? ": " : ".", local ? local->message : "");
      return FALSE;
    }
  body = json_node_get_object (s.root);
  if (!wevion_json_get_string (body, "provider", &s.provider_name))
    return invalid (error, "“provider” is required and must be a string.");
  s.provider = wevion_hub_provider_lookup (type, s.provider_name);
  if (s.provider == NULL)
    {
      g_set_error (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID,
                   "Provider “%s” does not make %s results.", s.provider_name,
                   wevion_job_type_to_string (type));
      return FALSE;
    }
  if (!wevion_json_get_string (body, "prompt", &s.prompt) || *s.prompt == '\0')
    return invalid (error, "“prompt” is required and must be a non-empty string.");
  if (g_utf8_strlen (s.prompt, -1) > WEVION_HUB_MAX_PROMPT)
    return invalid (error, "“prompt” is longer than 20000 characters.");
  node = json_object_get_member (body, "settings");
  if (node && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "“settings” must be an object.");
  s.settings
      = wevion_hub_copy_object (node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL);
  if (!wevion_hub_parse_settings (type, s.settings, error))
    return FALSE;
  node = json_object_get_member (body, "metadata");
  if (node && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "“metadata” must be an object.");
  s.metadata
      = wevion_hub_copy_object (node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL);
  if (json_object_has_member (s.metadata, "thumbnail_url"))
    json_object_remove_member (s.metadata, "thumbnail_url"); /* the server sets it */
  node = json_object_get_member (s.metadata, "retry_of");
  /* "" is no job id: the app reads it as "not a retry" (found by fuzzing) */
  if (node && (!wevion_json_get_string (s.metadata, "retry_of", &s.retry_of) || *s.retry_of == '\0'))
    return invalid (error, "“metadata.retry_of” must be a job id.");

  *out = s;
  memset (&s, 0, sizeof s);
  return TRUE;
}

/* ---- GET /generate/jobs?… ------------------------------------------------------------------ */

gboolean
wevion_hub_parse_mask (const char *text, gboolean status, guint *mask)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  *mask = 0;
  for (guint i = 0; parts[i]; i++)
    {
      const char *p = g_strstrip (parts[i]);
      int v;

      if (*p == '\0')
        continue;
      v = status ? (int) wevion_job_status_from_string (p) : (int) wevion_job_type_from_string (p);
      if (v == 0)
        return FALSE;
      *mask |= 1u << v;
    }
  return TRUE;
}

gboolean
wevion_hub_parse_time_param (const char *text, gint64 *out)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) t = NULL;

  if (text == NULL)
    return TRUE;
  t = g_date_time_new_from_iso8601 (text, utc);
  if (t == NULL)
    {
      /* a bare date: YYYY-MM-DD */
      int y, m, d;
      char extra;

      if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || strlen (text) != 10)
        return FALSE;
      t = g_date_time_new_utc (y, m, d, 0, 0, 0);
      if (t == NULL)
        return FALSE;
    }
  *out = MAX (1, wevion_hub_time_to_us (t));
  return TRUE;
}

gboolean
wevion_hub_parse_list_query (GHashTable *params, WevionHubQuery *q, char **cursor_id, GError **error)
{
  const char *v;

  if ((v = g_hash_table_lookup (params, "status")) && !wevion_hub_parse_mask (v, TRUE, &q->status_mask))
    return invalid (error, "“status” takes pending, processing, completed, failed (comma-separated).");
  if ((v = g_hash_table_lookup (params, "type")) && !wevion_hub_parse_mask (v, FALSE, &q->type_mask))
    return invalid (error, "“type” takes image, video, avatar, tts, composite (comma-separated).");
  if (!wevion_hub_parse_time_param (g_hash_table_lookup (params, "since"), &q->since_us))
    return invalid (error, "“since” must be an ISO 8601 time.");
  if (!wevion_hub_parse_time_param (g_hash_table_lookup (params, "until"), &q->until_us))
    return invalid (error, "“until” must be an ISO 8601 time.");
  if (!wevion_hub_parse_time_param (g_hash_table_lookup (params, "updated_since"), &q->updated_since_us))
    return invalid (error, "“updated_since” must be an ISO 8601 time.");
  if ((v = g_hash_table_lookup (params, "q")))
    {
      if (!g_utf8_validate (v, -1, NULL) || strlen (v) > 1000)
        return invalid (error, "“q” must be UTF-8 text of at most 1000 bytes.");
      q->q = v;
    }
  if ((v = g_hash_table_lookup (params, "limit")))
    {
      guint64 l;

      if (!g_ascii_string_to_unsigned (v, 10, 1, 500, &l, NULL))
        return invalid (error, "“limit” must be a number from 1 to 500.");
      q->limit = (guint) l;
    }
  if ((v = g_hash_table_lookup (params, "cursor")) && *v)
    {
      g_clear_pointer (cursor_id, g_free);
      if (!wevion_hub_cursor_decode (v, &q->cursor_created_us, cursor_id))
        return invalid (error, "“cursor” is not one this server gave out.");
      q->has_cursor = TRUE;
      q->cursor_id = *cursor_id;
    }
  if ((v = g_hash_table_lookup (params, "include_archived")))
    {
      if (g_str_equal (v, "true") || g_str_equal (v, "1"))
        q->include_archived = TRUE;
      else if (!g_str_equal (v, "false") && !g_str_equal (v, "0"))
        return invalid (error, "“include_archived” is true or false.");
    }
  return TRUE;
}

/* ---- ?month=YYYY-MM ------------------------------------------------------------------------ */

gboolean
wevion_hub_parse_month (const char *month, gint64 *from_us, gint64 *to_us, char **label)
{
  int y, m;
  char extra;
  g_autoptr (GDateTime) from = NULL;
  g_autoptr (GDateTime) to = NULL;

  if (month == NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

      y = g_date_time_get_year (now);
      m = g_date_time_get_month (now);
    }
  else if (strlen (month) != 7 || sscanf (month, "%4d-%2d%c", &y, &m, &extra) != 2 || month[4] != '-'
           || !g_ascii_isdigit (month[5]) || y < 1970 || y > 9998 || m < 1 || m > 12)
    return FALSE;
  from = g_date_time_new_utc (y, m, 1, 0, 0, 0);
  to = g_date_time_add_months (from, 1);
  *from_us = wevion_hub_time_to_us (from);
  *to_us = wevion_hub_time_to_us (to);
  *label = g_strdup_printf ("%04d-%02d", y, m);
  return TRUE;
}

/* ---- /files/ID/NAME ------------------------------------------------------------------------ */

static gboolean
is_safe_segment (const char *s)
{
  return *s != '\0' && !g_str_equal (s, ".") && !g_str_equal (s, "..") && strchr (s, '\\') == NULL;
}

gboolean
wevion_hub_parse_file_path (const char *path, char **id, char **name)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL)
    return FALSE;
  parts = g_strsplit (path, "/", -1); /* "", "files", id, name */
  if (g_strv_length (parts) != 4 || !is_safe_segment (parts[2]) || !is_safe_segment (parts[3]))
    return FALSE;
  *id = g_strdup (parts[2]);
  *name = g_strdup (parts[3]);
  return TRUE;
}

/* ---- request headers ---------------------------------------------------------------------- */

gboolean
wevion_hub_etag_matches (const char *header, const char *etag)
{
  g_auto (GStrv) parts = NULL;

  if (header == NULL)
    return FALSE;
  parts = g_strsplit (header, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      const char *p = g_strstrip (parts[i]);

      if (g_str_has_prefix (p, "W/"))
        p += 2;
      if (g_str_equal (p, "*") || g_str_equal (p, etag))
        return TRUE;
    }
  return FALSE;
}

gboolean
wevion_hub_parse_range (const char *header, gsize size, gsize *start, gsize *end, gboolean *unsatisfiable)
{
  const char *spec;
  const char *dash;
  guint64 a, b;

  *unsatisfiable = FALSE;
  if (header == NULL || !g_str_has_prefix (header, "bytes="))
    return FALSE;
  spec = header + 6;
  while (*spec == ' ')
    spec++;
  if (strchr (spec, ','))
    return FALSE; /* several ranges: answer with the whole file */
  dash = strchr (spec, '-');
  if (dash == NULL)
    return FALSE;
  if (dash == spec)
    {
      /* suffix: the last N bytes */
      if (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT64, &b, NULL))
        return FALSE;
      if (b == 0 || size == 0)
        {
          *unsatisfiable = TRUE;
          return FALSE;
        }
      *start = b >= size ? 0 : size - b;
      *end = size - 1;
      return TRUE;
    }
  {
    g_autofree char *first = g_strndup (spec, dash - spec);

    if (!g_ascii_string_to_unsigned (first, 10, 0, G_MAXUINT64, &a, NULL))
      return FALSE;
  }
  if (dash[1] == '\0')
    b = size ? size - 1 : 0;
  else if (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT64, &b, NULL) || b < a)
    return FALSE;
  if (a >= size)
    {
      *unsatisfiable = TRUE;
      return FALSE;
    }
  *start = a;
  *end = MIN (b, size - 1);
  return TRUE;
}
