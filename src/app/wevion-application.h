/* wevion-application.h: owns the model (store, cache), the network (client, poller) and the
 * app.* actions that cards, the details pane and notifications activate with a job id. */
#pragma once

#include <adwaita.h>

#include "wevion-core.h"
#include "wevion-thumbnails.h"

G_BEGIN_DECLS

#define WEVION_TYPE_APPLICATION (wevion_application_get_type ())
G_DECLARE_FINAL_TYPE (WevionApplication, wevion_application, WEVION, APPLICATION, AdwApplication)

typedef enum {
  WEVION_CONNECTION_NONE,       /* no server or no token: the welcome page */
  WEVION_CONNECTION_CONNECTING, /* looking up the token, first request */
  WEVION_CONNECTION_READY,      /* client and poller running */
} WevionConnection;

WevionApplication *wevion_application_new (void);
GSettings *wevion_application_get_settings (WevionApplication *self);
const char *wevion_application_get_server_url (WevionApplication *self);
WevionConnection wevion_application_get_connection (WevionApplication *self);
WevionJobStore *wevion_application_get_store (WevionApplication *self);
/* NULL until connected */
WevionClient *wevion_application_get_client (WevionApplication *self);
WevionPoller *wevion_application_get_poller (WevionApplication *self);
WevionThumbnails *wevion_application_get_thumbnails (WevionApplication *self);

/* Checks @server_url and @token with one request; on success keeps the token in the keyring, the
 * address in the settings, and starts polling. */
void wevion_application_connect_async (WevionApplication *self, const char *server_url, const char *token,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean wevion_application_connect_finish (WevionApplication *self, GAsyncResult *result, GError **error);
/* Forgets the token (keyring too) and shows the welcome page. */
void wevion_application_sign_out (WevionApplication *self);

/* Submits a generation; the pending job appears in the store at once and is tracked. */
void wevion_application_submit_async (WevionApplication *self, WevionJobType type, const char *provider,
                                      const char *prompt, JsonObject *settings, JsonObject *metadata,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
char *wevion_application_submit_finish (WevionApplication *self, GAsyncResult *result, GError **error);

/* A person-readable sentence for any error the app meets, with the next step. */
char *wevion_application_describe_error (const GError *error);

G_END_DECLS
