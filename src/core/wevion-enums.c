/* wevion-enums.c */
#include "config.h"

#include "wevion-enums.h"

G_DEFINE_ENUM_TYPE (WevionJobType, wevion_job_type, G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_UNKNOWN, "unknown"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_IMAGE, "image"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_VIDEO, "video"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_AVATAR, "avatar"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_TTS, "tts"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_TYPE_COMPOSITE, "composite"))

G_DEFINE_ENUM_TYPE (WevionJobStatus, wevion_job_status,
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_STATUS_UNKNOWN, "unknown"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_STATUS_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_STATUS_PROCESSING, "processing"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_STATUS_COMPLETED, "completed"),
                    G_DEFINE_ENUM_VALUE (WEVION_JOB_STATUS_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (WevionFailureKind, wevion_failure_kind,
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_MODERATION, "moderation"),
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_TRANSIENT, "transient"),
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_NO_DETAILS, "no-details"),
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_CANCELED, "canceled"),
                    G_DEFINE_ENUM_VALUE (WEVION_FAILURE_KIND_OTHER, "other"))

static const char *const type_names[] = {
  [WEVION_JOB_TYPE_UNKNOWN] = "unknown", [WEVION_JOB_TYPE_IMAGE] = "image",
  [WEVION_JOB_TYPE_VIDEO] = "video",     [WEVION_JOB_TYPE_AVATAR] = "avatar",
  [WEVION_JOB_TYPE_TTS] = "tts",         [WEVION_JOB_TYPE_COMPOSITE] = "composite",
};

static const char *const status_names[] = {
  [WEVION_JOB_STATUS_UNKNOWN] = "unknown",       [WEVION_JOB_STATUS_PENDING] = "pending",
  [WEVION_JOB_STATUS_PROCESSING] = "processing", [WEVION_JOB_STATUS_COMPLETED] = "completed",
  [WEVION_JOB_STATUS_FAILED] = "failed",
};

const char *
wevion_job_type_to_string (WevionJobType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return "unknown";
  return type_names[type];
}

WevionJobType
wevion_job_type_from_string (const char *str)
{
  if (str == NULL)
    return WEVION_JOB_TYPE_UNKNOWN;
  for (guint i = 1; i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (str, type_names[i]))
      return (WevionJobType) i;
  return WEVION_JOB_TYPE_UNKNOWN;
}

const char *
wevion_job_status_to_string (WevionJobStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (status_names))
    return "unknown";
  return status_names[status];
}

WevionJobStatus
wevion_job_status_from_string (const char *str)
{
  if (str == NULL)
    return WEVION_JOB_STATUS_UNKNOWN;
  for (guint i = 1; i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (str, status_names[i]))
      return (WevionJobStatus) i;
  return WEVION_JOB_STATUS_UNKNOWN;
}

gboolean
wevion_job_status_is_terminal (WevionJobStatus status)
{
  return status == WEVION_JOB_STATUS_COMPLETED || status == WEVION_JOB_STATUS_FAILED;
}

gboolean
wevion_job_status_is_active (WevionJobStatus status)
{
  return status == WEVION_JOB_STATUS_PENDING || status == WEVION_JOB_STATUS_PROCESSING;
}

gboolean
wevion_job_status_can_move (WevionJobStatus from, WevionJobStatus to)
{
  if (from == to)
    return TRUE;
  /* Nothing leaves a terminal state, and an unknown state is never adopted over a known one. */
  if (wevion_job_status_is_terminal (from) || to == WEVION_JOB_STATUS_UNKNOWN)
    return FALSE;
  if (from == WEVION_JOB_STATUS_UNKNOWN)
    return TRUE;
  /* pending < processing < completed|failed */
  return to > from;
}
