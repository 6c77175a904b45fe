/* wevion-json.c: whole wire documents, guarded. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "wevion-job-private.h"
#include "wevion-json-private.h"

G_DEFINE_QUARK (wevion - json - error - quark, wevion_json_error)

gboolean
wevion_json_check_depth (const char *data, gsize len, guint max_depth, GError **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean in_scalar = FALSE;
  guint n_values = 0;

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
      /* One value at the top: json-glib 1.6 accepts "{…}{…}", keeps the last and leaks the
       * others (json-glib #74, fixed in 1.10), and RFC 8259 allows one. */
      if (depth == 0)
        {
          if (g_ascii_isspace (c))
            in_scalar = FALSE;
          else if (c == '"' || c == '{' || c == '[' || !in_scalar)
            {
              in_scalar = !(c == '"' || c == '{' || c == '[');
              if (++n_values > 1)
                {
                  g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX,
                                       "malformed JSON: more than one value at the top");
                  return FALSE;
                }
            }
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

/* ---- the list reader ---------------------------------------------------------------------
 *
 * A list of 100 000 jobs is ~44 MB of JSON; json-glib would build a node for every value of it
 * (hundreds of MB) before the first job exists. This reader walks the document once and builds
 * each job straight from its row, keeping only what the jobs keep. It reads strict RFC 8259 JSON;
 * whatever it does not take as such (comments, single quotes, leading zeros, control characters
 * in strings, "\u0000", lone surrogates, integers of 19 digits or more, a repeated "jobs" member)
 * makes it give up and hand the whole document to json-glib, so every document gets exactly the
 * answer the json-glib path gives. The guards (emptiness, UTF-8, depth) run before either.
 *
 * Objects are shared only between the rows of one document (json-glib's JsonObject reference
 * counts are not atomic: the jobs of a document stay on one thread at a time after the parse). */

typedef struct
{
  const char *p;
  const char *end;
  gboolean bail; /* not ours: fall back to json-glib */
  GString *scratch[WEVION_N_ROW_FIELDS];
  GString *key;
  GHashTable *objects; /* raw text of a small object → a sealed JsonObject, shared by rows */
  WevionTimeMemo *memo;
} Reader;

#define READER_MAX_SHARED_OBJECTS 4096
#define READER_MAX_SHARED_TEXT 512

static JsonNode *reader_value (Reader *r);
static gboolean reader_skip (Reader *r);

static inline void
reader_ws (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

static gboolean
give_up (Reader *r)
{
  r->bail = TRUE;
  return FALSE;
}

/* A string at r->p (the opening quote) into @out (cleared first), or only checked when @out is NULL. */
static gboolean
reader_string (Reader *r, GString *out)
{
  const char *p = r->p + 1;

  if (out)
    g_string_truncate (out, 0);
  for (;;)
    {
      const char *run = p;

      while (p < r->end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        p++;
      if (p >= r->end || (guchar) *p < 0x20)
        return give_up (r);
      if (out && p > run)
        g_string_append_len (out, run, p - run);
      if (*p == '"')
        {
          r->p = p + 1;
          return TRUE;
        }
      /* an escape */
      if (p + 1 >= r->end)
        return give_up (r);
      if (p[1] != 'u')
        {
          /* the two-character escapes: \" \\ \/ \b \f \n \r \t */
          static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
          const char *at = p[1] ? strchr (from, p[1]) : NULL;

          if (at == NULL)
            return give_up (r);
          if (out)
            g_string_append_c (out, to[at - from]);
          p += 2;
          continue;
        }
      /* \uXXXX, a surrogate pair as one character */
      {
        int c;

        if (r->end - p < 6 || (c = hex4 (p + 2, (gsize) (r->end - p - 2))) < 0)
          return give_up (r);
        p += 6;
        if (c == 0 || (c >= 0xdc00 && c <= 0xdfff))
          return give_up (r);
        if (c >= 0xd800 && c <= 0xdbff)
          {
            int low;

            if (r->end - p < 6 || p[0] != '\\' || p[1] != 'u'
                || (low = hex4 (p + 2, (gsize) (r->end - p - 2))) < 0xdc00 || low > 0xdfff)
              return give_up (r);
            p += 6;
            c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          }
        if (out)
          g_string_append_unichar (out, (gunichar) c);
      }
    }
}

typedef enum { NUMBER_INT, NUMBER_DOUBLE } NumberKind;

static gboolean
reader_number (Reader *r, NumberKind *kind, gint64 *i, double *d)
{
  const char *start = r->p, *p = r->p;
  gboolean whole = TRUE;
  int digits = 0;

  if (p < r->end && *p == '-')
    p++;
  if (p >= r->end || !g_ascii_isdigit (*p))
    return give_up (r);
  if (*p == '0')
    {
      p++, digits++;
      if (p < r->end && g_ascii_isdigit (*p))
        return give_up (r); /* a leading zero */
    }
  else
    while (p < r->end && g_ascii_isdigit (*p))
      p++, digits++;
  if (p < r->end && *p == '.')
    {
      whole = FALSE;
      p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        return give_up (r);
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < r->end && (*p == 'e' || *p == 'E'))
    {
      whole = FALSE;
      p++;
      if (p < r->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        return give_up (r);
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }
  r->p = p;
  if (whole)
    {
      gint64 v = 0;

      if (digits > 18)
        return give_up (r); /* json-glib wraps these around; let it */
      for (const char *q = *start == '-' ? start + 1 : start; q < p; q++)
        v = v * 10 + (*q - '0');
      *kind = NUMBER_INT;
      *i = *start == '-' ? -v : v;
      return TRUE;
    }
  {
    char buffer[64];
    g_autofree char *big = NULL;
    char *text = buffer;
    gsize len = (gsize) (p - start);

    if (len >= sizeof buffer)
      text = big = g_malloc (len + 1);
    memcpy (text, start, len);
    text[len] = '\0';
    *kind = NUMBER_DOUBLE;
    *d = g_ascii_strtod (text, NULL);
    if (!isfinite (*d))
      return give_up (r); /* out of range: the guarded path refuses the document, as it always has */
  }
  return TRUE;
}

static gboolean
reader_literal (Reader *r, const char *word, gsize len)
{
  if ((gsize) (r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return give_up (r);
  r->p += len;
  return TRUE;
}

/* An object at r->p as a JsonObject; small ones are shared between rows (sealed). */
static JsonObject *
reader_object (Reader *r)
{
  const char *start = r->p;
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (GString) name = NULL;
  JsonObject *shared;
  gsize len;

  /* most rows repeat the settings of others: step over the text first (checking it) and take
   * the shared object when the same text was read before */
  if (r->objects && reader_skip (r) && (gsize) (r->p - start) <= READER_MAX_SHARED_TEXT)
    {
      g_string_truncate (r->key, 0);
      g_string_append_len (r->key, start, r->p - start);
      shared = g_hash_table_lookup (r->objects, r->key->str);
      if (shared)
        return json_object_ref (shared);
    }
  if (r->bail)
    return NULL;
  r->p = start;
  object = json_object_new ();
  name = g_string_new (NULL);
  r->p++; /* { */
  reader_ws (r);
  if (r->p < r->end && *r->p == '}')
    r->p++;
  else
    for (;;)
      {
        JsonNode *member;

        reader_ws (r);
        if (r->p >= r->end || *r->p != '"' || !reader_string (r, name))
          return give_up (r), NULL;
        reader_ws (r);
        if (r->p >= r->end || *r->p != ':')
          return give_up (r), NULL;
        r->p++;
        reader_ws (r);
        if ((member = reader_value (r)) == NULL)
          return NULL;
        json_object_set_member (object, name->str, member);
        reader_ws (r);
        if (r->p < r->end && *r->p == ',')
          {
            r->p++;
            continue;
          }
        if (r->p < r->end && *r->p == '}')
          {
            r->p++;
            break;
          }
        return give_up (r), NULL;
      }

  len = (gsize) (r->p - start);
  if (len > READER_MAX_SHARED_TEXT)
    return g_steal_pointer (&object);
  if (r->objects == NULL)
    r->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  if (g_hash_table_size (r->objects) >= READER_MAX_SHARED_OBJECTS)
    return g_steal_pointer (&object);
  {
    g_autofree char *text = g_strndup (start, len);

    shared = g_hash_table_lookup (r->objects, text);
    if (shared)
      return json_object_ref (shared); /* an inner object of the same text was stored meanwhile */
    json_object_seal (object);
    g_hash_table_insert (r->objects, g_steal_pointer (&text), json_object_ref (object));
  }
  return g_steal_pointer (&object);
}

static JsonArray *
reader_array (Reader *r)
{
  g_autoptr (JsonArray) array = json_array_new ();

  r->p++; /* [ */
  reader_ws (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return g_steal_pointer (&array);
    }
  for (;;)
    {
      JsonNode *element;

      reader_ws (r);
      if ((element = reader_value (r)) == NULL)
        return NULL;
      json_array_add_element (array, element);
      reader_ws (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return g_steal_pointer (&array);
        }
      return give_up (r), NULL;
    }
}

/* Any value at r->p as a JsonNode (settings, metadata and what is in them) */
static JsonNode *
reader_value (Reader *r)
{
  JsonNode *node;

  if (r->p >= r->end)
    return give_up (r), NULL;
  switch (*r->p)
    {
    case '{':
      {
        JsonObject *object = reader_object (r);

        if (object == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
        return node;
      }
    case '[':
      {
        JsonArray *array = reader_array (r);

        if (array == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }
    case '"':
      {
        g_autoptr (GString) text = g_string_new (NULL);

        if (!reader_string (r, text))
          return NULL;
        return json_node_init_string (json_node_alloc (), text->str);
      }
    case 't': return reader_literal (r, "true", 4) ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return reader_literal (r, "false", 5) ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n': return reader_literal (r, "null", 4) ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      {
        NumberKind kind;
        gint64 i;
        double d;

        if (!reader_number (r, &kind, &i, &d))
          return NULL;
        return kind == NUMBER_INT ? json_node_init_int (json_node_alloc (), i)
                                  : json_node_init_double (json_node_alloc (), d);
      }
    }
}

/* Checks a value at r->p and steps over it, building nothing. */
static gboolean
reader_skip (Reader *r)
{
  if (r->p >= r->end)
    return give_up (r);
  switch (*r->p)
    {
    case '{':
    case '[':
      {
        char close = *r->p == '{' ? '}' : ']';

        r->p++;
        reader_ws (r);
        if (r->p < r->end && *r->p == close)
          {
            r->p++;
            return TRUE;
          }
        for (;;)
          {
            reader_ws (r);
            if (close == '}')
              {
                if (r->p >= r->end || *r->p != '"' || !reader_string (r, NULL))
                  return give_up (r);
                reader_ws (r);
                if (r->p >= r->end || *r->p != ':')
                  return give_up (r);
                r->p++;
                reader_ws (r);
              }
            if (!reader_skip (r))
              return FALSE;
            reader_ws (r);
            if (r->p < r->end && *r->p == ',')
              {
                r->p++;
                continue;
              }
            if (r->p < r->end && *r->p == close)
              {
                r->p++;
                return TRUE;
              }
            return give_up (r);
          }
      }
    case '"': return reader_string (r, NULL);
    case 't': return reader_literal (r, "true", 4);
    case 'f': return reader_literal (r, "false", 5);
    case 'n': return reader_literal (r, "null", 4);
    default:
      {
        NumberKind kind;
        gint64 i;
        double d;

        return reader_number (r, &kind, &i, &d);
      }
    }
}

/* result_urls: strings into a strv; anything else only marks the array */
static gboolean
reader_url_array (Reader *r, WevionRowValue *v)
{
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);

  v->kind = WEVION_ROW_VALUE_ARRAY;
  r->p++; /* [ */
  reader_ws (r);
  if (r->p < r->end && *r->p == ']')
    r->p++;
  else
    for (;;)
      {
        reader_ws (r);
        if (r->p < r->end && *r->p == '"')
          {
            if (!reader_string (r, r->key))
              return FALSE;
            g_ptr_array_add (strings, g_strndup (r->key->str, r->key->len));
          }
        else
          {
            if (!reader_skip (r))
              return FALSE;
            v->non_string = TRUE;
          }
        reader_ws (r);
        if (r->p < r->end && *r->p == ',')
          {
            r->p++;
            continue;
          }
        if (r->p < r->end && *r->p == ']')
          {
            r->p++;
            break;
          }
        return give_up (r);
      }
  if (!v->non_string)
    {
      g_ptr_array_add (strings, NULL);
      v->strv = (char **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
    }
  return TRUE;
}

/* One member value of a row into its slot (the last of repeated members wins, as in json-glib). */
static gboolean
reader_row_value (Reader *r, int field, WevionRowValue *v)
{
  _wevion_row_value_clear (v);
  switch (*r->p)
    {
    case '"':
      if (!reader_string (r, r->scratch[field]))
        return FALSE;
      v->kind = WEVION_ROW_VALUE_STRING;
      v->str = r->scratch[field]->str;
      /* a string may hold U+0000 only through \u0000, which gave up already */
      return TRUE;
    case '{':
      v->kind = WEVION_ROW_VALUE_OBJECT;
      if (field == WEVION_ROW_SETTINGS || field == WEVION_ROW_METADATA)
        return (v->object = reader_object (r)) != NULL;
      return reader_skip (r);
    case '[':
      if (field == WEVION_ROW_RESULT_URLS)
        return reader_url_array (r, v);
      v->kind = WEVION_ROW_VALUE_ARRAY;
      v->non_string = TRUE;
      return reader_skip (r);
    case 't':
    case 'f':
      v->kind = WEVION_ROW_VALUE_BOOL;
      v->b = *r->p == 't';
      return v->b ? reader_literal (r, "true", 4) : reader_literal (r, "false", 5);
    case 'n': v->kind = WEVION_ROW_VALUE_NULL; return reader_literal (r, "null", 4);
    default:
      {
        NumberKind kind;

        if (!reader_number (r, &kind, &v->i, &v->d))
          return FALSE;
        v->kind = kind == NUMBER_INT ? WEVION_ROW_VALUE_INT : WEVION_ROW_VALUE_DOUBLE;
        return TRUE;
      }
    }
}

/* A row object at r->p into a job, or NULL with @row_error set (the row is skipped). */
static gboolean
reader_row (Reader *r, WevionJob **job, GError **row_error)
{
  WevionRowValue row[WEVION_N_ROW_FIELDS] = { 0 };
  gboolean ok = FALSE;

  r->p++; /* { */
  reader_ws (r);
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      ok = TRUE;
    }
  else
    for (;;)
      {
        int field;

        reader_ws (r);
        if (r->p >= r->end || *r->p != '"' || !reader_string (r, r->key))
          {
            give_up (r);
            break;
          }
        reader_ws (r);
        if (r->p >= r->end || *r->p != ':')
          {
            give_up (r);
            break;
          }
        r->p++;
        reader_ws (r);
        if (r->p >= r->end)
          {
            give_up (r);
            break;
          }
        field = _wevion_row_field_from_name (r->key->str, r->key->len);
        if (!(field >= 0 ? reader_row_value (r, field, &row[field]) : reader_skip (r)))
          break;
        reader_ws (r);
        if (r->p < r->end && *r->p == ',')
          {
            r->p++;
            continue;
          }
        if (r->p < r->end && *r->p == '}')
          {
            r->p++;
            ok = TRUE;
            break;
          }
        give_up (r);
        break;
      }
  if (ok)
    *job = _wevion_job_new_from_row (row, r->memo, row_error);
  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    _wevion_row_value_clear (&row[i]);
  return ok;
}

/* The list at r->p (the '[') into @jobs; skipped rows' messages go to @skipped (said only when the
 * whole document turns out fine, as the json-glib path does). */
static gboolean
reader_list (Reader *r, GPtrArray *jobs, GPtrArray *skipped)
{
  guint index = 0;

  r->p++; /* [ */
  reader_ws (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return TRUE;
    }
  for (;; index++)
    {
      g_autoptr (GError) row_error = NULL;
      WevionJob *job = NULL;

      reader_ws (r);
      if (r->p >= r->end)
        return give_up (r);
      if (*r->p == '{')
        {
          if (!reader_row (r, &job, &row_error))
            return FALSE;
        }
      else
        {
          if (!reader_skip (r))
            return FALSE;
          g_set_error_literal (&row_error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_ROW,
                               "row is not an object");
        }
      if (job)
        g_ptr_array_add (jobs, job);
      else
        g_ptr_array_add (skipped, g_strdup_printf ("Skipped job row %u: %s", index, row_error->message));
      reader_ws (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return TRUE;
        }
      return give_up (r);
    }
}

typedef enum { LIST_OK, LIST_WRONG_ROOT, LIST_GIVE_UP } ListOutcome;

static ListOutcome
read_list (const char *data, gsize len, GPtrArray *jobs, GPtrArray *skipped, char **cursor)
{
  Reader r = { data, data + len, FALSE, { NULL }, NULL, NULL, NULL };
  ListOutcome outcome = LIST_GIVE_UP;
  gboolean have_list = FALSE;

  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    r.scratch[i] = g_string_sized_new (64);
  r.key = g_string_sized_new (64);
  r.memo = _wevion_time_memo_new ();

  reader_ws (&r);
  if (r.p < r.end && *r.p == '[')
    have_list = reader_list (&r, jobs, skipped);
  else if (r.p < r.end && *r.p == '{')
    {
      gboolean seen_jobs = FALSE;

      r.p++;
      reader_ws (&r);
      if (r.p < r.end && *r.p == '}')
        r.p++;
      else
        for (;;)
          {
            gboolean is_jobs, is_cursor;

            reader_ws (&r);
            if (r.p >= r.end || *r.p != '"' || !reader_string (&r, r.key))
              {
                give_up (&r);
                break;
              }
            is_jobs = g_str_equal (r.key->str, "jobs") && r.key->len == 4;
            is_cursor = g_str_equal (r.key->str, "next_cursor") && r.key->len == 11;
            reader_ws (&r);
            if (r.p >= r.end || *r.p != ':')
              {
                give_up (&r);
                break;
              }
            r.p++;
            reader_ws (&r);
            if (is_jobs && seen_jobs)
              {
                give_up (&r); /* json-glib keeps the last one: let it */
                break;
              }
            if (is_jobs && r.p < r.end && *r.p == '[')
              {
                seen_jobs = TRUE;
                if (!(have_list = reader_list (&r, jobs, skipped)))
                  break;
              }
            else if (is_cursor && r.p < r.end && *r.p == '"')
              {
                if (!reader_string (&r, r.key))
                  break;
                g_free (*cursor);
                *cursor = r.key->len ? g_strndup (r.key->str, r.key->len) : NULL;
              }
            else
              {
                seen_jobs |= is_jobs;
                if (is_cursor)
                  g_clear_pointer (cursor, g_free);
                if (!reader_skip (&r))
                  break;
              }
            reader_ws (&r);
            if (r.p < r.end && *r.p == ',')
              {
                r.p++;
                continue;
              }
            if (r.p < r.end && *r.p == '}')
              {
                r.p++;
                break;
              }
            give_up (&r);
            break;
          }
    }
  else
    reader_skip (&r);

  if (!r.bail)
    {
      reader_ws (&r);
      if (r.p != r.end)
        r.bail = TRUE;
    }
  if (!r.bail)
    outcome = have_list ? LIST_OK : LIST_WRONG_ROOT;

  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    g_string_free (r.scratch[i], TRUE);
  g_string_free (r.key, TRUE);
  g_clear_pointer (&r.objects, g_hash_table_unref);
  _wevion_time_memo_free (r.memo);
  return outcome;
}

/* The guards wevion_json_parse() applies before json-glib sees anything. */
static gboolean
check_document (const char *data, gsize len, GError **error)
{
  gsize i;

  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  if (data == NULL || i == len)
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_EMPTY, "empty answer");
      return FALSE;
    }
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_UTF8,
                           "answer is not valid UTF-8 text");
      return FALSE;
    }
  return wevion_json_check_depth (data, len, WEVION_JSON_MAX_DEPTH, error);
}

GPtrArray *
wevion_job_list_parse (const char *data, gsize len, char **next_cursor, guint *n_skipped, GError **error)
{
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) skipped = NULL;
  g_autofree char *cursor = NULL;

  if (next_cursor)
    *next_cursor = NULL;
  if (n_skipped)
    *n_skipped = 0;
  if (!check_document (data, len, error))
    return NULL;

  jobs = g_ptr_array_new_with_free_func (g_object_unref);
  skipped = g_ptr_array_new_with_free_func (g_free);
  switch (read_list (data, len, jobs, skipped, &cursor))
    {
    case LIST_OK:
      for (guint i = 0; i < skipped->len; i++)
        g_message ("%s", (const char *) g_ptr_array_index (skipped, i));
      if (n_skipped)
        *n_skipped = skipped->len;
      if (next_cursor)
        *next_cursor = g_steal_pointer (&cursor);
      return g_steal_pointer (&jobs);
    case LIST_WRONG_ROOT:
      g_set_error_literal (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_WRONG_ROOT, "expected a list of jobs");
      return NULL;
    case LIST_GIVE_UP:
    default: return _wevion_job_list_parse_tree (data, len, next_cursor, n_skipped, error);
    }
}

GPtrArray *
_wevion_job_list_parse_tree (const char *data, gsize len, char **next_cursor, guint *n_skipped,
                             GError **error)
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
