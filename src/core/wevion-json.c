/* wevion-json.c: whole wire documents, guarded. */
#include "config.h"

#include <string.h>

#include "wevion-json.h"

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
  if (!wevion_json_check_depth (data, len, WEVION_JSON_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_SYNTAX, "malformed JSON: %s",
                   local_error->message);
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

char *
wevion_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
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
