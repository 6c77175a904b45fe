/* wevion-hub.h: wevion-hub, a local Creative Hub server (libsoup3, SQLite, a simulated worker). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int port; /* 0: a free port */
  char *listen;
  char *db_path;
  char *data_dir;
  gboolean demo;
  gint64 seed; /* -1: random */
  gboolean minimal;
  double speed;
  int workers;
  gint64 url_ttl;
  char **users; /* NAME:TOKEN[:CREDIT_CENTS] */
  char *faults;
  int fill;            /* hidden: fill the db with N completed jobs and exit */
  int rate_limit;      /* API requests per second per user, 0 = none */
  int read_timeout;    /* seconds a client has to send a whole request (headers and body); 0: 20 */
  int idle_timeout;    /* seconds a kept-alive connection may wait for its next request; 0: 60 */
  gboolean video_apng; /* --video-format apng: videos as animated PNG rather than WebM */
  int max_result_mb;   /* the largest result file in MiB (a long tts WAV); 0: 16 */
} WevionHubOptions;

typedef struct _WevionHub WevionHub;

/* Opens the db and data dir, recovers active jobs, seeds the demo when asked. */
WevionHub *wevion_hub_new (const WevionHubOptions *options, GError **error);
/* Starts listening; wevion_hub_get_url() is valid afterwards. */
gboolean wevion_hub_listen (WevionHub *hub, GError **error);
const char *wevion_hub_get_url (WevionHub *hub);
/* Stops accepting, waits (iterating the default main context) for answers and renders in flight,
 * closes the db. */
void wevion_hub_shutdown (WevionHub *hub);
void wevion_hub_free (WevionHub *hub);

G_END_DECLS
