/* test-security-tls.c: TLS errors are never ignored on result hosts either. The API client's side
 * (refusal of http:// to other hosts, insecure redirects, a bad certificate) is in
 * tests/core/test-client.c; here the downloader and the small fetcher (thumbnails) meet an HTTPS
 * result host whose certificate does not verify: they fail, send no request over it (so nothing,
 * not even the URL's signature, crosses) and leave no file behind. The same files over plain
 * loopback HTTP arrive (so the failure is the certificate, not the test). */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "../core/test-cert.h"
#include "core-test-utils.h"

static guint requests;

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  static const char png[] = "\x89PNG\r\n\x1a\nnot really a png, but bytes";

  requests++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, png, sizeof png - 1);
}

static char *
start (SoupServer **out, gboolean tls)
{
  g_autoptr (GError) error = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);
  GSList *uris;
  char *base;

  if (tls)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_pem (test_cert_pem, -1, &error);

      g_assert_no_error (error);
      soup_server_set_tls_certificate (server, cert);
    }
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (tls ? SOUP_SERVER_LISTEN_HTTPS : 0),
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  *out = server;
  return base;
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

static guint
n_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static void
check (gboolean tls)
{
  SoupServer *server = NULL;
  g_autofree char *base = start (&server, tls);
  g_autofree char *url = g_strconcat (base, "/files/j1/result-1.png?expires=9999999999&sig=abc", NULL);
  g_autofree char *extra = g_strdup_printf (",\"result_urls\":[\"%s\"]", url);
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (WevionDownloader) downloader = wevion_downloader_new (NULL);
  g_autofree char *dir = wt_tmpdir ();
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *path = NULL;

  /* a completed row (wt_row's is pending; the downloader does not care) */
  job = wt_job ("j1", "completed", "2026-11-01T10:00:00Z", extra);
  requests = 0;
  wevion_downloader_set_retry_delay (downloader, 10);
  wevion_downloader_download_async (downloader, job, 0, dir, NULL, result_cb, &r1);
  path = wevion_downloader_download_finish (downloader, wait_result (&r1), &error);
  if (tls)
    {
      g_test_message ("download: %s", error ? error->message : "(no error)");
      g_assert_null (path);
      g_assert_nonnull (error);
      g_assert_cmpuint (n_files (dir), ==, 0);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (path);
      g_assert_cmpuint (n_files (dir), ==, 1);
    }
  g_clear_error (&error);

  wevion_fetch_bytes_async (url, 1024 * 1024, NULL, result_cb, &r2);
  bytes = wevion_fetch_bytes_finish (wait_result (&r2), &error);
  if (tls)
    {
      g_test_message ("fetch: %s", error ? error->message : "(no error)");
      g_assert_null (bytes);
      g_assert_nonnull (error);
      /* the handshake failed before any request: the server saw none */
      g_assert_cmpuint (requests, ==, 0);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
      g_assert_cmpuint (requests, >=, 2);
    }
  soup_server_disconnect (server);
  g_object_unref (server);
  wt_rmdir (dir);
}

static void
test_bad_certificate (void)
{
  check (TRUE);
}

static void
test_plain_loopback_control (void)
{
  check (FALSE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/tls/result-host-bad-certificate", test_bad_certificate);
  g_test_add_func ("/security/tls/result-host-plain-loopback-control", test_plain_loopback_control);
  return g_test_run ();
}
