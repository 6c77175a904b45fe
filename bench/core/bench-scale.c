/* bench-scale: 100 000 jobs from JSON into the store and the SQLite cache, back out of the cache,
 * and a case-insensitive prompt search over them; times and peak RSS.
 *
 * Usage: bench-scale [N] */
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wevion-core.h"

static const char *words[] = { "red",  "fox",    "castle", "neon", "forest", "portrait", "ocean", "city",
                               "Dawn", "Sunset", "robot",  "cat",  "Étoile", "mountain", "river", "glass" };

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* VmHWM: the peak resident size of this process image (ru_maxrss survives exec, this does not) */
static long
peak_rss_kb (void)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) || (at = strstr (text, "VmHWM:")) == NULL)
    return 0;
  return atol (at + strlen ("VmHWM:"));
}

/* resident now, in kB */
static long
rss_now_kb (void)
{
  g_autofree char *text = NULL;
  long pages = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
    sscanf (text, "%ld %ld", &pages, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static char *
make_document (guint n)
{
  GString *out = g_string_sized_new ((gsize) n * 520);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  const char *statuses[] = { "completed", "completed", "completed", "failed", "processing", "pending" };

  g_string_append (out, "{\"jobs\":[");
  for (guint i = 0; i < n; i++)
    {
      const char *status = statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))];
      gboolean done = g_str_equal (status, "completed") || g_str_equal (status, "failed");
      guint day = 1 + i % 28, hour = (i / 28) % 24, minute = (i / 672) % 60, second = (i / 40320) % 60;

      g_string_append_printf (
          out,
          "%s{\"id\":\"job-%07u\",\"user_id\":\"demo\",\"type\":\"image\",\"status\":\"%s\","
          "\"provider\":\"flux_2_pro\",\"prompt\":\"%s %s %s in the style of %s, number %u\","
          "\"settings\":{\"width\":1024,\"height\":1024,\"count\":1},\"result_urls\":[%s],"
          "\"error_message\":%s,\"cost_cents\":%d,\"drive_folder_id\":\"folder-%u\",\"metadata\":{},"
          "\"created_at\":\"2026-11-%02uT%02u:%02u:%02uZ\",\"completed_at\":%s,"
          "\"updated_at\":\"2026-11-%02uT%02u:%02u:%02uZ\"}",
          i ? "," : "", i, status, words[g_rand_int_range (rand, 0, 16)],
          words[g_rand_int_range (rand, 0, 16)], words[g_rand_int_range (rand, 0, 16)],
          words[g_rand_int_range (rand, 0, 16)], i,
          g_str_equal (status, "completed") ? "\"https://drive.example.com/file/abc\"" : "",
          g_str_equal (status, "failed") ? "\"The provider had a temporary error\"" : "null",
          g_str_equal (status, "completed") ? 25 : 0, i, day, hour, minute, second,
          done ? "\"2026-11-28T10:00:00Z\"" : "null", day, hour, minute, second);
    }
  g_string_append (out, "],\"next_cursor\":null}");
  return g_string_free (out, FALSE);
}

/* a fresh process that only opens the cache and loads it: the app's warm start */
static int
load_only (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = NULL;
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  long before = rss_now_kb ();
  double t0 = now_ms ();
  guint n;

  cache = wevion_cache_new (path, &error);
  if (cache == NULL)
    g_error ("%s", error->message);
  n = wevion_cache_load (cache, store);
  printf (
      "  warm start in a fresh process: %u jobs in %.0f ms, resident %ld MB → %ld MB (≈ %.1f kB per job), "
      "peak %ld MB\n",
      n, now_ms () - t0, before / 1024, rss_now_kb () / 1024, (double) (rss_now_kb () - before) / MAX (n, 1),
      peak_rss_kb () / 1024);
  return 0;
}

int
main (int argc, char *argv[])
{
  guint n;

  if (argc > 2 && g_str_equal (argv[1], "--load-only"))
    return load_only (argv[2]);
  n = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autofree char *document = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();
  g_autoptr (WevionJobStore) loaded = wevion_job_store_new ();
  g_autoptr (WevionCache) cache = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wevion-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  double t0, t_parse, t_merge, t_save, t_load, t_open;
  long rss_doc, rss_store, rss_store_now, rss_loaded_now;
  guint n_found = 0, n_found_unicode = 0;
  double search_ms, search_unicode_ms;
  GStatBuf st;

  printf ("Scale: %u jobs\n", n);
  document = make_document (n);
  rss_doc = peak_rss_kb ();
  printf ("  JSON document                %10.1f MB\n", strlen (document) / 1e6);

  t0 = now_ms ();
  jobs = wevion_job_list_parse (document, strlen (document), NULL, NULL, &error);
  t_parse = now_ms () - t0;
  g_assert_no_error (error);
  g_clear_pointer (&document, g_free);

  t0 = now_ms ();
  wevion_job_store_merge (store, jobs);
  t_merge = now_ms () - t0;
  g_clear_pointer (&jobs, g_ptr_array_unref);
  rss_store = peak_rss_kb ();
  malloc_trim (0);
  rss_store_now = rss_now_kb ();

  cache = wevion_cache_new (path, &error);
  g_assert_no_error (error);
  t0 = now_ms ();
  if (!wevion_cache_save_all (cache, store, &error))
    g_error ("%s", error->message);
  t_save = now_ms () - t0;
  g_clear_object (&cache);
  g_stat (path, &st);

  t0 = now_ms ();
  cache = wevion_cache_new (path, &error);
  t_open = now_ms () - t0;
  t0 = now_ms ();
  wevion_cache_load (cache, loaded);
  t_load = now_ms () - t0;
  g_clear_object (&store);
  malloc_trim (0);
  rss_loaded_now = rss_now_kb ();
  store = g_object_ref (loaded);

  t0 = now_ms ();
  {
    g_autoptr (GPtrArray) found = wevion_job_store_search (store, "FOX CASTLE");

    n_found = found->len;
  }
  search_ms = now_ms () - t0;
  t0 = now_ms ();
  {
    g_autoptr (GPtrArray) found = wevion_job_store_search (store, "étoile");

    n_found_unicode = found->len;
  }
  search_unicode_ms = now_ms () - t0;

  printf ("  parse JSON → jobs            %10.0f ms\n", t_parse);
  printf ("  merge into the store         %10.0f ms  (%u items)\n", t_merge,
          g_list_model_get_n_items (G_LIST_MODEL (store)));
  printf ("  save all to SQLite           %10.0f ms  (%.1f MB file)\n", t_save, st.st_size / 1e6);
  printf ("  open the cache               %10.0f ms\n", t_open);
  printf ("  load the cache → new store   %10.0f ms  (%u items)\n", t_load,
          g_list_model_get_n_items (G_LIST_MODEL (loaded)));
  printf ("  search \"FOX CASTLE\"          %10.1f ms  (%u hits)\n", search_ms, n_found);
  printf ("  search \"étoile\" (Unicode)    %10.1f ms  (%u hits)\n", search_unicode_ms, n_found_unicode);
  printf ("  peak RSS: with the document %ld MB, during the parse and merge %ld MB, at the end %ld MB\n",
          rss_doc / 1024, rss_store / 1024, peak_rss_kb () / 1024);
  printf ("  resident with the store (document and parse tree freed) %ld MB; with the store loaded from the "
          "cache %ld MB (≈ %.1f kB per job)\n",
          rss_store_now / 1024, rss_loaded_now / 1024, (double) rss_loaded_now / n);

  g_clear_object (&cache);
  fflush (stdout);
  {
    const char *child_argv[] = { argv[0], "--load-only", path, NULL };

    g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
  }
  return 0;
}
