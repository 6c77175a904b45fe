/* wevion-json.h: whole wire documents in and out, with the guards json-glib lacks. */
#pragma once

#include <json-glib/json-glib.h>

#include "wevion-job.h"

G_BEGIN_DECLS

#define WEVION_JSON_ERROR (wevion_json_error_quark ())
typedef enum {
  WEVION_JSON_ERROR_EMPTY,
  WEVION_JSON_ERROR_TOO_DEEP,
  WEVION_JSON_ERROR_INVALID_UTF8,
  WEVION_JSON_ERROR_SYNTAX,
  WEVION_JSON_ERROR_WRONG_ROOT,
  WEVION_JSON_ERROR_INVALID_ROW,
} WevionJsonError;

GQuark wevion_json_error_quark (void);

/* Deeper documents are refused before json-glib sees them (it recurses without a limit). */
#define WEVION_JSON_MAX_DEPTH 64

/* Refuses documents nested deeper than @max_depth, and more than one value at the top. */
gboolean wevion_json_check_depth (const char *data, gsize len, guint max_depth, GError **error);
/* Parses @data (need not be NUL-terminated) after checking emptiness, UTF-8 and depth. */
JsonNode *wevion_json_parse (const char *data, gsize len, GError **error);

/* One job row document. */
WevionJob *wevion_job_parse (const char *data, gsize len, GError **error);

/* A list answer: a bare array or {"jobs": [...], "next_cursor": ...}. Bad rows are skipped and
 * counted in @n_skipped, the rest load. Returns an array of WevionJob. */
GPtrArray *wevion_job_list_parse (const char *data, gsize len, char **next_cursor, guint *n_skipped,
                                  GError **error);
GPtrArray *wevion_job_list_from_node (JsonNode *root, char **next_cursor, guint *n_skipped, GError **error);

char *wevion_json_to_string (JsonNode *node);
/* {"jobs": [...], "next_cursor": …}, or a bare array when @bare is TRUE */
char *wevion_job_list_to_string (GPtrArray *jobs, const char *next_cursor, gboolean bare);

/* The contract's error body: {"error": {"code": …, "message": …}} */
char *wevion_json_error_body (const char *code, const char *message);

/* Typed readers that never crash on a wrong type: they return FALSE and leave *out alone. */
gboolean wevion_json_get_string (JsonObject *object, const char *member, const char **out);
gboolean wevion_json_get_int (JsonObject *object, const char *member, gint64 *out);

G_END_DECLS
