/* test-store.c: WevionJobStore: order, merge in place, items-changed, hidden, signals, retries. */
#include "config.h"

#include "core-test-utils.h"

typedef struct
{
  guint position, removed, added;
} Change;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, GArray *changes)
{
  Change c = { position, removed, added };

  g_array_append_val (changes, c);
}

static GPtrArray *
jobs_of (WevionJob *first, ...)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
  va_list args;

  va_start (args, first);
  for (WevionJob *job = first; job; job = va_arg (args, WevionJob *))
    g_ptr_array_add (jobs, job);
  va_end (args);
  return jobs;
}

static void
add_take (WevionJobStore *store, WevionJob *job)
{
  wevion_job_store_add (store, job);
  g_object_unref (job);
}

static const char *
id_at (WevionJobStore *store, guint i)
{
  g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);

  return wevion_job_get_id (job);
}

static void
test_order_and_items_changed (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr (GPtrArray) first = jobs_of (wt_job ("b", "completed", "2026-11-01T10:00:00Z", NULL),
                                         wt_job ("a", "completed", "2026-11-01T10:00:00Z", NULL),
                                         wt_job ("c", "pending", "2026-11-02T10:00:00Z", NULL), NULL);
  g_autoptr (GPtrArray) second = NULL;

  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  wevion_job_store_merge (store, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  /* newest first; same created_at: id descending */
  g_assert_cmpstr (id_at (store, 0), ==, "c");
  g_assert_cmpstr (id_at (store, 1), ==, "b");
  g_assert_cmpstr (id_at (store, 2), ==, "a");
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 3);

  /* one new at the top, one in the middle; one unchanged: two insertions, nothing else */
  g_array_set_size (changes, 0);
  second = jobs_of (wt_job ("d", "pending", "2026-11-03T10:00:00Z", NULL),
                    wt_job ("bb", "pending", "2026-11-01T12:00:00Z", NULL),
                    wt_job ("a", "completed", "2026-11-01T10:00:00Z", NULL), NULL);
  wevion_job_store_merge (store, second);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 5);
  g_assert_cmpstr (id_at (store, 0), ==, "d");
  g_assert_cmpstr (id_at (store, 1), ==, "c");
  g_assert_cmpstr (id_at (store, 2), ==, "bb");
  g_assert_cmpstr (id_at (store, 3), ==, "b");
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 1).position, ==, 2);
  g_assert_cmpuint (g_array_index (changes, Change, 1).added, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 1).removed, ==, 0);

  g_signal_handlers_disconnect_by_data (store, changes);
  g_clear_pointer (&first, g_ptr_array_unref);
  g_clear_pointer (&second, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&store));
}

typedef struct
{
  guint finished;
  WevionJobStatus old_status;
  WevionJobStatus new_status;
} Finished;

static void
job_finished_cb (WevionJobStore *store, WevionJob *job, WevionJobStatus old_status, Finished *f)
{
  f->finished++;
  f->old_status = old_status;
  f->new_status = wevion_job_get_status (job);
}

static void
test_merge_in_place (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  WevionJob *original = wt_job ("a", "pending", "2026-11-01T10:00:00Z", NULL);
  g_autoptr (GPtrArray) update = NULL;
  g_autoptr (GPtrArray) backwards = NULL;
  Finished f = { 0 };

  add_take (store, original);
  add_take (store, wt_job ("old", "completed", "2026-10-01T10:00:00Z", NULL));
  g_object_unref (g_list_model_get_item (G_LIST_MODEL (store), 1)); /* exercise get_item */
  /* loaded already terminal: no job-finished */
  g_signal_connect (store, "job-finished", G_CALLBACK (job_finished_cb), &f);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  g_assert_cmpuint (wevion_job_store_get_n_active (store), ==, 1);
  g_assert_cmpuint (wevion_job_store_get_n_completed (store), ==, 1);

  update = jobs_of (wt_job ("a", "processing", "2026-11-01T10:00:00Z", ",\"progress\":50"), NULL);
  wevion_job_store_merge (store, update);
  g_assert_true (wevion_job_store_lookup (store, "a") == original);
  g_assert_cmpint (wevion_job_get_progress (original), ==, 50);
  g_assert_cmpint (f.finished, ==, 0);
  /* a status change re-emits the one row (filters re-evaluate it), nothing else */
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 1);

  g_clear_pointer (&update, g_ptr_array_unref);
  g_array_set_size (changes, 0);
  update = jobs_of (wt_job ("a", "failed", "2026-11-01T10:00:00Z", ",\"error_message\":\"boom\""), NULL);
  wevion_job_store_merge (store, update);
  g_assert_cmpint (f.finished, ==, 1);
  g_assert_cmpint (f.old_status, ==, WEVION_JOB_STATUS_PROCESSING);
  g_assert_cmpint (f.new_status, ==, WEVION_JOB_STATUS_FAILED);
  g_assert_cmpuint (wevion_job_store_get_n_active (store), ==, 0);
  g_assert_cmpuint (wevion_job_store_get_n_failed (store), ==, 1);

  /* a stale row moving back is ignored: no signal, same state */
  g_array_set_size (changes, 0);
  backwards = jobs_of (wt_job ("a", "processing", "2026-11-01T10:00:00Z", NULL), NULL);
  wevion_job_store_merge (store, backwards);
  g_assert_cmpint (wevion_job_get_status (original), ==, WEVION_JOB_STATUS_FAILED);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpint (f.finished, ==, 1);

  g_signal_handlers_disconnect_by_data (store, changes);
  g_signal_handlers_disconnect_by_data (store, &f);
  g_clear_pointer (&update, g_ptr_array_unref);
  g_clear_pointer (&backwards, g_ptr_array_unref);
  /* the merged rows were copied into the original, which goes with the store */
  g_object_add_weak_pointer (G_OBJECT (original), (gpointer *) &original);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_null (original);
}

static void
hidden_changed_cb (WevionJobStore *store, const char *id, gboolean hidden, int *count)
{
  (*count)++;
}

static void
test_hidden (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  int hidden_signals = 0;

  add_take (store, wt_job ("a", "completed", "2026-11-01T10:00:00Z", NULL));
  add_take (store, wt_job ("b", "pending", "2026-11-02T10:00:00Z", NULL));
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  g_signal_connect (store, "hidden-changed", G_CALLBACK (hidden_changed_cb), &hidden_signals);

  wevion_job_store_hide (store, "a");
  wevion_job_store_hide (store, "a"); /* twice: one change */
  g_assert_true (wevion_job_store_is_hidden (store, "a"));
  g_assert_cmpint (hidden_signals, ==, 1);
  /* Delete just hides: the job stays in the model */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_cmpuint (wevion_job_store_get_n_completed (store), ==, 0);
  g_assert_cmpuint (wevion_job_store_get_n_hidden (store), ==, 1);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 1);

  /* a hidden job that is still active is still polled */
  wevion_job_store_hide (store, "b");
  {
    g_autoptr (GPtrArray) active = wevion_job_store_get_active_ids (store);

    g_assert_cmpuint (active->len, ==, 1);
    g_assert_cmpuint (wevion_job_store_get_n_active (store), ==, 0);
  }
  wevion_job_store_unhide (store, "a");
  g_assert_false (wevion_job_store_is_hidden (store, "a"));
  g_assert_cmpuint (wevion_job_store_get_n_completed (store), ==, 1);
  g_assert_cmpint (hidden_signals, ==, 3);

  /* hiding an id not loaded yet is kept */
  wevion_job_store_hide (store, "later");
  add_take (store, wt_job ("later", "completed", "2026-11-03T10:00:00Z", NULL));
  g_assert_cmpuint (wevion_job_store_get_n_hidden (store), ==, 2);

  g_signal_handlers_disconnect_by_data (store, changes);
  g_signal_handlers_disconnect_by_data (store, &hidden_signals);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_retry_link_and_expected (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  WevionJob *original;
  WevionJob *active;

  /* the retry arrives before the original */
  add_take (store, wt_job ("r1", "pending", "2026-11-02T10:00:00Z", ",\"metadata\":{\"retry_of\":\"f\"}"));
  add_take (store, wt_job ("f", "failed", "2026-11-01T10:00:00Z", NULL));
  original = wevion_job_store_lookup (store, "f");
  g_assert_cmpstr (wevion_job_get_newest_retry (original), ==, "r1");
  add_take (store, wt_job ("r2", "pending", "2026-11-03T10:00:00Z", ",\"metadata\":{\"retry_of\":\"f\"}"));
  g_assert_cmpstr (wevion_job_get_newest_retry (original), ==, "r2");

  /* durations 10..29 s of image/flux_2_pro: nearest-rank p95 = the 19th of 20 = 28 */
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("done%d", i);
      g_autofree char *extra
          = g_strdup_printf (",\"status\":\"completed\",\"completed_at\":\"2026-10-01T10:00:%02dZ\"", 10 + i);
      g_autoptr (WevionJob) job = wt_job (id, "completed", "2026-10-01T10:00:00Z", extra);

      wevion_job_store_add (store, job);
    }
  g_assert_cmpint (wevion_job_store_get_expected_duration (store, "image", "flux_2_pro"), ==, 28);
  g_assert_cmpint (wevion_job_store_get_expected_duration (store, "video", "flux_2_pro"), ==, 0);
  add_take (store, wt_job ("act", "processing", "2026-11-04T10:00:00Z", NULL));
  active = wevion_job_store_lookup (store, "act");
  g_assert_cmpint (wevion_job_get_expected_duration (active), ==, 28);

  {
    g_autoptr (GPtrArray) found = wevion_job_store_search (store, "PROMPT OF DONE1");

    /* done1, done10 … done19 */
    g_assert_cmpuint (found->len, ==, 11);
  }
  /* retry links are ids, not references: no cycle keeps the jobs alive */
  g_object_add_weak_pointer (G_OBJECT (original), (gpointer *) &original);
  g_object_add_weak_pointer (G_OBJECT (active), (gpointer *) &active);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_null (original);
  g_assert_null (active);
}

static void
test_many_runs (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (GPtrArray) a = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) b = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  guint n;

  for (int i = 0; i < 40; i++)
    {
      g_autofree char *id = g_strdup_printf ("j%02d", i);
      g_autofree char *created = g_strdup_printf ("2026-11-01T10:%02d:00Z", i);

      g_ptr_array_add (i % 2 ? a : b, wt_job (id, "completed", created, NULL));
    }
  wevion_job_store_merge (store, a);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  wevion_job_store_merge (store, b);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_assert_cmpuint (n, ==, 40);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("j%02u", 39 - i);

      g_assert_cmpstr (id_at (store, i), ==, id);
    }
  /* consistent: the sum of changes gives the new length */
  {
    int len = 20;

    for (guint i = 0; i < changes->len; i++)
      len += (int) g_array_index (changes, Change, i).added
             - (int) g_array_index (changes, Change, i).removed;
    g_assert_cmpint (len, ==, 40);
  }
  g_signal_handlers_disconnect_by_data (store, changes);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
notify_cb (GObject *object, GParamSpec *pspec, int *count)
{
  (*count)++;
}

/* the UI's one-second tick reaches active jobs only */
static void
test_tick (void)
{
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  WevionJob *active;
  WevionJob *ended;
  int active_count = 0, ended_count = 0;

  add_take (store, wt_job ("a", "processing", "2026-11-01T10:00:00Z", NULL));
  add_take (store, wt_job ("e", "completed", "2026-11-01T09:00:00Z", NULL));
  active = wevion_job_store_lookup (store, "a");
  ended = wevion_job_store_lookup (store, "e");
  g_signal_connect (active, "notify::elapsed", G_CALLBACK (notify_cb), &active_count);
  g_signal_connect (ended, "notify::elapsed", G_CALLBACK (notify_cb), &ended_count);
  wevion_job_store_tick (store);
  wevion_job_store_tick (store);
  g_assert_cmpint (active_count, ==, 2);
  g_assert_cmpint (ended_count, ==, 0);
  g_signal_handlers_disconnect_by_data (active, &active_count);
  g_signal_handlers_disconnect_by_data (ended, &ended_count);
  g_object_add_weak_pointer (G_OBJECT (active), (gpointer *) &active);
  g_object_add_weak_pointer (G_OBJECT (ended), (gpointer *) &ended);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_null (active);
  g_assert_null (ended);
}

static void
test_poller_interval (void)
{
  g_autoptr (GError) error = NULL;
  WevionClient *client = wevion_client_new ("http://127.0.0.1:1", "t", &error);
  WevionJobStore *store = wevion_job_store_new ();
  WevionPoller *poller = wevion_poller_new (client, store);

  g_assert_no_error (error);
  g_assert_cmpint (wevion_poller_get_interval (poller), ==, 5);
  wevion_poller_set_interval (poller, 2);
  g_assert_cmpint (wevion_poller_get_interval (poller), ==, 5);
  wevion_poller_set_interval (poller, 7);
  g_assert_cmpint (wevion_poller_get_interval (poller), ==, 7);
  g_object_set (poller, "interval", 10, NULL);
  wevion_poller_set_interval (poller, 60);
  g_assert_cmpint (wevion_poller_get_interval (poller), ==, 10);
  /* nothing active, never started: no timer */
  g_assert_cmpint (wevion_poller_get_state (poller), ==, WEVION_POLLER_STATE_IDLE);
  g_assert_cmpint (wevion_poller_get_next_poll_in (poller), ==, -1);
  g_assert_finalize_object (poller);
  g_assert_finalize_object (store);
  g_assert_finalize_object (client);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/store/order", test_order_and_items_changed);
  g_test_add_func ("/wevion/store/merge-in-place", test_merge_in_place);
  g_test_add_func ("/wevion/store/hidden", test_hidden);
  g_test_add_func ("/wevion/store/retry-and-expected", test_retry_link_and_expected);
  g_test_add_func ("/wevion/store/many-runs", test_many_runs);
  g_test_add_func ("/wevion/store/tick", test_tick);
  g_test_add_func ("/wevion/poller/interval", test_poller_interval);
  return g_test_run ();
}
