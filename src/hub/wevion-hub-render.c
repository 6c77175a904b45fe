/* wevion-hub-render.c: result files drawn with cairo, tones written as PCM, video frames encoded
 * as VP8 in WebM by GStreamer (appsrc → videoconvert → vp8enc → webmmux → filesink). */
#include "config.h"

#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wevion-hub-render.h"

static gboolean gst_ready;
static int n_encoding; /* WebM encodes running (atomic): GStreamer stays up while there are some */

static gpointer
probe_webm (gpointer data)
{
  static const char *const needed[] = { "appsrc", "videoconvert", "vp8enc", "webmmux", "filesink" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) missing = g_string_new (NULL);

  if (!gst_init_check (NULL, NULL, &error))
    {
      g_message ("GStreamer cannot start (%s): video results are animated PNG instead of WebM",
                 error ? error->message : "unknown error");
      return GINT_TO_POINTER (FALSE);
    }
  gst_ready = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      GstElementFactory *factory = gst_element_factory_find (needed[i]);

      if (factory)
        gst_object_unref (factory);
      else
        g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", needed[i]);
    }
  if (missing->len)
    {
      g_message ("GStreamer lacks %s (install gstreamer1.0-plugins-base and gstreamer1.0-plugins-good): "
                 "video results are animated PNG instead of WebM",
                 missing->str);
      return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

gboolean
wevion_hub_render_webm_available (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, probe_webm, NULL));
}

void
wevion_hub_render_shutdown (void)
{
  /* an encode still running (the hub stopped waiting for it) keeps GStreamer: the process ends anyway */
  if (gst_ready && g_atomic_int_get (&n_encoding) == 0)
    {
      gst_deinit ();
      gst_ready = FALSE;
    }
}

WevionHubVideoFormat
wevion_hub_render_video_format (JsonObject *settings, WevionHubVideoFormat fallback)
{
  const char *format = NULL;
  JsonNode *node = settings ? json_object_get_member (settings, "format") : NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    format = json_node_get_string (node);
  if (g_strcmp0 (format, "webm") == 0)
    return WEVION_HUB_VIDEO_WEBM;
  if (g_strcmp0 (format, "apng") == 0)
    return WEVION_HUB_VIDEO_APNG;
  return fallback;
}

GStrv
wevion_hub_render_result_names (WevionJobType type, guint count, WevionHubVideoFormat video)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *ext = "png";

  if (type == WEVION_JOB_TYPE_TTS)
    ext = "wav";
  else if (type == WEVION_JOB_TYPE_VIDEO)
    ext = video == WEVION_HUB_VIDEO_WEBM ? "webm" : "apng";
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *name = g_strdup_printf ("result-%u.%s", i, ext);

      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

const char *
wevion_hub_render_content_type (const char *name)
{
  if (g_str_has_suffix (name, ".png"))
    return "image/png";
  if (g_str_has_suffix (name, ".apng"))
    return "image/apng";
  if (g_str_has_suffix (name, ".webm"))
    return "video/webm";
  if (g_str_has_suffix (name, ".wav"))
    return "audio/wav";
  return "application/octet-stream";
}

static gint64
setting_int (JsonObject *settings, const char *member, gint64 fallback)
{
  JsonNode *node = settings ? json_object_get_member (settings, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* casting an out-of-range double is undefined: clamp first */
      if (d != d)
        return fallback;
      return (gint64) CLAMP (d, -1e9, 1e9);
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      gint64 v;

      if (g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, &v, NULL))
        return v;
    }
  return fallback;
}

void
wevion_hub_render_size (WevionJobType type, JsonObject *settings, int *width, int *height)
{
  int w = 1024, h = 1024;

  if (type == WEVION_JOB_TYPE_AVATAR)
    w = h = 512;
  else if (type == WEVION_JOB_TYPE_VIDEO)
    w = 320, h = 180;
  else if (type == WEVION_JOB_TYPE_COMPOSITE)
    w = 1200, h = 628;
  *width = (int) CLAMP (setting_int (settings, "width", w), 64, 2048);
  *height = (int) CLAMP (setting_int (settings, "height", h), 64, 2048);
}

int
wevion_hub_render_count (JsonObject *settings)
{
  return (int) CLAMP (setting_int (settings, "count", 1), 1, 4);
}

static int
render_seconds (JsonObject *settings)
{
  return (int) CLAMP (setting_int (settings, "seconds", 2), 1, 30);
}

gint64
wevion_hub_render_tts_seconds (JsonObject *settings)
{
  return CLAMP (setting_int (settings, "seconds", 2), 1, 86400);
}

static void
hsv (double h, double s, double v, double *r, double *g, double *b)
{
  double c = v * s, x = c * (1 - fabs (fmod (h * 6, 2) - 1)), m = v - c;
  int i = (int) (h * 6) % 6;

  switch (i)
    {
    case 0: *r = c, *g = x, *b = 0; break;
    case 1: *r = x, *g = c, *b = 0; break;
    case 2: *r = 0, *g = c, *b = x; break;
    case 3: *r = 0, *g = x, *b = c; break;
    case 4: *r = x, *g = 0, *b = c; break;
    default: *r = c, *g = 0, *b = x; break;
    }
  *r += m, *g += m, *b += m;
}

/* Draws the picture: a gradient and shapes derived from the job id, the prompt on top. @phase
 * animates video frames. */
static void
draw_picture (cairo_t *cr, const char *job_id, const char *name, WevionJobType type, const char *prompt,
              int w, int h, double phase, gboolean with_text)
{
  guint32 seed = g_str_hash (job_id) ^ (g_str_hash (name) * 2654435761u);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  double hue = g_rand_double (rand), r, g, b;
  cairo_pattern_t *pat;
  int n_shapes = 6 + g_rand_int_range (rand, 0, 8);

  hsv (hue, 0.6, 0.85, &r, &g, &b);
  pat = cairo_pattern_create_linear (0, 0, w, h);
  cairo_pattern_add_color_stop_rgb (pat, 0, r, g, b);
  hsv (fmod (hue + 0.35, 1.0), 0.7, 0.35, &r, &g, &b);
  cairo_pattern_add_color_stop_rgb (pat, 1, r, g, b);
  cairo_set_source (cr, pat);
  cairo_paint (cr);
  cairo_pattern_destroy (pat);

  for (int i = 0; i < n_shapes; i++)
    {
      double x = g_rand_double (rand) * w, y = g_rand_double (rand) * h;
      double rad = (0.05 + g_rand_double (rand) * 0.25) * MIN (w, h);

      x += sin (phase + i) * 0.1 * w;
      y += cos (phase * 0.7 + i) * 0.1 * h;
      hsv (fmod (hue + g_rand_double (rand) * 0.5, 1.0), 0.5, 0.95, &r, &g, &b);
      cairo_set_source_rgba (cr, r, g, b, 0.35);
      if (type == WEVION_JOB_TYPE_COMPOSITE && i % 2)
        cairo_rectangle (cr, x - rad, y - rad * 0.6, rad * 2, rad * 1.2);
      else
        cairo_arc (cr, x, y, rad, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  if (type == WEVION_JOB_TYPE_AVATAR)
    {
      /* a head and shoulders */
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_arc (cr, w / 2.0, h * 0.4, MIN (w, h) * 0.18, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_arc (cr, w / 2.0, h * 1.05, MIN (w, h) * 0.38, G_PI, 2 * G_PI);
      cairo_fill (cr);
    }

  if (with_text && prompt && *prompt && g_utf8_validate (prompt, -1, NULL))
    {
      double size = MAX (8.0, MIN (w, h) / 18.0);
      double margin = size * 0.8;
      double width = w - 2 * margin;
      double y = size * 1.8;
      const char *p = prompt;

      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, size);
      /* up to six lines, broken between words as long as a word fits on a line */
      for (int line = 0; line < 6 && *p && y < h - size; line++)
        {
          const char *end = p, *fits = NULL;
          g_autofree char *text = NULL;

          while (*p == ' ')
            p++;
          if (*p == '\0')
            break;
          end = p;
          while (*end)
            {
              const char *next = strchr (end + 1, ' ');
              g_autofree char *candidate = g_strndup (p, (next ? next : end + strlen (end)) - p);
              cairo_text_extents_t extents;

              cairo_text_extents (cr, candidate, &extents);
              if (extents.x_advance > width)
                break;
              fits = end = next ? next : end + strlen (end);
              if (next == NULL)
                break;
            }
          if (fits == NULL)
            {
              /* one word longer than the line: as many characters as fit */
              cairo_text_extents_t extents;

              end = g_utf8_next_char (p);
              while (*end)
                {
                  const char *next = g_utf8_next_char (end);
                  g_autofree char *candidate = g_strndup (p, next - p);

                  cairo_text_extents (cr, candidate, &extents);
                  if (extents.x_advance > width)
                    break;
                  end = next;
                }
            }
          if (end == p)
            break;
          text = g_strndup (p, end - p);
          cairo_move_to (cr, margin + 1, y + 1);
          cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
          cairo_show_text (cr, text);
          cairo_move_to (cr, margin, y);
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_show_text (cr, text);
          y += size * 1.3;
          p = end;
        }
    }
}

static cairo_status_t
append_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GByteArray *
surface_to_png (cairo_surface_t *surface, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  if (cairo_surface_write_to_png_stream (surface, append_cb, bytes) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot encode a PNG");
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static GByteArray *
render_png (const char *job_id, WevionJobType type, const char *prompt, const char *name, int w, int h,
            GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (surface);
  GByteArray *png;

  draw_picture (cr, job_id, name, type, prompt, w, h, 0, w >= 96);
  cairo_destroy (cr);
  png = surface_to_png (surface, error);
  cairo_surface_destroy (surface);
  return png;
}

/* ---- WAV ---------------------------------------------------------------------------------- */

static void
put_le (guint8 *p, guint32 v, int n)
{
  for (int i = 0; i < n; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

/* A sequence of quarter-second tones from a pentatonic-ish scale, transposed by the voice's name,
 * written straight to the file (a long one may be a gigabyte). Each tone starts at phase 0 under a
 * short fade in and out, so the eight possible tones are computed once. */
static gboolean
write_wav (const char *job_id, const char *name, const char *voice, gint64 seconds, const char *path,
           GError **error)
{
  static const double scale[] = { 261.63, 293.66, 329.63, 392.00, 440.00, 523.25, 587.33, 659.25 };
  const guint32 note_len = WEVION_HUB_WAV_RATE / 4;
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_str_hash (job_id) ^ g_str_hash (name));
  guint64 n_samples = (guint64) seconds * WEVION_HUB_WAV_RATE;
  guint64 data_bytes = n_samples * 2;
  double transpose = 1.0;
  g_autofree guint8 *notes = g_malloc ((gsize) G_N_ELEMENTS (scale) * note_len * 2);
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  guint8 header[WEVION_HUB_WAV_HEADER];
  gboolean ok = TRUE;
  int fd, saved;
  FILE *f = NULL;

  if (data_bytes > G_MAXUINT32 - 36)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a WAV file holds at most 4 GiB");
      return FALSE;
    }
  if (voice && *voice)
    transpose = pow (2.0, ((int) (g_str_hash (voice) % 7) - 3) / 12.0);
  for (guint k = 0; k < G_N_ELEMENTS (scale); k++)
    for (guint32 i = 0; i < note_len; i++)
      {
        double env = MIN (1.0, i / 200.0) * MIN (1.0, (note_len - i) / 400.0);
        double v = sin (2 * G_PI * scale[k] * transpose * i / WEVION_HUB_WAV_RATE) * 0.4 * env;

        put_le (notes + ((gsize) k * note_len + i) * 2, (guint16) (gint16) (v * 32767), 2);
      }

  memcpy (header, "RIFF", 4);
  put_le (header + 4, (guint32) (36 + data_bytes), 4);
  memcpy (header + 8, "WAVEfmt ", 8);
  put_le (header + 16, 16, 4);
  put_le (header + 20, 1, 2); /* PCM */
  put_le (header + 22, 1, 2); /* mono */
  put_le (header + 24, WEVION_HUB_WAV_RATE, 4);
  put_le (header + 28, WEVION_HUB_WAV_BYTES_PER_SECOND, 4);
  put_le (header + 32, 2, 2);
  put_le (header + 34, 16, 2);
  memcpy (header + 36, "data", 4);
  put_le (header + 40, (guint32) data_bytes, 4);

  fd = g_mkstemp_full (tmp, O_WRONLY, 0644);
  if (fd < 0 || (f = fdopen (fd, "wb")) == NULL)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }
  setvbuf (f, NULL, _IOFBF, 1 << 20);
  ok = fwrite (header, sizeof header, 1, f) == 1;
  for (guint64 done = 0; ok && done < n_samples; done += note_len)
    {
      guint k = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (scale));
      gsize n = (gsize) MIN ((guint64) note_len, n_samples - done);

      ok = fwrite (notes + (gsize) k * note_len * 2, 2, n, f) == n;
    }
  saved = errno;
  if (fclose (f) != 0 && ok)
    ok = FALSE, saved = errno;
  if (!ok || g_rename (tmp, path) != 0)
    {
      if (ok)
        saved = errno;
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---- WebM --------------------------------------------------------------------------------- */

/* Draws the frames with cairo straight into GStreamer buffers (cairo's RGB24 is BGRx in memory)
 * and lets vp8enc (realtime) and webmmux write the file. */
static gboolean
write_webm (const char *job_id, const char *prompt, const char *name, int w, int h, int seconds,
            const char *path, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  GstElement *pipeline, *src, *conv, *enc, *mux, *sink;
  GstCaps *caps;
  GstBus *bus;
  GstMessage *msg;
  int n_frames, fd;
  double scale;
  gint64 deadline;
  gboolean ok = FALSE;

  if (!wevion_hub_render_webm_available ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "GStreamer cannot encode WebM here");
      return FALSE;
    }
  /* small and quick: scaled down to fit the box, even sides (4:2:0 chroma) */
  scale = MIN (1.0, (double) WEVION_HUB_WEBM_MAX_SIDE / MAX (w, h));
  w = MAX (64, (int) (w * scale) & ~1);
  h = MAX (64, (int) (h * scale) & ~1);
  seconds = CLAMP (seconds, WEVION_HUB_WEBM_MIN_SECONDS, WEVION_HUB_WEBM_MAX_SECONDS);
  n_frames = seconds * WEVION_HUB_WEBM_FPS;

  fd = g_mkstemp_full (tmp, O_WRONLY, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);

  pipeline = gst_pipeline_new (NULL);
  src = gst_element_factory_make ("appsrc", NULL);
  conv = gst_element_factory_make ("videoconvert", NULL);
  enc = gst_element_factory_make ("vp8enc", NULL);
  mux = gst_element_factory_make ("webmmux", NULL);
  sink = gst_element_factory_make ("filesink", NULL);
  if (!src || !conv || !enc || !mux || !sink)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "a GStreamer element is missing");
      g_clear_pointer (&src, gst_object_unref);
      g_clear_pointer (&conv, gst_object_unref);
      g_clear_pointer (&enc, gst_object_unref);
      g_clear_pointer (&mux, gst_object_unref);
      g_clear_pointer (&sink, gst_object_unref);
      gst_object_unref (pipeline);
      g_unlink (tmp);
      return FALSE;
    }
  caps
      = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGRx", "width", G_TYPE_INT, w, "height",
                             G_TYPE_INT, h, "framerate", GST_TYPE_FRACTION, WEVION_HUB_WEBM_FPS, 1, NULL);
  /* not "block": a push blocked on a full queue would never return if the pipeline stopped on an
   * error; the frame loop below waits for room itself, watching the bus */
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "block", FALSE, "max-bytes", (guint64) 0, NULL);
  gst_caps_unref (caps);
  g_object_set (enc, "deadline", (gint64) 1, "cpu-used", 8, "keyframe-max-dist", WEVION_HUB_WEBM_FPS, NULL);
  g_object_set (sink, "location", tmp, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, conv, enc, mux, sink, NULL);
  if (!gst_element_link_many (src, conv, enc, mux, sink, NULL)
      || gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start the WebM encoder");
      goto out;
    }

  bus = gst_element_get_bus (pipeline);
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  for (int f = 0; f < n_frames; f++)
    {
      GstBuffer *buffer;
      GstMapInfo map;
      cairo_surface_t *surface;
      cairo_t *cr;

      /* at most four frames queued */
      while (gst_app_src_get_current_level_bytes (GST_APP_SRC (src)) >= (guint64) w * h * 4 * 4)
        {
          msg = gst_bus_timed_pop_filtered (bus, 5 * GST_MSECOND, GST_MESSAGE_ERROR);
          if (msg || g_get_monotonic_time () > deadline)
            goto done;
        }
      buffer = gst_buffer_new_allocate (NULL, (gsize) w * h * 4, NULL);
      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      surface = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_RGB24, w, h, w * 4);
      cr = cairo_create (surface);
      draw_picture (cr, job_id, name, WEVION_JOB_TYPE_VIDEO, prompt, w, h, f * 2 * G_PI / n_frames, w >= 96);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      cairo_surface_destroy (surface);
      gst_buffer_unmap (buffer, &map);
      GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (f, GST_SECOND, WEVION_HUB_WEBM_FPS);
      GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, WEVION_HUB_WEBM_FPS);
      if (gst_app_src_push_buffer (GST_APP_SRC (src), buffer) != GST_FLOW_OK)
        break; /* the bus says why */
    }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

done:
  gst_object_unref (bus);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
    ok = TRUE;
  else if (msg)
    {
      g_autoptr (GError) gst_error = NULL;

      gst_message_parse_error (msg, &gst_error, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "WebM encoding failed: %s",
                   gst_error ? gst_error->message : "unknown error");
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "WebM encoding took too long");
  g_clear_pointer (&msg, gst_message_unref);

out:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  if (ok && g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", path,
                   g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  g_atomic_int_add (&n_encoding, -1);
  return ok;
}

/* ---- APNG --------------------------------------------------------------------------------- */

static guint32 crc_table[256];

static gpointer
init_crc (gpointer data)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }
  return NULL;
}

static guint32
crc32_of (const guint8 *buf, gsize len)
{
  static GOnce once = G_ONCE_INIT;
  guint32 c = 0xffffffffu;

  g_once (&once, init_crc, NULL);
  for (gsize i = 0; i < len; i++)
    c = crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static void
put_be32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (a, b, 4);
}

static void
put_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  gsize start;

  put_be32 (out, (guint32) len);
  start = out->len;
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (out, data, (guint) len);
  put_be32 (out, crc32_of (out->data + start, len + 4));
}

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static GByteArray *
render_apng (const char *job_id, const char *prompt, const char *name, int w, int h, int seconds,
             GError **error)
{
  const int fps = 8;
  int n_frames = CLAMP (seconds * fps, 4, 48);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint32 seq = 0;

  for (int f = 0; f < n_frames; f++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
      cairo_t *cr = cairo_create (surface);
      g_autoptr (GByteArray) png = NULL;
      g_autoptr (GByteArray) idat = g_byte_array_new ();
      guint8 fctl[26] = { 0 };
      gsize pos = 8;

      draw_picture (cr, job_id, name, WEVION_JOB_TYPE_VIDEO, prompt, w, h, f * 2 * G_PI / n_frames, w >= 96);
      cairo_destroy (cr);
      png = surface_to_png (surface, error);
      cairo_surface_destroy (surface);
      if (png == NULL)
        return NULL;

      if (f == 0)
        g_byte_array_append (out, png->data, 8); /* signature */
      while (pos + 12 <= png->len)
        {
          guint32 len = get_be32 (png->data + pos);
          const guint8 *type = png->data + pos + 4;
          const guint8 *data = png->data + pos + 8;

          if (pos + 12 + len > png->len)
            break;
          if (memcmp (type, "IHDR", 4) == 0 && f == 0)
            {
              guint8 actl[8] = { 0 };

              put_chunk (out, "IHDR", data, len);
              actl[3] = (guint8) n_frames; /* num_frames (< 256); num_plays 0 = forever */
              put_chunk (out, "acTL", actl, 8);
            }
          else if (memcmp (type, "IDAT", 4) == 0)
            g_byte_array_append (idat, data, len);
          pos += 12 + len;
        }

      fctl[0] = seq >> 24, fctl[1] = seq >> 16, fctl[2] = seq >> 8, fctl[3] = seq;
      seq++;
      fctl[4] = w >> 24, fctl[5] = w >> 16, fctl[6] = w >> 8, fctl[7] = w;
      fctl[8] = h >> 24, fctl[9] = h >> 16, fctl[10] = h >> 8, fctl[11] = h;
      fctl[21] = 1;   /* delay 1/fps s */
      fctl[23] = fps; /* delay_den */
      put_chunk (out, "fcTL", fctl, sizeof fctl);
      if (f == 0)
        put_chunk (out, "IDAT", idat->data, idat->len);
      else
        {
          g_autoptr (GByteArray) fdat = g_byte_array_new ();

          put_be32 (fdat, seq++);
          g_byte_array_append (fdat, idat->data, idat->len);
          put_chunk (out, "fdAT", fdat->data, fdat->len);
        }
    }
  put_chunk (out, "IEND", NULL, 0);
  return g_steal_pointer (&out);
}

gboolean
wevion_hub_render_file (const char *job_id, WevionJobType type, const char *prompt, JsonObject *settings,
                        const char *name, const char *path, gint64 max_bytes, GError **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  int w, h;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", dir);
      return FALSE;
    }
  wevion_hub_render_size (type, settings, &w, &h);
  if (g_str_equal (name, WEVION_HUB_THUMBNAIL_NAME))
    bytes
        = render_png (job_id, type, NULL, name, WEVION_HUB_THUMBNAIL_SIZE, WEVION_HUB_THUMBNAIL_SIZE, error);
  else if (g_str_has_suffix (name, ".wav"))
    {
      gint64 seconds = wevion_hub_render_tts_seconds (settings);
      const char *voice = NULL;
      JsonNode *node = settings ? json_object_get_member (settings, "voice") : NULL;

      if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        voice = json_node_get_string (node);
      if (max_bytes > 0)
        seconds = CLAMP ((max_bytes - WEVION_HUB_WAV_HEADER) / WEVION_HUB_WAV_BYTES_PER_SECOND, 1, seconds);
      return write_wav (job_id, name, voice, seconds, path, error);
    }
  else if (g_str_has_suffix (name, ".webm"))
    return write_webm (job_id, prompt, name, w, h, (int) CLAMP (setting_int (settings, "seconds", 2), 1, 60),
                       path, error);
  else if (g_str_has_suffix (name, ".apng"))
    bytes = render_apng (job_id, prompt, name, w, h, render_seconds (settings), error);
  else if (g_str_has_suffix (name, ".png"))
    bytes = render_png (job_id, type, prompt, name, w, h, error);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such result “%s”", name);
      return FALSE;
    }
  if (bytes == NULL)
    return FALSE;
  /* g_file_set_contents writes a temporary file and renames it into place */
  return g_file_set_contents_full (path, (const char *) bytes->data, bytes->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
