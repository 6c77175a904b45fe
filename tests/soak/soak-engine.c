/* soak-engine.c: client, store, cache and poller against a real wevion-hub, jobs submitted to keep
 * N active, every ::transition and ::job-finished counted per job, compared at the end with the
 * hub's own database. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "soak-engine.h"
#include "wevion-core.h"

typedef struct
{
  char *id;
  WevionJobStatus first_status; /* as the store first had it */
  guint n_transitions;
  guint n_into_processing;
  guint n_into_terminal;
  guint n_finished;
  gboolean backwards;
} Record;

typedef struct
{
  const SoakOptions *options;
  SoakResult *result;
  GMainLoop *loop;
  WevionClient *client;
  WevionJobStore *store;
  WevionPoller *poller;
  GHashTable *records;   /* id → Record */
  GHashTable *submitted; /* ids answered 202 */
  guint in_flight;       /* submits waiting for an answer */
  guint n_ended;         /* submitted jobs the store has as ended */
  gboolean submitting;
  gint64 started;
  guint serial;
  guint stop_id;
  guint deadline_id;
} Soak;

static void
record_free (Record *record)
{
  g_free (record->id);
  g_free (record);
}

static void problem (Soak *soak, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
problem (Soak *soak, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  if (soak->result->problems->len < 200)
    g_ptr_array_add (soak->result->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

long
soak_rss_kb (void)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) || (at = strstr (text, "VmRSS:")) == NULL)
    return 0;
  return atol (at + strlen ("VmRSS:"));
}

int
soak_fd_count (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  int n = 0;

  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir))
    n++;
  return n - 1; /* the directory itself */
}

void
soak_result_init (SoakResult *result)
{
  memset (result, 0, sizeof *result);
  result->rss_kb = g_array_new (FALSE, FALSE, sizeof (long));
  result->fds = g_array_new (FALSE, FALSE, sizeof (int));
  result->problems = g_ptr_array_new_with_free_func (g_free);
}

void
soak_result_clear (SoakResult *result)
{
  g_clear_pointer (&result->rss_kb, g_array_unref);
  g_clear_pointer (&result->fds, g_array_unref);
  g_clear_pointer (&result->problems, g_ptr_array_unref);
}

/* ---- what the store says ------------------------------------------------------------------ */

static int
rank (WevionJobStatus status)
{
  switch (status)
    {
    case WEVION_JOB_STATUS_PENDING: return 0;
    case WEVION_JOB_STATUS_PROCESSING: return 1;
    case WEVION_JOB_STATUS_COMPLETED:
    case WEVION_JOB_STATUS_FAILED: return 2;
    case WEVION_JOB_STATUS_UNKNOWN:
    default: return -1;
    }
}

static void
transition_cb (WevionJob *job, WevionJobStatus old_status, WevionJobStatus new_status, Soak *soak)
{
  Record *record = g_hash_table_lookup (soak->records, wevion_job_get_id (job));

  soak->result->transitions++;
  if (record == NULL)
    return;
  record->n_transitions++;
  if (rank (new_status) <= rank (old_status))
    record->backwards = TRUE;
  if (new_status == WEVION_JOB_STATUS_PROCESSING)
    record->n_into_processing++;
  if (wevion_job_status_is_terminal (new_status))
    {
      record->n_into_terminal++;
      if (g_hash_table_contains (soak->submitted, record->id))
        soak->n_ended++;
    }
}

static void
watch_job (Soak *soak, WevionJob *job)
{
  Record *record;

  if (g_hash_table_contains (soak->records, wevion_job_get_id (job)))
    return;
  record = g_new0 (Record, 1);
  record->id = g_strdup (wevion_job_get_id (job));
  record->first_status = wevion_job_get_status (job);
  g_hash_table_insert (soak->records, record->id, record);
  g_signal_connect (job, "transition", G_CALLBACK (transition_cb), soak);
  if (wevion_job_get_is_terminal (job) && g_hash_table_contains (soak->submitted, record->id))
    soak->n_ended++;
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Soak *soak)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (model, i);

      watch_job (soak, job);
    }
}

static void
job_finished_cb (WevionJobStore *store, WevionJob *job, WevionJobStatus old_status, Soak *soak)
{
  Record *record = g_hash_table_lookup (soak->records, wevion_job_get_id (job));

  soak->result->finished_signals++;
  if (record)
    record->n_finished++;
  else
    problem (soak, "job-finished for %s, a job the store never showed", wevion_job_get_id (job));
}

/* ---- submitting --------------------------------------------------------------------------- */

static void submit_more (Soak *soak);

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Soak *soak = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = wevion_client_submit_finish (WEVION_CLIENT (source), result, &error);

  soak->in_flight--;
  if (id == NULL)
    {
      soak->result->submit_errors++;
      problem (soak, "a submit failed: %s", error->message);
      return;
    }
  soak->result->submitted++;
  g_hash_table_add (soak->submitted, g_strdup (id));
  /* as the app does: the pending job at once, then the poller follows it */
  if (wevion_job_store_lookup (soak->store, id) == NULL)
    {
      g_autoptr (WevionJob) job = wevion_job_new (id, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "soak");

      wevion_job_store_add (soak->store, job);
    }
  else
    {
      WevionJob *job = wevion_job_store_lookup (soak->store, id);

      /* the poller's list brought it first; it was watched from then on */
      if (wevion_job_get_is_terminal (job))
        soak->n_ended++;
    }
  wevion_poller_track (soak->poller, id);
  submit_more (soak);
}

static void
submit_more (Soak *soak)
{
  while (soak->submitting && soak->in_flight < 16
         && soak->result->submitted + soak->in_flight - soak->n_ended < soak->options->active)
    {
      g_autofree char *prompt = g_strdup_printf ("soak job %u [ok]", ++soak->serial);
      g_autoptr (JsonObject) settings = json_object_new ();

      /* [ok] keeps random failures out only for half of them: both ends get exercised */
      if (soak->serial % 2)
        prompt[strlen (prompt) - 5] = '\0';
      json_object_set_int_member (settings, "width", 64);
      json_object_set_int_member (settings, "height", 64);
      soak->in_flight++;
      wevion_client_submit_async (soak->client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", prompt, settings, NULL,
                                  NULL, submitted_cb, soak);
    }
}

/* ---- time ---------------------------------------------------------------------------------- */

static gboolean
sample_cb (gpointer user_data)
{
  Soak *soak = user_data;
  long rss = soak_rss_kb ();
  int fds = soak_fd_count ();

  g_array_append_val (soak->result->rss_kb, rss);
  g_array_append_val (soak->result->fds, fds);
  if (soak->options->verbose)
    g_print ("  %4.0f s  RSS %6.1f MB  fds %3d  submitted %u  ended %u  active in store %u  polls %u\n",
             (g_get_monotonic_time () - soak->started) / 1e6, rss / 1024.0, fds, soak->result->submitted,
             soak->n_ended, wevion_job_store_get_n_active (soak->store),
             wevion_poller_get_ticks (soak->poller));
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_submitting_cb (gpointer user_data)
{
  Soak *soak = user_data;

  soak->submitting = FALSE;
  soak->stop_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
check_done_cb (gpointer user_data)
{
  Soak *soak = user_data;

  submit_more (soak);
  if (!soak->submitting && soak->in_flight == 0 && soak->n_ended >= soak->result->submitted)
    g_main_loop_quit (soak->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  Soak *soak = user_data;

  problem (soak, "the last jobs did not end within %d s after submitting stopped", soak->options->drain_s);
  soak->deadline_id = 0;
  g_main_loop_quit (soak->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* ---- the hub -------------------------------------------------------------------------------- */

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
hub_start (const SoakOptions *options, const char *db, char **url, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *speed = g_strdup_printf ("%g", options->speed);
  g_autofree char *workers = g_strdup_printf ("%d", options->workers);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, error, options->hub_exe, "--port", "0", "--db", db,
                                         "--speed", speed, "--workers", workers, NULL);
  if (process == NULL)
    return NULL;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
      const char *at;

      if (line == NULL)
        {
          if (error && *error == NULL)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "wevion-hub did not start");
          return NULL;
        }
      if ((at = strstr (line, "listening on ")))
        {
          *url = g_strstrip (g_strdup (at + strlen ("listening on ")));
          return g_steal_pointer (&process);
        }
    }
}

/* id → status of every job in the hub's database */
static GHashTable *
hub_states (const char *db, GError **error)
{
  g_autoptr (GHashTable) states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *handle = NULL;
  sqlite3_stmt *statement = NULL;

  if (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (handle, "SELECT id, status FROM creative_job", -1, &statement, NULL)
             != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read %s: %s", db,
                   handle ? sqlite3_errmsg (handle) : "out of memory");
      sqlite3_close (handle);
      return NULL;
    }
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_hash_table_insert (states, g_strdup ((const char *) sqlite3_column_text (statement, 0)),
                         g_strdup ((const char *) sqlite3_column_text (statement, 1)));
  sqlite3_finalize (statement);
  sqlite3_close (handle);
  return g_steal_pointer (&states);
}

/* ---- the run -------------------------------------------------------------------------------- */

static void
compare (Soak *soak, GHashTable *states)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, states);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *id = key, *hub_status = value;
      WevionJob *job = wevion_job_store_lookup (soak->store, id);
      Record *record = g_hash_table_lookup (soak->records, id);

      if (g_str_equal (hub_status, "completed"))
        soak->result->completed++;
      else if (g_str_equal (hub_status, "failed"))
        soak->result->failed++;
      else
        problem (soak, "job %s is still %s in the hub", id, hub_status);
      if (!g_hash_table_contains (soak->submitted, id))
        problem (soak, "job %s is in the hub but was never answered 202", id);
      if (job == NULL || record == NULL)
        {
          problem (soak, "job %s (%s in the hub) is not in the store", id, hub_status);
          continue;
        }
      if (!g_str_equal (wevion_job_get_status_name (job), hub_status))
        problem (soak, "job %s is %s in the store but %s in the hub", id, wevion_job_get_status_name (job),
                 hub_status);
      if (record->backwards)
        problem (soak, "job %s moved backwards", id);
      if (record->n_into_processing > 1)
        problem (soak, "job %s went into processing %u times", id, record->n_into_processing);
      if (wevion_job_status_is_terminal (record->first_status))
        {
          soak->result->seen_terminal++;
          if (record->n_transitions != 0 || record->n_finished != 0)
            problem (soak, "job %s was first seen ended but had %u transitions, %u job-finished", id,
                     record->n_transitions, record->n_finished);
        }
      else
        {
          soak->result->seen_active++;
          if (record->n_into_terminal != 1)
            problem (soak, "job %s ended %u times", id, record->n_into_terminal);
          if (record->n_finished != 1)
            problem (soak, "job %s had %u job-finished signals", id, record->n_finished);
          if (record->n_transitions > 2)
            problem (soak, "job %s had %u transitions", id, record->n_transitions);
        }
    }
  g_hash_table_iter_init (&iter, soak->submitted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (states, key))
      problem (soak, "job %s was answered 202 but is not in the hub's database", (const char *) key);
}

gboolean
soak_run (const SoakOptions *options, SoakResult *result)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wevion-soak-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "hub.db", NULL);
  g_autofree char *cache_path = g_build_filename (dir, "cache.db", NULL);
  g_autofree char *url = NULL;
  g_autoptr (GSubprocess) hub = NULL;
  g_autoptr (WevionCache) cache = NULL;
  g_autoptr (GHashTable) states = NULL;
  Soak soak = { options, result };
  guint sample_id, check_id;

  soak.started = g_get_monotonic_time ();
  hub = hub_start (options, db, &url, &error);
  if (hub == NULL)
    {
      problem (&soak, "wevion-hub: %s", error->message);
      return FALSE;
    }
  soak.loop = g_main_loop_new (NULL, FALSE);
  soak.records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) record_free);
  soak.submitted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  soak.client = wevion_client_new (url, "demo-token", &error);
  g_assert_no_error (error);
  soak.store = wevion_job_store_new ();
  cache = wevion_cache_new (cache_path, &error);
  g_assert_no_error (error);
  wevion_cache_attach (cache, soak.store);
  g_signal_connect (soak.store, "items-changed", G_CALLBACK (items_changed_cb), &soak);
  g_signal_connect (soak.store, "job-finished", G_CALLBACK (job_finished_cb), &soak);
  soak.poller = wevion_poller_new (soak.client, soak.store);
  wevion_poller_start (soak.poller);

  soak.submitting = TRUE;
  submit_more (&soak);
  sample_cb (&soak);
  sample_id = g_timeout_add_seconds (options->sample_s, sample_cb, &soak);
  check_id = g_timeout_add (100, check_done_cb, &soak);
  soak.stop_id = g_timeout_add_seconds (options->duration_s, stop_submitting_cb, &soak);
  soak.deadline_id = g_timeout_add_seconds (options->duration_s + options->drain_s, deadline_cb, &soak);
  g_main_loop_run (soak.loop);
  g_clear_handle_id (&check_id, g_source_remove);
  g_clear_handle_id (&soak.stop_id, g_source_remove);
  g_clear_handle_id (&soak.deadline_id, g_source_remove);
  g_clear_handle_id (&sample_id, g_source_remove);
  sample_cb (&soak);
  result->polls = wevion_poller_get_ticks (soak.poller);

  /* one more full refresh so late answers land, then the verdict */
  wevion_poller_poll_now (soak.poller);
  g_timeout_add_seconds (2, quit_cb, soak.loop);
  g_main_loop_run (soak.loop);
  wevion_poller_stop (soak.poller);
  wevion_cache_flush (cache);

  states = hub_states (db, &error);
  if (states == NULL)
    problem (&soak, "%s", error->message);
  else
    compare (&soak, states);
  result->seconds = (g_get_monotonic_time () - soak.started) / 1e6;

  g_clear_object (&soak.poller);
  g_clear_object (&cache);
  g_clear_object (&soak.store);
  g_clear_object (&soak.client);
  g_hash_table_unref (soak.records);
  g_hash_table_unref (soak.submitted);
  g_main_loop_unref (soak.loop);
  g_subprocess_send_signal (hub, SIGTERM);
  g_subprocess_wait (hub, NULL, NULL);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return TRUE;
}
