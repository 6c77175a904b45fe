/* wevion-hub-sign.h: signed result URLs (HMAC-SHA256 over path and expiry, a per-run secret). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WevionHubSigner WevionHubSigner;

typedef enum {
  WEVION_HUB_SIGN_OK,
  WEVION_HUB_SIGN_EXPIRED,
  WEVION_HUB_SIGN_BAD,
} WevionHubSignCheck;

WevionHubSigner *wevion_hub_signer_new (gint64 ttl_seconds);
void wevion_hub_signer_free (WevionHubSigner *self);
gint64 wevion_hub_signer_get_ttl (WevionHubSigner *self);
/* The expiry a URL signed @now would get: now + ttl, rounded down to a step of ttl/4 when the
 * ttl is at least two minutes, so repeated GETs within the step give identical bodies (ETags). */
gint64 wevion_hub_signer_expiry_for (WevionHubSigner *self, gint64 now);
/* "/files/ID/NAME?expires=E&sig=HEX" (no scheme/host); @path must be already URI-escaped. */
char *wevion_hub_signer_sign_path (WevionHubSigner *self, const char *path, gint64 expires);
WevionHubSignCheck wevion_hub_signer_check (WevionHubSigner *self, const char *path, const char *expires,
                                            const char *sig, gint64 now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WevionHubSigner, wevion_hub_signer_free)

G_END_DECLS
