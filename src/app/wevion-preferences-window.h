/* wevion-preferences-window.h */
#pragma once

#include <adwaita.h>

#include "wevion-application.h"

G_BEGIN_DECLS

#define WEVION_TYPE_PREFERENCES_WINDOW (wevion_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (WevionPreferencesWindow, wevion_preferences_window, WEVION, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget *wevion_preferences_window_new (WevionApplication *app);

G_END_DECLS
