/* bench-poll: what polling costs the server with 1, 10, 100 and 1000 active jobs, ours against the
 * naive pattern (one plain GET per active job per tick), counted by the hub's /admin/stats and by
 * the client's counters, in one run.
 *
 * Usage: bench-poll [PATH-TO-wevion-hub]  (meson passes it) */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "wevion-core.h"

#define TICKS 5

typedef struct
{
  GSubprocess *process;
  char *url;
} Hub;

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static Hub *
hub_start (const char *exe, gboolean minimal)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  Hub *hub = g_new0 (Hub, 1);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  if (minimal)
    hub->process = g_subprocess_launcher_spawn (launcher, &error, exe, "--port", "0", "--db",
                                                ":memory:", "--faults", "stall-queue", "--minimal", NULL);
  else
    hub->process = g_subprocess_launcher_spawn (launcher, &error, exe, "--port", "0", "--db",
                                                ":memory:", "--faults", "stall-queue", NULL);
  if (hub->process == NULL)
    g_error ("cannot start %s: %s", exe, error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hub->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char *at;

      if (line == NULL)
        g_error ("wevion-hub did not start");
      if ((at = strstr (line, "listening on ")))
        {
          hub->url = g_strstrip (g_strdup (at + strlen ("listening on ")));
          break;
        }
    }
  return hub;
}

static void
hub_stop (Hub *hub)
{
  g_subprocess_send_signal (hub->process, SIGTERM);
  g_subprocess_wait (hub->process, NULL, NULL);
  g_object_unref (hub->process);
  g_free (hub->url);
  g_free (hub);
}

/* API requests and bytes (list + job routes) counted by the hub */
static void
hub_stats (Hub *hub, gint64 *requests, gint64 *bytes)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (hub->url, "/admin/stats", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr (JsonNode) root
      = wevion_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  JsonObject *routes = json_object_get_object_member (json_node_get_object (root), "routes");
  const char *names[] = { "list", "job" };

  *requests = *bytes = 0;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (json_object_has_member (routes, names[i]))
      {
        JsonObject *r = json_object_get_object_member (routes, names[i]);

        *requests += json_object_get_int_member (r, "requests");
        *bytes += json_object_get_int_member (r, "bytes");
      }
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
submit_many (WevionClient *client, guint n, GPtrArray *ids)
{
  guint done = 0, sent = 0;
  GAsyncResult *results[16] = { NULL };

  /* 16 at a time */
  while (done < n)
    {
      for (guint i = 0; i < G_N_ELEMENTS (results); i++)
        {
          if (results[i])
            {
              g_autoptr (GError) error = NULL;
              g_autofree char *id = wevion_client_submit_finish (client, results[i], &error);

              if (id == NULL)
                g_error ("submit: %s", error->message);
              g_ptr_array_add (ids, g_steal_pointer (&id));
              g_clear_object (&results[i]);
              done++;
              if (sent < n)
                {
                  g_autofree char *prompt = g_strdup_printf ("benchmark job %u [ok]", sent);

                  wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", prompt, NULL, NULL,
                                              NULL, result_cb, &results[i]);
                  sent++;
                }
            }
          else if (sent < n && sent < G_N_ELEMENTS (results) + done)
            {
              g_autofree char *prompt = g_strdup_printf ("benchmark job %u [ok]", sent);

              wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", prompt, NULL, NULL,
                                          NULL, result_cb, &results[i]);
              sent++;
            }
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_ticks (WevionPoller *poller, guint n)
{
  guint target = wevion_poller_get_ticks (poller) + n;

  while (wevion_poller_get_ticks (poller) < target)
    g_main_context_iteration (NULL, TRUE);
}

/* the naive pattern: a plain GET per active job, nothing conditional */
static void
naive_tick (const char *url, GPtrArray *ids, guint64 *client_bytes)
{
  g_autoptr (WevionClient) client = wevion_client_new (url, "demo-token", NULL);
  GAsyncResult **results = g_new0 (GAsyncResult *, ids->len);

  for (guint i = 0; i < ids->len; i++)
    {
      wevion_client_get_job_async (client, g_ptr_array_index (ids, i), NULL, result_cb, &results[i]);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (WevionJob) job = NULL;

      while (results[i] == NULL)
        g_main_context_iteration (NULL, TRUE);
      job = wevion_client_get_job_finish (client, results[i], NULL);
      g_clear_object (&results[i]);
    }
  g_free (results);
  *client_bytes += wevion_client_get_bytes_received (client);
}

static void
stop (WevionPoller *poller)
{
  gboolean busy = TRUE;

  wevion_poller_stop (poller);
  while (busy)
    {
      g_object_get (poller, "busy", &busy, NULL);
      if (busy)
        g_main_context_iteration (NULL, TRUE);
    }
}

static void
run (const char *exe, gboolean minimal)
{
  Hub *hub = hub_start (exe, minimal);
  g_autoptr (WevionClient) submitter = wevion_client_new (hub->url, "demo-token", NULL);
  g_autoptr (WevionClient) client = wevion_client_new (hub->url, "demo-token", NULL);
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (WevionPoller) poller = wevion_poller_new (client, store);
  const guint sizes[] = { 1, 10, 100, 1000 };
  guint have = 0;

  printf ("\n%s server (jobs held pending with --faults stall-queue), %d ticks per figure\n",
          minimal ? "A --minimal (seed-only)" : "A full", TICKS);
  printf ("%7s | %-34s | %-34s | %-30s\n", "active", "ours: the tick after new jobs",
          "ours: idle tick (nothing changed)", "naive: one GET per job");
  printf ("%7s | %10s %11s %11s | %10s %11s %11s | %10s %11s %7s\n", "", "requests", "hub bytes",
          "wire bytes", "requests", "hub bytes", "wire bytes", "requests", "hub bytes", "wire");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint64 r0, b0, r1, b1, r2, b2, r3, b3;
      guint64 c0, c1, c2, naive_bytes = 0;
      g_autoptr (GPtrArray) ids = NULL;
      g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func (g_free);

      submit_many (submitter, sizes[s] - have, fresh);
      have = sizes[s];
      /* one tick after the new jobs were tracked (as the app does after a submit) */
      hub_stats (hub, &r0, &b0);
      c0 = wevion_client_get_bytes_received (client);
      for (guint i = 0; i < fresh->len; i++)
        wevion_poller_track (poller, g_ptr_array_index (fresh, i));
      wait_ticks (poller, 1);
      hub_stats (hub, &r1, &b1);
      c1 = wevion_client_get_bytes_received (client);
      if (wevion_job_store_get_n_active (store) != have)
        g_error ("the store has %u active jobs, not %u", wevion_job_store_get_n_active (store), have);
      /* idle ticks */
      wait_ticks (poller, TICKS);
      hub_stats (hub, &r2, &b2);
      c2 = wevion_client_get_bytes_received (client);
      stop (poller);
      /* naive, with our poller stopped */
      ids = wevion_job_store_get_active_ids (store);
      for (int t = 0; t < TICKS; t++)
        naive_tick (hub->url, ids, &naive_bytes);
      hub_stats (hub, &r3, &b3);
      printf ("%7u | %10" G_GINT64_FORMAT " %11" G_GINT64_FORMAT " %11" G_GUINT64_FORMAT
              " | %10.1f %11.0f %11.0f | "
              "%10.1f %11.0f %7.0f\n",
              have, r1 - r0, b1 - b0, c1 - c0, (double) (r2 - r1) / TICKS, (double) (b2 - b1) / TICKS,
              (double) (c2 - c1) / TICKS, (double) (r3 - r2) / TICKS, (double) (b3 - b2) / TICKS,
              (double) naive_bytes / TICKS);
      fflush (stdout);
    }
  hub_stop (hub);
}

int
main (int argc, char *argv[])
{
  const char *exe = argc > 1 ? argv[1] : "wevion-hub";

  /* benchmark only: ticks as fast as the test floor allows, so the run takes seconds */
  g_setenv ("WEVION_POLL_INTERVAL_MS", "50", TRUE);
  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  printf ("Poll load: requests and bytes per tick. \"hub bytes\" are response bodies counted by the hub's "
          "/admin/stats; \"wire bytes\" are bodies plus headers counted by the client.\n");
  run (exe, FALSE);
  run (exe, TRUE);
  return 0;
}
