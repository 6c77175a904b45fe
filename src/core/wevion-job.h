/* wevion-job.h: one creative_job row as a GObject the UI can bind to. */
#pragma once

#include <json-glib/json-glib.h>

#include "wevion-enums.h"

G_BEGIN_DECLS

#define WEVION_TYPE_JOB (wevion_job_get_type ())
G_DECLARE_FINAL_TYPE (WevionJob, wevion_job, WEVION, JOB, GObject)

/* A job pending longer than this is "stuck" (the seed: worker queue backed up). */
#define WEVION_JOB_STALLED_PENDING_SECONDS (5 * 60)

typedef enum {
  WEVION_JOB_UPDATE_UNCHANGED, /* same row as before */
  WEVION_JOB_UPDATE_CHANGED,   /* fields changed; status may have moved forward */
  WEVION_JOB_UPDATE_BACKWARDS, /* stale row moving out of a terminal state or backwards: ignored */
  WEVION_JOB_UPDATE_MISMATCH,  /* the row is another job */
} WevionJobUpdate;

WevionJob *wevion_job_new (const char *id, WevionJobType type, const char *provider, const char *prompt);

const char *wevion_job_get_id (WevionJob *self);
const char *wevion_job_get_user_id (WevionJob *self);
WevionJobType wevion_job_get_job_type (WevionJob *self);
/* The type and status exactly as the server spelled them; differs from the enum's name only for
 * values we do not know. */
const char *wevion_job_get_type_name (WevionJob *self);
WevionJobStatus wevion_job_get_status (WevionJob *self);
const char *wevion_job_get_status_name (WevionJob *self);
const char *wevion_job_get_provider (WevionJob *self);
const char *wevion_job_get_prompt (WevionJob *self);
JsonObject *wevion_job_get_settings (WevionJob *self);
const char *const *wevion_job_get_result_urls (WevionJob *self);
guint wevion_job_get_n_result_urls (WevionJob *self);
const char *wevion_job_get_error_message (WevionJob *self);
gint64 wevion_job_get_cost_cents (WevionJob *self);
const char *wevion_job_get_drive_folder_id (WevionJob *self);
JsonObject *wevion_job_get_metadata (WevionJob *self);
GDateTime *wevion_job_get_created_at (WevionJob *self);
GDateTime *wevion_job_get_completed_at (WevionJob *self);
/* ext fields; NULL or -1 when the server did not send them */
GDateTime *wevion_job_get_updated_at (WevionJob *self);
GDateTime *wevion_job_get_started_at (WevionJob *self);
int wevion_job_get_progress (WevionJob *self);
int wevion_job_get_queue_position (WevionJob *self);
const char *wevion_job_get_error_code (WevionJob *self);
/* -1 when the server did not say, else 0 or 1 */
int wevion_job_get_retryable_hint (WevionJob *self);
GDateTime *wevion_job_get_result_expires_at (WevionJob *self);
gboolean wevion_job_get_archived (WevionJob *self);
const char *wevion_job_get_thumbnail_url (WevionJob *self);
const char *wevion_job_get_retry_of (WevionJob *self);

/* derived */
gboolean wevion_job_get_is_active (WevionJob *self);
gboolean wevion_job_get_is_terminal (WevionJob *self);
/* completed_at − created_at in seconds, or -1 while unknown */
gint64 wevion_job_get_duration (WevionJob *self);
/* seconds since created_at (to completed_at once ended) */
gint64 wevion_job_get_elapsed (WevionJob *self);
gint64 wevion_job_get_elapsed_at (WevionJob *self, GDateTime *now);
gboolean wevion_job_get_is_stalled (WevionJob *self);
gboolean wevion_job_get_is_stalled_at (WevionJob *self, GDateTime *now);
gboolean wevion_job_get_is_retryable (WevionJob *self);
WevionFailureKind wevion_job_get_failure_kind (WevionJob *self);
/* Expected run time (p95 of the same type and provider) in seconds, 0 when unknown; a processing
 * job running past it counts as stalled. Set by whoever keeps the history. */
gint64 wevion_job_get_expected_duration (WevionJob *self);
void wevion_job_set_expected_duration (WevionJob *self, gint64 seconds);
/* The newest retry of this failed job, set by the store when it sees one. */
const char *wevion_job_get_newest_retry (WevionJob *self);
void wevion_job_set_newest_retry (WevionJob *self, const char *job_id);

/* When the result links stop working: the earliest of result_expires_at and the expiry the URLs
 * carry themselves; NULL when nothing says (a Drive link). Free with g_date_time_unref(). */
GDateTime *wevion_job_dup_links_expire_at (WevionJob *self);
/* The expiry a signed URL carries in its query: expires= or Expires= (seconds since the epoch:
 * wevion-hub, S3 signature 2, CloudFront), X-Amz-Date + X-Amz-Expires, X-Goog-Date + X-Goog-Expires,
 * or se= (ISO 8601, Azure). NULL when it carries none. */
GDateTime *wevion_url_dup_expiry (const char *url);

/* Setters used by the hub and by tests; each notifies only on change. */
void wevion_job_set_status (WevionJob *self, WevionJobStatus status);
void wevion_job_set_progress (WevionJob *self, int progress);
void wevion_job_set_queue_position (WevionJob *self, int position);

/* Copies every row field of @fresh into @self when the move is allowed; emits ::transition once
 * when the status really changes. */
WevionJobUpdate wevion_job_update_from_job (WevionJob *self, WevionJob *fresh);

/* Reading and writing the wire format (see wevion-json.h for whole documents). */
WevionJob *wevion_job_new_from_json (JsonObject *object, GError **error);
WevionJobUpdate wevion_job_update_from_json (WevionJob *self, JsonObject *object, GError **error);
JsonNode *wevion_job_to_json (WevionJob *self);

/* Words a person understands for a failure kind, and the next step; both translated. */
const char *wevion_failure_kind_get_title (WevionFailureKind kind);
const char *wevion_failure_kind_get_advice (WevionFailureKind kind);

G_END_DECLS
