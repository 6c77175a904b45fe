/* test-hub-lifecycle.c: durability across kill -9, graceful SIGTERM, every fault kind, admin
 * stats, and the static library's pieces in-process. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "hub-test-utils.h"
#include "wevion-hub-db.h"
#include "wevion-hub-faults.h"
#include "wevion-hub-render.h"
#include "wevion-hub-sign.h"

#define TOKEN "demo-token"
#define JOBS "/api/v1/creative-hub/generate/jobs"

static void
test_durability (void)
{
  /* at --speed 1 a veo_3 job takes a minute: it is surely unfinished when killed */
  const char *const slow[] = { "--speed", "1", NULL };
  HubProc *hub = hub_start (NULL, slow);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id
      = hub_submit (s, hub, TOKEN, "video", "veo_3", "survives a crash [ok]", "{\"seconds\":1}");
  g_autofree char *dir = g_strdup (hub->dir);
  HubProc *again;
  g_autoptr (JsonObject) row = NULL;

  hub_kill (hub);
  hub->own_dir = FALSE;
  hub_free (hub);

  again = hub_start (dir, NULL);
  again->own_dir = TRUE;
  row = hub_wait_job (s, again, TOKEN, id, "completed");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (row, "prompt"), ==, "survives a crash [ok]");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (row, "result_urls")), ==, 1);
  hub_stop (again);
}

static void
wrote_headers_cb (SoupMessage *msg, gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GBytes **out = data;
  g_autoptr (GError) error = NULL;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
stats_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GBytes **out = data;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  if (*out == NULL)
    *out = g_bytes_new (NULL, 0);
}

/* TRUE when a new TCP connection to @hub is refused */
static gboolean
connection_refused (HubProc *hub)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (hub->url, G_URI_FLAGS_NONE, NULL);

  conn = g_socket_client_connect_to_host (client, g_uri_get_host (uri), (guint16) g_uri_get_port (uri), NULL,
                                          &error);
  if (conn)
    return FALSE;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  return TRUE;
}

static void
test_sigterm (void)
{
  const char *const args[] = { "--faults", "latency=4000", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (SoupSession) kept = hub_session ();
  g_autofree char *id = hub_submit (s, hub, TOKEN, "video", "veo_3", "held [hold]", NULL);
  g_autofree char *dir = g_strdup (hub->dir);
  g_autofree char *url = g_strconcat (hub->url, JOBS, NULL);
  g_autofree char *wal = g_strconcat (hub->db, "-wal", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (SoupMessage) late = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) warm = NULL;
  g_autoptr (GBytes) late_body = NULL;
  gboolean wrote = FALSE;
  gint64 until;
  HubProc *again;
  g_autoptr (JsonObject) row = NULL;
  GStatBuf st;

  /* a kept-alive connection, opened before the signal (admin answers are not delayed) */
  {
    g_autofree char *stats_url = g_strconcat (hub->url, "/admin/stats", NULL);
    g_autoptr (SoupMessage) m = soup_message_new ("GET", stats_url);

    soup_session_send_and_read_async (kept, m, G_PRIORITY_DEFAULT, NULL, stats_cb, &warm);
    while (warm == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (soup_message_get_status (m), ==, 200);
  }

  /* a request in flight (delayed 4 s by the latency fault) when SIGTERM arrives still gets its
   * answer; then the hub exits 0 (asserted by hub_stop) with a job processing */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Bearer " TOKEN);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_headers_cb), &wrote);
  soup_session_send_and_read_async (s, msg, G_PRIORITY_DEFAULT, NULL, read_cb, &body);
  while (!wrote)
    g_main_context_iteration (NULL, TRUE);
  /* wait until the hub holds it (its stats count answers in flight) */
  until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (TRUE)
    {
      g_autoptr (SoupSession) admin = hub_session ();
      g_autoptr (HubReply) r = hub_get (admin, hub, "/admin/stats", NULL);
      g_autoptr (JsonNode) node = hub_reply_json (r);

      if (json_object_get_int_member (json_node_get_object (node), "in_flight") >= 1)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_subprocess_send_signal (hub->proc, SIGTERM);

  /* it stops accepting at once: new connections are refused while the held answer is pending */
  until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!connection_refused (hub))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_usleep (10000);
    }
  g_assert_null (body);
  /* a request on the connection opened before gets 503 and is told to go */
  late = soup_message_new ("GET", url);
  soup_message_headers_replace (soup_message_get_request_headers (late), "Authorization", "Bearer " TOKEN);
  soup_session_send_and_read_async (kept, late, G_PRIORITY_DEFAULT, NULL, stats_cb, &late_body);
  while (late_body == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (late), ==, 503);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (late), "Retry-After"), ==,
                   "5");

  /* the one in flight completes */
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), >, 0);
  {
    g_autoptr (JsonNode) node = json_from_string (g_bytes_get_data (body, NULL), NULL);

    g_assert_nonnull (node);
    g_assert_true (json_object_has_member (json_node_get_object (node), "jobs"));
  }

  hub->own_dir = FALSE;
  hub_stop (hub);
  /* the database was closed cleanly: its write-ahead log checkpointed and gone (or empty) */
  g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);

  again = hub_start (dir, NULL);
  again->own_dir = TRUE;
  row = hub_wait_job (s, again, TOKEN, id, "processing");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "processing");
  hub_stop (again);
}

static void
set_faults (SoupSession *s, HubProc *hub, const char *spec)
{
  g_autoptr (HubReply) r = hub_post (s, hub, "/admin/faults", NULL, spec);

  g_assert_cmpuint (r->status, ==, 200);
}

static void
test_faults (void)
{
  const char *const args[] = { "--faults", "rate=1:503;retry-after=3", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();

  {
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);

    hub_assert_error (r, 503, "server_error");
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "3");
  }
  set_faults (s, hub, "rate=1:429;retry-after=5");
  {
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);

    hub_assert_error (r, 429, "rate_limited");
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "5");
  }
  set_faults (s, hub, "rate=1:500");
  {
    g_autoptr (HubReply) r = hub_post (s, hub, "/api/v1/creative-hub/generate/image", TOKEN,
                                       "{\"provider\":\"sdxl_turbo\",\"prompt\":\"x\"}");

    hub_assert_error (r, 500, "server_error");
  }
  set_faults (s, hub, "malformed=1");
  {
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);
    g_autoptr (JsonNode) node = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_cmpuint (r->status, ==, 200);
    node = json_from_string (hub_reply_text (r), &error);
    g_assert_nonnull (error);
  }
  set_faults (s, hub, "truncate=1");
  {
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);
    g_autoptr (JsonNode) node = NULL;
    g_autoptr (GError) error = NULL;
    const char *text;

    g_assert_cmpuint (r->status, ==, 200);
    text = hub_reply_text (r);
    g_assert_true (g_str_has_prefix ("{\"jobs\":[],\"next_cursor\":null}", text));
    g_assert_cmpuint (strlen (text), <, strlen ("{\"jobs\":[],\"next_cursor\":null}"));
    node = json_from_string (text, &error);
    g_assert_nonnull (error);
  }
  set_faults (s, hub, "latency=400");
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  }
  set_faults (s, hub, "stall-queue");
  {
    g_autofree char *id = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "stalled [ok]", NULL);
    g_autofree char *path = g_strconcat (JOBS "/", id, NULL);
    g_autoptr (JsonObject) done = NULL;

    /* far longer than the job takes at --speed 100: it stays pending */
    for (int i = 0; i < 5; i++)
      {
        g_autoptr (HubReply) r = hub_get (s, hub, path, TOKEN);
        g_autoptr (JsonNode) node = hub_reply_json (r);

        g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==,
                         "pending");
        g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "queue_position"), ==, 1);
        g_usleep (100000);
      }
    set_faults (s, hub, "");
    done = hub_wait_job (s, hub, TOKEN, id, "completed");
    g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "completed");
  }
  {
    g_autoptr (HubReply) bad = hub_post (s, hub, "/admin/faults", NULL, "rate=2:500");
    g_autoptr (HubReply) bad2 = hub_post (s, hub, "/admin/faults", NULL, "explode=1");

    hub_assert_error (bad, 400, "invalid_request");
    hub_assert_error (bad2, 400, "invalid_request");
  }
  hub_stop (hub);
}

static void
test_stats (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (HubReply) r = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *list;
  gsize sent = 0;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr (HubReply) l = hub_get (s, hub, JOBS, TOKEN);

      sent += g_bytes_get_size (l->body);
    }
  r = hub_get (s, hub, "/admin/stats", NULL);
  g_assert_cmpuint (r->status, ==, 200);
  node = hub_reply_json (r);
  list = json_object_get_object_member (json_object_get_object_member (json_node_get_object (node), "routes"),
                                        "list");
  g_assert_nonnull (list);
  g_assert_cmpint (json_object_get_int_member (list, "requests"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (list, "bytes"), ==, (gint64) sent);
  hub_stop (hub);
}

static void
test_rate_limit (void)
{
  const char *const args[] = { "--rate-limit", "2", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  guint limited = 0;

  for (int i = 0; i < 10; i++)
    {
      g_autoptr (HubReply) r = hub_get (s, hub, JOBS, TOKEN);

      if (r->status == 429)
        {
          hub_assert_error (r, 429, "rate_limited");
          g_assert_nonnull (soup_message_headers_get_one (r->headers, "Retry-After"));
          limited++;
        }
    }
  g_assert_cmpuint (limited, >=, 1);
  hub_stop (hub);
}

static void
test_workers (void)
{
  const char *const args[] = { "--workers", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *a = hub_submit (s, hub, TOKEN, "video", "veo_3", "one [hold]", NULL);
  g_autofree char *b = hub_submit (s, hub, TOKEN, "video", "veo_3", "two [hold]", NULL);
  g_autofree char *c = hub_submit (s, hub, TOKEN, "video", "veo_3", "three [hold]", NULL);
  g_autoptr (JsonObject) ra = hub_wait_job (s, hub, TOKEN, a, "processing");
  g_autofree char *path_b = g_strconcat (JOBS "/", b, NULL);
  g_autofree char *path_c = g_strconcat (JOBS "/", c, NULL);
  g_autofree char *cancel_a = g_strdup_printf (JOBS "/%s/cancel", a);
  g_autoptr (HubReply) rb = hub_get (s, hub, path_b, TOKEN);
  g_autoptr (HubReply) rc = hub_get (s, hub, path_c, TOKEN);
  g_autoptr (JsonNode) nb = hub_reply_json (rb);
  g_autoptr (JsonNode) nc = hub_reply_json (rc);
  g_autoptr (HubReply) cancel = NULL;
  g_autoptr (JsonObject) rb2 = NULL;

  /* one slot: the first runs, the others wait in order */
  g_assert_cmpstr (json_object_get_string_member (ra, "status"), ==, "processing");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (nb), "status"), ==, "pending");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (nb), "queue_position"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (nc), "queue_position"), ==, 2);
  g_assert_nonnull (json_object_get_string_member (ra, "started_at"));
  /* freeing the slot starts the next */
  cancel = hub_post (s, hub, cancel_a, TOKEN, NULL);
  g_assert_cmpuint (cancel->status, ==, 202);
  rb2 = hub_wait_job (s, hub, TOKEN, b, "processing");
  g_assert_cmpstr (json_object_get_string_member (rb2, "status"), ==, "processing");
  hub_stop (hub);
}

static void
test_memory_db (void)
{
  const char *const args[] = { "--db", ":memory:", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id
      = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "in memory [ok]", "{\"width\":64,\"height\":64}");
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");
  g_autoptr (HubReply) file = NULL;

  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  file = hub_request (s, "GET",
                      json_array_get_string_element (json_object_get_array_member (row, "result_urls"), 0),
                      NULL, NULL, NULL, NULL);
  g_assert_cmpuint (file->status, ==, 200);
  g_assert_false (g_file_test (hub->db, G_FILE_TEST_EXISTS));
  hub_stop (hub);
}

/* Random and half-valid bodies, odd paths and parameters: every answer is a clean 4xx and the
 * server keeps serving. */
static void
test_garbage (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint accepted = 0;
  const char *const pieces[] = { "{",
                                 "}",
                                 "[",
                                 "]",
                                 "\"provider\"",
                                 ":",
                                 ",",
                                 "\"flux_2_pro\"",
                                 "\"prompt\"",
                                 "\"x\"",
                                 "null",
                                 "1e999",
                                 "-0",
                                 "\"\\u0000\"",
                                 "\"\\ud800\"",
                                 "true",
                                 "\"settings\"",
                                 "\"metadata\"",
                                 "\"retry_of\"",
                                 "{\"count\":1e308}",
                                 " " };
  const char *const paths[] = { "/api/v1/creative-hub/generate/jobs?limit=-1",
                                "/api/v1/creative-hub/generate/jobs?cursor=%00%01",
                                "/api/v1/creative-hub/generate/jobs?since=2026-02-30",
                                "/api/v1/creative-hub/generate/jobs?q=%ff%fe",
                                "/api/v1/creative-hub/generate/jobs/%2e%2e/cancel",
                                "/api/v1/creative-hub/generate/jobs//",
                                "/api/v1/creative-hub/generate/",
                                "/api/v1/creative-hub/generate/jobs/x/y/z",
                                "/files/../../etc/passwd",
                                "/files/%2e%2e/x?expires=1&sig=2",
                                "/drive/folders/%00",
                                "/api/v1/team/billing?month=0000-00",
                                "/api/v1/team/billing?month=2026-1x",
                                "/campaigns/new?result_url=javascript:alert(1)",
                                "/settings/team/billing?month=%ff" };

  for (int i = 0; i < 150; i++)
    {
      g_autoptr (GString) body = g_string_new (NULL);
      g_autoptr (HubReply) r = NULL;
      int n = g_rand_int_range (rand, 0, 30);

      if (i % 3 == 0)
        for (int j = 0; j < n; j++)
          g_string_append_c (body, (char) g_rand_int_range (rand, 1, 256));
      else
        for (int j = 0; j < n; j++)
          g_string_append (body, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      r = hub_post (s, hub, "/api/v1/creative-hub/generate/image", TOKEN, body->str);
      g_assert_no_error (r->error);
      g_assert_true (r->status == 202 || r->status == 400);
      accepted += r->status == 202;
    }
  /* never a half-written row: exactly one row per 202 */
  {
    g_autoptr (HubReply) r = hub_get (s, hub, "/admin/stats", NULL);
    g_autoptr (JsonNode) node = hub_reply_json (r);
    g_autoptr (HubReply) list = hub_get (s, hub, "/api/v1/creative-hub/generate/jobs?limit=500", TOKEN);
    g_autoptr (JsonNode) lnode = hub_reply_json (list);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "jobs"), ==, accepted);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (json_node_get_object (lnode), "jobs")), ==,
        accepted);
  }
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (HubReply) r = hub_get (s, hub, paths[i], TOKEN);

      g_assert_no_error (r->error);
      g_assert_cmpuint (r->status, >=, 200);
      g_assert_cmpuint (r->status, <, 500);
    }
  {
    g_autofree char *id = hub_submit (s, hub, TOKEN, "tts", "elevenlabs_v2", "after the storm [ok]", NULL);
    g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");

    g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  }
  hub_stop (hub);
}

/* ---- in-process, the static library ------------------------------------------------------- */

static void
test_faults_parse (void)
{
  WevionHubFaults f;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);

  g_assert_true (wevion_hub_faults_parse (
      &f,
      "rate=0.2:500,0.1:429,0.1:503;latency=2000;malformed=0.05;truncate=0.05;drop-download=0.3;stall-queue;"
      "retry-after=3",
      &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f.n_rates, ==, 3);
  g_assert_cmpuint (f.rates[1].status, ==, 429);
  g_assert_cmpuint (f.latency_ms, ==, 2000);
  g_assert_true (f.stall_queue);
  g_assert_cmpuint (f.retry_after, ==, 3);
  g_assert_cmpfloat (f.drop_download, ==, 0.3);
  text = wevion_hub_faults_to_string (&f);
  g_assert_nonnull (strstr (text, "stall-queue"));
  g_assert_false (wevion_hub_faults_parse (&f, "rate=0.5:404", &error));
  g_clear_error (&error);
  g_assert_false (wevion_hub_faults_parse (&f, "latency=-1", &error));
  g_clear_error (&error);
  g_assert_true (f.stall_queue); /* untouched by failed parses */
  g_assert_true (wevion_hub_faults_parse (&f, "rate=1:500", NULL));
  g_assert_cmpuint (wevion_hub_faults_pick_status (&f, rand), ==, 500);
  g_assert_true (wevion_hub_faults_parse (&f, "", NULL));
  g_assert_cmpuint (wevion_hub_faults_pick_status (&f, rand), ==, 0);
}

static void
test_signer (void)
{
  g_autoptr (WevionHubSigner) signer = wevion_hub_signer_new (3600);
  g_autoptr (WevionHubSigner) other = wevion_hub_signer_new (3600);
  g_autofree char *url = wevion_hub_signer_sign_path (signer, "/files/a/b.png", 2000);
  g_autofree char *sig = g_strdup (strstr (url, "sig=") + 4);
  gint64 e = wevion_hub_signer_expiry_for (signer, 100000);

  g_assert_true (g_str_has_prefix (url, "/files/a/b.png?expires=2000&sig="));
  g_assert_cmpint (wevion_hub_signer_check (signer, "/files/a/b.png", "2000", sig, 1999), ==,
                   WEVION_HUB_SIGN_OK);
  g_assert_cmpint (wevion_hub_signer_check (signer, "/files/a/b.png", "2000", sig, 2001), ==,
                   WEVION_HUB_SIGN_EXPIRED);
  g_assert_cmpint (wevion_hub_signer_check (signer, "/files/a/c.png", "2000", sig, 1), ==,
                   WEVION_HUB_SIGN_BAD);
  g_assert_cmpint (wevion_hub_signer_check (signer, "/files/a/b.png", "2001", sig, 1), ==,
                   WEVION_HUB_SIGN_BAD);
  g_assert_cmpint (wevion_hub_signer_check (other, "/files/a/b.png", "2000", sig, 1), ==,
                   WEVION_HUB_SIGN_BAD);
  g_assert_cmpint (wevion_hub_signer_check (signer, "/files/a/b.png", "2000", "", 1), ==,
                   WEVION_HUB_SIGN_BAD);
  g_assert_cmpint (e, >, 100000 + 3600 - 900 - 1);
  g_assert_cmpint (e, <=, 100000 + 3600);
}

static void
test_cursor (void)
{
  g_autofree char *c = wevion_hub_cursor_encode (1795918500123456, "abc-def");
  g_autofree char *id = NULL;
  gint64 us = 0;

  g_assert_true (wevion_hub_cursor_decode (c, &us, &id));
  g_assert_cmpint (us, ==, 1795918500123456);
  g_assert_cmpstr (id, ==, "abc-def");
  g_assert_null (strpbrk (c, "+/= "));
  for (const char *const *bad = (const char *const[]){ "", "!!", "bm9waXBl", "YWJj", "LTF8eA", NULL }; *bad;
       bad++)
    {
      g_autofree char *bid = NULL;

      g_assert_false (wevion_hub_cursor_decode (*bad, &us, &bid));
    }
}

static void
test_db (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionHubDb) db = wevion_hub_db_open (":memory:", &error);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (WevionJob) job
      = g_object_new (WEVION_TYPE_JOB, "id", "j1", "user-id", "u", "type-name", "image", "status-name",
                      "pending", "provider", "sdxl_turbo", "prompt", "héllo", "created-at", now, NULL);
  g_autoptr (WevionJob) back = NULL;
  g_autoptr (WevionJob) hidden = NULL;

  g_assert_no_error (error);
  g_assert_true (wevion_hub_db_save (db, job, &error));
  back = wevion_hub_db_get (db, "u", "j1");
  hidden = wevion_hub_db_get (db, "someone-else", "j1");
  g_assert_nonnull (back);
  g_assert_null (hidden);
  g_assert_cmpstr (wevion_job_get_prompt (back), ==, "héllo");
  g_assert_true (g_date_time_equal (wevion_job_get_created_at (back), now));
  g_assert_cmpint (wevion_hub_db_count (db), ==, 1);
}

static void
test_render_names (void)
{
  g_auto (GStrv) png = wevion_hub_render_result_names (WEVION_JOB_TYPE_IMAGE, 2, WEVION_HUB_VIDEO_WEBM);
  g_auto (GStrv) wav = wevion_hub_render_result_names (WEVION_JOB_TYPE_TTS, 1, WEVION_HUB_VIDEO_WEBM);
  g_autoptr (JsonObject) settings = json_object_new ();
  int w, h;

  g_auto (GStrv) webm = wevion_hub_render_result_names (WEVION_JOB_TYPE_VIDEO, 2, WEVION_HUB_VIDEO_WEBM);
  g_auto (GStrv) apng = wevion_hub_render_result_names (WEVION_JOB_TYPE_VIDEO, 1, WEVION_HUB_VIDEO_APNG);

  g_assert_cmpstr (png[1], ==, "result-2.png");
  g_assert_cmpstr (wav[0], ==, "result-1.wav");
  g_assert_cmpstr (webm[1], ==, "result-2.webm");
  g_assert_null (webm[2]);
  g_assert_cmpstr (apng[0], ==, "result-1.apng");
  g_assert_cmpstr (wevion_hub_render_content_type (webm[0]), ==, "video/webm");
  g_assert_cmpstr (wevion_hub_render_content_type (apng[0]), ==, "image/apng");
  g_assert_cmpstr (wevion_hub_render_content_type (wav[0]), ==, "audio/wav");
  wevion_hub_render_size (WEVION_JOB_TYPE_IMAGE, settings, &w, &h);
  g_assert_cmpint (w, ==, 1024);
  wevion_hub_render_size (WEVION_JOB_TYPE_AVATAR, settings, &w, &h);
  g_assert_cmpint (h, ==, 512);
  json_object_set_string_member (settings, "width", "not a number");
  json_object_set_int_member (settings, "height", 1 << 30);
  json_object_set_int_member (settings, "count", 99);
  wevion_hub_render_size (WEVION_JOB_TYPE_IMAGE, settings, &w, &h);
  g_assert_cmpint (w, ==, 1024);
  g_assert_cmpint (h, ==, 2048);
  g_assert_cmpint (wevion_hub_render_count (settings), ==, 4);
  json_object_set_double_member (settings, "width", 1e300);
  json_object_set_double_member (settings, "height", -1e300);
  wevion_hub_render_size (WEVION_JOB_TYPE_IMAGE, settings, &w, &h);
  g_assert_cmpint (w, ==, 2048);
  g_assert_cmpint (h, ==, 64);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/hub/lifecycle/durability", test_durability);
  g_test_add_func ("/wevion/hub/lifecycle/sigterm", test_sigterm);
  g_test_add_func ("/wevion/hub/lifecycle/faults", test_faults);
  g_test_add_func ("/wevion/hub/lifecycle/stats", test_stats);
  g_test_add_func ("/wevion/hub/lifecycle/rate-limit", test_rate_limit);
  g_test_add_func ("/wevion/hub/lifecycle/workers", test_workers);
  g_test_add_func ("/wevion/hub/lifecycle/memory-db", test_memory_db);
  g_test_add_func ("/wevion/hub/lifecycle/garbage", test_garbage);
  g_test_add_func ("/wevion/hub/unit/faults-parse", test_faults_parse);
  g_test_add_func ("/wevion/hub/unit/signer", test_signer);
  g_test_add_func ("/wevion/hub/unit/cursor", test_cursor);
  g_test_add_func ("/wevion/hub/unit/db", test_db);
  g_test_add_func ("/wevion/hub/unit/render", test_render_names);
  return g_test_run ();
}
