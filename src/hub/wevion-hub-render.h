/* wevion-hub-render.h: real result files: PNG (image, avatar, composite, thumbnails), WAV (tts),
 * animated PNG (video). Deterministic from the job id, prompt, settings and file name, so a file
 * can be rendered when the job completes or lazily on its first download. */
#pragma once

#include <json-glib/json-glib.h>

#include "wevion-enums.h"

G_BEGIN_DECLS

#define WEVION_HUB_THUMBNAIL_NAME "thumbnail.png"
#define WEVION_HUB_THUMBNAIL_SIZE 128

/* The file names of @count results of @type: result-1.png, result-1.wav, result-1.apng, … */
GStrv wevion_hub_render_result_names (WevionJobType type, guint count);
/* "image/png", "audio/wav", "image/apng" or "application/octet-stream" */
const char *wevion_hub_render_content_type (const char *name);
/* Clamped settings: width/height 64–2048 (default per type), seconds 1–30 (default 2), count 1–4. */
void wevion_hub_render_size (WevionJobType type, JsonObject *settings, int *width, int *height);
int wevion_hub_render_count (JsonObject *settings);

/* Renders @name of the job into @path (written to a temporary file and renamed into place).
 * Runs in any thread. */
gboolean wevion_hub_render_file (const char *job_id, WevionJobType type, const char *prompt,
                                 JsonObject *settings, const char *name, const char *path, GError **error);

G_END_DECLS
