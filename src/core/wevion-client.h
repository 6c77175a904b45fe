/* wevion-client.h: the Creative Hub jobs API over libsoup3. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wevion-job.h"

G_BEGIN_DECLS

#define WEVION_CLIENT_ERROR (wevion_client_error_quark ())
typedef enum {
  WEVION_CLIENT_ERROR_NETWORK,          /* no route, refused, DNS, connection dropped */
  WEVION_CLIENT_ERROR_TIMEOUT,          /* the request's overall deadline passed */
  WEVION_CLIENT_ERROR_TLS,              /* certificate or handshake problem (never ignored) */
  WEVION_CLIENT_ERROR_UNAUTHORIZED,     /* 401/403: the token is missing, wrong or revoked */
  WEVION_CLIENT_ERROR_NOT_FOUND,        /* 404: no such job (or not yours) */
  WEVION_CLIENT_ERROR_RATE_LIMITED,     /* 429: see wevion_client_get_retry_after() */
  WEVION_CLIENT_ERROR_SERVER,           /* 5xx */
  WEVION_CLIENT_ERROR_INVALID_RESPONSE, /* wrong content type, malformed or unexpected body */
  WEVION_CLIENT_ERROR_UNSUPPORTED,      /* the server lacks an (ext) endpoint */
  WEVION_CLIENT_ERROR_INVALID_REQUEST,  /* 400, 402, 404 unknown_type, 413, 422 */
  WEVION_CLIENT_ERROR_CONFLICT,         /* 409: e.g. cancel of a job that already ended */
  WEVION_CLIENT_ERROR_INSECURE,         /* http:// to a host that is not loopback */
} WevionClientError;

GQuark wevion_client_error_quark (void);

/* The list query (all optional, combined with AND). A plain struct with a boxed type. */
typedef struct
{
  char *status;             /* comma list, e.g. "pending,processing", or NULL */
  char *type;               /* comma list or NULL */
  GDateTime *since;         /* on created_at, or NULL */
  GDateTime *until;         /* on created_at, or NULL */
  char *q;                  /* case-insensitive substring of prompt, or NULL */
  GDateTime *updated_since; /* on updated_at, or NULL */
  int limit;                /* 1–500; 0 = server default */
  char *cursor;             /* from a previous answer's next_cursor, or NULL */
  gboolean include_archived;
} WevionListQuery;

#define WEVION_TYPE_LIST_QUERY (wevion_list_query_get_type ())
GType wevion_list_query_get_type (void);
WevionListQuery *wevion_list_query_new (void);
WevionListQuery *wevion_list_query_copy (const WevionListQuery *query);
void wevion_list_query_free (WevionListQuery *query);
/* "status=…&limit=…" (escaped), "" when empty */
char *wevion_list_query_to_string (const WevionListQuery *query);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WevionListQuery, wevion_list_query_free)

#define WEVION_TYPE_CLIENT (wevion_client_get_type ())
G_DECLARE_FINAL_TYPE (WevionClient, wevion_client, WEVION, CLIENT, GObject)

/* Properties: "base-url" (construct-only), "token" (write-only, never logged), "timeout" (int
 * seconds, overall deadline per request, default 20), "requests", "bytes-received", "not-modified"
 * (read-only counters). Fails with INSECURE for http:// to a non-loopback host and with
 * INVALID_REQUEST for something that is not an http(s) URL. */
WevionClient *wevion_client_new (const char *base_url, const char *token, GError **error);
const char *wevion_client_get_base_url (WevionClient *self);
void wevion_client_set_token (WevionClient *self, const char *token);
void wevion_client_set_timeout (WevionClient *self, int seconds);
int wevion_client_get_timeout (WevionClient *self);
/* seconds from a RATE_LIMITED (or SERVER 503) error that carried Retry-After, or -1 */
int wevion_client_get_retry_after (const GError *error);
/* HTTP status of the answer behind an error, or 0 */
guint wevion_client_get_http_status (const GError *error);

/* Counters for tests and benchmarks */
guint64 wevion_client_get_requests (WevionClient *self);
guint64 wevion_client_get_bytes_received (WevionClient *self);
guint64 wevion_client_get_not_modified (WevionClient *self);
void wevion_client_reset_counters (WevionClient *self);

/* The answers kept for If-None-Match, so a cache can keep them across runs. Only the client's
 * own answers: the token is never part of them. */
typedef void (*WevionClientEtagFunc) (const char *url, const char *etag, GBytes *body, gpointer user_data);
void wevion_client_foreach_etag (WevionClient *self, WevionClientEtagFunc func, gpointer user_data);
void wevion_client_add_etag (WevionClient *self, const char *url, const char *etag, GBytes *body);
/* Changes whenever the kept answers change */
guint64 wevion_client_get_etag_generation (WevionClient *self);

/* The next step for a person, for an error of this domain ("Check your connection", …). */
const char *wevion_client_error_get_advice (const GError *error);

/* Submit a generation: returns the new job id. */
void wevion_client_submit_async (WevionClient *self, WevionJobType type, const char *provider,
                                 const char *prompt, JsonObject *settings, JsonObject *metadata,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
char *wevion_client_submit_finish (WevionClient *self, GAsyncResult *result, GError **error);

void wevion_client_get_job_async (WevionClient *self, const char *id, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
WevionJob *wevion_client_get_job_finish (WevionClient *self, GAsyncResult *result, GError **error);

/* One page of the list. @query may be NULL. Returns an array of WevionJob; @next_cursor gets the
 * next page's cursor or NULL; @server_filtered is TRUE when the answer had the {"jobs": …} shape
 * (the server honours parameters), FALSE for a bare array (a seed-only server that ignores them). */
void wevion_client_list_async (WevionClient *self, const WevionListQuery *query, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *wevion_client_list_finish (WevionClient *self, GAsyncResult *result, char **next_cursor,
                                      gboolean *server_filtered, GError **error);

/* (ext) UNSUPPORTED when the server has no cancel endpoint, CONFLICT when the job already ended. */
void wevion_client_cancel_async (WevionClient *self, const char *id, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_client_cancel_finish (WevionClient *self, GAsyncResult *result, GError **error);

/* (ext) The month's debit. UNSUPPORTED when the server has no billing endpoint. */
void wevion_client_billing_async (WevionClient *self, const char *month, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_client_billing_finish (WevionClient *self, GAsyncResult *result, gint64 *debit_cents,
                                       int *n_jobs, GError **error);

/* TRUE for 127.0.0.0/8, ::1 and "localhost" */
gboolean wevion_host_is_loopback (const char *host);

G_END_DECLS
