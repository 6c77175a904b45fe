/* app-test-utils.h: helpers for the UI tests (a real window under Xvfb). */
#pragma once

#include <gtk/gtk.h>

#include "wevion-job-card.h"

G_BEGIN_DECLS

/* $WEVION_TEST_TIMEOUT_MULTIPLIER (build-aux/test.sh sets it in the sanitizer phase), or 1 */
double at_timeout_multiplier (void);

/* Iterates the main loop until @expr holds, failing the test after @seconds (times the multiplier). */
#define AT_WAIT(expr, seconds)                                                                               \
  G_STMT_START                                                                                               \
  {                                                                                                          \
    gint64 _deadline                                                                                         \
        = g_get_monotonic_time () + (gint64) ((seconds) *at_timeout_multiplier () * G_USEC_PER_SEC);         \
    while (!(expr))                                                                                          \
      {                                                                                                      \
        if (g_get_monotonic_time () > _deadline)                                                             \
          g_error ("%s:%d: timed out after %d s waiting for: %s", __FILE__, __LINE__, (int) (seconds),       \
                   #expr);                                                                                   \
        g_main_context_iteration (NULL, FALSE);                                                              \
        g_usleep (2000);                                                                                     \
      }                                                                                                      \
  }                                                                                                          \
  G_STMT_END

/* Lets the main loop run for @ms milliseconds (animations, layout). */
void at_spin (int ms);
/* Writes what @widget shows now to $G_TEST_BUILDDIR/screenshots/NAME.png; returns the path. */
char *at_screenshot (GtkWidget *widget, const char *name);
/* The first GtkLabel below @root whose text contains @text, or NULL */
GtkWidget *at_find_label (GtkWidget *root, const char *text);
/* The first widget below @root of @type, or NULL */
GtkWidget *at_find_widget (GtkWidget *root, GType type);

/* The mapped job card below @root that shows the job @job_id, or NULL */
WevionJobCard *at_find_card (GtkWidget *root, const char *job_id);

G_END_DECLS
