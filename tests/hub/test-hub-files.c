/* test-hub-files.c: result files at signed URLs: expiry, tampering, Range, real PNG/WAV/WebM/APNG. */
#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "core-test-utils.h"
#include "hub-test-utils.h"

#define TOKEN "demo-token"

static JsonObject *
completed_job (SoupSession *s, HubProc *hub, const char *type, const char *provider, const char *settings)
{
  g_autofree char *id = hub_submit (s, hub, TOKEN, type, provider, "Files test [ok]", settings);
  JsonObject *row = hub_wait_job (s, hub, TOKEN, id, "completed");

  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  return row;
}

static const char *
first_url (JsonObject *row)
{
  return json_array_get_string_element (json_object_get_array_member (row, "result_urls"), 0);
}

typedef struct
{
  const guint8 *data;
  gsize len, pos;
} Reader;

static cairo_status_t
read_cb (void *closure, unsigned char *out, unsigned int length)
{
  Reader *r = closure;

  if (r->pos + length > r->len)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (out, r->data + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

static void
assert_png_size (GBytes *bytes, int w, int h)
{
  Reader r = { 0 };
  cairo_surface_t *surface;

  r.data = g_bytes_get_data (bytes, &r.len);
  surface = cairo_image_surface_create_from_png_stream (read_cb, &r);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, w);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, h);
  cairo_surface_destroy (surface);
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
has_bytes (const guint8 *d, gsize len, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (d + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_png (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) row
      = completed_job (s, hub, "image", "sdxl_turbo", "{\"width\":300,\"height\":200,\"count\":2}");
  g_autoptr (HubReply) r = hub_request (s, "GET", first_url (row), NULL, NULL, NULL, NULL);
  const char *thumb
      = json_object_get_string_member (json_object_get_object_member (row, "metadata"), "thumbnail_url");
  g_autoptr (HubReply) t = hub_request (s, "GET", thumb, NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) avatar = completed_job (s, hub, "avatar", "heygen_v3", NULL);
  g_autoptr (HubReply) a = hub_request (s, "GET", first_url (avatar), NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) huge
      = completed_job (s, hub, "composite", "wevion_compose", "{\"width\":64,\"height\":2048}");
  g_autoptr (HubReply) hg = hub_request (s, "GET", first_url (huge), NULL, NULL, NULL, NULL);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "image/png");
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Content-Disposition"), ==,
                   "attachment; filename=\"result-1.png\"");
  g_assert_nonnull (soup_message_headers_get_one (r->headers, "ETag"));
  g_assert_cmpint (soup_message_headers_get_content_length (r->headers), ==, g_bytes_get_size (r->body));
  assert_png_size (r->body, 300, 200);
  g_assert_cmpuint (t->status, ==, 200);
  assert_png_size (t->body, 128, 128);
  g_assert_cmpuint (a->status, ==, 200);
  assert_png_size (a->body, 512, 512);
  g_assert_cmpuint (hg->status, ==, 200);
  assert_png_size (hg->body, 64, 2048); /* the bounds (beyond them: 400, see test-hub-api) */
  hub_stop (hub);
}

/* ---- WebM: a small EBML reader, enough to see what a player would see ---------------------- */

typedef struct
{
  char doctype[16];
  char codec[16];
  guint64 width, height;       /* the track's PixelWidth and PixelHeight */
  guint64 timecode_scale;      /* ns per tick */
  double duration;             /* ticks */
  guint blocks;                /* frames (SimpleBlock or Block) */
  guint keyframes;             /* VP8 key frames with a valid start code */
  guint key_width, key_height; /* from the first VP8 key frame's header */
} WebmInfo;

/* An EBML variable-length integer at *@pos: an element id keeps its length marker, a size drops
 * it; @unknown says the size was "unknown" (all ones). */
static gboolean
read_vint (const guint8 *d, gsize end, gsize *pos, gboolean keep_marker, guint64 *value, gboolean *unknown)
{
  guint8 first, mask = 0x80;
  int n = 1;
  gboolean ones;
  guint64 v;

  if (*pos >= end)
    return FALSE;
  first = d[*pos];
  while (n <= 8 && !(first & mask))
    n++, mask >>= 1;
  if (n > 8 || *pos + n > end)
    return FALSE;
  v = keep_marker ? first : (guint64) (first & (mask - 1));
  ones = (first & (mask - 1)) == (mask - 1);
  for (int i = 1; i < n; i++)
    {
      v = (v << 8) | d[*pos + i];
      ones &= d[*pos + i] == 0xff;
    }
  *pos += n;
  *value = v;
  if (unknown)
    *unknown = ones;
  return TRUE;
}

static guint64
read_uint (const guint8 *d, gsize len)
{
  guint64 v = 0;

  for (gsize i = 0; i < len; i++)
    v = (v << 8) | d[i];
  return v;
}

static void
read_string (char *out, gsize out_len, const guint8 *d, gsize len)
{
  gsize n = MIN (len, out_len - 1);

  memcpy (out, d, n);
  out[n] = '\0';
}

static void
read_block (WebmInfo *info, const guint8 *d, gsize len)
{
  gsize pos = 0;
  guint64 track;
  const guint8 *frame;

  info->blocks++;
  g_assert_true (read_vint (d, len, &pos, FALSE, &track, NULL));
  g_assert_cmpuint (track, ==, 1);
  pos += 3; /* timecode (2), flags (1) */
  g_assert_cmpuint (pos + 10, <=, len);
  frame = d + pos;
  /* a VP8 key frame: bit 0 of the frame tag clear, then the start code 9d 01 2a and 14-bit sizes */
  if ((frame[0] & 1) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a)
    {
      if (info->keyframes++ == 0)
        {
          info->key_width = (frame[6] | (frame[7] << 8)) & 0x3fff;
          info->key_height = (frame[8] | (frame[9] << 8)) & 0x3fff;
        }
    }
}

static void
walk_ebml (WebmInfo *info, const guint8 *d, gsize start, gsize end)
{
  gsize pos = start;

  while (pos < end)
    {
      guint64 id, size;
      gboolean unknown;
      gsize body, stop;

      g_assert_true (read_vint (d, end, &pos, TRUE, &id, NULL));
      g_assert_true (read_vint (d, end, &pos, FALSE, &size, &unknown));
      body = pos;
      if (!unknown)
        g_assert_cmpuint (size, <=, end - body);
      stop = unknown ? end : body + size;
      switch (id)
        {
        case 0x1A45DFA3: /* EBML header */
        case 0x18538067: /* Segment */
        case 0x1549A966: /* Info */
        case 0x1654AE6B: /* Tracks */
        case 0xAE:       /* TrackEntry */
        case 0xE0:       /* Video */
        case 0x1F43B675: /* Cluster */
        case 0xA0: /* BlockGroup */ walk_ebml (info, d, body, stop); break;
        case 0x4282: read_string (info->doctype, sizeof info->doctype, d + body, stop - body); break;
        case 0x86: read_string (info->codec, sizeof info->codec, d + body, stop - body); break;
        case 0xB0: info->width = read_uint (d + body, stop - body); break;
        case 0xBA: info->height = read_uint (d + body, stop - body); break;
        case 0x2AD7B1: info->timecode_scale = read_uint (d + body, stop - body); break;
        case 0x4489:
          {
            guint64 bits = read_uint (d + body, stop - body);

            if (stop - body == 8)
              {
                double v;
                memcpy (&v, &bits, 8);
                info->duration = v;
              }
            else
              {
                float v;
                guint32 b32 = (guint32) bits;
                memcpy (&v, &b32, 4);
                info->duration = v;
              }
            break;
          }
        case 0xA3: /* SimpleBlock */
        case 0xA1: /* Block */ read_block (info, d + body, stop - body); break;
        default: break;
        }
      pos = stop;
    }
}

/* A real WebM: the EBML magic, doctype "webm", one VP8 video track of @w×@h whose key frames say
 * the same size, @frames frames and a duration of @seconds. */
static void
assert_webm (GBytes *bytes, guint w, guint h, guint frames, double seconds)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  WebmInfo info = { 0 };

  info.timecode_scale = 1000000; /* the default */
  g_assert_cmpuint (len, >, 1000);
  g_assert_cmpmem (d, 4, "\x1a\x45\xdf\xa3", 4);
  walk_ebml (&info, d, 0, len);
  g_assert_cmpstr (info.doctype, ==, "webm");
  g_assert_cmpstr (info.codec, ==, "V_VP8");
  g_assert_cmpuint (info.width, ==, w);
  g_assert_cmpuint (info.height, ==, h);
  g_assert_cmpuint (info.blocks, ==, frames);
  g_assert_cmpuint (info.keyframes, >=, 1);
  g_assert_cmpuint (info.key_width, ==, w);
  g_assert_cmpuint (info.key_height, ==, h);
  g_test_message ("WebM %ux%u, %u frames, %u key frames, %.3f s, %" G_GSIZE_FORMAT " bytes", w, h,
                  info.blocks, info.keyframes, info.duration * info.timecode_scale / 1e9, len);
  g_assert_cmpfloat (info.duration * info.timecode_scale / 1e9, >, seconds * 0.8);
  g_assert_cmpfloat (info.duration * info.timecode_scale / 1e9, <, seconds * 1.2);
}

static void
test_wav (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) tts = completed_job (s, hub, "tts", "elevenlabs_v2", "{\"seconds\":3}");
  g_autoptr (HubReply) r = hub_request (s, "GET", first_url (tts), NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) voiced
      = completed_job (s, hub, "tts", "elevenlabs_v2", "{\"seconds\":1,\"voice\":\"Rachel\"}");
  g_autoptr (HubReply) rv = hub_request (s, "GET", first_url (voiced), NULL, NULL, NULL, NULL);
  const guint8 *d;
  gsize len;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "audio/wav");
  d = g_bytes_get_data (r->body, &len);
  g_assert_cmpuint (len, ==, 44 + 3 * 22050 * 2);
  g_assert_cmpmem (d, 4, "RIFF", 4);
  g_assert_cmpuint (le32 (d + 4), ==, len - 8);
  g_assert_cmpmem (d + 8, 8, "WAVEfmt ", 8);
  g_assert_cmpuint (le32 (d + 16), ==, 16);
  g_assert_cmpuint (d[20] | (d[21] << 8), ==, 1); /* PCM */
  g_assert_cmpuint (d[22] | (d[23] << 8), ==, 1); /* mono */
  g_assert_cmpuint (le32 (d + 24), ==, 22050);
  g_assert_cmpuint (d[34] | (d[35] << 8), ==, 16); /* bits */
  g_assert_cmpmem (d + 36, 4, "data", 4);
  g_assert_cmpuint (le32 (d + 40), ==, 3 * 22050 * 2);
  {
    /* not silence */
    gboolean loud = FALSE;

    for (gsize i = 44; i + 1 < len && !loud; i += 2)
      loud = ABS ((gint16) (d[i] | (d[i + 1] << 8))) > 5000;
    g_assert_true (loud);
  }
  g_assert_cmpuint (rv->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (rv->body), ==, 44 + 22050 * 2);
  hub_stop (hub);
}

static void
test_webm (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  /* one second asked: videos are 2–4 s long, 12 frames a second, 320×180 by default */
  g_autoptr (JsonObject) video = completed_job (s, hub, "video", "kling_2", "{\"seconds\":1}");
  g_autoptr (HubReply) v = hub_request (s, "GET", first_url (video), NULL, NULL, NULL, NULL);
  /* a big size is scaled down to fit 640×640 */
  g_autoptr (JsonObject) big
      = completed_job (s, hub, "video", "veo_3", "{\"seconds\":3,\"width\":1280,\"height\":720,\"count\":2}");
  JsonArray *urls = json_object_get_array_member (big, "result_urls");
  g_autoptr (HubReply) b
      = hub_request (s, "GET", json_array_get_string_element (urls, 1), NULL, NULL, NULL, NULL);
  const char *thumb
      = json_object_get_string_member (json_object_get_object_member (video, "metadata"), "thumbnail_url");
  g_autoptr (HubReply) t = hub_request (s, "GET", thumb, NULL, NULL, NULL, NULL);

  g_assert_true (strstr (first_url (video), "/result-1.webm?") != NULL);
  g_assert_no_error (v->error);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (v->headers, NULL), ==, "video/webm");
  g_assert_cmpstr (soup_message_headers_get_one (v->headers, "Content-Disposition"), ==,
                   "attachment; filename=\"result-1.webm\"");
  assert_webm (v->body, 320, 180, 24, 2.0);

  g_assert_cmpuint (json_array_get_length (urls), ==, 2);
  g_assert_true (strstr (json_array_get_string_element (urls, 1), "/result-2.webm?") != NULL);
  g_assert_cmpuint (b->status, ==, 200);
  assert_webm (b->body, 640, 360, 36, 3.0);
  g_assert_cmpuint (t->status, ==, 200);
  assert_png_size (t->body, 128, 128);
  hub_stop (hub);
}

static void
test_apng (void)
{
  const char *const args[] = { "--video-format", "apng", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) video = completed_job (s, hub, "video", "kling_2", "{\"seconds\":1}");
  g_autoptr (HubReply) v = hub_request (s, "GET", first_url (video), NULL, NULL, NULL, NULL);
  const guint8 *d;
  gsize len;

  /* a job may ask for the other format */
  g_autoptr (JsonObject) webm = completed_job (s, hub, "video", "veo_3", "{\"format\":\"webm\"}");
  g_autoptr (HubReply) w = hub_request (s, "GET", first_url (webm), NULL, NULL, NULL, NULL);

  g_assert_true (strstr (first_url (webm), "/result-1.webm?") != NULL);
  g_assert_cmpuint (w->status, ==, 200);
  assert_webm (w->body, 320, 180, 24, 2.0);
  g_assert_true (strstr (first_url (video), "/result-1.apng?") != NULL);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (v->headers, NULL), ==, "image/apng");
  d = g_bytes_get_data (v->body, &len);
  g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_true (has_bytes (d, len, "acTL"));
  g_assert_true (has_bytes (d, len, "fdAT"));
  assert_png_size (v->body, 320, 180); /* a plain PNG reader sees the first frame */
  hub_stop (hub);
}

/* A GStreamer without plugins (its plugin paths point at an empty dir): the hub says once why
 * and makes animated PNGs instead. Started by hand to read its stderr. */
static void
test_webm_fallback (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *empty = g_build_filename (dir, "no-plugins", NULL);
  g_autofree char *registry = g_build_filename (dir, "registry.bin", NULL);
  g_autofree char *db = g_build_filename (dir, "hub.db", NULL);
  g_autofree char *log_path = g_build_filename (dir, "stderr.txt", NULL);
  g_autofree char *exe = g_build_filename (g_getenv ("WEVION_BUILD_ROOT"), "src", "hub", "wevion-hub", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *log = NULL;
  g_autoptr (SoupSession) s = hub_session ();
  HubProc hub = { 0 };
  g_autoptr (JsonObject) video = NULL;
  g_autoptr (JsonObject) second = NULL;
  g_autoptr (HubReply) v = NULL;
  const char *at;
  guint lines = 0;

  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "GST_PLUGIN_SYSTEM_PATH_1_0", empty, TRUE);
  g_subprocess_launcher_setenv (launcher, "GST_PLUGIN_PATH_1_0", empty, TRUE);
  g_subprocess_launcher_setenv (launcher, "GST_REGISTRY_1_0", registry, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, "--port", "0", "--db", db, "--speed", "100",
                                      NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  at = strstr (line, "listening on ");
  g_assert_nonnull (at);
  hub.url = g_strstrip (g_strdup (at + strlen ("listening on ")));

  video = completed_job (s, &hub, "video", "kling_2", "{\"seconds\":1}");
  second = completed_job (s, &hub, "video", "veo_3", NULL);
  g_assert_true (strstr (first_url (video), "/result-1.apng?") != NULL);
  g_assert_true (strstr (first_url (second), "/result-1.apng?") != NULL);
  v = hub_request (s, "GET", first_url (video), NULL, NULL, NULL, NULL);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (v->headers, NULL), ==, "image/apng");
  assert_png_size (v->body, 320, 180);

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  /* one clear line, however many videos */
  for (const char *p = log; (p = strstr (p, "instead of WebM")); p++)
    lines++;
  g_test_message ("stderr: %s", log);
  g_assert_cmpuint (lines, ==, 1);
  g_assert_nonnull (strstr (log, "vp8enc"));
  g_assert_nonnull (strstr (log, "webmmux"));
  g_free (hub.url);
  wt_rmdir (dir);
}

static void
test_range (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) row
      = completed_job (s, hub, "image", "sdxl_turbo", "{\"width\":200,\"height\":200}");
  const char *url = first_url (row);
  g_autoptr (HubReply) full = hub_request (s, "GET", url, NULL, NULL, NULL, NULL);
  gsize size = g_bytes_get_size (full->body);
  const char *etag = soup_message_headers_get_one (full->headers, "ETag");
  const char *h1[] = { "Range", "bytes=0-99", NULL };
  g_autoptr (HubReply) r1 = hub_request (s, "GET", url, NULL, NULL, NULL, h1);
  const char *h2[] = { "Range", "bytes=-10", NULL };
  g_autoptr (HubReply) r2 = hub_request (s, "GET", url, NULL, NULL, NULL, h2);
  g_autofree char *beyond = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", size);
  const char *h3[] = { "Range", beyond, NULL };
  g_autoptr (HubReply) r3 = hub_request (s, "GET", url, NULL, NULL, NULL, h3);
  const char *h4[] = { "Range", "bytes=100-", "If-Range", etag, NULL };
  g_autoptr (HubReply) r4 = hub_request (s, "GET", url, NULL, NULL, NULL, h4);
  const char *h5[] = { "Range", "bytes=100-", "If-Range", "\"stale\"", NULL };
  g_autoptr (HubReply) r5 = hub_request (s, "GET", url, NULL, NULL, NULL, h5);
  const char *h6[] = { "If-None-Match", etag, NULL };
  g_autoptr (HubReply) r6 = hub_request (s, "GET", url, NULL, NULL, NULL, h6);
  g_autofree char *cr1 = g_strdup_printf ("bytes 0-99/%" G_GSIZE_FORMAT, size);
  g_autofree char *cr3 = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
  const guint8 *whole = g_bytes_get_data (full->body, NULL);

  g_assert_cmpuint (size, >, 200);
  g_assert_cmpuint (r1->status, ==, 206);
  g_assert_cmpstr (soup_message_headers_get_one (r1->headers, "Content-Range"), ==, cr1);
  g_assert_cmpmem (g_bytes_get_data (r1->body, NULL), g_bytes_get_size (r1->body), whole, 100);
  g_assert_cmpuint (r2->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (r2->body, NULL), g_bytes_get_size (r2->body), whole + size - 10, 10);
  g_assert_cmpuint (r3->status, ==, 416);
  g_assert_cmpstr (soup_message_headers_get_one (r3->headers, "Content-Range"), ==, cr3);
  g_assert_cmpuint (r4->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (r4->body, NULL), g_bytes_get_size (r4->body), whole + 100, size - 100);
  g_assert_cmpuint (r5->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (r5->body), ==, size);
  g_assert_cmpuint (r6->status, ==, 304);
  hub_stop (hub);
}

static char *
replace (const char *text, const char *from, const char *to)
{
  g_auto (GStrv) parts = g_strsplit (text, from, 2);

  return g_strjoinv (to, parts);
}

static void
test_signatures (void)
{
  const char *const args[] = { "--url-ttl", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) row = completed_job (s, hub, "image", "sdxl_turbo", "{\"width\":64,\"height\":64}");
  g_autofree char *url = g_strdup (first_url (row));
  g_autoptr (HubReply) ok = hub_request (s, "GET", url, NULL, NULL, NULL, NULL);
  char *sig = strstr (url, "sig=") + 4;
  g_autofree char *tampered = g_strdup (url);
  g_autofree char *other_file = replace (url, "result-1.png", "result-2.png");
  g_autofree char *unsigned_url = g_strndup (url, strchr (url, '?') - url);
  g_autofree char *unknown = NULL;
  g_autoptr (HubReply) t1 = NULL;
  g_autoptr (HubReply) t2 = NULL;
  g_autoptr (HubReply) t3 = NULL;
  g_autoptr (HubReply) t4 = NULL;
  g_autoptr (HubReply) expired = NULL;
  g_autoptr (JsonObject) fresh = NULL;
  g_autoptr (HubReply) again = NULL;
  g_autofree char *job_path = NULL;

  g_assert_cmpuint (ok->status, ==, 200);
  tampered[sig - url] = sig[0] == 'a' ? 'b' : 'a';
  t1 = hub_request (s, "GET", tampered, NULL, NULL, NULL, NULL);
  hub_assert_error (t1, 403, "forbidden");
  /* a longer expiry with the old signature */
  {
    char *exp = strstr (url, "expires=") + 8;
    g_autofree char *later = g_strdup (url);

    later[exp - url] = '9';
    t2 = hub_request (s, "GET", later, NULL, NULL, NULL, NULL);
    hub_assert_error (t2, 403, "forbidden");
  }
  t3 = hub_request (s, "GET", unsigned_url, NULL, NULL, NULL, NULL);
  hub_assert_error (t3, 403, "forbidden");
  /* another result of the job (count 1: it does not exist) and an unknown job */
  t4 = hub_request (s, "GET", other_file, NULL, NULL, NULL, NULL);
  hub_assert_error (t4, 404, "not_found");
  unknown = g_strdup_printf (
      "%s/files/00000000-0000-4000-8000-000000000000/result-1.png?expires=9999999999&sig=00", hub->url);
  {
    g_autoptr (HubReply) u = hub_request (s, "GET", unknown, NULL, NULL, NULL, NULL);

    hub_assert_error (u, 404, "not_found");
  }

  /* after the ttl: 403, and a fresh GET of the job signs a working URL */
  g_usleep (2500000);
  expired = hub_request (s, "GET", url, NULL, NULL, NULL, NULL);
  hub_assert_error (expired, 403, "expired");
  job_path
      = g_strdup_printf ("/api/v1/creative-hub/generate/jobs/%s", json_object_get_string_member (row, "id"));
  {
    g_autoptr (HubReply) jr = hub_get (s, hub, job_path, TOKEN);
    g_autoptr (JsonNode) jn = hub_reply_json (jr);

    fresh = json_object_ref (json_node_get_object (jn));
  }
  g_assert_cmpstr (first_url (fresh), !=, url);
  again = hub_request (s, "GET", first_url (fresh), NULL, NULL, NULL, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  hub_stop (hub);
}

static void
test_drop_download (void)
{
  const char *const args[] = { "--faults", "drop-download=1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (JsonObject) row
      = completed_job (s, hub, "image", "sdxl_turbo", "{\"width\":400,\"height\":400}");
  g_autoptr (HubReply) r = hub_request (s, "GET", first_url (row), NULL, NULL, NULL, NULL);
  g_autoptr (HubReply) clear = hub_post (s, hub, "/admin/faults", NULL, "none");
  g_autoptr (HubReply) ok = hub_request (s, "GET", first_url (row), NULL, NULL, NULL, NULL);

  /* the client sees a cut connection: an error, or fewer bytes than announced */
  g_assert_true (r->error != NULL
                 || (goffset) g_bytes_get_size (r->body)
                        < soup_message_headers_get_content_length (r->headers));
  g_assert_cmpuint (clear->status, ==, 200);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);
  assert_png_size (ok->body, 400, 400);
  hub_stop (hub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/hub/files/png", test_png);
  g_test_add_func ("/wevion/hub/files/wav", test_wav);
  g_test_add_func ("/wevion/hub/files/webm", test_webm);
  g_test_add_func ("/wevion/hub/files/apng", test_apng);
  g_test_add_func ("/wevion/hub/files/webm-fallback", test_webm_fallback);
  g_test_add_func ("/wevion/hub/files/range", test_range);
  g_test_add_func ("/wevion/hub/files/signatures", test_signatures);
  g_test_add_func ("/wevion/hub/files/drop-download", test_drop_download);
  return g_test_run ();
}
