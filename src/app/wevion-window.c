/* wevion-window.c: the main window. */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-window.h"

struct _WevionWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (WevionWindow, wevion_window, ADW_TYPE_APPLICATION_WINDOW)

WevionWindow *
wevion_window_new (WevionApplication *app)
{
  return g_object_new (WEVION_TYPE_WINDOW, "application", app, NULL);
}

void
wevion_window_add_toast (WevionWindow *self, AdwToast *toast)
{
  g_return_if_fail (WEVION_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
preferences_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  AdwToast *toast = adw_toast_new (_ ("Preferences are not built yet"));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
wevion_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_WINDOW);
  G_OBJECT_CLASS (wevion_window_parent_class)->dispose (object);
}

static void
wevion_window_class_init (WevionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wevion_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, status_page);

  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
}

static void
wevion_window_init (WevionWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
