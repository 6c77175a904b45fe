/* results-test-utils.c */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "core-test-utils.h"
#include "results-test-utils.h"

RtHub *
rt_hub_start (const char *dir, const char *const *args)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();

  g_ptr_array_add (all, (gpointer) "--speed");
  g_ptr_array_add (all, (gpointer) "100");
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (all, (gpointer) args[i]);
  g_ptr_array_add (all, NULL);
  return wt_hub_start_in (dir, (const char *const *) all->pdata);
}

void
rt_hub_stop (RtHub *hub)
{
  wt_hub_stop (hub);
}

WevionClient *
rt_client (RtHub *hub)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client = wevion_client_new (hub->url, "demo-token", &error);

  g_assert_no_error (error);
  return client;
}

guint
rt_http (const char *method, const char *url, const char *body, GBytes **out_body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_nonnull (msg);
  if (body)
    {
      g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "text/plain", b);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_body)
    *out_body = g_steal_pointer (&bytes);
  return soup_message_get_status (msg);
}

void
rt_set_faults (RtHub *hub, const char *spec)
{
  wt_hub_set_faults (hub, spec);
}

void
rt_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
rt_wait_result (GAsyncResult **result, int seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_nonnull (*result);
}

WevionJob *
rt_get_job (WevionClient *client, const char *id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  WevionJob *job;

  wevion_client_get_job_async (client, id, NULL, rt_store_result_cb, &result);
  rt_wait_result (&result, 30);
  job = wevion_client_get_job_finish (client, result, &error);
  g_assert_no_error (error);
  return job;
}

WevionJob *
rt_submit_and_wait (WevionClient *client, WevionJobType type, const char *provider, const char *prompt,
                    const char *settings_json, JsonObject *metadata)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *id = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (settings_json)
    {
      settings = json_from_string (settings_json, &error);
      g_assert_no_error (error);
    }
  wevion_client_submit_async (client, type, provider, prompt,
                              settings ? json_node_get_object (settings) : NULL, metadata, NULL,
                              rt_store_result_cb, &result);
  rt_wait_result (&result, 30);
  id = wevion_client_submit_finish (client, result, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      WevionJob *job = rt_get_job (client, id);

      if (wevion_job_get_is_terminal (job))
        return job;
      g_object_unref (job);
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
  return NULL;
}

char *
rt_tmpdir (void)
{
  return wt_tmpdir ();
}

void
rt_rmtree (const char *path)
{
  wt_rmdir (path);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

GStrv
rt_list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new ();
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_str);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

WevionCosts *
rt_fetch_costs (WevionClient *client, const char *month, gboolean utc)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  WevionCosts *costs;

  wevion_costs_fetch_async (client, month, utc, NULL, rt_store_result_cb, &result);
  rt_wait_result (&result, 60);
  costs = wevion_costs_fetch_finish (result, &error);
  g_assert_no_error (error);
  return costs;
}
