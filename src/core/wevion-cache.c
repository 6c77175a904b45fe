/* wevion-cache.c: the local SQLite cache.
 *
 * Tables: jobs (id, created_at, json), hidden (id). PRAGMA user_version holds the schema version; a
 * file that is not a database, is corrupt, or has a newer schema is moved aside and rebuilt (with a
 * logged message, never a crash). Writes happen in a worker thread, in one transaction per batch,
 * at most about once a second. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "wevion-cache.h"
#include "wevion-json.h"

#define FLUSH_DELAY_MS 1000

G_DEFINE_QUARK (wevion - cache - error - quark, wevion_cache_error)

struct _WevionCache
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  gboolean was_rebuilt;

  WevionJobStore *store; /* attached, weak */
  gulong changed_handler;
  gulong hidden_handler;
  GHashTable *dirty;        /* id → WevionJob (ref) */
  GHashTable *hidden_dirty; /* id → GINT_TO_POINTER (hidden + 1) */
  guint flush_id;
  WevionClient *client; /* weak */
  guint64 client_generation;
  GThreadPool *writer;
  GMutex lock;
  GCond idle_cond;
  guint pending_batches;
  GQueue failed;       /* Batch: writes that failed (disk full …), written again at the next flush */
  GError *write_error; /* the last write's error, NULL once a write succeeds */
};

G_DEFINE_FINAL_TYPE (WevionCache, wevion_cache, G_TYPE_OBJECT)

static const char schema_sql[]
    = "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created_at INTEGER, json "
      "TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);"
      "CREATE TABLE IF NOT EXISTS hidden (id TEXT PRIMARY KEY);"
      "CREATE TABLE IF NOT EXISTS etags (url TEXT PRIMARY KEY, etag TEXT NOT NULL, body BLOB NOT NULL);";

typedef struct
{
  GPtrArray *ids;   /* char* */
  GPtrArray *texts; /* char* JSON, or NULL for a delete */
  GPtrArray *times; /* gint64* */
  GPtrArray *hidden_ids;
  GArray *hidden_values; /* gboolean */
  gboolean etags_changed;
  GPtrArray *etag_urls;   /* char* */
  GPtrArray *etag_tags;   /* char* */
  GPtrArray *etag_bodies; /* GBytes */
} Batch;

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->ids);
  g_ptr_array_unref (batch->texts);
  g_ptr_array_unref (batch->times);
  g_ptr_array_unref (batch->hidden_ids);
  g_array_unref (batch->hidden_values);
  g_ptr_array_unref (batch->etag_urls);
  g_ptr_array_unref (batch->etag_tags);
  g_ptr_array_unref (batch->etag_bodies);
  g_free (batch);
}

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->ids = g_ptr_array_new_with_free_func (g_free);
  batch->texts = g_ptr_array_new_with_free_func (g_free);
  batch->times = g_ptr_array_new_with_free_func (g_free);
  batch->hidden_ids = g_ptr_array_new_with_free_func (g_free);
  batch->hidden_values = g_array_new (FALSE, FALSE, sizeof (gboolean));
  batch->etag_urls = g_ptr_array_new_with_free_func (g_free);
  batch->etag_tags = g_ptr_array_new_with_free_func (g_free);
  batch->etag_bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return batch;
}

/* The error of the last failed call on the connection. A full disk gets its own code and words:
 * ENOSPC is SQLITE_FULL; EFBIG (a file size limit) and quotas come back as SQLITE_IOERR_WRITE, often
 * with the errno already lost, so a failed write counts as a full disk too. */
static void
sql_error (WevionCache *self, const char *message, GError **error)
{
  int rc = sqlite3_extended_errcode (self->db);
  int err = sqlite3_system_errno (self->db);

  if (message == NULL)
    message = sqlite3_errmsg (self->db);
  if ((rc & 0xff) == SQLITE_FULL || rc == SQLITE_IOERR_WRITE || err == ENOSPC || err == EFBIG
      || err == EDQUOT)
    g_set_error (
        error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_DISK_FULL,
        _ ("The disk is full or cannot be written: the job list could not be saved for the next start "
           "(%s)"),
        err ? g_strerror (err) : message);
  else
    g_set_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_SQL, "%s", message ? message : "SQL error");
}

static gboolean
exec (WevionCache *self, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      sql_error (self, message, error);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_batch (WevionCache *self, Batch *batch, GError **error)
{
  sqlite3_stmt *put = NULL, *hide = NULL, *unhide = NULL;
  gboolean ok = FALSE;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO jobs (id, created_at, json) VALUES (?, ?, ?)", -1,
                          &put, NULL)
          != SQLITE_OK
      || sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO hidden (id) VALUES (?)", -1, &hide, NULL)
             != SQLITE_OK
      || sqlite3_prepare_v2 (self->db, "DELETE FROM hidden WHERE id = ?", -1, &unhide, NULL) != SQLITE_OK)
    {
      sql_error (self, NULL, error);
      goto out;
    }
  for (guint i = 0; i < batch->ids->len; i++)
    {
      sqlite3_reset (put);
      sqlite3_bind_text (put, 1, g_ptr_array_index (batch->ids, i), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (put, 2, *(gint64 *) g_ptr_array_index (batch->times, i));
      sqlite3_bind_text (put, 3, g_ptr_array_index (batch->texts, i), -1, SQLITE_STATIC);
      if (sqlite3_step (put) != SQLITE_DONE)
        {
          sql_error (self, NULL, error);
          goto out;
        }
    }
  for (guint i = 0; i < batch->hidden_ids->len; i++)
    {
      sqlite3_stmt *stmt = g_array_index (batch->hidden_values, gboolean, i) ? hide : unhide;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (batch->hidden_ids, i), -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sql_error (self, NULL, error);
          goto out;
        }
    }
  if (batch->etags_changed)
    {
      sqlite3_stmt *etag = NULL;

      if (!exec (self, "DELETE FROM etags", error)
          || sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO etags (url, etag, body) VALUES (?, ?, ?)",
                                 -1, &etag, NULL)
                 != SQLITE_OK)
        goto out;
      for (guint i = 0; i < batch->etag_urls->len; i++)
        {
          GBytes *body = g_ptr_array_index (batch->etag_bodies, i);

          sqlite3_reset (etag);
          sqlite3_bind_text (etag, 1, g_ptr_array_index (batch->etag_urls, i), -1, SQLITE_STATIC);
          sqlite3_bind_text (etag, 2, g_ptr_array_index (batch->etag_tags, i), -1, SQLITE_STATIC);
          sqlite3_bind_blob (etag, 3, g_bytes_get_data (body, NULL), (int) g_bytes_get_size (body),
                             SQLITE_STATIC);
          if (sqlite3_step (etag) != SQLITE_DONE)
            {
              sql_error (self, NULL, error);
              sqlite3_finalize (etag);
              goto out;
            }
        }
      sqlite3_finalize (etag);
    }
  ok = TRUE;
out:
  sqlite3_finalize (put);
  sqlite3_finalize (hide);
  sqlite3_finalize (unhide);
  if (ok)
    ok = exec (self, "COMMIT", error);
  /* a failed COMMIT (disk full) may leave the transaction open: end it, or no later write works */
  if (!ok && !sqlite3_get_autocommit (self->db))
    exec (self, "ROLLBACK", NULL);
  return ok;
}

static void
writer_func (gpointer data, gpointer user_data)
{
  WevionCache *self = user_data;
  Batch *batch = data;
  g_autoptr (GError) error = NULL;
  gboolean blocked, ok;

  /* after a failed write, later batches wait behind it, so rows are never written out of order */
  g_mutex_lock (&self->lock);
  blocked = self->failed.length > 0;
  if (blocked)
    {
      g_queue_push_tail (&self->failed, batch);
      self->pending_batches--;
      g_cond_broadcast (&self->idle_cond);
    }
  g_mutex_unlock (&self->lock);
  if (blocked)
    return;
  ok = write_batch (self, batch, &error);
  if (!ok)
    g_message ("Could not save the job cache %s (kept for the next write): %s", self->path, error->message);
  g_mutex_lock (&self->lock);
  if (ok)
    {
      g_clear_error (&self->write_error);
      batch_free (batch);
    }
  else
    {
      /* nothing is lost: written again, before anything newer, at the next flush */
      g_clear_error (&self->write_error);
      self->write_error = g_steal_pointer (&error);
      g_queue_push_tail (&self->failed, batch);
    }
  self->pending_batches--;
  g_cond_broadcast (&self->idle_cond);
  g_mutex_unlock (&self->lock);
}

static void
wait_idle (WevionCache *self)
{
  g_mutex_lock (&self->lock);
  while (self->pending_batches > 0)
    g_cond_wait (&self->idle_cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void flush_now (WevionCache *self);

static void
wevion_cache_dispose (GObject *object)
{
  WevionCache *self = WEVION_CACHE (object);

  if (self->store)
    {
      flush_now (self);
      g_clear_signal_handler (&self->changed_handler, self->store);
      g_clear_signal_handler (&self->hidden_handler, self->store);
      g_object_remove_weak_pointer (G_OBJECT (self->store), (gpointer *) &self->store);
      self->store = NULL;
    }
  if (self->client)
    {
      flush_now (self);
      g_object_remove_weak_pointer (G_OBJECT (self->client), (gpointer *) &self->client);
      self->client = NULL;
    }
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->writer)
    {
      g_thread_pool_free (self->writer, FALSE, TRUE);
      self->writer = NULL;
    }
  G_OBJECT_CLASS (wevion_cache_parent_class)->dispose (object);
}

static void
wevion_cache_finalize (GObject *object)
{
  WevionCache *self = WEVION_CACHE (object);

  if (self->db)
    sqlite3_close (self->db);
  g_free (self->path);
  g_hash_table_unref (self->dirty);
  g_hash_table_unref (self->hidden_dirty);
  g_queue_clear_full (&self->failed, (GDestroyNotify) batch_free);
  g_clear_error (&self->write_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->idle_cond);
  G_OBJECT_CLASS (wevion_cache_parent_class)->finalize (object);
}

static void
wevion_cache_class_init (WevionCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wevion_cache_dispose;
  object_class->finalize = wevion_cache_finalize;
}

static void
wevion_cache_init (WevionCache *self)
{
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->hidden_dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle_cond);
}

char *
wevion_cache_get_default_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "cache.db", NULL);
}

/* Opens and checks the file; FALSE with a reason when it must be rebuilt. */
static gboolean
try_open (WevionCache *self, char **reason)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      *reason = g_strdup (self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 5000);
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  else
    {
      *reason = g_strdup (sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (version > WEVION_CACHE_SCHEMA_VERSION)
    {
      *reason
          = g_strdup_printf ("it has schema version %d, newer than %d", version, WEVION_CACHE_SCHEMA_VERSION);
      return FALSE;
    }
  /* a cheap integrity check of the pages we use */
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
  if (rc != SQLITE_OK || sqlite3_step (stmt) != SQLITE_ROW
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      *reason = g_strdup (rc == SQLITE_OK && sqlite3_column_text (stmt, 0)
                              ? (const char *) sqlite3_column_text (stmt, 0)
                              : sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; %s PRAGMA "
                                            "user_version=%d;",
                                            schema_sql, WEVION_CACHE_SCHEMA_VERSION);

    if (!exec (self, sql, &error))
      {
        *reason = g_strdup (error->message);
        return FALSE;
      }
  }
  return TRUE;
}

static void
move_aside (const char *path)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.broken-%s", path, stamp);
  const char *suffixes[] = { "-wal", "-shm", "-journal" };

  if (g_rename (path, aside) != 0)
    g_unlink (path);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *extra = g_strconcat (path, suffixes[i], NULL);

      g_unlink (extra);
    }
  g_message ("Moved the unreadable job cache aside to %s", aside);
}

WevionCache *
wevion_cache_new (const char *path, GError **error)
{
  g_autoptr (WevionCache) self = g_object_new (WEVION_TYPE_CACHE, NULL);
  g_autofree char *dir = NULL;
  g_autofree char *reason = NULL;

  self->path = path ? g_strdup (path) : wevion_cache_get_default_path ();
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_OPEN, "Could not create %s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }
  if (!try_open (self, &reason))
    {
      g_message ("The job cache %s cannot be used (%s): rebuilding it", self->path, reason);
      g_clear_pointer (&reason, g_free);
      if (self->db)
        {
          sqlite3_close (self->db);
          self->db = NULL;
        }
      move_aside (self->path);
      self->was_rebuilt = TRUE;
      if (!try_open (self, &reason))
        {
          g_set_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_OPEN,
                       "Could not create the job cache %s: %s", self->path, reason);
          return NULL;
        }
    }
  self->writer = g_thread_pool_new (writer_func, self, 1, FALSE, NULL);
  return g_steal_pointer (&self);
}

const char *
wevion_cache_get_path (WevionCache *self)
{
  return self->path;
}

gboolean
wevion_cache_get_was_rebuilt (WevionCache *self)
{
  return self->was_rebuilt;
}

GError *
wevion_cache_dup_write_error (WevionCache *self)
{
  GError *error;

  g_return_val_if_fail (WEVION_IS_CACHE (self), NULL);
  g_mutex_lock (&self->lock);
  error = self->write_error ? g_error_copy (self->write_error) : NULL;
  g_mutex_unlock (&self->lock);
  return error;
}

typedef struct
{
  GPtrArray *jobs;
  GPtrArray *hidden;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->jobs, g_ptr_array_unref);
  g_clear_pointer (&loaded->hidden, g_ptr_array_unref);
  g_free (loaded);
}

/* Reads and parses every row; safe in a worker thread (the connection is serialized). */
static Loaded *
read_all (WevionCache *self)
{
  Loaded *loaded = g_new0 (Loaded, 1);
  sqlite3_stmt *stmt = NULL;
  guint bad = 0;

  loaded->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  loaded->hidden = g_ptr_array_new_with_free_func (g_free);
  if (sqlite3_prepare_v2 (self->db, "SELECT json FROM jobs", -1, &stmt, NULL) == SQLITE_OK)
    {
      int rc;

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 0);
          int len = sqlite3_column_bytes (stmt, 0);
          g_autoptr (GError) error = NULL;
          WevionJob *job = text ? wevion_job_parse (text, (gsize) len, &error) : NULL;

          if (job)
            g_ptr_array_add (loaded->jobs, job);
          else
            bad++;
        }
      if (rc != SQLITE_DONE)
        g_message ("Reading the job cache stopped early: %s", sqlite3_errmsg (self->db));
    }
  else
    g_message ("Could not read the job cache: %s", sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);
  if (bad)
    g_message ("Skipped %u unreadable rows of the job cache", bad);

  if (sqlite3_prepare_v2 (self->db, "SELECT id FROM hidden", -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      if (sqlite3_column_text (stmt, 0))
        g_ptr_array_add (loaded->hidden, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return loaded;
}

/* Into the store, without writing any of it back. */
static guint
apply_loaded (WevionCache *self, WevionJobStore *store, Loaded *loaded)
{
  gboolean attached = self->store == store;

  if (attached)
    {
      g_signal_handler_block (store, self->hidden_handler);
      g_signal_handler_block (store, self->changed_handler);
    }
  for (guint i = 0; i < loaded->hidden->len; i++)
    wevion_job_store_hide (store, g_ptr_array_index (loaded->hidden, i));
  wevion_job_store_merge (store, loaded->jobs);
  if (attached)
    {
      g_signal_handler_unblock (store, self->hidden_handler);
      g_signal_handler_unblock (store, self->changed_handler);
    }
  return loaded->jobs->len;
}

guint
wevion_cache_load (WevionCache *self, WevionJobStore *store)
{
  Loaded *loaded;
  guint n;

  g_return_val_if_fail (WEVION_IS_CACHE (self), 0);
  g_return_val_if_fail (WEVION_IS_JOB_STORE (store), 0);

  wait_idle (self);
  loaded = read_all (self);
  n = apply_loaded (self, store, loaded);
  loaded_free (loaded);
  return n;
}

static void
load_thread (GTask *inner, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  WevionCache *self = task_data; /* kept alive by the outer task */

  wait_idle (self);
  g_task_return_pointer (inner, read_all (self), (GDestroyNotify) loaded_free);
}

static void
load_read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (loaded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

void
wevion_cache_load_async (WevionCache *self, WevionJobStore *store, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  g_autoptr (GTask) inner = NULL;

  g_return_if_fail (WEVION_IS_CACHE (self));
  g_return_if_fail (WEVION_IS_JOB_STORE (store));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_cache_load_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  /* The worker may drop its reference to the inner task after we returned: it holds no object. */
  inner = g_task_new (NULL, cancellable, load_read_cb, task);
  g_task_set_task_data (inner, self, NULL);
  g_task_run_in_thread (inner, load_thread);
}

gboolean
wevion_cache_load_finish (WevionCache *self, GAsyncResult *result, guint *n_loaded, GError **error)
{
  Loaded *loaded;
  guint n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;
  n = apply_loaded (self, g_task_get_task_data (G_TASK (result)), loaded);
  loaded_free (loaded);
  if (n_loaded)
    *n_loaded = n;
  return TRUE;
}

/* Only list answers are worth keeping across runs (one per query); single jobs are cheap to ask. */
#define MAX_SAVED_ETAGS 32

static void
collect_etag (const char *url, const char *etag, GBytes *body, gpointer data)
{
  Batch *batch = data;

  if (batch->etag_urls->len >= MAX_SAVED_ETAGS || strstr (url, "/generate/jobs/") != NULL
      || g_bytes_get_size (body) > 4 * 1024 * 1024)
    return;
  g_ptr_array_add (batch->etag_urls, g_strdup (url));
  g_ptr_array_add (batch->etag_tags, g_strdup (etag));
  g_ptr_array_add (batch->etag_bodies, g_bytes_ref (body));
}

static Batch *
take_batch (WevionCache *self)
{
  Batch *batch = batch_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      WevionJob *job = value;
      g_autoptr (JsonNode) node = wevion_job_to_json (job);
      GDateTime *created = wevion_job_get_created_at (job);
      gint64 *t = g_new (gint64, 1);

      *t = created ? g_date_time_to_unix (created) : 0;
      g_ptr_array_add (batch->ids, g_strdup (key));
      g_ptr_array_add (batch->texts, wevion_json_to_string (node));
      g_ptr_array_add (batch->times, t);
    }
  g_hash_table_remove_all (self->dirty);
  g_hash_table_iter_init (&iter, self->hidden_dirty);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean hidden = GPOINTER_TO_INT (value) - 1;

      g_ptr_array_add (batch->hidden_ids, g_strdup (key));
      g_array_append_val (batch->hidden_values, hidden);
    }
  g_hash_table_remove_all (self->hidden_dirty);
  if (self->client && wevion_client_get_etag_generation (self->client) != self->client_generation)
    {
      self->client_generation = wevion_client_get_etag_generation (self->client);
      batch->etags_changed = TRUE;
      wevion_client_foreach_etag (self->client, collect_etag, batch);
    }
  return batch;
}

static void
flush_now (WevionCache *self)
{
  GQueue again = G_QUEUE_INIT;
  gboolean any_failed;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  /* Writes that failed go first, in their order (newer rows then replace theirs). Only after a
   * failure: wait until the writer has queued everything behind them. */
  g_mutex_lock (&self->lock);
  any_failed = self->failed.length > 0;
  g_mutex_unlock (&self->lock);
  if (any_failed)
    wait_idle (self);
  g_mutex_lock (&self->lock);
  again = self->failed;
  g_queue_init (&self->failed);
  self->pending_batches += again.length;
  g_mutex_unlock (&self->lock);
  for (GList *l = again.head; l; l = l->next)
    g_thread_pool_push (self->writer, l->data, NULL);
  g_queue_clear (&again);
  if (g_hash_table_size (self->dirty) == 0 && g_hash_table_size (self->hidden_dirty) == 0
      && (self->client == NULL
          || wevion_client_get_etag_generation (self->client) == self->client_generation))
    return;
  g_mutex_lock (&self->lock);
  self->pending_batches++;
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->writer, take_batch (self), NULL);
}

static gboolean
flush_cb (gpointer data)
{
  WevionCache *self = data;

  self->flush_id = 0;
  flush_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (WevionCache *self)
{
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (FLUSH_DELAY_MS, flush_cb, self);
}

static void
jobs_changed_cb (WevionJobStore *store, GPtrArray *jobs, gpointer data)
{
  WevionCache *self = data;

  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);

      g_hash_table_replace (self->dirty, g_strdup (wevion_job_get_id (job)), g_object_ref (job));
    }
  schedule_flush (self);
}

static void
hidden_changed_cb (WevionJobStore *store, const char *id, gboolean hidden, gpointer data)
{
  WevionCache *self = data;

  g_hash_table_replace (self->hidden_dirty, g_strdup (id), GINT_TO_POINTER (hidden + 1));
  schedule_flush (self);
}

void
wevion_cache_attach (WevionCache *self, WevionJobStore *store)
{
  g_return_if_fail (WEVION_IS_CACHE (self));
  g_return_if_fail (WEVION_IS_JOB_STORE (store));
  g_return_if_fail (self->store == NULL);

  self->store = store;
  g_object_add_weak_pointer (G_OBJECT (store), (gpointer *) &self->store);
  self->changed_handler = g_signal_connect (store, "jobs-changed", G_CALLBACK (jobs_changed_cb), self);
  self->hidden_handler = g_signal_connect (store, "hidden-changed", G_CALLBACK (hidden_changed_cb), self);
}

void
wevion_cache_attach_client (WevionCache *self, WevionClient *client)
{
  sqlite3_stmt *stmt = NULL;
  const char *base;
  guint n = 0;

  g_return_if_fail (WEVION_IS_CACHE (self));
  g_return_if_fail (WEVION_IS_CLIENT (client));
  g_return_if_fail (self->client == NULL);

  wait_idle (self);
  base = wevion_client_get_base_url (client);
  if (sqlite3_prepare_v2 (self->db, "SELECT url, etag, body FROM etags", -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *url = (const char *) sqlite3_column_text (stmt, 0);
        const char *etag = (const char *) sqlite3_column_text (stmt, 1);
        const void *data = sqlite3_column_blob (stmt, 2);
        int len = sqlite3_column_bytes (stmt, 2);
        g_autoptr (GBytes) body = NULL;

        /* only this server's answers */
        if (url == NULL || etag == NULL || data == NULL || !g_str_has_prefix (url, base))
          continue;
        body = g_bytes_new (data, (gsize) len);
        wevion_client_add_etag (client, url, etag, body);
        n++;
      }
  sqlite3_finalize (stmt);
  if (n)
    g_debug ("Restored %u kept answers for %s", n, base);
  self->client = client;
  self->client_generation = wevion_client_get_etag_generation (client);
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &self->client);
}

void
wevion_cache_flush (WevionCache *self)
{
  g_return_if_fail (WEVION_IS_CACHE (self));
  flush_now (self);
  wait_idle (self);
}

gboolean
wevion_cache_save_all (WevionCache *self, WevionJobStore *store, GError **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_autoptr (GPtrArray) hidden = wevion_job_store_get_hidden_ids (store);
  Batch *batch = batch_new ();
  gboolean ok;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_hash_table_replace (self->dirty, g_strdup (wevion_job_get_id (job)), g_object_ref (job));
    }
  for (guint i = 0; i < hidden->len; i++)
    g_hash_table_replace (self->hidden_dirty, g_strdup (g_ptr_array_index (hidden, i)), GINT_TO_POINTER (2));
  batch_free (batch);
  batch = take_batch (self);
  wait_idle (self);
  ok = write_batch (self, batch, error);
  batch_free (batch);
  return ok;
}

guint
wevion_cache_count_rows (WevionCache *self)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  wait_idle (self);
  if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM jobs", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}
