/* wevion-notify-text.h: the words of job notifications and the decision to hold the application,
 * free of GTK and libnotify so they are tested without a display (tests/notify/test-notify-text.c).
 *
 * Every piece of server text (prompt, provider, error message) is escaped in what these return as
 * markup: notification bodies are markup. */
#pragma once

#include "wevion-core.h"

G_BEGIN_DECLS

/* Prompt excerpts in notifications are at most this many characters. */
#define WEVION_NOTIFY_EXCERPT_CHARS 80
/* A summary notification lists at most this many jobs by name. */
#define WEVION_NOTIFY_BURST_LISTED 4

/* Whitespace and control characters collapsed to single spaces, cut to @max_chars characters with
 * an ellipsis (the ellipsis counts). Plain text, not escaped. */
char *wevion_notify_excerpt (const char *text, int max_chars);
/* "Image ready", "Video failed", …: plain text (transfer none). */
const char *wevion_notify_summary (WevionJobType type, gboolean completed);
/* The summary of @job by its status. */
const char *wevion_notify_summary_for_job (WevionJob *job);
/* The error message, or the seed's advice when the server sent none (plain text). */
char *wevion_notify_failure_text (const char *error_message);
/* “excerpt”, escaped (markup). */
char *wevion_notify_quoted_excerpt (const char *prompt);
/* The body of one job's notification (markup): completed: the quoted prompt, then provider,
 * duration and cost; failed: the error, then provider and the quoted prompt. */
char *wevion_notify_body (WevionJob *job);
/* "5 jobs completed, 1 failed" (plain text). */
char *wevion_notify_burst_summary (guint n_completed, guint n_failed);
/* The body of a summary notification (markup): one line per job, at most
 * WEVION_NOTIFY_BURST_LISTED, then "and N more". */
char *wevion_notify_burst_body (GPtrArray *jobs);

/* Everything the hold on the application depends on. */
typedef struct
{
  gboolean run_in_background; /* the setting */
  guint n_active;             /* active jobs in the store (hidden ones too) */
  gboolean poller_stopped;    /* the poller cannot go on by itself (token refused, not connected) */
  guint n_batched;            /* finished jobs waiting to be announced */
  guint n_open;               /* our notifications still open */
  gboolean linger_over;       /* they have been open long enough: they no longer hold */
  guint n_work;               /* work started by an action still running (downloads, submits, GETs) */
} WevionHoldState;

/* TRUE while the application must keep running without a window. Active jobs hold it only while
 * the poller can still watch them. */
gboolean wevion_notify_hold_wanted (const WevionHoldState *state);

G_END_DECLS
