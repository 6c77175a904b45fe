/* wevion-thumbnails.h: thumbnails and previews, fetched off the main loop, cached on disk and in a
 * bounded memory cache. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WEVION_TYPE_THUMBNAILS (wevion_thumbnails_get_type ())
G_DECLARE_FINAL_TYPE (WevionThumbnails, wevion_thumbnails, WEVION, THUMBNAILS, GObject)

/* @cache_dir NULL: $XDG_CACHE_HOME/wevion-jobs/thumbnails; @max_memory: textures kept in memory */
WevionThumbnails *wevion_thumbnails_new (const char *cache_dir, guint max_memory);

/* @key names the picture for the caches (e.g. "JOBID" or "JOBID/preview"): signed URLs change on
 * every fetch, the key does not. */
void wevion_thumbnails_load_async (WevionThumbnails *self, const char *key, const char *url, gsize max_bytes,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
GdkTexture *wevion_thumbnails_load_finish (WevionThumbnails *self, GAsyncResult *result, GError **error);
/* The texture if it is in memory now, else NULL (transfer none) */
GdkTexture *wevion_thumbnails_peek (WevionThumbnails *self, const char *key);
guint wevion_thumbnails_get_n_in_memory (WevionThumbnails *self);

G_END_DECLS
