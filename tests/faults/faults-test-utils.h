/* faults-test-utils.h: the objects the app uses (client, store, poller, cache), watched through a
 * fault: what the store held before, every transition counted, and the words the banner shows. */
#pragma once

#include "core-test-hub.h"
#include "core-test-utils.h"
#include "wevion-core.h"

G_BEGIN_DECLS

/* The test poll interval (WEVION_POLL_INTERVAL_MS) every faults test runs with. */
#define FT_INTERVAL_MS 100

typedef struct
{
  WevionClient *client;
  WevionJobStore *store;
  WevionPoller *poller;
  WevionCache *cache;      /* NULL unless a path was given */
  GHashTable *transitions; /* "id from>to" → count */
  GHashTable *connected;   /* WevionJob* we listen to */
  guint failed_ticks;      /* ticks that ended with an error */
  guint transitions_total; /* every transition seen */
  GPtrArray *messages;     /* last-error messages of the failed ticks, in order */
} FtRig;

/* Sets WEVION_POLL_INTERVAL_MS and friends; call first in main(). */
void ft_init (int *argc, char ***argv);

/* The poller is not started. @cache_path may be NULL (no cache). Takes a reference to @client. */
FtRig *ft_rig_new (WevionClient *client, const char *cache_path);
/* Stops everything and asserts that the objects are finalized. */
void ft_rig_free (FtRig *rig);

/* Waits (generous deadline) until the poller has ended @n more ticks with an error. */
void ft_wait_failed_ticks (FtRig *rig, guint n);
/* Waits until every job with an id in @ids is completed or failed. */
void ft_wait_terminal (FtRig *rig, const char *const *ids);
/* Waits until the poller is idle: nothing active, no error, no request running. */
void ft_wait_idle (FtRig *rig);
/* Waits until the store knows every id in @ids. */
void ft_wait_known (FtRig *rig, const char *const *ids);

/* id → status (GINT_TO_POINTER) of every job in the store */
GHashTable *ft_snapshot (FtRig *rig);
/* Every job of @before is still in the store, with exactly the status it had. */
void ft_assert_unchanged (FtRig *rig, GHashTable *before);
/* How often @id went @from → @to */
guint ft_transition_count (FtRig *rig, const char *id, WevionJobStatus from, WevionJobStatus to);
/* No (id, from, to) was seen twice, and every chain of a job moved forward only. */
void ft_assert_transitions_once (FtRig *rig);

/* The poller's words as the window's banner puts them (wevion_application_describe_error: the
 * message and the advice, and "Trying again in N seconds" while it backs off), or NULL when no
 * banner shows. */
char *ft_banner_text (WevionPoller *poller);
/* The banner shows and contains each of the NULL-terminated @words. */
void ft_assert_banner (FtRig *rig, const char *first_word, ...) G_GNUC_NULL_TERMINATED;

/* kill -9 the hub; returns its directory (the caller owns it) and its port. */
char *ft_hub_kill9 (WtHub *hub, guint *port);
/* A hub on @dir (its hub.db and files/) on @port, with @extra args (NULL-terminated). */
WtHub *ft_hub_restart (const char *dir, guint port, const char *first_extra, ...) G_GNUC_NULL_TERMINATED;

/* Submits and returns the id (asserts success). */
char *ft_submit (WevionClient *client, const char *prompt);

G_END_DECLS
