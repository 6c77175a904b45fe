/* wevion-hub-private.h: the state shared by the hub's server, worker and demo. */
#pragma once

#include <libsoup/soup.h>

#include "wevion-core.h"
#include "wevion-hub-db.h"
#include "wevion-hub-faults.h"
#include "wevion-hub-render.h"
#include "wevion-hub-sign.h"
#include "wevion-hub.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;
  char *token;
  gint64 credit_limit_cents; /* -1: none */
  /* --rate-limit token bucket */
  double tokens;
  gint64 tokens_at_us;
} WevionHubUser;

typedef struct
{
  const char *name;
  WevionJobType type;
  int price_cents;  /* per result file */
  double latency_s; /* median at --speed 1 */
  double fail_rate; /* transient provider errors */
} WevionHubProvider;

typedef struct
{
  guint64 requests;
  guint64 bytes;
} WevionHubRouteStats;

typedef struct _WevionHubRun WevionHubRun;

struct _WevionHub
{
  WevionHubOptions options;
  SoupServer *server;
  WevionHubDb *db;
  WevionHubSigner *signer;
  WevionHubFaults faults;
  GRand *rand;       /* worker and demo: reproducible with --seed */
  GRand *fault_rand; /* faults */
  GHashTable *users; /* token → WevionHubUser */
  char *data_dir;
  char *tmp_dir; /* removed at the end when the db is :memory: */
  guint16 port;
  char *base_url;

  GQueue pending;         /* job ids, oldest first */
  GHashTable *running;    /* id → WevionHubRun */
  guint n_background;     /* renders and paused answers still in flight */
  GHashTable *stats;      /* route → WevionHubRouteStats */
  GHashTable *sign_cache; /* "/files/ID/NAME" → signed path, for sign_cache_expires */
  gint64 sign_cache_expires;
  GHashTable *wire_cache; /* id → serialised row (see wire_row) */
  guint trickle_id;
  guint64 n_dropped_slow;            /* connections cut for sending a request too slowly */
  guint64 n_dropped_idle;            /* kept-alive connections closed after --idle-timeout */
  guint64 n_too_large;               /* requests refused with 413 */
  WevionHubVideoFormat video_format; /* --video-format; APNG as well when GStreamer lacks WebM */
  gboolean stopping;
};

/* providers */
const WevionHubProvider *wevion_hub_provider_lookup (WevionJobType type, const char *name);
const WevionHubProvider *wevion_hub_provider_all (guint *n);
/* TRUE when @prompt holds a blocklisted word; @word receives it */
gboolean wevion_hub_prompt_blocked (const char *prompt, const char **word);
extern const char *const wevion_hub_blocklist[];

/* worker */
void wevion_hub_worker_start (WevionHub *hub);
void wevion_hub_worker_enqueue (WevionHub *hub, const char *id);
void wevion_hub_worker_pump (WevionHub *hub);
/* 1-based place in the queue, -1 when not pending */
int wevion_hub_worker_queue_position (WevionHub *hub, const char *id);
/* Ends an active job as canceled; FALSE when it had already ended. */
gboolean wevion_hub_worker_cancel (WevionHub *hub, WevionJob *job);
void wevion_hub_worker_stop (WevionHub *hub);
char *wevion_hub_job_dir (WevionHub *hub, const char *id);
/* --max-result-mb in bytes: the largest result file (a WAV) the hub makes */
gint64 wevion_hub_max_result_bytes (WevionHub *hub);
/* fills @buf with bytes from the kernel's CSPRNG (getrandom) */
void wevion_hub_secure_random (guint8 *buf, gsize len);
/* "folder-" and 32 hex digits from the CSPRNG: a Drive folder page is reachable without a token,
 * so its address must not be guessable from the job id (ids come from a GRand, reproducible with
 * --seed) */
char *wevion_hub_new_folder_id (void);
/* a new job id (uuid) from the hub's GRand */
char *wevion_hub_new_id (WevionHub *hub);
gint64 wevion_hub_price_for (WevionHub *hub, const WevionHubProvider *provider, int count);

JsonObject *wevion_hub_copy_object (JsonObject *object);

/* demo */
void wevion_hub_demo_seed (WevionHub *hub);
void wevion_hub_demo_start_trickle (WevionHub *hub);
void wevion_hub_demo_fill (WevionHub *hub, guint n);

/* server */
gboolean wevion_hub_server_setup (WevionHub *hub, GError **error);
/* TRUE when a client at @addr may use /admin: loopback addresses only */
gboolean wevion_hub_admin_allowed (GSocketAddress *addr);

G_END_DECLS
