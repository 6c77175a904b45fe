/* test-faults-download.c: result downloads from a real wevion-hub under faults: the hub killed with
 * kill -9 in the middle of a download and restarted on the same --db and --data-dir; killed for
 * good; the disk full in the middle of the file. What must hold: no partial file under the final
 * name, the temporary file resumed or removed, a clear error, and files saved before untouched. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "faults-test-utils.h"

typedef struct
{
  WtHub *hub;
  FtRig *rig;
  char *id;
  WevionJob *job; /* completed, in the store */
  char *folder;
  char *hub_file; /* the result file in the hub's --data-dir */
} Scene;

static void
scene_setup (Scene *s)
{
  WevionClient *client;
  const char *ids[2] = { NULL, NULL };
  g_autoptr (GUri) uri = NULL;
  g_autofree char *name = NULL;

  s->hub = wt_hub_start ("--speed", "100", NULL);
  client = wt_hub_client (s->hub, NULL);
  s->rig = ft_rig_new (client, NULL);
  g_object_unref (client);
  s->id = ft_submit (s->rig->client, "a result to download [ok]");
  ids[0] = s->id;
  wevion_poller_track (s->rig->poller, s->id);
  ft_wait_terminal (s->rig, ids);
  s->job = wevion_job_store_lookup (s->rig->store, s->id);
  g_assert_cmpint (wevion_job_get_status (s->job), ==, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpuint (wevion_job_get_n_result_urls (s->job), >=, 1);
  uri = g_uri_parse (wevion_job_get_result_urls (s->job)[0], G_URI_FLAGS_ENCODED, NULL);
  name = g_path_get_basename (g_uri_get_path (uri));
  s->hub_file = g_build_filename (s->hub->dir, "files", s->id, name, NULL);
  g_assert_true (g_file_test (s->hub_file, G_FILE_TEST_IS_REGULAR));
  s->folder = g_build_filename (s->hub->dir, "downloads", NULL);
}

static void
scene_teardown (Scene *s)
{
  ft_rig_free (s->rig);
  if (s->hub)
    wt_hub_stop (s->hub);
  g_free (s->id);
  g_free (s->folder);
  g_free (s->hub_file);
}

static guint
count_files (const char *folder, const char *suffix)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir && (name = g_dir_read_name (dir)))
    n += suffix == NULL || g_str_has_suffix (name, suffix);
  return n;
}

static void
assert_same_file (const char *a, const char *b)
{
  g_autofree char *x = NULL, *y = NULL;
  gsize lx = 0, ly = 0;

  g_assert_true (g_file_get_contents (a, &x, &lx, NULL));
  g_assert_true (g_file_get_contents (b, &y, &ly, NULL));
  g_assert_cmpmem (x, lx, y, ly);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

typedef struct
{
  WevionDownload *d;
  guint attempts;
} AttemptWait;

static gboolean
partial_received (gpointer data)
{
  WevionDownload *d = data;

  return wevion_download_get_attempts (d) >= 1 && wevion_download_get_bytes (d) > 0;
}

static gboolean
attempts_reached (gpointer data)
{
  AttemptWait *w = data;

  return wevion_download_get_attempts (w->d) >= w->attempts;
}

/* The hub sends a third of the file (drop-download) and is killed with kill -9 while the download
 * waits to resume; the next attempt is refused; the hub restarts on the same --db/--data-dir and
 * port with a new signing secret, so the old URL answers 403: the job is fetched again for a fresh
 * URL and the download resumes (or starts over) to the whole file. */
static void
test_kill9_mid_download (void)
{
  Scene s = { 0 };
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  WevionDownload *d;
  AttemptWait w;
  guint port = 0;

  scene_setup (&s);
  dl = wevion_downloader_new (s.rig->client);
  wevion_downloader_set_retry_delay (dl, 400);
  wt_hub_set_faults (s.hub, "drop-download=1");
  d = g_object_ref (wevion_downloader_download_async (dl, s.job, 0, s.folder, NULL, result_cb, &result));
  g_assert_true (wt_wait_until (partial_received, d, 60));
  dir = ft_hub_kill9 (s.hub, &port);
  s.hub = NULL;
  /* one attempt more meets the refused port; the download is still running, the part file kept */
  w.d = d;
  w.attempts = wevion_download_get_attempts (d) + 1;
  g_assert_true (wt_wait_until (attempts_reached, &w, 60));
  g_assert_null (result);
  g_assert_cmpint (wevion_download_get_state (d), ==, WEVION_DOWNLOAD_STATE_RUNNING);
  g_assert_cmpuint (count_files (s.folder, NULL), ==, count_files (s.folder, ".part"));
  g_assert_cmpuint (count_files (s.folder, ".part"), <=, 1);

  s.hub = ft_hub_restart (dir, port, "--speed", "100", NULL);
  s.hub->own_dir = TRUE;
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  path = wevion_downloader_download_finish (dl, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (path);
  assert_same_file (path, s.hub_file);
  g_test_message ("attempts %u, resumed %u, restarted %u", wevion_download_get_attempts (d),
                  wevion_download_get_resumed (d), wevion_download_get_restarted (d));
  g_assert_true (wevion_download_get_refreshed (d)); /* the old URL died with the old secret */
  g_assert_cmpuint (wevion_download_get_resumed (d) + wevion_download_get_restarted (d), >=, 1);
  g_assert_cmpint (wevion_download_get_state (d), ==, WEVION_DOWNLOAD_STATE_DONE);
  g_assert_cmpuint (count_files (s.folder, ".part"), ==, 0);
  g_assert_cmpuint (count_files (s.folder, NULL), ==, 1);
  g_object_unref (d);
  g_clear_object (&result);
  g_clear_object (&dl);
  scene_teardown (&s);
}

/* Killed for good in the middle: the download gives up after its attempts with words, and leaves
 * nothing behind (no part file, nothing under the final name). */
static void
test_hub_gone_mid_download (void)
{
  Scene s = { 0 };
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  WevionDownload *d;

  scene_setup (&s);
  dl = wevion_downloader_new (s.rig->client);
  wevion_downloader_set_retry_delay (dl, 30);
  wt_hub_set_faults (s.hub, "drop-download=1");
  d = g_object_ref (wevion_downloader_download_async (dl, s.job, 0, s.folder, NULL, result_cb, &result));
  g_assert_true (wt_wait_until (partial_received, d, 60));
  dir = ft_hub_kill9 (s.hub, NULL);
  s.hub = NULL;
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  path = wevion_downloader_download_finish (dl, result, &error);
  g_assert_null (path);
  g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "The connection kept dropping"));
  g_assert_nonnull (strstr (wevion_download_error_get_advice (error), "Check your connection"));
  g_assert_cmpint (wevion_download_get_state (d), ==, WEVION_DOWNLOAD_STATE_FAILED);
  g_assert_cmpuint (count_files (s.folder, NULL), ==, 0);
  g_object_unref (d);
  g_clear_object (&result);
  g_clear_object (&dl);
  scene_teardown (&s);
  wt_rmdir (dir);
}

static char *
download_now (WevionDownloader *dl, WevionJob *job, const char *folder, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  wevion_downloader_download_async (dl, job, 0, folder, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wevion_downloader_download_finish (dl, result, error);
}

/* The disk fills up half-way through the file (RLIMIT_FSIZE with SIGXFSZ ignored: write() fails
 * with EFBIG, as a full disk fails with ENOSPC): "The disk is full", the part file removed, the file
 * saved before untouched; with room again the same download succeeds. */
static void
test_disk_full_mid_file (void)
{
  if (g_test_subprocess ())
    {
      Scene s = { 0 };
      g_autoptr (WevionDownloader) dl = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *first = NULL;
      g_autofree char *failed = NULL;
      g_autofree char *again = NULL;
      struct rlimit limit;
      GStatBuf st;

      scene_setup (&s);
      dl = wevion_downloader_new (s.rig->client);
      first = download_now (dl, s.job, s.folder, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_stat (s.hub_file, &st), ==, 0);
      g_assert_cmpint (st.st_size, >, 4096);

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      limit.rlim_cur = (rlim_t) st.st_size / 2;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      failed = download_now (dl, s.job, s.folder, &error);
      g_assert_null (failed);
      g_assert_error (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_DISK_FULL);
      g_assert_nonnull (strstr (error->message, "The disk is full"));
      g_assert_nonnull (strstr (wevion_download_error_get_advice (error), "Free some space"));
      g_clear_error (&error);
      g_assert_cmpuint (count_files (s.folder, NULL), ==, 1);
      assert_same_file (first, s.hub_file);

      limit.rlim_cur = RLIM_INFINITY;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      again = download_now (dl, s.job, s.folder, &error);
      g_assert_no_error (error);
      assert_same_file (again, s.hub_file);
      g_assert_cmpstr (again, !=, first);
      g_assert_cmpuint (count_files (s.folder, NULL), ==, 2);
      g_assert_cmpuint (count_files (s.folder, ".part"), ==, 0);
      g_clear_object (&dl);
      scene_teardown (&s);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  ft_init (&argc, &argv);
  g_test_add_func ("/faults/download/kill9-mid-download", test_kill9_mid_download);
  g_test_add_func ("/faults/download/hub-gone-mid-download", test_hub_gone_mid_download);
  g_test_add_func ("/faults/download/disk-full-mid-file", test_disk_full_mid_file);
  return g_test_run ();
}
