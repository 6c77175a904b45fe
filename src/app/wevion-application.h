/* wevion-application.h */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WEVION_TYPE_APPLICATION (wevion_application_get_type ())
G_DECLARE_FINAL_TYPE (WevionApplication, wevion_application, WEVION, APPLICATION, AdwApplication)

WevionApplication *wevion_application_new (void);
GSettings *wevion_application_get_settings (WevionApplication *self);
/* The server the app talks to: --server, WEVION_SERVER_URL, else the setting. */
const char *wevion_application_get_server_url (WevionApplication *self);

G_END_DECLS
