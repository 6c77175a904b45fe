/* wevion-format.h: times, durations and sizes in words a person reads at a glance. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "just now", "2 min ago", "3 h ago", "yesterday", "12 Nov" */
char *wevion_format_relative_time (GDateTime *time, GDateTime *now);
/* the exact local time for tooltips: "Sunday, 29 November 2026, 14:05:09" */
char *wevion_format_exact_time (GDateTime *time);
/* "12 s", "1 min 42 s", "2 h 5 min" */
char *wevion_format_duration (gint64 seconds);
/* "0:42", "12:05", "1:02:03" for ticking elapsed time */
char *wevion_format_clock (gint64 seconds);

G_END_DECLS
