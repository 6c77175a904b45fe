/* wevion-hub-server.c: the HTTP routes of wevion-hub. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "wevion-hub-parse.h"
#include "wevion-hub-private.h"
#include "wevion-hub-render.h"

#define API_PREFIX "/api/v1/creative-hub/generate"
#define MAX_BODY (1024 * 1024)

/* ---- answers ------------------------------------------------------------------------------ */

static void
set_route (SoupServerMessage *msg, const char *route)
{
  g_object_set_data (G_OBJECT (msg), "wevion-route", (gpointer) route);
}

static void
count (WevionHub *hub, const char *route, guint64 bytes)
{
  WevionHubRouteStats *s = g_hash_table_lookup (hub->stats, route);

  if (s == NULL)
    {
      s = g_new0 (WevionHubRouteStats, 1);
      g_hash_table_insert (hub->stats, g_strdup (route), s);
    }
  s->requests++;
  s->bytes += bytes;
}

/* A kept-alive connection waits at most --idle-timeout seconds for its next request: the timer
 * runs from the end of one request to the first byte of the next (request-started), and lives on
 * the connection's GSocket, so it goes when the connection does. */
typedef struct
{
  WevionHub *hub;
  GSocket *socket; /* not owned: the timer is data on it */
  guint id;
} IdleTimer;

static void
idle_timer_free (IdleTimer *t)
{
  g_clear_handle_id (&t->id, g_source_remove);
  g_free (t);
}

static gboolean
idle_timeout_cb (gpointer data)
{
  IdleTimer *t = data;
  GSocket *socket = t->socket;

  t->id = 0;
  t->hub->n_dropped_idle++;
  g_debug ("Closing a connection idle for %d s", t->hub->options.idle_timeout);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_object_set_data (G_OBJECT (socket), "wevion-idle", NULL); /* frees t */
  return G_SOURCE_REMOVE;
}

static void
idle_timer_start (WevionHub *hub, SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  IdleTimer *t;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  t = g_new0 (IdleTimer, 1);
  t->hub = hub;
  t->socket = socket;
  t->id = g_timeout_add_seconds (hub->options.idle_timeout, idle_timeout_cb, t);
  g_object_set_data_full (G_OBJECT (socket), "wevion-idle", t, (GDestroyNotify) idle_timer_free);
}

static void
idle_timer_stop (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket)
    g_object_set_data (G_OBJECT (socket), "wevion-idle", NULL);
}

static void
request_finished_cb (SoupServer *server, SoupServerMessage *msg, WevionHub *hub)
{
  const char *route = g_object_get_data (G_OBJECT (msg), "wevion-route");
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (g_object_steal_data (G_OBJECT (msg), "wevion-delayed"))
    hub->n_background--;
  if (!g_object_get_data (G_OBJECT (msg), "wevion-stolen"))
    idle_timer_start (hub, msg);
  if (g_object_get_data (G_OBJECT (msg), "wevion-stolen"))
    return;
  count (hub, route ? route : "other", body ? (guint64) body->length : 0);
}

static void
respond (SoupServerMessage *msg, guint status, const char *content_type, char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_error (SoupServerMessage *msg, guint status, const char *code, const char *message)
{
  respond (msg, status, "application/json", wevion_json_error_body (code, message));
}

static void
respond_405 (SoupServerMessage *msg, const char *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                 "This method is not allowed here.");
}

static gboolean
is_method (SoupServerMessage *msg, const char *method)
{
  return g_str_equal (soup_server_message_get_method (msg), method);
}

gboolean
wevion_hub_admin_allowed (GSocketAddress *addr)
{
  GInetAddress *inet;

  if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS (addr))
    return FALSE;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
  /* 127.0.0.0/8 and ::1 only; an IPv4-mapped ::ffff:127.0.0.1 is refused (fails closed) */
  return g_inet_address_get_is_loopback (inet);
}

static gboolean
is_loopback (SoupServerMessage *msg)
{
  return wevion_hub_admin_allowed (soup_server_message_get_remote_address (msg));
}

static char *
base_url_for (WevionHub *hub, SoupServerMessage *msg)
{
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");

  /* the Host the client used, when it looks like a host[:port]; else where we listen */
  if (host && *host && strlen (host) < 256
      && strspn (host, "abcdefghijklmnopqrstuvwxyz"
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
             == strlen (host))
    return g_strdup_printf ("http://%s", host);
  return g_strdup (hub->base_url);
}

/* Two 64-bit multiplicative hashes over 8-byte words, and the length: an ETag only has to tell
 * one version of the same resource from the next, and SHA-1 of a 100 kB list costs more than the
 * rest of the answer. */
static char *
etag_for (const char *body)
{
  gsize len = strlen (body), i = 0;
  guint64 a = 0xcbf29ce484222325ull ^ len, b = 0x9e3779b97f4a7c15ull;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, body + i, 8);
      a = (a ^ w) * 0x100000001b3ull;
      a ^= a >> 32;
      b = (b + w) * 0xff51afd7ed558ccdull;
      b ^= b >> 29;
    }
  for (; i < len; i++)
    {
      a = (a ^ (guchar) body[i]) * 0x100000001b3ull;
      b = (b + (guchar) body[i]) * 0xff51afd7ed558ccdull;
    }
  return g_strdup_printf ("\"%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x-%" G_GSIZE_FORMAT "\"", a,
                          b, len);
}

/* ---- faults ------------------------------------------------------------------------------- */

typedef struct
{
  WevionHub *hub;
  SoupServerMessage *msg;
} Paused;

static gboolean
unpause_cb (gpointer data)
{
  Paused *p = data;

  /* n_background drops when the answer is written (request-finished) */
  soup_server_message_unpause (p->msg);
  g_object_unref (p->msg);
  g_free (p);
  return G_SOURCE_REMOVE;
}

static void
delay_answer (WevionHub *hub, SoupServerMessage *msg, guint ms)
{
  Paused *p = g_new0 (Paused, 1);

  p->hub = hub;
  p->msg = g_object_ref (msg);
  hub->n_background++;
  g_object_set_data (G_OBJECT (msg), "wevion-delayed", GINT_TO_POINTER (1));
  soup_server_message_pause (msg);
  g_timeout_add (ms, unpause_cb, p);
}

/* TRUE when a fault answered the request already */
static gboolean
inject_status (WevionHub *hub, SoupServerMessage *msg)
{
  guint status = wevion_hub_faults_pick_status (&hub->faults, hub->fault_rand);

  if (status == 0)
    return FALSE;
  if (status == 429 || status == 503)
    {
      g_autofree char *ra = g_strdup_printf ("%u", hub->faults.retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", ra);
    }
  if (status == 429)
    respond_error (msg, status, "rate_limited", "Too many requests; try again later.");
  else
    respond_error (msg, status, "server_error", "The server had an internal error (injected fault).");
  return TRUE;
}

/* Garbles a JSON answer (malformed, truncated) and delays it, as the faults ask. */
static void
finish_api (WevionHub *hub, SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if ((hub->faults.malformed > 0 || hub->faults.truncate > 0) && soup_server_message_get_status (msg) == 200
      && body && body->length > 1)
    {
      g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
      gsize len = 0;
      const char *data = g_bytes_get_data (bytes, &len);

      if (hub->faults.malformed > 0 && g_rand_double (hub->fault_rand) < hub->faults.malformed)
        {
          /* valid start, then junk: quotes missing, a stray comma */
          g_autofree char *bad = g_strdup_printf ("%.*s,,\"status: pending}", (int) MIN (len, 40), data);

          soup_message_body_truncate (body);
          soup_message_body_append (body, SOUP_MEMORY_COPY, bad, strlen (bad));
        }
      else if (hub->faults.truncate > 0 && g_rand_double (hub->fault_rand) < hub->faults.truncate)
        {
          g_autofree char *half = g_strndup (data, len / 2);

          soup_message_body_truncate (body);
          soup_message_body_append (body, SOUP_MEMORY_COPY, half, strlen (half));
        }
    }
  if (hub->faults.latency_ms)
    delay_answer (hub, msg, hub->faults.latency_ms);
}

/* ---- rows on the wire --------------------------------------------------------------------- */

static const char *const ext_fields[]
    = { "updated_at", "started_at",        "progress", "queue_position", "error_code", "retryable",
        "archived",   "result_expires_at", NULL };

/* Signing is the costliest part of a list answer, and expiries are quantised, so signed paths
 * are cached until the expiry moves on. */
static char *
signed_url (WevionHub *hub, const char *base, const char *id, const char *name, gint64 expires)
{
  g_autofree char *path = g_strdup_printf ("/files/%s/%s", id, name);
  const char *signed_path;

  if (hub->sign_cache_expires != expires || g_hash_table_size (hub->sign_cache) > 200000)
    {
      g_hash_table_remove_all (hub->sign_cache);
      hub->sign_cache_expires = expires;
    }
  signed_path = g_hash_table_lookup (hub->sign_cache, path);
  if (signed_path == NULL)
    {
      char *fresh = wevion_hub_signer_sign_path (hub->signer, path, expires);

      g_hash_table_insert (hub->sign_cache, g_strdup (path), fresh);
      signed_path = fresh;
    }
  return g_strconcat (base, signed_path, NULL);
}

/* Turns a stored row into the wire row: file names become signed URLs, queue position and
 * the expiry filled in; with --minimal the ext fields go. */
static JsonNode *
row_to_wire (WevionHub *hub, WevionJob *job, const char *base, gint64 expires)
{
  const char *const *names = wevion_job_get_result_urls (job);
  const char *id = wevion_job_get_id (job);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) urls = NULL;
  g_autoptr (JsonObject) metadata = wevion_hub_copy_object (wevion_job_get_metadata (job));
  const char *thumb = NULL;
  gboolean any = FALSE;
  JsonNode *node;
  WevionJobStatus status = wevion_job_get_status (job);

  for (guint i = 0; names && names[i]; i++)
    {
      g_autofree char *url = signed_url (hub, base, id, names[i], expires);

      g_strv_builder_add (builder, url);
      any = TRUE;
    }
  urls = g_strv_builder_end (builder);
  if (wevion_json_get_string (metadata, "thumbnail_url", &thumb))
    {
      if (hub->options.minimal || status != WEVION_JOB_STATUS_COMPLETED)
        json_object_remove_member (metadata, "thumbnail_url");
      else
        {
          g_autofree char *url = signed_url (hub, base, id, thumb, expires);

          json_object_set_string_member (metadata, "thumbnail_url", url);
          any = TRUE;
        }
    }
  g_object_set (job, "result-urls", urls, "metadata", metadata, NULL);
  if (any)
    {
      g_autoptr (GDateTime) exp = g_date_time_new_from_unix_utc (expires);

      g_object_set (job, "result-expires-at", exp, NULL);
    }
  wevion_job_set_queue_position (
      job, status == WEVION_JOB_STATUS_PENDING ? MAX (1, wevion_hub_worker_queue_position (hub, id)) : -1);
  if (status == WEVION_JOB_STATUS_PENDING)
    wevion_job_set_progress (job, 0);

  node = wevion_job_to_json (job);
  if (hub->options.minimal)
    {
      JsonObject *o = json_node_get_object (node);

      for (guint i = 0; ext_fields[i]; i++)
        if (json_object_has_member (o, ext_fields[i]))
          json_object_remove_member (o, ext_fields[i]);
    }
  return node;
}

static gint64
current_expiry (WevionHub *hub)
{
  return wevion_hub_signer_expiry_for (hub->signer, g_get_real_time () / G_USEC_PER_SEC);
}

/* Serialised rows, reused while the row (updated_at), the URL expiry and the base address stay
 * the same: a list answer then costs one small query and string joins. Pending rows are not
 * cached (their queue position moves without an update). */
typedef struct
{
  gint64 updated_us;
  gint64 expires;
  char *base;
  char *json;
} WireEntry;

static void
wire_entry_free (WireEntry *e)
{
  g_free (e->base);
  g_free (e->json);
  g_free (e);
}

#define WIRE_CACHE_MAX 20000

/* The row's JSON text; NULL when the row is gone. */
static const char *
wire_row (WevionHub *hub, const char *id, gint64 updated_us, WevionJobStatus status, const char *base,
          gint64 expires, char **owned)
{
  WireEntry *e = g_hash_table_lookup (hub->wire_cache, id);
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (JsonNode) node = NULL;
  char *json;

  *owned = NULL;
  if (e && e->updated_us == updated_us && e->expires == expires && g_str_equal (e->base, base))
    return e->json;
  job = wevion_hub_db_get (hub->db, NULL, id);
  if (job == NULL)
    return NULL;
  node = row_to_wire (hub, job, base, expires);
  json = wevion_json_to_string (node);
  status = wevion_job_get_status (job);
  if (status == WEVION_JOB_STATUS_PENDING
      || updated_us != wevion_hub_time_to_us (wevion_job_get_updated_at (job)))
    {
      *owned = json;
      return json;
    }
  if (g_hash_table_size (hub->wire_cache) >= WIRE_CACHE_MAX)
    g_hash_table_remove_all (hub->wire_cache);
  e = g_new0 (WireEntry, 1);
  e->updated_us = updated_us;
  e->expires = expires;
  e->base = g_strdup (base);
  e->json = json;
  g_hash_table_replace (hub->wire_cache, g_strdup (id), e);
  return json;
}

/* ---- auth --------------------------------------------------------------------------------- */

static WevionHubUser *
authenticate (WevionHub *hub, SoupServerMessage *msg)
{
  const char *auth
      = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return g_hash_table_lookup (hub->users, auth);
}

static gboolean
rate_limited (WevionHub *hub, WevionHubUser *user)
{
  gint64 now = g_get_monotonic_time ();
  double limit = hub->options.rate_limit;

  if (limit <= 0)
    return FALSE;
  if (user->tokens_at_us == 0)
    user->tokens = limit;
  else
    user->tokens = MIN (limit, user->tokens + (now - user->tokens_at_us) * limit / G_USEC_PER_SEC);
  user->tokens_at_us = now;
  if (user->tokens < 1.0)
    return TRUE;
  user->tokens -= 1.0;
  return FALSE;
}

/* ---- API routes --------------------------------------------------------------------------- */

static void
handle_submit (WevionHub *hub, SoupServerMessage *msg, WevionHubUser *user, const char *type_name)
{
  WevionJobType type = wevion_job_type_from_string (type_name);
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  g_autofree char *content_type = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (WevionHubSubmission) sub = { 0 };
  g_autoptr (JsonObject) settings = NULL;
  g_autoptr (JsonObject) metadata = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = NULL;
  g_autofree char *answer = NULL;
  const WevionHubProvider *provider;
  const char *provider_name = NULL, *prompt = NULL;
  gsize len;
  const char *data;

  set_route (msg, "submit");
  if (type == WEVION_JOB_TYPE_UNKNOWN)
    {
      respond_error (msg, 404, "unknown_type",
                     "Unknown generation type; use image, video, avatar, tts or composite.");
      return;
    }
  if (!is_method (msg, "POST"))
    {
      respond_405 (msg, "POST");
      return;
    }
  {
    goffset length = soup_message_headers_get_content_length (req);
    SoupMessageBody *rb = soup_server_message_get_request_body (msg);

    if (length > MAX_BODY || (rb && rb->length > MAX_BODY))
      {
        respond_error (msg, 413, "too_large", "The request body is larger than 1 MiB.");
        return;
      }
    bytes = rb ? soup_message_body_flatten (rb) : g_bytes_new (NULL, 0);
  }
  content_type = g_strdup (soup_message_headers_get_content_type (req, NULL));
  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      respond_error (msg, 415, "unsupported_media_type", "Send the request body as application/json.");
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (!wevion_hub_parse_submission (type, data, len, &sub, &error))
    {
      respond_error (msg, 400,
                     g_error_matches (error, WEVION_HUB_PARSE_ERROR, WEVION_HUB_PARSE_ERROR_INVALID_SETTINGS)
                         ? "invalid_settings"
                         : "invalid_request",
                     error->message);
      return;
    }
  if (type == WEVION_JOB_TYPE_TTS)
    {
      gint64 seconds = wevion_hub_render_tts_seconds (sub.settings);
      gint64 max_bytes = wevion_hub_max_result_bytes (hub);

      if (WEVION_HUB_WAV_HEADER + seconds * WEVION_HUB_WAV_BYTES_PER_SECOND > max_bytes)
        {
          g_autofree char *message = g_strdup_printf (
              "“settings.seconds” asks for more speech than this server makes: at most %" G_GINT64_FORMAT
              " seconds (%d MiB; see wevion-hub --max-result-mb).",
              (max_bytes - WEVION_HUB_WAV_HEADER) / WEVION_HUB_WAV_BYTES_PER_SECOND,
              hub->options.max_result_mb);

          respond_error (msg, 400, "invalid_settings", message);
          return;
        }
    }
  provider = sub.provider;
  provider_name = sub.provider_name;
  prompt = sub.prompt;
  settings = json_object_ref (sub.settings);
  metadata = json_object_ref (sub.metadata);

  if (user->credit_limit_cents >= 0)
    {
      gint64 from, to, debit = 0, n = 0;
      g_autofree char *label = NULL;
      int count = wevion_hub_render_count (settings);

      wevion_hub_parse_month (NULL, &from, &to, &label);
      wevion_hub_db_billing (hub->db, user->name, from, to, &debit, &n);
      if (debit + (gint64) (provider->price_cents * 1.08 + 1) * count > user->credit_limit_cents)
        {
          respond_error (msg, 402, "insufficient_credits",
                         "The team's credit balance is too low for this generation.");
          return;
        }
    }

  id = wevion_hub_new_id (hub);
  job = g_object_new (WEVION_TYPE_JOB, "id", id, "user-id", user->name, "type-name", type_name, "status-name",
                      "pending", "provider", provider_name, "prompt", prompt, "settings", settings,
                      "metadata", metadata, "created-at", now, "updated-at", now, "progress", 0, NULL);
  if (!wevion_hub_db_save (hub->db, job, &error))
    {
      g_warning ("Cannot store a new job: %s", error->message);
      respond_error (msg, 500, "server_error", "The job could not be stored.");
      return;
    }
  /* committed: now it may be announced */
  wevion_hub_worker_enqueue (hub, id);
  {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) r = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "job_id");
    json_builder_add_string_value (b, id);
    json_builder_set_member_name (b, "status");
    json_builder_add_string_value (b, "pending");
    json_builder_end_object (b);
    r = json_builder_get_root (b);
    answer = wevion_json_to_string (r);
  }
  {
    g_autofree char *location = g_strdup_printf (API_PREFIX "/jobs/%s", id);

    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  }
  respond (msg, 202, "application/json", g_steal_pointer (&answer));
}

static void
respond_json_with_etag (WevionHub *hub, SoupServerMessage *msg, char *body)
{
  if (!hub->options.minimal)
    {
      g_autofree char *etag = etag_for (body);
      const char *inm
          = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "If-None-Match");

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
      if (wevion_hub_etag_matches (inm, etag))
        {
          g_free (body);
          soup_server_message_set_status (msg, 304, NULL);
          return;
        }
    }
  respond (msg, 200, "application/json", body);
}

static void
handle_job (WevionHub *hub, SoupServerMessage *msg, WevionHubUser *user, const char *id)
{
  g_autoptr (WevionJob) job = NULL;
  g_autofree char *base = NULL;
  g_autofree char *owned = NULL;
  const char *row;

  set_route (msg, "job");
  if (!is_method (msg, "GET") && !is_method (msg, "HEAD"))
    {
      respond_405 (msg, "GET, HEAD");
      return;
    }
  job = wevion_hub_db_get (hub->db, user->name, id);
  if (job == NULL)
    {
      respond_error (msg, 404, "not_found", "No such job.");
      return;
    }
  base = base_url_for (hub, msg);
  row = wire_row (hub, id, wevion_hub_time_to_us (wevion_job_get_updated_at (job)),
                  wevion_job_get_status (job), base, current_expiry (hub), &owned);
  if (row == NULL)
    {
      respond_error (msg, 404, "not_found", "No such job.");
      return;
    }
  respond_json_with_etag (hub, msg, owned ? g_steal_pointer (&owned) : g_strdup (row));
}

static void
handle_list (WevionHub *hub, SoupServerMessage *msg, WevionHubUser *user, GHashTable *params)
{
  WevionHubQuery q = { 0 };
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *next = NULL;
  g_autofree char *cursor_id = NULL;
  g_autofree char *base = NULL;
  g_autoptr (GString) body = NULL;
  gint64 expires;

  set_route (msg, "list");
  if (!is_method (msg, "GET") && !is_method (msg, "HEAD"))
    {
      respond_405 (msg, "GET, HEAD");
      return;
    }
  q.user_id = user->name;
  q.limit = 100;
  if (hub->options.minimal)
    {
      q.limit = 0;
      q.include_archived = TRUE;
    }
  else if (params)
    {
      if (!wevion_hub_parse_list_query (params, &q, &cursor_id, &error))
        {
          respond_error (msg, 400, "invalid_request", error->message);
          return;
        }
    }

  keys = wevion_hub_db_list_keys (hub->db, &q, hub->options.minimal ? NULL : &next, &error);
  if (keys == NULL)
    {
      g_warning ("List failed: %s", error->message);
      respond_error (msg, 500, "server_error", "The list could not be read.");
      return;
    }
  base = base_url_for (hub, msg);
  expires = current_expiry (hub);
  body = g_string_sized_new (1024 + keys->len * 1024);
  g_string_append (body, hub->options.minimal ? "[" : "{\"jobs\":[");
  for (guint i = 0; i < keys->len; i++)
    {
      WevionHubRowKey *key = g_ptr_array_index (keys, i);
      g_autofree char *owned = NULL;
      const char *row = wire_row (hub, key->id, key->updated_us, key->status, base, expires, &owned);

      if (row == NULL)
        continue;
      if (body->str[body->len - 1] != '[')
        g_string_append_c (body, ',');
      g_string_append (body, row);
    }
  g_string_append_c (body, ']');
  if (hub->options.minimal)
    {
      respond (msg, 200, "application/json", g_string_free (g_steal_pointer (&body), FALSE));
      return;
    }
  /* the cursor is base64url: nothing to escape */
  if (next)
    g_string_append_printf (body, ",\"next_cursor\":\"%s\"}", next);
  else
    g_string_append (body, ",\"next_cursor\":null}");
  respond_json_with_etag (hub, msg, g_string_free (g_steal_pointer (&body), FALSE));
}

static void
handle_cancel (WevionHub *hub, SoupServerMessage *msg, WevionHubUser *user, const char *id)
{
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  set_route (msg, "cancel");
  if (!is_method (msg, "POST"))
    {
      respond_405 (msg, "POST");
      return;
    }
  job = wevion_hub_db_get (hub->db, user->name, id);
  if (job == NULL)
    {
      respond_error (msg, 404, "not_found", "No such job.");
      return;
    }
  if (!wevion_hub_worker_cancel (hub, job))
    {
      respond_error (msg, 409, "conflict", "The job has already ended.");
      return;
    }
  json_object_set_string_member (o, "job_id", id);
  json_object_set_string_member (o, "status", "failed");
  json_object_set_string_member (o, "error_code", "canceled");
  json_node_set_object (root, o);
  respond (msg, 202, "application/json", wevion_json_to_string (root));
}

static void
api_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  WevionHub *hub = data;
  WevionHubUser *user;
  g_auto (GStrv) parts = NULL;
  guint n;

  set_route (msg, "api");
  if (hub->stopping)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      respond_error (msg, 503, "server_error", "The server is shutting down.");
      return;
    }
  if (inject_status (hub, msg))
    goto out;
  user = authenticate (hub, msg);
  if (user == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                    "Bearer realm=\"wevion-hub\"");
      respond_error (msg, 401, "unauthorized", "A valid Bearer token is required.");
      goto out;
    }
  if (rate_limited (hub, user))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      respond_error (msg, 429, "rate_limited", "Too many requests; try again later.");
      goto out;
    }

  if (g_str_has_prefix (path, "/api/v1/team/billing"))
    {
      gint64 from, to, debit = 0, jobs = 0;
      g_autofree char *label = NULL;
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

      set_route (msg, "billing");
      if (hub->options.minimal || !g_str_equal (path, "/api/v1/team/billing"))
        {
          respond_error (msg, 404, "not_found", "No such endpoint.");
          goto out;
        }
      if (!is_method (msg, "GET") && !is_method (msg, "HEAD"))
        {
          respond_405 (msg, "GET, HEAD");
          goto out;
        }
      if (!wevion_hub_parse_month (query ? g_hash_table_lookup (query, "month") : NULL, &from, &to, &label))
        {
          respond_error (msg, 400, "invalid_request", "“month” must be YYYY-MM.");
          goto out;
        }
      wevion_hub_db_billing (hub->db, user->name, from, to, &debit, &jobs);
      json_object_set_string_member (o, "month", label);
      json_object_set_int_member (o, "debit_cents", debit);
      json_object_set_int_member (o, "jobs", jobs);
      json_node_set_object (root, o);
      respond (msg, 200, "application/json", wevion_json_to_string (root));
      goto out;
    }

  if (!g_str_has_prefix (path, API_PREFIX "/"))
    {
      respond_error (msg, 404, "not_found", "No such endpoint.");
      goto out;
    }
  parts = g_strsplit (path + strlen (API_PREFIX "/"), "/", -1);
  n = g_strv_length (parts);
  if (n >= 1 && g_str_equal (parts[0], "jobs"))
    {
      if (n == 1 || (n == 2 && *parts[1] == '\0'))
        handle_list (hub, msg, user, query);
      else if (n == 2)
        handle_job (hub, msg, user, parts[1]);
      else if (n == 3 && g_str_equal (parts[2], "cancel") && !hub->options.minimal)
        handle_cancel (hub, msg, user, parts[1]);
      else
        respond_error (msg, 404, "not_found", "No such endpoint.");
    }
  else if (n == 1 && *parts[0])
    handle_submit (hub, msg, user, parts[0]);
  else
    respond_error (msg, 404, "not_found", "No such endpoint.");

out:
  finish_api (hub, msg);
}

/* ---- result files ------------------------------------------------------------------------- */

typedef struct
{
  WevionHub *hub;
  SoupServerMessage *msg;
  char *path;
  char *name;
  gboolean drop;
} FileRequest;

static void
file_request_free (FileRequest *r)
{
  g_object_unref (r->msg);
  g_free (r->path);
  g_free (r->name);
  g_free (r);
}

typedef struct
{
  WevionHub *hub;
  GIOStream *stream;
  GBytes *bytes;
  guint64 sent;
} Drop;

static void
drop_closed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Drop *d = data;

  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  count (d->hub, "files", d->sent);
  d->hub->n_background--;
  g_object_unref (d->stream);
  g_bytes_unref (d->bytes);
  g_free (d);
}

static void
drop_written_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Drop *d = data;
  gsize written = 0;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, NULL);
  d->sent = written;
  g_io_stream_close_async (d->stream, G_PRIORITY_DEFAULT, NULL, drop_closed_cb, d);
}

/* Sends the headers of the whole file and part of its bytes, then closes the connection. */
static void
serve_dropped (WevionHub *hub, SoupServerMessage *msg, GBytes *file, const char *name, const char *etag)
{
  gsize size = g_bytes_get_size (file);
  gsize part = MAX (1, size / 3);
  g_autoptr (GString) head = g_string_new (NULL);
  Drop *d = g_new0 (Drop, 1);

  g_string_append_printf (head,
                          "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT
                          "\r\nETag: %s\r\nAccept-Ranges: bytes\r\nContent-Disposition: attachment; "
                          "filename=\"%s\"\r\nConnection: close\r\n\r\n",
                          wevion_hub_render_content_type (name), size, etag, name);
  g_string_append_len (head, g_bytes_get_data (file, NULL), part);
  g_object_set_data (G_OBJECT (msg), "wevion-stolen", GINT_TO_POINTER (1));
  d->hub = hub;
  d->stream = soup_server_message_steal_connection (msg);
  d->bytes = g_string_free_to_bytes (g_steal_pointer (&head));
  hub->n_background++;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (d->stream),
                                   g_bytes_get_data (d->bytes, NULL), g_bytes_get_size (d->bytes),
                                   G_PRIORITY_DEFAULT, NULL, drop_written_cb, d);
}

static void
serve_file (WevionHub *hub, SoupServerMessage *msg, const char *path, const char *name, gboolean drop)
{
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *res = soup_server_message_get_response_headers (msg);
  g_autofree char *etag = NULL;
  g_autofree char *disposition = NULL;
  const char *range = soup_message_headers_get_one (req, "Range");
  const char *if_range = soup_message_headers_get_one (req, "If-Range");
  gsize size, start = 0, end = 0;
  gboolean unsatisfiable = FALSE;

  mapped = g_mapped_file_new (path, FALSE, &error);
  if (mapped == NULL)
    {
      respond_error (msg, 404, "not_found", "No such file.");
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  size = g_bytes_get_size (bytes);
  {
    /* from the file's identity, not its bytes: hashing megabytes would hold up the main loop */
    GStatBuf st;

    if (g_stat (path, &st) != 0)
      {
        respond_error (msg, 404, "not_found", "No such file.");
        return;
      }
    etag = g_strdup_printf (
        "\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"", (guint64) st.st_ino,
        (guint64) st.st_mtim.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) st.st_mtim.tv_nsec,
        (guint64) size);
  }
  if (drop)
    {
      serve_dropped (hub, msg, bytes, name, etag);
      return;
    }
  disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);
  soup_message_headers_replace (res, "ETag", etag);
  soup_message_headers_replace (res, "Accept-Ranges", "bytes");
  soup_message_headers_replace (res, "Content-Disposition", disposition);
  soup_message_headers_replace (res, "Cache-Control", "private, max-age=60");
  soup_message_headers_set_content_type (res, wevion_hub_render_content_type (name), NULL);

  if (wevion_hub_etag_matches (soup_message_headers_get_one (req, "If-None-Match"), etag))
    {
      soup_server_message_set_status (msg, 304, NULL);
      return;
    }
  if (range && if_range && !g_str_equal (if_range, etag))
    range = NULL; /* the file changed: send it whole */
  if (range == NULL || !wevion_hub_parse_range (range, size, &start, &end, &unsatisfiable))
    {
      if (!unsatisfiable)
        {
          /* SoupServer would apply a Range to a 200 by itself: we decided to ignore it */
          soup_message_headers_remove (req, "Range");
          range = NULL;
        }
    }
  if (range && !unsatisfiable)
    {
      g_autofree char *cr = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
                                             start, end, size);
      g_autoptr (GBytes) slice = g_bytes_new_from_bytes (bytes, start, end - start + 1);

      soup_message_headers_replace (res, "Content-Range", cr);
      soup_server_message_set_status (msg, 206, NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), slice);
      return;
    }
  if (unsatisfiable)
    {
      g_autofree char *cr = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);

      soup_message_headers_replace (res, "Content-Range", cr);
      soup_message_headers_remove (res, "Content-Disposition");
      respond_error (msg, 416, "range_not_satisfiable", "The requested range is outside the file.");
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  if (!is_method (msg, "HEAD"))
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  else
    soup_message_headers_set_content_length (res, size);
}

static void
lazy_render_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  WevionJob *job = data;
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  const char *name = g_object_get_data (G_OBJECT (task), "name");
  GError *error = NULL;

  gint64 max_bytes = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "max-bytes"));

  if (wevion_hub_render_file (wevion_job_get_id (job), wevion_job_get_job_type (job),
                              wevion_job_get_prompt (job), wevion_job_get_settings (job), name, path,
                              max_bytes, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
lazy_render_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  FileRequest *r = data;
  g_autoptr (GError) error = NULL;

  r->hub->n_background--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Cannot render %s: %s", r->path, error->message);
      respond_error (r->msg, 500, "server_error", "The file could not be produced.");
    }
  else
    serve_file (r->hub, r->msg, r->path, r->name, r->drop);
  soup_server_message_unpause (r->msg);
  file_request_free (r);
}

static void
files_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  WevionHub *hub = data;
  g_autofree char *file_id = NULL;
  g_autofree char *file_name = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autofree char *file_path = NULL;
  g_autofree char *dir = NULL;
  const char *const *names;
  const char *thumb = NULL;
  gboolean known = FALSE, drop;
  WevionHubSignCheck check;

  set_route (msg, "files");
  if (!is_method (msg, "GET") && !is_method (msg, "HEAD"))
    {
      respond_405 (msg, "GET, HEAD");
      return;
    }
  if (!wevion_hub_parse_file_path (path, &file_id, &file_name))
    {
      respond_error (msg, 404, "not_found", "No such file.");
      return;
    }
  job = wevion_hub_db_get (hub->db, NULL, file_id);
  if (job && wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
    {
      names = wevion_job_get_result_urls (job);
      for (guint i = 0; names && names[i]; i++)
        known |= g_str_equal (names[i], file_name);
      if (wevion_json_get_string (wevion_job_get_metadata (job), "thumbnail_url", &thumb))
        known |= g_str_equal (thumb, file_name);
    }
  if (!known)
    {
      respond_error (msg, 404, "not_found", "No such file.");
      return;
    }
  /* unknown files are 404 whatever the signature; known ones need a valid, unexpired one */
  check = wevion_hub_signer_check (hub->signer, path, query ? g_hash_table_lookup (query, "expires") : NULL,
                                   query ? g_hash_table_lookup (query, "sig") : NULL,
                                   g_get_real_time () / G_USEC_PER_SEC);
  if (check != WEVION_HUB_SIGN_OK)
    {
      respond_error (msg, 403, check == WEVION_HUB_SIGN_EXPIRED ? "expired" : "forbidden",
                     check == WEVION_HUB_SIGN_EXPIRED ? "This link has expired; ask for the job again."
                                                      : "This link is not valid.");
      return;
    }
  dir = wevion_hub_job_dir (hub, file_id);
  file_path = g_build_filename (dir, file_name, NULL);
  drop = hub->faults.drop_download > 0 && !is_method (msg, "HEAD")
         && g_rand_double (hub->fault_rand) < hub->faults.drop_download;
  if (!g_file_test (file_path, G_FILE_TEST_EXISTS))
    {
      /* rendered lazily on the first download (demo rows) */
      FileRequest *r = g_new0 (FileRequest, 1);
      g_autoptr (GTask) task = NULL;

      r->hub = hub;
      r->msg = g_object_ref (msg);
      r->path = g_strdup (file_path);
      r->name = g_strdup (file_name);
      r->drop = drop;
      task = g_task_new (NULL, NULL, lazy_render_done_cb, r);
      g_object_set_data_full (G_OBJECT (task), "path", g_strdup (file_path), g_free);
      g_object_set_data_full (G_OBJECT (task), "name", g_strdup (file_name), g_free);
      g_object_set_data (G_OBJECT (task), "max-bytes", GSIZE_TO_POINTER (wevion_hub_max_result_bytes (hub)));
      g_task_set_task_data (task, g_object_ref (job), g_object_unref);
      hub->n_background++;
      soup_server_message_pause (msg);
      g_task_run_in_thread (task, lazy_render_thread);
      return;
    }
  serve_file (hub, msg, file_path, file_name, drop);
}

/* ---- HTML pages --------------------------------------------------------------------------- */

static const char page_head[]
    = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"
      "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;padding:0 1em}"
      "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
      "img{max-width:100%%;border:1px solid #ccc}</style></head><body>\n<h1>%s</h1>\n";

static GString *
page_new (const char *title)
{
  g_autofree char *t = g_markup_escape_text (title, -1);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, page_head, t, t);
  return s;
}

static void
page_respond (SoupServerMessage *msg, guint status, GString *s)
{
  g_string_append (s, "</body></html>\n");
  respond (msg, status, "text/html; charset=utf-8", g_string_free (s, FALSE));
}

static void
drive_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  WevionHub *hub = data;
  const char *folder = path + strlen ("/drive/folders/");
  g_autoptr (WevionJob) job = NULL;
  g_autofree char *base = base_url_for (hub, msg);
  g_autoptr (JsonNode) node = NULL;
  GString *s;
  const char *const *urls;

  set_route (msg, "drive");
  if (!g_str_has_prefix (path, "/drive/folders/") || strchr (folder, '/') || *folder == '\0'
      || (job = wevion_hub_db_get_by_folder (hub->db, folder)) == NULL)
    {
      s = page_new ("Folder not found");
      g_string_append (s, "<p>No Drive folder has this id, or you have no access to it.</p>\n");
      page_respond (msg, 404, s);
      return;
    }
  node = row_to_wire (hub, job, base, current_expiry (hub));
  s = page_new ("Creative Hub folder");
  {
    g_autofree char *f = g_markup_escape_text (folder, -1);
    g_autofree char *p = g_markup_escape_text (wevion_job_get_prompt (job), -1);
    g_autofree char *id = g_markup_escape_text (wevion_job_get_id (job), -1);

    g_string_append_printf (s, "<p>Folder <code>%s</code>, job <code>%s</code></p>\n<p>Prompt: %s</p>\n", f,
                            id, p);
  }
  g_string_append (s, "<table><tr><th>File</th><th>Type</th></tr>\n");
  urls = wevion_job_get_result_urls (job);
  for (guint i = 0; urls && urls[i]; i++)
    {
      g_autofree char *u = g_markup_escape_text (urls[i], -1);
      g_autofree char *name = g_strdup_printf ("result %u", i + 1);

      g_string_append_printf (s, "<tr><td><a href=\"%s\">%s</a></td><td>%s</td></tr>\n", u, name,
                              wevion_job_get_type_name (job));
    }
  g_string_append (s, "</table>\n");
  page_respond (msg, 200, s);
}

static gboolean
is_audio_url (const char *url)
{
  g_autofree char *path = g_strndup (url, strcspn (url, "?#"));

  return g_str_has_suffix (path, ".wav") || g_str_has_suffix (path, ".mp3");
}

static void
campaign_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const char *job_id = query ? g_hash_table_lookup (query, "creative_job_id") : NULL;
  const char *url = query ? g_hash_table_lookup (query, "result_url") : NULL;
  GString *s = page_new ("New campaign");

  set_route (msg, "campaigns");
  if (job_id && !g_utf8_validate (job_id, -1, NULL))
    job_id = NULL;
  if (url
      && (!g_utf8_validate (url, -1, NULL)
          || !(g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"))))
    url = NULL;
  g_string_append (
      s, "<form><p><label>Campaign name <input name=\"name\" value=\"Untitled campaign\"></label></p>\n"
         "<h2>Creative</h2>\n");
  if (job_id || url)
    {
      g_autofree char *j = g_markup_escape_text (job_id ? job_id : "", -1);
      g_autofree char *u = g_markup_escape_text (url ? url : "", -1);

      g_string_append_printf (
          s, "<p>Pre-selected creative from job <code id=\"creative-job\">%s</code></p>\n", j);
      if (url && is_audio_url (url))
        g_string_append_printf (s,
                                "<p><audio id=\"creative\" controls src=\"%s\"></audio></p>\n"
                                "<p><a href=\"%s\">Open the file</a></p>\n",
                                u, u);
      else if (url)
        g_string_append_printf (s,
                                "<p><img id=\"creative\" src=\"%s\" alt=\"the selected creative\"></p>\n"
                                "<p><a href=\"%s\">Open the file</a></p>\n",
                                u, u);
    }
  else
    g_string_append (s, "<p>No creative selected.</p>\n");
  g_string_append (s, "<p><button type=\"button\">Create campaign</button></p></form>\n");
  page_respond (msg, 200, s);
}

static void
billing_page_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer data)
{
  WevionHub *hub = data;
  gint64 from, to;
  g_autofree char *label = NULL;
  GString *s;
  GHashTableIter iter;
  gpointer value;

  set_route (msg, "billing_page");
  if (!wevion_hub_parse_month (query ? g_hash_table_lookup (query, "month") : NULL, &from, &to, &label))
    wevion_hub_parse_month (NULL, &from, &to, &label);
  s = page_new ("Team billing");
  g_string_append_printf (s,
                          "<p>Debit for <strong id=\"month\">%s</strong> (completed jobs; failed jobs cost "
                          "nothing)</p>\n<table><tr><th>User</th><th>Jobs</th><th>Debit</th></tr>\n",
                          label);
  g_hash_table_iter_init (&iter, hub->users);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      WevionHubUser *u = value;
      gint64 debit = 0, n = 0;
      g_autofree char *name = g_markup_escape_text (u->name, -1);
      g_autofree char *money = NULL;
      g_autofree char *money_e = NULL;

      wevion_hub_db_billing (hub->db, u->name, from, to, &debit, &n);
      money = wevion_format_cents (debit);
      money_e = g_markup_escape_text (money, -1);
      g_string_append_printf (s,
                              "<tr><td>%s</td><td>%" G_GINT64_FORMAT "</td><td data-cents=\"%" G_GINT64_FORMAT
                              "\">%s</td></tr>\n",
                              name, n, debit, money_e);
    }
  g_string_append (s, "</table>\n");
  page_respond (msg, 200, s);
}

/* ---- admin -------------------------------------------------------------------------------- */

static void
admin_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  WevionHub *hub = data;

  set_route (msg, "admin");
  if (!is_loopback (msg))
    {
      respond_error (msg, 403, "forbidden", "The admin endpoints answer loopback clients only.");
      return;
    }
  if (g_str_equal (path, "/admin/faults"))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) body = NULL;
      g_autofree char *spec = NULL;
      g_autofree char *now = NULL;
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      gboolean was_stalled = hub->faults.stall_queue;

      if (is_method (msg, "POST") || is_method (msg, "PUT"))
        {
          gsize len;
          const char *d;

          body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
          d = g_bytes_get_data (body, &len);
          spec = g_strndup (d ? d : "", len);
          if (len > 4096 || !g_utf8_validate (spec, -1, NULL)
              || !wevion_hub_faults_parse (&hub->faults, spec, &error))
            {
              respond_error (msg, 400, "invalid_request", error ? error->message : "The spec is too long.");
              return;
            }
          g_message ("Faults now: %s", *spec ? spec : "none");
          if (was_stalled && !hub->faults.stall_queue)
            wevion_hub_worker_pump (hub);
        }
      else if (!is_method (msg, "GET"))
        {
          respond_405 (msg, "GET, POST");
          return;
        }
      now = wevion_hub_faults_to_string (&hub->faults);
      json_object_set_string_member (o, "faults", now);
      json_node_set_object (root, o);
      respond (msg, 200, "application/json", wevion_json_to_string (root));
      return;
    }
  if (g_str_equal (path, "/admin/stats"))
    {
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonObject) routes = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      GHashTableIter iter;
      gpointer key, value;
      guint64 total_r = 0, total_b = 0;

      if (!is_method (msg, "GET"))
        {
          respond_405 (msg, "GET");
          return;
        }
      g_hash_table_iter_init (&iter, hub->stats);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          WevionHubRouteStats *st = value;
          JsonObject *r = json_object_new ();

          json_object_set_int_member (r, "requests", (gint64) st->requests);
          json_object_set_int_member (r, "bytes", (gint64) st->bytes);
          json_object_set_object_member (routes, key, r);
          total_r += st->requests;
          total_b += st->bytes;
        }
      json_object_set_object_member (o, "routes", json_object_ref (routes));
      json_object_set_int_member (o, "requests", (gint64) total_r);
      json_object_set_int_member (o, "bytes", (gint64) total_b);
      json_object_set_int_member (o, "jobs", wevion_hub_db_count (hub->db));
      json_object_set_int_member (o, "pending", g_queue_get_length (&hub->pending));
      json_object_set_int_member (o, "processing", g_hash_table_size (hub->running));
      json_object_set_int_member (o, "in_flight", hub->n_background);
      json_object_set_int_member (o, "dropped_slow", (gint64) hub->n_dropped_slow);
      json_object_set_int_member (o, "dropped_idle", (gint64) hub->n_dropped_idle);
      json_object_set_int_member (o, "too_large", (gint64) hub->n_too_large);
      json_node_set_object (root, o);
      respond (msg, 200, "application/json", wevion_json_to_string (root));
      return;
    }
  respond_error (msg, 404, "not_found", "No such endpoint.");
}

static void
default_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  set_route (msg, "other");
  if (g_str_equal (path, "/"))
    {
      GString *s = page_new ("wevion-hub");

      g_string_append (s, "<p>A local Creative Hub server. API under <code>/api/v1/creative-hub</code>.</p>\n"
                          "<p><a href=\"/settings/team/billing\">Team billing</a> · "
                          "<a href=\"/campaigns/new\">New campaign</a></p>\n");
      page_respond (msg, 200, s);
      return;
    }
  respond_error (msg, 404, "not_found", "No such endpoint.");
}

/* ---- connection hygiene: slow clients and bodies without a length ------------------------ */

/* A request must arrive whole (headers and body) within --read-timeout seconds of its first byte
 * (for the first request of a connection: of the accept), else the connection is cut: a client
 * that trickles headers (slowloris) or a body cannot hold a connection open forever. libsoup's
 * SoupServer has no such timer, so each message gets one from request-started to request-read. */
typedef struct
{
  WevionHub *hub;
  SoupServerMessage *msg; /* weak */
  guint id;
} ReadDeadline;

static void
read_deadline_msg_gone (gpointer data, GObject *where_the_object_was)
{
  ReadDeadline *d = data;

  d->msg = NULL;
  g_source_remove (d->id); /* frees d */
}

static gboolean
read_deadline_cb (gpointer data)
{
  ReadDeadline *d = data;
  GSocket *socket;

  g_object_weak_unref (G_OBJECT (d->msg), read_deadline_msg_gone, d);
  g_object_set_data (G_OBJECT (d->msg), "wevion-read-deadline", NULL);
  socket = soup_server_message_get_socket (d->msg);
  d->hub->n_dropped_slow++;
  g_debug ("Dropping a client that did not send its request within %d s", d->hub->options.read_timeout);
  /* libsoup sees the end of the stream, gives up the message and closes the connection */
  if (socket)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
read_deadline_clear (SoupServerMessage *msg)
{
  ReadDeadline *d = g_object_steal_data (G_OBJECT (msg), "wevion-read-deadline");

  if (d == NULL)
    return;
  g_object_weak_unref (G_OBJECT (msg), read_deadline_msg_gone, d);
  g_source_remove (d->id); /* frees d */
}

/* Bodies without a Content-Length (chunked) are counted as they come: beyond MAX_BODY what was
 * read is dropped, so memory stays bounded, and the request is answered 413 once it ends (or cut
 * by the read deadline if it never does). */
static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, WevionHub *hub)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body && body->length > MAX_BODY)
    {
      soup_message_body_truncate (body);
      g_object_set_data (G_OBJECT (msg), "wevion-too-large", GINT_TO_POINTER (1));
    }
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, WevionHub *hub)
{
  ReadDeadline *d = g_new0 (ReadDeadline, 1);

  idle_timer_stop (msg);
  d->hub = hub;
  d->msg = msg;
  d->id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, hub->options.read_timeout, read_deadline_cb, d,
                                      g_free);
  g_object_weak_ref (G_OBJECT (msg), read_deadline_msg_gone, d);
  g_object_set_data (G_OBJECT (msg), "wevion-read-deadline", d);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), hub);
}

static void
respond_too_large (WevionHub *hub, SoupServerMessage *msg)
{
  hub->n_too_large++;
  set_route (msg, "api");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  respond_error (msg, 413, "too_large", "The request body is larger than 1 MiB.");
}

/* the whole request is in: no deadline any more; an oversized chunked body gets its 413 here,
 * before any handler sees it */
static void
request_read_cb (SoupServer *server, SoupServerMessage *msg, WevionHub *hub)
{
  read_deadline_clear (msg);
  if (g_object_get_data (G_OBJECT (msg), "wevion-too-large"))
    respond_too_large (hub, msg);
}

/* Refuses an announced oversized body before it is read. */
static void
early_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (req) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (req) > MAX_BODY)
    {
      /* With "Expect: 100-continue" libsoup answers now and never reads the body; without, HTTP
       * makes it read (and here drop: nothing accumulates) the body first, within the deadline. */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_too_large (data, msg);
    }
}

gboolean
wevion_hub_server_setup (WevionHub *hub, GError **error)
{
  hub->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  hub->sign_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  hub->wire_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) wire_entry_free);
  hub->server = soup_server_new ("server-header", "wevion-hub/" PACKAGE_VERSION " ", NULL);
  g_signal_connect (hub->server, "request-started", G_CALLBACK (request_started_cb), hub);
  g_signal_connect (hub->server, "request-read", G_CALLBACK (request_read_cb), hub);
  g_signal_connect (hub->server, "request-finished", G_CALLBACK (request_finished_cb), hub);
  g_signal_connect (hub->server, "request-aborted", G_CALLBACK (request_finished_cb), hub);
  soup_server_add_handler (hub->server, NULL, default_cb, hub, NULL);
  /* libsoup calls the early handler of the path's own handler only: one for each */
  for (const char *const *p = (const char *const[]){ "/api", "/files", "/drive", "/campaigns/new",
                                                     "/settings/team/billing", "/admin", NULL };
       *p; p++)
    soup_server_add_early_handler (hub->server, *p, early_cb, hub, NULL);
  soup_server_add_early_handler (hub->server, NULL, early_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/api", api_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/files", files_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/drive", drive_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/campaigns/new", campaign_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/settings/team/billing", billing_page_cb, hub, NULL);
  soup_server_add_handler (hub->server, "/admin", admin_cb, hub, NULL);
  return TRUE;
}
