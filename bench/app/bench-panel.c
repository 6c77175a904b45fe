/* bench-panel.c: the Jobs panel with 100 000 jobs in the store, under Xvfb with the cairo renderer.
 * Prints: time to first frame, time to apply a search keystroke, frame times while scrolling from
 * top to bottom (p50 / p95 from the frame clock), and RSS. Targets: first frame < 1 s, keystroke
 * < 50 ms, p95 frame < 16 ms. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wevion-application.h"
#include "wevion-filter-model.h"
#include "wevion-job-card.h"
#include "wevion-window.h"

/* 100 000 unless WEVION_BENCH_JOBS says otherwise (fewer, for profiling under callgrind) */
static int N_JOBS = 100000;

static const char *const words[]
    = { "fox",    "snow",  "city",   "neon",    "lighthouse", "portrait", "coffee", "ocean",
        "forest", "robot", "sunset", "product", "studio",     "vintage",  "poster", "river" };

static gint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static void
fill (WevionJobStore *store)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  GRand *rand = g_rand_new_with_seed (42);

  for (int i = 0; i < N_JOBS; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench-%06d", i);
      g_autofree char *prompt
          = g_strdup_printf ("A %s %s with %s light, number %d", words[g_rand_int_range (rand, 0, 16)],
                             words[g_rand_int_range (rand, 0, 16)], words[g_rand_int_range (rand, 0, 16)], i);
      g_autoptr (GDateTime) created = g_date_time_add_seconds (now, -60.0 * i);
      g_autoptr (GDateTime) done = g_date_time_add_seconds (created, 30);
      WevionJob *job = wevion_job_new (id, (WevionJobType) (1 + i % 5), "flux_2_pro", prompt);

      g_object_set (job, "created-at", created, "completed-at", done, "status-name",
                    i % 7 == 0 ? "failed" : "completed", "cost-cents", (gint64) (i % 7 == 0 ? 0 : 25),
                    "user-id", "demo", NULL);
      g_ptr_array_add (jobs, job);
    }
  wevion_job_store_merge (store, jobs);
  g_rand_free (rand);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gint64 first_frame_at;
static gint64 last_paint_at;
static GArray *frame_times; /* ms between frames while scrolling (includes the clock's pacing) */
static GArray *work_times;  /* ms each of those frames spent on its own work: before-paint to after-paint */
static gint64 frame_began;
static gint64 last_frame;
static gboolean scrolling;

static void
before_paint_cb (GdkFrameClock *clock, gpointer data)
{
  frame_began = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock, gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (first_frame_at == 0)
    first_frame_at = now;
  last_paint_at = now;
  if (g_getenv ("WEVION_BENCH_TRACE") && scrolling)
    printf ("  paint %.1f (work %.1f)\n", now / 1000.0, (now - frame_began) / 1000.0);
  if (scrolling && last_frame)
    {
      double ms = (now - last_frame) / 1000.0;
      g_array_append_val (frame_times, ms);
      if (work_times && frame_began)
        {
          double work = (now - frame_began) / 1000.0;
          g_array_append_val (work_times, work);
        }
    }
  last_frame = now;
}

static void
trace_items_cb (GListModel *model, guint pos, guint removed, guint added, gpointer data)
{
  printf ("  items-changed %.1f: %u -%u +%u -> %u\n", g_get_monotonic_time () / 1000.0, pos, removed, added,
          g_list_model_get_n_items (model));
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
spin_until (gboolean *flag, int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while ((flag == NULL || !*flag) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (WevionApplication) app = NULL;
  WevionWindow *window;
  GdkFrameClock *clock;
  GtkAdjustment *adjustment;
  GtkWidget *list;
  gint64 rss_before, rss_store, rss_window, t0, t1;
  double keystroke_ms, p50, p95;
  guint n_visible;

  gtk_init ();
  if (g_getenv ("WEVION_BENCH_JOBS"))
    N_JOBS = MAX (1000, atoi (g_getenv ("WEVION_BENCH_JOBS")));
  g_setenv ("WEVION_SERVER_URL", "http://127.0.0.1:9", TRUE); /* nothing answers: no network in the figures */
  g_setenv ("WEVION_TOKEN", "bench", TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1280x800", TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_tmp_dir (), TRUE);

  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  rss_before = rss_kib ();
  t0 = g_get_monotonic_time ();
  fill (wevion_application_get_store (app));
  t1 = g_get_monotonic_time ();
  rss_store = rss_kib ();
  printf ("store: %d jobs merged in %.0f ms, RSS +%.1f MiB\n", N_JOBS, (t1 - t0) / 1000.0,
          (rss_store - rss_before) / 1024.0);

  /* time to first frame: from creating the window to its first paint */
  t0 = g_get_monotonic_time ();
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_widget_realize (GTK_WIDGET (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  while (first_frame_at == 0)
    g_main_context_iteration (NULL, TRUE);
  printf ("first frame: %.0f ms (target < 1000)\n", (first_frame_at - t0) / 1000.0);
  spin_until (NULL, 500);
  rss_window = rss_kib ();

  /* binding one card to another job, as scrolling does for each row that comes into view */
  {
    GtkWidget *card = wevion_job_card_new ();
    GtkWidget *holder = gtk_window_new ();
    GListModel *jobs = G_LIST_MODEL (wevion_application_get_store (app));

    gtk_window_set_child (GTK_WINDOW (holder), card);
    gtk_window_present (GTK_WINDOW (holder));
    spin_until (NULL, 200);
    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < 2000; i++)
      {
        g_autoptr (WevionJob) job = g_list_model_get_item (jobs, (i * 37) % N_JOBS);
        wevion_job_card_set_job (WEVION_JOB_CARD (card), job);
      }
    t1 = g_get_monotonic_time ();
    printf ("card bind: %.3f ms per job\n", (t1 - t0) / 1000.0 / 2000);
    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < 100; i++)
      g_object_unref (g_object_ref_sink (wevion_job_card_new ()));
    t1 = g_get_monotonic_time ();
    printf ("card creation: %.3f ms per card\n", (t1 - t0) / 1000.0 / 100);
    gtk_window_destroy (GTK_WINDOW (holder));
  }

  /* a search keystroke: the filter runs over every job */
  {
    WevionFilterModel *filtered = WEVION_FILTER_MODEL (wevion_window_get_visible_jobs (window));
    gint64 t2;

    gint64 t_have, t_shown, cpu0, cpu1;
    double fill_p50, fill_max;

    /* frames painted while the list fills: their own work (before-paint to after-paint) */
    work_times = g_array_new (FALSE, FALSE, sizeof (double));
    frame_times = g_array_new (FALSE, FALSE, sizeof (double));
    scrolling = TRUE;
    last_frame = 0;
    GtkWidget *list_view = wevion_window_get_list_view (window);
    GtkWidget *row = gtk_widget_get_first_child (list_view);
    guint screenful
        = row ? (guint) (gtk_widget_get_height (list_view) / MAX (1, gtk_widget_get_height (row)) + 1) : 20;

    printf ("a screenful is %u rows of %d px\n", screenful, row ? gtk_widget_get_height (row) : 0);
    /* the list has taken in every job before the search starts */
    while (wevion_filter_model_get_pending (filtered) > 0)
      g_main_context_iteration (NULL, TRUE);
    spin_until (NULL, 200);
    if (g_getenv ("WEVION_BENCH_TRACE"))
      g_signal_connect (filtered, "items-changed", G_CALLBACK (trace_items_cb), NULL);
    cpu0 = thread_cpu_us ();
    t0 = g_get_monotonic_time ();
    if (g_getenv ("WEVION_BENCH_TRACE"))
      printf ("  key %.1f\n", t0 / 1000.0);
    wevion_window_set_search_text (window, "lighthouse");
    if (g_getenv ("WEVION_BENCH_TRACE"))
      printf ("  key done %.1f\n", g_get_monotonic_time () / 1000.0);
    t1 = g_get_monotonic_time ();
    /* the first screenful of matches: as many rows as fit in the list's height ... */
    while (g_list_model_get_n_items (G_LIST_MODEL (filtered)) < screenful
           && wevion_filter_model_get_pending (filtered) > 0)
      g_main_context_iteration (NULL, TRUE);
    t_have = g_get_monotonic_time ();
    /* ... painted */
    while (last_paint_at < t_have)
      g_main_context_iteration (NULL, TRUE);
    t_shown = last_paint_at;
    cpu1 = thread_cpu_us ();
    while (wevion_filter_model_get_pending (filtered) > 0)
      g_main_context_iteration (NULL, TRUE);
    t2 = g_get_monotonic_time ();
    scrolling = FALSE;
    g_array_sort (work_times, compare_double);
    fill_p50 = work_times->len ? g_array_index (work_times, double, work_times->len / 2) : 0;
    fill_max = work_times->len ? g_array_index (work_times, double, work_times->len - 1) : 0;
    g_clear_pointer (&work_times, g_array_unref);
    g_clear_pointer (&frame_times, g_array_unref);
    n_visible = g_list_model_get_n_items (G_LIST_MODEL (filtered));
    keystroke_ms = (t_shown - t0) / 1000.0;
    printf ("search keystroke: %.1f ms until the first matches are on screen (target < 50); "
            "the key itself took %.1f ms; main thread CPU until then %.1f ms\n",
            keystroke_ms, (t1 - t0) / 1000.0, (cpu1 - cpu0) / 1000.0);
    printf ("  all %u matches of %d in after %.1f ms; frames meanwhile: work p50 %.1f ms, max %.1f ms\n",
            n_visible, N_JOBS, (t2 - t0) / 1000.0, fill_p50, fill_max);
    t0 = g_get_monotonic_time ();
    wevion_window_set_search_text (window, "");
    t1 = g_get_monotonic_time ();
    while (wevion_filter_model_get_pending (filtered) > 0)
      g_main_context_iteration (NULL, TRUE);
    t2 = g_get_monotonic_time ();
    printf ("clearing the search: %.1f ms, all in after %.1f ms\n", (t1 - t0) / 1000.0, (t2 - t0) / 1000.0);
  }
  /* for profiling the keystroke alone (under perf or callgrind): N more keystrokes, timed */
  if (g_strcmp0 (g_getenv ("WEVION_BENCH_STOP"), "keystroke") == 0)
    {
      int n = g_getenv ("WEVION_BENCH_KEYSTROKES") ? atoi (g_getenv ("WEVION_BENCH_KEYSTROKES")) : 0;
      g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

      for (int i = 0; i < n; i++)
        {
          double ms;

          t0 = g_get_monotonic_time ();
          wevion_window_set_search_text (window, i % 2 ? "" : "lighthouse");
          ms = (g_get_monotonic_time () - t0) / 1000.0;
          g_array_append_val (times, ms);
          spin_until (NULL, 20);
        }
      if (n > 0)
        {
          g_array_sort (times, compare_double);
          printf ("%d more keystrokes: median %.1f ms\n", n, g_array_index (times, double, n / 2));
        }
      return 0;
    }
  spin_until (NULL, 300);

  /* what a frame costs by itself: redraw the window without changing anything */
  {
    frame_times = g_array_new (FALSE, FALSE, sizeof (double));
    scrolling = TRUE;
    last_frame = 0;
    for (int i = 0; i < 60; i++)
      {
        guint before = frame_times->len;
        gtk_widget_queue_draw (GTK_WIDGET (window));
        while (frame_times->len == before)
          g_main_context_iteration (NULL, TRUE);
      }
    scrolling = FALSE;
    g_array_sort (frame_times, compare_double);
    printf ("redrawing the unchanged window: p50 %.1f ms, p95 %.1f ms\n",
            g_array_index (frame_times, double, frame_times->len / 2),
            g_array_index (frame_times, double, (frame_times->len * 95) / 100));
    g_array_unref (frame_times);
  }

  /* scrolling as a wheel or touchpad does: 60 px per frame through 300 frames */
  {
    GtkAdjustment *adj
        = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (wevion_window_get_list_view (window)));
    double start = gtk_adjustment_get_value (adj);

    frame_times = g_array_new (FALSE, FALSE, sizeof (double));
    work_times = g_array_new (FALSE, FALSE, sizeof (double));
    scrolling = TRUE;
    last_frame = 0;
    for (int i = 1; i <= 300; i++)
      {
        guint before = frame_times->len;
        gtk_adjustment_set_value (adj, start + 60.0 * i);
        while (frame_times->len == before)
          g_main_context_iteration (NULL, TRUE);
      }
    scrolling = FALSE;
    g_array_sort (frame_times, compare_double);
    g_array_sort (work_times, compare_double);
    printf ("smooth scrolling (60 px per frame): work per frame p50 %.1f ms, p95 %.1f ms (target p95 < 16); "
            "between frames p50 %.1f ms, p95 %.1f ms\n",
            g_array_index (work_times, double, work_times->len / 2),
            g_array_index (work_times, double, (work_times->len * 95) / 100),
            g_array_index (frame_times, double, frame_times->len / 2),
            g_array_index (frame_times, double, (frame_times->len * 95) / 100));
    g_array_unref (frame_times);
    g_clear_pointer (&work_times, g_array_unref);
    gtk_adjustment_set_value (adj, 0);
    spin_until (NULL, 200);
  }

  /* scrolling from top to bottom, one step per frame */
  list = wevion_window_get_list_view (window);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  frame_times = g_array_new (FALSE, FALSE, sizeof (double));
  work_times = g_array_new (FALSE, FALSE, sizeof (double));
  scrolling = TRUE;
  last_frame = 0;
  {
    double upper = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
    int steps = 600;

    for (int i = 1; i <= steps; i++)
      {
        guint before = frame_times->len;
        gtk_adjustment_set_value (adjustment, upper * i / steps);
        while (frame_times->len == before)
          g_main_context_iteration (NULL, TRUE);
      }
  }
  scrolling = FALSE;
  {
    /* does a frame cost more the further we have scrolled? (the list keeps what it measured) */
    double early = 0, late = 0;
    guint k = MIN (60u, frame_times->len / 2);

    for (guint i = 0; i < k; i++)
      {
        early += g_array_index (frame_times, double, i);
        late += g_array_index (frame_times, double, frame_times->len - 1 - i);
      }
    printf ("scrolling: mean frame %.1f ms over the first %u frames, %.1f ms over the last %u\n", early / k,
            k, late / k, k);
  }
  g_array_sort (frame_times, compare_double);
  p50 = g_array_index (frame_times, double, frame_times->len / 2);
  p95 = g_array_index (frame_times, double, (frame_times->len * 95) / 100);
  g_array_sort (work_times, compare_double);
  printf (
      "scrolling top to bottom: %u frames; work per frame p50 %.1f ms, p95 %.1f ms; between frames p50 %.1f "
      "ms, p95 %.1f ms\n",
      frame_times->len, g_array_index (work_times, double, work_times->len / 2),
      g_array_index (work_times, double, (work_times->len * 95) / 100), p50, p95);
  g_clear_pointer (&work_times, g_array_unref);
  printf ("RSS: %.1f MiB before the store, %.1f MiB with %d jobs, %.1f MiB with the window\n",
          rss_before / 1024.0, rss_store / 1024.0, N_JOBS, rss_window / 1024.0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (frame_times);
  return 0;
}
