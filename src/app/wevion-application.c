/* wevion-application.c: the AdwApplication, its app.* actions and its command line. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wevion-application.h"
#include "wevion-window.h"

struct _WevionApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  char *server_override;
  char *token_override;
};

G_DEFINE_FINAL_TYPE (WevionApplication, wevion_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[]
    = { { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
          N_ ("The Creative Hub server to use, e.g. https://api.example.com"), N_ ("URL") },
        { "token-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
          N_ ("Read the API token from FILE instead of the keyring"), N_ ("FILE") },
        { NULL } };

WevionApplication *
wevion_application_new (void)
{
  return g_object_new (WEVION_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/com/wevion/Jobs", NULL);
}

GSettings *
wevion_application_get_settings (WevionApplication *self)
{
  g_return_val_if_fail (WEVION_IS_APPLICATION (self), NULL);
  return self->settings;
}

const char *
wevion_application_get_server_url (WevionApplication *self)
{
  g_return_val_if_fail (WEVION_IS_APPLICATION (self), NULL);
  return self->server_override;
}

static void
set_str (char **field, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static int
wevion_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  WevionApplication *self = WEVION_APPLICATION (app);
  const char *server = NULL;
  const char *token_file = NULL;

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    set_str (&self->server_override, server);
  else if (g_getenv ("WEVION_SERVER_URL"))
    set_str (&self->server_override, g_getenv ("WEVION_SERVER_URL"));

  if (g_variant_dict_lookup (options, "token-file", "^&ay", &token_file))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (token_file, &contents, NULL, &error))
        {
          g_printerr (_ ("Could not read the token file: %s\n"), error->message);
          return 1;
        }
      g_free (self->token_override);
      self->token_override = g_strdup (g_strstrip (contents));
    }
  else if (g_getenv ("WEVION_TOKEN"))
    set_str (&self->token_override, g_getenv ("WEVION_TOKEN"));

  return -1;
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Wevion Jobs developers", NULL };

  adw_show_about_window (
      gtk_application_get_active_window (app), "application-name", _ ("Wevion Jobs"), "application-icon",
      APP_ID, "developer-name", _ ("The Wevion Jobs developers"), "version", PACKAGE_VERSION, "comments",
      _ ("Watch, collect and act on your AI generation jobs."), "website", "https://wevion.example/jobs",
      "issue-url", "https://wevion.example/jobs/issues", "license-type", GTK_LICENSE_GPL_3_0, "developers",
      developers, "copyright", "© 2026 The Wevion Jobs developers", "translator-credits",
      _ ("translator-credits"), NULL);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated },
  { "about", about_activated },
};

static void
wevion_application_startup (GApplication *app)
{
  WevionApplication *self = WEVION_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *refresh_accels[] = { "F5", "<Control>r", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };

  G_APPLICATION_CLASS (wevion_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  if (self->server_override == NULL)
    {
      g_autofree char *url = g_settings_get_string (self->settings, "server-url");

      if (*url)
        self->server_override = g_steal_pointer (&url);
    }

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.new-generation", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.refresh", refresh_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
}

static void
wevion_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (wevion_window_new (WEVION_APPLICATION (app)));
  gtk_window_present (window);
}

static void
wevion_application_finalize (GObject *object)
{
  WevionApplication *self = WEVION_APPLICATION (object);

  g_clear_object (&self->settings);
  g_free (self->server_override);
  if (self->token_override)
    memset (self->token_override, 0, strlen (self->token_override));
  g_free (self->token_override);

  G_OBJECT_CLASS (wevion_application_parent_class)->finalize (object);
}

static void
wevion_application_class_init (WevionApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = wevion_application_finalize;
  app_class->handle_local_options = wevion_application_handle_local_options;
  app_class->startup = wevion_application_startup;
  app_class->activate = wevion_application_activate;
}

static void
wevion_application_init (WevionApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("Watch, collect and act on your AI generation jobs."));
}
