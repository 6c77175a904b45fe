/* wevion-poller.h: keeps the store fresh by the seed's polling rules. */
#pragma once

#include "wevion-client.h"
#include "wevion-job-store.h"

G_BEGIN_DECLS

typedef enum {
  WEVION_POLLER_STATE_IDLE,         /* nothing active: no timer */
  WEVION_POLLER_STATE_POLLING,      /* polling every interval */
  WEVION_POLLER_STATE_BACKING_OFF,  /* the last request failed; trying again later */
  WEVION_POLLER_STATE_OFFLINE,      /* no network; polls again as soon as it is back */
  WEVION_POLLER_STATE_UNAUTHORIZED, /* the token was refused; waits for a new one (poll_now) */
} WevionPollerState;

GType wevion_poller_state_get_type (void);
#define WEVION_TYPE_POLLER_STATE (wevion_poller_state_get_type ())

#define WEVION_TYPE_POLLER (wevion_poller_get_type ())
G_DECLARE_FINAL_TYPE (WevionPoller, wevion_poller, WEVION, POLLER, GObject)

/* Properties: "interval" (int seconds, clamped 5..10, default 5), "state" (WevionPollerState),
 * "last-error" (GError boxed, NULL when fine), "last-error-message" (string), "next-poll-in"
 * (seconds until the next poll, -1 when none is scheduled), "server-minimal" (the server ignores
 * query parameters: active jobs are polled one by one), "ticks" (polls done; notified after the
 * state and error of that poll are set), "busy" (a poll is running), "network-monitor"
 * (construct-only; the GNetworkMonitor whose "network-available" going back to TRUE makes an offline
 * or backing-off poller poll at once; default: g_network_monitor_get_default ()).
 *
 * Signal "job-gone" (const char *job_id): the server answered 404 for a polled job (deleted, or not
 * this user's); it is not asked for again unless tracked anew.
 *
 * Test only: the environment variable WEVION_POLL_INTERVAL_MS replaces the interval (in
 * milliseconds, no 5 s floor) so tests do not wait 5 s per tick. Never set it in real use. */
WevionPoller *wevion_poller_new (WevionClient *client, WevionJobStore *store);

void wevion_poller_set_interval (WevionPoller *self, int seconds);
int wevion_poller_get_interval (WevionPoller *self);
WevionPollerState wevion_poller_get_state (WevionPoller *self);
const GError *wevion_poller_get_last_error (WevionPoller *self);
int wevion_poller_get_next_poll_in (WevionPoller *self);
gboolean wevion_poller_get_server_minimal (WevionPoller *self);
guint wevion_poller_get_ticks (WevionPoller *self);

void wevion_poller_start (WevionPoller *self);
void wevion_poller_stop (WevionPoller *self);
/* Refresh everything now (F5): a full refresh, then polling as needed. */
void wevion_poller_poll_now (WevionPoller *self);
/* After a submit: polls this job until it ends (starts the timer again). */
void wevion_poller_track (WevionPoller *self, const char *job_id);

/* Full list refresh: the first page, and further pages while they bring news (or all changes since
 * the newest updated_at we know, where the server supports updated_since). */
void wevion_poller_refresh_async (WevionPoller *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean wevion_poller_refresh_finish (WevionPoller *self, GAsyncResult *result, GError **error);

G_END_DECLS
