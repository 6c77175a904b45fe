/* wevion-notifier.h: tells the user when jobs finish (desktop notifications through libnotify, or
 * a toast while the window has the focus) and keeps the application running in the background
 * while there is still something to tell. */
#pragma once

#include "wevion-application.h"

G_BEGIN_DECLS

#define WEVION_TYPE_NOTIFIER (wevion_notifier_get_type ())
G_DECLARE_FINAL_TYPE (WevionNotifier, wevion_notifier, WEVION, NOTIFIER, GObject)

/* Jobs finishing within this many milliseconds of the first are announced together. */
#define WEVION_NOTIFIER_BATCH_MS 300
/* From this many jobs in one batch on, one summary notification instead of one per job. */
#define WEVION_NOTIFIER_BURST 3
/* Prompt excerpts in notifications are at most this many characters. */
#define WEVION_NOTIFIER_EXCERPT_CHARS 80

/* Listens to the store's job-finished; one notification per job, with a stable id, whose buttons
 * activate the same app.* actions (with the job id) the cards use. Adds the action
 * app.show-finished ("s": "completed", "failed" or "all"), the default action of a summary.
 *
 * Background: while jobs are active, a batch is waiting, or a notification it raised is still
 * open (so its buttons keep working; at most WEVION_NOTIFIER_LINGER_S), the notifier holds the
 * application, so closing the window does not stop polling. With the setting run-in-background
 * it holds it always (and asks the Flatpak Background portal when sandboxed). */
#define WEVION_NOTIFIER_LINGER_S (10 * 60)

WevionNotifier *wevion_notifier_new (WevionApplication *app);
/* TRUE while the notifier holds the application */
gboolean wevion_notifier_get_holding (WevionNotifier *self);

/* The words of a notification, for tests and toasts (transfer full). */
char *wevion_notifier_excerpt (const char *text, int max_chars);

G_END_DECLS
