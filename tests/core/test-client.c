/* test-client.c: WevionClient against an in-process SoupServer (no hub needed): every error code,
 * redirects, Retry-After, ETag/304, content type, malformed bodies, TLS, and no token in logs. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "core-test-utils.h"
#include "test-cert.h"

#define TOKEN "s3cret-token-XYZ"
#define PREFIX "/api/v1/creative-hub/generate"

typedef struct
{
  SoupServer *server;
  char *base;
  GPtrArray *auth_seen; /* Authorization header per request ("" when none) */
  GPtrArray *paths;
  guint requests;
  gboolean bare;
} Server;

static Server a, b;
static GString *logged;

static void
send_json (SoupServerMessage *msg, guint status, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Server *s = data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  const char *auth = soup_message_headers_get_one (req, "Authorization");
  g_autofree char *base_redirect = NULL;

  s->requests++;
  g_ptr_array_add (s->auth_seen, g_strdup (auth ? auth : ""));
  g_ptr_array_add (s->paths, g_strdup (path));

  if (g_strcmp0 (path, PREFIX "/jobs") == 0)
    {
      g_autofree char *row = wt_row ("j1", "pending", "2026-11-01T10:00:00Z", NULL);
      g_autofree char *body = s->bare ? g_strdup_printf ("[%s]", row)
                                      : g_strdup_printf ("{\"jobs\":[%s],\"next_cursor\":\"n2\"}", row);
      const char *inm = soup_message_headers_get_one (req, "If-None-Match");

      if (query && g_hash_table_lookup (query, "status"))
        soup_message_headers_replace (resp, "X-Status-Param", g_hash_table_lookup (query, "status"));
      if (!s->bare)
        soup_message_headers_replace (resp, "ETag", "\"v1\"");
      if (!s->bare && g_strcmp0 (inm, "\"v1\"") == 0)
        {
          soup_server_message_set_status (msg, 304, NULL);
          return;
        }
      send_json (msg, 200, body);
      return;
    }
  if (g_str_has_prefix (path, "/moved" PREFIX "/jobs/"))
    {
      g_autofree char *row
          = wt_row (path + strlen ("/moved" PREFIX "/jobs/"), "completed", "2026-11-01T10:00:00Z", NULL);

      send_json (msg, 200, row);
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/j3") == 0)
    {
      g_autofree char *row = wt_row ("j3", "pending", "2026-11-01T10:00:00Z", NULL);

      send_json (msg, 200, row);
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/j1") == 0)
    {
      g_autofree char *row = wt_row ("j1", "completed", "2026-11-01T10:00:00Z", NULL);

      send_json (msg, 200, row);
      return;
    }
  if (g_str_has_prefix (path, PREFIX "/jobs/status-"))
    {
      guint status = (guint) g_ascii_strtoull (path + strlen (PREFIX "/jobs/status-"), NULL, 10);

      if (status == 429 || status == 503)
        soup_message_headers_replace (resp, "Retry-After", "7");
      send_json (msg, status, "{\"error\":{\"code\":\"some_code\",\"message\":\"said by the server\"}}");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/html") == 0)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<html></html>", 13);
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/malformed") == 0)
    {
      send_json (msg, 200, "{\"id\": \"malformed\", ");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/other-id") == 0)
    {
      g_autofree char *row = wt_row ("not-the-one", "completed", "2026-11-01T10:00:00Z", NULL);

      send_json (msg, 200, row);
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/slow") == 0)
    {
      soup_server_message_pause (msg); /* never answered */
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/redir-same") == 0)
    {
      soup_server_message_set_redirect (msg, 302, "/moved" PREFIX "/jobs/redir-same");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/redir-other") == 0)
    {
      base_redirect = g_strconcat (b.base, "/moved" PREFIX "/jobs/redir-other", NULL);
      soup_server_message_set_redirect (msg, 307, base_redirect);
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/redir-loop") == 0)
    {
      soup_server_message_set_redirect (msg, 302, PREFIX "/jobs/redir-loop");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/redir-insecure") == 0)
    {
      soup_server_message_set_redirect (msg, 301, "http://example.com" PREFIX "/jobs/j1");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/image") == 0 && g_strcmp0 (soup_server_message_get_method (msg), "POST") == 0)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
      g_autoptr (JsonNode) root
          = wevion_json_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
      JsonObject *object = root ? json_node_get_object (root) : NULL;

      if (object == NULL || g_strcmp0 (json_object_get_string_member (object, "prompt"), "a red fox") != 0
          || g_strcmp0 (json_object_get_string_member (object, "provider"), "flux_2_pro") != 0
          || json_object_get_int_member (json_object_get_object_member (object, "settings"), "steps") != 30)
        {
          send_json (msg, 400, "{\"error\":{\"code\":\"invalid_request\",\"message\":\"bad body\"}}");
          return;
        }
      send_json (msg, 202, "{\"job_id\":\"new-1\",\"status\":\"pending\"}");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/j1/cancel") == 0)
    {
      send_json (msg, 409, "{\"error\":{\"code\":\"conflict\",\"message\":\"already ended\"}}");
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs/j2/cancel") == 0)
    {
      send_json (msg, 202, "{\"status\":\"failed\"}");
      return;
    }
  if (g_strcmp0 (path, "/api/v1/team/billing") == 0 && !s->bare)
    {
      if (g_strcmp0 (query ? g_hash_table_lookup (query, "month") : NULL, "2026-11") != 0)
        {
          send_json (msg, 400, "{}");
          return;
        }
      send_json (msg, 200, "{\"month\":\"2026-11\",\"debit_cents\":1234,\"jobs\":5}");
      return;
    }
  soup_server_message_set_status (msg, 404, NULL); /* no body: like a server without the endpoint */
}

static void
server_start (Server *s, gboolean tls)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  s->server = soup_server_new (NULL, NULL);
  if (tls)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_pem (test_cert_pem, -1, &error);

      g_assert_no_error (error);
      soup_server_set_tls_certificate (s->server, cert);
    }
  soup_server_add_handler (s->server, NULL, handler, s, NULL);
  soup_server_listen_local (s->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (tls ? SOUP_SERVER_LISTEN_HTTPS : 0),
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (s->server);
  s->base = g_uri_to_string (uris->data);
  if (g_str_has_suffix (s->base, "/"))
    s->base[strlen (s->base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  s->auth_seen = g_ptr_array_new_with_free_func (g_free);
  s->paths = g_ptr_array_new_with_free_func (g_free);
}

static void
server_stop (Server *s)
{
  soup_server_disconnect (s->server);
  g_clear_object (&s->server);
  g_clear_pointer (&s->base, g_free);
  g_clear_pointer (&s->auth_seen, g_ptr_array_unref);
  g_clear_pointer (&s->paths, g_ptr_array_unref);
  s->requests = 0;
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static WevionJob *
get_job (WevionClient *client, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_client_get_job_async (client, id, NULL, result_cb, &result);
  return wevion_client_get_job_finish (client, wait_result (&result), error);
}

static WevionClient *
new_client (const char *base)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client = wevion_client_new (base, TOKEN, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_insecure_and_invalid (void)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client;

  g_assert_null (wevion_client_new ("http://api.example.com", TOKEN, &error));
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_INSECURE);
  g_assert_null (strstr (error->message, TOKEN));
  g_clear_error (&error);
  g_assert_null (wevion_client_new ("ftp://127.0.0.1", TOKEN, &error));
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    {
      const char *ok[]
          = { "http://127.0.0.1:1", "http://localhost:2/", "http://[::1]:3", "https://api.example.com" };

      client = wevion_client_new (ok[i], TOKEN, &error);
      g_assert_no_error (error);
      g_assert_finalize_object (client);
    }
  g_assert_true (wevion_host_is_loopback ("127.8.9.10"));
  g_assert_false (wevion_host_is_loopback ("128.0.0.1"));
  g_assert_false (wevion_host_is_loopback ("localhost.example.com"));
}

static void
test_get_and_auth (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = get_job (client, "j1", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (wevion_job_get_id (job), ==, "j1");
  g_assert_cmpstr (g_ptr_array_index (a.auth_seen, a.auth_seen->len - 1), ==, "Bearer " TOKEN);
  g_assert_cmpuint (wevion_client_get_requests (client), ==, 1);
  g_assert_cmpuint (wevion_client_get_bytes_received (client), >, 0);
  /* the client keeps no reference to what it returned, nor the job to the client */
  g_assert_finalize_object (client);
  g_assert_finalize_object (g_steal_pointer (&job));
}

static void
expect_error (WevionClient *client, const char *id, WevionClientError code, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = get_job (client, id, &error);

  g_assert_null (job);
  g_assert_error (error, WEVION_CLIENT_ERROR, (int) code);
  if (words)
    g_assert_nonnull (strstr (error->message, words));
  g_assert_null (strstr (error->message, TOKEN));
  g_assert_cmpstr (wevion_client_error_get_advice (error), !=, "");
}

static void
test_status_mapping (void)
{
  WevionClient *client = new_client (a.base);

  expect_error (client, "status-400", WEVION_CLIENT_ERROR_INVALID_REQUEST, "said by the server");
  expect_error (client, "status-401", WEVION_CLIENT_ERROR_UNAUTHORIZED, "HTTP 401");
  expect_error (client, "status-403", WEVION_CLIENT_ERROR_UNAUTHORIZED, "HTTP 403");
  expect_error (client, "status-404", WEVION_CLIENT_ERROR_NOT_FOUND, "HTTP 404");
  expect_error (client, "status-409", WEVION_CLIENT_ERROR_CONFLICT, "HTTP 409");
  expect_error (client, "status-413", WEVION_CLIENT_ERROR_INVALID_REQUEST, "too large");
  expect_error (client, "status-500", WEVION_CLIENT_ERROR_SERVER, "HTTP 500");
  expect_error (client, "status-503", WEVION_CLIENT_ERROR_SERVER, "The server is busy (HTTP 503)");
  expect_error (client, "html", WEVION_CLIENT_ERROR_INVALID_RESPONSE, "text/html");
  expect_error (client, "malformed", WEVION_CLIENT_ERROR_INVALID_RESPONSE, NULL);
  expect_error (client, "other-id", WEVION_CLIENT_ERROR_INVALID_RESPONSE, NULL);
  expect_error (client, "redir-loop", WEVION_CLIENT_ERROR_INVALID_RESPONSE, "redirected too many");
  expect_error (client, "redir-insecure", WEVION_CLIENT_ERROR_INSECURE, "example.com");
  g_assert_finalize_object (client);
}

static void
test_retry_after (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = get_job (client, "status-429", &error);
  g_autoptr (GError) copy = NULL;

  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpint (wevion_client_get_retry_after (error), ==, 7);
  g_assert_cmpuint (wevion_client_get_http_status (error), ==, 429);
  /* survives a copy (e.g. the poller's last-error) */
  copy = g_error_copy (error);
  g_assert_cmpint (wevion_client_get_retry_after (copy), ==, 7);
  g_clear_error (&error);
  job = get_job (client, "status-500", &error);
  g_assert_cmpint (wevion_client_get_retry_after (error), ==, -1);
  g_assert_finalize_object (client);
}

static void
test_redirects (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = NULL;
  guint before = a.auth_seen->len;

  /* same origin: followed, token kept */
  job = get_job (client, "redir-same", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wevion_job_get_id (job), ==, "redir-same");
  g_assert_cmpuint (a.auth_seen->len, ==, before + 2);
  g_assert_cmpstr (g_ptr_array_index (a.auth_seen, before + 1), ==, "Bearer " TOKEN);
  g_clear_object (&job);

  /* another origin (another port): followed, but never with the token */
  job = get_job (client, "redir-other", &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
  g_assert_cmpuint (b.auth_seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (b.auth_seen, 0), ==, "");
  g_assert_finalize_object (client);
}

static void
test_etag (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  gboolean filtered = FALSE;

  query->status = g_strdup ("pending,processing");
  for (int round = 0; round < 2; round++)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autofree char *cursor = NULL;
      g_autoptr (GPtrArray) jobs = NULL;

      wevion_client_list_async (client, query, NULL, result_cb, &result);
      jobs = wevion_client_list_finish (client, wait_result (&result), &cursor, &filtered, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (jobs->len, ==, 1);
      g_assert_cmpstr (cursor, ==, "n2");
      g_assert_true (filtered);
    }
  /* the second answer was a 304 that reused the first */
  g_assert_cmpuint (wevion_client_get_requests (client), ==, 2);
  g_assert_cmpuint (wevion_client_get_not_modified (client), ==, 1);
  g_assert_finalize_object (client);
}

static void
test_bare_array (void)
{
  WevionClient *client = new_client (b.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  gboolean filtered = TRUE;
  g_autofree char *cursor = NULL;
  g_autoptr (GPtrArray) jobs = NULL;

  query->status = g_strdup ("pending");
  wevion_client_list_async (client, query, NULL, result_cb, &result);
  jobs = wevion_client_list_finish (client, wait_result (&result), &cursor, &filtered, &error);
  g_assert_no_error (error);
  g_assert_false (filtered);
  g_assert_null (cursor);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_clear_object (&result);
  g_assert_finalize_object (client);
}

static void
test_submit_cancel_billing (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) settings = json_object_new ();
  g_autoptr (GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;
  g_autofree char *id = NULL;
  gint64 debit = 0;
  int n = 0;

  json_object_set_int_member (settings, "steps", 30);
  wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "flux_2_pro", "a red fox", settings, NULL, NULL,
                              result_cb, &r1);
  id = wevion_client_submit_finish (client, wait_result (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "new-1");

  wevion_client_cancel_async (client, "j1", NULL, result_cb, &r2);
  g_assert_false (wevion_client_cancel_finish (client, wait_result (&r2), &error));
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);
  wevion_client_cancel_async (client, "j2", NULL, result_cb, &r3);
  g_assert_true (wevion_client_cancel_finish (client, wait_result (&r3), &error));
  g_assert_no_error (error);
  wevion_client_cancel_async (client, "j3", NULL, result_cb, &r4);
  g_assert_false (wevion_client_cancel_finish (client, wait_result (&r4), &error));
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  wevion_client_billing_async (client, "2026-11", NULL, result_cb, &r5);
  g_assert_true (wevion_client_billing_finish (client, wait_result (&r5), &debit, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (debit, ==, 1234);
  g_assert_cmpint (n, ==, 5);
  g_clear_object (&r1);
  g_clear_object (&r2);
  g_clear_object (&r3);
  g_clear_object (&r4);
  g_clear_object (&r5);
  g_assert_finalize_object (client);
}

static void
test_timeout_and_network (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GError) error = NULL;
  g_autofree char *closed = NULL;
  guint16 port;

  wevion_client_set_timeout (client, 1);
  expect_error (client, "slow", WEVION_CLIENT_ERROR_TIMEOUT, "1 second");
  g_assert_finalize_object (client);

  /* a port nobody listens on */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_clear_object (&address);
  address = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
  g_socket_close (socket, NULL);
  closed = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = new_client (closed);
  expect_error (client, "j1", WEVION_CLIENT_ERROR_NETWORK, NULL);
  g_assert_finalize_object (client);
}

static void
test_tls_error (void)
{
  Server tls = { 0 };
  WevionClient *client;
  g_autofree char *https = NULL;

  server_start (&tls, TRUE);
  https = g_strdup (tls.base);
  g_assert_true (g_str_has_prefix (https, "https://"));
  client = new_client (https);
  expect_error (client, "j1", WEVION_CLIENT_ERROR_TLS, NULL);
  /* the server never saw the request (no token sent over an unverified connection) */
  g_assert_cmpuint (tls.requests, ==, 0);
  g_assert_finalize_object (client);
  server_stop (&tls);
}

static void
test_cancelled_by_caller (void)
{
  WevionClient *client = new_client (a.base);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  wevion_client_get_job_async (client, "slow", cancellable, result_cb, &result);
  g_cancellable_cancel (cancellable);
  g_assert_null (wevion_client_get_job_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);
  g_assert_finalize_object (client);
}

static void
test_query_string (void)
{
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *text = NULL;
  g_autoptr (WevionListQuery) copy = NULL;
  g_autofree char *copy_text = NULL;

  query->status = g_strdup ("pending,processing");
  query->q = g_strdup ("red fox & co");
  query->since = g_date_time_new (utc, 2026, 11, 1, 0, 0, 0);
  query->limit = 9999;
  query->include_archived = TRUE;
  text = wevion_list_query_to_string (query);
  g_assert_cmpstr (
      text, ==,
      "status=pending%2Cprocessing&since=2026-11-01T00%3A00%3A00Z&q=red%20fox%20%26%20co&limit=500&"
      "include_archived=true");
  copy = wevion_list_query_copy (query);
  copy_text = wevion_list_query_to_string (copy);
  g_assert_cmpstr (copy_text, ==, text);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      {
        g_string_append (logged, fields[i].length < 0 ? fields[i].value : "");
        g_string_append_c (logged, '\n');
      }
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_token_never_logged (void)
{
  /* every test above ran with all messages captured */
  g_assert_cmpuint (logged->len, >, 0);
  g_assert_null (strstr (logged->str, TOKEN));
}

int
main (int argc, char *argv[])
{
  int ret;

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_test_init (&argc, &argv, NULL);
  logged = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_message ("capturing logs");
  server_start (&a, FALSE);
  server_start (&b, FALSE);
  b.bare = TRUE;

  g_test_add_func ("/wevion/client/insecure", test_insecure_and_invalid);
  g_test_add_func ("/wevion/client/get-and-auth", test_get_and_auth);
  g_test_add_func ("/wevion/client/status-mapping", test_status_mapping);
  g_test_add_func ("/wevion/client/retry-after", test_retry_after);
  g_test_add_func ("/wevion/client/redirects", test_redirects);
  g_test_add_func ("/wevion/client/etag", test_etag);
  g_test_add_func ("/wevion/client/bare-array", test_bare_array);
  g_test_add_func ("/wevion/client/submit-cancel-billing", test_submit_cancel_billing);
  g_test_add_func ("/wevion/client/timeout-and-network", test_timeout_and_network);
  g_test_add_func ("/wevion/client/tls", test_tls_error);
  g_test_add_func ("/wevion/client/cancelled", test_cancelled_by_caller);
  g_test_add_func ("/wevion/client/query-string", test_query_string);
  g_test_add_func ("/wevion/client/token-never-logged", test_token_never_logged);
  ret = g_test_run ();
  server_stop (&a);
  server_stop (&b);
  g_string_free (logged, TRUE);
  return ret;
}
