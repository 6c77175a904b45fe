/* test-faults-cache.c: the local cache under faults.
 *
 * - Disk full during a cache write (RLIMIT_FSIZE with SIGXFSZ ignored: write() fails with EFBIG, as
 *   a full disk fails with ENOSPC): no crash, an error in the cache's words ("The disk is full"),
 *   the store keeps everything, and once there is room again the next flush writes what failed, in
 *   order, so the next start finds every row.
 * - The cache file corrupted in several ways, or from a newer schema: moved aside and rebuilt with a
 *   logged message, never a crash; the poller then fills the store again from a real wevion-hub
 *   with every job and its state. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "faults-test-utils.h"

static GPtrArray *logged; /* messages seen by the log writer */

static GLogWriterOutput
writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && logged)
      g_ptr_array_add (logged, fields[i].length < 0 ? g_strdup (fields[i].value)
                                                    : g_strndup (fields[i].value, (gsize) fields[i].length));
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
logged_contains (const char *needle)
{
  for (guint i = 0; i < logged->len; i++)
    if (strstr (g_ptr_array_index (logged, i), needle))
      return TRUE;
  return FALSE;
}

static void
set_fsize_limit (rlim_t soft)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  limit.rlim_cur = soft;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
}

static WevionJob *
job_with_prompt (const char *id, const char *status, gsize prompt_bytes)
{
  GString *prompt = g_string_new (NULL);
  g_autofree char *extra = NULL;
  WevionJob *job;

  while (prompt->len < prompt_bytes)
    g_string_append (prompt, "a prompt that takes room ");
  job = wt_job (id, status, "2026-11-20T10:00:00Z", NULL);
  g_object_set (job, "prompt", prompt->str, NULL);
  g_string_free (prompt, TRUE);
  return job;
}

static void
merge_one (WevionJobStore *store, WevionJob *job)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (jobs, job);
  wevion_job_store_merge (store, jobs);
}

static void
test_disk_full_write (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = wt_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
      g_autoptr (GError) error = NULL;
      WevionCache *cache = wevion_cache_new (path, &error);
      WevionJobStore *store = wevion_job_store_new ();
      g_autofree char *big_prompt = NULL;

      g_assert_no_error (error);
      wevion_cache_attach (cache, store);
      merge_one (store, wt_job ("a", "pending", "2026-11-20T09:00:00Z", NULL));
      merge_one (store, wt_job ("b", "processing", "2026-11-20T09:01:00Z", NULL));
      wevion_cache_flush (cache);
      g_assert_null (wevion_cache_dup_write_error (cache));

      /* no file may grow past 256 KiB from now on: the next write of a 1 MiB row fails */
      signal (SIGXFSZ, SIG_IGN);
      set_fsize_limit (256 * 1024);
      merge_one (store, job_with_prompt ("big", "pending", 1024 * 1024));
      big_prompt = g_strdup (wevion_job_get_prompt (wevion_job_store_lookup (store, "big")));
      wevion_cache_flush (cache);
      error = wevion_cache_dup_write_error (cache);
      g_assert_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_DISK_FULL);
      g_assert_nonnull (strstr (error->message, "The disk is full"));
      g_clear_error (&error);
      /* a change while the disk is full: queued behind the failed write, never before it */
      merge_one (store, wt_job ("a", "completed", "2026-11-20T09:00:00Z", NULL));
      wevion_cache_flush (cache);
      error = wevion_cache_dup_write_error (cache);
      g_assert_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_DISK_FULL);
      g_clear_error (&error);
      /* the app's list is whole all along */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);

      /* room again: the next flush writes what failed, then what came after */
      set_fsize_limit (RLIM_INFINITY);
      wevion_cache_flush (cache);
      g_assert_null (wevion_cache_dup_write_error (cache));
      g_assert_finalize_object (cache);
      g_assert_finalize_object (store);

      /* the next start */
      cache = wevion_cache_new (path, &error);
      g_assert_no_error (error);
      g_assert_false (wevion_cache_get_was_rebuilt (cache));
      store = wevion_job_store_new ();
      g_assert_cmpuint (wevion_cache_load (cache, store), ==, 3);
      g_assert_cmpstr (wevion_job_get_prompt (wevion_job_store_lookup (store, "big")), ==, big_prompt);
      g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (store, "a")), ==,
                       WEVION_JOB_STATUS_COMPLETED);
      g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (store, "b")), ==,
                       WEVION_JOB_STATUS_PROCESSING);
      g_assert_finalize_object (cache);
      g_assert_finalize_object (store);
      wt_rmdir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A real ENOSPC: the same, on a 4 MiB tmpfs mounted in a user and mount namespace of our own
 * (unshare -Urm), half filled by another file that is removed to make room. Runs in the child that
 * `unshare` starts (main() sees --enospc-child DIR). */
static int
enospc_child (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autofree char *zeros = g_malloc0 (3200 * 1024);
  g_autoptr (GError) error = NULL;
  WevionCache *cache;
  WevionJobStore *store;

  g_assert_true (g_file_set_contents (filler, zeros, 3200 * 1024, NULL));
  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  store = wevion_job_store_new ();
  wevion_cache_attach (cache, store);
  merge_one (store, wt_job ("a", "pending", "2026-11-20T09:00:00Z", NULL));
  wevion_cache_flush (cache);
  g_assert_null (wevion_cache_dup_write_error (cache));

  merge_one (store, job_with_prompt ("big", "pending", 1024 * 1024));
  wevion_cache_flush (cache);
  error = wevion_cache_dup_write_error (cache);
  g_assert_error (error, WEVION_CACHE_ERROR, WEVION_CACHE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "The disk is full"));
  g_printerr ("ENOSPC: %s\n", error->message);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (filler), ==, 0);
  merge_one (store, wt_job ("a", "completed", "2026-11-20T09:00:00Z", NULL));
  wevion_cache_flush (cache);
  g_assert_null (wevion_cache_dup_write_error (cache));
  g_object_unref (cache);
  g_object_unref (store);

  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  store = wevion_job_store_new ();
  g_assert_cmpuint (wevion_cache_load (cache, store), ==, 2);
  g_assert_cmpuint (strlen (wevion_job_get_prompt (wevion_job_store_lookup (store, "big"))), >=, 1024 * 1024);
  g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (store, "a")), ==,
                   WEVION_JOB_STATUS_COMPLETED);
  g_object_unref (cache);
  g_object_unref (store);
  return 0;
}

/* a file host in this process: 1 MiB of bytes with a Content-Length */
static void
file_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  gsize size = 1024 * 1024;
  char *body = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    body[i] = (char) (i * 7);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_TAKE, body, size);
}

static void
download_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static char *
download_to (WevionDownloader *dl, WevionJob *job, const char *folder, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_downloader_download_async (dl, job, 0, folder, NULL, download_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wevion_downloader_download_finish (dl, result, error);
}

/* A download of 1 MiB onto the nearly full tmpfs: ENOSPC half-way. */
static int
enospc_download_child (const char *dir)
{
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autofree char *folder = g_build_filename (dir, "downloads", NULL);
  g_autofree char *zeros = g_malloc0 (3500 * 1024);
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (WevionDownloader) dl = wevion_downloader_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autofree char *url = NULL;
  g_autofree char *saved = NULL;
  GSList *uris;
  guint n = 0;

  g_assert_true (g_file_set_contents (filler, zeros, 3500 * 1024, NULL));
  soup_server_add_handler (server, NULL, file_handler, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  job = wt_job ("d1", "completed", "2026-11-20T09:00:00Z", NULL);
  {
    const char *urls[] = { NULL, NULL };
    g_autofree char *file_url = g_strconcat (url, "result-1.png", NULL);

    urls[0] = file_url;
    g_object_set (job, "result-urls", urls, NULL);
  }
  saved = download_to (dl, job, folder, &error);
  g_assert_null (saved);
  g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_DISK_FULL);
  g_printerr ("ENOSPC: %s. %s\n", error->message, wevion_download_error_get_advice (error));
  g_clear_error (&error);
  {
    g_autoptr (GDir) d = g_dir_open (folder, 0, NULL);

    while (d && g_dir_read_name (d))
      n++;
    g_assert_cmpuint (n, ==, 0); /* no part file, nothing under the final name */
  }
  /* room again */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  saved = download_to (dl, job, folder, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (saved, "/result-1.png"));
  soup_server_disconnect (server);
  return 0;
}

/* unshare -Urm sh -c 'mount a 4 MiB tmpfs on DIR; exec THIS --enospc-child DIR WHAT' */
static void
run_enospc (const char *what)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[]
      = { "unshare",
          "-Urm",
          "sh",
          "-c",
          "mount -t tmpfs -o size=4m tmpfs \"$0\" || exit 77; exec \"$1\" --enospc-child \"$0\" \"$2\"",
          dir,
          self,
          what,
          NULL };
  int status = 0;

  g_assert_nonnull (self);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                     &error))
    {
      g_test_skip_printf ("no unshare: %s (the RLIMIT_FSIZE tests cover the code path)", error->message);
      wt_rmdir (dir);
      return;
    }
  g_test_message ("%s", err);
  if (WIFEXITED (status) && (WEXITSTATUS (status) == 77 || strstr (err, "unshare failed")))
    {
      g_test_skip_printf ("no user namespaces here: %s (the RLIMIT_FSIZE tests cover the code path)", err);
      wt_rmdir (dir);
      return;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (err, "ENOSPC: The disk is full"));
  wt_rmdir (dir);
}

static void
test_enospc_download (void)
{
  run_enospc ("download");
}

static void
test_enospc_tmpfs (void)
{
  run_enospc ("cache");
}

typedef void (*Corrupt) (const char *path);

static void
corrupt_garbage (const char *path)
{
  GString *junk = g_string_new (NULL);

  for (int i = 0; i < 20000; i++)
    g_string_append_c (junk, (char) (i * 31 + 7));
  g_assert_true (g_file_set_contents (path, junk->str, (gssize) junk->len, NULL));
  g_string_free (junk, TRUE);
}

static void
corrupt_truncated (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 4096 * 2);
  g_assert_true (g_file_set_contents (path, data, (gssize) (len / 2 + 100), NULL));
}

static void
corrupt_header (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  memset (data, 0, 100);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
corrupt_pages (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize i = 4096; i < len; i++)
    if (i % 4096 < 200)
      data[i] = (char) (i * 13);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
corrupt_newer_schema (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static guint
count_broken (const char *dir, const char *name)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (name, ".broken-", NULL);
  const char *entry;
  guint n = 0;

  while ((entry = g_dir_read_name (d)))
    n += g_str_has_prefix (entry, prefix);
  return n;
}

/* A good cache of a real hub's jobs, then each kind of damage: rebuilt with a message, and the
 * poller brings every job back with its state. */
static void
test_corrupt_rebuilt (void)
{
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  g_autofree char *good = g_build_filename (hub->dir, "good.db", NULL);
  char *ids[4] = { NULL };
  const struct
  {
    const char *name;
    Corrupt corrupt;
  } kinds[] = {
    { "garbage", corrupt_garbage }, { "truncated", corrupt_truncated },       { "header", corrupt_header },
    { "pages", corrupt_pages },     { "newer-schema", corrupt_newer_schema },
  };

  {
    WevionClient *client = wt_hub_client (hub, NULL);
    FtRig *rig = ft_rig_new (client, good);

    g_autofree char *pad = g_strnfill (3000, 'x'); /* rows over several pages of the file */
    g_autofree char *p0 = g_strconcat ("one [ok] ", pad, NULL);
    g_autofree char *p1 = g_strconcat ("two [ok] ", pad, NULL);
    g_autofree char *p2 = g_strconcat ("three [fail] ", pad, NULL);

    g_object_unref (client);
    ids[0] = ft_submit (rig->client, p0);
    ids[1] = ft_submit (rig->client, p1);
    ids[2] = ft_submit (rig->client, p2);
    for (guint i = 0; ids[i]; i++)
      wevion_poller_track (rig->poller, ids[i]);
    ft_wait_terminal (rig, (const char *const *) ids);
    ft_rig_free (rig);
  }

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *name = g_strdup_printf ("%s.db", kinds[k].name);
      g_autofree char *path = g_build_filename (hub->dir, name, NULL);
      g_autofree char *data = NULL;
      WevionClient *client = wt_hub_client (hub, NULL);
      gsize len = 0;
      FtRig *rig;

      g_test_message ("cache damage: %s", kinds[k].name);
      g_assert_true (g_file_get_contents (good, &data, &len, NULL));
      g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
      kinds[k].corrupt (path);
      g_ptr_array_set_size (logged, 0);

      rig = ft_rig_new (client, path);
      g_object_unref (client);
      g_assert_true (wevion_cache_get_was_rebuilt (rig->cache));
      g_assert_cmpuint (count_broken (hub->dir, name), ==, 1);
      g_assert_true (logged_contains ("cannot be used"));
      g_assert_true (logged_contains ("rebuilding it"));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig->store)), ==, 0);

      /* the server has them all: the first refresh brings them back, with their states */
      wevion_poller_start (rig->poller);
      ft_wait_known (rig, (const char *const *) ids);
      ft_wait_idle (rig);
      g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (rig->store, ids[0])), ==,
                       WEVION_JOB_STATUS_COMPLETED);
      g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (rig->store, ids[1])), ==,
                       WEVION_JOB_STATUS_COMPLETED);
      g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (rig->store, ids[2])), ==,
                       WEVION_JOB_STATUS_FAILED);
      /* jobs that arrive already ended are no news: no transition, no notification */
      g_assert_cmpuint (rig->transitions_total, ==, 0);
      ft_rig_free (rig);

      /* and the rebuilt file is a good cache for the next start */
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (WevionCache) cache = wevion_cache_new (path, &error);
        g_autoptr (WevionJobStore) store = wevion_job_store_new ();

        g_assert_no_error (error);
        g_assert_false (wevion_cache_get_was_rebuilt (cache));
        g_assert_cmpuint (wevion_cache_load (cache, store), ==, 3);
      }
    }
  for (guint i = 0; ids[i]; i++)
    g_free (ids[i]);
  wt_hub_stop (hub);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--enospc-child"))
    return g_str_equal (argv[3], "download") ? enospc_download_child (argv[2]) : enospc_child (argv[2]);
  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (writer, NULL, NULL);
  ft_init (&argc, &argv);
  g_test_add_func ("/faults/cache/disk-full-write", test_disk_full_write);
  g_test_add_func ("/faults/cache/enospc-tmpfs", test_enospc_tmpfs);
  g_test_add_func ("/faults/download/enospc-tmpfs", test_enospc_download);
  g_test_add_func ("/faults/cache/corrupt-rebuilt", test_corrupt_rebuilt);
  return g_test_run ();
}
