/* test-security-answers.c: a hostile server cannot exhaust the app's memory with its answers.
 * WevionClient reads an answer up to 64 MB and refuses the rest: an answer that declares a
 * gigabyte is refused from its headers, one that never ends is cut off at the limit, and an
 * ordinary answer afterwards still works. The server is an in-process SoupServer over loopback. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "core-test-utils.h"

#define CHUNK (1024 * 1024)

static char *chunk;
static guint chunks_written;

static void
wrote_chunk_cb (SoupServerMessage *msg, gpointer data)
{
  /* endless: another megabyte of a JSON string each time one has gone out */
  chunks_written++;
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, chunk, CHUNK);
}

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (g_str_has_suffix (path, "/declared-huge"))
    {
      /* headers that promise a gigabyte, then a few bytes and nothing more */
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      soup_message_headers_set_content_length (headers, (goffset) 1 << 30);
      soup_message_body_append (body, SOUP_MEMORY_STATIC, "{\"id\":\"", 7);
    }
  else if (g_str_has_suffix (path, "/endless"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (body, FALSE);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), NULL);
      soup_message_body_append (body, SOUP_MEMORY_STATIC, "{\"id\":\"", 7);
    }
  else
    {
      g_autofree char *row = wt_row ("fine", "pending", "2026-11-01T10:00:00Z", NULL);

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, row, strlen (row));
    }
}

static void
got_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static WevionJob *
get_job (WevionClient *client, const char *id, GError **error)
{
  GAsyncResult *result = NULL;
  WevionJob *job;

  wevion_client_get_job_async (client, id, NULL, got_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  job = wevion_client_get_job_finish (client, result, error);
  g_object_unref (result);
  return job;
}

static gint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : 0;
}

static void
test_answers_are_bounded (void)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJob) job = NULL;
  GSList *uris;
  g_autofree char *base = NULL;
  gint64 before;

  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  client = wevion_client_new (base, "hostile-test-token", &error);
  g_assert_no_error (error);

  /* a gigabyte announced: refused from the headers, long before the request deadline */
  job = get_job (client, "declared-huge", &error);
  g_assert_null (job);
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_INVALID_RESPONSE);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_test_message ("declared: %s", error->message);
  g_clear_error (&error);

  /* an answer that never ends: cut off at the limit, memory stays bounded */
  before = rss_kib ();
  job = get_job (client, "endless", &error);
  g_assert_null (job);
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_INVALID_RESPONSE);
  g_test_message ("endless: %s after %u MB sent; RSS grew %" G_GINT64_FORMAT " KiB", error->message,
                  chunks_written, rss_kib () - before);
  g_assert_cmpuint (chunks_written, >=, 60);
  g_assert_cmpint (rss_kib () - before, <, 256 * 1024);
  g_clear_error (&error);

  /* the client is still good for ordinary answers */
  job = get_job (client, "fine", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wevion_job_get_id (job), ==, "fine");
  /* nothing of the refused answers keeps the client alive */
  g_clear_object (&job);
  g_assert_finalize_object (g_steal_pointer (&client));
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  chunk = g_malloc (CHUNK);
  memset (chunk, 'a', CHUNK);
  g_test_add_func ("/security/answers/bounded", test_answers_are_bounded);
  status = g_test_run ();
  g_free (chunk);
  return status;
}
