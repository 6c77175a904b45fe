/* test-downloader.c: WevionDownloader against a real wevion-hub (and, where the hub cannot
 * misbehave on purpose, a small in-process file host that records what it receives). */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "results-test-utils.h"

/* ---- a file host in this process ------------------------------------------------------------ */

typedef struct
{
  SoupServer *server;
  char *url;
  GPtrArray *auth_seen;   /* Authorization headers received (or "") per request */
  GPtrArray *cookie_seen; /* Cookie headers */
  guint file_requests;
  guint api_requests;
} FileHost;

static GBytes *
test_body (gsize size)
{
  guchar *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guchar) (i * 7 + i / 251);
  return g_bytes_new_take (data, size);
}

typedef struct
{
  SoupServerMessage *msg;
  guint left;
  guint timer;
} SlowSend;

static gboolean
slow_cb (gpointer data)
{
  SlowSend *slow = data;
  g_autoptr (GBytes) chunk = test_body (64 * 1024);

  soup_message_body_append_bytes (soup_server_message_get_response_body (slow->msg), chunk);
  if (--slow->left == 0)
    soup_message_body_complete (soup_server_message_get_response_body (slow->msg));
  soup_server_message_unpause (slow->msg);
  if (slow->left > 0)
    return G_SOURCE_CONTINUE;
  slow->timer = 0;
  return G_SOURCE_REMOVE;
}

/* the client went away (or got everything): stop sending */
static void
slow_finished_cb (SoupServerMessage *msg, SlowSend *slow)
{
  g_clear_handle_id (&slow->timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (msg, slow);
  g_object_unref (slow->msg);
  g_free (slow);
}

static void
host_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  FileHost *host = data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *res = soup_server_message_get_response_headers (msg);
  const char *auth = soup_message_headers_get_one (req, "Authorization");
  const char *cookie = soup_message_headers_get_one (req, "Cookie");
  g_autoptr (GBytes) body = test_body (64 * 1024);

  if (g_str_has_prefix (path, "/api/"))
    {
      /* the API: a job whose fresh URL points at /file/ here */
      g_autofree char *json = g_strdup_printf (
          "{\"id\":\"%s\",\"user_id\":\"u\",\"type\":\"image\",\"status\":\"completed\",\"provider\":\"p\","
          "\"prompt\":\"x\",\"settings\":{},\"result_urls\":[\"%s/%s/fresh.png\"],\"error_message\":null,"
          "\"cost_cents\":1,\"drive_folder_id\":\"f\",\"metadata\":{},\"created_at\":\"2026-11-01T00:00:"
          "00Z\","
          "\"completed_at\":\"2026-11-01T00:00:01Z\"}",
          strrchr (path, '/') + 1, host->url, g_str_has_suffix (path, "j-forbidden") ? "forbidden" : "file");

      host->api_requests++;
      g_ptr_array_add (host->auth_seen, g_strdup_printf ("api:%s", auth ? auth : ""));
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  host->file_requests++;
  g_ptr_array_add (host->auth_seen, g_strdup (auth ? auth : ""));
  g_ptr_array_add (host->cookie_seen, g_strdup (cookie ? cookie : ""));
  if (g_str_has_prefix (path, "/slow/"))
    {
      /* 64 KiB every 10 ms, 32 MiB in all: long enough to cancel in the middle */
      SlowSend *slow = g_new0 (SlowSend, 1);

      const char *chunks = query ? g_hash_table_lookup (query, "chunks") : NULL;
      guint n = chunks ? (guint) g_ascii_strtoull (chunks, NULL, 10) : 512;

      soup_message_headers_set_content_length (res, (goffset) n * 64 * 1024);
      soup_message_headers_set_content_type (res, "application/octet-stream", NULL);
      soup_server_message_set_status (msg, 200, NULL);
      slow->msg = g_object_ref (msg);
      slow->left = n;
      g_signal_connect (msg, "finished", G_CALLBACK (slow_finished_cb), slow);
      g_signal_connect (msg, "disconnected", G_CALLBACK (slow_finished_cb), slow);
      soup_server_message_pause (msg);
      slow->timer = g_timeout_add (10, slow_cb, slow);
      return;
    }
  if (g_str_has_prefix (path, "/forbidden/"))
    {
      soup_server_message_set_status (msg, 403, NULL);
      return;
    }
  if (g_str_has_prefix (path, "/file/"))
    {
      const char *name = query ? g_hash_table_lookup (query, "name") : NULL;
      const char *sum = query ? g_hash_table_lookup (query, "sha256") : NULL;

      if (name)
        {
          g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

          g_hash_table_insert (params, "filename", (gpointer) name);
          soup_message_headers_set_content_disposition (res, "attachment", params);
        }
      if (sum)
        {
          g_autofree char *good = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);

          soup_message_headers_replace (
              res, "X-Checksum-Sha256",
              g_str_equal (sum, "good") ? good
                                        : "0000000000000000000000000000000000000000000000000000000000000000");
        }
      soup_message_headers_set_content_type (res, "image/png", NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  soup_server_message_set_status (msg, 404, NULL);
}

static FileHost *
file_host_new (void)
{
  FileHost *host = g_new0 (FileHost, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  host->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (host->server, NULL, host_cb, host, NULL);
  soup_server_listen_local (host->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (host->server);
  host->url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (host->url, "/"))
    host->url[strlen (host->url) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  host->auth_seen = g_ptr_array_new_with_free_func (g_free);
  host->cookie_seen = g_ptr_array_new_with_free_func (g_free);
  return host;
}

static void
file_host_free (FileHost *host)
{
  soup_server_disconnect (host->server);
  g_object_unref (host->server);
  g_ptr_array_unref (host->auth_seen);
  g_ptr_array_unref (host->cookie_seen);
  g_free (host->url);
  g_free (host);
}

static WevionJob *
job_with_urls (const char *id, const char *const *urls)
{
  WevionJob *job = wevion_job_new (id, WEVION_JOB_TYPE_IMAGE, "p", "x");

  g_object_set (job, "status-name", "completed", "result-urls", urls, NULL);
  return job;
}

/* ---- running one download ------------------------------------------------------------------- */

typedef struct
{
  guint n_bytes_notify;
  gint64 max_bytes_seen;
  gboolean bytes_over_total;
  RtHub *clear_faults_hub; /* clear the faults when attempts reaches clear_at */
  guint clear_at;
} Watch;

static void
bytes_cb (WevionDownload *d, GParamSpec *pspec, Watch *w)
{
  w->n_bytes_notify++;
  w->max_bytes_seen = MAX (w->max_bytes_seen, wevion_download_get_bytes (d));
  if (wevion_download_get_total (d) >= 0 && wevion_download_get_bytes (d) > wevion_download_get_total (d))
    w->bytes_over_total = TRUE;
}

static void
attempts_cb (WevionDownload *d, GParamSpec *pspec, Watch *w)
{
  if (w->clear_faults_hub && wevion_download_get_attempts (d) == w->clear_at)
    rt_set_faults (w->clear_faults_hub, "");
}

static char *
download (WevionDownloader *dl, WevionJob *job, guint index, const char *folder, Watch *w,
          WevionDownload **out_download, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  WevionDownload *d
      = wevion_downloader_download_async (dl, job, index, folder, NULL, rt_store_result_cb, &result);

  g_object_ref (d);
  if (w)
    {
      g_signal_connect (d, "notify::bytes", G_CALLBACK (bytes_cb), w);
      g_signal_connect (d, "notify::attempts", G_CALLBACK (attempts_cb), w);
    }
  rt_wait_result (&result, 60);
  if (out_download)
    *out_download = g_object_ref (d);
  if (w)
    g_signal_handlers_disconnect_by_data (d, w);
  g_object_unref (d);
  return wevion_downloader_download_finish (dl, result, error);
}

static GBytes *
hub_file (const char *url)
{
  GBytes *body = NULL;

  g_assert_cmpuint (rt_http ("GET", url, NULL, &body), ==, 200);
  return body;
}

static void
assert_file_equals (const char *path, GBytes *expected)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
assert_no_part_files (const char *folder)
{
  g_auto (GStrv) names = rt_list_dir (folder);

  for (guint i = 0; names[i]; i++)
    g_assert_false (g_str_has_suffix (names[i], ".part"));
}

/* one hub and one completed two-image job for most tests */
static RtHub *hub;
static WevionClient *client;
static WevionJob *job;

static void
ensure_hub (void)
{
  if (hub)
    return;
  hub = rt_hub_start (NULL, NULL);
  client = rt_client (hub);
  job = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[ok] a red fox in the snow",
                            "{\"width\": 512, \"height\": 512, \"count\": 2}", NULL);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpuint (wevion_job_get_n_result_urls (job), ==, 2);
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
test_progress (void)
{
  g_autofree char *folder = rt_tmpdir ();
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (WevionDownload) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  Watch w = { 0 };
  guint n_active_notify = 0;

  ensure_hub ();
  dl = wevion_downloader_new (client);
  g_signal_connect_swapped (dl, "notify::n-active", G_CALLBACK (count_cb), &n_active_notify);
  expected = hub_file (wevion_job_get_result_urls (job)[0]);
  path = download (dl, job, 0, folder, &w, &d, &error);
  g_assert_no_error (error);
  dir = g_path_get_dirname (path);
  g_assert_cmpstr (dir, ==, folder);
  g_assert_true (g_str_has_suffix (path, ".png"));
  assert_file_equals (path, expected);
  g_assert_cmpint (wevion_download_get_state (d), ==, WEVION_DOWNLOAD_STATE_DONE);
  g_assert_cmpint (wevion_download_get_bytes (d), ==, g_bytes_get_size (expected));
  g_assert_cmpint (wevion_download_get_total (d), ==, g_bytes_get_size (expected));
  g_assert_cmpstr (wevion_download_get_path (d), ==, path);
  g_assert_cmpuint (w.n_bytes_notify, >=, 1);
  g_assert_cmpint (w.max_bytes_seen, ==, g_bytes_get_size (expected));
  g_assert_false (w.bytes_over_total);
  g_assert_cmpuint (wevion_downloader_get_n_active (dl), ==, 0);
  g_assert_cmpuint (n_active_notify, ==, 2); /* 0 → 1 → 0 */
  assert_no_part_files (folder);
  rt_rmtree (folder);
}

/* The hub drops the connection a third of the way in; the download resumes with a Range request
 * (and starts over cleanly when a dropped answer is a 200 to a Range request). */
static void
test_resume (void)
{
  g_autofree char *folder = rt_tmpdir ();
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (WevionDownload) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = NULL;
  g_autofree char *path = NULL;
  Watch w = { 0 };

  ensure_hub ();
  dl = wevion_downloader_new (client);
  wevion_downloader_set_retry_delay (dl, 20);
  expected = hub_file (wevion_job_get_result_urls (job)[1]);
  rt_set_faults (hub, "drop-download=1");
  /* attempt 1: dropped 200; attempt 2: Range answered by a dropped 200 (restart); attempt 3: 206 */
  w.clear_faults_hub = hub;
  w.clear_at = 3;
  path = download (dl, job, 1, folder, &w, &d, &error);
  g_assert_no_error (error);
  assert_file_equals (path, expected);
  g_assert_cmpuint (wevion_download_get_attempts (d), ==, 3);
  g_assert_cmpuint (wevion_download_get_restarted (d), ==, 1);
  g_assert_cmpuint (wevion_download_get_resumed (d), ==, 1);
  g_assert_false (w.bytes_over_total);
  assert_no_part_files (folder);

  /* every attempt dropped: an error, and nothing left behind */
  {
    g_autoptr (GError) error2 = NULL;
    g_autofree char *path2 = NULL;
    g_auto (GStrv) names = NULL;

    rt_set_faults (hub, "drop-download=1");
    path2 = download (dl, job, 1, folder, NULL, NULL, &error2);
    rt_set_faults (hub, "");
    g_assert_null (path2);
    g_assert_error (error2, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NETWORK);
    names = rt_list_dir (folder);
    g_assert_cmpuint (g_strv_length (names), ==, 1);
  }
  rt_rmtree (folder);
}

/* --url-ttl 1: the URL has expired by the time we download; the job is fetched again. */
static void
test_expired (void)
{
  const char *args[] = { "--url-ttl", "1", NULL };
  RtHub *short_hub = rt_hub_start (NULL, args);
  g_autoptr (WevionClient) c = rt_client (short_hub);
  g_autoptr (WevionJob) j
      = rt_submit_and_wait (c, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[ok] a cat", NULL, NULL);
  g_autofree char *folder = rt_tmpdir ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (c);
  g_autoptr (WevionDownload) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *old_url = g_strdup (wevion_job_get_result_urls (j)[0]);

  g_usleep (2100 * 1000);
  g_assert_cmpuint (rt_http ("GET", old_url, NULL, NULL), ==, 403);
  path = download (dl, j, 0, folder, NULL, &d, &error);
  g_assert_no_error (error);
  g_assert_true (wevion_download_get_refreshed (d));
  g_assert_cmpstr (wevion_download_get_url (d), !=, old_url);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* without a client to ask, an expired link is the Drive message */
  {
    g_autoptr (WevionDownloader) bare = wevion_downloader_new (NULL);
    g_autoptr (GError) error2 = NULL;
    g_autofree char *path2 = NULL;

    g_usleep (1100 * 1000);
    path2 = download (bare, j, 0, folder, NULL, NULL, &error2);
    g_assert_null (path2);
    g_assert_error (error2, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED);
    g_assert_nonnull (strstr (error2->message, "The file may have moved or its Drive permissions changed"));
  }
  rt_rmtree (folder);
  rt_hub_stop (short_hub);
}

static char *
tamper (const char *url)
{
  GString *s = g_string_new (url);
  char *sig = strstr (s->str, "sig=");

  g_assert_nonnull (sig);
  sig[4] = sig[4] == 'a' ? 'b' : 'a';
  return g_string_free (s, FALSE);
}

/* a tampered signature: fresh URLs fix it; a 403 after fresh URLs and a 404 give the Drive message */
static void
test_tampered_and_missing (void)
{
  g_autofree char *folder = rt_tmpdir ();
  g_autoptr (WevionDownloader) dl = NULL;
  g_autofree char *bad = NULL;
  FileHost *host = file_host_new ();

  ensure_hub ();
  dl = wevion_downloader_new (client);
  bad = tamper (wevion_job_get_result_urls (job)[0]);
  {
    const char *urls[] = { bad, NULL };
    g_autoptr (WevionJob) j = job_with_urls (wevion_job_get_id (job), urls);
    g_autoptr (WevionDownload) d = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;

    g_assert_cmpuint (rt_http ("GET", bad, NULL, NULL), ==, 403);
    path = download (dl, j, 0, folder, NULL, &d, &error);
    g_assert_no_error (error);
    g_assert_true (wevion_download_get_refreshed (d));
  }
  {
    /* 404: a file the host does not have */
    g_autofree char *missing = g_strdup_printf ("%s/drive/folders/no-such-folder", hub->url);
    const char *urls[] = { missing, NULL };
    g_autoptr (WevionJob) j = job_with_urls (wevion_job_get_id (job), urls);
    g_autoptr (GError) error = NULL;
    g_autofree char *path = download (dl, j, 0, folder, NULL, NULL, &error);

    g_assert_null (path);
    g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED);
    g_assert_nonnull (strstr (error->message, "The file may have moved or its Drive permissions changed"));
    g_assert_nonnull (strstr (wevion_download_error_get_advice (error), "Drive"));
  }
  {
    /* 403, then 403 again on the fresh URL */
    g_autoptr (GError) error = NULL;
    g_autofree char *api = g_strdup_printf ("%s/", host->url);
    g_autoptr (WevionClient) c = wevion_client_new (api, "secret-token", &error);
    g_autoptr (WevionDownloader) dl2 = wevion_downloader_new (c);
    g_autofree char *first = g_strdup_printf ("%s/forbidden/a.png", host->url);
    const char *urls[] = { first, NULL };
    g_autoptr (WevionJob) j = job_with_urls ("j-forbidden", urls);
    g_autofree char *path = NULL;

    g_assert_no_error (error);
    path = download (dl2, j, 0, folder, NULL, NULL, &error);
    g_assert_null (path);
    g_test_message ("403 twice: %s", error->message);
    g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED);
    g_assert_cmpuint (host->api_requests, ==, 1);
    g_assert_cmpuint (host->file_requests, ==, 2);
  }
  {
    g_auto (GStrv) names = rt_list_dir (folder);
    g_assert_cmpuint (g_strv_length (names), ==, 1); /* only the good download */
  }
  file_host_free (host);
  rt_rmtree (folder);
}

/* the Drive folder page is HTML, not a file */
static void
test_html (void)
{
  g_autofree char *folder = rt_tmpdir ();
  g_autoptr (WevionDownloader) dl = NULL;
  g_autofree char *page = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) names = NULL;

  ensure_hub ();
  dl = wevion_downloader_new (client);
  page = g_strdup_printf ("%s/drive/folders/%s", hub->url, wevion_job_get_drive_folder_id (job));
  {
    const char *urls[] = { page, NULL };
    g_autoptr (WevionJob) j = job_with_urls (wevion_job_get_id (job), urls);

    g_assert_cmpuint (rt_http ("GET", page, NULL, NULL), ==, 200);
    path = download (dl, j, 0, folder, NULL, NULL, &error);
  }
  g_assert_null (path);
  g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_HTML);
  g_assert_nonnull (strstr (wevion_download_error_get_advice (error), "browser"));
  names = rt_list_dir (folder);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  rt_rmtree (folder);
}

static void
test_sanitize (void)
{
  struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "fox-1.png", "fox-1.png" },
    { "../../etc/passwd", "passwd" },
    { "a/b", "b" },
    { "..", "download" },
    { "", "download" },
    { NULL, "download" },
    { "/", "download" },
    { "a\\b.png", "b.png" },
    { "bell\a\tnew\nline\x7f.png", "bellnewline.png" },
    { ".hidden", "hidden" },
    { " spaced . ", "spaced" },
    { "caf\xc3\xa9.png", "caf\xc3\xa9.png" },
    { "bad\xff utf8.png", "bad\xef\xbf\xbd utf8.png" },
    { "rtl\xe2\x80\xaegnp.exe", "rtlgnp.exe" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = wevion_download_sanitize_filename (cases[i].in, 200);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
  {
    g_autofree char *long_name = g_strnfill (300, 'x');
    g_autofree char *with_ext = g_strconcat (long_name, ".png", NULL);
    g_autofree char *out = wevion_download_sanitize_filename (with_ext, 200);
    g_autofree char *multi = NULL;
    GString *s = g_string_new (NULL);

    g_assert_cmpuint (strlen (out), ==, 200);
    g_assert_true (g_str_has_suffix (out, "xxx.png"));
    for (int i = 0; i < 150; i++)
      g_string_append (s, "\xc3\xa9"); /* 300 bytes of é */
    g_string_append (s, ".wav");
    multi = wevion_download_sanitize_filename (s->str, 200);
    g_string_free (s, TRUE);
    g_assert_cmpuint (strlen (multi), <=, 200);
    g_assert_true (g_utf8_validate (multi, -1, NULL));
    g_assert_true (g_str_has_suffix (multi, "\xc3\xa9.wav"));
  }
  {
    g_autofree char *a = wevion_download_filename_for (NULL, "https://h.example/files/j/fox%201.png?sig=1");
    g_autofree char *b = wevion_download_filename_for ("given.png", "https://h.example/files/j/fox.png");
    g_autofree char *c
        = wevion_download_filename_for (NULL, "https://h.example/files/j/..%2F..%2Fetc%2Fpasswd");
    g_autofree char *e = wevion_download_filename_for (NULL, "https://h.example/");

    g_assert_cmpstr (a, ==, "fox 1.png");
    g_assert_cmpstr (b, ==, "given.png");
    g_assert_cmpstr (c, ==, "passwd");
    g_assert_cmpstr (e, ==, "download");
  }
}

/* hostile names from Content-Disposition stay inside the folder; nothing is overwritten; the
 * file host never sees credentials */
static void
test_names_and_credentials (void)
{
  g_autofree char *root = rt_tmpdir ();
  g_autofree char *folder = g_build_filename (root, "inner", NULL);
  FileHost *host = file_host_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionClient) c = NULL;
  g_autoptr (WevionDownloader) dl = NULL;
  g_autofree char *long_name = g_strnfill (300, 'y');
  const char *names[]
      = { "../../etc/passwd", "a/b", "ctl\x01\x1b[31mred.png", long_name, "same.png", "same.png" };
  g_auto (GStrv) listed = NULL;
  g_autoptr (GBytes) expected = test_body (64 * 1024);
  g_autofree char *api = g_strdup_printf ("%s/", host->url);

  c = wevion_client_new (api, "secret-token", &error);
  g_assert_no_error (error);
  dl = wevion_downloader_new (c);
  g_mkdir_with_parents (folder, 0700);
  {
    /* an existing file must survive */
    g_autofree char *existing = g_build_filename (folder, "same.png", NULL);
    g_file_set_contents (existing, "keep me", -1, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *escaped = g_uri_escape_string (names[i], NULL, FALSE);
      g_autofree char *url = g_strdup_printf ("%s/file/x.png?name=%s", host->url, escaped);
      const char *urls[] = { url, NULL };
      g_autoptr (WevionJob) j = job_with_urls ("j1", urls);
      g_autofree char *path = download (dl, j, 0, folder, NULL, NULL, &error);
      g_autofree char *dir = NULL;

      g_assert_no_error (error);
      dir = g_path_get_dirname (path);
      g_assert_cmpstr (dir, ==, folder);
      assert_file_equals (path, expected);
    }
  /* the expired-then-refreshed path: the API gets the token, the file host never does */
  {
    g_autofree char *url = g_strdup_printf ("%s/forbidden/old.png", host->url);
    const char *urls[] = { url, NULL };
    g_autoptr (WevionJob) j = job_with_urls ("j1", urls);
    g_autofree char *path = download (dl, j, 0, folder, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_str_has_suffix (path, "/fresh.png"));
  }
  g_assert_cmpuint (host->api_requests, ==, 1);
  for (guint i = 0; i < host->auth_seen->len; i++)
    {
      const char *seen = g_ptr_array_index (host->auth_seen, i);

      if (g_str_has_prefix (seen, "api:"))
        g_assert_cmpstr (seen, ==, "api:Bearer secret-token");
      else
        g_assert_cmpstr (seen, ==, "");
    }
  for (guint i = 0; i < host->cookie_seen->len; i++)
    g_assert_cmpstr (g_ptr_array_index (host->cookie_seen, i), ==, "");

  listed = rt_list_dir (folder);
  {
    g_autofree char *joined = g_strjoinv ("|", listed);
    g_autofree char *long_saved = g_strnfill (200, 'y');

    g_test_message ("saved: %s", joined);
    g_assert_true (g_strv_contains ((const char *const *) listed, "passwd"));
    g_assert_true (g_strv_contains ((const char *const *) listed, "b"));
    g_assert_true (g_strv_contains ((const char *const *) listed, "ctl[31mred.png"));
    g_assert_true (g_strv_contains ((const char *const *) listed, long_saved));
    g_assert_true (g_strv_contains ((const char *const *) listed, "same.png"));
    g_assert_true (g_strv_contains ((const char *const *) listed, "same (1).png"));
    g_assert_true (g_strv_contains ((const char *const *) listed, "same (2).png"));
    g_assert_true (g_strv_contains ((const char *const *) listed, "fresh.png"));
    g_assert_cmpuint (g_strv_length (listed), ==, 8);
  }
  {
    g_autofree char *existing = g_build_filename (folder, "same.png", NULL);
    g_autofree char *contents = NULL;

    g_file_get_contents (existing, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "keep me");
  }
  /* nothing escaped the folder */
  {
    g_auto (GStrv) top = rt_list_dir (root);
    g_assert_cmpuint (g_strv_length (top), ==, 1);
  }
  file_host_free (host);
  rt_rmtree (root);
}

/* two downloads of the same name into the same folder at once: two files, both whole */
static void
test_same_name_at_once (void)
{
  g_autofree char *folder = rt_tmpdir ();
  FileHost *host = file_host_new ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autofree char *url = g_strdup_printf ("%s/file/x.png?name=twin.png", host->url);
  const char *urls[] = { url, url, NULL };
  g_autoptr (WevionJob) j = job_with_urls ("j", urls);
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = test_body (64 * 1024);
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_auto (GStrv) names = NULL;

  wevion_downloader_download_async (dl, j, 0, folder, NULL, rt_store_result_cb, &r1);
  wevion_downloader_download_async (dl, j, 1, folder, NULL, rt_store_result_cb, &r2);
  g_assert_cmpuint (wevion_downloader_get_n_active (dl), ==, 2);
  rt_wait_result (&r1, 60);
  rt_wait_result (&r2, 60);
  p1 = wevion_downloader_download_finish (dl, r1, &error);
  g_assert_no_error (error);
  p2 = wevion_downloader_download_finish (dl, r2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p1, !=, p2);
  assert_file_equals (p1, expected);
  assert_file_equals (p2, expected);
  names = rt_list_dir (folder);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_true (g_strv_contains ((const char *const *) names, "twin.png"));
  g_assert_true (g_strv_contains ((const char *const *) names, "twin (1).png"));
  file_host_free (host);
  rt_rmtree (folder);
}

static void
test_checksum (void)
{
  g_autofree char *folder = rt_tmpdir ();
  FileHost *host = file_host_new ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *good = g_strdup_printf ("%s/file/ok.png?sha256=good", host->url);
  g_autofree char *bad = g_strdup_printf ("%s/file/bad.png?sha256=bad", host->url);
  const char *urls[] = { good, bad, NULL };
  g_autoptr (WevionJob) j = job_with_urls ("j", urls);
  g_autofree char *p1 = download (dl, j, 0, folder, NULL, NULL, &error);
  g_autofree char *p2 = NULL;
  g_auto (GStrv) names = NULL;

  g_assert_no_error (error);
  p2 = download (dl, j, 1, folder, NULL, NULL, &error);
  g_assert_null (p2);
  g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_INCOMPLETE);
  names = rt_list_dir (folder);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "ok.png");
  file_host_free (host);
  rt_rmtree (folder);
}

static void
cancel_on_bytes_cb (WevionDownload *d, GParamSpec *pspec, GCancellable *cancellable)
{
  if (wevion_download_get_bytes (d) > 0)
    g_cancellable_cancel (cancellable);
}

typedef struct
{
  double max_rate;
  int min_left;
  guint n_left;
} RateWatch;

static void
rate_cb (WevionDownload *d, GParamSpec *pspec, RateWatch *w)
{
  w->max_rate = MAX (w->max_rate, wevion_download_get_rate (d));
  if (wevion_download_get_seconds_left (d) >= 0)
    {
      w->n_left++;
      w->min_left = MIN (w->min_left, wevion_download_get_seconds_left (d));
    }
}

/* a download that takes about a second reports a rate and the time left */
static void
test_rate (void)
{
  g_autofree char *folder = rt_tmpdir ();
  FileHost *host = file_host_new ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/slow/paced.bin?chunks=100", host->url);
  const char *urls[] = { url, NULL };
  g_autoptr (WevionJob) j = job_with_urls ("j", urls);
  g_autofree char *path = NULL;
  RateWatch w = { 0, G_MAXINT, 0 };
  WevionDownload *d;

  d = g_object_ref (wevion_downloader_download_async (dl, j, 0, folder, NULL, rt_store_result_cb, &result));
  g_signal_connect (d, "notify::rate", G_CALLBACK (rate_cb), &w);
  g_signal_connect (d, "notify::seconds-left", G_CALLBACK (rate_cb), &w);
  rt_wait_result (&result, 60);
  path = wevion_downloader_download_finish (dl, result, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (w.max_rate, >, 0);
  g_assert_cmpuint (w.n_left, >, 0);
  g_assert_cmpint (w.min_left, >=, 0);
  g_assert_cmpint (wevion_download_get_bytes (d), ==, 100 * 64 * 1024);
  g_object_unref (d);
  file_host_free (host);
  rt_rmtree (folder);
}

/* Canceled in the middle: a canceled error, and no part file left */
static void
test_cancel (void)
{
  g_autofree char *folder = rt_tmpdir ();
  FileHost *host = file_host_new ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/slow/big.bin", host->url);
  const char *urls[] = { url, NULL };
  g_autoptr (WevionJob) j = job_with_urls ("j", urls);
  g_autofree char *path = NULL;
  g_auto (GStrv) names = NULL;
  WevionDownload *d;

  d = wevion_downloader_download_async (dl, j, 0, folder, cancellable, rt_store_result_cb, &result);
  g_object_ref (d);
  g_signal_connect (d, "notify::bytes", G_CALLBACK (cancel_on_bytes_cb), cancellable);
  rt_wait_result (&result, 60);
  path = wevion_downloader_download_finish (dl, result, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (wevion_download_get_state (d), ==, WEVION_DOWNLOAD_STATE_CANCELED);
  g_assert_cmpint (wevion_download_get_bytes (d), <, 512 * 64 * 1024);
  g_assert_cmpint (wevion_download_get_total (d), ==, 512 * 64 * 1024);
  g_assert_cmpuint (wevion_downloader_get_n_active (dl), ==, 0);
  names = rt_list_dir (folder);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_object_unref (d);
  file_host_free (host);
  rt_rmtree (folder);
}

/* The file size limit makes write() fail with EFBIG, as a full disk would with ENOSPC. */
static void
test_disk_full (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *folder = rt_tmpdir ();
      FileHost *host = file_host_new ();
      g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *url = g_strdup_printf ("%s/file/big.png", host->url);
      const char *urls[] = { url, NULL };
      g_autoptr (WevionJob) j = job_with_urls ("j", urls);
      g_autofree char *path = NULL;
      g_auto (GStrv) names = NULL;
      struct rlimit limit = { 10000, 10000 };

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      path = download (dl, j, 0, folder, NULL, NULL, &error);
      g_assert_null (path);
      g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_DISK_FULL);
      g_assert_nonnull (strstr (wevion_download_error_get_advice (error), "disk is full"));
      names = rt_list_dir (folder);
      g_assert_cmpuint (g_strv_length (names), ==, 0);
      file_host_free (host);
      rt_rmtree (folder);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_permission (void)
{
  g_autofree char *root = rt_tmpdir ();
  g_autofree char *folder = g_build_filename (root, "locked", NULL);
  FileHost *host = file_host_new ();
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/file/x.png", host->url);
  const char *urls[] = { url, NULL };
  g_autoptr (WevionJob) j = job_with_urls ("j", urls);
  g_autofree char *path = NULL;

  if (geteuid () == 0)
    {
      /* root writes anywhere: a path under a regular file cannot be created either way */
      g_autofree char *file = g_build_filename (root, "plain", NULL);
      g_file_set_contents (file, "", 0, NULL);
      g_free (folder);
      folder = g_build_filename (file, "sub", NULL);
      path = download (dl, j, 0, folder, NULL, NULL, &error);
      g_assert_null (path);
      g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_WRITE);
    }
  else
    {
      g_mkdir (folder, 0500);
      path = download (dl, j, 0, folder, NULL, NULL, &error);
      g_assert_null (path);
      g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_PERMISSION);
      g_chmod (folder, 0700);
    }
  file_host_free (host);
  rt_rmtree (root);
}

static void
test_download_all (void)
{
  g_autofree char *folder = rt_tmpdir ();
  g_autofree char *per_job = NULL;
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) paths = NULL;

  ensure_hub ();
  dl = wevion_downloader_new (client);
  per_job = wevion_download_folder_for (job, folder, TRUE);
  g_assert_cmpstr (per_job + strlen (folder) + 1, ==, wevion_job_get_id (job));
  wevion_downloader_download_all_async (dl, job, per_job, NULL, rt_store_result_cb, &result);
  rt_wait_result (&result, 60);
  paths = wevion_downloader_download_all_finish (dl, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  g_assert_cmpstr (paths[0], !=, paths[1]);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GBytes) expected = hub_file (wevion_job_get_result_urls (job)[i]);
      assert_file_equals (paths[i], expected);
    }
  rt_rmtree (folder);
}

static void
test_default_folder (void)
{
  g_autoptr (WevionJob) image = wevion_job_new ("i", WEVION_JOB_TYPE_IMAGE, "p", "x");
  g_autofree char *set = wevion_download_folder_for (image, "/data/out", FALSE);
  g_autofree char *def = wevion_download_folder_for (image, "", FALSE);
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  g_assert_cmpstr (set, ==, "/data/out");
  if (pictures && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (def, ==, pictures);
  else
    g_assert_nonnull (def);
  g_assert_true (g_path_is_absolute (def));
}

/* Use in Campaign: the template from settings, and the hub's page shows the creative */
static void
test_campaign_uri (void)
{
  const char *template_ = "{server}/campaigns/new?creative_job_id={id}&result_url={url}";
  g_autofree char *server = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (GBytes) page = NULL;
  g_autofree char *html = NULL;
  g_autofree char *img = NULL;
  g_autofree char *escaped = NULL;
  const char *url;

  {
    g_autofree char *u = wevion_campaign_uri_build (template_, "https://api.example.com/", "a b&c",
                                                    "https://h/x.png?a=1&sig=2");
    g_assert_cmpstr (u, ==,
                     "https://api.example.com/campaigns/new?creative_job_id=a%20b%26c&result_url="
                     "https%3A%2F%2Fh%2Fx.png%3Fa%3D1%26sig%3D2");
  }
  {
    g_autofree char *u = wevion_campaign_uri_build ("{server}/c?u={url}", "https://s/{id}", "ID", "U");
    g_assert_cmpstr (u, ==, "https://s/{id}/c?u=U");
  }
  ensure_hub ();
  url = wevion_job_get_result_urls (job)[0];
  server = g_strconcat (hub->url, "/", NULL);
  uri = wevion_campaign_uri_build (template_, server, wevion_job_get_id (job), url);
  g_assert_true (g_str_has_prefix (uri, hub->url));
  g_assert_cmpuint (rt_http ("GET", uri, NULL, &page), ==, 200);
  html = g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
  escaped = g_markup_escape_text (url, -1);
  img = g_strdup_printf ("<img id=\"creative\" src=\"%s\"", escaped);
  g_assert_nonnull (strstr (html, img));
  g_assert_nonnull (strstr (html, wevion_job_get_id (job)));
}

/* A retry carries metadata.retry_of = the failed job's id */
static void
test_retry_payload (void)
{
  g_autoptr (WevionJob) failed = NULL;
  g_autoptr (WevionJob) retry = NULL;
  g_autoptr (JsonObject) metadata = json_object_new ();

  ensure_hub ();
  failed = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[fail] a fox", NULL, NULL);
  g_assert_cmpint (wevion_job_get_status (failed), ==, WEVION_JOB_STATUS_FAILED);
  g_assert_cmpint (wevion_job_get_cost_cents (failed), ==, 0);
  json_object_set_string_member (metadata, "retry_of", wevion_job_get_id (failed));
  retry = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[ok] a fox", NULL, metadata);
  g_assert_cmpstr (wevion_job_get_retry_of (retry), ==, wevion_job_get_id (failed));
  g_assert_cmpstr (wevion_job_get_prompt (retry), ==, "[ok] a fox");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("WEVION_OPEN_URI_LOG", "/dev/null", TRUE); /* never a real browser */
  g_test_add_func ("/results/download/progress", test_progress);
  g_test_add_func ("/results/download/resume", test_resume);
  g_test_add_func ("/results/download/expired", test_expired);
  g_test_add_func ("/results/download/tampered-and-missing", test_tampered_and_missing);
  g_test_add_func ("/results/download/html", test_html);
  g_test_add_func ("/results/download/sanitize", test_sanitize);
  g_test_add_func ("/results/download/names-and-credentials", test_names_and_credentials);
  g_test_add_func ("/results/download/same-name-at-once", test_same_name_at_once);
  g_test_add_func ("/results/download/checksum", test_checksum);
  g_test_add_func ("/results/download/cancel", test_cancel);
  g_test_add_func ("/results/download/rate", test_rate);
  g_test_add_func ("/results/download/disk-full", test_disk_full);
  g_test_add_func ("/results/download/permission", test_permission);
  g_test_add_func ("/results/download/all", test_download_all);
  g_test_add_func ("/results/download/default-folder", test_default_folder);
  g_test_add_func ("/results/campaign-uri", test_campaign_uri);
  g_test_add_func ("/results/retry-payload", test_retry_payload);
  status = g_test_run ();
  g_clear_object (&job);
  g_clear_object (&client);
  if (hub)
    rt_hub_stop (hub);
  return status;
}
