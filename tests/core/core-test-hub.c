/* core-test-hub.c */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "core-test-hub.h"
#include "core-test-utils.h"

/* the hub dies with the test, even when an assertion aborts it */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

WtHub *
wt_hub_start (const char *first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return wt_hub_start_in (NULL, (const char *const *) args->pdata);
}

WtHub *
wt_hub_start_in (const char *dir, const char *const *args)
{
  const char *root = g_getenv ("WEVION_BUILD_ROOT");
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  WtHub *hub = g_new0 (WtHub, 1);

  g_assert_nonnull (root);
  hub->own_dir = dir == NULL;
  hub->dir = dir ? g_strdup (dir) : wt_tmpdir ();
  g_ptr_array_add (argv, g_build_filename (root, "src", "hub", "wevion-hub", NULL));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_build_filename (hub->dir, "hub.db", NULL));
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
    hub->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hub->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char *at;

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("wevion-hub exited before it was ready");
      at = strstr (line, "listening on ");
      if (at)
        {
          hub->url = g_strdup (at + strlen ("listening on "));
          g_strchomp (hub->url);
          break;
        }
    }
  return hub;
}

void
wt_hub_stop (WtHub *hub)
{
  g_subprocess_send_signal (hub->process, SIGTERM);
  g_subprocess_wait (hub->process, NULL, NULL);
  g_object_unref (hub->process);
  if (hub->own_dir)
    wt_rmdir (hub->dir);
  g_free (hub->dir);
  g_free (hub->url);
  g_free (hub);
}

static GBytes *
admin (WtHub *hub, const char *method, const char *path, const char *body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (hub->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  GBytes *answer;

  if (body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "text/plain", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), <, 300);
  return answer;
}

void
wt_hub_set_faults (WtHub *hub, const char *spec)
{
  g_bytes_unref (admin (hub, "POST", "/admin/faults", spec));
}

gint64
wt_hub_requests (WtHub *hub, const char *route, gint64 *bytes)
{
  g_autoptr (GBytes) answer = admin (hub, "GET", "/admin/stats", NULL);
  g_autoptr (JsonNode) root
      = wevion_json_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL);
  JsonObject *object;
  gint64 n = 0, b = 0;

  g_assert_nonnull (root);
  object = json_node_get_object (root);
  if (route == NULL)
    {
      n = json_object_get_int_member (object, "requests");
      b = json_object_get_int_member (object, "bytes");
    }
  else
    {
      JsonObject *routes = json_object_get_object_member (object, "routes");

      if (json_object_has_member (routes, route))
        {
          JsonObject *r = json_object_get_object_member (routes, route);

          n = json_object_get_int_member (r, "requests");
          b = json_object_get_int_member (r, "bytes");
        }
    }
  if (bytes)
    *bytes = b;
  return n;
}

WevionClient *
wt_hub_client (WtHub *hub, const char *token)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client = wevion_client_new (hub->url, token ? token : "demo-token", &error);

  g_assert_no_error (error);
  return client;
}
