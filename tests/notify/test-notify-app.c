/* test-notify-app.c: the parts of notifications that act on the window, in the real app under X:
 * an action that comes while the app is still connecting waits for the connection; a summary's
 * app.show-jobs shows just its jobs; libnotify's confined-mode warning is not fatal. No server
 * answers (the configured one is a closed port, and no keyring has its token): jobs go into the
 * store directly. */
#include "config.h"

#include <string.h>

#include "app-test-utils.h"
#include "core-test-utils.h"
#include "wevion-application.h"
#include "wevion-filter-model.h"
#include "wevion-notifier.h"
#include "wevion-window.h"

static WevionApplication *app;
static WevionWindow *window;
static gboolean action_was_early;
static gboolean action_waited; /* the app logged that the action waits for the connection */

/* Every message goes on to the default writer; the one that says an action waits is noted. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0
        && strstr (fields[i].value, "waits for the connection"))
      action_waited = TRUE;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static guint
n_visible (void)
{
  GListModel *model = wevion_window_get_visible_jobs (window);

  /* the list filters in chunks: only a finished pass counts */
  if (wevion_filter_model_get_pending (WEVION_FILTER_MODEL (model)) > 0)
    return G_MAXUINT;
  return g_list_model_get_n_items (model);
}

static gboolean
visible_are (const char *const *ids)
{
  GListModel *model = wevion_window_get_visible_jobs (window);
  guint n = g_strv_length ((char **) ids);

  if (n_visible () != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (model, i);
      if (!g_strv_contains (ids, wevion_job_get_id (job)))
        return FALSE;
    }
  return TRUE;
}

static void
add (const char *id, const char *status, const char *created)
{
  g_autoptr (WevionJob) job = wt_job (id, status, created, NULL);

  wevion_job_store_add (wevion_application_get_store (app), job);
}

/* Started by D-Bus activation for an action, the app is still looking up its token when the action
 * comes: the action waits for that (then fetches the job), rather than fail at once. */
static void
test_action_waits_for_connection (void)
{
  /* main () activated the action at once after startup, with the lookup under way */
  g_assert_true (action_was_early);
  g_assert_true (action_waited);
  AT_WAIT (wevion_application_get_connection (app) == WEVION_CONNECTION_NONE, 20);
  /* no token in any keyring: not connected, and the waiting action says so in words */
  AT_WAIT (at_find_label (GTK_WIDGET (window), "The job not-in-the-store could not be loaded: not connected"),
           10);
}

static void
test_show_jobs (void)
{
  const char *burst[] = { "c1", "f1", "c3", NULL };
  const char *active[] = { "p1", "p2", NULL };
  const char *all[] = { "c1", "c2", "c3", "f1", "f2", "p1", "p2", NULL };

  add ("c1", "completed", "2026-11-01T10:00:00Z");
  add ("c2", "completed", "2026-11-01T10:01:00Z");
  add ("c3", "completed", "2026-11-01T10:02:00Z");
  add ("f1", "failed", "2026-11-01T10:03:00Z");
  add ("f2", "failed", "2026-11-01T10:04:00Z");
  add ("p1", "pending", "2026-11-01T10:05:00Z");
  add ("p2", "processing", "2026-11-01T10:06:00Z");
  wevion_window_set_view (window, WEVION_VIEW_ALL);
  AT_WAIT (visible_are (all), 10);

  /* what a summary notification's click does: just its jobs, completed and failed together */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-jobs", g_variant_new_strv (burst, -1));
  AT_WAIT (visible_are (burst), 10);
  at_screenshot (GTK_WIDGET (window), "notify-show-jobs");

  /* a view picked by hand ends it */
  wevion_window_set_view (window, WEVION_VIEW_ACTIVE);
  AT_WAIT (visible_are (active), 10);
  wevion_window_set_view (window, WEVION_VIEW_ALL);
  AT_WAIT (visible_are (all), 10);

  /* "All Jobs" itself ends it too, and so does Clear Filters */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-jobs", g_variant_new_strv (burst, -1));
  AT_WAIT (visible_are (burst), 10);
  wevion_window_set_view (window, WEVION_VIEW_ALL);
  AT_WAIT (visible_are (all), 10);
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-jobs", g_variant_new_strv (burst, -1));
  AT_WAIT (visible_are (burst), 10);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  AT_WAIT (visible_are (all), 10);
}

/* Inside Flatpak libnotify 0.8.1 warns "Running in confined mode…" at its first notification;
 * G_DEBUG=fatal-warnings (and GTest) would make that abort. */
static void
test_confined_mode_not_fatal (void)
{
  g_assert_false (wevion_notifier_log_is_harmless (
      "libnotify", G_LOG_LEVEL_WARNING,
      "Running in confined mode, using Portal notifications. Some features and hints won't be supported",
      NULL));
  /* every other warning stays fatal */
  g_assert_true (wevion_notifier_log_is_harmless ("libnotify", G_LOG_LEVEL_WARNING, "Something else", NULL));
  g_assert_true (
      wevion_notifier_log_is_harmless ("Gtk", G_LOG_LEVEL_WARNING, "Running in confined mode", NULL));
  g_assert_true (
      wevion_notifier_log_is_harmless ("libnotify", G_LOG_LEVEL_CRITICAL, "Running in confined mode", NULL));

  /* and installed, the warning itself goes by, where it would abort the program otherwise (in a
   * subprocess: GTest reports the fatal-flagged message as a bail-out in its own output) */
  if (g_test_subprocess ())
    {
      g_test_log_set_fatal_handler (wevion_notifier_log_is_harmless, NULL);
      g_log (
          "libnotify", G_LOG_LEVEL_WARNING, "%s",
          "Running in confined mode, using Portal notifications. Some features and hints won't be supported");
      g_print ("still running\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*still running*");
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  dir = wt_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1000x700", TRUE);
  g_unsetenv ("WEVION_SERVER_URL");
  g_unsetenv ("WEVION_TOKEN");
  {
    /* a server, but no token: the app looks for it in the keyring at startup (GSETTINGS_BACKEND is
     * memory: the application's settings share this value) */
    g_autoptr (GSettings) settings = g_settings_new (APP_ID);
    g_settings_set_string (settings, "server-url", "http://127.0.0.1:9");
  }

  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  /* as D-Bus activation does: the action right after startup, before the main loop ran */
  action_was_early = wevion_application_get_connection (app) == WEVION_CONNECTION_CONNECTING;
  g_action_group_activate_action (G_ACTION_GROUP (app), "download-job",
                                  g_variant_new_string ("not-in-the-store"));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0, 20);

  g_test_add_func ("/notify/app/action-waits-for-connection", test_action_waits_for_connection);
  g_test_add_func ("/notify/app/show-jobs", test_show_jobs);
  g_test_add_func ("/notify/app/confined-mode-not-fatal", test_confined_mode_not_fatal);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
  g_object_unref (app);
  wt_rmdir (dir);
  return status;
}
