/* wevion-secrets.c */
#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "wevion-secrets.h"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "com.wevion.Jobs.Token",
    SECRET_SCHEMA_NONE,
    {
        { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };
  return &schema;
}

void
wevion_secrets_lookup_token_async (const char *server_url, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  secret_password_lookup (token_schema (), cancellable, callback, user_data, "server", server_url, NULL);
}

char *
wevion_secrets_lookup_token_finish (GAsyncResult *result, GError **error)
{
  return secret_password_lookup_finish (result, error);
}

void
wevion_secrets_store_token_async (const char *server_url, const char *token, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *label = g_strdup_printf (_ ("Wevion Jobs API token for %s"), server_url);

  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, cancellable, callback,
                         user_data, "server", server_url, NULL);
}

gboolean
wevion_secrets_store_token_finish (GAsyncResult *result, GError **error)
{
  return secret_password_store_finish (result, error);
}

void
wevion_secrets_clear_token_async (const char *server_url, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  secret_password_clear (token_schema (), cancellable, callback, user_data, "server", server_url, NULL);
}

gboolean
wevion_secrets_clear_token_finish (GAsyncResult *result, GError **error)
{
  return secret_password_clear_finish (result, error);
}
