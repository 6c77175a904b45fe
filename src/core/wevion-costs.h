/* wevion-costs.h: a month's cost roll-up from the jobs, reconciled with the team's billing. */
#pragma once

#include <gio/gio.h>

#include "wevion-client.h"
#include "wevion-job.h"

G_BEGIN_DECLS

typedef enum {
  WEVION_BILLING_UNKNOWN,     /* not asked (or the request failed) */
  WEVION_BILLING_MATCHES,     /* the sum equals the month's debit */
  WEVION_BILLING_DIFFERS,     /* see wevion_costs_get_billing_difference() */
  WEVION_BILLING_UNSUPPORTED, /* the server does not report billing */
} WevionBillingMatch;

/* One row of a breakdown: a type, provider or day with its completed jobs and their cost. */
typedef struct
{
  char *name;
  gint64 cents;
  guint n_completed;
  guint n_failed;
} WevionCostsGroup;

#define WEVION_TYPE_COSTS (wevion_costs_get_type ())
G_DECLARE_FINAL_TYPE (WevionCosts, wevion_costs, WEVION, COSTS, GObject)

/* "YYYY-MM" → the month's first instant and the next month's, in UTC or local time (TZ).
 * FALSE for anything else. */
gboolean wevion_costs_month_range (const char *month, gboolean utc, GDateTime **from, GDateTime **to);
/* The current month "YYYY-MM" (UTC or local), and @month moved by @delta months. */
char *wevion_costs_month_current (gboolean utc);
char *wevion_costs_month_shift (const char *month, int delta);
/* "November 2026" (in the user's locale) */
char *wevion_costs_month_title (const char *month);

/* Pure roll-up: keeps the jobs created in @month (completed ones cost their cost_cents, failed ones
 * are counted as free, others ignored). NULL for a malformed month. Integer arithmetic only. */
WevionCosts *wevion_costs_new_from_jobs (const char *month, gboolean utc, GPtrArray *jobs);

/* Fetches every page of completed and failed jobs of @month (query status, since, until, cursor;
 * filtered again here for servers that ignore query parameters), then the (ext) billing. */
void wevion_costs_fetch_async (WevionClient *client, const char *month, gboolean utc,
                               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
WevionCosts *wevion_costs_fetch_finish (GAsyncResult *result, GError **error);

const char *wevion_costs_get_month (WevionCosts *self);
gboolean wevion_costs_get_utc (WevionCosts *self);
gint64 wevion_costs_get_total_cents (WevionCosts *self);
guint wevion_costs_get_n_completed (WevionCosts *self);
guint wevion_costs_get_n_failed (WevionCosts *self);
/* the month's completed and failed jobs, oldest first */
GPtrArray *wevion_costs_get_jobs (WevionCosts *self);
/* sorted by cost, largest first (type and provider) or by day (1…days in month) */
const WevionCostsGroup *wevion_costs_get_by_type (WevionCosts *self, guint *n_groups);
const WevionCostsGroup *wevion_costs_get_by_provider (WevionCosts *self, guint *n_groups);
const WevionCostsGroup *wevion_costs_get_by_day (WevionCosts *self, guint *n_days);
/* pages fetched (for tests) */
guint wevion_costs_get_n_pages (WevionCosts *self);

void wevion_costs_set_billing (WevionCosts *self, WevionBillingMatch match, gint64 debit_cents);
WevionBillingMatch wevion_costs_get_billing_match (WevionCosts *self);
gint64 wevion_costs_get_billing_debit (WevionCosts *self);
/* our sum minus the debit */
gint64 wevion_costs_get_billing_difference (WevionCosts *self);
/* "Matches billing", "Differs by $1.20 from billing ($12.00)", "The server does not report billing" */
char *wevion_costs_describe_billing (WevionCosts *self);
/* "57 completed jobs · 3 failed (free)" */
char *wevion_costs_describe_counts (WevionCosts *self);

/* id,created,completed,type,provider,status,cost_cents,cost_dollars — RFC 4180, UTF-8, CRLF */
char *wevion_costs_to_csv (WevionCosts *self);

G_END_DECLS
