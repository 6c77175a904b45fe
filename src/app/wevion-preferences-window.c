/* wevion-preferences-window.c: Account, Updates, Downloads, Notifications, Background. */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-preferences-window.h"

struct _WevionPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  WevionApplication *app;
  GSettings *settings;

  AdwActionRow *server_row;
  GtkButton *sign_out_button;
  GtkSpinButton *interval_spin;
  AdwActionRow *folder_row;
  GtkSwitch *per_job_switch;
  GtkSwitch *auto_download_switch;
  GtkSwitch *notify_completed_switch;
  GtkSwitch *notify_failed_switch;
  GtkSwitch *notify_focused_switch;
  GtkSwitch *background_switch;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (WevionPreferencesWindow, wevion_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_folder (WevionPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");

  adw_action_row_set_subtitle (self->folder_row,
                               *folder ? folder : _ ("Pictures, Videos or Music, by the type of the job"));
}

static void
chooser_response_cb (WevionPreferencesWindow *self, int response, GtkNativeDialog *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        g_settings_set_string (self->settings, "download-folder", path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_folder_cb (WevionPreferencesWindow *self)
{
  self->chooser = gtk_file_chooser_native_new (_ ("Download Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _ ("_Select"), NULL);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_folder_cb (WevionPreferencesWindow *self)
{
  g_settings_reset (self->settings, "download-folder");
}

static void
sign_out_cb (WevionPreferencesWindow *self)
{
  wevion_application_sign_out (self->app);
  gtk_window_close (GTK_WINDOW (self));
}

static void
wevion_preferences_window_dispose (GObject *object)
{
  WevionPreferencesWindow *self = WEVION_PREFERENCES_WINDOW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (wevion_preferences_window_parent_class)->dispose (object);
}

static void
wevion_preferences_window_class_init (WevionPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wevion_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, per_job_switch);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, auto_download_switch);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, notify_completed_switch);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, notify_failed_switch);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, notify_focused_switch);
  gtk_widget_class_bind_template_child (widget_class, WevionPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_callback (widget_class, choose_folder_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_folder_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_out_cb);
}

static void
wevion_preferences_window_init (WevionPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wevion_preferences_window_new (WevionApplication *app)
{
  WevionPreferencesWindow *self = g_object_new (WEVION_TYPE_PREFERENCES_WINDOW, NULL);
  const char *server = wevion_application_get_server_url (app);

  self->app = app;
  self->settings = g_object_ref (wevion_application_get_settings (app));
  adw_action_row_set_subtitle (self->server_row, server ? server : _ ("Not connected"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_out_button),
                            wevion_application_get_connection (app) != WEVION_CONNECTION_NONE);

  g_settings_bind (self->settings, "poll-interval", self->interval_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "per-job-folder", self->per_job_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-download", self->auto_download_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-completed", self->notify_completed_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-failed", self->notify_failed_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-when-focused", self->notify_focused_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::download-folder", G_CALLBACK (update_folder), self,
                           G_CONNECT_SWAPPED);
  update_folder (self);
  return GTK_WIDGET (self);
}
