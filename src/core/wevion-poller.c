/* wevion-poller.c: keeps the store fresh by the seed's polling rules.
 *
 * One tick = one list request "status=pending,processing" that covers every active job, then one
 * GET for each tracked job that is missing from that answer (to learn how it ended). A server that
 * answers the list with a bare array ignores query parameters (a seed-only server): the poller
 * notices, says so in "server-minimal", and from then on GETs the active jobs one by one (with
 * If-None-Match, so an unchanged job costs a 304). No timer runs while nothing is active. Errors
 * back off exponentially with jitter (honouring Retry-After), capped at 60 s. */
#include "config.h"

#include <stdlib.h>

#include "wevion-poller.h"

#define ACTIVE_STATUSES "pending,processing"
#define ACTIVE_PAGE_LIMIT 500
#define REFRESH_PAGE_LIMIT 100
#define REFRESH_MAX_PAGES 50
#define BACKOFF_CAP_MS (60 * 1000)
#define MAX_PARALLEL_GETS 4

G_DEFINE_ENUM_TYPE (WevionPollerState, wevion_poller_state,
                    G_DEFINE_ENUM_VALUE (WEVION_POLLER_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (WEVION_POLLER_STATE_POLLING, "polling"),
                    G_DEFINE_ENUM_VALUE (WEVION_POLLER_STATE_BACKING_OFF, "backing-off"),
                    G_DEFINE_ENUM_VALUE (WEVION_POLLER_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (WEVION_POLLER_STATE_UNAUTHORIZED, "unauthorized"))

struct _WevionPoller
{
  GObject parent_instance;

  WevionClient *client;
  WevionJobStore *store;
  GNetworkMonitor *monitor;
  gulong monitor_handler;

  int interval;         /* seconds, 5..10 */
  int test_interval_ms; /* WEVION_POLL_INTERVAL_MS, 0 when unset */
  gboolean running;
  guint timer_id;
  gint64 next_poll_at; /* monotonic µs, 0 when none */
  WevionPollerState state;
  GError *last_error;
  gboolean server_minimal;
  gboolean knows_shape;
  gboolean supports_updated_since;
  guint failures;
  guint ticks;
  gboolean in_flight;
  gboolean again; /* a poll was asked for while one ran */
  gboolean refresh_wanted;
  GHashTable *tracked;  /* ids asked for by track() that have not ended yet */
  GHashTable *vanished; /* ids the server answered 404 for: not asked again */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (WevionPoller, wevion_poller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_INTERVAL,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_LAST_ERROR_MESSAGE,
  PROP_NEXT_POLL_IN,
  PROP_SERVER_MINIMAL,
  PROP_TICKS,
  PROP_BUSY,
  PROP_NETWORK_MONITOR,
  N_PROPS
};

enum { JOB_GONE, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void poll_run (WevionPoller *self, gboolean with_refresh);

/* ---- object --------------------------------------------------------------------------------- */

static void
wevion_poller_dispose (GObject *object)
{
  WevionPoller *self = WEVION_POLLER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (wevion_poller_parent_class)->dispose (object);
}

static void
wevion_poller_finalize (GObject *object)
{
  WevionPoller *self = WEVION_POLLER (object);

  g_clear_error (&self->last_error);
  g_hash_table_unref (self->tracked);
  g_hash_table_unref (self->vanished);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (wevion_poller_parent_class)->finalize (object);
}

static void
wevion_poller_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionPoller *self = WEVION_POLLER (object);

  switch (prop_id)
    {
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_INTERVAL: g_value_set_int (value, self->interval); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_LAST_ERROR: g_value_set_boxed (value, self->last_error); break;
    case PROP_LAST_ERROR_MESSAGE:
      g_value_set_string (value, self->last_error ? self->last_error->message : NULL);
      break;
    case PROP_NEXT_POLL_IN: g_value_set_int (value, wevion_poller_get_next_poll_in (self)); break;
    case PROP_SERVER_MINIMAL: g_value_set_boolean (value, self->server_minimal); break;
    case PROP_TICKS: g_value_set_uint (value, self->ticks); break;
    case PROP_BUSY: g_value_set_boolean (value, self->in_flight); break;
    case PROP_NETWORK_MONITOR: g_value_set_object (value, self->monitor); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_poller_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionPoller *self = WEVION_POLLER (object);

  switch (prop_id)
    {
    case PROP_CLIENT: self->client = g_value_dup_object (value); break;
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_NETWORK_MONITOR: self->monitor = g_value_dup_object (value); break;
    case PROP_INTERVAL: wevion_poller_set_interval (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
network_changed_cb (GNetworkMonitor *monitor, GParamSpec *pspec, gpointer data)
{
  WevionPoller *self = data;

  if (!self->running || !g_network_monitor_get_network_available (monitor))
    return;
  if (self->state == WEVION_POLLER_STATE_OFFLINE || self->state == WEVION_POLLER_STATE_BACKING_OFF)
    {
      g_debug ("Network is back: polling now");
      poll_run (self, FALSE);
    }
}

static void
wevion_poller_constructed (GObject *object)
{
  WevionPoller *self = WEVION_POLLER (object);

  G_OBJECT_CLASS (wevion_poller_parent_class)->constructed (object);
  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->monitor_handler
      = g_signal_connect (self->monitor, "notify::network-available", G_CALLBACK (network_changed_cb), self);
}

static void
wevion_poller_class_init (WevionPollerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wevion_poller_dispose;
  object_class->finalize = wevion_poller_finalize;
  object_class->get_property = wevion_poller_get_property;
  object_class->set_property = wevion_poller_set_property;
  object_class->constructed = wevion_poller_constructed;

  properties[PROP_CLIENT]
      = g_param_spec_object ("client", NULL, NULL, WEVION_TYPE_CLIENT,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE]
      = g_param_spec_object ("store", NULL, NULL, WEVION_TYPE_JOB_STORE,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] = g_param_spec_int (
      "interval", NULL, NULL, 5, 10, 5, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, WEVION_TYPE_POLLER_STATE, WEVION_POLLER_STATE_IDLE, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_LAST_ERROR_MESSAGE] = g_param_spec_string ("last-error-message", NULL, NULL, NULL, ro);
  properties[PROP_NEXT_POLL_IN] = g_param_spec_int ("next-poll-in", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_SERVER_MINIMAL] = g_param_spec_boolean ("server-minimal", NULL, NULL, FALSE, ro);
  properties[PROP_TICKS] = g_param_spec_uint ("ticks", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_NETWORK_MONITOR]
      = g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WevionPoller::job-gone:
   * @job_id: the job
   *
   * The server answered 404 for a job being polled (deleted, or not this user's): it is not asked
   * for again.
   */
  signals[JOB_GONE] = g_signal_new ("job-gone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
wevion_poller_init (WevionPoller *self)
{
  const char *env = g_getenv ("WEVION_POLL_INTERVAL_MS");

  self->interval = 5;
  self->state = WEVION_POLLER_STATE_IDLE;
  self->tracked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->vanished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  if (env && *env)
    {
      /* test only: no floor */
      self->test_interval_ms = CLAMP (atoi (env), 1, 10 * 1000);
    }
}

WevionPoller *
wevion_poller_new (WevionClient *client, WevionJobStore *store)
{
  g_return_val_if_fail (WEVION_IS_CLIENT (client), NULL);
  g_return_val_if_fail (WEVION_IS_JOB_STORE (store), NULL);
  return g_object_new (WEVION_TYPE_POLLER, "client", client, "store", store, NULL);
}

/* ---- properties ----------------------------------------------------------------------------- */

void
wevion_poller_set_interval (WevionPoller *self, int seconds)
{
  g_return_if_fail (WEVION_IS_POLLER (self));
  seconds = CLAMP (seconds, 5, 10);
  if (self->interval == seconds)
    return;
  self->interval = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

int
wevion_poller_get_interval (WevionPoller *self)
{
  return self->interval;
}

WevionPollerState
wevion_poller_get_state (WevionPoller *self)
{
  return self->state;
}

const GError *
wevion_poller_get_last_error (WevionPoller *self)
{
  return self->last_error;
}

int
wevion_poller_get_next_poll_in (WevionPoller *self)
{
  gint64 left;

  if (self->timer_id == 0 || self->next_poll_at == 0)
    return -1;
  left = self->next_poll_at - g_get_monotonic_time ();
  return (int) MAX (0, (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

gboolean
wevion_poller_get_server_minimal (WevionPoller *self)
{
  return self->server_minimal;
}

guint
wevion_poller_get_ticks (WevionPoller *self)
{
  return self->ticks;
}

static void
set_state (WevionPoller *self, WevionPollerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (WevionPoller *self, const GError *error)
{
  if (error == NULL && self->last_error == NULL)
    return;
  g_clear_error (&self->last_error);
  self->last_error = error ? g_error_copy (error) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR_MESSAGE]);
}

static void
set_server_minimal (WevionPoller *self, gboolean minimal)
{
  if (self->server_minimal == minimal)
    return;
  self->server_minimal = minimal;
  if (minimal)
    g_message ("The server ignores list parameters: polling active jobs one by one");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_MINIMAL]);
}

static void
set_busy (WevionPoller *self, gboolean busy)
{
  if (self->in_flight == busy)
    return;
  self->in_flight = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ---- scheduling ----------------------------------------------------------------------------- */

static int
interval_ms (WevionPoller *self)
{
  return self->test_interval_ms > 0 ? self->test_interval_ms : self->interval * 1000;
}

static gboolean
timer_cb (gpointer data)
{
  WevionPoller *self = data;

  self->timer_id = 0;
  self->next_poll_at = 0;
  poll_run (self, self->refresh_wanted);
  return G_SOURCE_REMOVE;
}

static void
schedule (WevionPoller *self, int delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->next_poll_at = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MAX (0, delay_ms), timer_cb, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->timer_id), "[wevion] poll");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_POLL_IN]);
}

static void
unschedule (WevionPoller *self)
{
  if (self->timer_id == 0)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->next_poll_at = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_POLL_IN]);
}

/* Every id that needs polling: the store's active jobs and the tracked ones not seen ended. */
static GPtrArray *
wanted_ids (WevionPoller *self)
{
  GPtrArray *ids = wevion_job_store_get_active_ids (self->store);
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->vanished) > 0)
    for (guint i = ids->len; i > 0; i--)
      if (g_hash_table_contains (self->vanished, g_ptr_array_index (ids, i - 1)))
        g_ptr_array_remove_index_fast (ids, i - 1);

  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      WevionJob *job = wevion_job_store_lookup (self->store, key);

      if (job && wevion_job_get_is_terminal (job))
        g_hash_table_iter_remove (&iter);
      else if (job == NULL)
        g_ptr_array_add (ids, g_strdup (key));
    }
  return ids;
}

static void
schedule_next (WevionPoller *self)
{
  g_autoptr (GPtrArray) ids = NULL;

  if (!self->running)
    {
      unschedule (self);
      set_state (self, WEVION_POLLER_STATE_IDLE);
      return;
    }
  ids = wanted_ids (self);
  if (ids->len == 0)
    {
      unschedule (self);
      set_state (self, WEVION_POLLER_STATE_IDLE);
      return;
    }
  set_state (self, WEVION_POLLER_STATE_POLLING);
  schedule (self, interval_ms (self));
}

static void
back_off (WevionPoller *self, const GError *error)
{
  int retry_after = wevion_client_get_retry_after (error);
  int base = interval_ms (self);
  int cap = self->test_interval_ms > 0 ? MIN (BACKOFF_CAP_MS, 12 * base) : BACKOFF_CAP_MS;
  double delay;

  self->failures++;
  set_error (self, error);
  if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNAUTHORIZED))
    {
      /* nothing gets better by asking again with the same token */
      unschedule (self);
      set_state (self, WEVION_POLLER_STATE_UNAUTHORIZED);
      return;
    }
  delay = (double) base * (1 << MIN (self->failures, 8u));
  delay = MIN (delay, (double) cap);
  delay *= g_random_double_range (0.8, 1.2); /* jitter: clients do not come back all at once */
  delay = MIN (delay, (double) cap);
  if (retry_after >= 0)
    delay = MAX (delay, retry_after * 1000.0);
  g_message ("Polling failed (%s); trying again in %.1f s", error->message, delay / 1000.0);
  /* the timer first, so whoever watches "state" sees "next-poll-in" already */
  if (self->running)
    schedule (self, (int) delay);
  if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NETWORK)
      && !g_network_monitor_get_network_available (self->monitor))
    set_state (self, WEVION_POLLER_STATE_OFFLINE);
  else
    set_state (self, WEVION_POLLER_STATE_BACKING_OFF);
}

/* ---- one poll ------------------------------------------------------------------------------- */

typedef struct
{
  WevionPoller *self;
  gboolean with_refresh;
  GPtrArray *queue; /* ids still to GET */
  guint gets_running;
  GError *error;
  GHashTable *seen; /* ids in the active answer */
  char *cursor;
} Tick;

static void
tick_free (Tick *tick)
{
  g_clear_pointer (&tick->queue, g_ptr_array_unref);
  g_clear_pointer (&tick->seen, g_hash_table_unref);
  g_clear_error (&tick->error);
  g_free (tick->cursor);
  g_object_unref (tick->self);
  g_free (tick);
}

static void
tick_done (Tick *tick)
{
  WevionPoller *self = tick->self;

  self->ticks++;
  set_busy (self, FALSE);
  if (tick->error && g_error_matches (tick->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TICKS]);
      tick_free (tick);
      return;
    }
  if (tick->error)
    back_off (self, tick->error);
  else
    {
      self->failures = 0;
      set_error (self, NULL);
      if (self->again)
        {
          self->again = FALSE;
          schedule (self, 0);
        }
      else
        schedule_next (self);
    }
  /* last, so whoever watches "ticks" sees the state and error of this tick */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TICKS]);
  tick_free (tick);
}

static void get_next (Tick *tick);

typedef struct
{
  Tick *tick;
  char *id;
} GetOne;

static void
get_job_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GetOne *one = data;
  Tick *tick = one->tick;
  WevionPoller *self = tick->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &error);

  tick->gets_running--;
  if (job)
    wevion_job_store_add (self->store, job);
  else if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND))
    {
      /* gone, or someone else's: stop asking */
      g_message ("Job %s is not on the server any more; no longer polling it", one->id);
      g_hash_table_remove (self->tracked, one->id);
      g_hash_table_add (self->vanished, g_strdup (one->id));
      g_signal_emit (self, signals[JOB_GONE], 0, one->id);
    }
  else if (tick->error == NULL)
    tick->error = g_steal_pointer (&error);
  g_free (one->id);
  g_free (one);
  get_next (tick);
}

static void
get_next (Tick *tick)
{
  WevionPoller *self = tick->self;

  while (tick->error == NULL && tick->queue->len > 0 && tick->gets_running < MAX_PARALLEL_GETS)
    {
      GetOne *one = g_new0 (GetOne, 1);

      one->tick = tick;
      one->id = g_ptr_array_steal_index (tick->queue, tick->queue->len - 1);
      tick->gets_running++;
      wevion_client_get_job_async (self->client, one->id, self->cancellable, get_job_cb, one);
    }
  if (tick->gets_running == 0 && (tick->queue->len == 0 || tick->error))
    tick_done (tick);
}

static void
get_each (Tick *tick, GPtrArray *ids)
{
  g_clear_pointer (&tick->queue, g_ptr_array_unref);
  tick->queue = g_ptr_array_ref (ids);
  get_next (tick);
}

static void active_list_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
request_active (Tick *tick)
{
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();

  query->status = g_strdup (ACTIVE_STATUSES);
  query->limit = ACTIVE_PAGE_LIMIT;
  query->cursor = g_strdup (tick->cursor);
  wevion_client_list_async (tick->self->client, query, tick->self->cancellable, active_list_cb, tick);
}

static void
active_list_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Tick *tick = data;
  WevionPoller *self = tick->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  gboolean filtered = FALSE;
  g_autoptr (GPtrArray) jobs
      = wevion_client_list_finish (WEVION_CLIENT (source), result, &next_cursor, &filtered, &error);
  g_autoptr (GPtrArray) missing = NULL;
  g_autoptr (GPtrArray) wanted = NULL;

  if (jobs == NULL)
    {
      tick->error = g_steal_pointer (&error);
      tick_done (tick);
      return;
    }
  if (!filtered)
    {
      /* a bare array: the whole history, parameters ignored. Take what it says, then poll one by one. */
      set_server_minimal (self, TRUE);
      self->knows_shape = TRUE;
      wevion_job_store_merge (self->store, jobs);
      tick_done (tick);
      return;
    }
  self->knows_shape = TRUE;
  set_server_minimal (self, FALSE);
  if (tick->seen == NULL)
    tick->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_hash_table_add (tick->seen, g_strdup (wevion_job_get_id (g_ptr_array_index (jobs, i))));
  wevion_job_store_merge (self->store, jobs);
  if (next_cursor)
    {
      g_free (tick->cursor);
      tick->cursor = g_steal_pointer (&next_cursor);
      request_active (tick);
      return;
    }
  /* every job we think active but the server does not: it ended (or vanished); ask once each */
  wanted = wanted_ids (self);
  missing = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < wanted->len; i++)
    if (!g_hash_table_contains (tick->seen, g_ptr_array_index (wanted, i)))
      g_ptr_array_add (missing, g_strdup (g_ptr_array_index (wanted, i)));
  get_each (tick, missing);
}

static void
tick_start (Tick *tick)
{
  WevionPoller *self = tick->self;

  if (self->server_minimal)
    {
      g_autoptr (GPtrArray) ids = wanted_ids (self);

      get_each (tick, ids);
    }
  else
    request_active (tick);
}

/* ---- refresh -------------------------------------------------------------------------------- */

typedef struct
{
  WevionPoller *self;
  WevionListQuery *query;
  guint pages;
  gboolean since_mode;
  gboolean first_look; /* the store knew no job: the first page is enough, older ones page in on demand */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  wevion_list_query_free (refresh->query);
  g_object_unref (refresh->self);
  g_free (refresh);
}

static gboolean
page_has_news (WevionJobStore *store, GPtrArray *jobs)
{
  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *fresh = g_ptr_array_index (jobs, i);
      WevionJob *known = wevion_job_store_lookup (store, wevion_job_get_id (fresh));
      GDateTime *a, *b;

      if (known == NULL || wevion_job_get_status (known) != wevion_job_get_status (fresh))
        return TRUE;
      a = wevion_job_get_updated_at (known);
      b = wevion_job_get_updated_at (fresh);
      if ((a == NULL) != (b == NULL) || (a && !g_date_time_equal (a, b)))
        return TRUE;
    }
  return FALSE;
}

static void
refresh_page_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  Refresh *refresh = g_task_get_task_data (task);
  WevionPoller *self = refresh->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  gboolean filtered = FALSE;
  g_autoptr (GPtrArray) jobs
      = wevion_client_list_finish (WEVION_CLIENT (source), result, &next_cursor, &filtered, &error);
  gboolean news;

  if (jobs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  refresh->pages++;
  self->knows_shape = TRUE;
  set_server_minimal (self, !filtered);
  if (filtered)
    for (guint i = 0; i < jobs->len && !self->supports_updated_since; i++)
      if (wevion_job_get_updated_at (g_ptr_array_index (jobs, i)))
        self->supports_updated_since = TRUE;
  news = page_has_news (self->store, jobs);
  wevion_job_store_merge (self->store, jobs);
  if (filtered && next_cursor && refresh->pages < REFRESH_MAX_PAGES && !refresh->first_look
      && (news || refresh->since_mode))
    {
      g_free (refresh->query->cursor);
      refresh->query->cursor = g_steal_pointer (&next_cursor);
      wevion_client_list_async (self->client, refresh->query, g_task_get_cancellable (task), refresh_page_cb,
                                g_object_ref (task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
wevion_poller_refresh_async (WevionPoller *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task;
  Refresh *refresh;
  GDateTime *max_updated;

  g_return_if_fail (WEVION_IS_POLLER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_poller_refresh_async);
  refresh = g_new0 (Refresh, 1);
  refresh->self = g_object_ref (self);
  refresh->query = wevion_list_query_new ();
  refresh->query->limit = REFRESH_PAGE_LIMIT;
  max_updated = wevion_job_store_get_max_updated_at (self->store);
  if (self->supports_updated_since && max_updated)
    {
      /* only what changed since the newest change we know (the same instant again is harmless) */
      refresh->query->updated_since = g_date_time_ref (max_updated);
      refresh->since_mode = TRUE;
    }
  refresh->first_look = g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0;
  g_task_set_task_data (task, refresh, (GDestroyNotify) refresh_free);
  wevion_client_list_async (self->client, refresh->query, cancellable, refresh_page_cb, task);
}

gboolean
wevion_poller_refresh_finish (WevionPoller *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
poll_refresh_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Tick *tick = data;
  WevionPoller *self = tick->self;
  g_autoptr (GPtrArray) ids = NULL;

  if (!wevion_poller_refresh_finish (self, result, &tick->error))
    {
      tick_done (tick);
      return;
    }
  self->refresh_wanted = FALSE;
  ids = wanted_ids (self);
  if (ids->len == 0)
    {
      tick_done (tick);
      return;
    }
  tick_start (tick);
}

static void
poll_run (WevionPoller *self, gboolean with_refresh)
{
  Tick *tick;

  if (self->in_flight)
    {
      self->again = TRUE;
      if (with_refresh)
        self->refresh_wanted = TRUE;
      return;
    }
  unschedule (self);
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_object_unref (self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  tick = g_new0 (Tick, 1);
  tick->self = g_object_ref (self);
  tick->with_refresh = with_refresh;
  set_busy (self, TRUE);
  if (self->state == WEVION_POLLER_STATE_IDLE || self->state == WEVION_POLLER_STATE_UNAUTHORIZED)
    set_state (self, WEVION_POLLER_STATE_POLLING);
  if (with_refresh || !self->knows_shape)
    wevion_poller_refresh_async (self, self->cancellable, poll_refresh_cb, tick);
  else
    tick_start (tick);
}

/* ---- public --------------------------------------------------------------------------------- */

void
wevion_poller_start (WevionPoller *self)
{
  g_return_if_fail (WEVION_IS_POLLER (self));
  if (self->running)
    return;
  self->running = TRUE;
  poll_run (self, TRUE);
}

void
wevion_poller_stop (WevionPoller *self)
{
  g_return_if_fail (WEVION_IS_POLLER (self));
  self->running = FALSE;
  self->again = FALSE;
  g_cancellable_cancel (self->cancellable);
  unschedule (self);
  set_state (self, WEVION_POLLER_STATE_IDLE);
}

void
wevion_poller_poll_now (WevionPoller *self)
{
  g_return_if_fail (WEVION_IS_POLLER (self));
  self->running = TRUE;
  self->failures = 0;
  poll_run (self, TRUE);
}

void
wevion_poller_track (WevionPoller *self, const char *job_id)
{
  WevionJob *job;

  g_return_if_fail (WEVION_IS_POLLER (self));
  g_return_if_fail (job_id != NULL);

  job = wevion_job_store_lookup (self->store, job_id);
  if (job && wevion_job_get_is_terminal (job))
    return;
  g_hash_table_add (self->tracked, g_strdup (job_id));
  g_hash_table_remove (self->vanished, job_id);
  self->running = TRUE;
  if (self->in_flight || self->timer_id != 0)
    return; /* the next poll covers it */
  if (self->state == WEVION_POLLER_STATE_UNAUTHORIZED)
    return;
  set_state (self, WEVION_POLLER_STATE_POLLING);
  schedule (self, interval_ms (self));
}
