/* wevion-secrets.h: the API token lives in the keyring (libsecret), nowhere else. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void wevion_secrets_lookup_token_async (const char *server_url, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
/* NULL with no error when the keyring has no token for this server */
char *wevion_secrets_lookup_token_finish (GAsyncResult *result, GError **error);

void wevion_secrets_store_token_async (const char *server_url, const char *token, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_secrets_store_token_finish (GAsyncResult *result, GError **error);

void wevion_secrets_clear_token_async (const char *server_url, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_secrets_clear_token_finish (GAsyncResult *result, GError **error);

G_END_DECLS
