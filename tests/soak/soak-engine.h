/* soak-engine.h: the core headless against a real wevion-hub for a while, and what it saw.
 *
 * Shared by bench/soak/soak-core (ten minutes, 1000 active jobs, RSS series) and
 * tests/soak/test-soak (half a minute, 200 jobs). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *hub_exe; /* path to wevion-hub */
  int duration_s;      /* how long jobs are submitted to keep @active of them active */
  guint active;        /* jobs kept pending/processing */
  double speed;        /* the hub's --speed */
  int workers;         /* the hub's --workers */
  int drain_s;         /* at most this long for the last jobs to end afterwards */
  int sample_s;        /* RSS and fd sample period */
  gboolean verbose;    /* print the samples as they come */
} SoakOptions;

typedef struct
{
  guint submitted;     /* 202 answers */
  guint submit_errors; /* submits that failed */
  guint seen_active;   /* jobs the store first saw pending/processing */
  guint seen_terminal; /* jobs the store first saw already ended (no notification owed) */
  guint completed;     /* in the hub's database at the end */
  guint failed;
  guint transitions;      /* ::transition signals */
  guint finished_signals; /* ::job-finished signals */
  guint polls;            /* the poller's ticks */
  GArray *rss_kb;         /* VmRSS per sample (long) */
  GArray *fds;            /* open fds per sample (int) */
  GPtrArray *problems;    /* every broken expectation, in words */
  double seconds;         /* the whole run */
} SoakResult;

void soak_result_init (SoakResult *result);
void soak_result_clear (SoakResult *result);

/* Runs the soak; FALSE (with a problem noted) when the hub could not start. */
gboolean soak_run (const SoakOptions *options, SoakResult *result);

long soak_rss_kb (void);
int soak_fd_count (void);

G_END_DECLS
