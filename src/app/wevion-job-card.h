/* wevion-job-card.h: one row of the Jobs list. */
#pragma once

#include <gtk/gtk.h>

#include "wevion-core.h"

G_BEGIN_DECLS

#define WEVION_TYPE_JOB_CARD (wevion_job_card_get_type ())
G_DECLARE_FINAL_TYPE (WevionJobCard, wevion_job_card, WEVION, JOB_CARD, GtkWidget)

GtkWidget *wevion_job_card_new (void);
WevionJob *wevion_job_card_get_job (WevionJobCard *self);
void wevion_job_card_set_job (WevionJobCard *self, WevionJob *job);
/* Shown instead of the type tile for completed visual jobs. */
void wevion_job_card_set_thumbnail (WevionJobCard *self, GdkPaintable *paintable);

/* Words shared with the details pane and notifications */
const char *wevion_job_type_get_label (WevionJobType type);
const char *wevion_job_type_get_icon_name (WevionJobType type);
const char *wevion_job_status_get_label (WevionJobStatus status);
const char *wevion_job_status_get_icon_name (WevionJobStatus status);

/* Active, and the server has not said it cannot cancel (then Cancel is hidden, not greyed). */
gboolean wevion_job_can_be_canceled (WevionJob *job);
/* "Link expires in 40 min", "… in 3 h", "… in 2 days", "Link expired — downloading fetches a fresh
 * one"; @expired (nullable) tells which. The tooltip gives the exact time. */
char *wevion_job_format_link_expiry (GDateTime *expires, GDateTime *now, gboolean *expired);
char *wevion_job_format_link_expiry_tooltip (GDateTime *expires, GDateTime *now);

G_END_DECLS
