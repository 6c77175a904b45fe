/* test-cache.c: WevionCache on a real SQLite file: warm start, hidden set, corrupt and newer files. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-utils.h"

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
test_warm_start (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sub", "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = wevion_cache_new (path, &error);
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (WevionJobStore) again = NULL;
  WevionJob *job;

  g_assert_no_error (error);
  g_assert_false (wevion_cache_get_was_rebuilt (cache));
  wevion_cache_attach (cache, store);
  g_ptr_array_add (jobs, wt_job ("a", "completed", "2026-11-01T10:00:00Z", ",\"cost_cents\":25"));
  g_ptr_array_add (jobs, wt_job ("b", "pending", "2026-11-02T10:00:00Z", NULL));
  wevion_job_store_merge (store, jobs);
  wevion_job_store_hide (store, "a");
  {
    g_autoptr (GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (update, wt_job ("b", "processing", "2026-11-02T10:00:00Z", ",\"progress\":30"));
    wevion_job_store_merge (store, update);
  }
  wevion_cache_flush (cache);
  g_assert_cmpuint (wevion_cache_count_rows (cache), ==, 2);
  g_assert_finalize_object (g_steal_pointer (&cache));

  /* reopen: the rows and the hidden set are there before any request */
  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  again = wevion_job_store_new ();
  g_assert_cmpuint (wevion_cache_load (cache, again), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  job = wevion_job_store_lookup (again, "b");
  g_assert_nonnull (job);
  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_PROCESSING);
  g_assert_cmpint (wevion_job_get_progress (job), ==, 30);
  g_assert_cmpint (wevion_job_get_cost_cents (wevion_job_store_lookup (again, "a")), ==, 25);
  g_assert_true (wevion_job_store_is_hidden (again, "a"));

  /* unhide persists too */
  wevion_cache_attach (cache, again);
  wevion_job_store_unhide (again, "a");
  wevion_cache_flush (cache);
  g_assert_finalize_object (g_steal_pointer (&cache));
  cache = wevion_cache_new (path, &error);
  {
    g_autoptr (WevionJobStore) third = wevion_job_store_new ();
    g_autoptr (GAsyncResult) result = NULL;
    guint n = 0;

    /* the threaded load gives the same */
    wevion_cache_load_async (cache, third, NULL, result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (wevion_cache_load_finish (cache, result, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (third, "b")), ==,
                     WEVION_JOB_STATUS_PROCESSING);
    g_assert_false (wevion_job_store_is_hidden (third, "a"));
    g_clear_object (&result);
    g_assert_finalize_object (g_steal_pointer (&third));
  }

  g_assert_finalize_object (g_steal_pointer (&cache));
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_finalize_object (g_steal_pointer (&again));
  wt_rmdir (dir);
}

static guint
count_broken (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)))
    if (g_str_has_prefix (name, "cache.db.broken-"))
      n++;
  return n;
}

static void
test_corrupt_rebuilt (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = NULL;
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  GString *garbage = g_string_new ("SQLite format 3");

  /* a file with a database header and junk after it */
  for (int i = 0; i < 2000; i++)
    g_string_append_printf (garbage, "%c", (char) (i * 7 + 3));
  g_assert_true (g_file_set_contents (path, garbage->str, (gssize) garbage->len, NULL));
  g_string_free (garbage, TRUE);

  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (wevion_cache_get_was_rebuilt (cache));
  g_assert_cmpuint (count_broken (dir), ==, 1);
  g_assert_cmpuint (wevion_cache_load (cache, store), ==, 0);
  /* and it works afterwards */
  {
    g_autoptr (WevionJob) job = wt_job ("x", "completed", "2026-11-01T10:00:00Z", NULL);

    wevion_job_store_add (store, job);
    g_assert_true (wevion_cache_save_all (cache, store, &error));
    g_assert_cmpuint (wevion_cache_count_rows (cache), ==, 1);
  }
  g_assert_finalize_object (g_steal_pointer (&cache));
  g_assert_finalize_object (g_steal_pointer (&store));
  wt_rmdir (dir);
}

static void
test_newer_schema_rebuilt (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE x (y); PRAGMA user_version = 99;", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (wevion_cache_get_was_rebuilt (cache));
  g_assert_cmpuint (count_broken (dir), ==, 1);
  g_assert_cmpuint (wevion_cache_count_rows (cache), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&cache));

  /* the rebuilt file opens cleanly */
  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  g_assert_false (wevion_cache_get_was_rebuilt (cache));
  g_assert_finalize_object (g_steal_pointer (&cache));
  wt_rmdir (dir);
}

static void
test_bad_row_in_cache_skipped (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = wevion_cache_new (path, &error);
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (WevionJobStore) loaded = wevion_job_store_new ();
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  {
    g_autoptr (WevionJob) job = wt_job ("ok", "completed", "2026-11-01T10:00:00Z", NULL);

    wevion_job_store_add (store, job);
  }
  g_assert_true (wevion_cache_save_all (cache, store, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&cache));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO jobs (id, created_at, json) VALUES ('bad', 0, '{not json')",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  cache = wevion_cache_new (path, &error);
  g_assert_cmpuint (wevion_cache_load (cache, loaded), ==, 1);
  g_assert_nonnull (wevion_job_store_lookup (loaded, "ok"));
  g_assert_finalize_object (g_steal_pointer (&cache));
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_finalize_object (g_steal_pointer (&loaded));
  wt_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/cache/warm-start", test_warm_start);
  g_test_add_func ("/wevion/cache/corrupt-rebuilt", test_corrupt_rebuilt);
  g_test_add_func ("/wevion/cache/newer-schema-rebuilt", test_newer_schema_rebuilt);
  g_test_add_func ("/wevion/cache/bad-row-skipped", test_bad_row_in_cache_skipped);
  return g_test_run ();
}
