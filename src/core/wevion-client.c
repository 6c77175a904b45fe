/* wevion-client.c: the Creative Hub jobs API over libsoup3.
 *
 * Every request carries the bearer token (only to the origin of the base URL), has an overall
 * deadline, follows redirects by our own rules (at most five, never carrying the token to another
 * origin, never downgrading to plain http off loopback) and checks status and content type before
 * the body is parsed. GET answers with an ETag are kept per URL; a 304 reuses the kept answer. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "wevion-client.h"
#include "wevion-json.h"

#define API_PREFIX "/api/v1/creative-hub"
#define MAX_REDIRECTS 5
#define DEFAULT_TIMEOUT 20

/* ---- the error domain, extended with the Retry-After seconds and HTTP status ---------------- */

typedef struct
{
  int retry_after;
  guint http_status;
  char *server_code; /* the contract's error.code, if the body had one */
} WevionClientErrorPrivate;

static void
wevion_client_error_private_init (WevionClientErrorPrivate *priv)
{
  priv->retry_after = -1;
  priv->http_status = 0;
  priv->server_code = NULL;
}

static void
wevion_client_error_private_copy (const WevionClientErrorPrivate *src, WevionClientErrorPrivate *dest)
{
  dest->retry_after = src->retry_after;
  dest->http_status = src->http_status;
  dest->server_code = g_strdup (src->server_code);
}

static void
wevion_client_error_private_clear (WevionClientErrorPrivate *priv)
{
  g_clear_pointer (&priv->server_code, g_free);
}

G_DEFINE_EXTENDED_ERROR (WevionClientError, wevion_client_error)

int
wevion_client_get_retry_after (const GError *error)
{
  WevionClientErrorPrivate *priv;

  if (error == NULL || error->domain != WEVION_CLIENT_ERROR)
    return -1;
  priv = wevion_client_error_get_private (error);
  return priv ? priv->retry_after : -1;
}

guint
wevion_client_get_http_status (const GError *error)
{
  WevionClientErrorPrivate *priv;

  if (error == NULL || error->domain != WEVION_CLIENT_ERROR)
    return 0;
  priv = wevion_client_error_get_private (error);
  return priv ? priv->http_status : 0;
}

static GError *client_error_new (WevionClientError code, guint http_status, int retry_after,
                                 const char *format, ...) G_GNUC_PRINTF (4, 5);

static GError *
client_error_new (WevionClientError code, guint http_status, int retry_after, const char *format, ...)
{
  va_list args;
  GError *error;
  WevionClientErrorPrivate *priv;

  va_start (args, format);
  error = g_error_new_valist (WEVION_CLIENT_ERROR, code, format, args);
  va_end (args);
  priv = wevion_client_error_get_private (error);
  priv->http_status = http_status;
  priv->retry_after = retry_after;
  return error;
}

const char *
wevion_client_error_get_advice (const GError *error)
{
  if (error == NULL || error->domain != WEVION_CLIENT_ERROR)
    return "";
  switch ((WevionClientError) error->code)
    {
    case WEVION_CLIENT_ERROR_NETWORK: return _ ("Check your connection. The app tries again by itself.");
    case WEVION_CLIENT_ERROR_TIMEOUT:
      return _ ("The server did not answer in time. The app tries again by itself.");
    case WEVION_CLIENT_ERROR_TLS:
      return _ ("The server’s identity could not be verified. Check the server address; the connection "
                "was not made.");
    case WEVION_CLIENT_ERROR_UNAUTHORIZED: return _ ("Enter a new access token.");
    case WEVION_CLIENT_ERROR_NOT_FOUND: return _ ("The job does not exist or belongs to someone else.");
    case WEVION_CLIENT_ERROR_RATE_LIMITED: return _ ("Too many requests. The app waits and tries again.");
    case WEVION_CLIENT_ERROR_SERVER: return _ ("The server has a problem. The app tries again later.");
    case WEVION_CLIENT_ERROR_INVALID_RESPONSE:
      return _ ("The server sent an answer the app does not understand. Check the server address.");
    case WEVION_CLIENT_ERROR_UNSUPPORTED: return _ ("This server does not offer this feature.");
    case WEVION_CLIENT_ERROR_INVALID_REQUEST: return _ ("Check the prompt and settings, then submit again.");
    case WEVION_CLIENT_ERROR_CONFLICT: return _ ("The job has already ended.");
    case WEVION_CLIENT_ERROR_INSECURE:
      return _ ("Use an https:// address; plain http:// is only allowed to this computer.");
    default: return "";
    }
}

/* ---- the list query ------------------------------------------------------------------------ */

WevionListQuery *
wevion_list_query_new (void)
{
  return g_new0 (WevionListQuery, 1);
}

WevionListQuery *
wevion_list_query_copy (const WevionListQuery *query)
{
  WevionListQuery *copy = wevion_list_query_new ();

  copy->status = g_strdup (query->status);
  copy->type = g_strdup (query->type);
  copy->since = query->since ? g_date_time_ref (query->since) : NULL;
  copy->until = query->until ? g_date_time_ref (query->until) : NULL;
  copy->q = g_strdup (query->q);
  copy->updated_since = query->updated_since ? g_date_time_ref (query->updated_since) : NULL;
  copy->limit = query->limit;
  copy->cursor = g_strdup (query->cursor);
  copy->include_archived = query->include_archived;
  return copy;
}

void
wevion_list_query_free (WevionListQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->status);
  g_free (query->type);
  g_clear_pointer (&query->since, g_date_time_unref);
  g_clear_pointer (&query->until, g_date_time_unref);
  g_free (query->q);
  g_clear_pointer (&query->updated_since, g_date_time_unref);
  g_free (query->cursor);
  g_free (query);
}

G_DEFINE_BOXED_TYPE (WevionListQuery, wevion_list_query, wevion_list_query_copy, wevion_list_query_free)

static void
append_param (GString *out, const char *name, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (out, "%s%s=%s", out->len ? "&" : "", name, escaped);
}

static void
append_time (GString *out, const char *name, GDateTime *time)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autofree char *text = NULL;

  if (time == NULL)
    return;
  utc = g_date_time_to_utc (time);
  if (g_date_time_get_microsecond (utc) != 0)
    text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
  else
    text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  append_param (out, name, text);
}

char *
wevion_list_query_to_string (const WevionListQuery *query)
{
  GString *out = g_string_new (NULL);

  if (query == NULL)
    return g_string_free (out, FALSE);
  append_param (out, "status", query->status);
  append_param (out, "type", query->type);
  append_time (out, "since", query->since);
  append_time (out, "until", query->until);
  append_param (out, "q", query->q);
  append_time (out, "updated_since", query->updated_since);
  if (query->limit > 0)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%d", CLAMP (query->limit, 1, 500));
      append_param (out, "limit", buf);
    }
  append_param (out, "cursor", query->cursor);
  if (query->include_archived)
    append_param (out, "include_archived", "true");
  return g_string_free (out, FALSE);
}

/* ---- the client ---------------------------------------------------------------------------- */

typedef struct
{
  char *etag;
  GBytes *body;
} CacheEntry;

static void
cache_entry_free (CacheEntry *entry)
{
  g_free (entry->etag);
  g_bytes_unref (entry->body);
  g_free (entry);
}

struct _WevionClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url; /* without a trailing slash */
  GUri *base_uri;
  char *token;
  int timeout;
  GHashTable *etags; /* url → CacheEntry */
  guint64 etag_generation;

  guint64 requests;
  guint64 bytes_received;
  guint64 not_modified;
};

G_DEFINE_FINAL_TYPE (WevionClient, wevion_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  PROP_TIMEOUT,
  PROP_REQUESTS,
  PROP_BYTES_RECEIVED,
  PROP_NOT_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wevion_client_finalize (GObject *object)
{
  WevionClient *self = WEVION_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base_url);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_hash_table_unref (self->etags);

  G_OBJECT_CLASS (wevion_client_parent_class)->finalize (object);
}

static void
wevion_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionClient *self = WEVION_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_TIMEOUT: g_value_set_int (value, self->timeout); break;
    case PROP_REQUESTS: g_value_set_uint64 (value, self->requests); break;
    case PROP_BYTES_RECEIVED: g_value_set_uint64 (value, self->bytes_received); break;
    case PROP_NOT_MODIFIED: g_value_set_uint64 (value, self->not_modified); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionClient *self = WEVION_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url ? strlen (url) : 0;

        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url ? url : "", len);
        self->base_uri = g_uri_parse (self->base_url, G_URI_FLAGS_ENCODED, NULL);
      }
      break;
    case PROP_TOKEN: wevion_client_set_token (self, g_value_get_string (value)); break;
    case PROP_TIMEOUT: wevion_client_set_timeout (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_client_class_init (WevionClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = wevion_client_finalize;
  object_class->get_property = wevion_client_get_property;
  object_class->set_property = wevion_client_set_property;

  properties[PROP_BASE_URL] = g_param_spec_string (
      "base-url", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN]
      = g_param_spec_string ("token", NULL, NULL, NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT]
      = g_param_spec_int ("timeout", NULL, NULL, 1, 3600, DEFAULT_TIMEOUT,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUESTS] = g_param_spec_uint64 ("requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_RECEIVED] = g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_NOT_MODIFIED] = g_param_spec_uint64 ("not-modified", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wevion_client_init (WevionClient *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->session = soup_session_new_with_options ("user-agent", PACKAGE_NAME "/" PACKAGE_VERSION, "timeout",
                                                 DEFAULT_TIMEOUT, "max-conns-per-host", 4, NULL);
  self->etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cache_entry_free);
}

gboolean
wevion_host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autofree char *stripped = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  if (host[0] == '[')
    {
      stripped = g_strndup (host + 1, strlen (host) - 1);
      if (*stripped && stripped[strlen (stripped) - 1] == ']')
        stripped[strlen (stripped) - 1] = '\0';
      host = stripped;
    }
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* http(s) only; plain http only to loopback. */
static gboolean
check_uri (GUri *uri, const char *what, GError **error)
{
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      if (error)
        *error = client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, 0, -1,
                                   _ ("“%s” is not an http:// or https:// address"), what);
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !wevion_host_is_loopback (g_uri_get_host (uri)))
    {
      if (error)
        *error = client_error_new (WEVION_CLIENT_ERROR_INSECURE, 0, -1,
                                   _ ("Refusing plain http:// to %s: the token would travel unencrypted. Use "
                                      "https://"),
                                   g_uri_get_host (uri));
      return FALSE;
    }
  return TRUE;
}

WevionClient *
wevion_client_new (const char *base_url, const char *token, GError **error)
{
  g_autoptr (WevionClient) self = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (WEVION_TYPE_CLIENT, "base-url", base_url, "token", token, NULL);
  if (!check_uri (self->base_uri, base_url, &local_error))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
wevion_client_get_base_url (WevionClient *self)
{
  g_return_val_if_fail (WEVION_IS_CLIENT (self), NULL);
  return self->base_url;
}

void
wevion_client_set_token (WevionClient *self, const char *token)
{
  g_return_if_fail (WEVION_IS_CLIENT (self));
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
  /* answers kept for the old identity must not be shown to the new one */
  g_hash_table_remove_all (self->etags);
  self->etag_generation++;
}

void
wevion_client_add_etag (WevionClient *self, const char *url, const char *etag, GBytes *body)
{
  CacheEntry *entry;

  g_return_if_fail (WEVION_IS_CLIENT (self));
  g_return_if_fail (url != NULL && etag != NULL && body != NULL);
  entry = g_new0 (CacheEntry, 1);
  entry->etag = g_strdup (etag);
  entry->body = g_bytes_ref (body);
  g_hash_table_replace (self->etags, g_strdup (url), entry);
}

void
wevion_client_foreach_etag (WevionClient *self, WevionClientEtagFunc func, gpointer user_data)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (WEVION_IS_CLIENT (self));
  g_hash_table_iter_init (&iter, self->etags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CacheEntry *entry = value;

      func (key, entry->etag, entry->body, user_data);
    }
}

guint64
wevion_client_get_etag_generation (WevionClient *self)
{
  g_return_val_if_fail (WEVION_IS_CLIENT (self), 0);
  return self->etag_generation;
}

void
wevion_client_set_timeout (WevionClient *self, int seconds)
{
  g_return_if_fail (WEVION_IS_CLIENT (self));
  seconds = CLAMP (seconds, 1, 3600);
  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  g_object_set (self->session, "timeout", (guint) seconds, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

int
wevion_client_get_timeout (WevionClient *self)
{
  g_return_val_if_fail (WEVION_IS_CLIENT (self), 0);
  return self->timeout;
}

guint64
wevion_client_get_requests (WevionClient *self)
{
  return self->requests;
}

guint64
wevion_client_get_bytes_received (WevionClient *self)
{
  return self->bytes_received;
}

guint64
wevion_client_get_not_modified (WevionClient *self)
{
  return self->not_modified;
}

void
wevion_client_reset_counters (WevionClient *self)
{
  self->requests = self->bytes_received = self->not_modified = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_MODIFIED]);
}

/* ---- one request, with redirects, deadline, ETag ------------------------------------------ */

typedef struct
{
  WevionClient *client; /* owned by the task */
  char *method;
  GUri *uri;
  char *cache_key; /* GET: the first URL */
  GBytes *body;    /* request body, JSON */
  gboolean send_auth;
  int redirects;
  GCancellable *cancellable; /* ours: cancelled by the deadline or by the caller's */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *deadline;
  gboolean timed_out;
  SoupMessage *msg;
  GInputStream *stream; /* the answer being read */
  GByteArray *answer;   /* what has arrived of it */
} Request;

typedef struct
{
  guint status;
  GBytes *body;
  char *cache_key; /* a GET answer kept (or served) for If-None-Match under this URL */
} Response;

static void
response_free (Response *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->cache_key);
  g_free (response);
}

/* An answer that turned out unreadable (malformed, truncated) must not be kept for If-None-Match:
 * the server would answer 304 to it, and the same broken body would be read again after the server
 * had recovered, until the data changed. */
static void
forget_answer (WevionClient *self, const char *cache_key, GBytes *body)
{
  CacheEntry *entry = cache_key ? g_hash_table_lookup (self->etags, cache_key) : NULL;

  if (entry && g_bytes_equal (entry->body, body))
    {
      g_hash_table_remove (self->etags, cache_key);
      self->etag_generation++;
    }
}

static void
request_free (Request *req)
{
  if (req->caller_handler)
    g_cancellable_disconnect (req->caller_cancellable, req->caller_handler);
  g_clear_object (&req->caller_cancellable);
  if (req->deadline)
    {
      g_source_destroy (req->deadline);
      g_source_unref (req->deadline);
    }
  g_clear_object (&req->cancellable);
  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  g_clear_pointer (&req->answer, g_byte_array_unref);
  g_free (req->method);
  g_clear_pointer (&req->uri, g_uri_unref);
  g_free (req->cache_key);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req);
}

static gboolean
deadline_cb (gpointer data)
{
  Request *req = data;

  req->timed_out = TRUE;
  g_cancellable_cancel (req->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller, gpointer data)
{
  GCancellable *ours = data;

  g_cancellable_cancel (ours);
}

static gboolean
same_origin (GUri *a, GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && g_uri_get_port (a) == g_uri_get_port (b);
}

static void request_send (GTask *task);

static int
parse_retry_after (const char *value)
{
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) now = NULL;
  char *end = NULL;
  gint64 n;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      n = g_ascii_strtoll (value, &end, 10);
      if (end && (*end == '\0' || g_ascii_isspace (*end)))
        return (int) CLAMP (n, 0, 3600);
      return -1;
    }
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return (int) CLAMP (g_date_time_difference (when, now) / G_USEC_PER_SEC, 0, 3600);
}

/* The server's own words from {"error": {"code", "message"}}, if the body is that. */
static char *
server_message (SoupMessage *msg, GBytes *body, char **code_out)
{
  const char *content_type
      = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *error_object;
  JsonNode *node;
  const char *message = NULL;
  const char *code = NULL;
  gsize len = 0;
  const char *data;

  if (body == NULL || content_type == NULL || !g_str_has_suffix (content_type, "json"))
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (len == 0 || len > 64 * 1024)
    return NULL;
  root = wevion_json_parse (data, len, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), "error");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  error_object = json_node_get_object (node);
  if (code_out && wevion_json_get_string (error_object, "code", &code))
    *code_out = g_strdup (code);
  if (wevion_json_get_string (error_object, "message", &message) && *message)
    return g_utf8_make_valid (message, MIN (strlen (message), 300));
  return NULL;
}

static GError *status_error_inner (Request *req, guint status, GBytes *body, char **code_out);

static GError *
status_error (Request *req, guint status, GBytes *body)
{
  char *code = NULL;
  GError *error = status_error_inner (req, status, body, &code);

  wevion_client_error_get_private (error)->server_code = code;
  return error;
}

static GError *
status_error_inner (Request *req, guint status, GBytes *body, char **code_out)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (req->msg);
  char *code = NULL;
  g_autofree char *said = server_message (req->msg, body, &code);
  g_autofree char *detail = said ? g_strdup_printf (": %s", said) : g_strdup ("");
  int retry_after = parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"));

  *code_out = code;
  switch (status)
    {
    case 400:
    case 422:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, status, -1,
                               _ ("The server refused the request%s (HTTP %u)"), detail, status);
    case 402:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, status, -1,
                               _ ("Not enough credits%s (HTTP %u)"), detail, status);
    case 413:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, status, -1,
                               _ ("The request is too large%s (HTTP %u)"), detail, status);
    case 401:
      return client_error_new (WEVION_CLIENT_ERROR_UNAUTHORIZED, status, -1,
                               _ ("The server did not accept the access token (HTTP %u)"), status);
    case 403:
      return client_error_new (WEVION_CLIENT_ERROR_UNAUTHORIZED, status, -1,
                               _ ("The access token is not allowed to do this (HTTP %u)"), status);
    case 404:
      if (g_strcmp0 (code, "unknown_type") == 0)
        return client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, status, -1,
                                 _ ("The server does not know this kind of generation%s (HTTP %u)"), detail,
                                 status);
      return client_error_new (WEVION_CLIENT_ERROR_NOT_FOUND, status, -1, _ ("Not found%s (HTTP %u)"), detail,
                               status);
    case 405:
      return client_error_new (WEVION_CLIENT_ERROR_UNSUPPORTED, status, -1,
                               _ ("The server does not support this (HTTP %u)"), status);
    case 409:
      return client_error_new (WEVION_CLIENT_ERROR_CONFLICT, status, -1,
                               _ ("The job has already ended (HTTP %u)"), status);
    case 429:
      if (retry_after >= 0)
        return client_error_new (
            WEVION_CLIENT_ERROR_RATE_LIMITED, status, retry_after,
            g_dngettext (GETTEXT_PACKAGE, "Too many requests: the server asks to wait %d second (HTTP %u)",
                         "Too many requests: the server asks to wait %d seconds (HTTP %u)", retry_after),
            retry_after, status);
      return client_error_new (WEVION_CLIENT_ERROR_RATE_LIMITED, status, -1,
                               _ ("Too many requests (HTTP %u)"), status);
    default: break;
    }
  if (status == 503)
    return client_error_new (WEVION_CLIENT_ERROR_SERVER, status, retry_after,
                             _ ("The server is busy (HTTP %u)"), status);
  if (status == 502 || status == 504)
    return client_error_new (WEVION_CLIENT_ERROR_SERVER, status, retry_after,
                             _ ("The server could not be reached through its gateway (HTTP %u)"), status);
  if (status >= 500)
    return client_error_new (WEVION_CLIENT_ERROR_SERVER, status, retry_after,
                             _ ("The server had an internal error (HTTP %u)"), status);
  return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, status, -1,
                           _ ("The server gave an unexpected answer (HTTP %u)"), status);
}

static GError *
transport_error (Request *req, GError *error)
{
  if (req->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return client_error_new (WEVION_CLIENT_ERROR_TIMEOUT, 0, -1,
                             g_dngettext (GETTEXT_PACKAGE, "The server did not answer within %d second",
                                          "The server did not answer within %d seconds",
                                          req->client->timeout),
                             req->client->timeout);
  if (error->domain == G_TLS_ERROR || soup_message_get_tls_peer_certificate_errors (req->msg) != 0)
    return client_error_new (WEVION_CLIENT_ERROR_TLS, 0, -1, _ ("Secure connection failed: %s"),
                             error->message);
  if (error->domain == G_RESOLVER_ERROR)
    return client_error_new (WEVION_CLIENT_ERROR_NETWORK, 0, -1,
                             _ ("The server’s name could not be found: %s"), error->message);
  if (error->domain == SOUP_SESSION_ERROR)
    return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                             _ ("The server sent a malformed answer: %s"), error->message);
  return client_error_new (WEVION_CLIENT_ERROR_NETWORK, 0, -1, _ ("Could not reach the server: %s"),
                           error->message);
}

static guint64
headers_size (SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint64 size = 17; /* status line */

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    size += strlen (name) + strlen (value) + 4;
  return size + 2;
}

static gboolean
is_json_type (const char *content_type)
{
  return content_type != NULL
         && (g_ascii_strcasecmp (content_type, "application/json") == 0
             || g_str_has_suffix (content_type, "+json"));
}

/* An answer larger than this is refused before it is all in memory: lists are pages of at most
 * 500 rows, and even rows with 10 000 result URLs each stay far below it. */
#define MAX_ANSWER_BYTES (64 * 1024 * 1024)

static void answer_cb (GTask *task, GBytes *body, GError *error);

static GError *
too_large_error (Request *req)
{
  return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, soup_message_get_status (req->msg), -1,
                           _ ("The server’s answer is larger than %d MB and was refused"),
                           MAX_ANSWER_BYTES / (1024 * 1024));
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (chunk == NULL)
    {
      answer_cb (task, NULL, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      GBytes *body = g_byte_array_free_to_bytes (g_steal_pointer (&req->answer));

      g_input_stream_close (req->stream, NULL, NULL); /* at its end: returns the connection */
      g_clear_object (&req->stream);
      answer_cb (task, body, NULL);
      return;
    }
  if (req->answer->len + g_bytes_get_size (chunk) > MAX_ANSWER_BYTES)
    {
      /* stop reading: the connection is dropped rather than drained */
      g_cancellable_cancel (req->cancellable);
      g_clear_object (&req->stream);
      g_clear_pointer (&req->answer, g_byte_array_unref);
      answer_cb (task, NULL, too_large_error (req));
      return;
    }
  g_byte_array_append (req->answer, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (req->stream, 64 * 1024, G_PRIORITY_DEFAULT, req->cancellable, read_cb,
                                   task);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);
  GError *error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  goffset length;

  if (stream == NULL)
    {
      answer_cb (task, NULL, error);
      return;
    }
  req->stream = stream;
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (req->msg));
  if (length > MAX_ANSWER_BYTES)
    {
      g_cancellable_cancel (req->cancellable);
      g_clear_object (&req->stream);
      answer_cb (task, NULL, too_large_error (req));
      return;
    }
  g_clear_pointer (&req->answer, g_byte_array_unref);
  req->answer = g_byte_array_sized_new (length > 0 ? (guint) length : 4096);
  g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT, req->cancellable, read_cb, task);
}

/* The whole answer (@body), or why there is none (@error, transfer full); @task is consumed. */
static void
answer_cb (GTask *task_in, GBytes *body_in, GError *error_in)
{
  g_autoptr (GTask) task = task_in;
  Request *req = g_task_get_task_data (task);
  WevionClient *self = req->client;
  g_autoptr (GError) error = error_in;
  g_autoptr (GBytes) body = body_in;
  SoupMessageHeaders *headers;
  guint status;

  self->requests++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUESTS]);
  if (body == NULL)
    {
      if (error->domain == WEVION_CLIENT_ERROR)
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !req->timed_out)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, transport_error (req, error));
      return;
    }

  headers = soup_message_get_response_headers (req->msg);
  status = soup_message_get_status (req->msg);
  self->bytes_received += g_bytes_get_size (body) + headers_size (headers);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);

  if (SOUP_STATUS_IS_REDIRECTION (status) && status != 304)
    {
      const char *location = soup_message_headers_get_one (headers, "Location");
      g_autoptr (GUri) next = NULL;
      GError *uri_error = NULL;

      if (location == NULL
          || (status != 301 && status != 302 && status != 303 && status != 307 && status != 308))
        {
          g_task_return_error (task, status_error (req, status, body));
          return;
        }
      if (++req->redirects > MAX_REDIRECTS)
        {
          g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, status, -1,
                                                       _ ("The server redirected too many times")));
          return;
        }
      next = g_uri_parse_relative (req->uri, location, G_URI_FLAGS_ENCODED, NULL);
      if (!check_uri (next, location, &uri_error))
        {
          g_task_return_error (task, uri_error);
          return;
        }
      if (!same_origin (req->uri, next))
        req->send_auth = FALSE; /* never carry the token to another origin, even back */
      if (status == 303 || ((status == 301 || status == 302) && g_strcmp0 (req->method, "POST") == 0))
        {
          g_free (req->method);
          req->method = g_strdup ("GET");
          g_clear_pointer (&req->body, g_bytes_unref);
        }
      g_uri_unref (req->uri);
      req->uri = g_steal_pointer (&next);
      request_send (g_steal_pointer (&task));
      return;
    }

  if (status == 304)
    {
      CacheEntry *entry = req->cache_key ? g_hash_table_lookup (self->etags, req->cache_key) : NULL;
      Response *response;

      if (entry == NULL)
        {
          g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, status, -1,
                                                       _ ("The server answered “not modified” to a question "
                                                          "never asked before (HTTP 304)")));
          return;
        }
      self->not_modified++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_MODIFIED]);
      response = g_new0 (Response, 1);
      response->status = 200;
      response->body = g_bytes_ref (entry->body);
      response->cache_key = g_strdup (req->cache_key);
      g_task_return_pointer (task, response, (GDestroyNotify) response_free);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, status_error (req, status, body));
      return;
    }

  if (g_bytes_get_size (body) > 0 && !is_json_type (soup_message_headers_get_content_type (headers, NULL)))
    {
      const char *type = soup_message_headers_get_content_type (headers, NULL);

      g_task_return_error (task,
                           client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, status, -1,
                                             _ ("The server answered with “%s” instead of JSON (HTTP %u). "
                                                "Is the server address right?"),
                                             type ? type : _ ("no content type"), status));
      return;
    }

  if (req->cache_key && g_strcmp0 (req->method, "GET") == 0)
    {
      const char *etag = soup_message_headers_get_one (headers, "ETag");

      if (etag && *etag)
        {
          CacheEntry *entry = g_new0 (CacheEntry, 1);

          entry->etag = g_strdup (etag);
          entry->body = g_bytes_ref (body);
          g_hash_table_replace (self->etags, g_strdup (req->cache_key), entry);
          self->etag_generation++;
        }
      else if (g_hash_table_remove (self->etags, req->cache_key))
        self->etag_generation++;
    }

  {
    Response *response = g_new0 (Response, 1);

    response->status = status;
    response->body = g_steal_pointer (&body);
    if (req->cache_key && g_strcmp0 (req->method, "GET") == 0)
      response->cache_key = g_strdup (req->cache_key);
    g_task_return_pointer (task, response, (GDestroyNotify) response_free);
  }
}

static void
request_send (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  WevionClient *self = req->client;
  SoupMessageHeaders *headers;

  g_clear_object (&req->msg);
  req->msg = soup_message_new_from_uri (req->method, req->uri);
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (req->send_auth && self->token && *self->token)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (value, 0, strlen (value));
    }
  if (req->body)
    soup_message_set_request_body_from_bytes (req->msg, "application/json", req->body);
  if (req->cache_key && req->redirects == 0 && g_strcmp0 (req->method, "GET") == 0)
    {
      CacheEntry *entry = g_hash_table_lookup (self->etags, req->cache_key);

      if (entry)
        soup_message_headers_replace (headers, "If-None-Match", entry->etag);
    }
  soup_session_send_async (self->session, req->msg, G_PRIORITY_DEFAULT, req->cancellable, sent_cb, task);
}

/* @path_and_query follows the base URL, e.g. API_PREFIX "/generate/jobs?status=…" */
static void
client_request_async (WevionClient *self, const char *method, const char *path_and_query, JsonNode *body,
                      GCancellable *cancellable, gpointer source_tag, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);
  g_autofree char *url = g_strconcat (self->base_url, path_and_query, NULL);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  req->client = self;
  req->method = g_strdup (method);
  req->uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  req->send_auth = TRUE;
  req->cancellable = g_cancellable_new ();
  if (g_strcmp0 (method, "GET") == 0)
    req->cache_key = g_strdup (url);
  if (body)
    {
      g_autofree char *text = wevion_json_to_string (body);
      gsize len = strlen (text);

      req->body = g_bytes_new_take (g_steal_pointer (&text), len);
    }
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  if (!check_uri (req->uri, url, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (cancellable)
    {
      req->caller_cancellable = g_object_ref (cancellable);
      req->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                   g_object_ref (req->cancellable), g_object_unref);
    }
  req->deadline = g_timeout_source_new_seconds ((guint) self->timeout);
  g_source_set_callback (req->deadline, deadline_cb, req, NULL);
  g_source_set_static_name (req->deadline, "[wevion] request deadline");
  g_source_attach (req->deadline, g_main_context_get_thread_default ());

  request_send (task);
}

static Response *
client_request_finish (WevionClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef enum {
  ANSWER_SUBMIT,
  ANSWER_JOB,
  ANSWER_LIST,
  ANSWER_BILLING,
} Answer;

static GError *
invalid_response (Answer what, const GError *cause)
{
  const char *why = cause ? cause->message : _ ("unexpected content");

  switch (what)
    {
    case ANSWER_SUBMIT:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                               _ ("The server’s answer to the submission cannot be read: %s"), why);
    case ANSWER_JOB:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                               _ ("The job the server sent cannot be read: %s"), why);
    case ANSWER_LIST:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                               _ ("The list of jobs the server sent cannot be read: %s"), why);
    case ANSWER_BILLING:
    default:
      return client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                               _ ("The billing figures the server sent cannot be read: %s"), why);
    }
}

/* ---- submit --------------------------------------------------------------------------------- */

static void
submit_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  Response *response = client_request_finish (WEVION_CLIENT (source), result, &error);
  const char *job_id = NULL;
  const char *data_ptr;
  gsize len = 0;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data_ptr = g_bytes_get_data (response->body, &len);
  root = wevion_json_parse (data_ptr, len, &parse_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !wevion_json_get_string (json_node_get_object (root), "job_id", &job_id) || *job_id == '\0')
    g_task_return_error (task, invalid_response (ANSWER_SUBMIT, parse_error));
  else
    g_task_return_pointer (task, g_strdup (job_id), g_free);
  response_free (response);
}

void
wevion_client_submit_async (WevionClient *self, WevionJobType type, const char *provider, const char *prompt,
                            JsonObject *settings, JsonObject *metadata, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_client_submit_async);
  if (type == WEVION_JOB_TYPE_UNKNOWN || provider == NULL || *provider == '\0' || prompt == NULL)
    {
      g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, 0, -1,
                                                   _ ("A generation needs a type, a provider and a prompt")));
      g_object_unref (task);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, provider);
  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, prompt);
  json_builder_set_member_name (builder, "settings");
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);

    if (settings)
      json_node_set_object (node, settings);
    else
      json_node_take_object (node, json_object_new ());
    json_builder_add_value (builder, node);
  }
  if (metadata)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, metadata);
      json_builder_set_member_name (builder, "metadata");
      json_builder_add_value (builder, node);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  path = g_strdup_printf (API_PREFIX "/generate/%s", wevion_job_type_to_string (type));
  client_request_async (self, "POST", path, body, cancellable, wevion_client_submit_async, submit_cb, task);
}

char *
wevion_client_submit_finish (WevionClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- one job -------------------------------------------------------------------------------- */

static void
get_job_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  Response *response = client_request_finish (WEVION_CLIENT (source), result, &error);
  WevionJob *job;
  const char *bytes;
  gsize len = 0;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bytes = g_bytes_get_data (response->body, &len);
  job = wevion_job_parse (bytes, len, &error);
  if (job == NULL)
    {
      forget_answer (WEVION_CLIENT (source), response->cache_key, response->body);
      g_task_return_error (task, invalid_response (ANSWER_JOB, error));
    }
  else if (g_strcmp0 (wevion_job_get_id (job), g_task_get_task_data (task)) != 0)
    {
      forget_answer (WEVION_CLIENT (source), response->cache_key, response->body);
      g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_INVALID_RESPONSE, 0, -1,
                                                   _ ("The server sent another job than the one asked for")));
      g_object_unref (job);
    }
  else
    g_task_return_pointer (task, job, g_object_unref);
  response_free (response);
}

void
wevion_client_get_job_async (WevionClient *self, const char *id, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_client_get_job_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  escaped = g_uri_escape_string (id, NULL, FALSE);
  path = g_strdup_printf (API_PREFIX "/generate/jobs/%s", escaped);
  client_request_async (self, "GET", path, NULL, cancellable, wevion_client_get_job_async, get_job_cb, task);
}

WevionJob *
wevion_client_get_job_finish (WevionClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the list ------------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *jobs;
  char *next_cursor;
  gboolean server_filtered;
} ListResult;

static void
list_result_free (ListResult *list)
{
  g_clear_pointer (&list->jobs, g_ptr_array_unref);
  g_free (list->next_cursor);
  g_free (list);
}

static void
list_parse_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GBytes *body = task_data;
  g_autoptr (GError) error = NULL;
  ListResult *list;
  const char *data;
  gsize len = 0, i = 0;
  guint skipped = 0;

  data = g_bytes_get_data (body, &len);
  list = g_new0 (ListResult, 1);
  /* {"jobs": …} is the ext shape (the server honours parameters); a bare array the seed's */
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  list->server_filtered = i < len && data[i] == '{';
  /* the streaming reader: no json-glib tree for a page (it takes the guarded path itself for
   * anything that is not plain JSON, with the same answers and errors) */
  list->jobs = wevion_job_list_parse (data, len, &list->next_cursor, &skipped, &error);
  if (list->jobs == NULL)
    {
      list_result_free (list);
      g_task_return_error (task, invalid_response (ANSWER_LIST, error));
      return;
    }
  if (skipped)
    g_message ("Skipped %u unreadable job rows of %u", skipped, skipped + list->jobs->len);
  g_task_return_pointer (task, list, (GDestroyNotify) list_result_free);
}

static void
list_parsed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  ListResult *list = g_task_propagate_pointer (G_TASK (result), &error);

  if (list == NULL)
    {
      forget_answer (g_task_get_source_object (task), g_object_get_data (G_OBJECT (task), "cache-key"),
                     g_task_get_task_data (G_TASK (result)));
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, list, (GDestroyNotify) list_result_free);
}

static void
list_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  Response *response = client_request_finish (WEVION_CLIENT (source), result, &error);
  GTask *parse;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Parse in a worker thread. The inner task has no source object: the worker may drop its last
   * reference after we returned, and it must not keep the client alive then. */
  g_object_set_data_full (G_OBJECT (task), "cache-key", g_strdup (response->cache_key), g_free);
  parse = g_task_new (NULL, NULL, list_parsed_cb, g_steal_pointer (&task));
  g_task_set_source_tag (parse, list_parse_thread);
  g_task_set_task_data (parse, g_bytes_ref (response->body), (GDestroyNotify) g_bytes_unref);
  response_free (response);
  g_task_run_in_thread (parse, list_parse_thread);
  g_object_unref (parse);
}

void
wevion_client_list_async (WevionClient *self, const WevionListQuery *query, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autofree char *params = wevion_list_query_to_string (query);
  g_autofree char *path = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_client_list_async);
  path = g_strconcat (API_PREFIX "/generate/jobs", *params ? "?" : "", params, NULL);
  client_request_async (self, "GET", path, NULL, cancellable, wevion_client_list_async, list_cb, task);
}

GPtrArray *
wevion_client_list_finish (WevionClient *self, GAsyncResult *result, char **next_cursor,
                           gboolean *server_filtered, GError **error)
{
  ListResult *list;
  GPtrArray *jobs;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (next_cursor)
    *next_cursor = NULL;
  if (server_filtered)
    *server_filtered = FALSE;
  list = g_task_propagate_pointer (G_TASK (result), error);
  if (list == NULL)
    return NULL;
  if (next_cursor)
    *next_cursor = g_steal_pointer (&list->next_cursor);
  if (server_filtered)
    *server_filtered = list->server_filtered;
  jobs = g_steal_pointer (&list->jobs);
  list_result_free (list);
  return jobs;
}

/* ---- cancel --------------------------------------------------------------------------------- */

static void
cancel_probe_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &error);

  if (job || !g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND))
    g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_UNSUPPORTED, 404, -1,
                                                 _ ("This server cannot cancel jobs (HTTP 404)")));
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
cancel_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  Response *response = client_request_finish (WEVION_CLIENT (source), result, &error);

  if (response == NULL)
    {
      if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND))
        {
          /* A 404 means no such job, or no such endpoint (a seed-only server): the job tells. */
          GTask *probe = g_steal_pointer (&task);

          wevion_client_get_job_async (WEVION_CLIENT (source), g_task_get_task_data (probe),
                                       g_task_get_cancellable (probe), cancel_probe_cb, probe);
        }
      else if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED))
        g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_UNSUPPORTED, 405, -1,
                                                     _ ("This server cannot cancel jobs (HTTP 405)")));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  response_free (response);
  g_task_return_boolean (task, TRUE);
}

void
wevion_client_cancel_async (WevionClient *self, const char *id, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_client_cancel_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  escaped = g_uri_escape_string (id, NULL, FALSE);
  path = g_strdup_printf (API_PREFIX "/generate/jobs/%s/cancel", escaped);
  client_request_async (self, "POST", path, NULL, cancellable, wevion_client_cancel_async, cancel_cb, task);
}

gboolean
wevion_client_cancel_finish (WevionClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- billing -------------------------------------------------------------------------------- */

typedef struct
{
  gint64 debit_cents;
  int n_jobs;
} Billing;

static void
billing_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  Response *response = client_request_finish (WEVION_CLIENT (source), result, &error);
  Billing *billing;
  gint64 debit = 0, n = 0;
  const char *bytes;
  gsize len = 0;

  if (response == NULL)
    {
      if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND)
          || g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED))
        g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_UNSUPPORTED,
                                                     wevion_client_get_http_status (error), -1,
                                                     _ ("This server does not report billing")));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bytes = g_bytes_get_data (response->body, &len);
  root = wevion_json_parse (bytes, len, &error);
  response_free (response);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !wevion_json_get_int (json_node_get_object (root), "debit_cents", &debit))
    {
      g_task_return_error (task, invalid_response (ANSWER_BILLING, error));
      return;
    }
  wevion_json_get_int (json_node_get_object (root), "jobs", &n);
  billing = g_new0 (Billing, 1);
  billing->debit_cents = debit;
  billing->n_jobs = (int) CLAMP (n, 0, G_MAXINT);
  g_task_return_pointer (task, billing, g_free);
}

void
wevion_client_billing_async (WevionClient *self, const char *month, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_client_billing_async);
  if (month == NULL || strlen (month) != 7 || month[4] != '-')
    {
      g_task_return_error (task, client_error_new (WEVION_CLIENT_ERROR_INVALID_REQUEST, 0, -1,
                                                   _ ("A month is written YYYY-MM")));
      g_object_unref (task);
      return;
    }
  escaped = g_uri_escape_string (month, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/team/billing?month=%s", escaped);
  client_request_async (self, "GET", path, NULL, cancellable, wevion_client_billing_async, billing_cb, task);
}

gboolean
wevion_client_billing_finish (WevionClient *self, GAsyncResult *result, gint64 *debit_cents, int *n_jobs,
                              GError **error)
{
  g_autofree Billing *billing = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  billing = g_task_propagate_pointer (G_TASK (result), error);
  if (billing == NULL)
    return FALSE;
  if (debit_cents)
    *debit_cents = billing->debit_cents;
  if (n_jobs)
    *n_jobs = billing->n_jobs;
  return TRUE;
}
