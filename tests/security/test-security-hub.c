/* test-security-hub.c: wevion-hub against a hostile client: another user's ids on every route,
 * tampered signed URLs, path traversal, oversized bodies, slow clients (slowloris) and the admin
 * endpoints from a non-loopback address. A real hub over TCP; raw sockets where a polite client
 * (SoupSession normalises paths, never trickles) could not send the attack. */
#include "config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>

#include "hub-test-utils.h"
#include "security-test-utils.h"
#include "wevion-hub-private.h"

#define GEN "/api/v1/creative-hub/generate/"
#define JOBS "/api/v1/creative-hub/generate/jobs"
#define SECRET_PROMPT "alice-secret-prompt-7f3a"

static const char *const two_users[]
    = { "--user", "alice:alice-token-Q1", "--user", "bob:bob-token-Q2", "--workers", "4", NULL };

static gboolean
body_has (HubReply *r, const char *needle)
{
  gsize len = 0;
  const char *data = r->body ? g_bytes_get_data (r->body, &len) : NULL;

  return st_contains (data, len, needle);
}

static char *
signed_path_of (const char *url)
{
  const char *at = strstr (url, "/files/");

  g_assert_nonnull (at);
  return g_strdup (at);
}

/* ---- isolation -------------------------------------------------------------------------------- */

static void
test_isolation (void)
{
  HubProc *hub = hub_start (NULL, two_users);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *done_id = hub_submit (s, hub, "alice-token-Q1", "image", "sdxl_turbo",
                                         SECRET_PROMPT " done [ok]", "{\"width\":64,\"height\":64}");
  g_autofree char *held_id
      = hub_submit (s, hub, "alice-token-Q1", "image", "sdxl_turbo", SECRET_PROMPT " held [hold]", NULL);
  g_autofree char *failed_id
      = hub_submit (s, hub, "alice-token-Q1", "image", "sdxl_turbo", SECRET_PROMPT " failed [fail]", NULL);
  g_autoptr (JsonObject) done = hub_wait_job (s, hub, "alice-token-Q1", done_id, "completed");
  g_autoptr (JsonObject) held = hub_wait_job (s, hub, "alice-token-Q1", held_id, "processing");
  g_autoptr (JsonObject) failed = hub_wait_job (s, hub, "alice-token-Q1", failed_id, "failed");
  const char *ids[] = { done_id, held_id, failed_id };
  const char *folder = json_object_get_string_member (done, "drive_folder_id");
  const char *result_url
      = json_array_get_string_element (json_object_get_array_member (done, "result_urls"), 0);
  g_autofree char *month = NULL;

  g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (held, "status"), ==, "processing");
  g_assert_cmpstr (json_object_get_string_member (failed, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (done, "cost_cents"), >, 0);

  /* one job, cancel, ETag probe: 404 exactly like a job that does not exist */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *path = g_strdup_printf (JOBS "/%s", ids[i]);
      g_autofree char *cancel = g_strdup_printf (JOBS "/%s/cancel", ids[i]);
      g_autoptr (HubReply) get = hub_get (s, hub, path, "bob-token-Q2");
      g_autoptr (HubReply) none
          = hub_get (s, hub, JOBS "/00000000-0000-4000-8000-000000000000", "bob-token-Q2");
      g_autoptr (HubReply) c = hub_post (s, hub, cancel, "bob-token-Q2", NULL);
      g_autofree char *url = g_strconcat (hub->url, path, NULL);
      g_autoptr (HubReply) inm = hub_request (s, "GET", url, "bob-token-Q2", NULL, NULL,
                                              (const char *const[]){ "If-None-Match", "*", NULL });

      hub_assert_error (get, 404, "not_found");
      hub_assert_error (none, 404, "not_found");
      g_assert_cmpstr (hub_reply_text (get), ==, hub_reply_text (none));
      g_assert_false (body_has (get, SECRET_PROMPT));
      g_assert_null (soup_message_headers_get_one (get->headers, "ETag"));
      hub_assert_error (c, 404, "not_found");
      hub_assert_error (inm, 404, "not_found");
    }
  /* the cancel did nothing: alice's held job still runs */
  {
    g_autoptr (JsonObject) still = hub_wait_job (s, hub, "alice-token-Q1", held_id, "processing");

    g_assert_cmpstr (json_object_get_string_member (still, "status"), ==, "processing");
  }

  /* the list, with every filter that could widen it */
  {
    const char *queries[] = { "",
                              "?include_archived=true",
                              "?status=pending,processing,completed,failed",
                              "?q=alice-secret",
                              "?type=image&limit=500",
                              "?since=2000-01-01" };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *path = g_strconcat (JOBS, queries[i], NULL);
        g_autoptr (HubReply) list = hub_get (s, hub, path, "bob-token-Q2");
        g_autoptr (JsonNode) node = hub_reply_json (list);

        g_assert_cmpuint (list->status, ==, 200);
        g_assert_cmpuint (
            json_array_get_length (json_object_get_array_member (json_node_get_object (node), "jobs")), ==,
            0);
        g_assert_false (body_has (list, SECRET_PROMPT));
      }
  }

  /* a retry that names alice's failed job: bob's own new job, nothing of alice's in it */
  {
    g_autofree char *body = g_strdup_printf (
        "{\"provider\":\"sdxl_turbo\",\"prompt\":\"bob [hold]\",\"metadata\":{\"retry_of\":\"%s\"}}",
        failed_id);
    g_autoptr (HubReply) r = hub_post (s, hub, GEN "image", "bob-token-Q2", body);
    g_autoptr (JsonNode) answer = hub_reply_json (r);
    const char *bob_id = json_object_get_string_member (json_node_get_object (answer), "job_id");
    g_autoptr (JsonObject) row = hub_wait_job (s, hub, "bob-token-Q2", bob_id, "processing");
    g_autofree char *text = NULL;
    g_autoptr (JsonNode) wrap = json_node_new (JSON_NODE_OBJECT);

    g_assert_cmpuint (r->status, ==, 202);
    json_node_set_object (wrap, row);
    text = json_to_string (wrap, FALSE);
    g_assert_cmpstr (json_object_get_string_member (row, "user_id"), ==, "bob");
    g_assert_null (strstr (text, SECRET_PROMPT));
    /* and alice's failed job is untouched */
    {
      g_autoptr (JsonObject) again = hub_wait_job (s, hub, "alice-token-Q1", failed_id, "failed");

      g_assert_cmpstr (json_object_get_string_member (again, "status"), ==, "failed");
    }
  }

  /* billing: bob's month holds nothing of alice's debit */
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *path = NULL;
    g_autoptr (HubReply) bob = NULL;
    g_autoptr (HubReply) alice = NULL;
    g_autoptr (JsonNode) bn = NULL;
    g_autoptr (JsonNode) an = NULL;

    month = g_date_time_format (now, "%Y-%m");
    path = g_strdup_printf ("/api/v1/team/billing?month=%s", month);
    bob = hub_get (s, hub, path, "bob-token-Q2");
    alice = hub_get (s, hub, path, "alice-token-Q1");
    bn = hub_reply_json (bob);
    an = hub_reply_json (alice);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (bn), "debit_cents"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (bn), "jobs"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (an), "debit_cents"), ==,
                     json_object_get_int_member (done, "cost_cents"));
  }

  /* files: a job id alone opens nothing; bob's valid signature does not open alice's file */
  {
    g_autofree char *bob_done = hub_submit (s, hub, "bob-token-Q2", "image", "sdxl_turbo", "bob done [ok]",
                                            "{\"width\":64,\"height\":64}");
    g_autoptr (JsonObject) bob_row = hub_wait_job (s, hub, "bob-token-Q2", bob_done, "completed");
    const char *bob_url
        = json_array_get_string_element (json_object_get_array_member (bob_row, "result_urls"), 0);
    const char *query = strchr (bob_url, '?');
    g_autofree char *bare = g_strdup_printf ("/files/%s/result-1.png", done_id);
    g_autofree char *borrowed = g_strdup_printf ("/files/%s/result-1.png%s", done_id, query);
    g_autoptr (HubReply) r1 = hub_get (s, hub, bare, "bob-token-Q2");
    g_autoptr (HubReply) r2 = hub_get (s, hub, borrowed, "bob-token-Q2");

    g_assert_cmpstr (json_object_get_string_member (bob_row, "status"), ==, "completed");
    hub_assert_error (r1, 403, "forbidden");
    hub_assert_error (r2, 403, "forbidden");
  }

  /* drive: the folder page needs no token, so its address is not derived from the job id */
  {
    g_autofree char *guess = g_strdup_printf ("/drive/folders/folder-%s", done_id);
    g_autofree char *by_id = g_strdup_printf ("/drive/folders/%s", done_id);
    g_autoptr (HubReply) r1 = hub_get (s, hub, guess, NULL);
    g_autoptr (HubReply) r2 = hub_get (s, hub, by_id, "bob-token-Q2");
    g_autofree char *real = g_strdup_printf ("/drive/folders/%s", folder);
    g_autoptr (HubReply) owner = hub_get (s, hub, real, NULL);

    g_assert_true (g_str_has_prefix (folder, "folder-"));
    g_assert_cmpuint (strlen (folder), ==, strlen ("folder-") + 32);
    g_assert_null (strstr (folder, done_id));
    g_assert_cmpuint (r1->status, ==, 404);
    g_assert_cmpuint (r2->status, ==, 404);
    g_assert_false (body_has (r1, SECRET_PROMPT));
    g_assert_false (body_has (r2, SECRET_PROMPT));
    /* the one who has the folder id (the owner, from their row) sees it */
    g_assert_cmpuint (owner->status, ==, 200);
    g_assert_true (body_has (owner, SECRET_PROMPT));
  }

  /* campaigns: the page echoes only what it is given, never looks the job up */
  {
    g_autofree char *path = g_strdup_printf ("/campaigns/new?creative_job_id=%s", done_id);
    g_autoptr (HubReply) r = hub_get (s, hub, path, "bob-token-Q2");
    g_autofree char *signed_path = signed_path_of (result_url);
    const char *sig = strstr (signed_path, "sig=");

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_false (body_has (r, SECRET_PROMPT));
    g_assert_false (body_has (r, sig));
    g_assert_false (body_has (r, "/files/"));
  }
  hub_stop (hub);
}

/* ---- signed URLs ------------------------------------------------------------------------------ */

static guint
get_status (SoupSession *s, HubProc *hub, const char *path)
{
  g_autoptr (HubReply) r = hub_get (s, hub, path, NULL);

  g_assert_no_error (r->error);
  if (r->status == 200)
    g_assert_false (body_has (r, "\"error\""));
  return r->status;
}

static void
test_signed_urls (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  const char *settings = "{\"width\":64,\"height\":64,\"count\":2}";
  g_autofree char *a = hub_submit (s, hub, "demo-token", "image", "sdxl_turbo", "a [ok]", settings);
  g_autofree char *b = hub_submit (s, hub, "demo-token", "image", "sdxl_turbo", "b [ok]", settings);
  g_autoptr (JsonObject) ra = hub_wait_job (s, hub, "demo-token", a, "completed");
  g_autoptr (JsonObject) rb = hub_wait_job (s, hub, "demo-token", b, "completed");
  g_autofree char *url
      = signed_path_of (json_array_get_string_element (json_object_get_array_member (ra, "result_urls"), 0));
  g_autofree char *path = g_strndup (url, strcspn (url, "?"));
  const char *query = strchr (url, '?');
  g_autofree char *expires = NULL;
  g_autofree char *sig = NULL;
  g_autoptr (GHashTable) params = NULL;

  g_assert_cmpstr (json_object_get_string_member (rb, "status"), ==, "completed");
  params = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_NONE, NULL);
  expires = g_strdup (g_hash_table_lookup (params, "expires"));
  sig = g_strdup (g_hash_table_lookup (params, "sig"));
  g_assert_nonnull (expires);
  g_assert_nonnull (sig);

  /* the untouched URL works */
  g_assert_cmpuint (get_status (s, hub, url), ==, 200);
  {
    struct
    {
      const char *what;
      char *path;
    } cases[] = {
      /* the signature changed: one hex digit, truncated, extended, empty, upper-cased junk */
      { "sig flipped",
        g_strdup_printf ("%s?expires=%s&sig=%c%s", path, expires, sig[0] == 'a' ? 'b' : 'a', sig + 1) },
      { "sig truncated",
        g_strdup_printf ("%s?expires=%s&sig=%.*s", path, expires, (int) strlen (sig) - 2, sig) },
      { "sig extended", g_strdup_printf ("%s?expires=%s&sig=%s00", path, expires, sig) },
      { "sig empty", g_strdup_printf ("%s?expires=%s&sig=", path, expires) },
      { "sig missing", g_strdup_printf ("%s?expires=%s", path, expires) },
      { "nothing", g_strdup (path) },
      /* the expiry moved (later, much later, negative, not a number) with the same signature */
      { "expires +1", g_strdup_printf ("%s?expires=%" G_GINT64_FORMAT "&sig=%s", path,
                                       g_ascii_strtoll (expires, NULL, 10) + 1, sig) },
      { "expires far", g_strdup_printf ("%s?expires=99999999999&sig=%s", path, sig) },
      { "expires negative", g_strdup_printf ("%s?expires=-1&sig=%s", path, sig) },
      { "expires text", g_strdup_printf ("%s?expires=%s0x&sig=%s", path, expires, sig) },
      { "expires missing", g_strdup_printf ("%s?sig=%s", path, sig) },
      /* the same signature on another file of the same job, and on the same file of another job */
      { "other file", g_strdup_printf ("/files/%s/result-2.png%s", a, query) },
      { "thumbnail", g_strdup_printf ("/files/%s/thumbnail.png%s", a, query) },
      { "other job", g_strdup_printf ("/files/%s/result-1.png%s", b, query) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (HubReply) r = hub_get (s, hub, cases[i].path, NULL);

        g_test_message ("%s: %s → %u", cases[i].what, cases[i].path, r->status);
        hub_assert_error (r, 403, "forbidden");
        g_free (cases[i].path);
      }
  }
  /* a signature that is valid but whose expiry passed: 403 expired (the signer, with a clock) */
  {
    g_autoptr (WevionHubSigner) signer = wevion_hub_signer_new (60);
    g_autofree char *p = wevion_hub_signer_sign_path (signer, "/files/x/result-1.png", 1000);
    g_autoptr (GHashTable) q = g_uri_parse_params (strchr (p, '?') + 1, -1, "&", G_URI_PARAMS_NONE, NULL);

    g_assert_cmpint (wevion_hub_signer_check (signer, "/files/x/result-1.png",
                                              g_hash_table_lookup (q, "expires"),
                                              g_hash_table_lookup (q, "sig"), 999),
                     ==, WEVION_HUB_SIGN_OK);
    g_assert_cmpint (wevion_hub_signer_check (signer, "/files/x/result-1.png",
                                              g_hash_table_lookup (q, "expires"),
                                              g_hash_table_lookup (q, "sig"), 1001),
                     ==, WEVION_HUB_SIGN_EXPIRED);
    g_assert_cmpint (wevion_hub_signer_check (signer, "/files/y/result-1.png",
                                              g_hash_table_lookup (q, "expires"),
                                              g_hash_table_lookup (q, "sig"), 999),
                     ==, WEVION_HUB_SIGN_BAD);
  }
  /* two signers (two runs) never share a secret */
  {
    g_autoptr (WevionHubSigner) s1 = wevion_hub_signer_new (60);
    g_autoptr (WevionHubSigner) s2 = wevion_hub_signer_new (60);
    g_autofree char *p1 = wevion_hub_signer_sign_path (s1, "/files/x/a", 5000);
    g_autofree char *p2 = wevion_hub_signer_sign_path (s2, "/files/x/a", 5000);

    g_assert_cmpstr (p1, !=, p2);
  }
  hub_stop (hub);
}

/* ---- path traversal --------------------------------------------------------------------------- */

static void
test_path_traversal (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id = hub_submit (s, hub, "demo-token", "image", "sdxl_turbo", "traversal [ok]",
                                    "{\"width\":64,\"height\":64}");
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, "demo-token", id, "completed");
  g_autofree char *url
      = signed_path_of (json_array_get_string_element (json_object_get_array_member (row, "result_urls"), 0));
  const char *query = strchr (url, '?');
  g_autofree char *planted = g_build_filename (hub->dir, "planted-secret.txt", NULL);
  /* names that would reach the db, a planted file or /etc/passwd if a route joined paths blindly */
  const char *attacks[] = {
    "/files/%s/../../hub.db",
    "/files/%s/..%%2f..%%2fhub.db",
    "/files/%s/%%2e%%2e/%%2e%%2e/hub.db",
    "/files/%s/%%2e%%2e%%2f%%2e%%2e%%2fplanted-secret.txt",
    "/files/%s/..%%5c..%%5cplanted-secret.txt",
    "/files/%s/..\\..\\planted-secret.txt",
    "/files/%s/%%2fetc%%2fpasswd",
    "/files/%s//etc/passwd",
    "/files/..%%2f%s/result-1.png",
    "/files/%%2e%%2e/%s/result-1.png",
    "/files/%s/result-1.png/../../../planted-secret.txt",
    "/files/%s/.%%2e/.%%2e/planted-secret.txt",
    "/files/%s/%%252e%%252e%%252fhub.db",
    "/files/%s/..%%00.png",
    "/drive/folders/..%%2f..%%2f%s",
    "/drive/folders/%%2e%%2e",
    "/files/%s/%%c0%%ae%%c0%%ae/hub.db",
  };

  g_assert_true (g_file_set_contents (planted, "PLANTED-SECRET-CONTENT", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autoptr (GString) t = g_string_new (attacks[i]);
      g_autofree char *target = NULL;
      g_autofree char *request = NULL;
      g_autoptr (StRaw) r = NULL;
      gsize len = 0;
      const char *body;

      g_string_replace (t, "%s", id, 0);
      g_string_replace (t, "%%", "%", 0);
      target = g_strdup (t->str);
      request = g_strdup_printf ("GET %s%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", target,
                                 g_str_has_prefix (target, "/files/") ? query : "");
      r = st_raw_request (hub->url, request, strlen (request));
      body = g_bytes_get_data (r->body, &len);

      g_test_message ("%s → %u", target, r->status);
      /* refused one way or another, and nothing of the targets in the answer */
      g_assert_true (r->status == 400 || r->status == 403 || r->status == 404);
      g_assert_false (st_contains (body, len, "SQLite format"));
      g_assert_false (st_contains (body, len, "PLANTED-SECRET"));
      g_assert_false (st_contains (body, len, "root:"));
      g_assert_false (st_contains (body, len, "\x89PNG"));
    }
  /* the same connection path with the real name still serves the file */
  {
    g_autofree char *request
        = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", url);
    g_autoptr (StRaw) r = st_raw_request (hub->url, request, strlen (request));
    gsize len = 0;
    const char *body = g_bytes_get_data (r->body, &len);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (st_contains (body, len, "\x89PNG"));
  }
  hub_stop (hub);
}

/* ---- oversized bodies -------------------------------------------------------------------------- */

static gint64
stats_int (HubProc *hub, const char *member)
{
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (HubReply) r = hub_get (s, hub, "/admin/stats", NULL);
  g_autoptr (JsonNode) node = hub_reply_json (r);

  return json_object_get_int_member (json_node_get_object (node), member);
}

/* POSTs @mib MiB of body (with a Content-Length, or chunked) as fast as the hub reads it; returns
 * the answer's status */
static guint
stream_body (HubProc *hub, gboolean with_length, guint mib)
{
  g_autofree char *host = NULL;
  guint16 port;
  g_autoptr (GSocketConnection) conn = NULL;
  GOutputStream *out;
  GInputStream *in;
  g_autoptr (GError) error = NULL;
  g_autofree char *chunk = g_malloc (65536);
  g_autoptr (GByteArray) answer = g_byte_array_new ();
  g_autofree char *head = NULL;
  char buf[4096];
  gssize n;

  if (with_length)
    head = g_strdup_printf (
        "POST " GEN "image HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-token\r\n"
        "Content-Type: application/json\r\nConnection: close\r\nContent-Length: %u\r\n\r\n",
        mib * 1024 * 1024);
  else
    head = g_strdup (
        "POST " GEN "image HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-token\r\n"
        "Content-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
  memset (chunk, 'x', 65536);
  st_url_host_port (hub->url, &host, &port);
  conn = st_connect (host, port);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < mib * 16 && error == NULL; i++)
    {
      if (!with_length)
        g_output_stream_write_all (out, "10000\r\n", 7, NULL, NULL, &error);
      if (error == NULL)
        g_output_stream_write_all (out, chunk, 65536, NULL, NULL, &error);
      if (error == NULL && !with_length)
        g_output_stream_write_all (out, "\r\n", 2, NULL, NULL, &error);
    }
  g_assert_no_error (error);
  if (!with_length)
    g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, &error)) > 0)
    g_byte_array_append (answer, (const guint8 *) buf, n);
  g_assert_no_error (error);
  g_byte_array_append (answer, (const guint8 *) "", 1);
  g_test_message ("answer: %.60s", (const char *) answer->data);
  g_assert_nonnull (strstr ((const char *) answer->data, "too_large"));
  if (!g_str_has_prefix ((const char *) answer->data, "HTTP/1.1 "))
    return 0;
  return (guint) g_ascii_strtoull ((const char *) answer->data + 9, NULL, 10);
}

static void
test_oversize (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  const char *pid = g_subprocess_get_identifier (hub->proc);
  gint64 rss_before, rss_after;

  /* announced with "Expect: 100-continue": refused at once, the body is never read */
  {
    const char *request
        = "POST " GEN "image HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-token\r\n"
          "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 104857600\r\n\r\n";
    g_autoptr (StRaw) r = st_raw_request (hub->url, request, strlen (request));

    g_assert_cmpuint (r->status, ==, 413);
    g_assert_true (st_contains (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), "too_large"));
  }
  /* one byte over the limit through SoupSession (a real client, body sent): a clear 413 */
  {
    g_autofree char *big = g_malloc (1024 * 1024 + 2);
    g_autofree char *url = g_strconcat (hub->url, GEN "image", NULL);
    g_autoptr (HubReply) r = NULL;

    memset (big, ' ', 1024 * 1024 + 1);
    big[0] = '{';
    big[1024 * 1024] = '}';
    big[1024 * 1024 + 1] = '\0';
    r = hub_request (s, "POST", url, "demo-token", big, NULL, NULL);
    hub_assert_error (r, 413, "too_large");
  }
  rss_before = st_rss_kib (pid);
  /* 24 MiB with a Content-Length and no Expect, then 24 MiB chunked (no length): read, dropped,
   * 413; the hub never holds more than ~1 MiB of either */
  g_assert_true (stream_body (hub, TRUE, 24) == 413);
  g_assert_true (stream_body (hub, FALSE, 24) == 413);
  rss_after = st_rss_kib (pid);
  g_test_message ("hub RSS %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT " KiB after 2 × 24 MiB",
                  rss_before, rss_after);
  g_assert_cmpint (rss_after - rss_before, <, 8 * 1024);
  g_assert_cmpint (stats_int (hub, "too_large"), ==, 4);
  /* and the hub still answers */
  {
    g_autoptr (HubReply) r = hub_get (s, hub, JOBS, "demo-token");

    g_assert_cmpuint (r->status, ==, 200);
  }
  hub_stop (hub);
}

/* ---- slow clients ------------------------------------------------------------------------------ */

/* Trickles one header line every 100 ms; TRUE when the server closed the connection before
 * @give_up_s seconds (a generous deadline, not a timing assertion). */
static gboolean
trickle_until_closed (const char *url, const char *first, int give_up_s)
{
  g_autofree char *host = NULL;
  guint16 port;
  g_autoptr (GSocketConnection) conn = NULL;
  GSocket *socket;
  gint64 deadline = g_get_monotonic_time () + (gint64) give_up_s * G_USEC_PER_SEC;
  g_autoptr (GError) error = NULL;

  st_url_host_port (url, &host, &port);
  conn = st_connect (host, port);
  socket = g_socket_connection_get_socket (conn);
  if (first && g_socket_send (socket, first, strlen (first), NULL, &error) < 0)
    return TRUE;
  while (g_get_monotonic_time () < deadline)
    {
      char buf[256];
      gssize n;

      /* closed? (a read returns 0 or fails) */
      if (g_socket_condition_timed_wait (socket, G_IO_IN, 100 * 1000, NULL, NULL))
        {
          n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
          if (n <= 0)
            return TRUE;
        }
      if (first && g_socket_send_with_blocking (socket, "X-Slow: 1\r\n", 11, FALSE, NULL, NULL) < 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_slowloris (void)
{
  const char *const args[] = { "--read-timeout", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();

  /* a client that trickles header lines forever is cut */
  g_assert_true (trickle_until_closed (hub->url, "GET " JOBS " HTTP/1.1\r\nHost: 127.0.0.1\r\n", 30));
  /* so is one that connects and says nothing */
  g_assert_true (trickle_until_closed (hub->url, NULL, 30));
  /* and one that trickles a body it announced */
  g_assert_true (trickle_until_closed (
      hub->url, "POST " GEN "image HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{", 30));
  g_assert_cmpint (stats_int (hub, "dropped_slow"), >=, 3);
  /* polite clients are unaffected, also on a kept-alive connection after an idle pause longer
   * than the timeout (the timer starts with a request's first byte, not while idle) */
  {
    g_autoptr (HubReply) r1 = hub_get (s, hub, JOBS, "demo-token");
    g_autoptr (HubReply) r2 = NULL;
    gint64 dropped = stats_int (hub, "dropped_slow");

    g_assert_cmpuint (r1->status, ==, 200);
    g_usleep (1500 * 1000);
    r2 = hub_get (s, hub, JOBS, "demo-token");
    g_assert_cmpuint (r2->status, ==, 200);
    g_assert_cmpint (stats_int (hub, "dropped_slow"), ==, dropped);
  }
  hub_stop (hub);
}

/* A kept-alive connection that goes quiet after its answer is closed after --idle-timeout */
static void
test_idle_keepalive (void)
{
  const char *const args[] = { "--idle-timeout", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *host = NULL;
  guint16 port;
  g_autoptr (GSocketConnection) conn = NULL;
  GSocket *socket;
  g_autoptr (GByteArray) got = g_byte_array_new ();
  const char *request
      = "GET " JOBS " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-token\r\n\r\n";
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gboolean closed = FALSE;

  st_url_host_port (hub->url, &host, &port);
  conn = st_connect (host, port);
  socket = g_socket_connection_get_socket (conn);
  g_assert_cmpint (g_socket_send (socket, request, strlen (request), NULL, NULL), ==,
                   (gssize) strlen (request));
  while (!closed && g_get_monotonic_time () < deadline)
    if (g_socket_condition_timed_wait (socket, G_IO_IN, 100 * 1000, NULL, NULL))
      {
        char buf[4096];
        gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

        if (n <= 0)
          closed = TRUE;
        else
          g_byte_array_append (got, (const guint8 *) buf, n);
      }
  /* the answer came (the connection was kept alive after it), then the close */
  g_assert_cmpuint (got->len, >, 12);
  g_assert_true (memcmp (got->data, "HTTP/1.1 200", 12) == 0);
  g_assert_true (closed);
  g_assert_cmpint (stats_int (hub, "dropped_idle"), >=, 1);
  /* a client with pauses longer than the timeout just reconnects */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (HubReply) r = hub_get (s, hub, JOBS, "demo-token");

      g_assert_cmpuint (r->status, ==, 200);
      g_usleep (1500 * 1000);
    }
  hub_stop (hub);
}

/* ---- admin from loopback only ------------------------------------------------------------------ */

static GSocketAddress *
addr (const char *ip)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (ip);

  g_assert_nonnull (inet);
  return g_inet_socket_address_new (inet, 4242);
}

/* a non-loopback IPv4 address of this machine, or NULL */
static char *
external_ipv4 (void)
{
  struct ifaddrs *list = NULL, *i;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;
  for (i = list; i && !found; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
      {
        g_autoptr (GSocketAddress) sa
            = g_socket_address_new_from_native (i->ifa_addr, sizeof (struct sockaddr_in));
        GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa));

        if (!g_inet_address_get_is_loopback (inet) && !g_inet_address_get_is_any (inet))
          found = g_inet_address_to_string (inet);
      }
  freeifaddrs (list);
  return found;
}

static void
test_admin_loopback (void)
{
  const char *allowed[] = { "127.0.0.1", "127.8.9.10", "::1" };
  const char *refused[] = { "192.0.2.2", "10.0.0.1",         "0.0.0.0",          "::",       "fd00::2",
                            "fe80::1",   "::ffff:127.0.0.1", "::ffff:192.0.2.2", "128.0.0.1" };
  g_autofree char *ip = external_ipv4 ();

  /* the hub's decision, with addresses this machine may not have */
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr (GSocketAddress) a = addr (allowed[i]);
      g_assert_true (wevion_hub_admin_allowed (a));
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GSocketAddress) a = addr (refused[i]);
      g_assert_false (wevion_hub_admin_allowed (a));
    }
  g_assert_false (wevion_hub_admin_allowed (NULL));

  /* and for real, over this machine's non-loopback address */
  if (ip == NULL)
    {
      g_test_message ("no non-loopback IPv4 address here: only the decision function was tested");
      return;
    }
  {
    const char *const args[] = { "--listen", "0.0.0.0", NULL };
    WtHub *wt = wt_hub_start_in (NULL, args);
    g_autofree char *host = NULL;
    guint16 port;
    g_autofree char *ext = NULL;
    g_autofree char *loop = NULL;
    g_autoptr (SoupSession) s = hub_session ();
    const char *paths[] = { "/admin/stats", "/admin/faults" };

    st_url_host_port (wt->url, &host, &port);
    ext = g_strdup_printf ("http://%s:%u", ip, port);
    loop = g_strdup_printf ("http://127.0.0.1:%u", port);
    g_test_message ("hub on %s, reached as %s", wt->url, ext);
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autofree char *u1 = g_strconcat (ext, paths[i], NULL);
        g_autofree char *u2 = g_strconcat (loop, paths[i], NULL);
        g_autoptr (HubReply) r1 = hub_request (s, "GET", u1, NULL, NULL, NULL, NULL);
        g_autoptr (HubReply) r2 = hub_request (s, "GET", u2, NULL, NULL, NULL, NULL);

        hub_assert_error (r1, 403, "forbidden");
        g_assert_cmpuint (r2->status, ==, 200);
      }
    /* a fault set from outside does not take */
    {
      g_autofree char *u = g_strconcat (ext, "/admin/faults", NULL);
      g_autofree char *l = g_strconcat (loop, "/admin/faults", NULL);
      g_autofree char *api = g_strconcat (ext, JOBS, NULL);
      g_autoptr (HubReply) r = hub_request (s, "POST", u, NULL, "rate=1:500", "text/plain", NULL);
      g_autoptr (HubReply) now = hub_request (s, "GET", l, NULL, NULL, NULL, NULL);
      g_autoptr (HubReply) list = hub_request (s, "GET", api, "demo-token", NULL, NULL, NULL);

      hub_assert_error (r, 403, "forbidden");
      g_assert_null (strstr (hub_reply_text (now), "rate"));
      /* the API itself is reachable over that address (so the 403 is the admin rule, not routing) */
      g_assert_cmpuint (list->status, ==, 200);
    }
    wt_hub_stop (wt);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/hub/isolation", test_isolation);
  g_test_add_func ("/security/hub/signed-urls", test_signed_urls);
  g_test_add_func ("/security/hub/path-traversal", test_path_traversal);
  g_test_add_func ("/security/hub/oversize", test_oversize);
  g_test_add_func ("/security/hub/slowloris", test_slowloris);
  g_test_add_func ("/security/hub/idle-keepalive", test_idle_keepalive);
  g_test_add_func ("/security/hub/admin-loopback", test_admin_loopback);
  return g_test_run ();
}
