/* core-test-utils.h: helpers shared by the core's tests. */
#pragma once

#include "wevion-core.h"

G_BEGIN_DECLS

/* A wire row; @created is an ISO 8601 time, @extra is appended inside the object (",\"k\":v"). */
char *wt_row (const char *id, const char *status, const char *created, const char *extra);
WevionJob *wt_job (const char *id, const char *status, const char *created, const char *extra);

/* Iterates the default main context until @cond (polled) is TRUE or @seconds pass; FALSE on timeout. */
gboolean wt_wait_until (gboolean (*cond) (gpointer), gpointer data, int seconds);
/* Iterates until *@flag is TRUE (generous deadline; fails the test on timeout). */
void wt_wait_flag (gboolean *flag, int seconds);

/* Unrefs @array (of GObjects) and asserts that each of its objects was finalized with it. */
void wt_assert_finalize_array (GPtrArray *array);

/* A fresh temporary directory, removed with wt_rmdir. */
char *wt_tmpdir (void);
void wt_rmdir (const char *path);

G_END_DECLS
