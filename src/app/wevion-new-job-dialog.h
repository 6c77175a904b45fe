/* wevion-new-job-dialog.h: New Generation, and Edit & Resubmit pre-filled from a failed job. */
#pragma once

#include <adwaita.h>

#include "wevion-application.h"

G_BEGIN_DECLS

#define WEVION_TYPE_NEW_JOB_DIALOG (wevion_new_job_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WevionNewJobDialog, wevion_new_job_dialog, WEVION, NEW_JOB_DIALOG, AdwWindow)

GtkWidget *wevion_new_job_dialog_new (WevionApplication *app, WevionJob *from_job);

/* The providers the app offers for a type (the hub's and Wevion's); NULL-terminated, static. */
const char *const *wevion_providers_for_type (WevionJobType type);

G_END_DECLS
