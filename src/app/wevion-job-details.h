/* wevion-job-details.h: everything about one job, beside the list or as a page of its own. */
#pragma once

#include <adwaita.h>

#include "wevion-core.h"

G_BEGIN_DECLS

#define WEVION_TYPE_JOB_DETAILS (wevion_job_details_get_type ())
G_DECLARE_FINAL_TYPE (WevionJobDetails, wevion_job_details, WEVION, JOB_DETAILS, GtkWidget)

WevionJob *wevion_job_details_get_job (WevionJobDetails *self);
void wevion_job_details_set_job (WevionJobDetails *self, WevionJob *job);
void wevion_job_details_set_preview (WevionJobDetails *self, GdkPaintable *paintable);
/* A playable result (video or speech): shown with media controls instead of the picture */
void wevion_job_details_set_media (WevionJobDetails *self, GtkMediaStream *stream);
GtkMediaStream *wevion_job_details_get_media (WevionJobDetails *self);
/* Shown instead of a job when several are selected */
void wevion_job_details_set_n_selected (WevionJobDetails *self, guint n_selected);
/* The result the user picked for Download / Use in Campaign, 0-based */
guint wevion_job_details_get_selected_result (WevionJobDetails *self);

G_END_DECLS
