/* results-test-utils.h: a real wevion-hub over loopback for the downloader and costs tests. */
#pragma once

#include "core-test-hub.h"
#include "wevion-core.h"

G_BEGIN_DECLS

/* the core tests' hub, started the same way */
typedef WtHub RtHub;

/* wevion-hub --port 0 --db DIR/hub.db --speed 100 plus @args; waits for its listening line. */
RtHub *rt_hub_start (const char *dir, const char *const *args);
/* SIGTERM, wait; removes the dir when it made it */
void rt_hub_stop (RtHub *hub);

WevionClient *rt_client (RtHub *hub);
/* a synchronous request with a fresh session; returns the status, @body (nullable) gets the body */
guint rt_http (const char *method, const char *url, const char *body, GBytes **out_body);
/* POST /admin/faults SPEC */
void rt_set_faults (RtHub *hub, const char *spec);

/* Iterates the main context until *@result is set (deadline @seconds; fails the test on timeout). */
void rt_wait_result (GAsyncResult **result, int seconds);
/* a GAsyncReadyCallback storing a ref to the result in *(GAsyncResult **) user_data */
void rt_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Submits through the client and polls the job until it is terminal (30 s); returns it. */
WevionJob *rt_submit_and_wait (WevionClient *client, WevionJobType type, const char *provider,
                               const char *prompt, const char *settings_json, JsonObject *metadata);
WevionJob *rt_get_job (WevionClient *client, const char *id);
/* The month's roll-up, as the Costs page fetches it (60 s); fails the test on an error. */
WevionCosts *rt_fetch_costs (WevionClient *client, const char *month, gboolean utc);

char *rt_tmpdir (void);
void rt_rmtree (const char *path);
/* file names in @dir, sorted */
GStrv rt_list_dir (const char *dir);

G_END_DECLS
