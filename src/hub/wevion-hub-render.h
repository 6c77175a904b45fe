/* wevion-hub-render.h: real result files: PNG (image, avatar, composite, thumbnails), WAV (tts),
 * WebM (VP8, through GStreamer) or animated PNG (video). Deterministic from the job id, prompt,
 * settings and file name, so a file can be rendered when the job completes or lazily on its first
 * download. The file's name says its format. */
#pragma once

#include <json-glib/json-glib.h>

#include "wevion-enums.h"

G_BEGIN_DECLS

#define WEVION_HUB_THUMBNAIL_NAME "thumbnail.png"
#define WEVION_HUB_THUMBNAIL_SIZE 128

/* WAV: PCM 16-bit mono at 22 050 Hz, 44 100 bytes a second after a 44-byte header */
#define WEVION_HUB_WAV_RATE 22050
#define WEVION_HUB_WAV_BYTES_PER_SECOND (WEVION_HUB_WAV_RATE * 2)
#define WEVION_HUB_WAV_HEADER 44

/* WebM videos: at most this many pixels on a side (the requested size is scaled down to fit), this
 * many frames a second, and a length of settings.seconds clamped to this range */
#define WEVION_HUB_WEBM_MAX_SIDE 640
#define WEVION_HUB_WEBM_FPS 12
#define WEVION_HUB_WEBM_MIN_SECONDS 2
#define WEVION_HUB_WEBM_MAX_SECONDS 4

typedef enum {
  WEVION_HUB_VIDEO_WEBM,
  WEVION_HUB_VIDEO_APNG,
} WevionHubVideoFormat;

/* The format of a video job's results: settings.format ("webm" or "apng") when given, else
 * @fallback (the hub's --video-format). */
WevionHubVideoFormat wevion_hub_render_video_format (JsonObject *settings, WevionHubVideoFormat fallback);

/* TRUE when GStreamer can encode WebM here (appsrc, videoconvert, vp8enc, webmmux). Initialises
 * GStreamer on the first call, which may take a moment (plugin registry): call it off the main loop
 * or at start-up. Thread-safe; the answer is computed once. */
gboolean wevion_hub_render_webm_available (void);
/* Releases GStreamer at exit when it was initialised (so leak checkers see a clean exit). */
void wevion_hub_render_shutdown (void);

/* The file names of @count results of @type: result-1.png, result-1.wav, result-1.webm or
 * result-1.apng (after @video), … */
GStrv wevion_hub_render_result_names (WevionJobType type, guint count, WevionHubVideoFormat video);
/* "image/png", "audio/wav", "video/webm", "image/apng" or "application/octet-stream" */
const char *wevion_hub_render_content_type (const char *name);
/* Clamped settings: width/height 64–2048 (default per type), count 1–4. */
void wevion_hub_render_size (WevionJobType type, JsonObject *settings, int *width, int *height);
int wevion_hub_render_count (JsonObject *settings);
/* The length of speech (tts) in seconds: settings.seconds (default 2), 1–86400. */
gint64 wevion_hub_render_tts_seconds (JsonObject *settings);

/* Renders @name of the job into @path (written to a temporary file and renamed into place); a WAV
 * is cut to at most @max_bytes (0: no limit). Runs in any thread. */
gboolean wevion_hub_render_file (const char *job_id, WevionJobType type, const char *prompt,
                                 JsonObject *settings, const char *name, const char *path, gint64 max_bytes,
                                 GError **error);

G_END_DECLS
