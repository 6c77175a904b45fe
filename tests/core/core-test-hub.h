/* core-test-hub.h: a real wevion-hub over loopback for the core's integration tests. */
#pragma once

#include "wevion-core.h"

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char *url;
  char *dir;
  gboolean own_dir; /* made by wt_hub_start, removed by wt_hub_stop */
} WtHub;

/* Starts $WEVION_BUILD_ROOT/src/hub/wevion-hub --port 0 --db DIR/hub.db plus @args (NULL-terminated). */
WtHub *wt_hub_start (const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
/* The same on the database in @dir (NULL: a fresh temporary dir), with @args (NULL-terminated array,
 * may be NULL): a hub restarted on a kept @dir finds its jobs again. */
WtHub *wt_hub_start_in (const char *dir, const char *const *args);
void wt_hub_stop (WtHub *hub);
/* POST /admin/faults with @spec ("" clears) */
void wt_hub_set_faults (WtHub *hub, const char *spec);
/* requests counted by GET /admin/stats for @route ("list", "job", … or NULL for all), and bytes */
gint64 wt_hub_requests (WtHub *hub, const char *route, gint64 *bytes);

/* A client for the demo user */
WevionClient *wt_hub_client (WtHub *hub, const char *token);

G_END_DECLS
