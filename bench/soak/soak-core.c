/* soak-core: the core headless (client, store, cache, poller) tracking N active jobs against a real
 * wevion-hub for a while: transitions and job-finished counted per job and compared with the hub's
 * database, RSS and open fds sampled every minute.
 *
 * Usage: soak-core [--duration S] [--active N] [--speed F] [--workers N] [--sample S] [--hub PATH]
 * Exit status 0 when every check held. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "soak-engine.h"

#ifndef WEVION_HUB_PATH
#define WEVION_HUB_PATH "wevion-hub"
#endif

int
main (int argc, char *argv[])
{
  int duration = 600, active = 1000, workers = 8, sample = 60, drain = 300;
  double speed = 4;
  g_autofree char *hub = NULL;
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "Seconds of submitting (default 600)", "S" },
    { "active", 'a', 0, G_OPTION_ARG_INT, &active, "Jobs kept active (default 1000)", "N" },
    { "speed", 's', 0, G_OPTION_ARG_DOUBLE, &speed, "The hub's --speed (default 4)", "F" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, "The hub's --workers (default 8)", "N" },
    { "sample", 0, 0, G_OPTION_ARG_INT, &sample, "Seconds between RSS samples (default 60)", "S" },
    { "drain", 0, 0, G_OPTION_ARG_INT, &drain, "At most this long for the last jobs (default 300)", "S" },
    { "hub", 0, 0, G_OPTION_ARG_FILENAME, &hub, "Path to wevion-hub", "PATH" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— the core against a real hub for a while");
  g_autoptr (GError) error = NULL;
  SoakOptions options;
  SoakResult result;
  long warm, last, peak = 0;
  guint warm_index;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  options = (SoakOptions){
    hub ? hub : WEVION_HUB_PATH, duration, (guint) active, speed, workers, drain, sample, TRUE
  };
  printf ("Soak: %d active jobs for %d s, hub --speed %g --workers %d, poll interval %s\n", active, duration,
          speed, workers,
          g_getenv ("WEVION_POLL_INTERVAL_MS") ? g_getenv ("WEVION_POLL_INTERVAL_MS") : "5 s");
  soak_result_init (&result);
  if (!soak_run (&options, &result))
    {
      fprintf (stderr, "%s\n", (const char *) g_ptr_array_index (result.problems, 0));
      return 1;
    }

  printf ("  %u jobs submitted (%u submit errors): %u completed, %u failed in the hub\n", result.submitted,
          result.submit_errors, result.completed, result.failed);
  printf ("  store: %u seen while active, %u first seen ended; %u transitions, %u job-finished, %u polls, "
          "%.0f s in all\n",
          result.seen_active, result.seen_terminal, result.transitions, result.finished_signals, result.polls,
          result.seconds);
  printf ("  RSS (MB) per sample:");
  for (guint i = 0; i < result.rss_kb->len; i++)
    {
      long kb = g_array_index (result.rss_kb, long, i);

      peak = MAX (peak, kb);
      printf (" %.1f", kb / 1024.0);
    }
  printf ("\n  open fds per sample:");
  for (guint i = 0; i < result.fds->len; i++)
    printf (" %d", g_array_index (result.fds, int, i));
  printf ("\n");
  /* warm-up: the first two samples (the first burst of submits, caches and pools filling) */
  warm_index = MIN (2, result.rss_kb->len - 1);
  warm = g_array_index (result.rss_kb, long, warm_index);
  last = g_array_index (result.rss_kb, long, result.rss_kb->len - 1);
  printf ("  RSS after warm-up %.1f MB, at the end %.1f MB (%+.1f%%), peak %.1f MB\n", warm / 1024.0,
          last / 1024.0, 100.0 * (last - warm) / MAX (warm, 1), peak / 1024.0);
  for (guint i = 0; i < result.problems->len; i++)
    printf ("  PROBLEM: %s\n", (const char *) g_ptr_array_index (result.problems, i));
  status = result.problems->len == 0 ? 0 : 1;
  printf ("  %s\n", status == 0 ? "every check held" : "CHECKS FAILED");
  soak_result_clear (&result);
  return status;
}
