/* wevion-notifier.h: tells the user when jobs finish (desktop notifications through libnotify, or
 * a toast while the window has the focus) and keeps the application running in the background
 * while there is still something to tell. */
#pragma once

#include "wevion-application.h"
#include "wevion-notify-text.h"

G_BEGIN_DECLS

#define WEVION_TYPE_NOTIFIER (wevion_notifier_get_type ())
G_DECLARE_FINAL_TYPE (WevionNotifier, wevion_notifier, WEVION, NOTIFIER, GObject)

/* Jobs finishing within this many milliseconds of the first are announced together. */
#define WEVION_NOTIFIER_BATCH_MS 300
/* From this many jobs in one batch on, one summary notification instead of one per job. */
#define WEVION_NOTIFIER_BURST 3
/* Prompt excerpts in notifications are at most this many characters. */
#define WEVION_NOTIFIER_EXCERPT_CHARS WEVION_NOTIFY_EXCERPT_CHARS

/* Listens to the store's job-finished; one notification per job, with a stable id, whose buttons
 * activate the same app.* actions (with the job id) the cards use. Adds the actions
 * app.show-finished ("s": "completed", "failed" or "all": the window on that view) and
 * app.show-jobs ("as": the window showing just those jobs), the default action of a summary.
 *
 * Background: while jobs are active (and the poller can still watch them: not once the token was
 * refused), a batch is waiting, work an action started is running, or a notification it raised is
 * still open (so its buttons keep working; at most WEVION_NOTIFIER_LINGER_S), the notifier holds
 * the application, so closing the window does not stop polling (wevion_notify_hold_wanted () is the
 * decision). With the setting run-in-background it holds it always (and asks the Flatpak
 * Background portal when sandboxed, or when WEVION_TEST_SANDBOXED=1; a refusal turns the setting
 * off and says why). On resume from suspend (logind's PrepareForSleep on the system bus, when
 * there is one) the poller polls at once. */
#define WEVION_NOTIFIER_LINGER_S (10 * 60)

WevionNotifier *wevion_notifier_new (WevionApplication *app);
/* TRUE while the notifier holds the application */
gboolean wevion_notifier_get_holding (WevionNotifier *self);

/* Counts work an action started (a download, a submit, a GET of a job not in the store): while any
 * runs, the application is held, so a button pressed with the window closed finishes its work.
 * work_end re-decides at once (not in an idle). */
void wevion_notifier_work_begin (WevionNotifier *self);
void wevion_notifier_work_end (WevionNotifier *self);
/* Re-decides the hold now (the connection or the poller's state changed). */
void wevion_notifier_update_hold (WevionNotifier *self);
/* Follows @poller's state: active jobs stop holding the application once the token is refused
 * (and the user is told, by a notification when the window is not focused). */
void wevion_notifier_watch_poller (WevionNotifier *self, WevionPoller *poller);
/* @text (plain) for the user: a toast when the window is open, else a desktop notification (and a
 * g_message), never silence. */
void wevion_notifier_tell (WevionNotifier *self, const char *text);

/* A GTestLogFatalFunc: FALSE (not fatal) for libnotify's "Running in confined mode" warning, the
 * one it gives inside Flatpak; the notifier installs it outside GTest programs. */
gboolean wevion_notifier_log_is_harmless (const char *log_domain, GLogLevelFlags level, const char *message,
                                          gpointer user_data);

/* The words of a notification, for tests and toasts (transfer full). */
char *wevion_notifier_excerpt (const char *text, int max_chars);

G_END_DECLS
