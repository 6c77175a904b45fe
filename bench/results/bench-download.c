/* bench-download.c: WevionDownloader against curl on the same loopback URL.
 *
 * A 1 GiB sparse file (WEVION_BENCH_MB to change the size) is served by a small SoupServer in a
 * child process (this program with --serve FILE; the hub renders real images and cannot produce a
 * 1 GiB result). Each client downloads it three times, alternating who goes first; the best run of each is reported,
 * with the ratio and our peak RSS growth during a download (VmHWM, reset through clear_refs). */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "wevion-core.h"

static GMappedFile *served;

static void
serve_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (served);

  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/octet-stream", NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", "\"bench\"");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  soup_server_message_set_status (msg, 200, NULL);
}

static int
serve (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GSList *uris;

  served = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  soup_server_add_handler (server, NULL, serve_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  {
    g_autofree char *url = g_uri_to_string (uris->data);
    printf ("%sfiles/big.bin\n", url);
    fflush (stdout);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (loop);
  return 0;
}

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
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (WevionDownloader) dl = NULL;
  g_autoptr (WevionJob) job = NULL;
  const char *mb_env = g_getenv ("WEVION_BENCH_MB");
  gint64 size = (mb_env ? g_ascii_strtoll (mb_env, NULL, 10) : 1024) * 1024 * 1024;
  double ours = 0, curl = 0;
  gint64 peak = 0;
  FILE *f;

  if (argc == 3 && g_str_equal (argv[1], "--serve"))
    return serve (argv[2]);

  dir = g_dir_make_tmp ("wevion-bench-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "big.bin", NULL);
  folder = g_build_filename (dir, "out", NULL);
  g_mkdir (folder, 0700);
  f = fopen (file, "w");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), size), ==, 0); /* sparse */
  fclose (f);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", "--serve", file, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  url = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);

  dl = wevion_downloader_new (NULL);
  job = wevion_job_new ("bench", WEVION_JOB_TYPE_VIDEO, "p", "x");
  {
    const char *urls[] = { url, NULL };
    g_object_set (job, "status-name", "completed", "result-urls", urls, NULL);
  }
  for (int round = 0; round < 3; round++)
    {
      gint64 p = 0;
      double c, o;

      /* alternate who goes first; flush dirty pages between runs so one does not pay for the other */
      sync ();
      if (round % 2 == 0)
        {
          c = run_curl (url, folder, size);
          sync ();
          o = run_ours (dl, job, folder, &p, size);
        }
      else
        {
          o = run_ours (dl, job, folder, &p, size);
          sync ();
          c = run_curl (url, folder, size);
        }

      printf ("round %d: curl %.0f MiB/s, wevion %.0f MiB/s, peak RSS +%" G_GINT64_FORMAT " KiB\n", round + 1,
              c / 1048576, o / 1048576, p);
      curl = MAX (curl, c);
      ours = MAX (ours, o);
      peak = MAX (peak, p);
    }
  printf ("size: %" G_GINT64_FORMAT " MiB over loopback\n", size / 1048576);
  printf ("curl -o:          %.0f MiB/s\n", curl / 1048576);
  printf ("WevionDownloader: %.0f MiB/s\n", ours / 1048576);
  printf ("ratio:            %.2f of curl (target >= 0.9)\n", ours / curl);
  printf ("peak RSS growth:  %.1f MiB (target < 16 MiB)\n", peak / 1024.0);

  g_subprocess_force_exit (server);
  g_unlink (file);
  g_rmdir (folder);
  g_rmdir (dir);
  return 0;
}
