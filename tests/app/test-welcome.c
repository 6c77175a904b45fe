/* test-welcome.c: the first run (welcome page, wrong and right token) and the empty panel, under
 * Xvfb against a real wevion-hub with no jobs. */
#include "config.h"

#include "app-test-utils.h"
#include "core-test-hub.h"
#include "core-test-utils.h"
#include "wevion-application.h"
#include "wevion-window.h"

static WtHub *hub;
static WevionApplication *app;
static WevionWindow *window;

static GtkWidget *
find_visible (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_visible (child, type);
      if (found)
        return found;
    }
  return NULL;
}

/* the welcome page's error line */
static const char *
error_text (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) && gtk_widget_has_css_class (root, "error"))
    return gtk_label_get_label (GTK_LABEL (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = error_text (child);
      if (text && *text)
        return text;
    }
  return NULL;
}

static gboolean
error_says (const char *words)
{
  const char *text = error_text (GTK_WIDGET (window));
  return text && strstr (text, words) != NULL;
}

static void
connect_with (const char *server, const char *token)
{
  GtkWidget *server_row = find_visible (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW);
  GtkWidget *token_row = find_visible (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW);

  g_assert_nonnull (server_row);
  g_assert_nonnull (token_row);
  gtk_editable_set_text (GTK_EDITABLE (server_row), server);
  gtk_editable_set_text (GTK_EDITABLE (token_row), token);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.connect", NULL);
}

static void
test_welcome_then_empty (void)
{
  /* no server, no token: the welcome page asks for them */
  g_assert_cmpstr (wevion_window_get_main_page (window), ==, "welcome");
  g_assert_cmpint (wevion_application_get_connection (app), ==, WEVION_CONNECTION_NONE);
  at_screenshot (GTK_WIDGET (window), "welcome");

  /* an unreachable server is named as such */
  connect_with ("http://127.0.0.1:9", "demo-token");
  AT_WAIT (error_says ("reach"), 30);
  g_test_message ("unreachable: %s", error_text (GTK_WIDGET (window)));
  g_assert_cmpstr (wevion_window_get_main_page (window), ==, "welcome");

  /* plain http to a host that is not this machine is refused before any request */
  connect_with ("http://example.com", "demo-token");
  AT_WAIT (error_says ("https"), 10);
  g_test_message ("insecure: %s", error_text (GTK_WIDGET (window)));

  /* a wrong token says so, and nothing is lost: still the welcome page */
  connect_with (hub->url, "not-the-token");
  AT_WAIT (error_says ("token"), 30);
  g_test_message ("wrong token: %s", error_text (GTK_WIDGET (window)));
  g_assert_cmpstr (wevion_window_get_main_page (window), ==, "welcome");

  /* the right one connects; a server with no jobs shows the empty state with a next step */
  connect_with (hub->url, "demo-token");
  AT_WAIT (g_strcmp0 (wevion_window_get_main_page (window), "panel") == 0, 30);
  g_assert_cmpint (wevion_application_get_connection (app), ==, WEVION_CONNECTION_READY);
  AT_WAIT (g_strcmp0 (wevion_window_get_list_page (window), "empty") == 0, 10);
  AT_WAIT (at_find_label (GTK_WIDGET (window), "No Generations Yet") != NULL, 10);
  at_screenshot (GTK_WIDGET (window), "empty");
  /* the address is remembered in the settings, the token is not */
  {
    g_autofree char *saved = g_settings_get_string (wevion_application_get_settings (app), "server-url");
    g_assert_cmpstr (saved, ==, hub->url);
  }
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  dir = wt_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1000x700", TRUE);
  g_unsetenv ("WEVION_SERVER_URL");
  g_unsetenv ("WEVION_TOKEN");
  hub = wt_hub_start (NULL, NULL);

  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0, 20);

  g_test_add_func ("/welcome/first-run-then-empty", test_welcome_then_empty);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
  g_object_unref (app);
  wt_hub_stop (hub);
  wt_rmdir (dir);
  return status;
}
