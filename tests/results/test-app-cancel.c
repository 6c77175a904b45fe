/* test-app-cancel.c: against a seed-only wevion-hub (--minimal: no cancel endpoint), the first
 * Cancel tells the person the server cannot cancel, and from then on Cancel is hidden (not
 * greyed) on the card, in its menu and in the details pane. The whole application, under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "app-test-utils.h"
#include "results-test-utils.h"
#include "wevion-application.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"
#include "wevion-resources.h"
#include "wevion-window.h"

typedef struct
{
  WevionApplication *app;
  RtHub *hub;
  gboolean passed;
} Fixture;

static WevionWindow *
window_of (Fixture *f)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));

  return windows && WEVION_IS_WINDOW (windows->data) ? WEVION_WINDOW (windows->data) : NULL;
}

/* a button below @root bound to @action, shown (greyed counts as shown) */
static GtkWidget *
find_shown_action (GtkWidget *root, const char *action)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shown_action (child, action);
      if (found)
        return found;
    }
  return NULL;
}

/* the actions of the card's "More Actions" menu, built as it opens */
static GString *
menu_actions (WevionJobCard *card)
{
  GtkWidget *button = at_find_widget (GTK_WIDGET (card), GTK_TYPE_MENU_BUTTON);
  GString *out = g_string_new (NULL);
  GMenuModel *model;

  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  at_spin (50);
  model = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_nonnull (model);
  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

      for (int i = 0; section && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
            g_string_append_printf (out, "%s\n", action);
        }
    }
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  at_spin (50);
  return out;
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **id = user_data;
  g_autoptr (GError) error = NULL;

  *id = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
run_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WevionJobStore *store;
  g_autofree char *id = NULL;
  WevionJob *job = NULL;
  WevionJobCard *card = NULL;
  GtkWidget *details;
  g_autoptr (GString) before = NULL;
  g_autoptr (GString) after = NULL;

  AT_WAIT (wevion_application_get_connection (f->app) == WEVION_CONNECTION_READY && window_of (f) != NULL,
           30);
  store = wevion_application_get_store (f->app);

  /* a job the hub holds in processing */
  wevion_application_submit_async (f->app, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "a patient fox [hold]", NULL,
                                   NULL, NULL, submitted_cb, &id);
  AT_WAIT (id != NULL, 30);
  AT_WAIT ((job = wevion_job_store_lookup (store, id)) != NULL, 30);
  g_assert_true (wevion_job_get_is_active (job));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "view-job", g_variant_new_string (id));
  details = at_find_widget (GTK_WIDGET (window_of (f)), WEVION_TYPE_JOB_DETAILS);
  AT_WAIT (wevion_job_details_get_job (WEVION_JOB_DETAILS (details)) == job, 30);

  /* before: Cancel is offered everywhere */
  AT_WAIT ((card = at_find_card (GTK_WIDGET (window_of (f)), id)) != NULL, 30);
  g_assert_true (wevion_job_can_be_canceled (job));
  AT_WAIT (find_shown_action (GTK_WIDGET (card), "app.cancel-job") != NULL, 30);
  AT_WAIT (find_shown_action (details, "app.cancel-job") != NULL, 30);
  before = menu_actions (card);
  g_assert_nonnull (strstr (before->str, "app.cancel-job"));

  /* the server answers that it cannot cancel */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "cancel-job"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "cancel-job", g_variant_new_string (id));
  AT_WAIT (!g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "cancel-job"), 30);
  g_assert_false (wevion_job_can_be_canceled (job));

  /* after: hidden, not greyed (the card rebinds on the store's tick; the details pane at once) */
  AT_WAIT ((card = at_find_card (GTK_WIDGET (window_of (f)), id)) != NULL
               && find_shown_action (GTK_WIDGET (card), "app.cancel-job") == NULL,
           30);
  AT_WAIT (find_shown_action (details, "app.cancel-job") == NULL, 30);
  after = menu_actions (card);
  g_assert_null (strstr (after->str, "app.cancel-job"));
  g_assert_nonnull (strstr (after->str, "app.view-job"));
  g_assert_true (wevion_job_get_is_active (job));
  g_free (at_screenshot (GTK_WIDGET (window_of (f)), "app-cancel-hidden"));

  f->passed = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
test_cancel_hidden (void)
{
  const char *args[] = { "--minimal", NULL };
  char *argv[] = { (char *) "test-app-cancel", NULL };
  Fixture f = { 0 };

  f.hub = rt_hub_start (NULL, args);
  g_setenv ("WEVION_SERVER_URL", f.hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);
  g_setenv ("WEVION_POLL_INTERVAL_MS", "200", TRUE);
  g_setenv ("WEVION_OPEN_URI_LOG", "/dev/null", TRUE);
  f.app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (50, run_cb, &f);
  g_application_run (G_APPLICATION (f.app), 1, argv);
  g_assert_true (f.passed);
  g_object_unref (f.app);
  rt_hub_stop (f.hub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (wevion_get_resource ());
  g_test_add_func ("/results/app/cancel-hidden-when-unsupported", test_cancel_hidden);
  return g_test_run ();
}
