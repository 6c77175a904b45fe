/* test-faults-app.c: the whole application starting on a damaged cache file, under Xvfb, against a
 * real wevion-hub: no crash, the file is moved aside and rebuilt, the window says so, and the
 * server's jobs fill the list again. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "app-test-utils.h"
#include "faults-test-utils.h"
#include "wevion-application.h"
#include "wevion-window.h"

static guint
count_broken (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint n = 0;

  while (d && (entry = g_dir_read_name (d)))
    n += strstr (entry, ".broken-") != NULL;
  return n;
}

static void
test_damaged_cache_at_start (void)
{
  g_autofree char *home = wt_tmpdir ();
  WtHub *hub = wt_hub_start ("--speed", "100", NULL);
  g_autoptr (WevionClient) client = wt_hub_client (hub, NULL);
  g_autofree char *id = ft_submit (client, "known to the server [ok]");
  g_autofree char *hash
      = g_compute_checksum_for_string (G_CHECKSUM_SHA256, wevion_client_get_base_url (client), -1);
  g_autofree char *cache_dir = g_build_filename (home, "wevion-jobs", NULL);
  g_autofree char *name = g_strdup_printf ("cache-%.16s.db", hash);
  g_autofree char *cache_path = g_build_filename (cache_dir, name, NULL);
  GString *junk = g_string_new ("SQLite format 3");
  WevionApplication *app;
  WevionWindow *window;
  WevionJobStore *store;

  /* what a crash in the middle of a write, or a bad disk, leaves behind */
  for (int i = 0; i < 8192; i++)
    g_string_append_c (junk, (char) (i * 31 + 7));
  g_assert_cmpint (g_mkdir_with_parents (cache_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (cache_path, junk->str, (gssize) junk->len, NULL));
  g_string_free (junk, TRUE);

  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);
  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  store = wevion_application_get_store (app);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0, 20);

  /* the window says what happened; the file was moved aside, not lost silently */
  AT_WAIT (at_find_label (GTK_WIDGET (window), "was started afresh") != NULL, 30);
  g_assert_cmpuint (count_broken (cache_dir), ==, 1);
  /* the jobs come back from the server */
  AT_WAIT (wevion_job_store_lookup (store, id) != NULL, 30);
  at_screenshot (GTK_WIDGET (window), "faults-cache-rebuilt");

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
  wt_hub_stop (hub);
  wt_rmdir (home);
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  *(char **) data = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
job_completed (WevionJobStore *store, const char *id)
{
  WevionJob *job = id ? wevion_job_store_lookup (store, id) : NULL;

  return job && wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED;
}

/* The disk fills up while the app runs (RLIMIT_FSIZE just above the cache files' sizes, SIGXFSZ
 * ignored: the cache's next write fails with EFBIG): the window tells, the list keeps the job and
 * follows it to its end. */
static void
test_cache_disk_full (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *home = wt_tmpdir ();
      WtHub *hub = wt_hub_start ("--speed", "20", NULL);
      g_autofree char *cache_dir = g_build_filename (home, "wevion-jobs", NULL);
      g_autofree char *prompt = g_strnfill (15000, 'p');
      g_autofree char *id = NULL;
      WevionApplication *app;
      WevionWindow *window;
      WevionJobStore *store;
      struct rlimit limit;
      GStatBuf st;
      gint64 largest = 0;

      g_setenv ("XDG_CACHE_HOME", home, TRUE);
      g_setenv ("XDG_DATA_HOME", home, TRUE);
      g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
      g_setenv ("WEVION_TOKEN", "demo-token", TRUE);
      app = wevion_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
      g_application_activate (G_APPLICATION (app));
      window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
      store = wevion_application_get_store (app);
      AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && wevion_application_get_poller (app) != NULL,
               30);
      at_spin (1500);
      {
        g_autoptr (GDir) d = g_dir_open (cache_dir, 0, NULL);
        const char *entry;

        g_assert_nonnull (d);
        while ((entry = g_dir_read_name (d)))
          {
            g_autofree char *path = g_build_filename (cache_dir, entry, NULL);

            if (g_stat (path, &st) == 0)
              largest = MAX (largest, (gint64) st.st_size);
          }
      }
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      limit.rlim_cur = (rlim_t) largest + 2048;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      wevion_application_submit_async (app, WEVION_JOB_TYPE_IMAGE, "flux_2_pro", prompt, NULL, NULL, NULL,
                                       submitted_cb, &id);
      AT_WAIT (id != NULL && wevion_job_store_lookup (store, id) != NULL, 30);
      AT_WAIT (at_find_label (GTK_WIDGET (window), "The disk is full") != NULL, 30);
      /* the list is whole and goes on */
      AT_WAIT (job_completed (store, id), 60);

      limit.rlim_cur = RLIM_INFINITY;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      gtk_window_destroy (GTK_WINDOW (window));
      at_spin (50);
      g_application_quit (G_APPLICATION (app));
      g_object_unref (app);
      wt_hub_stop (hub);
      wt_rmdir (home);
      return;
    }
  g_test_trap_subprocess (NULL, 100 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_setenv ("WEVION_POLL_INTERVAL_MS", "300", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/app/damaged-cache-at-start", test_damaged_cache_at_start);
  g_test_add_func ("/faults/app/cache-disk-full", test_cache_disk_full);
  return g_test_run ();
}
