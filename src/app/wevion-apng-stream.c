/* wevion-apng-stream.c: APNG decoding (chunk walk, per-frame PNGs for GDK's loader, compositing
 * with the dispose and blend rules of the APNG specification) and playback as a GtkMediaStream. */
#include "config.h"

#include <cairo.h>
#include <glib/gi18n.h>
#include <string.h>

#include "wevion-apng-stream.h"

#define MAX_SIDE 16384
#define MAX_FRAMES 4096
#define MIN_DELAY_US (20 * 1000)

G_DEFINE_QUARK (wevion - apng - error - quark, wevion_apng_error)

typedef struct
{
  GdkTexture *texture;
  gint64 start; /* µs from the start of the animation */
  gint64 delay; /* µs */
} Frame;

struct _WevionApngStream
{
  GtkMediaStream parent_instance;

  GArray *frames; /* of Frame */
  int width;
  int height;
  gint64 duration;
  guint current;
  guint timer;
};

static void wevion_apng_stream_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WevionApngStream, wevion_apng_stream, GTK_TYPE_MEDIA_STREAM,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, wevion_apng_stream_paintable_init))

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

gboolean
wevion_apng_is_png (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return data && size >= sizeof png_signature && memcmp (data, png_signature, sizeof png_signature) == 0;
}

/* ---- PNG chunks -------------------------------------------------------------------------- */

static guint32
crc_update (guint32 crc, const guint8 *data, gsize len)
{
  static guint32 table[256];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (guint32 n = 0; n < 256; n++)
        {
          guint32 c = n;
          for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
          table[n] = c;
        }
      g_once_init_leave (&initialised, 1);
    }
  for (gsize i = 0; i < len; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint16
get_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static void
put_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  guint32 crc = 0xffffffffu;

  put_be32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (out, data, (guint) len);
  crc = crc_update (crc, (const guint8 *) type, 4);
  crc = crc_update (crc, data, len);
  put_be32 (out, crc ^ 0xffffffffu);
}

typedef struct
{
  guint32 width, height, x, y;
  guint16 delay_num, delay_den;
  guint8 dispose, blend;
  GByteArray *data; /* the frame's zlib stream (IDAT or fdAT payloads) */
} RawFrame;

static void
raw_frame_clear (gpointer p)
{
  RawFrame *frame = p;
  g_clear_pointer (&frame->data, g_byte_array_unref);
}

static gboolean
invalid (GError **error, const char *why)
{
  g_set_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID, _ ("The picture is damaged (%s)"), why);
  return FALSE;
}

/* One frame as a PNG of its own: the file's IHDR with the frame's size, the shared chunks, the
 * frame's image data. */
static GBytes *
frame_png (const guint8 *ihdr, GByteArray *shared, const RawFrame *frame)
{
  GByteArray *out = g_byte_array_sized_new (frame->data->len + shared->len + 64);
  guint8 header[13];

  memcpy (header, ihdr, 13);
  header[0] = frame->width >> 24, header[1] = (frame->width >> 16) & 0xff;
  header[2] = (frame->width >> 8) & 0xff, header[3] = frame->width & 0xff;
  header[4] = frame->height >> 24, header[5] = (frame->height >> 16) & 0xff;
  header[6] = (frame->height >> 8) & 0xff, header[7] = frame->height & 0xff;
  g_byte_array_append (out, png_signature, sizeof png_signature);
  put_chunk (out, "IHDR", header, 13);
  g_byte_array_append (out, shared->data, shared->len);
  put_chunk (out, "IDAT", frame->data->data, frame->data->len);
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

static gboolean
parse_chunks (GBytes *bytes, guint8 ihdr[13], GByteArray *shared, GArray *frames, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize pos = sizeof png_signature;
  gboolean have_ihdr = FALSE, animated = FALSE, seen_idat = FALSE, idat_in_animation = FALSE,
           seen_iend = FALSE;
  g_autoptr (GByteArray) still_data = NULL;

  if (!wevion_apng_is_png (bytes))
    return invalid (error, _ ("not a PNG file"));

  while (pos + 12 <= size)
    {
      guint32 len = get_be32 (data + pos);
      const char *type = (const char *) data + pos + 4;
      const guint8 *body = data + pos + 8;

      if (len > size - pos - 12)
        return invalid (error, _ ("a chunk runs past the end"));
      if (!have_ihdr && memcmp (type, "IHDR", 4) != 0)
        return invalid (error, _ ("no header"));

      if (memcmp (type, "IHDR", 4) == 0)
        {
          if (have_ihdr || len != 13)
            return invalid (error, _ ("a bad header"));
          memcpy (ihdr, body, 13);
          have_ihdr = TRUE;
          if (get_be32 (ihdr) == 0 || get_be32 (ihdr) > MAX_SIDE || get_be32 (ihdr + 4) == 0
              || get_be32 (ihdr + 4) > MAX_SIDE)
            return invalid (error, _ ("an impossible size"));
        }
      else if (memcmp (type, "acTL", 4) == 0)
        animated = len == 8 && !seen_idat;
      else if (memcmp (type, "fcTL", 4) == 0)
        {
          RawFrame frame = { 0 };

          if (len != 26)
            return invalid (error, _ ("a bad frame header"));
          if (frames->len >= MAX_FRAMES)
            return invalid (error, _ ("too many frames"));
          frame.width = get_be32 (body + 4);
          frame.height = get_be32 (body + 8);
          frame.x = get_be32 (body + 12);
          frame.y = get_be32 (body + 16);
          frame.delay_num = get_be16 (body + 20);
          frame.delay_den = get_be16 (body + 22);
          frame.dispose = body[24];
          frame.blend = body[25];
          if (frame.width == 0 || frame.height == 0 || frame.x > get_be32 (ihdr)
              || frame.width > get_be32 (ihdr) - frame.x || frame.y > get_be32 (ihdr + 4)
              || frame.height > get_be32 (ihdr + 4) - frame.y || frame.dispose > 2 || frame.blend > 1)
            return invalid (error, _ ("a frame outside the picture"));
          frame.data = g_byte_array_new ();
          g_array_append_val (frames, frame);
          if (!seen_idat)
            idat_in_animation = TRUE;
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        {
          seen_idat = TRUE;
          if (still_data == NULL)
            still_data = g_byte_array_new ();
          g_byte_array_append (still_data, body, len);
          if (idat_in_animation && frames->len == 1)
            g_byte_array_append (g_array_index (frames, RawFrame, 0).data, body, len);
        }
      else if (memcmp (type, "fdAT", 4) == 0)
        {
          if (len < 4 || frames->len == 0)
            return invalid (error, _ ("frame data without a frame"));
          g_byte_array_append (g_array_index (frames, RawFrame, frames->len - 1).data, body + 4, len - 4);
        }
      else if (memcmp (type, "IEND", 4) == 0)
        {
          seen_iend = TRUE;
          break;
        }
      else if (!seen_idat && frames->len == 0)
        {
          /* palette, transparency, colour space: every frame needs them */
          g_byte_array_append (shared, data + pos, len + 12);
        }
      pos += (gsize) len + 12;
    }
  if (!have_ihdr || still_data == NULL)
    return invalid (error, _ ("no image data"));
  /* a download cut short between two chunks would otherwise pass for a shorter animation */
  if (!seen_iend)
    return invalid (error, _ ("the file ends early"));

  /* a plain PNG, or an APNG whose frames a reader cannot use: the still picture */
  if (!animated || frames->len == 0)
    {
      RawFrame still = { 0 };

      g_array_set_size (frames, 0);
      still.data = g_steal_pointer (&still_data);
      still.width = get_be32 (ihdr);
      still.height = get_be32 (ihdr + 4);
      g_array_append_val (frames, still);
      return TRUE;
    }
  for (guint i = 0; i < frames->len; i++)
    if (g_array_index (frames, RawFrame, i).data->len == 0)
      return invalid (error, _ ("a frame without data"));
  return TRUE;
}

static GdkTexture *
canvas_texture (cairo_surface_t *canvas)
{
  int width = cairo_image_surface_get_width (canvas);
  int height = cairo_image_surface_get_height (canvas);
  int stride = cairo_image_surface_get_stride (canvas);
  g_autoptr (GBytes) pixels = NULL;

  cairo_surface_flush (canvas);
  pixels = g_bytes_new (cairo_image_surface_get_data (canvas), (gsize) stride * height);
  /* GDK_MEMORY_DEFAULT is cairo's ARGB32: premultiplied, native endian */
  return gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, pixels, stride);
}

static gboolean
decode (WevionApngStream *self, GBytes *bytes, gsize max_memory, GError **error)
{
  g_autoptr (GArray) raw = g_array_new (FALSE, TRUE, sizeof (RawFrame));
  g_autoptr (GByteArray) shared = g_byte_array_new ();
  guint8 ihdr[13];
  cairo_surface_t *canvas = NULL, *previous = NULL;
  gboolean ok = FALSE;
  gint64 start = 0;

  g_array_set_clear_func (raw, raw_frame_clear);
  if (!parse_chunks (bytes, ihdr, shared, raw, error))
    return FALSE;

  self->width = (int) get_be32 (ihdr);
  self->height = (int) get_be32 (ihdr + 4);
  if ((guint64) self->width * self->height * 4 * (raw->len + 2) > max_memory)
    {
      g_set_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_TOO_LARGE,
                   _ ("The animation is too large to preview (%d × %d, %u frames)"), self->width,
                   self->height, raw->len);
      return FALSE;
    }

  canvas = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, self->width, self->height);
  for (guint i = 0; i < raw->len; i++)
    {
      RawFrame *frame = &g_array_index (raw, RawFrame, i);
      g_autoptr (GBytes) png = frame_png (ihdr, shared, frame);
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GdkTexture) decoded = gdk_texture_new_from_bytes (png, &local_error);
      guint8 dispose = frame->dispose;
      cairo_surface_t *part;
      cairo_t *cr;
      guint8 *pixels;
      gsize stride;
      Frame out;

      if (decoded == NULL)
        {
          g_set_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID, _ ("Frame %u cannot be read: %s"),
                       i + 1, local_error->message);
          goto out;
        }
      if (gdk_texture_get_width (decoded) != (int) frame->width
          || gdk_texture_get_height (decoded) != (int) frame->height)
        {
          invalid (error, _ ("a frame of the wrong size"));
          goto out;
        }

      if (i == 0 && dispose == 2)
        dispose = 1; /* the specification: PREVIOUS on the first frame means BACKGROUND */
      if (dispose == 2)
        {
          cr = cairo_create (previous ? previous
                                      : (previous = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                                                self->width, self->height)));
          cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
          cairo_set_source_surface (cr, canvas, 0, 0);
          cairo_paint (cr);
          cairo_destroy (cr);
        }

      stride = (gsize) frame->width * 4;
      pixels = g_malloc (stride * frame->height);
      gdk_texture_download (decoded, pixels, stride);
      part = cairo_image_surface_create_for_data (pixels, CAIRO_FORMAT_ARGB32, (int) frame->width,
                                                  (int) frame->height, (int) stride);
      cr = cairo_create (canvas);
      cairo_rectangle (cr, frame->x, frame->y, frame->width, frame->height);
      cairo_clip (cr);
      cairo_set_operator (cr, frame->blend == 0 ? CAIRO_OPERATOR_SOURCE : CAIRO_OPERATOR_OVER);
      cairo_set_source_surface (cr, part, frame->x, frame->y);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_destroy (part);
      g_free (pixels);

      out.texture = canvas_texture (canvas);
      out.start = start;
      out.delay = raw->len == 1 ? 0
                                : MAX ((gint64) frame->delay_num * G_USEC_PER_SEC
                                           / (frame->delay_den ? frame->delay_den : 100),
                                       MIN_DELAY_US);
      start += out.delay;
      g_array_append_val (self->frames, out);

      cr = cairo_create (canvas);
      if (dispose == 1)
        {
          cairo_rectangle (cr, frame->x, frame->y, frame->width, frame->height);
          cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
          cairo_fill (cr);
        }
      else if (dispose == 2)
        {
          cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
          cairo_set_source_surface (cr, previous, 0, 0);
          cairo_paint (cr);
        }
      cairo_destroy (cr);
    }
  self->duration = start;
  ok = TRUE;

out:
  cairo_surface_destroy (canvas);
  if (previous)
    cairo_surface_destroy (previous);
  return ok;
}

/* ---- playback ---------------------------------------------------------------------------- */

static Frame *
frame_at (WevionApngStream *self, guint index)
{
  return &g_array_index (self->frames, Frame, index);
}

static void
show_frame (WevionApngStream *self, guint index)
{
  self->current = index;
  gtk_media_stream_update (GTK_MEDIA_STREAM (self), frame_at (self, index)->start);
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static void schedule (WevionApngStream *self);

static gboolean
tick_cb (gpointer user_data)
{
  WevionApngStream *self = user_data;
  GtkMediaStream *stream = GTK_MEDIA_STREAM (self);

  self->timer = 0;
  if (self->current + 1 < self->frames->len)
    show_frame (self, self->current + 1);
  else if (gtk_media_stream_get_loop (stream))
    show_frame (self, 0);
  else
    {
      gtk_media_stream_update (stream, self->duration);
      gtk_media_stream_stream_ended (stream);
      return G_SOURCE_REMOVE;
    }
  schedule (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (WevionApngStream *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_timeout_add ((guint) (frame_at (self, self->current)->delay / 1000), tick_cb, self);
}

static gboolean
wevion_apng_stream_play (GtkMediaStream *stream)
{
  WevionApngStream *self = WEVION_APNG_STREAM (stream);

  if (self->frames->len < 2)
    return FALSE;
  if (gtk_media_stream_get_ended (stream))
    show_frame (self, 0);
  schedule (self);
  return TRUE;
}

static void
wevion_apng_stream_pause (GtkMediaStream *stream)
{
  g_clear_handle_id (&WEVION_APNG_STREAM (stream)->timer, g_source_remove);
}

static void
wevion_apng_stream_seek (GtkMediaStream *stream, gint64 timestamp)
{
  WevionApngStream *self = WEVION_APNG_STREAM (stream);
  guint index = 0;

  timestamp = CLAMP (timestamp, 0, self->duration);
  while (index + 1 < self->frames->len && frame_at (self, index + 1)->start <= timestamp)
    index++;
  self->current = index;
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  gtk_media_stream_seek_success (stream);
  gtk_media_stream_update (stream, timestamp);
  if (gtk_media_stream_get_playing (stream))
    schedule (self);
}

/* ---- paintable --------------------------------------------------------------------------- */

static void
wevion_apng_stream_snapshot (GdkPaintable *paintable, GdkSnapshot *snapshot, double width, double height)
{
  WevionApngStream *self = WEVION_APNG_STREAM (paintable);

  if (self->frames->len)
    gdk_paintable_snapshot (GDK_PAINTABLE (frame_at (self, self->current)->texture), snapshot, width, height);
}

static GdkPaintable *
wevion_apng_stream_get_current_image (GdkPaintable *paintable)
{
  WevionApngStream *self = WEVION_APNG_STREAM (paintable);

  if (self->frames->len == 0)
    return gdk_paintable_new_empty (self->width, self->height);
  return GDK_PAINTABLE (g_object_ref (frame_at (self, self->current)->texture));
}

static int
wevion_apng_stream_get_intrinsic_width (GdkPaintable *paintable)
{
  return WEVION_APNG_STREAM (paintable)->width;
}

static int
wevion_apng_stream_get_intrinsic_height (GdkPaintable *paintable)
{
  return WEVION_APNG_STREAM (paintable)->height;
}

static double
wevion_apng_stream_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  WevionApngStream *self = WEVION_APNG_STREAM (paintable);

  return self->height ? (double) self->width / self->height : 0;
}

static GdkPaintableFlags
wevion_apng_stream_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE;
}

static void
wevion_apng_stream_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = wevion_apng_stream_snapshot;
  iface->get_current_image = wevion_apng_stream_get_current_image;
  iface->get_intrinsic_width = wevion_apng_stream_get_intrinsic_width;
  iface->get_intrinsic_height = wevion_apng_stream_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = wevion_apng_stream_get_intrinsic_aspect_ratio;
  iface->get_flags = wevion_apng_stream_get_flags;
}

/* ---- object ------------------------------------------------------------------------------ */

static void
frame_clear (gpointer p)
{
  g_clear_object (&((Frame *) p)->texture);
}

static void
wevion_apng_stream_dispose (GObject *object)
{
  WevionApngStream *self = WEVION_APNG_STREAM (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  G_OBJECT_CLASS (wevion_apng_stream_parent_class)->dispose (object);
}

static void
wevion_apng_stream_finalize (GObject *object)
{
  WevionApngStream *self = WEVION_APNG_STREAM (object);

  g_array_unref (self->frames);
  G_OBJECT_CLASS (wevion_apng_stream_parent_class)->finalize (object);
}

static void
wevion_apng_stream_class_init (WevionApngStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkMediaStreamClass *stream_class = GTK_MEDIA_STREAM_CLASS (klass);

  object_class->dispose = wevion_apng_stream_dispose;
  object_class->finalize = wevion_apng_stream_finalize;
  stream_class->play = wevion_apng_stream_play;
  stream_class->pause = wevion_apng_stream_pause;
  stream_class->seek = wevion_apng_stream_seek;
}

static void
wevion_apng_stream_init (WevionApngStream *self)
{
  self->frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (self->frames, frame_clear);
}

WevionApngStream *
wevion_apng_stream_new (GBytes *bytes, gsize max_memory, GError **error)
{
  g_autoptr (WevionApngStream) self = g_object_new (WEVION_TYPE_APNG_STREAM, NULL);

  g_return_val_if_fail (bytes != NULL, NULL);
  if (!decode (self, bytes, max_memory, error))
    return NULL;
  gtk_media_stream_stream_prepared (GTK_MEDIA_STREAM (self), FALSE, TRUE, self->frames->len > 1,
                                    self->duration);
  return g_steal_pointer (&self);
}

guint
wevion_apng_stream_get_n_frames (WevionApngStream *self)
{
  g_return_val_if_fail (WEVION_IS_APNG_STREAM (self), 0);
  return self->frames->len;
}

GdkTexture *
wevion_apng_stream_get_frame (WevionApngStream *self, guint index)
{
  g_return_val_if_fail (WEVION_IS_APNG_STREAM (self), NULL);
  g_return_val_if_fail (index < self->frames->len, NULL);
  return frame_at (self, index)->texture;
}

guint
wevion_apng_stream_get_current_frame (WevionApngStream *self)
{
  g_return_val_if_fail (WEVION_IS_APNG_STREAM (self), 0);
  return self->current;
}
