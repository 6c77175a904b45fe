/* wevion-fetch.c */
#include "config.h"

#include <libsoup/soup.h>

#include "wevion-fetch.h"

G_DEFINE_QUARK (wevion - fetch - error - quark, wevion_fetch_error)

typedef struct
{
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *data;
  gsize max_bytes;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->msg);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->data, g_byte_array_unref);
  g_free (data);
}

static SoupSession *
shared_session (void)
{
  static SoupSession *session;

  /* One session for result hosts, separate from the API client's: it never has credentials. */
  /* Used from the main thread only. */
  if (session == NULL)
    session = soup_session_new_with_options ("timeout", 30, "idle-timeout", 60, NULL);
  return session;
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_more (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->stream, 64 * 1024, G_PRIORITY_LOW, g_task_get_cancellable (task),
                                   read_cb, task);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&data->data)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (data->data->len + g_bytes_get_size (chunk) > data->max_bytes)
    {
      g_task_return_new_error (task, WEVION_FETCH_ERROR, WEVION_FETCH_ERROR_TOO_LARGE,
                               "the file is larger than %" G_GSIZE_FORMAT " bytes", data->max_bytes);
      return;
    }
  g_byte_array_append (data->data, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  read_more (g_steal_pointer (&task));
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (data->msg);
  if (status == SOUP_STATUS_FORBIDDEN)
    {
      g_task_return_new_error (task, WEVION_FETCH_ERROR, WEVION_FETCH_ERROR_EXPIRED,
                               "the link has expired or was refused (HTTP 403)");
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, WEVION_FETCH_ERROR, WEVION_FETCH_ERROR_HTTP,
                               "the file host answered HTTP %u", status);
      return;
    }
  if (soup_message_headers_get_content_length (soup_message_get_response_headers (data->msg))
      > (goffset) data->max_bytes)
    {
      g_task_return_new_error (task, WEVION_FETCH_ERROR, WEVION_FETCH_ERROR_TOO_LARGE,
                               "the file is larger than %" G_GSIZE_FORMAT " bytes", data->max_bytes);
      return;
    }
  read_more (g_steal_pointer (&task));
}

void
wevion_fetch_bytes_async (const char *url, gsize max_bytes, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  FetchData *data = g_new0 (FetchData, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);

  g_task_set_source_tag (task, wevion_fetch_bytes_async);
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  data->max_bytes = max_bytes;
  data->data = g_byte_array_new ();

  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a web address: %s",
                               error ? error->message : url);
      return;
    }
  data->msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  soup_session_send_async (shared_session (), data->msg, G_PRIORITY_LOW, cancellable, send_cb,
                           g_steal_pointer (&task));
}

GBytes *
wevion_fetch_bytes_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
