/* wevion-enums.h: the closed sets of the creative_job contract, each with an explicit UNKNOWN
 * so a value the server invents is kept and shown, never guessed. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  WEVION_JOB_TYPE_UNKNOWN = 0,
  WEVION_JOB_TYPE_IMAGE,
  WEVION_JOB_TYPE_VIDEO,
  WEVION_JOB_TYPE_AVATAR,
  WEVION_JOB_TYPE_TTS,
  WEVION_JOB_TYPE_COMPOSITE,
} WevionJobType;

#define WEVION_JOB_TYPE_LAST WEVION_JOB_TYPE_COMPOSITE

typedef enum {
  WEVION_JOB_STATUS_UNKNOWN = 0,
  WEVION_JOB_STATUS_PENDING,
  WEVION_JOB_STATUS_PROCESSING,
  WEVION_JOB_STATUS_COMPLETED,
  WEVION_JOB_STATUS_FAILED,
} WevionJobStatus;

typedef enum {
  WEVION_FAILURE_KIND_NONE = 0,   /* not failed */
  WEVION_FAILURE_KIND_MODERATION, /* retry will not help: edit the prompt */
  WEVION_FAILURE_KIND_TRANSIENT,  /* provider error, timeout: retry usually helps */
  WEVION_FAILURE_KIND_NO_DETAILS, /* error_message empty: upstream issue, retry once */
  WEVION_FAILURE_KIND_CANCELED,   /* the user canceled it */
  WEVION_FAILURE_KIND_OTHER,      /* a message we have no advice for */
} WevionFailureKind;

GType wevion_job_type_get_type (void);
GType wevion_job_status_get_type (void);
GType wevion_failure_kind_get_type (void);
#define WEVION_TYPE_JOB_TYPE (wevion_job_type_get_type ())
#define WEVION_TYPE_JOB_STATUS (wevion_job_status_get_type ())
#define WEVION_TYPE_FAILURE_KIND (wevion_failure_kind_get_type ())

/* Wire names ("image", "pending", …). _from_string() returns UNKNOWN for NULL or anything else. */
const char *wevion_job_type_to_string (WevionJobType type);
WevionJobType wevion_job_type_from_string (const char *str);
const char *wevion_job_status_to_string (WevionJobStatus status);
WevionJobStatus wevion_job_status_from_string (const char *str);

gboolean wevion_job_status_is_terminal (WevionJobStatus status);
gboolean wevion_job_status_is_active (WevionJobStatus status);
/* TRUE when a job may move from @from to @to: forward only, skipping allowed, same state allowed. */
gboolean wevion_job_status_can_move (WevionJobStatus from, WevionJobStatus to);

G_END_DECLS
