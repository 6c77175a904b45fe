/* wevion-json.c: whole wire documents, guarded. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "wevion-json.h"

G_DEFINE_QUARK (wevion - json - error - quark, wevion_json_error)

gboolean
wevion_json_check_depth (const char *data, gsize len, guint max_depth, GError **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"': in_string = TRUE; break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_TOO_DEEP,
                           "JSON nested deeper than %u levels", max_depth);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default: break;
        }
    }
  return TRUE;
}

static int
hex4 (const char *p, gsize avail)
{
  int v = 0;

  if (avail < 4)
    return -1;
  for (int k = 0; k < 4; k++)
    {
      int d = g_ascii_xdigit_value (p[k]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* Whether a number token fits what json-glib makes of it: an int64 for integers, a finite double. */
static gboolean
number_in_range (const char *p, gsize n, gboolean integer)
{
  if (integer)
    {
      gboolean negative = *p == '-';
      const char *limit = negative ? "9223372036854775808" : "9223372036854775807";

      if (negative)
        p++, n--;
      while (n > 1 && *p == '0')
        p++, n--;
      return n < 19 || (n == 19 && memcmp (p, limit, 19) <= 0);
    }
  if (n > 300 || memchr (p, 'e', n) || memchr (p, 'E', n))
    {
      g_autofree char *text = g_strndup (p, n);

      return isfinite (g_ascii_strtod (text, NULL));
    }
  return TRUE;
}

/* json-glib 1.6 accepts and then mangles: a \uD800–\uDBFF escape without its low half (the string
 * gets invalid UTF-8), integers beyond int64 (they wrap: -9223372036854775809 reads as G_MAXINT64),
 * numbers beyond double (inf, written back as "inf.0", which is not JSON) and a second value after
 * the document ("{…}{…}": it returns the first and leaks the second). Found by fuzzing. */
static gboolean
check_scalars (const char *data, gsize len, GError **error)
{
  gsize i = 0;
  guint depth = 0;
  gboolean seen_root = FALSE;

  while (i < len)
    {
      char c = data[i];

      if (depth == 0 && (c == '"' || c == '-' || c == '[' || c == '{' || g_ascii_isalnum (c)))
        {
          if (seen_root)
            {
              g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX,
                                   "malformed JSON: data after the end of the document");
              return FALSE;
            }
          seen_root = TRUE;
        }
      if (c == '[' || c == '{')
        depth++;
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
      else if (g_ascii_isalpha (c))
        {
          /* a literal (true, false, null or a typo): one value */
          while (i < len && g_ascii_isalnum (data[i]))
            i++;
          continue;
        }
      if (c == '"')
        {
          for (i++; i < len && data[i] != '"'; i++)
            {
              int u, low;

              if (data[i] != '\\')
                continue;
              if (i + 1 < len && data[i + 1] != 'u' && data[i + 1] != '\0'
                  && strchr ("\"\\/bfnrt", data[i + 1]))
                {
                  i++; /* the escaped character */
                  continue;
                }
              u = i + 1 < len && data[i + 1] == 'u' ? hex4 (data + i + 2, len - (i + 2)) : -1;
              if (u < 0)
                {
                  /* json-glib reads "\ud8 \"" on past the quote, so it would see another document
                   * than this scan does */
                  g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX,
                                       "malformed JSON: a bad escape in a string");
                  return FALSE;
                }
              if (u < 0xD800 || u > 0xDFFF)
                {
                  i += 5;
                  continue;
                }
              low = u <= 0xDBFF && i + 7 < len && data[i + 6] == '\\' && data[i + 7] == 'u'
                        ? hex4 (data + i + 8, len - (i + 8))
                        : -1;
              if (low < 0xDC00 || low > 0xDFFF)
                {
                  g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_UTF8,
                                       "answer holds a lone UTF-16 surrogate escape");
                  return FALSE;
                }
              i += 11;
            }
          i++;
          continue;
        }
      if (c == '-' || g_ascii_isdigit (c))
        {
          gsize start = i;
          gboolean integer = TRUE;

          for (i++; i < len; i++)
            {
              char d = data[i];

              if (d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-')
                integer = FALSE;
              else if (!g_ascii_isdigit (d))
                break;
            }
          if (!number_in_range (data + start, i - start, integer))
            {
              g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX,
                                   "malformed JSON: a number out of range");
              return FALSE;
            }
          continue;
        }
      i++;
    }
  return TRUE;
}

JsonNode *
wevion_json_parse (const char *data, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize i;

  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  if (data == NULL || i == len)
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_EMPTY, "empty answer");
      return NULL;
    }
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_UTF8,
                           "answer is not valid UTF-8 text");
      return NULL;
    }
  if (!wevion_json_check_depth (data, len, WEVION_JSON_MAX_DEPTH, error) || !check_scalars (data, len, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

      /* json-glib quotes the offending bytes, which need not be UTF-8 */
      g_set_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX, "malformed JSON: %s", message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_EMPTY, "empty answer");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

WevionJob *
wevion_job_parse (const char *data, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = wevion_json_parse (data, len, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_WRONG_ROOT, "expected a job object");
      return NULL;
    }
  return wevion_job_new_from_json (json_node_get_object (root), error);
}

GPtrArray *
wevion_job_list_from_node (JsonNode *root, char **next_cursor, guint *n_skipped, GError **error)
{
  g_autoptr (GPtrArray) jobs = NULL;
  JsonArray *array = NULL;
  guint skipped = 0;
  guint len;

  if (next_cursor)
    *next_cursor = NULL;
  if (n_skipped)
    *n_skipped = 0;

  if (JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *node = json_object_get_member (object, "jobs");
      const char *cursor = NULL;

      if (node && JSON_NODE_HOLDS_ARRAY (node))
        array = json_node_get_array (node);
      if (next_cursor && wevion_json_get_string (object, "next_cursor", &cursor) && *cursor)
        *next_cursor = g_strdup (cursor);
    }
  if (array == NULL)
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_WRONG_ROOT, "expected a list of jobs");
      if (next_cursor)
        g_clear_pointer (next_cursor, g_free);
      return NULL;
    }

  len = json_array_get_length (array);
  jobs = g_ptr_array_new_full (len, g_object_unref);
  for (guint i = 0; i < len; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr (GError) row_error = NULL;
      WevionJob *job = NULL;

      if (JSON_NODE_HOLDS_OBJECT (element))
        job = wevion_job_new_from_json (json_node_get_object (element), &row_error);
      else
        g_set_error_literal (&row_error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_ROW,
                             "row is not an object");
      if (job == NULL)
        {
          skipped++;
          g_message ("Skipped job row %u: %s", i, row_error->message);
          continue;
        }
      g_ptr_array_add (jobs, job);
    }
  if (n_skipped)
    *n_skipped = skipped;
  return g_steal_pointer (&jobs);
}

GPtrArray *
wevion_job_list_parse (const char *data, gsize len, char **next_cursor, guint *n_skipped, GError **error)
{
  g_autoptr (JsonNode) root = wevion_json_parse (data, len, error);

  if (root == NULL)
    return NULL;
  return wevion_job_list_from_node (root, next_cursor, n_skipped, error);
}

/* json-glib 1.6 appends ".0" to every double it prints without a '.', also to "1e+30": "1e+30.0"
 * is not JSON, and a setting such as 1e30 made every later answer unreadable. Drops that ".0" in
 * place, outside strings. Found by fuzzing. */
static void
fix_exponents (char *text)
{
  char *r = text;
  char *w = text;
  gboolean in_string = FALSE;
  gboolean candidate = FALSE;

  /* fast path: no "e+DIGITS.0" anywhere, inside strings or not (strstr is quick) */
  for (const char *p = strstr (text, ".0"); p && !candidate; p = strstr (p + 2, ".0"))
    {
      const char *q = p;

      while (q > text && g_ascii_isdigit (q[-1]))
        q--;
      candidate = q < p && q - text >= 2 && (q[-1] == '+' || q[-1] == '-') && (q[-2] == 'e' || q[-2] == 'E');
    }
  if (!candidate)
    return;
  while (*r)
    {
      char c = *r;

      if (in_string)
        {
          if (c == '\\' && r[1])
            *w++ = *r++;
          else if (c == '"')
            in_string = FALSE;
          *w++ = *r++;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if ((c == 'e' || c == 'E') && (r[1] == '+' || r[1] == '-') && g_ascii_isdigit (r[2]))
        {
          *w++ = *r++;
          *w++ = *r++;
          while (g_ascii_isdigit (*r))
            *w++ = *r++;
          if (r[0] == '.' && r[1] == '0' && !g_ascii_isdigit (r[2]))
            r += 2;
          continue;
        }
      *w++ = *r++;
    }
  *w = '\0';
}

char *
wevion_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  fix_exponents (text);
  return text;
}

char *
wevion_job_list_to_string (GPtrArray *jobs, const char *next_cursor, gboolean bare)
{
  g_autoptr (JsonArray) array = json_array_sized_new (jobs->len);
  g_autoptr (JsonNode) root = NULL;

  for (guint i = 0; i < jobs->len; i++)
    json_array_add_element (array, wevion_job_to_json (g_ptr_array_index (jobs, i)));

  if (bare)
    {
      root = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (root, array);
    }
  else
    {
      g_autoptr (JsonObject) object = json_object_new ();

      json_object_set_array_member (object, "jobs", json_array_ref (array));
      if (next_cursor)
        json_object_set_string_member (object, "next_cursor", next_cursor);
      else
        json_object_set_null_member (object, "next_cursor");
      root = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (root, object);
    }
  return wevion_json_to_string (root);
}

char *
wevion_json_error_body (const char *code, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return wevion_json_to_string (root);
}

gboolean
wevion_json_get_string (JsonObject *object, const char *member, const char **out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
wevion_json_get_int (JsonObject *object, const char *member, gint64 *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}
