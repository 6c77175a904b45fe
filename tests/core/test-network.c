/* test-network.c: the network drops and comes back. The poller says it is offline while the
 * network is gone, and polls at once when GNetworkMonitor reports the network back, long before
 * its back-off timer would; the job that moved meanwhile arrives with each transition once.
 *
 * The monitor is a GNetworkMonitor whose availability the test sets (GIO's interface, implemented
 * here as the system's NetworkManager or netlink monitors implement it), handed to the poller
 * through its "network-monitor" property. The server is a real wevion-hub, stopped and restarted
 * on the same port and database. */
#include "config.h"

#include <string.h>

#include "core-test-hub.h"
#include "core-test-utils.h"

/* ---- a GNetworkMonitor the test switches ---------------------------------------------------- */

#define WT_TYPE_MONITOR (wt_monitor_get_type ())
G_DECLARE_FINAL_TYPE (WtMonitor, wt_monitor, WT, MONITOR, GObject)

struct _WtMonitor
{
  GObject parent_instance;
  gboolean available;
};

enum { PROP_0, PROP_AVAILABLE, PROP_METERED, PROP_CONNECTIVITY };

static gboolean
wt_monitor_can_reach (GNetworkMonitor *monitor, GSocketConnectable *connectable, GCancellable *cancellable,
                      GError **error)
{
  if (WT_MONITOR (monitor)->available)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable");
  return FALSE;
}

static void
wt_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = wt_monitor_can_reach;
}

static gboolean
wt_monitor_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
wt_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = wt_monitor_initable_init;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (WtMonitor, wt_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, wt_monitor_initable_iface_init)
                                   G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, wt_monitor_iface_init))

static void
wt_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_AVAILABLE: g_value_set_boolean (value, WT_MONITOR (object)->available); break;
    case PROP_METERED: g_value_set_boolean (value, FALSE); break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, WT_MONITOR (object)->available ? G_NETWORK_CONNECTIVITY_FULL
                                                              : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wt_monitor_class_init (WtMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wt_monitor_get_property;
  g_object_class_override_property (object_class, PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
wt_monitor_init (WtMonitor *self)
{
  self->available = TRUE;
}

/* as GIO's monitors do: the property changes, then "network-changed" */
static void
set_online (GNetworkMonitor *monitor, gboolean online)
{
  WT_MONITOR (monitor)->available = online;
  g_object_notify (G_OBJECT (monitor), "network-available");
  g_object_notify (G_OBJECT (monitor), "connectivity");
  g_signal_emit_by_name (monitor, "network-changed", online);
}

/* ---- the test -------------------------------------------------------------------------------- */

typedef struct
{
  GArray *seen; /* WevionJobStatus, the new state of each transition */
} Transitions;

static void
transition_cb (WevionJob *job, WevionJobStatus old_status, WevionJobStatus new_status, gpointer data)
{
  g_array_append_val (((Transitions *) data)->seen, new_status);
}

typedef struct
{
  gboolean done;
  gpointer result;
  GError *error;
} Wait;

static void
submit_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *wait = data;
  wait->result = wevion_client_submit_finish (WEVION_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
get_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *wait = data;
  wait->result = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
state_is (gpointer data)
{
  gpointer *args = data;
  return (int) wevion_poller_get_state (args[0]) == GPOINTER_TO_INT (args[1]);
}

static gboolean
ticks_above (gpointer data)
{
  gpointer *args = data;
  return wevion_poller_get_ticks (args[0]) > GPOINTER_TO_UINT (args[1]);
}

static gboolean
completed (gpointer data)
{
  return wevion_job_get_status (data) == WEVION_JOB_STATUS_COMPLETED;
}

static void
test_offline_then_back (void)
{
  g_autofree char *dir = wt_tmpdir ();
  const char *stalled[] = { "--speed", "200", "--faults", "stall-queue", NULL };
  WtHub *hub = wt_hub_start_in (dir, stalled);
  g_autofree char *port = g_strdup (strrchr (hub->url, ':') + 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GNetworkMonitor) monitor = g_initable_new (WT_TYPE_MONITOR, NULL, &error, NULL);
  g_autoptr (WevionClient) client = wt_hub_client (hub, NULL);
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  WevionPoller *poller;
  Transitions t = { g_array_new (FALSE, FALSE, sizeof (WevionJobStatus)) };
  g_autofree char *id = NULL;
  WevionJob *job;
  Wait wait = { 0 };
  int scheduled_ms;
  gint64 flipped;
  guint ticks;

  g_assert_no_error (error);
  poller
      = g_object_new (WEVION_TYPE_POLLER, "client", client, "store", store, "network-monitor", monitor, NULL);

  /* a job that stays pending while the queue is stalled */
  wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "a lighthouse at dusk [ok]", NULL,
                              NULL, NULL, submit_cb, &wait);
  wt_wait_flag (&wait.done, 20);
  g_assert_no_error (wait.error);
  id = wait.result;
  wait = (Wait){ 0 };
  wevion_client_get_job_async (client, id, NULL, get_cb, &wait);
  wt_wait_flag (&wait.done, 20);
  g_assert_no_error (wait.error);
  wevion_job_store_add (store, wait.result);
  job = wevion_job_store_lookup (store, id);
  g_object_unref (wait.result);
  g_signal_connect (job, "transition", G_CALLBACK (transition_cb), &t);

  wevion_poller_track (poller, id);
  {
    gpointer args[2] = { poller, GINT_TO_POINTER (WEVION_POLLER_STATE_POLLING) };
    g_assert_true (wt_wait_until (state_is, args, 20));
  }

  /* the cable is pulled: the server is unreachable and the monitor says there is no network */
  wt_hub_stop (hub);
  set_online (monitor, FALSE);
  {
    gpointer args[2] = { poller, GINT_TO_POINTER (WEVION_POLLER_STATE_OFFLINE) };
    g_assert_true (wt_wait_until (state_is, args, 30));
  }
  g_assert_nonnull (wevion_poller_get_last_error (poller));
  g_test_message ("offline: %s", wevion_poller_get_last_error (poller)->message);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_PENDING); /* kept as last known */

  /* meanwhile the server comes back (same port, same database) and finishes the job */
  {
    const char *args[] = { "--speed", "200", "--port", port, NULL };
    hub = wt_hub_start_in (dir, args);
  }

  /* the network returns: a poll at once, not at the end of the back-off */
  scheduled_ms = wevion_poller_get_next_poll_in (poller) * 1000;
  g_test_message ("next poll was due in %d s", scheduled_ms / 1000);
  g_assert_cmpint (scheduled_ms, >=, 3000);
  ticks = wevion_poller_get_ticks (poller);
  flipped = g_get_monotonic_time ();
  set_online (monitor, TRUE);
  {
    gpointer args[2] = { poller, GUINT_TO_POINTER (ticks) };
    g_assert_true (wt_wait_until (ticks_above, args, 30));
  }
  g_test_message ("polled %.0f ms after the network came back", (g_get_monotonic_time () - flipped) / 1000.0);
  g_assert_cmpint ((g_get_monotonic_time () - flipped) / 1000, <, scheduled_ms / 2);

  g_assert_true (wt_wait_until (completed, job, 60));
  /* each transition once, in order, ending completed */
  g_assert_cmpuint (t.seen->len, >=, 1);
  g_assert_cmpint (g_array_index (t.seen, WevionJobStatus, t.seen->len - 1), ==, WEVION_JOB_STATUS_COMPLETED);
  for (guint i = 1; i < t.seen->len; i++)
    g_assert_cmpint (g_array_index (t.seen, WevionJobStatus, i), >,
                     g_array_index (t.seen, WevionJobStatus, i - 1));
  g_assert_null (wevion_poller_get_last_error (poller));

  g_signal_handlers_disconnect_by_data (job, &t);
  g_array_unref (t.seen);
  wevion_poller_stop (poller);
  g_assert_finalize_object (poller);
  wt_hub_stop (hub);
  wt_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* real intervals: the back-off after a failure is ten seconds, give or take a fifth */
  g_unsetenv ("WEVION_POLL_INTERVAL_MS");
  g_test_add_func ("/wevion/network/offline-then-back", test_offline_then_back);
  return g_test_run ();
}
