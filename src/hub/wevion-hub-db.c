/* wevion-hub-db.c: SQLite storage of creative_job rows. */
#include "config.h"

#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

#include "wevion-hub-db.h"

struct _WevionHubDb
{
  sqlite3 *db;
  sqlite3_stmt *save;
  sqlite3_stmt *get;
  sqlite3_stmt *get_any;
  GHashTable *stmts; /* SQL text → prepared statement, for the list queries */
};

#define COLUMNS                                                                                              \
  "id, user_id, type, status, provider, prompt, settings, result_files, error_message, cost_cents, "         \
  "drive_folder_id, metadata, created_us, completed_us, updated_us, started_us, progress, error_code, "      \
  "retryable, archived"

static const char schema[]
    = "CREATE TABLE IF NOT EXISTS creative_job ("
      " id TEXT PRIMARY KEY,"
      " user_id TEXT NOT NULL,"
      " type TEXT NOT NULL,"
      " status TEXT NOT NULL,"
      " provider TEXT NOT NULL,"
      " prompt TEXT NOT NULL,"
      " settings TEXT NOT NULL DEFAULT '{}',"
      " result_files TEXT NOT NULL DEFAULT '[]',"
      " error_message TEXT,"
      " cost_cents INTEGER NOT NULL DEFAULT 0,"
      " drive_folder_id TEXT,"
      " metadata TEXT NOT NULL DEFAULT '{}',"
      " created_us INTEGER NOT NULL,"
      " completed_us INTEGER,"
      " updated_us INTEGER NOT NULL,"
      " started_us INTEGER,"
      " progress INTEGER NOT NULL DEFAULT 0,"
      " error_code TEXT,"
      " retryable INTEGER,"
      " archived INTEGER NOT NULL DEFAULT 0);"
      "CREATE INDEX IF NOT EXISTS creative_job_user_created"
      " ON creative_job (user_id, created_us DESC, id DESC);"
      "CREATE INDEX IF NOT EXISTS creative_job_status ON creative_job (status);"
      "CREATE INDEX IF NOT EXISTS creative_job_folder ON creative_job (drive_folder_id);";

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* A prepared statement for @sql, reset and unbound; owned by @self. */
static sqlite3_stmt *
cached_stmt (WevionHubDb *self, const char *sql)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->stmts, sql);

  if (s)
    {
      sqlite3_reset (s);
      sqlite3_clear_bindings (s);
      return s;
    }
  if (sqlite3_prepare_v2 (self->db, sql, -1, &s, NULL) != SQLITE_OK)
    return NULL;
  if (g_hash_table_size (self->stmts) > 256)
    g_hash_table_remove_all (self->stmts);
  g_hash_table_insert (self->stmts, g_strdup (sql), s);
  return s;
}

static gboolean
fail (WevionHubDb *self, GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

gint64
wevion_hub_time_to_us (GDateTime *time)
{
  if (time == NULL)
    return 0;
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

GDateTime *
wevion_hub_time_from_us (gint64 us)
{
  g_autoptr (GDateTime) base = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  if (base == NULL)
    return NULL;
  return g_date_time_add (base, us % G_USEC_PER_SEC);
}

/* Case-insensitive (Unicode case folding) substring, for ?q= */
static void
contains_fn (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  const char *hay = (const char *) sqlite3_value_text (argv[0]);
  const char *needle = (const char *) sqlite3_value_text (argv[1]);
  g_autofree char *h = NULL, *n = NULL;

  if (hay == NULL || needle == NULL || !g_utf8_validate (hay, -1, NULL)
      || !g_utf8_validate (needle, -1, NULL))
    {
      sqlite3_result_int (ctx, 0);
      return;
    }
  h = g_utf8_casefold (hay, -1);
  n = g_utf8_casefold (needle, -1);
  sqlite3_result_int (ctx, strstr (h, n) != NULL);
}

WevionHubDb *
wevion_hub_db_open (const char *path, GError **error)
{
  g_autoptr (WevionHubDb) self = g_new0 (WevionHubDb, 1);
  char *errmsg = NULL;

  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stmt_finalize);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL)
      != SQLITE_OK)
    {
      fail (self, error, path);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  if (sqlite3_exec (self->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &errmsg)
          != SQLITE_OK
      || sqlite3_exec (self->db, schema, NULL, NULL, &errmsg) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, errmsg);
      sqlite3_free (errmsg);
      return NULL;
    }
  sqlite3_create_function (self->db, "hub_contains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, contains_fn,
                           NULL, NULL);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO creative_job (" COLUMNS ") VALUES "
                          "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          -1, &self->save, NULL)
          != SQLITE_OK
      || sqlite3_prepare_v2 (self->db, "SELECT " COLUMNS " FROM creative_job WHERE id = ? AND user_id = ?",
                             -1, &self->get, NULL)
             != SQLITE_OK
      || sqlite3_prepare_v2 (self->db, "SELECT " COLUMNS " FROM creative_job WHERE id = ?", -1,
                             &self->get_any, NULL)
             != SQLITE_OK)
    {
      fail (self, error, "prepare");
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
wevion_hub_db_close (WevionHubDb *self)
{
  if (self == NULL)
    return;
  sqlite3_finalize (self->save);
  sqlite3_finalize (self->get);
  sqlite3_finalize (self->get_any);
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db)
    {
      sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
      sqlite3_close (self->db);
    }
  g_free (self);
}

gboolean
wevion_hub_db_begin (WevionHubDb *self, GError **error)
{
  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return fail (self, error, "begin");
  return TRUE;
}

gboolean
wevion_hub_db_commit (WevionHubDb *self, GError **error)
{
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    return fail (self, error, "commit");
  return TRUE;
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object ? object : json_object_new ());
  if (object == NULL)
    json_object_unref (json_node_get_object (node));
  return wevion_json_to_string (node); /* not json_to_string: see there */
}

static void
bind_text (sqlite3_stmt *stmt, int i, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

static void
bind_time (sqlite3_stmt *stmt, int i, GDateTime *time)
{
  if (time)
    sqlite3_bind_int64 (stmt, i, wevion_hub_time_to_us (time));
  else
    sqlite3_bind_null (stmt, i);
}

gboolean
wevion_hub_db_save (WevionHubDb *self, WevionJob *job, GError **error)
{
  sqlite3_stmt *s = self->save;
  g_autofree char *settings = object_to_text (wevion_job_get_settings (job));
  g_autofree char *metadata = object_to_text (wevion_job_get_metadata (job));
  g_autoptr (JsonArray) files = json_array_new ();
  g_autoptr (JsonNode) files_node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *files_text = NULL;
  const char *const *urls = wevion_job_get_result_urls (job);
  int retryable = wevion_job_get_retryable_hint (job);
  int rc;

  for (guint i = 0; urls && urls[i]; i++)
    json_array_add_string_element (files, urls[i]);
  json_node_set_array (files_node, files);
  files_text = wevion_json_to_string (files_node);

  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  bind_text (s, 1, wevion_job_get_id (job));
  bind_text (s, 2, wevion_job_get_user_id (job));
  bind_text (s, 3, wevion_job_get_type_name (job));
  bind_text (s, 4, wevion_job_get_status_name (job));
  bind_text (s, 5, wevion_job_get_provider (job));
  bind_text (s, 6, wevion_job_get_prompt (job) ? wevion_job_get_prompt (job) : "");
  bind_text (s, 7, settings);
  bind_text (s, 8, files_text);
  bind_text (s, 9, wevion_job_get_error_message (job));
  sqlite3_bind_int64 (s, 10, wevion_job_get_cost_cents (job));
  bind_text (s, 11, wevion_job_get_drive_folder_id (job));
  bind_text (s, 12, metadata);
  bind_time (s, 13, wevion_job_get_created_at (job));
  bind_time (s, 14, wevion_job_get_completed_at (job));
  if (wevion_job_get_updated_at (job))
    bind_time (s, 15, wevion_job_get_updated_at (job));
  else
    bind_time (s, 15, wevion_job_get_created_at (job));
  bind_time (s, 16, wevion_job_get_started_at (job));
  sqlite3_bind_int (s, 17, MAX (0, wevion_job_get_progress (job)));
  bind_text (s, 18, wevion_job_get_error_code (job));
  if (retryable >= 0)
    sqlite3_bind_int (s, 19, retryable);
  else
    sqlite3_bind_null (s, 19);
  sqlite3_bind_int (s, 20, wevion_job_get_archived (job) ? 1 : 0);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return fail (self, error, "save");
  return TRUE;
}

/* One parser for every row (main thread only): json_from_string() builds a parser per call. */
static JsonNode *
parse_text (const char *text)
{
  static JsonParser *parser;
  JsonNode *root;

  if (text == NULL)
    return NULL;
  if (parser == NULL)
    parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root ? json_node_ref (root) : NULL;
}

static JsonObject *
text_to_object (const char *text)
{
  g_autoptr (JsonNode) node = NULL;

  if (text == NULL || g_str_equal (text, "{}"))
    return json_object_new ();
  node = parse_text (text);
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    return json_object_ref (json_node_get_object (node));
  return json_object_new ();
}

static GDateTime *
column_time (sqlite3_stmt *s, int i)
{
  if (sqlite3_column_type (s, i) == SQLITE_NULL)
    return NULL;
  return wevion_hub_time_from_us (sqlite3_column_int64 (s, i));
}

static WevionJob *
row_to_job (sqlite3_stmt *s)
{
  g_autoptr (JsonObject) settings = text_to_object ((const char *) sqlite3_column_text (s, 6));
  g_autoptr (JsonObject) metadata = text_to_object ((const char *) sqlite3_column_text (s, 11));
  const char *files_text = (const char *) sqlite3_column_text (s, 7);
  g_autoptr (JsonNode) files = files_text && !g_str_equal (files_text, "[]") ? parse_text (files_text) : NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) urls = NULL;
  g_autoptr (GDateTime) created = column_time (s, 12);
  g_autoptr (GDateTime) completed = column_time (s, 13);
  g_autoptr (GDateTime) updated = column_time (s, 14);
  g_autoptr (GDateTime) started = column_time (s, 15);
  int retryable = sqlite3_column_type (s, 18) == SQLITE_NULL ? -1 : sqlite3_column_int (s, 18) ? 1 : 0;

  if (files && JSON_NODE_HOLDS_ARRAY (files))
    {
      JsonArray *a = json_node_get_array (files);

      for (guint i = 0; i < json_array_get_length (a); i++)
        g_strv_builder_add (builder, json_array_get_string_element (a, i));
    }
  urls = g_strv_builder_end (builder);

  return g_object_new (
      WEVION_TYPE_JOB, "id", sqlite3_column_text (s, 0), "user-id", sqlite3_column_text (s, 1), "type-name",
      sqlite3_column_text (s, 2), "status-name", sqlite3_column_text (s, 3), "provider",
      sqlite3_column_text (s, 4), "prompt", sqlite3_column_text (s, 5), "settings", settings, "result-urls",
      urls, "error-message", sqlite3_column_text (s, 8), "cost-cents", sqlite3_column_int64 (s, 9),
      "drive-folder-id", sqlite3_column_text (s, 10), "metadata", metadata, "created-at", created,
      "completed-at", completed, "updated-at", updated, "started-at", started, "progress",
      CLAMP (sqlite3_column_int (s, 16), 0, 100), "error-code", sqlite3_column_text (s, 17), "retryable-hint",
      retryable, "archived", sqlite3_column_int (s, 19) != 0, NULL);
}

WevionJob *
wevion_hub_db_get (WevionHubDb *self, const char *user_id, const char *id)
{
  sqlite3_stmt *s = user_id ? self->get : self->get_any;
  WevionJob *job = NULL;

  sqlite3_reset (s);
  sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
  if (user_id)
    sqlite3_bind_text (s, 2, user_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (s) == SQLITE_ROW)
    job = row_to_job (s);
  sqlite3_reset (s);
  return job;
}

static void bind_all (sqlite3_stmt *s, GPtrArray *texts, GArray *ints, const char *kinds);

static GPtrArray *
run_query (WevionHubDb *self, const char *sql, GPtrArray *texts, GArray *ints, const char *kinds,
           GError **error)
{
  sqlite3_stmt *s = NULL;
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  s = cached_stmt (self, sql);
  if (s == NULL)
    {
      fail (self, error, "query");
      return NULL;
    }
  bind_all (s, texts, ints, kinds);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (jobs, row_to_job (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "query");
      return NULL;
    }
  return g_steal_pointer (&jobs);
}

WevionJob *
wevion_hub_db_get_by_folder (WevionHubDb *self, const char *folder_id)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GArray) ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) jobs = NULL;

  g_ptr_array_add (texts, (gpointer) folder_id);
  jobs = run_query (self, "SELECT " COLUMNS " FROM creative_job WHERE drive_folder_id = ? LIMIT 1", texts,
                    ints, "t", NULL);
  if (jobs == NULL || jobs->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (jobs, 0));
}

static void
add_mask (GString *sql, guint mask, guint last, const char *column, const char *(*name) (guint))
{
  gboolean first = TRUE;

  if (mask == 0)
    return;
  g_string_append_printf (sql, " AND %s IN (", column);
  for (guint i = 1; i <= last; i++)
    if (mask & (1u << i))
      {
        g_string_append_printf (sql, "%s'%s'", first ? "" : ",", name (i));
        first = FALSE;
      }
  g_string_append (sql, ")");
}

static const char *
status_name (guint v)
{
  return wevion_job_status_to_string (v);
}

static const char *
type_name (guint v)
{
  return wevion_job_type_to_string (v);
}

/* The WHERE … ORDER BY … LIMIT of a list query; the parameters go to @texts and @ints in the order
 * @kinds records ('t' text, 'i' integer). */
static void
build_list_sql (const WevionHubQuery *q, GString *sql, GPtrArray *texts, GArray *ints, GString *kinds)
{
#define ADD_INT(v)                                                                                           \
  G_STMT_START                                                                                               \
  {                                                                                                          \
    gint64 _v = (v);                                                                                         \
    g_array_append_val (ints, _v);                                                                           \
    g_string_append_c (kinds, 'i');                                                                          \
  }                                                                                                          \
  G_STMT_END

  g_string_append (sql, " FROM creative_job WHERE user_id = ?");
  g_ptr_array_add (texts, (gpointer) q->user_id);
  g_string_append_c (kinds, 't');
  add_mask (sql, q->status_mask, WEVION_JOB_STATUS_FAILED, "status", status_name);
  add_mask (sql, q->type_mask, WEVION_JOB_TYPE_LAST, "type", type_name);
  if (q->since_us)
    {
      g_string_append (sql, " AND created_us >= ?");
      ADD_INT (q->since_us);
    }
  if (q->until_us)
    {
      g_string_append (sql, " AND created_us <= ?");
      ADD_INT (q->until_us);
    }
  if (q->updated_since_us)
    {
      g_string_append (sql, " AND updated_us >= ?");
      ADD_INT (q->updated_since_us);
    }
  if (q->q && *q->q)
    {
      g_string_append (sql, " AND hub_contains(prompt, ?)");
      g_ptr_array_add (texts, (gpointer) q->q);
      g_string_append_c (kinds, 't');
    }
  if (!q->include_archived)
    g_string_append (sql, " AND archived = 0");
  if (q->has_cursor)
    {
      g_string_append (sql, " AND (created_us < ? OR (created_us = ? AND id < ?))");
      ADD_INT (q->cursor_created_us);
      ADD_INT (q->cursor_created_us);
      g_ptr_array_add (texts, (gpointer) q->cursor_id);
      g_string_append_c (kinds, 't');
    }
  g_string_append (sql, " ORDER BY created_us DESC, id DESC");
  if (q->limit)
    {
      g_string_append (sql, " LIMIT ?");
      ADD_INT ((gint64) q->limit + 1);
    }
#undef ADD_INT
}

static void
bind_all (sqlite3_stmt *s, GPtrArray *texts, GArray *ints, const char *kinds)
{
  guint ti = 0, ii = 0;

  for (int i = 0; kinds[i]; i++)
    {
      if (kinds[i] == 't')
        sqlite3_bind_text (s, i + 1, g_ptr_array_index (texts, ti++), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64 (s, i + 1, g_array_index (ints, gint64, ii++));
    }
}

GPtrArray *
wevion_hub_db_list (WevionHubDb *self, const WevionHubQuery *q, char **next_cursor, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("SELECT " COLUMNS);
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GArray) ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autoptr (GPtrArray) jobs = NULL;

  build_list_sql (q, sql, texts, ints, kinds);
  jobs = run_query (self, sql->str, texts, ints, kinds->str, error);
  if (jobs == NULL)
    return NULL;
  if (next_cursor)
    *next_cursor = NULL;
  if (q->limit && jobs->len > q->limit)
    {
      WevionJob *last;

      g_ptr_array_set_size (jobs, q->limit);
      last = g_ptr_array_index (jobs, q->limit - 1);
      if (next_cursor)
        *next_cursor = wevion_hub_cursor_encode (wevion_hub_time_to_us (wevion_job_get_created_at (last)),
                                                 wevion_job_get_id (last));
    }
  return g_steal_pointer (&jobs);
}

static void
row_key_free (WevionHubRowKey *key)
{
  g_free (key->id);
  g_free (key);
}

GPtrArray *
wevion_hub_db_list_keys (WevionHubDb *self, const WevionHubQuery *q, char **next_cursor, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("SELECT id, created_us, updated_us, status");
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GArray) ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) row_key_free);
  sqlite3_stmt *s = NULL;
  int rc;

  build_list_sql (q, sql, texts, ints, kinds);
  s = cached_stmt (self, sql->str);
  if (s == NULL)
    {
      fail (self, error, "query");
      return NULL;
    }
  bind_all (s, texts, ints, kinds->str);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      WevionHubRowKey *key = g_new0 (WevionHubRowKey, 1);

      key->id = g_strdup ((const char *) sqlite3_column_text (s, 0));
      key->created_us = sqlite3_column_int64 (s, 1);
      key->updated_us = sqlite3_column_int64 (s, 2);
      key->status = wevion_job_status_from_string ((const char *) sqlite3_column_text (s, 3));
      g_ptr_array_add (keys, key);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "query");
      return NULL;
    }
  if (next_cursor)
    *next_cursor = NULL;
  if (q->limit && keys->len > q->limit)
    {
      WevionHubRowKey *last;

      g_ptr_array_set_size (keys, q->limit);
      last = g_ptr_array_index (keys, q->limit - 1);
      if (next_cursor)
        *next_cursor = wevion_hub_cursor_encode (last->created_us, last->id);
    }
  return g_steal_pointer (&keys);
}

GPtrArray *
wevion_hub_db_active (WevionHubDb *self)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GArray) ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  GPtrArray *jobs = run_query (self,
                               "SELECT " COLUMNS " FROM creative_job WHERE status IN ('pending','processing')"
                               " ORDER BY (status = 'processing') DESC, created_us ASC, id ASC",
                               texts, ints, "", NULL);

  return jobs ? jobs : g_ptr_array_new_with_free_func (g_object_unref);
}

gboolean
wevion_hub_db_billing (WevionHubDb *self, const char *user_id, gint64 from_us, gint64 to_us,
                       gint64 *debit_cents, gint64 *n_jobs)
{
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT COALESCE(SUM(cost_cents),0), COUNT(*) FROM creative_job WHERE user_id = ?"
                          " AND status = 'completed' AND created_us >= ? AND created_us < ?",
                          -1, &s, NULL)
      != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (s, 1, user_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 2, from_us);
  sqlite3_bind_int64 (s, 3, to_us);
  if (sqlite3_step (s) == SQLITE_ROW)
    {
      *debit_cents = sqlite3_column_int64 (s, 0);
      *n_jobs = sqlite3_column_int64 (s, 1);
      ok = TRUE;
    }
  sqlite3_finalize (s);
  return ok;
}

gint64
wevion_hub_db_count (WevionHubDb *self)
{
  sqlite3_stmt *s = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (self->db, "SELECT COUNT(*) FROM creative_job", -1, &s, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_step (s) == SQLITE_ROW)
    n = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  return n;
}

char *
wevion_hub_cursor_encode (gint64 created_us, const char *id)
{
  g_autofree char *raw = g_strdup_printf ("%" G_GINT64_FORMAT "|%s", created_us, id);
  char *b64 = g_base64_encode ((const guchar *) raw, strlen (raw));

  /* URL-safe, no padding */
  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

gboolean
wevion_hub_cursor_decode (const char *cursor, gint64 *created_us, char **id)
{
  g_autoptr (GString) s = NULL;
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *bar;

  if (cursor == NULL || *cursor == '\0' || strlen (cursor) > 512)
    return FALSE;
  s = g_string_new (cursor);
  for (gsize i = 0; i < s->len; i++)
    {
      char c = s->str[i];

      if (c == '-')
        s->str[i] = '+';
      else if (c == '_')
        s->str[i] = '/';
      else if (!g_ascii_isalnum (c))
        return FALSE;
    }
  while (s->len % 4)
    g_string_append_c (s, '=');
  raw = g_base64_decode (s->str, &len);
  if (raw == NULL || len == 0)
    return FALSE;
  text = g_strndup ((const char *) raw, len);
  if (strlen (text) != len || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  bar = strchr (text, '|');
  if (bar == NULL || bar[1] == '\0')
    return FALSE;
  *bar = '\0';
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, created_us, NULL))
    return FALSE;
  *id = g_strdup (bar + 1);
  return TRUE;
}
