/* wevion-hub-parse.h: the hub's readers of untrusted request text, pure functions with no server
 * state so tests and fuzz harnesses can call them: the POST body of a submission, the list's query
 * parameters, the billing month and the path of a result-file URL. */
#pragma once

#include "wevion-hub-private.h"

G_BEGIN_DECLS

#define WEVION_HUB_PARSE_ERROR (wevion_hub_parse_error_quark ())
typedef enum {
  WEVION_HUB_PARSE_ERROR_INVALID,          /* the message is the one the client sees (400 invalid_request) */
  WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS, /* a setting the hub reads is of the wrong type or out of
                                              range (400 invalid_settings) */
} WevionHubParseError;

GQuark wevion_hub_parse_error_quark (void);

#define WEVION_HUB_MAX_PROMPT 20000 /* characters */

/* A validated POST /generate/{type} body. */
typedef struct
{
  JsonNode *root;                    /* the parsed body, owns the strings below but retry_of */
  const WevionHubProvider *provider; /* never NULL on success */
  const char *provider_name;         /* a provider that makes @type */
  const char *prompt;                /* non-empty, at most WEVION_HUB_MAX_PROMPT characters */
  JsonObject *settings;              /* a copy, never NULL */
  JsonObject *metadata;              /* a copy without thumbnail_url (the server sets it), never NULL */
  const char *retry_of;              /* in @metadata, non-empty, or NULL */
} WevionHubSubmission;

/* Reads @data (any bytes, need not be NUL-terminated) as the body of a submission of @type (a
 * known type). On failure sets a WEVION_HUB_PARSE_ERROR whose message the server sends as is.
 * The settings the hub reads are checked (see wevion_hub_parse_settings); others are kept as given. */
gboolean wevion_hub_parse_submission (WevionJobType type, const char *data, gsize len,
                                      WevionHubSubmission *out, GError **error);
void wevion_hub_submission_clear (WevionHubSubmission *submission);
/* The settings the renderer reads for @type, each optional (null is the same as absent):
 * `count` a whole number 1–4; `width`, `height` 64–2048 (not tts); `seconds` 1–60 for video and
 * 1–86400 for tts (the hub's --max-result-mb may allow less); `format` (video) "webm" or "apng";
 * `voice` (tts) a string of 1–100 characters. A whole number may be written 512 or 512.0. FALSE with
 * WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS naming the setting. */
gboolean wevion_hub_parse_settings (WevionJobType type, JsonObject *settings, GError **error);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WevionHubSubmission, wevion_hub_submission_clear)

/* The list's filters (status, type, since, until, updated_since, q, limit, cursor,
 * include_archived) from decoded query @params into @query, whose other fields the caller sets
 * (user, default limit). @cursor_id receives the cursor's id, which @query->cursor_id points to. */
gboolean wevion_hub_parse_list_query (GHashTable *params, WevionHubQuery *query, char **cursor_id,
                                      GError **error);
/* A comma list of status (@status) or type names into a bit mask; FALSE on an unknown name. */
gboolean wevion_hub_parse_mask (const char *text, gboolean status, guint *mask);
/* An ISO 8601 time or a bare YYYY-MM-DD (UTC); NULL leaves @out alone and is TRUE. */
gboolean wevion_hub_parse_time_param (const char *text, gint64 *out);

/* "YYYY-MM" (or NULL: the current month) → [from, to) in µs and the label "YYYY-MM". */
gboolean wevion_hub_parse_month (const char *month, gint64 *from_us, gint64 *to_us, char **label);

/* "/files/ID/NAME" → ID and NAME, both non-empty, neither "." nor "..", without '/' or '\\'. */
gboolean wevion_hub_parse_file_path (const char *path, char **id, char **name);

/* If-None-Match: TRUE when @header lists @etag (weak or strong) or is "*". */
gboolean wevion_hub_etag_matches (const char *header, const char *etag);
/* A single "bytes=" Range for a file of @size bytes: TRUE with [@start, @end] inside the file;
 * FALSE with *@unsatisfiable (416) when it cannot be served, FALSE alone when the header is to be
 * ignored (the whole file). */
gboolean wevion_hub_parse_range (const char *header, gsize size, gsize *start, gsize *end,
                                 gboolean *unsatisfiable);

G_END_DECLS
