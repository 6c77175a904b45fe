/* wevion-job-private.h: the core's fast paths into WevionJob (not for the app). */
#pragma once

#include "wevion-job.h"

G_BEGIN_DECLS

/* The row fields a reader fills before a job is built from them (wevion-json.c's list reader, or
 * a JsonObject). Anything else in a row is ignored. */
typedef enum {
  WEVION_ROW_ID,
  WEVION_ROW_USER_ID,
  WEVION_ROW_TYPE,
  WEVION_ROW_STATUS,
  WEVION_ROW_PROVIDER,
  WEVION_ROW_PROMPT,
  WEVION_ROW_SETTINGS,
  WEVION_ROW_RESULT_URLS,
  WEVION_ROW_ERROR_MESSAGE,
  WEVION_ROW_COST_CENTS,
  WEVION_ROW_DRIVE_FOLDER_ID,
  WEVION_ROW_METADATA,
  WEVION_ROW_CREATED_AT,
  WEVION_ROW_COMPLETED_AT,
  WEVION_ROW_UPDATED_AT,
  WEVION_ROW_STARTED_AT,
  WEVION_ROW_PROGRESS,
  WEVION_ROW_QUEUE_POSITION,
  WEVION_ROW_ERROR_CODE,
  WEVION_ROW_RETRYABLE,
  WEVION_ROW_RESULT_EXPIRES_AT,
  WEVION_ROW_ARCHIVED,
  WEVION_N_ROW_FIELDS
} WevionRowField;

typedef enum {
  WEVION_ROW_VALUE_MISSING = 0,
  WEVION_ROW_VALUE_NULL,
  WEVION_ROW_VALUE_STRING,
  WEVION_ROW_VALUE_INT,
  WEVION_ROW_VALUE_DOUBLE,
  WEVION_ROW_VALUE_BOOL,
  WEVION_ROW_VALUE_OBJECT, /* object: a reference (may be NULL where the field needs none) */
  WEVION_ROW_VALUE_ARRAY,  /* array: strv (owned, may be stolen) or json_array (a reference) */
} WevionRowValueKind;

typedef struct
{
  WevionRowValueKind kind;
  const char *str; /* STRING: borrowed, NUL-terminated */
  gint64 i;
  double d;
  gboolean b;
  JsonObject *object;
  char **strv;           /* ARRAY of strings only (NULL with non_string set) */
  gboolean non_string;   /* ARRAY: held something other than a string */
  JsonArray *json_array; /* ARRAY read from a JsonNode tree */
} WevionRowValue;

/* -1 for a member the job does not read; @name is NUL-terminated, @len its length */
int _wevion_row_field_from_name (const char *name, gsize len);
void _wevion_row_value_clear (WevionRowValue *value);

/* Per-document memo of parsed times (bounded); NULL works too. */
typedef struct _WevionTimeMemo WevionTimeMemo;
WevionTimeMemo *_wevion_time_memo_new (void);
void _wevion_time_memo_free (WevionTimeMemo *memo);

/* Builds a job from @row (WEVION_N_ROW_FIELDS values) with exactly the checks and errors of
 * wevion_job_new_from_json(). Steals row[WEVION_ROW_RESULT_URLS].strv when set. */
WevionJob *_wevion_job_new_from_row (WevionRowValue *row, WevionTimeMemo *memo, GError **error);

/* The prompt casefolded for search, or NULL when the prompt is plain ASCII (then an ASCII
 * case-insensitive match on the prompt is the same thing). */
const char *_wevion_job_get_prompt_folded (WevionJob *self);
/* changes whenever the prompt does (for indexes over prompts) */
guint _wevion_job_get_prompt_serial (WevionJob *self);

G_END_DECLS
