/* test-soak.c: half a minute of the soak (bench/soak/soak-core runs it for ten): 200 jobs kept
 * active against a real wevion-hub; every job ends once, with one job-finished, in the state the hub
 * has, and the core holds no more file descriptors at the end than after its start. */
#include "config.h"

#include "soak-engine.h"
#include "wevion-core.h"

static void
test_short_soak (void)
{
  g_autofree char *hub = g_build_filename (g_getenv ("WEVION_BUILD_ROOT"), "src", "hub", "wevion-hub", NULL);
  SoakOptions options = {
    .hub_exe = hub,
    .duration_s = 20,
    .active = 200,
    .speed = 20,
    .workers = 8,
    .drain_s = 60,
    .sample_s = 5,
    .verbose = FALSE,
  };
  SoakResult result;
  int fds_start, fds_end;

  soak_result_init (&result);
  g_assert_true (soak_run (&options, &result));
  for (guint i = 0; i < result.problems->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (result.problems, i));
  g_test_message (
      "%u submitted, %u completed, %u failed, %u seen active, %u first seen ended, %u transitions, "
      "%u job-finished, %u polls, %.0f s",
      result.submitted, result.completed, result.failed, result.seen_active, result.seen_terminal,
      result.transitions, result.finished_signals, result.polls, result.seconds);
  g_assert_cmpuint (result.problems->len, ==, 0);
  g_assert_cmpuint (result.submit_errors, ==, 0);
  /* more than the first 200: jobs ended and were replaced while the core kept up */
  g_assert_cmpuint (result.submitted, >, options.active);
  g_assert_cmpuint (result.completed + result.failed, ==, result.submitted);
  g_assert_cmpuint (result.completed, >, 0);
  g_assert_cmpuint (result.failed, >, 0);
  /* every job the store saw active was announced once */
  g_assert_cmpuint (result.finished_signals, ==, result.seen_active);
  g_assert_cmpuint (result.seen_active + result.seen_terminal, ==, result.submitted);
  /* no descriptors left behind: the last sample holds no more than the first plus the connection pool */
  g_assert_cmpuint (result.fds->len, >=, 2);
  fds_start = g_array_index (result.fds, int, 0);
  fds_end = g_array_index (result.fds, int, result.fds->len - 1);
  g_test_message ("fds: %d at the start, %d at the end", fds_start, fds_end);
  g_assert_cmpint (fds_end, <=, fds_start + 12);
  soak_result_clear (&result);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* the poller's test hook: ticks every 500 ms instead of 5 s so half a minute sees many polls */
  g_setenv ("WEVION_POLL_INTERVAL_MS", "500", TRUE);
  g_test_add_func ("/wevion/soak/short", test_short_soak);
  return g_test_run ();
}
