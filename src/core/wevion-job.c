/* wevion-job.c: one creative_job row. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <string.h>

#include "wevion-job-private.h"
#include "wevion-json.h"

struct _WevionJob
{
  GObject parent_instance;

  char *id;
  char *user_id;
  char *type_name;
  char *status_name;
  char *provider;
  char *prompt;
  char *prompt_folded; /* NULL while the prompt is ASCII */
  guint prompt_serial; /* counts changes of the prompt */
  JsonObject *settings;
  GStrv result_urls;
  char *error_message;
  gint64 cost_cents;
  char *drive_folder_id;
  JsonObject *metadata;
  GDateTime *created_at;
  GDateTime *completed_at;

  GDateTime *updated_at;
  GDateTime *started_at;
  int progress;
  int queue_position;
  char *error_code;
  int retryable;
  GDateTime *result_expires_at;
  gboolean archived;

  WevionJobType type;
  WevionJobStatus status;
  gint64 expected_duration;
  char *newest_retry;
};

G_DEFINE_FINAL_TYPE (WevionJob, wevion_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_USER_ID,
  PROP_JOB_TYPE,
  PROP_TYPE_NAME,
  PROP_STATUS,
  PROP_STATUS_NAME,
  PROP_PROVIDER,
  PROP_PROMPT,
  PROP_SETTINGS,
  PROP_RESULT_URLS,
  PROP_ERROR_MESSAGE,
  PROP_COST_CENTS,
  PROP_DRIVE_FOLDER_ID,
  PROP_METADATA,
  PROP_CREATED_AT,
  PROP_COMPLETED_AT,
  PROP_UPDATED_AT,
  PROP_STARTED_AT,
  PROP_PROGRESS,
  PROP_QUEUE_POSITION,
  PROP_ERROR_CODE,
  PROP_RETRYABLE_HINT,
  PROP_RESULT_EXPIRES_AT,
  PROP_ARCHIVED,
  /* derived, read-only */
  PROP_THUMBNAIL_URL,
  PROP_RETRY_OF,
  PROP_IS_ACTIVE,
  PROP_DURATION,
  PROP_ELAPSED,
  PROP_IS_STALLED,
  PROP_IS_RETRYABLE,
  PROP_FAILURE_KIND,
  PROP_EXPECTED_DURATION,
  PROP_NEWEST_RETRY,
  N_PROPS
};

enum { TRANSITION, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- shared strings ------------------------------------------------------------------------ */

/* user_id, type and status names, provider, error message and code repeat across thousands of
 * jobs: they come from a small pool (bounded, never freed) instead of one copy per job. */
#define POOL_MAX_ENTRIES 4096
#define POOL_MAX_LENGTH 96

static GMutex pool_lock;
static GHashTable *pool; /* string → the same string */

static char *
pool_dup (const char *value)
{
  char *shared;

  if (value == NULL)
    return NULL;
  if (strlen (value) > POOL_MAX_LENGTH)
    return g_strdup (value);
  g_mutex_lock (&pool_lock);
  if (pool == NULL)
    pool = g_hash_table_new (g_str_hash, g_str_equal);
  shared = g_hash_table_lookup (pool, value);
  if (shared == NULL && g_hash_table_size (pool) < POOL_MAX_ENTRIES)
    {
      shared = g_strdup (value);
      g_hash_table_add (pool, shared);
    }
  g_mutex_unlock (&pool_lock);
  return shared ? shared : g_strdup (value);
}

static void
pool_free (char *value)
{
  gboolean shared;

  if (value == NULL)
    return;
  g_mutex_lock (&pool_lock);
  shared = pool && g_hash_table_lookup (pool, value) == value;
  g_mutex_unlock (&pool_lock);
  if (!shared)
    g_free (value);
}

static char *
fold_prompt (const char *prompt)
{
  if (prompt == NULL)
    return NULL;
  for (const char *p = prompt; *p; p++)
    if ((guchar) *p >= 0x80)
      return g_utf8_casefold (prompt, -1);
  return NULL;
}

static void
notify_derived (WevionJob *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_STALLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_RETRYABLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_KIND]);
}

static gboolean
set_string (WevionJob *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_pooled (WevionJob *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  pool_free (*field);
  *field = pool_dup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_prompt (WevionJob *self, const char *value)
{
  if (!set_string (self, &self->prompt, value, PROP_PROMPT))
    return FALSE;
  g_free (self->prompt_folded);
  self->prompt_folded = fold_prompt (value);
  self->prompt_serial++;
  return TRUE;
}

static gboolean
set_datetime (WevionJob *self, GDateTime **field, GDateTime *value, guint prop)
{
  if (*field == value || (*field && value && g_date_time_equal (*field, value)))
    return FALSE;
  g_clear_pointer (field, g_date_time_unref);
  *field = value ? g_date_time_ref (value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_object (WevionJob *self, JsonObject **field, JsonObject *value, guint prop)
{
  if (*field == value || (*field && value && json_object_equal (*field, value)))
    return FALSE;
  g_clear_pointer (field, json_object_unref);
  *field = value ? json_object_ref (value) : json_object_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_strv (WevionJob *self, GStrv *field, const char *const *value)
{
  static const char *const empty[] = { NULL };

  if (value == NULL)
    value = empty;
  if (*field && g_strv_equal ((const char *const *) *field, value))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv ((char **) value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT_URLS]);
  return TRUE;
}

static gboolean
set_int64 (WevionJob *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_int (WevionJob *self, int *field, int value, guint prop)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
set_type_name (WevionJob *self, const char *name)
{
  if (!set_pooled (self, &self->type_name, name ? name : "unknown", PROP_TYPE_NAME))
    return FALSE;
  self->type = wevion_job_type_from_string (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_TYPE]);
  return TRUE;
}

static gboolean
set_status_name (WevionJob *self, const char *name)
{
  if (!set_pooled (self, &self->status_name, name ? name : "unknown", PROP_STATUS_NAME))
    return FALSE;
  self->status = wevion_job_status_from_string (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  notify_derived (self);
  return TRUE;
}

static void
wevion_job_finalize (GObject *object)
{
  WevionJob *self = WEVION_JOB (object);

  g_free (self->id);
  pool_free (self->user_id);
  pool_free (self->type_name);
  pool_free (self->status_name);
  pool_free (self->provider);
  g_free (self->prompt);
  g_free (self->prompt_folded);
  g_clear_pointer (&self->settings, json_object_unref);
  g_strfreev (self->result_urls);
  pool_free (self->error_message);
  g_free (self->drive_folder_id);
  g_clear_pointer (&self->metadata, json_object_unref);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->completed_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  pool_free (self->error_code);
  g_clear_pointer (&self->result_expires_at, g_date_time_unref);
  g_free (self->newest_retry);

  G_OBJECT_CLASS (wevion_job_parent_class)->finalize (object);
}

static void
wevion_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionJob *self = WEVION_JOB (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_USER_ID: g_value_set_string (value, self->user_id); break;
    case PROP_JOB_TYPE: g_value_set_enum (value, self->type); break;
    case PROP_TYPE_NAME: g_value_set_string (value, self->type_name); break;
    case PROP_STATUS: g_value_set_enum (value, self->status); break;
    case PROP_STATUS_NAME: g_value_set_string (value, self->status_name); break;
    case PROP_PROVIDER: g_value_set_string (value, self->provider); break;
    case PROP_PROMPT: g_value_set_string (value, self->prompt); break;
    case PROP_SETTINGS: g_value_set_boxed (value, self->settings); break;
    case PROP_RESULT_URLS: g_value_set_boxed (value, self->result_urls); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_COST_CENTS: g_value_set_int64 (value, self->cost_cents); break;
    case PROP_DRIVE_FOLDER_ID: g_value_set_string (value, self->drive_folder_id); break;
    case PROP_METADATA: g_value_set_boxed (value, self->metadata); break;
    case PROP_CREATED_AT: g_value_set_boxed (value, self->created_at); break;
    case PROP_COMPLETED_AT: g_value_set_boxed (value, self->completed_at); break;
    case PROP_UPDATED_AT: g_value_set_boxed (value, self->updated_at); break;
    case PROP_STARTED_AT: g_value_set_boxed (value, self->started_at); break;
    case PROP_PROGRESS: g_value_set_int (value, self->progress); break;
    case PROP_QUEUE_POSITION: g_value_set_int (value, self->queue_position); break;
    case PROP_ERROR_CODE: g_value_set_string (value, self->error_code); break;
    case PROP_RETRYABLE_HINT: g_value_set_int (value, self->retryable); break;
    case PROP_RESULT_EXPIRES_AT: g_value_set_boxed (value, self->result_expires_at); break;
    case PROP_ARCHIVED: g_value_set_boolean (value, self->archived); break;
    case PROP_THUMBNAIL_URL: g_value_set_string (value, wevion_job_get_thumbnail_url (self)); break;
    case PROP_RETRY_OF: g_value_set_string (value, wevion_job_get_retry_of (self)); break;
    case PROP_IS_ACTIVE: g_value_set_boolean (value, wevion_job_get_is_active (self)); break;
    case PROP_DURATION: g_value_set_int64 (value, wevion_job_get_duration (self)); break;
    case PROP_ELAPSED: g_value_set_int64 (value, wevion_job_get_elapsed (self)); break;
    case PROP_IS_STALLED: g_value_set_boolean (value, wevion_job_get_is_stalled (self)); break;
    case PROP_IS_RETRYABLE: g_value_set_boolean (value, wevion_job_get_is_retryable (self)); break;
    case PROP_FAILURE_KIND: g_value_set_enum (value, wevion_job_get_failure_kind (self)); break;
    case PROP_EXPECTED_DURATION: g_value_set_int64 (value, self->expected_duration); break;
    case PROP_NEWEST_RETRY: g_value_set_string (value, self->newest_retry); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionJob *self = WEVION_JOB (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_ID: set_string (self, &self->id, g_value_get_string (value), prop_id); break;
    case PROP_USER_ID: set_pooled (self, &self->user_id, g_value_get_string (value), prop_id); break;
    case PROP_TYPE_NAME: set_type_name (self, g_value_get_string (value)); break;
    case PROP_STATUS_NAME: set_status_name (self, g_value_get_string (value)); break;
    case PROP_PROVIDER: set_pooled (self, &self->provider, g_value_get_string (value), prop_id); break;
    case PROP_PROMPT: set_prompt (self, g_value_get_string (value)); break;
    case PROP_SETTINGS: set_object (self, &self->settings, g_value_get_boxed (value), prop_id); break;
    case PROP_RESULT_URLS: set_strv (self, &self->result_urls, g_value_get_boxed (value)); break;
    case PROP_ERROR_MESSAGE:
      changed = set_pooled (self, &self->error_message, g_value_get_string (value), prop_id);
      break;
    case PROP_COST_CENTS: set_int64 (self, &self->cost_cents, g_value_get_int64 (value), prop_id); break;
    case PROP_DRIVE_FOLDER_ID:
      set_string (self, &self->drive_folder_id, g_value_get_string (value), prop_id);
      break;
    case PROP_METADATA:
      if (set_object (self, &self->metadata, g_value_get_boxed (value), prop_id))
        {
          g_object_notify_by_pspec (object, properties[PROP_THUMBNAIL_URL]);
          g_object_notify_by_pspec (object, properties[PROP_RETRY_OF]);
        }
      break;
    case PROP_CREATED_AT:
      changed = set_datetime (self, &self->created_at, g_value_get_boxed (value), prop_id);
      break;
    case PROP_COMPLETED_AT:
      changed = set_datetime (self, &self->completed_at, g_value_get_boxed (value), prop_id);
      break;
    case PROP_UPDATED_AT: set_datetime (self, &self->updated_at, g_value_get_boxed (value), prop_id); break;
    case PROP_STARTED_AT: set_datetime (self, &self->started_at, g_value_get_boxed (value), prop_id); break;
    case PROP_PROGRESS: set_int (self, &self->progress, g_value_get_int (value), prop_id); break;
    case PROP_QUEUE_POSITION: set_int (self, &self->queue_position, g_value_get_int (value), prop_id); break;
    case PROP_ERROR_CODE:
      changed = set_pooled (self, &self->error_code, g_value_get_string (value), prop_id);
      break;
    case PROP_RETRYABLE_HINT:
      changed = set_int (self, &self->retryable, g_value_get_int (value), prop_id);
      break;
    case PROP_RESULT_EXPIRES_AT:
      set_datetime (self, &self->result_expires_at, g_value_get_boxed (value), prop_id);
      break;
    case PROP_ARCHIVED:
      {
        gboolean archived = g_value_get_boolean (value);
        if (archived != self->archived)
          {
            self->archived = archived;
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_EXPECTED_DURATION: wevion_job_set_expected_duration (self, g_value_get_int64 (value)); break;
    case PROP_NEWEST_RETRY: wevion_job_set_newest_retry (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }

  if (changed)
    notify_derived (self);
}

static void
wevion_job_class_init (WevionJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = wevion_job_finalize;
  object_class->get_property = wevion_job_get_property;
  object_class->set_property = wevion_job_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, rw);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, rw);
  properties[PROP_JOB_TYPE]
      = g_param_spec_enum ("job-type", NULL, NULL, WEVION_TYPE_JOB_TYPE, WEVION_JOB_TYPE_UNKNOWN, ro);
  properties[PROP_TYPE_NAME] = g_param_spec_string ("type-name", NULL, NULL, "unknown", rw);
  properties[PROP_STATUS]
      = g_param_spec_enum ("status", NULL, NULL, WEVION_TYPE_JOB_STATUS, WEVION_JOB_STATUS_UNKNOWN, ro);
  properties[PROP_STATUS_NAME] = g_param_spec_string ("status-name", NULL, NULL, "unknown", rw);
  properties[PROP_PROVIDER] = g_param_spec_string ("provider", NULL, NULL, NULL, rw);
  properties[PROP_PROMPT] = g_param_spec_string ("prompt", NULL, NULL, NULL, rw);
  properties[PROP_SETTINGS] = g_param_spec_boxed ("settings", NULL, NULL, JSON_TYPE_OBJECT, rw);
  properties[PROP_RESULT_URLS] = g_param_spec_boxed ("result-urls", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, rw);
  properties[PROP_COST_CENTS] = g_param_spec_int64 ("cost-cents", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_DRIVE_FOLDER_ID] = g_param_spec_string ("drive-folder-id", NULL, NULL, NULL, rw);
  properties[PROP_METADATA] = g_param_spec_boxed ("metadata", NULL, NULL, JSON_TYPE_OBJECT, rw);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_COMPLETED_AT] = g_param_spec_boxed ("completed-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_UPDATED_AT] = g_param_spec_boxed ("updated-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_STARTED_AT] = g_param_spec_boxed ("started-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_PROGRESS] = g_param_spec_int ("progress", NULL, NULL, -1, 100, -1, rw);
  properties[PROP_QUEUE_POSITION] = g_param_spec_int ("queue-position", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_ERROR_CODE] = g_param_spec_string ("error-code", NULL, NULL, NULL, rw);
  properties[PROP_RETRYABLE_HINT] = g_param_spec_int ("retryable-hint", NULL, NULL, -1, 1, -1, rw);
  properties[PROP_RESULT_EXPIRES_AT]
      = g_param_spec_boxed ("result-expires-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_ARCHIVED] = g_param_spec_boolean ("archived", NULL, NULL, FALSE, rw);
  properties[PROP_THUMBNAIL_URL] = g_param_spec_string ("thumbnail-url", NULL, NULL, NULL, ro);
  properties[PROP_RETRY_OF] = g_param_spec_string ("retry-of", NULL, NULL, NULL, ro);
  properties[PROP_IS_ACTIVE] = g_param_spec_boolean ("is-active", NULL, NULL, FALSE, ro);
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_ELAPSED] = g_param_spec_int64 ("elapsed", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_IS_STALLED] = g_param_spec_boolean ("is-stalled", NULL, NULL, FALSE, ro);
  properties[PROP_IS_RETRYABLE] = g_param_spec_boolean ("is-retryable", NULL, NULL, FALSE, ro);
  properties[PROP_FAILURE_KIND] = g_param_spec_enum ("failure-kind", NULL, NULL, WEVION_TYPE_FAILURE_KIND,
                                                     WEVION_FAILURE_KIND_NONE, ro);
  properties[PROP_EXPECTED_DURATION]
      = g_param_spec_int64 ("expected-duration", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_NEWEST_RETRY] = g_param_spec_string ("newest-retry", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WevionJob::transition:
   * @old_status: the status before
   * @new_status: the status now
   *
   * Emitted once for every real change of status, after all fields were updated.
   */
  signals[TRANSITION]
      = g_signal_new ("transition", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, WEVION_TYPE_JOB_STATUS, WEVION_TYPE_JOB_STATUS);
}

static void
wevion_job_init (WevionJob *self)
{
  self->type_name = pool_dup ("unknown");
  self->status_name = pool_dup ("unknown");
  /* each job its own: json-glib's JsonObject reference counts are not atomic, and jobs are made
   * in worker threads (the cache's load) as well as on the main thread */
  self->settings = json_object_new ();
  self->metadata = json_object_new ();
  self->result_urls = g_new0 (char *, 1);
  self->progress = -1;
  self->queue_position = -1;
  self->retryable = -1;
}

WevionJob *
wevion_job_new (const char *id, WevionJobType type, const char *provider, const char *prompt)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_object_new (WEVION_TYPE_JOB, "id", id, "type-name", wevion_job_type_to_string (type),
                       "status-name", "pending", "provider", provider, "prompt", prompt, "created-at", now,
                       NULL);
}

#define GETTER(ret, name, expr)                                                                              \
  ret wevion_job_get_##name (WevionJob *self)                                                                \
  {                                                                                                          \
    g_return_val_if_fail (WEVION_IS_JOB (self), 0);                                                          \
    return expr;                                                                                             \
  }

GETTER (const char *, id, self->id)
GETTER (const char *, user_id, self->user_id)
GETTER (WevionJobType, job_type, self->type)
GETTER (const char *, type_name, self->type_name)
GETTER (WevionJobStatus, status, self->status)
GETTER (const char *, status_name, self->status_name)
GETTER (const char *, provider, self->provider)
GETTER (const char *, prompt, self->prompt)
GETTER (JsonObject *, settings, self->settings)
GETTER (const char *const *, result_urls, (const char *const *) self->result_urls)
GETTER (guint, n_result_urls, g_strv_length (self->result_urls))
GETTER (const char *, error_message, self->error_message)
GETTER (gint64, cost_cents, self->cost_cents)
GETTER (const char *, drive_folder_id, self->drive_folder_id)
GETTER (JsonObject *, metadata, self->metadata)
GETTER (GDateTime *, created_at, self->created_at)
GETTER (GDateTime *, completed_at, self->completed_at)
GETTER (GDateTime *, updated_at, self->updated_at)
GETTER (GDateTime *, started_at, self->started_at)
GETTER (int, progress, self->progress)
GETTER (int, queue_position, self->queue_position)
GETTER (const char *, error_code, self->error_code)
GETTER (int, retryable_hint, self->retryable)
GETTER (GDateTime *, result_expires_at, self->result_expires_at)
GETTER (gboolean, archived, self->archived)
GETTER (gint64, expected_duration, self->expected_duration)
GETTER (const char *, newest_retry, self->newest_retry)
GETTER (gboolean, is_active, wevion_job_status_is_active (self->status))
GETTER (gboolean, is_terminal, wevion_job_status_is_terminal (self->status))

#undef GETTER

static const char *
metadata_string (WevionJob *self, const char *member)
{
  const char *value = NULL;

  if (self->metadata && wevion_json_get_string (self->metadata, member, &value) && *value)
    return value;
  return NULL;
}

const char *
wevion_job_get_thumbnail_url (WevionJob *self)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), NULL);
  return metadata_string (self, "thumbnail_url");
}

const char *
wevion_job_get_retry_of (WevionJob *self)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), NULL);
  return metadata_string (self, "retry_of");
}

gint64
wevion_job_get_duration (WevionJob *self)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), -1);

  if (self->status != WEVION_JOB_STATUS_COMPLETED || !self->created_at || !self->completed_at)
    return -1;
  return MAX (0, g_date_time_difference (self->completed_at, self->created_at) / G_USEC_PER_SEC);
}

gint64
wevion_job_get_elapsed_at (WevionJob *self, GDateTime *now)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), -1);

  if (!self->created_at)
    return -1;
  if (wevion_job_status_is_terminal (self->status) && self->completed_at)
    now = self->completed_at;
  return MAX (0, g_date_time_difference (now, self->created_at) / G_USEC_PER_SEC);
}

gint64
wevion_job_get_elapsed (WevionJob *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return wevion_job_get_elapsed_at (self, now);
}

gboolean
wevion_job_get_is_stalled_at (WevionJob *self, GDateTime *now)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), FALSE);

  if (self->status == WEVION_JOB_STATUS_PENDING && self->created_at)
    return g_date_time_difference (now, self->created_at)
           > WEVION_JOB_STALLED_PENDING_SECONDS * G_USEC_PER_SEC;

  if (self->status == WEVION_JOB_STATUS_PROCESSING && self->expected_duration > 0)
    {
      GDateTime *since = self->started_at ? self->started_at : self->created_at;

      if (since)
        return g_date_time_difference (now, since) > self->expected_duration * G_USEC_PER_SEC;
    }
  return FALSE;
}

gboolean
wevion_job_get_is_stalled (WevionJob *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return wevion_job_get_is_stalled_at (self, now);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

WevionFailureKind
wevion_job_get_failure_kind (WevionJob *self)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), WEVION_FAILURE_KIND_NONE);

  if (self->status != WEVION_JOB_STATUS_FAILED)
    return WEVION_FAILURE_KIND_NONE;
  if (g_strcmp0 (self->error_code, "canceled") == 0)
    return WEVION_FAILURE_KIND_CANCELED;
  if (g_strcmp0 (self->error_code, "content_moderation") == 0)
    return WEVION_FAILURE_KIND_MODERATION;
  if (is_blank (self->error_message))
    return WEVION_FAILURE_KIND_NO_DETAILS;
  if (self->error_code == NULL)
    {
      /* A seed-only server sends no error_code: recognise moderation by its words. */
      g_autofree char *lower = g_utf8_strdown (self->error_message, -1);

      if (strstr (lower, "moderation") != NULL)
        return WEVION_FAILURE_KIND_MODERATION;
    }
  if (self->retryable == 1 || g_strcmp0 (self->error_code, "provider_error") == 0
      || g_strcmp0 (self->error_code, "timeout") == 0)
    return WEVION_FAILURE_KIND_TRANSIENT;
  return WEVION_FAILURE_KIND_OTHER;
}

gboolean
wevion_job_get_is_retryable (WevionJob *self)
{
  g_return_val_if_fail (WEVION_IS_JOB (self), FALSE);

  if (self->status != WEVION_JOB_STATUS_FAILED)
    return FALSE;
  if (wevion_job_get_failure_kind (self) == WEVION_FAILURE_KIND_MODERATION)
    return FALSE;
  return self->retryable != 0;
}

void
wevion_job_set_expected_duration (WevionJob *self, gint64 seconds)
{
  g_return_if_fail (WEVION_IS_JOB (self));

  if (set_int64 (self, &self->expected_duration, MAX (0, seconds), PROP_EXPECTED_DURATION))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_STALLED]);
}

void
wevion_job_set_newest_retry (WevionJob *self, const char *job_id)
{
  g_return_if_fail (WEVION_IS_JOB (self));
  set_string (self, &self->newest_retry, job_id, PROP_NEWEST_RETRY);
}

/* the value of @key in @query ("a=1&b=2"), unescaped; NULL when absent */
static char *
query_value (const char *query, const char *key)
{
  gsize key_len = strlen (key);

  for (const char *p = query; p && *p;)
    {
      const char *end = strchr (p, '&');
      gsize len = end ? (gsize) (end - p) : strlen (p);

      if (len > key_len && p[key_len] == '=' && g_ascii_strncasecmp (p, key, key_len) == 0)
        {
          g_autofree char *raw = g_strndup (p + key_len + 1, len - key_len - 1);

          return g_uri_unescape_string (raw, NULL);
        }
      p = end ? end + 1 : NULL;
    }
  return NULL;
}

static gboolean
parse_seconds (const char *text, gint64 *out)
{
  char *end = NULL;
  gint64 value;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || *end != '\0' || value < 0 || value > G_GINT64_CONSTANT (253402300799)) /* year 9999 */
    return FALSE;
  *out = value;
  return TRUE;
}

/* "20261129T064200Z" (AWS and Google signatures) */
static GDateTime *
parse_basic_time (const char *text)
{
  int y, mo, d, h, mi, s;
  char z;

  if (text == NULL || strlen (text) != 16
      || sscanf (text, "%4d%2d%2dT%2d%2d%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z')
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, s);
}

GDateTime *
wevion_url_dup_expiry (const char *url)
{
  g_autofree char *fragmentless = NULL;
  g_autofree char *value = NULL;
  const char *query;
  gint64 seconds;

  if (url == NULL)
    return NULL;
  /* the query ends where the fragment starts */
  fragmentless = g_strndup (url, strcspn (url, "#"));
  if ((query = strchr (fragmentless, '?')) == NULL)
    return NULL;
  query++;

  /* wevion-hub, S3 (signature 2), CloudFront: seconds since the epoch */
  value = query_value (query, "expires");
  if (value && parse_seconds (value, &seconds))
    return g_date_time_new_from_unix_utc (seconds);
  g_clear_pointer (&value, g_free);

  /* S3 signature 4 and Google Cloud Storage: a start time and a lifetime in seconds */
  for (guint i = 0; i < 2; i++)
    {
      const char *date_key = i == 0 ? "X-Amz-Date" : "X-Goog-Date";
      const char *ttl_key = i == 0 ? "X-Amz-Expires" : "X-Goog-Expires";
      g_autofree char *date = query_value (query, date_key);
      g_autofree char *ttl = query_value (query, ttl_key);
      g_autoptr (GDateTime) start = parse_basic_time (date);

      if (start && parse_seconds (ttl, &seconds))
        return g_date_time_add_seconds (start, (double) seconds);
    }

  /* Azure shared access signatures: an ISO 8601 end time */
  value = query_value (query, "se");
  if (value)
    return g_date_time_new_from_iso8601 (value, NULL);
  return NULL;
}

GDateTime *
wevion_job_dup_links_expire_at (WevionJob *self)
{
  GDateTime *earliest = NULL;

  g_return_val_if_fail (WEVION_IS_JOB (self), NULL);
  if (self->result_expires_at)
    earliest = g_date_time_ref (self->result_expires_at);
  for (guint i = 0; self->result_urls[i]; i++)
    {
      GDateTime *own = wevion_url_dup_expiry (self->result_urls[i]);

      if (own && (earliest == NULL || g_date_time_compare (own, earliest) < 0))
        {
          g_clear_pointer (&earliest, g_date_time_unref);
          earliest = own;
        }
      else if (own)
        g_date_time_unref (own);
    }
  return earliest;
}

void
wevion_job_set_status (WevionJob *self, WevionJobStatus status)
{
  g_return_if_fail (WEVION_IS_JOB (self));
  set_status_name (self, wevion_job_status_to_string (status));
}

void
wevion_job_set_progress (WevionJob *self, int progress)
{
  g_return_if_fail (WEVION_IS_JOB (self));
  set_int (self, &self->progress, CLAMP (progress, -1, 100), PROP_PROGRESS);
}

void
wevion_job_set_queue_position (WevionJob *self, int position)
{
  g_return_if_fail (WEVION_IS_JOB (self));
  set_int (self, &self->queue_position, MAX (-1, position), PROP_QUEUE_POSITION);
}

WevionJobUpdate
wevion_job_update_from_job (WevionJob *self, WevionJob *fresh)
{
  WevionJobStatus old_status;
  gboolean changed = FALSE;

  g_return_val_if_fail (WEVION_IS_JOB (self), WEVION_JOB_UPDATE_MISMATCH);
  g_return_val_if_fail (WEVION_IS_JOB (fresh), WEVION_JOB_UPDATE_MISMATCH);

  if (g_strcmp0 (self->id, fresh->id) != 0)
    return WEVION_JOB_UPDATE_MISMATCH;

  old_status = self->status;
  if (!wevion_job_status_can_move (old_status, fresh->status))
    {
      g_message ("Job %s: ignored a stale row moving %s → %s", self->id, self->status_name,
                 fresh->status_name);
      return WEVION_JOB_UPDATE_BACKWARDS;
    }

  g_object_freeze_notify (G_OBJECT (self));
  changed |= set_pooled (self, &self->user_id, fresh->user_id, PROP_USER_ID);
  changed |= set_type_name (self, fresh->type_name);
  changed |= set_status_name (self, fresh->status_name);
  changed |= set_pooled (self, &self->provider, fresh->provider, PROP_PROVIDER);
  changed |= set_prompt (self, fresh->prompt);
  changed |= set_object (self, &self->settings, fresh->settings, PROP_SETTINGS);
  changed |= set_strv (self, &self->result_urls, (const char *const *) fresh->result_urls);
  changed |= set_pooled (self, &self->error_message, fresh->error_message, PROP_ERROR_MESSAGE);
  changed |= set_int64 (self, &self->cost_cents, fresh->cost_cents, PROP_COST_CENTS);
  changed |= set_string (self, &self->drive_folder_id, fresh->drive_folder_id, PROP_DRIVE_FOLDER_ID);
  if (set_object (self, &self->metadata, fresh->metadata, PROP_METADATA))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL_URL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_OF]);
      changed = TRUE;
    }
  changed |= set_datetime (self, &self->created_at, fresh->created_at, PROP_CREATED_AT);
  changed |= set_datetime (self, &self->completed_at, fresh->completed_at, PROP_COMPLETED_AT);
  changed |= set_datetime (self, &self->updated_at, fresh->updated_at, PROP_UPDATED_AT);
  changed |= set_datetime (self, &self->started_at, fresh->started_at, PROP_STARTED_AT);
  changed |= set_int (self, &self->progress, fresh->progress, PROP_PROGRESS);
  changed |= set_int (self, &self->queue_position, fresh->queue_position, PROP_QUEUE_POSITION);
  changed |= set_pooled (self, &self->error_code, fresh->error_code, PROP_ERROR_CODE);
  changed |= set_int (self, &self->retryable, fresh->retryable, PROP_RETRYABLE_HINT);
  changed |= set_datetime (self, &self->result_expires_at, fresh->result_expires_at, PROP_RESULT_EXPIRES_AT);
  if (self->archived != fresh->archived)
    {
      self->archived = fresh->archived;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARCHIVED]);
      changed = TRUE;
    }
  if (changed)
    notify_derived (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (old_status != self->status)
    g_signal_emit (self, signals[TRANSITION], 0, old_status, self->status);

  return changed ? WEVION_JOB_UPDATE_CHANGED : WEVION_JOB_UPDATE_UNCHANGED;
}

/* ---- reading ---------------------------------------------------------------------------- */

static gboolean
row_error (GError **error, const char *id, const char *member, const char *problem)
{
  g_set_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_ROW, "job %s: field \"%s\" %s",
               id ? id : "(no id)", member, problem);
  return FALSE;
}

static const char *const row_names[WEVION_N_ROW_FIELDS] = {
  [WEVION_ROW_ID] = "id",
  [WEVION_ROW_USER_ID] = "user_id",
  [WEVION_ROW_TYPE] = "type",
  [WEVION_ROW_STATUS] = "status",
  [WEVION_ROW_PROVIDER] = "provider",
  [WEVION_ROW_PROMPT] = "prompt",
  [WEVION_ROW_SETTINGS] = "settings",
  [WEVION_ROW_RESULT_URLS] = "result_urls",
  [WEVION_ROW_ERROR_MESSAGE] = "error_message",
  [WEVION_ROW_COST_CENTS] = "cost_cents",
  [WEVION_ROW_DRIVE_FOLDER_ID] = "drive_folder_id",
  [WEVION_ROW_METADATA] = "metadata",
  [WEVION_ROW_CREATED_AT] = "created_at",
  [WEVION_ROW_COMPLETED_AT] = "completed_at",
  [WEVION_ROW_UPDATED_AT] = "updated_at",
  [WEVION_ROW_STARTED_AT] = "started_at",
  [WEVION_ROW_PROGRESS] = "progress",
  [WEVION_ROW_QUEUE_POSITION] = "queue_position",
  [WEVION_ROW_ERROR_CODE] = "error_code",
  [WEVION_ROW_RETRYABLE] = "retryable",
  [WEVION_ROW_RESULT_EXPIRES_AT] = "result_expires_at",
  [WEVION_ROW_ARCHIVED] = "archived",
};

int
_wevion_row_field_from_name (const char *name, gsize len)
{
  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    if (row_names[i][0] == name[0] && strcmp (row_names[i], name) == 0)
      return i;
  return -1;
}

void
_wevion_row_value_clear (WevionRowValue *value)
{
  g_clear_pointer (&value->object, json_object_unref);
  g_clear_pointer (&value->strv, g_strfreev);
  g_clear_pointer (&value->json_array, json_array_unref);
  memset (value, 0, sizeof *value);
}

static void
row_value_from_node (WevionRowValue *value, JsonNode *node)
{
  GType t;

  if (node == NULL)
    return;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL: value->kind = WEVION_ROW_VALUE_NULL; break;
    case JSON_NODE_OBJECT:
      value->kind = WEVION_ROW_VALUE_OBJECT;
      value->object = json_object_ref (json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      value->kind = WEVION_ROW_VALUE_ARRAY;
      value->json_array = json_array_ref (json_node_get_array (node));
      break;
    case JSON_NODE_VALUE:
    default:
      t = json_node_get_value_type (node);
      if (t == G_TYPE_STRING)
        {
          value->kind = WEVION_ROW_VALUE_STRING;
          value->str = json_node_get_string (node);
        }
      else if (t == G_TYPE_INT64)
        {
          value->kind = WEVION_ROW_VALUE_INT;
          value->i = json_node_get_int (node);
        }
      else if (t == G_TYPE_DOUBLE)
        {
          value->kind = WEVION_ROW_VALUE_DOUBLE;
          value->d = json_node_get_double (node);
        }
      else if (t == G_TYPE_BOOLEAN)
        {
          value->kind = WEVION_ROW_VALUE_BOOL;
          value->b = json_node_get_boolean (node);
        }
      else
        value->kind = WEVION_ROW_VALUE_NULL;
      break;
    }
}

static gboolean
check_string (const WevionRowValue *row, WevionRowField field, const char *id, gboolean nullable,
              GError **error)
{
  const WevionRowValue *v = &row[field];

  if (v->kind == WEVION_ROW_VALUE_MISSING)
    return row_error (error, id, row_names[field], "is missing");
  if (v->kind == WEVION_ROW_VALUE_NULL)
    return nullable ? TRUE : row_error (error, id, row_names[field], "is null");
  if (v->kind != WEVION_ROW_VALUE_STRING)
    return row_error (error, id, row_names[field], "is not a string");
  return TRUE;
}

static const char *
row_string (const WevionRowValue *row, WevionRowField field)
{
  return row[field].kind == WEVION_ROW_VALUE_STRING ? row[field].str : NULL;
}

static GDateTime *
parse_time (const char *text)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) time = NULL;

  if (text == NULL || *text == '\0')
    return NULL;
  time = g_date_time_new_from_iso8601 (text, utc);
  /* kept in UTC, as it is written back; NULL when that falls outside years 1–9999
   * ("0001-01-01T00:30:00+01:00"), found by fuzzing */
  return time ? g_date_time_to_utc (time) : NULL;
}

/* "YYYY-MM-DDTHH:MM:SSZ", the form every server we know writes, without the general parser; any
 * other form (or an odd value) goes to g_date_time_new_from_iso8601() for the same answer. */
static GDateTime *
parse_time_fast (const char *t)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
  int year, month, day, hour, minute, second;

  for (int i = 0; i < 20; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (t[i]) : t[i] != shape[i])
      return parse_time (t);
  if (t[20] != '\0')
    return parse_time (t);
#define D2(at) ((t[at] - '0') * 10 + (t[(at) + 1] - '0'))
  year = D2 (0) * 100 + D2 (2);
  month = D2 (5);
  day = D2 (8);
  hour = D2 (11);
  minute = D2 (14);
  second = D2 (17);
#undef D2
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return parse_time (t);
  return g_date_time_new_utc (year, month, day, hour, minute, second);
}

/* A small direct-mapped memo: in a list, many rows share created/updated/completed times. */
#define TIME_MEMO_SLOTS 256
#define TIME_MEMO_TEXT 32

struct _WevionTimeMemo
{
  char text[TIME_MEMO_SLOTS][TIME_MEMO_TEXT];
  GDateTime *time[TIME_MEMO_SLOTS];
};

WevionTimeMemo *
_wevion_time_memo_new (void)
{
  return g_new0 (WevionTimeMemo, 1);
}

void
_wevion_time_memo_free (WevionTimeMemo *memo)
{
  if (memo == NULL)
    return;
  for (guint i = 0; i < TIME_MEMO_SLOTS; i++)
    g_clear_pointer (&memo->time[i], g_date_time_unref);
  g_free (memo);
}

static GDateTime *
memo_parse_time (WevionTimeMemo *memo, const char *text)
{
  gsize len;
  guint slot;
  GDateTime *time;

  if (text == NULL || *text == '\0')
    return NULL;
  len = strlen (text);
  if (memo == NULL || len >= TIME_MEMO_TEXT)
    return parse_time_fast (text);
  slot = g_str_hash (text) % TIME_MEMO_SLOTS;
  if (memo->time[slot] && strcmp (memo->text[slot], text) == 0)
    return g_date_time_ref (memo->time[slot]);
  time = parse_time_fast (text);
  if (time)
    {
      g_clear_pointer (&memo->time[slot], g_date_time_unref);
      memcpy (memo->text[slot], text, len + 1);
      memo->time[slot] = g_date_time_ref (time);
    }
  return time;
}

static gboolean
read_time (const WevionRowValue *row, WevionRowField field, const char *id, gboolean required,
           WevionTimeMemo *memo, GDateTime **out, GError **error)
{
  const WevionRowValue *v = &row[field];

  if (v->kind == WEVION_ROW_VALUE_MISSING || v->kind == WEVION_ROW_VALUE_NULL)
    {
      if (required && v->kind == WEVION_ROW_VALUE_MISSING)
        return row_error (error, id, row_names[field], "is missing");
      if (required && field != WEVION_ROW_COMPLETED_AT)
        return row_error (error, id, row_names[field], "is null");
      *out = NULL;
      return TRUE;
    }
  if (v->kind != WEVION_ROW_VALUE_STRING)
    {
      if (!required)
        return TRUE; /* optional and wrong: take the default */
      return row_error (error, id, row_names[field], "is not a string");
    }
  *out = memo_parse_time (memo, v->str);
  if (*out == NULL)
    {
      if (!required)
        return TRUE;
      return row_error (error, id, row_names[field], "is not an ISO 8601 time");
    }
  return TRUE;
}

/* JSON numbers arrive as int64 or double; accept whole numbers in range only. */
static gboolean
value_to_int (const WevionRowValue *v, gint64 *out)
{
  if (v->kind == WEVION_ROW_VALUE_INT)
    {
      *out = v->i;
      return TRUE;
    }
  if (v->kind == WEVION_ROW_VALUE_DOUBLE)
    {
      double d = v->d;

      if (d != d || d < -9007199254740992.0 || d > 9007199254740992.0 || d != (double) (gint64) d)
        return FALSE;
      *out = (gint64) d;
      return TRUE;
    }
  return FALSE;
}

WevionJob *
_wevion_job_new_from_row (WevionRowValue *row, WevionTimeMemo *memo, GError **error)
{
  g_autoptr (WevionJob) job = NULL;
  const char *id;
  WevionRowValue *v;
  gint64 n;

  if (!check_string (row, WEVION_ROW_ID, NULL, FALSE, error))
    return NULL;
  id = row[WEVION_ROW_ID].str;
  if (*id == '\0')
    return row_error (error, NULL, "id", "is empty"), NULL;
  if (!check_string (row, WEVION_ROW_USER_ID, id, FALSE, error)
      || !check_string (row, WEVION_ROW_TYPE, id, FALSE, error)
      || !check_string (row, WEVION_ROW_STATUS, id, FALSE, error)
      || !check_string (row, WEVION_ROW_PROVIDER, id, FALSE, error)
      || !check_string (row, WEVION_ROW_PROMPT, id, FALSE, error)
      || !check_string (row, WEVION_ROW_ERROR_MESSAGE, id, TRUE, error)
      || !check_string (row, WEVION_ROW_DRIVE_FOLDER_ID, id, TRUE, error))
    return NULL;
  for (WevionRowField f = WEVION_ROW_SETTINGS; f != WEVION_N_ROW_FIELDS;
       f = f == WEVION_ROW_SETTINGS ? WEVION_ROW_METADATA : WEVION_N_ROW_FIELDS)
    {
      v = &row[f];
      if (v->kind != WEVION_ROW_VALUE_OBJECT || v->object == NULL)
        return row_error (error, id, row_names[f],
                          v->kind != WEVION_ROW_VALUE_MISSING ? "is not an object" : "is missing"),
               NULL;
    }
  v = &row[WEVION_ROW_RESULT_URLS];
  if (v->kind != WEVION_ROW_VALUE_ARRAY)
    return row_error (error, id, "result_urls",
                      v->kind != WEVION_ROW_VALUE_MISSING ? "is not an array" : "is missing"),
           NULL;
  if (v->json_array)
    {
      guint len = json_array_get_length (v->json_array);

      for (guint i = 0; i < len; i++)
        {
          JsonNode *element = json_array_get_element (v->json_array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            v->non_string = TRUE;
        }
    }
  if (v->non_string)
    return row_error (error, id, "result_urls", "holds something other than strings"), NULL;

  v = &row[WEVION_ROW_COST_CENTS];
  if (v->kind == WEVION_ROW_VALUE_MISSING)
    return row_error (error, id, "cost_cents", "is missing"), NULL;
  if (!value_to_int (v, &n))
    return row_error (error, id, "cost_cents", "is not a whole number in range"), NULL;
  if (n < 0)
    return row_error (error, id, "cost_cents", "is negative"), NULL;

  job = g_object_new (WEVION_TYPE_JOB, NULL);
  job->cost_cents = n;
  if (!read_time (row, WEVION_ROW_CREATED_AT, id, TRUE, memo, &job->created_at, error)
      || !read_time (row, WEVION_ROW_COMPLETED_AT, id, TRUE, memo, &job->completed_at, error))
    return NULL;

  job->id = g_strdup (id);
  job->user_id = pool_dup (row_string (row, WEVION_ROW_USER_ID));
  pool_free (job->type_name);
  job->type_name = pool_dup (row_string (row, WEVION_ROW_TYPE));
  job->type = wevion_job_type_from_string (job->type_name);
  pool_free (job->status_name);
  job->status_name = pool_dup (row_string (row, WEVION_ROW_STATUS));
  job->status = wevion_job_status_from_string (job->status_name);
  job->provider = pool_dup (row_string (row, WEVION_ROW_PROVIDER));
  job->prompt = g_strdup (row_string (row, WEVION_ROW_PROMPT));
  job->prompt_folded = fold_prompt (job->prompt);
  job->error_message = pool_dup (row_string (row, WEVION_ROW_ERROR_MESSAGE));
  job->drive_folder_id = g_strdup (row_string (row, WEVION_ROW_DRIVE_FOLDER_ID));
  g_clear_pointer (&job->settings, json_object_unref);
  job->settings = json_object_ref (row[WEVION_ROW_SETTINGS].object);
  g_clear_pointer (&job->metadata, json_object_unref);
  job->metadata = json_object_ref (row[WEVION_ROW_METADATA].object);

  v = &row[WEVION_ROW_RESULT_URLS];
  g_strfreev (job->result_urls);
  if (v->strv)
    job->result_urls = g_steal_pointer (&v->strv);
  else
    {
      guint len = v->json_array ? json_array_get_length (v->json_array) : 0;

      job->result_urls = g_new0 (char *, len + 1);
      for (guint i = 0; i < len; i++)
        job->result_urls[i] = g_strdup (json_array_get_string_element (v->json_array, i));
    }

  /* ext: optional, a wrong type takes the default */
  read_time (row, WEVION_ROW_UPDATED_AT, id, FALSE, memo, &job->updated_at, NULL);
  read_time (row, WEVION_ROW_STARTED_AT, id, FALSE, memo, &job->started_at, NULL);
  read_time (row, WEVION_ROW_RESULT_EXPIRES_AT, id, FALSE, memo, &job->result_expires_at, NULL);
  if (value_to_int (&row[WEVION_ROW_PROGRESS], &n) && n >= 0 && n <= 100)
    job->progress = (int) n;
  if (value_to_int (&row[WEVION_ROW_QUEUE_POSITION], &n) && n >= 0 && n <= G_MAXINT)
    job->queue_position = (int) n;
  {
    const char *code = row_string (row, WEVION_ROW_ERROR_CODE);

    if (code && *code)
      job->error_code = pool_dup (code);
  }
  if (row[WEVION_ROW_RETRYABLE].kind == WEVION_ROW_VALUE_BOOL)
    job->retryable = row[WEVION_ROW_RETRYABLE].b ? 1 : 0;
  if (row[WEVION_ROW_ARCHIVED].kind == WEVION_ROW_VALUE_BOOL)
    job->archived = row[WEVION_ROW_ARCHIVED].b;

  return g_steal_pointer (&job);
}

WevionJob *
wevion_job_new_from_json (JsonObject *object, GError **error)
{
  WevionRowValue row[WEVION_N_ROW_FIELDS] = { 0 };
  WevionJob *job;

  g_return_val_if_fail (object != NULL, NULL);

  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    row_value_from_node (&row[i], json_object_get_member (object, row_names[i]));
  job = _wevion_job_new_from_row (row, NULL, error);
  for (int i = 0; i < WEVION_N_ROW_FIELDS; i++)
    _wevion_row_value_clear (&row[i]);
  return job;
}

const char *
_wevion_job_get_prompt_folded (WevionJob *self)
{
  return self->prompt_folded;
}

guint
_wevion_job_get_prompt_serial (WevionJob *self)
{
  return self->prompt_serial;
}

WevionJobUpdate
wevion_job_update_from_json (WevionJob *self, JsonObject *object, GError **error)
{
  g_autoptr (WevionJob) fresh = wevion_job_new_from_json (object, error);

  if (fresh == NULL)
    return WEVION_JOB_UPDATE_MISMATCH;
  if (g_strcmp0 (fresh->id, self->id) != 0)
    {
      g_set_error (error, WEVION_JSON_ERROR, WEVION_JSON_ERROR_INVALID_ROW, "row for job %s given to job %s",
                   fresh->id, self->id);
      return WEVION_JOB_UPDATE_MISMATCH;
    }
  return wevion_job_update_from_job (self, fresh);
}

/* ---- writing ---------------------------------------------------------------------------- */

static void
add_time (JsonBuilder *builder, const char *member, GDateTime *time, gboolean always)
{
  if (time == NULL && !always)
    return;
  json_builder_set_member_name (builder, member);
  if (time)
    {
      g_autoptr (GDateTime) utc = g_date_time_to_utc (time);
      g_autofree char *text = NULL;

      /* %Y does not pad: year 1 would be written "1-01-01…", which ISO 8601 readers refuse */
      if (utc)
        text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year (utc),
                                g_date_time_get_month (utc), g_date_time_get_day_of_month (utc),
                                g_date_time_get_hour (utc), g_date_time_get_minute (utc),
                                g_date_time_get_second (utc));
      else
        text = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, text);
    }
  else
    json_builder_add_null_value (builder);
}

static void
add_nullable_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_object (JsonBuilder *builder, const char *member, JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object ? object : json_object_new ());
  if (object == NULL)
    json_object_unref (json_node_get_object (node));
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, node);
}

JsonNode *
wevion_job_to_json (WevionJob *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (WEVION_IS_JOB (self), NULL);

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", self->id);
  add_nullable_string (builder, "user_id", self->user_id ? self->user_id : "");
  add_nullable_string (builder, "type", self->type_name);
  add_nullable_string (builder, "status", self->status_name);
  add_nullable_string (builder, "provider", self->provider ? self->provider : "");
  add_nullable_string (builder, "prompt", self->prompt ? self->prompt : "");
  add_object (builder, "settings", self->settings);
  json_builder_set_member_name (builder, "result_urls");
  json_builder_begin_array (builder);
  for (guint i = 0; self->result_urls[i]; i++)
    json_builder_add_string_value (builder, self->result_urls[i]);
  json_builder_end_array (builder);
  add_nullable_string (builder, "error_message", self->error_message);
  json_builder_set_member_name (builder, "cost_cents");
  json_builder_add_int_value (builder, self->cost_cents);
  add_nullable_string (builder, "drive_folder_id", self->drive_folder_id);
  add_object (builder, "metadata", self->metadata);
  add_time (builder, "created_at", self->created_at, TRUE);
  add_time (builder, "completed_at", self->completed_at, TRUE);

  add_time (builder, "updated_at", self->updated_at, FALSE);
  add_time (builder, "started_at", self->started_at, FALSE);
  if (self->progress >= 0)
    {
      json_builder_set_member_name (builder, "progress");
      json_builder_add_int_value (builder, self->progress);
    }
  if (self->queue_position >= 0)
    {
      json_builder_set_member_name (builder, "queue_position");
      json_builder_add_int_value (builder, self->queue_position);
    }
  if (self->error_code)
    add_nullable_string (builder, "error_code", self->error_code);
  if (self->retryable >= 0)
    {
      json_builder_set_member_name (builder, "retryable");
      json_builder_add_boolean_value (builder, self->retryable == 1);
    }
  add_time (builder, "result_expires_at", self->result_expires_at, FALSE);
  json_builder_set_member_name (builder, "archived");
  json_builder_add_boolean_value (builder, self->archived);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

const char *
wevion_failure_kind_get_title (WevionFailureKind kind)
{
  switch (kind)
    {
    case WEVION_FAILURE_KIND_MODERATION: return _ ("Rejected by content moderation");
    case WEVION_FAILURE_KIND_TRANSIENT: return _ ("The provider had a temporary error");
    case WEVION_FAILURE_KIND_NO_DETAILS: return _ ("The provider reported no details");
    case WEVION_FAILURE_KIND_CANCELED: return _ ("Canceled");
    case WEVION_FAILURE_KIND_OTHER: return _ ("The generation failed");
    case WEVION_FAILURE_KIND_NONE:
    default: return "";
    }
}

const char *
wevion_failure_kind_get_advice (WevionFailureKind kind)
{
  switch (kind)
    {
    case WEVION_FAILURE_KIND_MODERATION:
      return _ ("The prompt was rejected by content moderation. Edit it and submit again; retrying "
                "the same prompt will not help.");
    case WEVION_FAILURE_KIND_TRANSIENT:
      return _ ("This is usually temporary. Retry once; a resubmission usually succeeds.");
    case WEVION_FAILURE_KIND_NO_DETAILS: return _ ("This is usually an upstream provider issue. Retry once.");
    case WEVION_FAILURE_KIND_CANCELED:
      return _ ("The job was canceled before it finished. Nothing was charged.");
    case WEVION_FAILURE_KIND_OTHER:
      return _ ("Check the prompt and settings before retrying: if the cause is in them, a retry "
                "only wastes time.");
    case WEVION_FAILURE_KIND_NONE:
    default: return "";
    }
}
