/* wevion-costs-page.h: the month's costs, reconciled with billing, with a chart and CSV export. */
#pragma once

#include <adwaita.h>

#include "wevion-core.h"

G_BEGIN_DECLS

#define WEVION_TYPE_COSTS_PAGE (wevion_costs_page_get_type ())
G_DECLARE_FINAL_TYPE (WevionCostsPage, wevion_costs_page, WEVION, COSTS_PAGE, AdwBin)

/* Properties: "month" (YYYY-MM; default the current month), "utc" (boolean), "narrow" (shows a back
 * button to the sidebar), "costs" (WevionCosts, read-only, NULL while loading), "loading". The page
 * finds the client and settings through the default WevionApplication when it is shown. */
GtkWidget *wevion_costs_page_new (void);
void wevion_costs_page_set_month (WevionCostsPage *self, const char *month);
const char *wevion_costs_page_get_month (WevionCostsPage *self);
void wevion_costs_page_set_narrow (WevionCostsPage *self, gboolean narrow);
/* Tests and other windows: use this client and server address instead of the application's. */
void wevion_costs_page_set_client (WevionCostsPage *self, WevionClient *client, const char *server_url);
WevionCosts *wevion_costs_page_get_costs (WevionCostsPage *self);
/* Writes the month's jobs as CSV (wevion_costs_to_csv) to @file; Export CSV… does this with the
 * file the person picked. */
void wevion_costs_page_export_csv_async (WevionCostsPage *self, GFile *file, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean wevion_costs_page_export_csv_finish (WevionCostsPage *self, GAsyncResult *result, GError **error);
typedef enum {
  WEVION_COSTS_CHART_BY_DAY,
  WEVION_COSTS_CHART_BY_TYPE,
  WEVION_COSTS_CHART_BY_PROVIDER,
} WevionCostsChart;

/* What a chart shows, in words with every figure: its accessible label ("Cost by type: Image:
 * $1.25, Video: $3.00"). */
char *wevion_costs_page_describe_chart (WevionCostsPage *self, WevionCostsChart chart);

/* fetch again (shown, month or connection changed) */
void wevion_costs_page_reload (WevionCostsPage *self);

G_END_DECLS
