/* wevion-fetch.h: small GETs of result hosts (thumbnails, previews), never with API credentials. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WEVION_FETCH_ERROR (wevion_fetch_error_quark ())
typedef enum {
  WEVION_FETCH_ERROR_HTTP, /* the host answered with an error status */
  WEVION_FETCH_ERROR_TOO_LARGE,
  WEVION_FETCH_ERROR_EXPIRED, /* 403 on a signed URL: fetch the job again for fresh URLs */
} WevionFetchError;

GQuark wevion_fetch_error_quark (void);

/* GETs @url into memory, refusing bodies larger than @max_bytes. The request carries no
 * Authorization header and no cookies. */
void wevion_fetch_bytes_async (const char *url, gsize max_bytes, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
GBytes *wevion_fetch_bytes_finish (GAsyncResult *result, GError **error);

G_END_DECLS
