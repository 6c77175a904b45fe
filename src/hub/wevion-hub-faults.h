/* wevion-hub-faults.h: injected faults, from --faults SPEC or POST /admin/faults.
 *
 * SPEC: ';'-separated clauses, each optional:
 *   rate=P:STATUS[,P:STATUS…]   answer API requests with STATUS (5xx or 429) with probability P
 *   latency=MS                  add MS milliseconds before every API answer
 *   malformed=P                 replace a JSON API answer with malformed JSON
 *   truncate=P                  cut a JSON API answer in half
 *   drop-download=P             send part of a result file, then close the connection
 *   stall-queue                 the worker takes no new job; pending jobs stay pending
 *   retry-after=S               the Retry-After of injected 429/503 answers (default 2)
 * An empty SPEC (or "none") clears every fault. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WEVION_HUB_FAULTS_MAX_RATES 8

typedef struct
{
  double probability;
  guint status;
} WevionHubFaultRate;

typedef struct
{
  WevionHubFaultRate rates[WEVION_HUB_FAULTS_MAX_RATES];
  guint n_rates;
  guint latency_ms;
  double malformed;
  double truncate;
  double drop_download;
  gboolean stall_queue;
  guint retry_after;
} WevionHubFaults;

void wevion_hub_faults_clear (WevionHubFaults *faults);
/* Parses @spec into @faults; leaves @faults alone and returns FALSE on a bad spec. */
gboolean wevion_hub_faults_parse (WevionHubFaults *faults, const char *spec, GError **error);
/* The spec back as text, for logs and /admin/faults answers. */
char *wevion_hub_faults_to_string (const WevionHubFaults *faults);
/* A status to inject now (0 for none), drawing from @rand. */
guint wevion_hub_faults_pick_status (const WevionHubFaults *faults, GRand *rand);

G_END_DECLS
