/* bench-download.c: WevionDownloader against curl on the same loopback URL of wevion-hub.
 *
 * Starts wevion-hub (argv[1], or src/hub/wevion-hub beside this build) with --max-result-mb large
 * enough, submits a tts job whose settings.seconds make its WAV at least 1 GiB (WEVION_BENCH_MB
 * to change the size), waits until the hub has rendered it, and downloads that result three times
 * with each client, alternating who goes first. Prints each round, the medians, the ratio and our
 * peak RSS growth during a download (VmHWM, reset through clear_refs). */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "wevion-core.h"

#define WAV_HEADER 44
#define WAV_BYTES_PER_SECOND 44100 /* wevion-hub's speech: 16-bit mono at 22 050 Hz */

static gint64
status_kib (const char *field)
{
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL) || !(p = strstr (contents, field)))
    return -1;
  return g_ascii_strtoll (p + strlen (field) + 1, NULL, 10);
}

static void
reset_peak (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static double
run_ours (WevionDownloader *dl, WevionJob *job, const char *folder, gint64 *peak_growth_kib, gint64 size)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  gint64 rss0, t0, t1;

  reset_peak ();
  rss0 = status_kib ("VmRSS:");
  t0 = g_get_monotonic_time ();
  wevion_downloader_download_async (dl, job, 0, folder, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  t1 = g_get_monotonic_time ();
  path = wevion_downloader_download_finish (dl, result, &error);
  g_assert_no_error (error);
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, size);
  }
  *peak_growth_kib = status_kib ("VmHWM:") - rss0;
  g_unlink (path);
  return (double) size / ((double) (t1 - t0) / G_USEC_PER_SEC);
}

static double
run_curl (const char *url, const char *folder, gint64 size)
{
  g_autofree char *out = g_build_filename (folder, "curl.bin", NULL);
  const char *argv[] = { "curl", "-s", "-f", "-o", out, url, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;
  gint64 t0 = g_get_monotonic_time (), t1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (out, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, size);
  }
  g_unlink (out);
  return (double) size / ((double) (t1 - t0) / G_USEC_PER_SEC);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median3 (const double *v)
{
  double c[3] = { v[0], v[1], v[2] };

  qsort (c, 3, sizeof c[0], cmp_double);
  return c[1];
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* submits the tts job and waits until the hub has rendered it; returns the completed job */
static WevionJob *
make_big_result (WevionClient *client, gint64 seconds)
{
  g_autoptr (JsonObject) settings = json_object_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 t0 = g_get_monotonic_time ();

  json_object_set_int_member (settings, "seconds", seconds);
  wevion_client_submit_async (client, WEVION_JOB_TYPE_TTS, "elevenlabs_v2", "The long read [ok]", settings,
                              NULL, NULL, submitted_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  id = wevion_client_submit_finish (client, result, &error);
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr (WevionJob) job = NULL;

      g_clear_object (&result);
      wevion_client_get_job_async (client, id, NULL, submitted_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      job = wevion_client_get_job_finish (client, result, &error);
      g_assert_no_error (error);
      if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
        {
          printf ("the hub rendered the result in %.1f s\n", (g_get_monotonic_time () - t0) / 1e6);
          return g_steal_pointer (&job);
        }
      g_assert_cmpint (wevion_job_get_status (job), !=, WEVION_JOB_STATUS_FAILED);
      g_assert_cmpint (g_get_monotonic_time () - t0, <, 600 * G_USEC_PER_SEC);
      g_usleep (200000);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *hub_exe = NULL;
  g_autofree char *line = NULL;
  g_autofree char *max_mb = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) hub = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (WevionJob) job = NULL;
  const char *mb_env = g_getenv ("WEVION_BENCH_MB");
  gint64 want = (mb_env ? g_ascii_strtoll (mb_env, NULL, 10) : 1024) * 1024 * 1024;
  gint64 seconds = (want - WAV_HEADER + WAV_BYTES_PER_SECOND - 1) / WAV_BYTES_PER_SECOND;
  gint64 size = WAV_HEADER + seconds * WAV_BYTES_PER_SECOND;
  double ours[3], curl[3];
  gint64 peak = 0;
  const char *url, *at;

  if (argc > 1)
    hub_exe = g_strdup (argv[1]);
  else
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *bench_dir = g_path_get_dirname (self);

      hub_exe = g_build_filename (bench_dir, "..", "..", "src", "hub", "wevion-hub", NULL);
    }
  dir = g_dir_make_tmp ("wevion-bench-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "hub.db", NULL);
  folder = g_build_filename (dir, "out", NULL);
  g_mkdir (folder, 0700);
  max_mb = g_strdup_printf ("%" G_GINT64_FORMAT, size / (1024 * 1024) + 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  hub = g_subprocess_launcher_spawn (launcher, &error, hub_exe, "--port", "0", "--db", db, "--speed", "1000",
                                     "--workers", "1", "--max-result-mb", max_mb, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hub));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  at = strstr (line, "listening on ");
  g_assert_nonnull (at);

  client = wevion_client_new (at + strlen ("listening on "), "demo-token", &error);
  g_assert_no_error (error);
  job = make_big_result (client, seconds);
  url = wevion_job_get_result_urls (job)[0];
  dl = wevion_downloader_new (NULL);
  for (int round = 0; round < 3; round++)
    {
      gint64 p = 0;

      /* alternate who goes first; flush dirty pages between runs so one does not pay for the other */
      sync ();
      if (round % 2 == 0)
        {
          curl[round] = run_curl (url, folder, size);
          sync ();
          ours[round] = run_ours (dl, job, folder, &p, size);
        }
      else
        {
          ours[round] = run_ours (dl, job, folder, &p, size);
          sync ();
          curl[round] = run_curl (url, folder, size);
        }

      printf ("round %d: curl %.0f MiB/s, wevion %.0f MiB/s, peak RSS +%" G_GINT64_FORMAT " KiB\n", round + 1,
              curl[round] / 1048576, ours[round] / 1048576, p);
      fflush (stdout);
      peak = MAX (peak, p);
    }
  printf ("size: %" G_GINT64_FORMAT " bytes (%.2f GiB), a tts result of wevion-hub over loopback\n", size,
          size / 1073741824.0);
  printf ("curl -o:          %.0f MiB/s (median of 3)\n", median3 (curl) / 1048576);
  printf ("WevionDownloader: %.0f MiB/s (median of 3)\n", median3 (ours) / 1048576);
  printf ("ratio:            %.2f of curl (target >= 0.9)\n", median3 (ours) / median3 (curl));
  printf ("peak RSS growth:  %.1f MiB, the largest of 3 (target < 16 MiB)\n", peak / 1024.0);

  g_subprocess_send_signal (hub, SIGTERM);
  g_subprocess_wait (hub, NULL, NULL);
  {
    g_autofree char *files = g_build_filename (dir, "files", NULL);
    g_autoptr (GDir) d = g_dir_open (files, 0, NULL);
    const char *name;

    /* the hub's result: files/ID/{result-1.wav,thumbnail.png} */
    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *job_dir = g_build_filename (files, name, NULL);
        g_autofree char *wav = g_build_filename (job_dir, "result-1.wav", NULL);
        g_autofree char *thumb = g_build_filename (job_dir, "thumbnail.png", NULL);

        g_unlink (wav);
        g_unlink (thumb);
        g_rmdir (job_dir);
      }
    g_rmdir (files);
  }
  for (const char *const *suffix = (const char *const[]){ "", "-wal", "-shm", NULL }; *suffix; suffix++)
    {
      g_autofree char *path = g_strconcat (db, *suffix, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
  g_rmdir (dir);
  return 0;
}
