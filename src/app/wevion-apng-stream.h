/* wevion-apng-stream.h: a GtkMediaStream that plays an animated PNG (APNG), the format wevion-hub
 * renders videos in. It needs no media backend: frames are decoded by GDK's PNG loader and
 * composited here, so GtkVideo and GtkMediaControls can play, pause, loop and seek it. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WEVION_APNG_ERROR (wevion_apng_error_quark ())
typedef enum {
  WEVION_APNG_ERROR_INVALID,   /* not a PNG, or a damaged one */
  WEVION_APNG_ERROR_TOO_LARGE, /* the decoded frames would not fit the memory budget */
} WevionApngError;

GQuark wevion_apng_error_quark (void);

#define WEVION_TYPE_APNG_STREAM (wevion_apng_stream_get_type ())
G_DECLARE_FINAL_TYPE (WevionApngStream, wevion_apng_stream, WEVION, APNG_STREAM, GtkMediaStream)

/* TRUE when @bytes start with the PNG signature (animated or not) */
gboolean wevion_apng_is_png (GBytes *bytes);

/* Decodes every frame of @bytes (a plain PNG gives one frame). Refuses pictures whose decoded
 * frames would take more than @max_memory bytes. The stream is prepared (duration known) on
 * return. */
WevionApngStream *wevion_apng_stream_new (GBytes *bytes, gsize max_memory, GError **error);

guint wevion_apng_stream_get_n_frames (WevionApngStream *self);
/* the frame shown now (transfer none) */
GdkTexture *wevion_apng_stream_get_frame (WevionApngStream *self, guint index);
guint wevion_apng_stream_get_current_frame (WevionApngStream *self);

G_END_DECLS
