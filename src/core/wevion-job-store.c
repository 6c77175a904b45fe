/* wevion-job-store.c: every job the app knows, newest first, indexed by id. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wevion-job-private.h"
#include "wevion-job-store.h"

#define HISTORY_MAX 200

struct _WevionJobStore
{
  GObject parent_instance;

  GPtrArray *jobs;           /* WevionJob, sorted newest first */
  GHashTable *by_id;         /* id → WevionJob (ref held by jobs) */
  GHashTable *hidden;        /* id set */
  GHashTable *retries;       /* original id → newest retry id */
  GHashTable *retry_created; /* original id → (GDateTime) created_at of that retry */
  GHashTable *history;       /* "type\x1fprovider" → GArray of gint64 seconds */
  GHashTable *history_p95;   /* same key → gint64* cached p95, dropped on new samples */
  GHashTable *sampled;       /* ids whose duration went into the history */
  GDateTime *max_updated_at;

  /* search index: every prompt casefolded, NUL-separated, in the order the jobs arrived; new jobs
   * are appended as they come, a changed prompt has it rebuilt on the next search */
  GString *search_text;
  GArray *search_starts;  /* guint32 offset of each job's text */
  GPtrArray *search_jobs; /* the job of each text (no ref: the store holds every job) */
  gboolean search_dirty;
  gboolean search_in_order; /* search_jobs is exactly jobs: hits need no reordering */

  guint n_active;
  guint n_completed;
  guint n_failed;
  guint n_hidden;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WevionJobStore, wevion_job_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_N_ACTIVE, PROP_N_COMPLETED, PROP_N_FAILED, PROP_N_HIDDEN, PROP_N_ITEMS, N_PROPS };

enum { JOB_FINISHED, HIDDEN_CHANGED, JOBS_CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- GListModel ---------------------------------------------------------------------------- */

static GType
store_get_item_type (GListModel *model)
{
  return WEVION_TYPE_JOB;
}

static guint
store_get_n_items (GListModel *model)
{
  return WEVION_JOB_STORE (model)->jobs->len;
}

static gpointer
store_get_item (GListModel *model, guint position)
{
  WevionJobStore *self = WEVION_JOB_STORE (model);

  if (position >= self->jobs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->jobs, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = store_get_item_type;
  iface->get_n_items = store_get_n_items;
  iface->get_item = store_get_item;
}

/* ---- object --------------------------------------------------------------------------------- */

static void
wevion_job_store_finalize (GObject *object)
{
  WevionJobStore *self = WEVION_JOB_STORE (object);

  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->jobs);
  g_hash_table_unref (self->hidden);
  g_hash_table_unref (self->retries);
  g_hash_table_unref (self->retry_created);
  g_hash_table_unref (self->history);
  g_hash_table_unref (self->history_p95);
  g_hash_table_unref (self->sampled);
  g_clear_pointer (&self->max_updated_at, g_date_time_unref);
  g_string_free (self->search_text, TRUE);
  g_array_unref (self->search_starts);
  g_ptr_array_unref (self->search_jobs);

  G_OBJECT_CLASS (wevion_job_store_parent_class)->finalize (object);
}

static void
wevion_job_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionJobStore *self = WEVION_JOB_STORE (object);

  switch (prop_id)
    {
    case PROP_N_ACTIVE: g_value_set_uint (value, self->n_active); break;
    case PROP_N_COMPLETED: g_value_set_uint (value, self->n_completed); break;
    case PROP_N_FAILED: g_value_set_uint (value, self->n_failed); break;
    case PROP_N_HIDDEN: g_value_set_uint (value, self->n_hidden); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->jobs->len); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_store_class_init (WevionJobStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = wevion_job_store_finalize;
  object_class->get_property = wevion_job_store_get_property;

  properties[PROP_N_ACTIVE] = g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_COMPLETED] = g_param_spec_uint ("n-completed", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_FAILED] = g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_HIDDEN] = g_param_spec_uint ("n-hidden", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WevionJobStore::job-finished:
   * @job: the job, now completed or failed
   * @old_status: the status it had before
   */
  signals[JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 2, WEVION_TYPE_JOB, WEVION_TYPE_JOB_STATUS);
  signals[HIDDEN_CHANGED] = g_signal_new ("hidden-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[JOBS_CHANGED] = g_signal_new ("jobs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
wevion_job_store_init (WevionJobStore *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->hidden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->retries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->retry_created
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_date_time_unref);
  self->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  self->history_p95 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sampled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->search_text = g_string_new (NULL);
  self->search_starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->search_jobs = g_ptr_array_new ();
}

WevionJobStore *
wevion_job_store_new (void)
{
  return g_object_new (WEVION_TYPE_JOB_STORE, NULL);
}

/* ---- order ---------------------------------------------------------------------------------- */

/* newest first: created_at desc, then id desc; a job without created_at sorts last */
static int
job_compare (WevionJob *a, WevionJob *b)
{
  GDateTime *ta = wevion_job_get_created_at (a);
  GDateTime *tb = wevion_job_get_created_at (b);
  int c;

  if (ta && tb)
    {
      c = g_date_time_compare (tb, ta);
      if (c != 0)
        return c;
    }
  else if (ta || tb)
    return ta ? -1 : 1;
  return -g_strcmp0 (wevion_job_get_id (a), wevion_job_get_id (b));
}

/* job_compare's order with each job's key read once: sorting 100 000 new jobs otherwise spends
 * most of its time in getters and g_date_time_compare */
typedef struct
{
  gint64 usec; /* created_at as microseconds since 1970 */
  gboolean has_time;
  WevionJob *job;
} SortKey;

static int
sort_key_compare (gconstpointer pa, gconstpointer pb)
{
  const SortKey *a = pa, *b = pb;

  if (a->has_time && b->has_time)
    {
      if (a->usec != b->usec)
        return a->usec > b->usec ? -1 : 1;
    }
  else if (a->has_time || b->has_time)
    return a->has_time ? -1 : 1;
  return -g_strcmp0 (wevion_job_get_id (a->job), wevion_job_get_id (b->job));
}

static void
sort_jobs (GPtrArray *jobs)
{
  g_autofree SortKey *keys = NULL;

  if (jobs->len < 2)
    return;
  keys = g_new (SortKey, jobs->len);
  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);
      GDateTime *t = wevion_job_get_created_at (job);

      keys[i].job = job;
      keys[i].has_time = t != NULL;
      keys[i].usec = t ? g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t) : 0;
    }
  qsort (keys, jobs->len, sizeof (SortKey), sort_key_compare);
  for (guint i = 0; i < jobs->len; i++)
    jobs->pdata[i] = keys[i].job;
}

static guint
find_position (WevionJobStore *self, WevionJob *job)
{
  guint lo = 0, hi = self->jobs->len;

  /* binary search by the job's key: it is in the array */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      WevionJob *other = g_ptr_array_index (self->jobs, mid);
      int c = job_compare (other, job);

      if (other == job)
        return mid;
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < self->jobs->len && g_ptr_array_index (self->jobs, lo) == job)
    return lo;
  /* the key changed under us: linear */
  for (guint i = 0; i < self->jobs->len; i++)
    if (g_ptr_array_index (self->jobs, i) == job)
      return i;
  return G_MAXUINT;
}

/* ---- counts, history, retries --------------------------------------------------------------- */

static void
recount (WevionJobStore *self)
{
  guint active = 0, completed = 0, failed = 0, hidden = 0;

  for (guint i = 0; i < self->jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (self->jobs, i);

      if (g_hash_table_contains (self->hidden, wevion_job_get_id (job)))
        {
          hidden++;
          continue;
        }
      switch (wevion_job_get_status (job))
        {
        case WEVION_JOB_STATUS_PENDING:
        case WEVION_JOB_STATUS_PROCESSING: active++; break;
        case WEVION_JOB_STATUS_COMPLETED: completed++; break;
        case WEVION_JOB_STATUS_FAILED: failed++; break;
        case WEVION_JOB_STATUS_UNKNOWN:
        default: break;
        }
    }
#define SET_COUNT(field, prop)                                                                               \
  if (self->field != field)                                                                                  \
    {                                                                                                        \
      self->field = field;                                                                                   \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);                                          \
    }
  guint n_active = active, n_completed = completed, n_failed = failed, n_hidden = hidden;
  SET_COUNT (n_active, PROP_N_ACTIVE)
  SET_COUNT (n_completed, PROP_N_COMPLETED)
  SET_COUNT (n_failed, PROP_N_FAILED)
  SET_COUNT (n_hidden, PROP_N_HIDDEN)
#undef SET_COUNT
}

static char *
history_key (const char *type_name, const char *provider)
{
  return g_strconcat (type_name ? type_name : "", "\x1f", provider ? provider : "", NULL);
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
wevion_job_store_add_duration_sample (WevionJobStore *self, const char *type_name, const char *provider,
                                      gint64 seconds)
{
  g_autofree char *key = history_key (type_name, provider);
  GArray *samples;

  g_return_if_fail (WEVION_IS_JOB_STORE (self));
  if (seconds < 0)
    return;
  samples = g_hash_table_lookup (self->history, key);
  if (samples == NULL)
    {
      samples = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->history, g_strdup (key), samples);
    }
  if (samples->len >= HISTORY_MAX)
    g_array_remove_index (samples, 0);
  g_array_append_val (samples, seconds);
  g_hash_table_remove (self->history_p95, key);
}

gint64
wevion_job_store_get_expected_duration (WevionJobStore *self, const char *type_name, const char *provider)
{
  g_autofree char *key = history_key (type_name, provider);
  GArray *samples;
  g_autoptr (GArray) sorted = NULL;
  gint64 *cached;
  guint index;

  g_return_val_if_fail (WEVION_IS_JOB_STORE (self), 0);
  cached = g_hash_table_lookup (self->history_p95, key);
  if (cached)
    return *cached;
  samples = g_hash_table_lookup (self->history, key);
  if (samples == NULL || samples->len == 0)
    return 0;
  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_int64);
  /* nearest-rank p95 */
  index = (guint) ((sorted->len * 95 + 99) / 100);
  index = index > 0 ? index - 1 : 0;
  cached = g_new (gint64, 1);
  *cached = MAX (1, g_array_index (sorted, gint64, MIN (index, sorted->len - 1)));
  g_hash_table_insert (self->history_p95, g_steal_pointer (&key), cached);
  return *cached;
}

static void
sample_if_finished (WevionJobStore *self, WevionJob *job)
{
  gint64 duration;

  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED)
    return;
  duration = wevion_job_get_duration (job);
  if (duration < 0 || g_hash_table_contains (self->sampled, wevion_job_get_id (job)))
    return;
  g_hash_table_add (self->sampled, g_strdup (wevion_job_get_id (job)));
  wevion_job_store_add_duration_sample (self, wevion_job_get_type_name (job), wevion_job_get_provider (job),
                                        duration);
}

static void
link_retry (WevionJobStore *self, WevionJob *job)
{
  const char *original_id = wevion_job_get_retry_of (job);
  GDateTime *created = wevion_job_get_created_at (job);
  GDateTime *known;
  WevionJob *original;

  if (original_id == NULL || *original_id == '\0' || g_strcmp0 (original_id, wevion_job_get_id (job)) == 0)
    return;
  known = g_hash_table_lookup (self->retry_created, original_id);
  if (g_hash_table_contains (self->retries, original_id) && known && created
      && g_date_time_compare (created, known) < 0)
    return; /* an older retry than the one we know */
  g_hash_table_replace (self->retries, g_strdup (original_id), g_strdup (wevion_job_get_id (job)));
  if (created)
    g_hash_table_replace (self->retry_created, g_strdup (original_id), g_date_time_ref (created));
  original = g_hash_table_lookup (self->by_id, original_id);
  if (original)
    wevion_job_set_newest_retry (original, wevion_job_get_id (job));
}

static void
note_updated_at (WevionJobStore *self, WevionJob *job)
{
  GDateTime *updated = wevion_job_get_updated_at (job);

  if (updated && (self->max_updated_at == NULL || g_date_time_compare (updated, self->max_updated_at) > 0))
    {
      g_clear_pointer (&self->max_updated_at, g_date_time_unref);
      self->max_updated_at = g_date_time_ref (updated);
    }
}

static void
set_expected (WevionJobStore *self, WevionJob *job)
{
  if (wevion_job_get_is_active (job))
    wevion_job_set_expected_duration (
        job, wevion_job_store_get_expected_duration (self, wevion_job_get_type_name (job),
                                                     wevion_job_get_provider (job)));
}

/* ---- search index ------------------------------------------------------------------------ */

static void
index_prompt (WevionJobStore *self, WevionJob *job)
{
  GString *text = self->search_text;
  const char *folded = _wevion_job_get_prompt_folded (job);
  const char *prompt = wevion_job_get_prompt (job);
  guint32 start = (guint32) text->len;

  g_array_append_val (self->search_starts, start);
  g_ptr_array_add (self->search_jobs, job);
  if (folded)
    g_string_append (text, folded);
  else if (prompt)
    {
      /* plain ASCII: its casefolding is its ASCII lowercase */
      gsize len = strlen (prompt), at = text->len;
      char *out;

      g_string_set_size (text, at + len);
      out = text->str + at;
      for (gsize k = 0; k < len; k++)
        out[k] = prompt[k] >= 'A' && prompt[k] <= 'Z' ? prompt[k] + ('a' - 'A') : prompt[k];
    }
  g_string_append_c (text, '\0'); /* no needle holds a NUL: no match runs across two jobs */
}

static void
rebuild_search_index (WevionJobStore *self)
{
  g_string_truncate (self->search_text, 0);
  g_array_set_size (self->search_starts, 0);
  g_ptr_array_set_size (self->search_jobs, 0);
  for (guint i = 0; i < self->jobs->len; i++)
    index_prompt (self, g_ptr_array_index (self->jobs, i));
  self->search_dirty = FALSE;
  self->search_in_order = TRUE;
}

/* ---- merge ---------------------------------------------------------------------------------- */

/* Inserts the sorted @fresh jobs into the sorted array, emitting items-changed per run of new
 * positions (or once for the whole tail when there are many runs). */
static void
insert_sorted (WevionJobStore *self, GPtrArray *fresh)
{
  guint old_len = self->jobs->len;
  g_autoptr (GPtrArray) merged = NULL;
  g_autoptr (GArray) runs = NULL; /* pairs (position, length) in the merged order */
  guint i = 0, j = 0;

  if (fresh->len == 0)
    return;
  merged = g_ptr_array_new_full (old_len + fresh->len, g_object_unref);
  runs = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  while (i < old_len || j < fresh->len)
    {
      if (j < fresh->len
          && (i >= old_len
              || job_compare (g_ptr_array_index (fresh, j), g_ptr_array_index (self->jobs, i)) < 0))
        {
          guint *last = runs->len ? &g_array_index (runs, guint, (runs->len - 1) * 2) : NULL;
          guint pos = merged->len;

          if (last && last[0] + last[1] == pos)
            last[1]++;
          else
            {
              guint run[2] = { pos, 1 };

              g_array_append_vals (runs, run, 1);
            }
          g_ptr_array_add (merged, g_object_ref (g_ptr_array_index (fresh, j++)));
        }
      else
        g_ptr_array_add (merged, g_object_ref (g_ptr_array_index (self->jobs, i++)));
    }

  if (runs->len <= 8)
    {
      /* apply run by run so the model is consistent during each emission */
      for (guint r = 0; r < runs->len; r++)
        {
          guint pos = g_array_index (runs, guint, r * 2);
          guint len = g_array_index (runs, guint, r * 2 + 1);

          for (guint k = 0; k < len; k++)
            g_ptr_array_insert (self->jobs, (int) (pos + k),
                                g_object_ref (g_ptr_array_index (merged, pos + k)));
          g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, len);
        }
    }
  else
    {
      guint first = g_array_index (runs, guint, 0);

      g_ptr_array_unref (self->jobs);
      self->jobs = g_steal_pointer (&merged);
      g_list_model_items_changed (G_LIST_MODEL (self), first, old_len - first, self->jobs->len - first);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
wevion_job_store_merge (WevionJobStore *self, GPtrArray *jobs)
{
  g_autoptr (GPtrArray) fresh = NULL;
  g_autoptr (GPtrArray) changed = NULL;
  g_autoptr (GPtrArray) finished = NULL;
  g_autoptr (GArray) finished_old = NULL;
  g_autoptr (GPtrArray) moved = NULL;
  g_autoptr (GHashTable) fresh_ids = NULL;

  g_return_if_fail (WEVION_IS_JOB_STORE (self));
  if (jobs == NULL || jobs->len == 0)
    return;

  fresh = g_ptr_array_new_with_free_func (g_object_unref);
  changed = g_ptr_array_new_with_free_func (g_object_unref);
  finished = g_ptr_array_new_with_free_func (g_object_unref);
  finished_old = g_array_new (FALSE, FALSE, sizeof (WevionJobStatus));
  moved = g_ptr_array_new_with_free_func (g_object_unref);
  fresh_ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);
      const char *id = wevion_job_get_id (job);
      WevionJob *existing;

      if (id == NULL || *id == '\0')
        continue;
      existing = g_hash_table_lookup (self->by_id, id);
      if (existing == NULL)
        existing = g_hash_table_lookup (fresh_ids, id); /* the same id twice in one batch */
      if (existing == job)
        continue;
      if (existing)
        {
          WevionJobStatus old_status = wevion_job_get_status (existing);
          GDateTime *old_created = wevion_job_get_created_at (existing);
          g_autoptr (GDateTime) old_created_ref = old_created ? g_date_time_ref (old_created) : NULL;
          gboolean in_store = g_hash_table_lookup (self->by_id, id) == existing;

          guint prompt_serial = _wevion_job_get_prompt_serial (existing);

          if (wevion_job_update_from_job (existing, job) != WEVION_JOB_UPDATE_CHANGED)
            continue;
          if (prompt_serial != _wevion_job_get_prompt_serial (existing))
            self->search_dirty = TRUE;
          note_updated_at (self, existing);
          if (!in_store)
            continue;
          g_ptr_array_add (changed, g_object_ref (existing));
          if (old_status != wevion_job_get_status (existing))
            {
              g_ptr_array_add (moved, g_object_ref (existing));
              if (!wevion_job_status_is_terminal (old_status) && wevion_job_get_is_terminal (existing))
                {
                  g_ptr_array_add (finished, g_object_ref (existing));
                  g_array_append_val (finished_old, old_status);
                  sample_if_finished (self, existing);
                }
            }
          if (!(old_created_ref == NULL && wevion_job_get_created_at (existing) == NULL)
              && (old_created_ref == NULL || wevion_job_get_created_at (existing) == NULL
                  || !g_date_time_equal (old_created_ref, wevion_job_get_created_at (existing))))
            {
              /* the sort key changed: take it out, it goes back in with the new ones */
              guint pos = find_position (self, existing);

              g_object_ref (existing);
              if (pos != G_MAXUINT)
                {
                  g_ptr_array_remove_index (self->jobs, pos);
                  g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
                }
              g_ptr_array_add (fresh, existing);
            }
          set_expected (self, existing);
          link_retry (self, existing);
        }
      else
        {
          g_ptr_array_add (fresh, g_object_ref (job));
          g_ptr_array_add (changed, g_object_ref (job));
          g_hash_table_insert (fresh_ids, (gpointer) id, job);
          if (!self->search_dirty)
            index_prompt (self, job);
        }
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      WevionJob *job = g_ptr_array_index (fresh, i);

      g_hash_table_insert (self->by_id, (gpointer) wevion_job_get_id (job), job);
    }
  for (guint i = 0; i < fresh->len; i++)
    {
      WevionJob *job = g_ptr_array_index (fresh, i);
      const char *newest;

      sample_if_finished (self, job);
      note_updated_at (self, job);
      link_retry (self, job);
      newest = g_hash_table_lookup (self->retries, wevion_job_get_id (job));
      if (newest)
        wevion_job_set_newest_retry (job, newest);
    }
  for (guint i = 0; i < fresh->len; i++)
    set_expected (self, g_ptr_array_index (fresh, i));

  sort_jobs (fresh);
  insert_sorted (self, fresh);
  /* jobs that arrive newest first (a list page, the cache) leave the index in store order */
  self->search_in_order
      = self->search_jobs->len == self->jobs->len
        && memcmp (self->search_jobs->pdata, self->jobs->pdata, self->jobs->len * sizeof (gpointer)) == 0;

  /* a changed status may change what filters show */
  for (guint i = 0; i < moved->len; i++)
    {
      guint pos = find_position (self, g_ptr_array_index (moved, i));

      if (pos != G_MAXUINT)
        g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
    }

  /* the counts only move with new jobs or a status change (O(n): not for every unchanged answer) */
  if (fresh->len > 0 || moved->len > 0)
    recount (self);
  if (changed->len)
    g_signal_emit (self, signals[JOBS_CHANGED], 0, changed);
  for (guint i = 0; i < finished->len; i++)
    g_signal_emit (self, signals[JOB_FINISHED], 0, g_ptr_array_index (finished, i),
                   g_array_index (finished_old, WevionJobStatus, i));
}

void
wevion_job_store_add (WevionJobStore *self, WevionJob *job)
{
  g_autoptr (GPtrArray) one = g_ptr_array_new ();

  g_return_if_fail (WEVION_IS_JOB (job));
  g_ptr_array_add (one, job);
  wevion_job_store_merge (self, one);
}

WevionJob *
wevion_job_store_lookup (WevionJobStore *self, const char *id)
{
  g_return_val_if_fail (WEVION_IS_JOB_STORE (self), NULL);
  if (id == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_id, id);
}

/* ---- hidden ---------------------------------------------------------------------------------- */

static void
set_hidden (WevionJobStore *self, const char *id, gboolean hidden)
{
  WevionJob *job;

  g_return_if_fail (WEVION_IS_JOB_STORE (self));
  g_return_if_fail (id != NULL);

  if (hidden == g_hash_table_contains (self->hidden, id))
    return;
  if (hidden)
    g_hash_table_add (self->hidden, g_strdup (id));
  else
    g_hash_table_remove (self->hidden, id);
  job = g_hash_table_lookup (self->by_id, id);
  if (job)
    {
      guint pos = find_position (self, job);

      if (pos != G_MAXUINT)
        g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
    }
  recount (self);
  g_signal_emit (self, signals[HIDDEN_CHANGED], 0, id, hidden);
}

void
wevion_job_store_hide (WevionJobStore *self, const char *id)
{
  set_hidden (self, id, TRUE);
}

void
wevion_job_store_unhide (WevionJobStore *self, const char *id)
{
  set_hidden (self, id, FALSE);
}

gboolean
wevion_job_store_is_hidden (WevionJobStore *self, const char *id)
{
  g_return_val_if_fail (WEVION_IS_JOB_STORE (self), FALSE);
  return id != NULL && g_hash_table_contains (self->hidden, id);
}

GPtrArray *
wevion_job_store_get_hidden_ids (WevionJobStore *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->hidden);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  return ids;
}

/* ---- queries --------------------------------------------------------------------------------- */

GPtrArray *
wevion_job_store_get_active_ids (WevionJobStore *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (WEVION_IS_JOB_STORE (self), ids);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (self->jobs, i);

      if (wevion_job_get_is_active (job))
        g_ptr_array_add (ids, g_strdup (wevion_job_get_id (job)));
    }
  return ids;
}

guint
wevion_job_store_get_n_active (WevionJobStore *self)
{
  return self->n_active;
}

guint
wevion_job_store_get_n_completed (WevionJobStore *self)
{
  return self->n_completed;
}

guint
wevion_job_store_get_n_failed (WevionJobStore *self)
{
  return self->n_failed;
}

guint
wevion_job_store_get_n_hidden (WevionJobStore *self)
{
  return self->n_hidden;
}

GDateTime *
wevion_job_store_get_max_updated_at (WevionJobStore *self)
{
  return self->max_updated_at;
}

void
wevion_job_store_tick (WevionJobStore *self)
{
  g_return_if_fail (WEVION_IS_JOB_STORE (self));
  for (guint i = 0; i < self->jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (self->jobs, i);

      if (wevion_job_get_is_active (job))
        {
          g_object_notify (G_OBJECT (job), "elapsed");
          g_object_notify (G_OBJECT (job), "is-stalled");
        }
    }
}

/* How common a byte is in prompts (higher: rarer); the search anchors on the rarest byte of the
 * needle so memchr stops less often. */
static int
byte_rarity (guchar c)
{
  static const char common[] = " etaoinshrdlcumwfgypbvkjxqz";
  const char *at;

  if (c >= 0x80)
    return 40;
  if (c != '\0' && (at = strchr (common, c)) != NULL)
    return (int) (at - common);
  return 30; /* digits, punctuation */
}

/* the first @needle (@n > 0 bytes) in @hay, found by its byte at @anchor */
static const char *
find_bytes (const char *hay, gsize hay_len, const char *needle, gsize n, gsize anchor)
{
  const char *p, *last;

  if (hay_len < n)
    return NULL;
  p = hay + anchor;
  last = hay + hay_len - (n - anchor); /* the last place for the anchor byte */
  while (p <= last && (p = memchr (p, needle[anchor], (gsize) (last - p) + 1)) != NULL)
    {
      if (memcmp (p - anchor, needle, n) == 0)
        return p - anchor;
      p++;
    }
  return NULL;
}

GPtrArray *
wevion_job_store_search (WevionJobStore *self, const char *text)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) hits = NULL;
  g_autofree char *needle = NULL;
  const guint32 *starts;
  const char *hay, *at;
  gsize n, len, anchor = 0;
  guint job_index = 0, n_texts;

  g_return_val_if_fail (WEVION_IS_JOB_STORE (self), found);
  needle = g_utf8_casefold (text ? text : "", -1);
  n = strlen (needle);
  if (n == 0)
    {
      for (guint i = 0; i < self->jobs->len; i++)
        if (wevion_job_get_prompt (g_ptr_array_index (self->jobs, i)) != NULL)
          g_ptr_array_add (found, g_object_ref (g_ptr_array_index (self->jobs, i)));
      return found;
    }
  if (self->search_dirty || self->search_jobs->len != self->jobs->len)
    rebuild_search_index (self);
  for (gsize k = 1; k < n; k++)
    if (byte_rarity ((guchar) needle[k]) > byte_rarity ((guchar) needle[anchor]))
      anchor = k;

  /* one pass of memchr/memcmp over the whole folded text; a hit maps back to its job by the
   * offsets, and the search goes on at the next job's text */
  starts = (const guint32 *) (gpointer) self->search_starts->data;
  n_texts = self->search_jobs->len;
  hay = self->search_text->str;
  len = self->search_text->len;
  at = hay;
  hits = g_ptr_array_new ();
  while (job_index < n_texts && (at = find_bytes (at, len - (gsize) (at - hay), needle, n, anchor)) != NULL)
    {
      guint32 offset = (guint32) (at - hay);
      guint lo = job_index, hi = n_texts;

      /* the last job whose text starts at or before the hit */
      while (hi - lo > 1)
        {
          guint mid = lo + (hi - lo) / 2;

          if (starts[mid] <= offset)
            lo = mid;
          else
            hi = mid;
        }
      g_ptr_array_add (hits, g_ptr_array_index (self->search_jobs, lo));
      job_index = lo + 1;
      if (job_index < n_texts)
        at = hay + starts[job_index];
    }
  /* answers come in store order (newest first); the index may be in arrival order */
  if (self->search_in_order || hits->len < 2)
    for (guint i = 0; i < hits->len; i++)
      g_ptr_array_add (found, g_object_ref (g_ptr_array_index (hits, i)));
  else
    {
      g_autoptr (GHashTable) set = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < hits->len; i++)
        g_hash_table_add (set, g_ptr_array_index (hits, i));
      for (guint i = 0; i < self->jobs->len && found->len < hits->len; i++)
        if (g_hash_table_contains (set, g_ptr_array_index (self->jobs, i)))
          g_ptr_array_add (found, g_object_ref (g_ptr_array_index (self->jobs, i)));
    }
  return found;
}
