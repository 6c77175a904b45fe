/* wevion-hub-db.h: the hub's creative_job table in SQLite (WAL). Rows travel as WevionJob; in the
 * table result_urls hold file names and metadata.thumbnail_url the thumbnail's file name; the
 * server turns both into signed URLs when it answers. */
#pragma once

#include "wevion-core.h"

G_BEGIN_DECLS

typedef struct _WevionHubDb WevionHubDb;

typedef struct
{
  const char *user_id;
  guint status_mask;                           /* bit (1 << WevionJobStatus); 0 = any */
  guint type_mask;                             /* bit (1 << WevionJobType); 0 = any */
  gint64 since_us, until_us, updated_since_us; /* 0 = unset */
  const char *q;
  guint limit; /* 0 = no limit */
  gboolean has_cursor;
  gint64 cursor_created_us;
  const char *cursor_id;
  gboolean include_archived;
} WevionHubQuery;

WevionHubDb *wevion_hub_db_open (const char *path, GError **error);
void wevion_hub_db_close (WevionHubDb *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WevionHubDb, wevion_hub_db_close)

gboolean wevion_hub_db_begin (WevionHubDb *self, GError **error);
gboolean wevion_hub_db_commit (WevionHubDb *self, GError **error);
/* Inserts or replaces the whole row, atomically; durable when it returns TRUE. */
gboolean wevion_hub_db_save (WevionHubDb *self, WevionJob *job, GError **error);
/* NULL when missing or, with @user_id set, when it belongs to someone else. */
WevionJob *wevion_hub_db_get (WevionHubDb *self, const char *user_id, const char *id);
WevionJob *wevion_hub_db_get_by_folder (WevionHubDb *self, const char *folder_id);
/* Rows matching @query, newest first; when more remain, @next_cursor is set. */
GPtrArray *wevion_hub_db_list (WevionHubDb *self, const WevionHubQuery *query, char **next_cursor,
                               GError **error);
typedef struct
{
  char *id;
  gint64 created_us;
  gint64 updated_us;
  WevionJobStatus status;
} WevionHubRowKey;

/* The same rows as wevion_hub_db_list(), only their keys: id, times and status. */
GPtrArray *wevion_hub_db_list_keys (WevionHubDb *self, const WevionHubQuery *query, char **next_cursor,
                                    GError **error);
/* pending and processing rows, oldest first */
GPtrArray *wevion_hub_db_active (WevionHubDb *self);
gboolean wevion_hub_db_billing (WevionHubDb *self, const char *user_id, gint64 from_us, gint64 to_us,
                                gint64 *debit_cents, gint64 *n_jobs);
gint64 wevion_hub_db_count (WevionHubDb *self);

/* cursor text ⇄ (created_us, id) */
char *wevion_hub_cursor_encode (gint64 created_us, const char *id);
gboolean wevion_hub_cursor_decode (const char *cursor, gint64 *created_us, char **id);

gint64 wevion_hub_time_to_us (GDateTime *time);
GDateTime *wevion_hub_time_from_us (gint64 us);

G_END_DECLS
