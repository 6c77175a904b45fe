/* wevion-json-private.h: the core's second way through a list (for tests and fuzzers). */
#pragma once

#include "wevion-json.h"

G_BEGIN_DECLS

/* wevion_job_list_parse() through a whole json-glib tree: the path the streaming list reader
 * falls back to, and the reference it is tested against. Same arguments and outcomes. */
GPtrArray *_wevion_job_list_parse_tree (const char *data, gsize len, char **next_cursor, guint *n_skipped,
                                        GError **error);

G_END_DECLS
