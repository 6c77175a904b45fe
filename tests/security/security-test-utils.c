/* security-test-utils.c */
#include "config.h"

#include <string.h>

#include "security-test-utils.h"

void
st_raw_free (StRaw *r)
{
  g_free (r->head);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_free (r);
}

void
st_url_host_port (const char *url, char **host, guint16 *port)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  *host = g_strdup (g_uri_get_host (uri));
  *port = (guint16) g_uri_get_port (uri);
}

GSocketConnection *
st_connect (const char *host, guint16 port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, 30);
  conn = g_socket_client_connect_to_host (client, host, port, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

StRaw *
st_raw_request (const char *url, const char *request, gsize len)
{
  g_autofree char *host = NULL;
  guint16 port;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GByteArray) all = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  GOutputStream *out;
  GInputStream *in;
  StRaw *r = g_new0 (StRaw, 1);
  const guint8 *end;
  char buf[16384];
  gssize n;

  st_url_host_port (url, &host, &port);
  conn = st_connect (host, port);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (out, request, len, NULL, NULL, &error);
  g_assert_no_error (error);
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, &error)) > 0)
    g_byte_array_append (all, (const guint8 *) buf, n);
  /* a server may reset a connection it refused: what arrived before counts */
  g_clear_error (&error);
  end = all->len ? memmem (all->data, all->len, "\r\n\r\n", 4) : NULL;
  if (end)
    {
      gsize head_len = end - all->data;

      r->head = g_strndup ((const char *) all->data, head_len);
      r->body = g_bytes_new (end + 4, all->len - head_len - 4);
    }
  else
    {
      r->head = g_strndup ((const char *) all->data, all->len);
      r->body = g_bytes_new (NULL, 0);
    }
  if (g_str_has_prefix (r->head, "HTTP/1."))
    r->status = (guint) g_ascii_strtoull (r->head + 9, NULL, 10);
  return r;
}

gint64
st_rss_kib (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *text = NULL;
  const char *at;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  at = strstr (text, "VmRSS:");
  g_assert_nonnull (at);
  return g_ascii_strtoll (at + strlen ("VmRSS:"), NULL, 10);
}

gboolean
st_contains (const void *haystack, gsize len, const char *needle)
{
  return haystack && len && memmem (haystack, len, needle, strlen (needle)) != NULL;
}

static void
scan (const char *dir, const char *needle, GStrvBuilder *found)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        scan (path, needle, found);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (g_file_get_contents (path, &contents, &len, NULL) && st_contains (contents, len, needle))
            g_strv_builder_add (found, path);
        }
    }
}

GStrv
st_files_containing (const char *dir, const char *needle)
{
  g_autoptr (GStrvBuilder) found = g_strv_builder_new ();

  scan (dir, needle, found);
  return g_strv_builder_end (found);
}
