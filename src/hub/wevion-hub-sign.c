/* wevion-hub-sign.c: signed result URLs. */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "wevion-hub-sign.h"

struct _WevionHubSigner
{
  guint8 secret[32];
  gint64 ttl;
};

WevionHubSigner *
wevion_hub_signer_new (gint64 ttl_seconds)
{
  WevionHubSigner *self = g_new0 (WevionHubSigner, 1);

  /* A per-run secret: URLs from an earlier run stop working, as signed URLs do. From the kernel's
   * CSPRNG: g_random_int is a Mersenne Twister, predictable from its outputs. */
  if (getrandom (self->secret, sizeof self->secret, 0) != (gssize) sizeof self->secret)
    g_error ("getrandom failed: no secret for signed URLs");
  self->ttl = MAX (ttl_seconds, 1);
  return self;
}

void
wevion_hub_signer_free (WevionHubSigner *self)
{
  if (self == NULL)
    return;
  memset (self->secret, 0, sizeof self->secret);
  g_free (self);
}

gint64
wevion_hub_signer_get_ttl (WevionHubSigner *self)
{
  return self->ttl;
}

gint64
wevion_hub_signer_expiry_for (WevionHubSigner *self, gint64 now)
{
  gint64 expires = now + self->ttl;

  if (self->ttl >= 120)
    {
      gint64 step = self->ttl / 4;

      expires -= expires % step;
    }
  return expires;
}

static char *
compute (WevionHubSigner *self, const char *path, const char *expires)
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, self->secret, sizeof self->secret);

  g_hmac_update (hmac, (const guchar *) path, strlen (path));
  g_hmac_update (hmac, (const guchar *) "\n", 1);
  g_hmac_update (hmac, (const guchar *) expires, strlen (expires));
  return g_strdup (g_hmac_get_string (hmac));
}

char *
wevion_hub_signer_sign_path (WevionHubSigner *self, const char *path, gint64 expires)
{
  g_autofree char *exp = g_strdup_printf ("%" G_GINT64_FORMAT, expires);
  g_autofree char *sig = compute (self, path, exp);

  return g_strdup_printf ("%s?expires=%s&sig=%s", path, exp, sig);
}

WevionHubSignCheck
wevion_hub_signer_check (WevionHubSigner *self, const char *path, const char *expires, const char *sig,
                         gint64 now)
{
  g_autofree char *want = NULL;
  gint64 exp;
  char *end = NULL;
  guint diff = 0;

  if (path == NULL || expires == NULL || sig == NULL || *expires == '\0')
    return WEVION_HUB_SIGN_BAD;
  exp = g_ascii_strtoll (expires, &end, 10);
  if (end == NULL || *end != '\0' || exp <= 0)
    return WEVION_HUB_SIGN_BAD;
  want = compute (self, path, expires);
  if (strlen (sig) != strlen (want))
    return WEVION_HUB_SIGN_BAD;
  /* constant time */
  for (gsize i = 0; want[i]; i++)
    diff |= (guint) (g_ascii_tolower (sig[i]) ^ want[i]);
  if (diff != 0)
    return WEVION_HUB_SIGN_BAD;
  if (exp < now)
    return WEVION_HUB_SIGN_EXPIRED;
  return WEVION_HUB_SIGN_OK;
}
