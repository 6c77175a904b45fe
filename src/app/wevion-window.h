/* wevion-window.h */
#pragma once

#include <adwaita.h>

#include "wevion-application.h"

G_BEGIN_DECLS

#define WEVION_TYPE_WINDOW (wevion_window_get_type ())
G_DECLARE_FINAL_TYPE (WevionWindow, wevion_window, WEVION, WINDOW, AdwApplicationWindow)

WevionWindow *wevion_window_new (WevionApplication *app);
void wevion_window_add_toast (WevionWindow *self, AdwToast *toast);

G_END_DECLS
