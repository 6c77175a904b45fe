/* wevion-cache.h: the local SQLite cache: last known rows, hidden ids, list ETags. */
#pragma once

#include "wevion-client.h"
#include "wevion-job-store.h"

G_BEGIN_DECLS

#define WEVION_CACHE_ERROR (wevion_cache_error_quark ())
typedef enum {
  WEVION_CACHE_ERROR_OPEN,
  WEVION_CACHE_ERROR_SQL,
  WEVION_CACHE_ERROR_DISK_FULL, /* no space left (ENOSPC, EFBIG from a file size limit, a quota) */
} WevionCacheError;
GQuark wevion_cache_error_quark (void);

#define WEVION_TYPE_CACHE (wevion_cache_get_type ())
G_DECLARE_FINAL_TYPE (WevionCache, wevion_cache, WEVION, CACHE, GObject)

/* The schema version kept in PRAGMA user_version. */
#define WEVION_CACHE_SCHEMA_VERSION 1

/* $XDG_CACHE_HOME/wevion-jobs/cache.db */
char *wevion_cache_get_default_path (void);

/* @path NULL means the default path. A corrupt file, or one with a newer schema, is moved aside
 * (PATH.broken-TIMESTAMP) and rebuilt with a logged message. */
WevionCache *wevion_cache_new (const char *path, GError **error);
const char *wevion_cache_get_path (WevionCache *self);
/* TRUE when the file had to be moved aside and rebuilt when opened */
gboolean wevion_cache_get_was_rebuilt (WevionCache *self);

/* Fills @store with the rows and hidden ids saved before (before the first request). Returns the
 * number of rows loaded. */
guint wevion_cache_load (WevionCache *self, WevionJobStore *store);
/* The same with the reading and parsing in a worker thread; _finish (on the caller's thread) fills
 * @store. For large caches (100 000 rows take seconds to parse). */
void wevion_cache_load_async (WevionCache *self, WevionJobStore *store, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_cache_load_finish (WevionCache *self, GAsyncResult *result, guint *n_loaded, GError **error);
/* Saves the store's changes from now on, batched (at most once a second) in transactions, in a
 * worker thread. */
void wevion_cache_attach (WevionCache *self, WevionJobStore *store);
/* Gives @client the list answers (URL, ETag, body) kept from earlier runs against the same server,
 * so its first requests can be answered 304, and keeps the client's new ones from now on. */
void wevion_cache_attach_client (WevionCache *self, WevionClient *client);
/* The error of the last write in the background (e.g. DISK_FULL), NULL when it succeeded. A failed
 * write loses nothing: its rows are written again, before newer ones, at the next flush. */
GError *wevion_cache_dup_write_error (WevionCache *self);
/* Writes pending changes (and writes that failed before) now and waits for them (shutdown, tests). */
void wevion_cache_flush (WevionCache *self);

/* Saves every job of @store in one transaction (bulk import). */
gboolean wevion_cache_save_all (WevionCache *self, WevionJobStore *store, GError **error);
guint wevion_cache_count_rows (WevionCache *self);

G_END_DECLS
