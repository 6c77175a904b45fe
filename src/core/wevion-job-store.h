/* wevion-job-store.h: every job the app knows, as a GListModel (newest first), indexed by id. */
#pragma once

#include <gio/gio.h>

#include "wevion-job.h"

G_BEGIN_DECLS

#define WEVION_TYPE_JOB_STORE (wevion_job_store_get_type ())
G_DECLARE_FINAL_TYPE (WevionJobStore, wevion_job_store, WEVION, JOB_STORE, GObject)

/* Order: created_at descending, then id descending. Items are WevionJob.
 *
 * Properties (read-only, hidden jobs excluded from the counts): "n-active", "n-completed",
 * "n-failed", "n-hidden".
 *
 * Signals:
 *   job-finished (WevionJob *job, WevionJobStatus old_status): a job reached completed/failed
 *     through an update (never for a job that was loaded already terminal).
 *   hidden-changed (const char *id, gboolean hidden)
 *   jobs-changed (GPtrArray *jobs): after a merge/add, the jobs that were added or changed
 *     (used by the cache to save them).
 *
 * items-changed is emitted for added jobs (in as few runs as possible), and as (pos, 1, 1) for a job
 * whose status changed or that was hidden/unhidden, so filter models re-evaluate it. Other field
 * changes are only property notifications on the (same) job object. */
WevionJobStore *wevion_job_store_new (void);

WevionJob *wevion_job_store_lookup (WevionJobStore *self, const char *id); /* transfer none */
/* Adds new jobs, updates existing ones in place (same objects; forward transitions only). Every
 * update of the jobs in a store goes through here (or _add), so job-finished is emitted. */
void wevion_job_store_merge (WevionJobStore *self, GPtrArray *jobs);
void wevion_job_store_add (WevionJobStore *self, WevionJob *job);

void wevion_job_store_hide (WevionJobStore *self, const char *id);
void wevion_job_store_unhide (WevionJobStore *self, const char *id);
gboolean wevion_job_store_is_hidden (WevionJobStore *self, const char *id);
/* The hidden ids (also ids of jobs not loaded yet), transfer container */
GPtrArray *wevion_job_store_get_hidden_ids (WevionJobStore *self);

/* Ids of the jobs in pending/processing (hidden ones too: they still need polling). Transfer full,
 * an array of char*. */
GPtrArray *wevion_job_store_get_active_ids (WevionJobStore *self);

guint wevion_job_store_get_n_active (WevionJobStore *self);
guint wevion_job_store_get_n_completed (WevionJobStore *self);
guint wevion_job_store_get_n_failed (WevionJobStore *self);
guint wevion_job_store_get_n_hidden (WevionJobStore *self);

/* Newest updated_at among the jobs, or NULL (transfer none) */
GDateTime *wevion_job_store_get_max_updated_at (WevionJobStore *self);

/* Expected duration (p95 of finished jobs of the same type and provider) in seconds, 0 when unknown. */
gint64 wevion_job_store_get_expected_duration (WevionJobStore *self, const char *type_name,
                                               const char *provider);
void wevion_job_store_add_duration_sample (WevionJobStore *self, const char *type_name, const char *provider,
                                           gint64 seconds);

/* Cheap periodic notify of "elapsed"/"is-stalled" on active jobs; the UI calls it every second. */
void wevion_job_store_tick (WevionJobStore *self);

/* Jobs whose prompt contains @text (case-insensitive), newest first; transfer container. */
GPtrArray *wevion_job_store_search (WevionJobStore *self, const char *text);

G_END_DECLS
