/* test-poller.c: client, store and poller against a real wevion-hub over loopback: submit →
 * completed/failed with transitions in order, cancel, Retry-After, a --minimal (seed-only) server,
 * idle means no timer, and the client's error codes as the hub produces them. */
#include "config.h"

#include <string.h>

#include "core-test-hub.h"
#include "core-test-utils.h"

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

static char *
submit (WevionClient *client, const char *prompt, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "flux_2_pro", prompt, NULL, NULL, NULL,
                              result_cb, &result);
  return wevion_client_submit_finish (client, wait_result (&result), error);
}

static WevionJob *
get_job (WevionClient *client, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_client_get_job_async (client, id, NULL, result_cb, &result);
  return wevion_client_get_job_finish (client, wait_result (&result), error);
}

static gboolean
cancel (WevionClient *client, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_client_cancel_async (client, id, NULL, result_cb, &result);
  return wevion_client_cancel_finish (client, wait_result (&result), error);
}

typedef struct
{
  GArray *from;
  GArray *to;
} Transitions;

static void
transition_cb (WevionJob *job, WevionJobStatus from, WevionJobStatus to, Transitions *t)
{
  int f = from, s = to;

  g_array_append_val (t->from, f);
  g_array_append_val (t->to, s);
}

static void
transitions_init (Transitions *t)
{
  t->from = g_array_new (FALSE, FALSE, sizeof (int));
  t->to = g_array_new (FALSE, FALSE, sizeof (int));
}

static void
transitions_clear (Transitions *t)
{
  g_clear_pointer (&t->from, g_array_unref);
  g_clear_pointer (&t->to, g_array_unref);
}

/* forward only, chained, ends in @last */
static void
assert_transitions (Transitions *t, WevionJobStatus first_from, WevionJobStatus last)
{
  g_assert_cmpuint (t->to->len, >=, 1);
  g_assert_cmpint (g_array_index (t->from, int, 0), ==, first_from);
  for (guint i = 0; i < t->to->len; i++)
    {
      g_assert_cmpint (g_array_index (t->to, int, i), >, g_array_index (t->from, int, i));
      if (i > 0)
        g_assert_cmpint (g_array_index (t->from, int, i), ==, g_array_index (t->to, int, i - 1));
    }
  g_assert_cmpint (g_array_index (t->to, int, t->to->len - 1), ==, last);
}

static void
finished_cb (WevionJobStore *store, WevionJob *job, WevionJobStatus old, int *count)
{
  (*count)++;
}

typedef struct
{
  WevionJobStore *store;
  const char *id;
} JobRef;

static gboolean
job_terminal (gpointer data)
{
  JobRef *ref = data;
  WevionJob *job = wevion_job_store_lookup (ref->store, ref->id);

  return job && wevion_job_get_is_terminal (job);
}

static gboolean
job_processing (gpointer data)
{
  JobRef *ref = data;
  WevionJob *job = wevion_job_store_lookup (ref->store, ref->id);

  return job && wevion_job_get_status (job) == WEVION_JOB_STATUS_PROCESSING;
}

static gboolean
poller_idle (gpointer data)
{
  WevionPoller *poller = data;
  gboolean busy;

  g_object_get (poller, "busy", &busy, NULL);
  return !busy && wevion_poller_get_state (poller) == WEVION_POLLER_STATE_IDLE;
}

static gboolean
poller_not_busy (gpointer data)
{
  gboolean busy;

  g_object_get (data, "busy", &busy, NULL);
  return !busy;
}

typedef struct
{
  WevionPoller *poller;
  guint ticks;
} Ticks;

static gboolean
ticks_reached (gpointer data)
{
  Ticks *t = data;

  return wevion_poller_get_ticks (t->poller) >= t->ticks;
}

static void
finish (WevionPoller *poller, WevionJobStore *store, WevionClient *client)
{
  wevion_poller_stop (poller);
  g_assert_true (wt_wait_until (poller_not_busy, poller, 30));
  g_assert_finalize_object (poller);
  g_assert_finalize_object (store);
  g_assert_finalize_object (client);
}

/* submit → the job appears pending → (released) → completed, transitions in order */
static void
test_completed_flow (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", "--faults", "stall-queue", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (client, "a red fox [ok]", &error);
  g_autoptr (WevionJob) first = NULL;
  WevionJob *job;
  Transitions t;
  int finished = 0;
  JobRef ref = { store, id };
  Ticks ticks = { poller, 3 };

  g_assert_no_error (error);
  first = get_job (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wevion_job_get_status (first), ==, WEVION_JOB_STATUS_PENDING);
  wevion_job_store_add (store, first);
  job = wevion_job_store_lookup (store, id);
  g_assert_true (job == first);
  transitions_init (&t);
  g_signal_connect (job, "transition", G_CALLBACK (transition_cb), &t);
  g_signal_connect (store, "job-finished", G_CALLBACK (finished_cb), &finished);

  wevion_poller_track (poller, id);
  g_assert_true (wt_wait_until (ticks_reached, &ticks, 30));
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_PENDING);
  g_assert_cmpint (wevion_poller_get_state (poller), ==, WEVION_POLLER_STATE_POLLING);
  g_assert_false (wevion_poller_get_server_minimal (poller));
  /* one list request per tick covers the active job: no per-job GETs while it is listed */
  g_assert_cmpint (wt_hub_requests (hub, "job", NULL), ==, 1);

  wt_hub_set_faults (hub, "");
  g_assert_true (wt_wait_until (job_terminal, &ref, 60));
  assert_transitions (&t, WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpint (finished, ==, 1);
  g_assert_cmpint (wevion_job_get_cost_cents (job), >, 0);
  g_assert_cmpuint (wevion_job_get_n_result_urls (job), >=, 1);
  /* nothing active: no timer */
  g_assert_true (wt_wait_until (poller_idle, poller, 30));
  g_assert_cmpint (wevion_poller_get_next_poll_in (poller), ==, -1);

  g_signal_handlers_disconnect_by_data (job, &t);
  g_signal_handlers_disconnect_by_data (store, &finished);
  transitions_clear (&t);
  g_clear_object (&first);
  finish (poller, store, client);
  wt_hub_stop (hub);
}

static void
test_failed_flow (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", "--faults", "stall-queue", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (client, "this one fails [fail]", &error);
  g_autoptr (WevionJob) first = get_job (client, id, &error);
  Transitions t;
  int finished = 0;
  JobRef ref = { store, id };

  g_assert_no_error (error);
  wevion_job_store_add (store, first);
  transitions_init (&t);
  g_signal_connect (first, "transition", G_CALLBACK (transition_cb), &t);
  g_signal_connect (store, "job-finished", G_CALLBACK (finished_cb), &finished);
  wevion_poller_track (poller, id);
  wt_hub_set_faults (hub, "");
  g_assert_true (wt_wait_until (job_terminal, &ref, 60));
  assert_transitions (&t, WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_FAILED);
  g_assert_cmpint (finished, ==, 1);
  g_assert_cmpint (wevion_job_get_cost_cents (first), ==, 0);
  g_assert_cmpint (wevion_job_get_failure_kind (first), ==, WEVION_FAILURE_KIND_TRANSIENT);
  g_assert_true (wevion_job_get_is_retryable (first));

  g_signal_handlers_disconnect_by_data (first, &t);
  g_signal_handlers_disconnect_by_data (store, &finished);
  transitions_clear (&t);
  g_clear_object (&first);
  finish (poller, store, client);
  wt_hub_stop (hub);
}

static void
test_cancel (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (client, "held until canceled [hold]", &error);
  JobRef ref = { store, id };
  WevionJob *job;

  g_assert_no_error (error);
  wevion_poller_track (poller, id);
  g_assert_true (wt_wait_until (job_processing, &ref, 60));
  g_assert_true (cancel (client, id, &error));
  g_assert_no_error (error);
  g_assert_true (wt_wait_until (job_terminal, &ref, 60));
  job = wevion_job_store_lookup (store, id);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_FAILED);
  g_assert_cmpint (wevion_job_get_failure_kind (job), ==, WEVION_FAILURE_KIND_CANCELED);
  g_assert_cmpint (wevion_job_get_cost_cents (job), ==, 0);
  /* again: it already ended */
  g_assert_false (cancel (client, id, &error));
  g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_CONFLICT);
  finish (poller, store, client);
  wt_hub_stop (hub);
}

static void
state_cb (WevionPoller *poller, GParamSpec *pspec, int *next_poll_in)
{
  if (wevion_poller_get_state (poller) == WEVION_POLLER_STATE_BACKING_OFF && *next_poll_in < 0)
    *next_poll_in = wevion_poller_get_next_poll_in (poller);
}

static void
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gint64
api_requests (WtHub *hub)
{
  return wt_hub_requests (hub, "list", NULL) + wt_hub_requests (hub, "job", NULL);
}

static gboolean
has_error (gpointer data)
{
  return wevion_poller_get_last_error (data) != NULL;
}

static void
test_retry_after (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", "--faults", "stall-queue", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (client, "rate limited [ok]", &error);
  JobRef ref = { store, id };
  int next_poll_in = -1;
  gint64 before, after;
  gboolean waited = FALSE;

  g_assert_no_error (error);
  wt_hub_set_faults (hub, "stall-queue;rate=1:429;retry-after=3");
  g_signal_connect (poller, "notify::state", G_CALLBACK (state_cb), &next_poll_in);
  wevion_poller_track (poller, id);
  g_assert_true (wt_wait_until (has_error, poller, 30));
  g_assert_error ((GError *) wevion_poller_get_last_error (poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpint (wevion_poller_get_state (poller), ==, WEVION_POLLER_STATE_BACKING_OFF);
  /* the test interval is 100 ms; the server asked for 3 s and got them */
  g_assert_cmpint (next_poll_in, >=, 3);
  /* nothing is asked of the server during the wait it asked for (checked for one second) */
  before = api_requests (hub);
  g_timeout_add_once (1000, set_flag_cb, &waited);
  wt_wait_flag (&waited, 30);
  after = api_requests (hub);
  g_assert_cmpint (after, ==, before);

  wt_hub_set_faults (hub, "");
  g_assert_true (wt_wait_until (job_terminal, &ref, 60));
  g_assert_null (wevion_poller_get_last_error (poller));
  g_signal_handlers_disconnect_by_data (poller, &next_poll_in);
  finish (poller, store, client);
  wt_hub_stop (hub);
}

static gboolean
is_minimal (gpointer data)
{
  return wevion_poller_get_server_minimal (data);
}

typedef struct
{
  WevionJobStore *store;
  GPtrArray *ids;
} AllRef;

static gboolean
all_terminal (gpointer data)
{
  AllRef *ref = data;

  for (guint i = 0; i < ref->ids->len; i++)
    {
      WevionJob *job = wevion_job_store_lookup (ref->store, g_ptr_array_index (ref->ids, i));

      if (job == NULL || !wevion_job_get_is_terminal (job))
        return FALSE;
    }
  return TRUE;
}

/* A seed-only server (bare array, parameters ignored): detected, then active jobs are polled one by
 * one; no transition is missed and the whole history is not downloaded every tick. */
static void
test_minimal_server (void)
{
  WtHub *hub = wt_hub_start ("--minimal", "--speed", "100", "--faults", "stall-queue", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Transitions t[3];
  AllRef ref = { store, ids };
  gint64 lists_after_detection;
  Ticks ticks = { poller, 0 };

  /* some finished history the list carries every time */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("job %d [ok]", i);
      char *id = submit (client, prompt, &error);

      g_assert_no_error (error);
      g_ptr_array_add (ids, id);
    }
  wevion_poller_start (poller);
  g_assert_true (wt_wait_until (is_minimal, poller, 30));
  g_assert_true (wt_wait_until (poller_not_busy, poller, 30));
  for (int i = 0; i < 3; i++)
    {
      WevionJob *job = wevion_job_store_lookup (store, g_ptr_array_index (ids, i));

      g_assert_nonnull (job);
      g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_PENDING);
      transitions_init (&t[i]);
      g_signal_connect (job, "transition", G_CALLBACK (transition_cb), &t[i]);
    }
  lists_after_detection = wt_hub_requests (hub, "list", NULL);
  ticks.ticks = wevion_poller_get_ticks (poller) + 3;
  g_assert_true (wt_wait_until (ticks_reached, &ticks, 30));
  wt_hub_set_faults (hub, "");
  g_assert_true (wt_wait_until (all_terminal, &ref, 60));
  for (int i = 0; i < 3; i++)
    {
      WevionJob *job = wevion_job_store_lookup (store, g_ptr_array_index (ids, i));

      assert_transitions (&t[i], WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_COMPLETED);
      g_signal_handlers_disconnect_by_data (job, &t[i]);
      transitions_clear (&t[i]);
    }
  /* polled one by one: no list request after the first answer showed the server ignores them */
  g_assert_cmpint (wt_hub_requests (hub, "list", NULL), ==, lists_after_detection);
  g_assert_cmpint (wt_hub_requests (hub, "job", NULL), >=, 3);

  /* extension endpoints: clear errors, not failures */
  {
    g_autoptr (GAsyncResult) result = NULL;

    g_assert_false (cancel (client, g_ptr_array_index (ids, 0), &error));
    g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    wevion_client_billing_async (client, "2026-11", NULL, result_cb, &result);
    g_assert_false (wevion_client_billing_finish (client, wait_result (&result), NULL, NULL, &error));
    g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
  finish (poller, store, client);
  wt_hub_stop (hub);
}

/* nothing active: the poller stops asking */
static void
test_idle_no_timer (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  gboolean waited = FALSE;
  gint64 before;

  wevion_poller_start (poller);
  g_assert_true (wt_wait_until (poller_idle, poller, 30));
  g_assert_cmpuint (wevion_poller_get_ticks (poller), >=, 1);
  g_assert_cmpint (wevion_poller_get_next_poll_in (poller), ==, -1);
  before = api_requests (hub);
  /* ten test intervals */
  g_timeout_add_once (1000, set_flag_cb, &waited);
  wt_wait_flag (&waited, 30);
  g_assert_cmpint (api_requests (hub), ==, before);
  finish (poller, store, client);
  wt_hub_stop (hub);
}

static void
expect_get_error (WevionClient *client, const char *id, WevionClientError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = get_job (client, id, &error);

  g_assert_null (job);
  g_assert_error (error, WEVION_CLIENT_ERROR, (int) code);
}

/* the error codes as a real hub produces them */
static void
test_error_codes (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionClient *stranger = wt_hub_client (hub, "wrong-token");
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (client, "errors [ok]", &error);
  g_autofree char *url = g_strdup (hub->url);

  g_assert_no_error (error);
  expect_get_error (stranger, id, WEVION_CLIENT_ERROR_UNAUTHORIZED);
  expect_get_error (client, "no-such-job", WEVION_CLIENT_ERROR_NOT_FOUND);
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char *none = NULL;

    wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "no_such_provider", "x", NULL, NULL, NULL,
                                result_cb, &result);
    none = wevion_client_submit_finish (client, wait_result (&result), &error);
    g_assert_null (none);
    g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_INVALID_REQUEST);
    g_clear_error (&error);
  }
  wt_hub_set_faults (hub, "rate=1:429;retry-after=4");
  {
    g_autoptr (WevionJob) job = get_job (client, id, &error);

    g_assert_error (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_RATE_LIMITED);
    g_assert_cmpint (wevion_client_get_retry_after (error), ==, 4);
    g_clear_error (&error);
  }
  wt_hub_set_faults (hub, "rate=1:503");
  expect_get_error (client, id, WEVION_CLIENT_ERROR_SERVER);
  wt_hub_set_faults (hub, "malformed=1");
  expect_get_error (client, id, WEVION_CLIENT_ERROR_INVALID_RESPONSE);
  wt_hub_set_faults (hub, "truncate=1");
  expect_get_error (client, id, WEVION_CLIENT_ERROR_INVALID_RESPONSE);
  wt_hub_set_faults (hub, "latency=3000");
  wevion_client_set_timeout (client, 1);
  expect_get_error (client, id, WEVION_CLIENT_ERROR_TIMEOUT);
  wt_hub_set_faults (hub, "");
  wevion_client_set_timeout (client, 20);
  wt_hub_stop (hub);
  /* the server is gone */
  expect_get_error (client, id, WEVION_CLIENT_ERROR_NETWORK);
  g_assert_finalize_object (client);
  g_assert_finalize_object (stranger);
}

static void
refreshed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (wevion_poller_refresh_finish (WEVION_POLLER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* F5 picks up what changed elsewhere (a job submitted and finished by another client); the second
 * refresh runs in updated_since mode (the hub sends updated_at). */
static void
test_refresh_picks_up_changes (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionClient *elsewhere = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *first = submit (elsewhere, "history [ok]", &error);
  g_autofree char *later = NULL;
  g_autoptr (WevionJob) done = NULL;
  gboolean refreshed = FALSE;
  int finished = 0;

  g_assert_no_error (error);
  /* wait for it to end, asking with the other client */
  for (;;)
    {
      g_autoptr (WevionJob) job = get_job (elsewhere, first, &error);

      g_assert_no_error (error);
      if (wevion_job_get_is_terminal (job))
        break;
      g_usleep (20000);
    }
  wevion_poller_refresh_async (poller, NULL, refreshed_cb, &refreshed);
  wt_wait_flag (&refreshed, 30);
  g_assert_nonnull (wevion_job_store_lookup (store, first));
  g_assert_nonnull (wevion_job_store_get_max_updated_at (store));

  g_signal_connect (store, "job-finished", G_CALLBACK (finished_cb), &finished);
  later = submit (elsewhere, "submitted elsewhere [ok]", &error);
  g_assert_no_error (error);
  for (;;)
    {
      g_clear_object (&done);
      done = get_job (elsewhere, later, &error);
      g_assert_no_error (error);
      if (wevion_job_get_is_terminal (done))
        break;
      g_usleep (20000);
    }
  g_assert_null (wevion_job_store_lookup (store, later));
  refreshed = FALSE;
  wevion_poller_refresh_async (poller, NULL, refreshed_cb, &refreshed);
  wt_wait_flag (&refreshed, 30);
  g_assert_nonnull (wevion_job_store_lookup (store, later));
  g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (store, later)), ==,
                   WEVION_JOB_STATUS_COMPLETED);
  /* first seen already ended: loaded, not finished through an update */
  g_assert_cmpint (finished, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);

  g_signal_handlers_disconnect_by_data (store, &finished);
  finish (poller, store, client);
  g_assert_finalize_object (elsewhere);
  wt_hub_stop (hub);
}

static GPtrArray *
list_active (WevionClient *client)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  g_autoptr (GError) error = NULL;
  GPtrArray *jobs;

  query->status = g_strdup ("pending,processing");
  query->limit = 500;
  wevion_client_list_async (client, query, NULL, result_cb, &result);
  jobs = wevion_client_list_finish (client, wait_result (&result), NULL, NULL, &error);
  g_assert_no_error (error);
  return jobs;
}

/* the list ETags survive a restart through the cache: the first request of the next run is a 304 */
static void
test_etags_kept_across_runs (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", "--faults", "stall-queue", NULL);
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  WevionClient *client = wt_hub_client (hub, NULL);
  WevionCache *cache = wevion_cache_new (path, &error);
  g_autofree char *id = submit (client, "kept [ok]", &error);
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;

  g_assert_no_error (error);
  wevion_cache_attach_client (cache, client);
  first = list_active (client);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpuint (wevion_client_get_not_modified (client), ==, 0);
  wevion_cache_flush (cache);
  g_assert_finalize_object (cache);
  g_assert_finalize_object (client);

  /* the next run */
  client = wt_hub_client (hub, NULL);
  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  wevion_cache_attach_client (cache, client);
  second = list_active (client);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpstr (wevion_job_get_id (g_ptr_array_index (second, 0)), ==, id);
  g_assert_cmpuint (wevion_client_get_requests (client), ==, 1);
  g_assert_cmpuint (wevion_client_get_not_modified (client), ==, 1);
  g_assert_finalize_object (cache);
  g_assert_finalize_object (client);
  wt_rmdir (dir);
  wt_hub_stop (hub);
}

static gboolean
is_unauthorized (gpointer data)
{
  return wevion_poller_get_state (data) == WEVION_POLLER_STATE_UNAUTHORIZED;
}

static void
gone_cb (WevionPoller *poller, const char *id, GPtrArray *gone)
{
  g_ptr_array_add (gone, g_strdup (id));
}

/* a refused token stops polling until a new one is given; a job the server does not know is
 * reported once and not asked for again */
static void
test_unauthorized_and_gone (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", "--faults", "stall-queue", NULL);
  WevionClient *client = wt_hub_client (hub, "revoked-token");
  WevionClient *submitter = wt_hub_client (hub, NULL);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = submit (submitter, "needs a token [ok]", &error);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  JobRef ref = { store, id };
  gboolean waited = FALSE;
  gint64 before;

  g_assert_no_error (error);
  g_signal_connect (poller, "job-gone", G_CALLBACK (gone_cb), gone);
  wevion_poller_track (poller, id);
  g_assert_true (wt_wait_until (is_unauthorized, poller, 30));
  g_assert_true (wt_wait_until (poller_not_busy, poller, 30));
  g_assert_error ((GError *) wevion_poller_get_last_error (poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpint (wevion_poller_get_next_poll_in (poller), ==, -1);
  before = api_requests (hub);
  g_timeout_add_once (500, set_flag_cb, &waited);
  wt_wait_flag (&waited, 30);
  g_assert_cmpint (api_requests (hub), ==, before);

  /* a new token, then F5 */
  wevion_client_set_token (client, "demo-token");
  wevion_poller_poll_now (poller);
  wt_hub_set_faults (hub, "");
  g_assert_true (wt_wait_until (job_terminal, &ref, 60));
  g_assert_null (wevion_poller_get_last_error (poller));

  /* a job the server does not know */
  wevion_poller_track (poller, "no-such-job");
  g_assert_true (wt_wait_until (poller_idle, poller, 30));
  g_assert_cmpuint (gone->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (gone, 0), ==, "no-such-job");

  g_signal_handlers_disconnect_by_data (poller, gone);
  finish (poller, store, client);
  g_assert_finalize_object (submitter);
  wt_hub_stop (hub);
}

int
main (int argc, char *argv[])
{
  /* test only: no 5 s floor */
  g_setenv ("WEVION_POLL_INTERVAL_MS", "100", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/integration/completed-flow", test_completed_flow);
  g_test_add_func ("/wevion/integration/failed-flow", test_failed_flow);
  g_test_add_func ("/wevion/integration/cancel", test_cancel);
  g_test_add_func ("/wevion/integration/retry-after", test_retry_after);
  g_test_add_func ("/wevion/integration/minimal-server", test_minimal_server);
  g_test_add_func ("/wevion/integration/idle-no-timer", test_idle_no_timer);
  g_test_add_func ("/wevion/integration/error-codes", test_error_codes);
  g_test_add_func ("/wevion/integration/refresh-picks-up-changes", test_refresh_picks_up_changes);
  g_test_add_func ("/wevion/integration/etags-kept-across-runs", test_etags_kept_across_runs);
  g_test_add_func ("/wevion/integration/unauthorized-and-gone", test_unauthorized_and_gone);
  return g_test_run ();
}
