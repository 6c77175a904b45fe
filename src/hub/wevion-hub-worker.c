/* wevion-hub-worker.c: the job queue and the simulated providers. Runs on the main loop with
 * timeouts; only result rendering runs in a thread (no SQLite there). */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "wevion-hub-private.h"
#include "wevion-hub-render.h"

static const WevionHubProvider providers[] = {
  { "flux_2_pro", WEVION_JOB_TYPE_IMAGE, 25, 12.0, 0.04 },
  { "sdxl_turbo", WEVION_JOB_TYPE_IMAGE, 4, 3.0, 0.06 },
  { "veo_3", WEVION_JOB_TYPE_VIDEO, 150, 90.0, 0.10 },
  { "kling_2", WEVION_JOB_TYPE_VIDEO, 90, 60.0, 0.12 },
  { "heygen_v3", WEVION_JOB_TYPE_AVATAR, 60, 45.0, 0.08 },
  { "elevenlabs_v2", WEVION_JOB_TYPE_TTS, 3, 5.0, 0.03 },
  { "wevion_compose", WEVION_JOB_TYPE_COMPOSITE, 10, 8.0, 0.04 },
};

const char *const wevion_hub_blocklist[] = { "gore", "nsfw", "nude", "beheading", "massacre", NULL };

const WevionHubProvider *
wevion_hub_provider_lookup (WevionJobType type, const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    if (providers[i].type == type && g_strcmp0 (providers[i].name, name) == 0)
      return &providers[i];
  return NULL;
}

const WevionHubProvider *
wevion_hub_provider_all (guint *n)
{
  *n = G_N_ELEMENTS (providers);
  return providers;
}

gboolean
wevion_hub_prompt_blocked (const char *prompt, const char **word)
{
  g_autofree char *folded = NULL;

  if (prompt == NULL || !g_utf8_validate (prompt, -1, NULL))
    return FALSE;
  folded = g_utf8_casefold (prompt, -1);
  for (guint i = 0; wevion_hub_blocklist[i]; i++)
    if (strstr (folded, wevion_hub_blocklist[i]))
      {
        if (word)
          *word = wevion_hub_blocklist[i];
        return TRUE;
      }
  return FALSE;
}

char *
wevion_hub_new_id (WevionHub *hub)
{
  guint32 r[4];

  for (int i = 0; i < 4; i++)
    r[i] = g_rand_int (hub->rand);
  return g_strdup_printf ("%08x-%04x-4%03x-%04x-%04x%08x", r[0], r[1] >> 16, r[1] & 0xfff,
                          0x8000 | (r[2] & 0x3fff), r[2] >> 16, r[3]);
}

gint64
wevion_hub_price_for (WevionHub *hub, const WevionHubProvider *provider, int count)
{
  /* upstream pricing fluctuates: ±8 %, at least the base price minus one cent */
  double factor = 0.92 + g_rand_double (hub->rand) * 0.16;

  return MAX (1, (gint64) llround (provider->price_cents * factor)) * count;
}

char *
wevion_hub_job_dir (WevionHub *hub, const char *id)
{
  return g_build_filename (hub->data_dir, id, NULL);
}

/* ---- a running job ------------------------------------------------------------------------ */

typedef enum {
  OUTCOME_COMPLETE,
  OUTCOME_MODERATION,
  OUTCOME_PROVIDER_ERROR,
  OUTCOME_EMPTY_ERROR,
  OUTCOME_TIMEOUT,
  OUTCOME_HOLD,
} Outcome;

struct _WevionHubRun
{
  WevionHub *hub;
  char *id;
  Outcome outcome;
  int fail_at; /* progress at which a failure happens */
  guint tick_ms;
  int step;
  int progress;
  guint timeout_id;
  gboolean rendering;
  gboolean canceled;
};

static void
run_free (WevionHubRun *run)
{
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  g_free (run->id);
  g_free (run);
}

JsonObject *
wevion_hub_copy_object (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonNode) copy = NULL;

  if (object == NULL)
    return json_object_new ();
  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

static GDateTime *
now_utc (void)
{
  return g_date_time_new_now_utc ();
}

static void
save_or_warn (WevionHub *hub, WevionJob *job)
{
  g_autoptr (GError) error = NULL;

  if (!wevion_hub_db_save (hub->db, job, &error))
    g_warning ("Cannot save job %s: %s", wevion_job_get_id (job), error->message);
}

static void
finish_failed (WevionHub *hub, WevionJob *job, const char *code, const char *message, gboolean retryable)
{
  g_autoptr (GDateTime) now = now_utc ();

  g_object_set (job, "status-name", "failed", "error-code", code, "error-message", message, "retryable-hint",
                retryable ? 1 : 0, "cost-cents", (gint64) 0, "completed-at", now, "updated-at", now,
                "result-urls", NULL, "drive-folder-id", NULL, NULL);
  save_or_warn (hub, job);
}

static void run_done (WevionHubRun *run);

typedef struct
{
  char *id;
  char *dir;
  WevionJobType type;
  char *prompt;
  JsonObject *settings;
  WevionHubVideoFormat video; /* asked for; APNG when GStreamer cannot make WebM here */
  gint64 max_bytes;
  int count;
  GStrv names; /* the results (set by the thread), then the thumbnail */
} RenderData;

static void
render_data_free (RenderData *d)
{
  g_free (d->id);
  g_free (d->dir);
  g_free (d->prompt);
  json_object_unref (d->settings);
  g_strfreev (d->names);
  g_free (d);
}

static void
render_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  RenderData *d = data;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) results = NULL;

  /* the first WebM initialises GStreamer, which may take a moment: here, not on the main loop */
  if (d->type == WEVION_JOB_TYPE_VIDEO && d->video == WEVION_HUB_VIDEO_WEBM
      && !wevion_hub_render_webm_available ())
    d->video = WEVION_HUB_VIDEO_APNG;
  results = wevion_hub_render_result_names (d->type, (guint) d->count, d->video);
  g_strv_builder_addv (builder, (const char **) results);
  g_strv_builder_add (builder, WEVION_HUB_THUMBNAIL_NAME);
  d->names = g_strv_builder_end (builder);
  for (guint i = 0; d->names[i]; i++)
    {
      g_autofree char *path = g_build_filename (d->dir, d->names[i], NULL);
      GError *error = NULL;

      if (!wevion_hub_render_file (d->id, d->type, d->prompt, d->settings, d->names[i], path, d->max_bytes,
                                   &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
render_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WevionHubRun *run = user_data;
  WevionHub *hub = run->hub;
  RenderData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = NULL;

  hub->n_background--;
  run->rendering = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Rendering job %s failed: %s", run->id, error->message);

  job = wevion_hub_db_get (hub->db, NULL, run->id);
  if (run->canceled || job == NULL || wevion_job_get_status (job) != WEVION_JOB_STATUS_PROCESSING)
    {
      run_done (run);
      return;
    }
  if (error)
    finish_failed (hub, job, "provider_error", "The provider returned no output", TRUE);
  else
    {
      g_autoptr (GDateTime) now = now_utc ();
      const WevionHubProvider *provider
          = wevion_hub_provider_lookup (wevion_job_get_job_type (job), wevion_job_get_provider (job));
      int count = d->count;
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) names = NULL;
      g_autoptr (JsonObject) metadata = wevion_hub_copy_object (wevion_job_get_metadata (job));
      g_autofree char *folder = wevion_hub_new_folder_id ();

      for (int i = 0; i < count; i++)
        g_strv_builder_add (builder, d->names[i]);
      names = g_strv_builder_end (builder);
      json_object_set_string_member (metadata, "thumbnail_url", WEVION_HUB_THUMBNAIL_NAME);
      g_object_set (job, "status-name", "completed", "progress", 100, "result-urls", names, "cost-cents",
                    provider ? wevion_hub_price_for (hub, provider, count) : (gint64) 0, "drive-folder-id",
                    folder, "metadata", metadata, "completed-at", now, "updated-at", now, NULL);
      save_or_warn (hub, job);
    }
  run_done (run);
}

static void
start_render (WevionHubRun *run, WevionJob *job)
{
  WevionHub *hub = run->hub;
  RenderData *d = g_new0 (RenderData, 1);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, render_done_cb, run);

  d->id = g_strdup (run->id);
  d->dir = wevion_hub_job_dir (hub, run->id);
  d->type = wevion_job_get_job_type (job);
  d->prompt = g_strdup (wevion_job_get_prompt (job));
  d->settings = json_object_ref (wevion_job_get_settings (job));
  d->video = wevion_hub_render_video_format (d->settings, hub->video_format);
  d->max_bytes = wevion_hub_max_result_bytes (hub);
  d->count = wevion_hub_render_count (d->settings);
  g_task_set_task_data (task, d, (GDestroyNotify) render_data_free);
  run->rendering = TRUE;
  hub->n_background++;
  g_task_run_in_thread (task, render_thread);
}

static gboolean
tick_cb (gpointer user_data)
{
  WevionHubRun *run = user_data;
  WevionHub *hub = run->hub;
  g_autoptr (WevionJob) job = wevion_hub_db_get (hub->db, NULL, run->id);
  g_autoptr (GDateTime) now = now_utc ();

  if (job == NULL || wevion_job_get_status (job) != WEVION_JOB_STATUS_PROCESSING)
    {
      run->timeout_id = 0;
      run_done (run);
      return G_SOURCE_REMOVE;
    }

  run->progress = MIN (run->progress + run->step, 100);
  if (run->outcome == OUTCOME_HOLD)
    run->progress = MIN (run->progress, 50);
  if (run->outcome != OUTCOME_COMPLETE && run->outcome != OUTCOME_HOLD && run->progress >= run->fail_at)
    {
      run->timeout_id = 0;
      switch (run->outcome)
        {
        case OUTCOME_MODERATION:
          finish_failed (
              hub, job, "content_moderation",
              "The prompt was rejected by content moderation. Edit the prompt and submit it again.", FALSE);
          break;
        case OUTCOME_EMPTY_ERROR: finish_failed (hub, job, "provider_error", "", TRUE); break;
        case OUTCOME_TIMEOUT:
          finish_failed (hub, job, "timeout", "The provider did not answer in time.", TRUE);
          break;
        default:
          finish_failed (hub, job, "provider_error",
                         "The provider had a temporary error (503 from upstream).", TRUE);
          break;
        }
      run_done (run);
      return G_SOURCE_REMOVE;
    }
  if (run->progress >= 100)
    {
      run->timeout_id = 0;
      g_object_set (job, "progress", 99, "updated-at", now, NULL);
      save_or_warn (hub, job);
      start_render (run, job);
      return G_SOURCE_REMOVE;
    }
  if (wevion_job_get_progress (job) != run->progress)
    {
      g_object_set (job, "progress", run->progress, "updated-at", now, NULL);
      save_or_warn (hub, job);
    }
  return G_SOURCE_CONTINUE;
}

static void
run_done (WevionHubRun *run)
{
  WevionHub *hub = run->hub;

  g_hash_table_remove (hub->running, run->id); /* frees run */
  wevion_hub_worker_pump (hub);
}

static void
start_job (WevionHub *hub, const char *id)
{
  g_autoptr (WevionJob) job = wevion_hub_db_get (hub->db, NULL, id);
  g_autoptr (GDateTime) now = now_utc ();
  const WevionHubProvider *provider;
  const char *prompt;
  WevionHubRun *run;
  double latency_s;

  if (job == NULL || wevion_job_get_is_terminal (job))
    return;
  provider = wevion_hub_provider_lookup (wevion_job_get_job_type (job), wevion_job_get_provider (job));
  prompt = wevion_job_get_prompt (job);

  run = g_new0 (WevionHubRun, 1);
  run->hub = hub;
  run->id = g_strdup (id);
  run->outcome = OUTCOME_COMPLETE;
  run->fail_at = 30 + g_rand_int_range (hub->rand, 0, 60);
  if (wevion_hub_prompt_blocked (prompt, NULL))
    run->outcome = OUTCOME_MODERATION, run->fail_at = 10;
  else if (strstr (prompt, "[hold]"))
    run->outcome = OUTCOME_HOLD;
  else if (strstr (prompt, "[fail]"))
    run->outcome = OUTCOME_PROVIDER_ERROR;
  else if (strstr (prompt, "[empty-error]"))
    run->outcome = OUTCOME_EMPTY_ERROR;
  else if (strstr (prompt, "[timeout]"))
    run->outcome = OUTCOME_TIMEOUT;
  else if (strstr (prompt, "[ok]") == NULL && provider && g_rand_double (hub->rand) < provider->fail_rate)
    run->outcome = g_rand_double (hub->rand) < 0.15 ? OUTCOME_EMPTY_ERROR : OUTCOME_PROVIDER_ERROR;

  /* log-normal latency around the provider's median */
  latency_s
      = (provider ? provider->latency_s : 5.0) * exp (0.35 * g_rand_double_range (hub->rand, -1.7, 1.7));
  latency_s /= hub->options.speed;
  run->step = 10;
  run->tick_ms = (guint) MAX (5.0, latency_s * 1000.0 / 10.0);
  g_hash_table_insert (hub->running, run->id, run);

  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_PROCESSING || wevion_job_get_started_at (job) == NULL)
    g_object_set (job, "started-at", now, NULL);
  g_object_set (job, "status-name", "processing", "progress", 0, "updated-at", now, NULL);
  save_or_warn (hub, job);
  run->timeout_id = g_timeout_add (run->tick_ms, tick_cb, run);
}

void
wevion_hub_worker_pump (WevionHub *hub)
{
  if (hub->stopping || hub->faults.stall_queue)
    return;
  while (g_hash_table_size (hub->running) < (guint) hub->options.workers && !g_queue_is_empty (&hub->pending))
    {
      g_autofree char *id = g_queue_pop_head (&hub->pending);

      start_job (hub, id);
    }
}

void
wevion_hub_worker_enqueue (WevionHub *hub, const char *id)
{
  g_queue_push_tail (&hub->pending, g_strdup (id));
  wevion_hub_worker_pump (hub);
}

void
wevion_hub_worker_start (WevionHub *hub)
{
  g_autoptr (GPtrArray) active = wevion_hub_db_active (hub->db);

  hub->running = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) run_free);
  /* after a crash or restart: processing jobs start over first, then pending ones in order */
  for (guint i = 0; i < active->len; i++)
    g_queue_push_tail (&hub->pending, g_strdup (wevion_job_get_id (g_ptr_array_index (active, i))));
  if (active->len)
    g_message ("Recovered %u active jobs", active->len);
  wevion_hub_worker_pump (hub);
}

int
wevion_hub_worker_queue_position (WevionHub *hub, const char *id)
{
  int i = 1;

  for (GList *l = hub->pending.head; l; l = l->next, i++)
    if (g_str_equal (l->data, id))
      return i;
  return -1;
}

gboolean
wevion_hub_worker_cancel (WevionHub *hub, WevionJob *job)
{
  const char *id = wevion_job_get_id (job);
  WevionHubRun *run;

  if (wevion_job_get_is_terminal (job))
    return FALSE;
  for (GList *l = hub->pending.head; l; l = l->next)
    if (g_str_equal (l->data, id))
      {
        g_free (l->data);
        g_queue_delete_link (&hub->pending, l);
        break;
      }
  finish_failed (hub, job, "canceled", "Canceled by the user.", FALSE);
  run = g_hash_table_lookup (hub->running, id);
  if (run)
    {
      run->canceled = TRUE;
      if (!run->rendering)
        run_done (run);
    }
  return TRUE;
}

void
wevion_hub_worker_stop (WevionHub *hub)
{
  hub->stopping = TRUE;
  if (hub->running)
    {
      GHashTableIter iter;
      gpointer value;

      /* unfinished jobs stay processing in the db and start over at the next run */
      g_hash_table_iter_init (&iter, hub->running);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          WevionHubRun *run = value;

          g_clear_handle_id (&run->timeout_id, g_source_remove);
          run->canceled = TRUE;
        }
    }
}
