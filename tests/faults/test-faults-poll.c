/* test-faults-poll.c: the fault matrix against a real wevion-hub (--faults / POST /admin/faults,
 * kill -9 and restart on the same --db and --data-dir, a refused port, DNS, TLS).
 *
 * Each test: a hub with one completed job and three jobs held pending (stall-queue), followed by a
 * WevionPoller into a WevionJobStore (and a WevionCache file where it matters). During the fault
 * the queue stays stalled, so every job must keep exactly the state it had, the poller must back
 * off with a message the banner shows, and no transition may arrive. Then the fault clears and the
 * queue runs: every job ends, and each of its transitions arrives exactly once. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "../core/test-cert.h"
#include "faults-test-utils.h"

typedef struct
{
  WtHub *hub;
  FtRig *rig;
  char *cache_path;
  char *ids[6]; /* done, ok1, ok2, fails, [submitted during the fault], NULL */
  GHashTable *before;
  guint transitions_before;
} Scene;

/* A completed job, then three held pending, all known to the store before the fault. */
static void
scene_setup (Scene *s, gboolean with_cache)
{
  g_autoptr (WevionClient) client = NULL;
  const char *const done[] = { NULL, NULL };

  s->hub = wt_hub_start ("--speed", "100", NULL);
  client = wt_hub_client (s->hub, NULL);
  if (with_cache)
    s->cache_path = g_build_filename (s->hub->dir, "cache.db", NULL);
  s->rig = ft_rig_new (client, s->cache_path);
  s->ids[0] = ft_submit (client, "finished before the fault [ok]");
  wevion_poller_track (s->rig->poller, s->ids[0]);
  ((const char **) done)[0] = s->ids[0];
  ft_wait_terminal (s->rig, done);
  g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (s->rig->store, s->ids[0])), ==,
                   WEVION_JOB_STATUS_COMPLETED);

  wt_hub_set_faults (s->hub, "stall-queue");
  s->ids[1] = ft_submit (client, "first held job [ok]");
  s->ids[2] = ft_submit (client, "second held job [ok]");
  s->ids[3] = ft_submit (client, "held job that will fail [fail]");
  for (guint i = 1; i < 4; i++)
    wevion_poller_track (s->rig->poller, s->ids[i]);
  ft_wait_known (s->rig, (const char *const *) s->ids);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (s->rig->store, s->ids[i])), ==,
                     WEVION_JOB_STATUS_PENDING);
  g_assert_null (ft_banner_text (s->rig->poller));
  s->before = ft_snapshot (s->rig);
  s->transitions_before = s->rig->transitions_total;
}

/* During the fault: nothing lost, nothing moved, no transition. */
static void
scene_assert_held (Scene *s)
{
  ft_assert_unchanged (s->rig, s->before);
  g_assert_cmpuint (s->rig->transitions_total, ==, s->transitions_before);
}

static gboolean
no_error (gpointer data)
{
  return wevion_poller_get_last_error (data) == NULL;
}

/* The fault clears while nothing changes on the server (the queue still stalled): the poller must
 * recover by itself (no answer from the fault may be reused), the banner goes, nothing moved. */
static void
scene_fault_clears (Scene *s)
{
  guint ticks;

  wt_hub_set_faults (s->hub, "stall-queue");
  if (!wt_wait_until (no_error, s->rig->poller, 60))
    g_error ("the poller did not recover: %s", wevion_poller_get_last_error (s->rig->poller)->message);
  ticks = wevion_poller_get_ticks (s->rig->poller);
  while (wevion_poller_get_ticks (s->rig->poller) < ticks + 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (wevion_poller_get_last_error (s->rig->poller));
  g_assert_null (ft_banner_text (s->rig->poller));
  scene_assert_held (s);
  wt_hub_set_faults (s->hub, "");
}

/* After the fault: every job ends the way the hub ran it, each transition once, the banner gone. */
static void
scene_assert_recovered (Scene *s)
{
  WevionJob *fails;

  ft_wait_terminal (s->rig, (const char *const *) s->ids);
  ft_wait_idle (s->rig);
  g_assert_null (ft_banner_text (s->rig->poller));
  if (s->ids[4])
    g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (s->rig->store, s->ids[4])), ==,
                     WEVION_JOB_STATUS_COMPLETED);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (s->rig->store, s->ids[i])), ==,
                     WEVION_JOB_STATUS_COMPLETED);
  fails = wevion_job_store_lookup (s->rig->store, s->ids[3]);
  g_assert_cmpint (wevion_job_get_status (fails), ==, WEVION_JOB_STATUS_FAILED);
  g_assert_nonnull (wevion_job_get_error_message (fails));
  for (guint i = 1; i < 4; i++)
    {
      WevionJob *job = wevion_job_store_lookup (s->rig->store, s->ids[i]);
      WevionJobStatus end = wevion_job_get_status (job);

      /* it left pending exactly once, and reached its end exactly once */
      g_assert_cmpuint (
          ft_transition_count (s->rig, s->ids[i], WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_PROCESSING)
              + ft_transition_count (s->rig, s->ids[i], WEVION_JOB_STATUS_PENDING, end),
          ==, 1);
      g_assert_cmpuint (ft_transition_count (s->rig, s->ids[i], WEVION_JOB_STATUS_PENDING, end)
                            + ft_transition_count (s->rig, s->ids[i], WEVION_JOB_STATUS_PROCESSING, end),
                        ==, 1);
    }
  ft_assert_transitions_once (s->rig);
}

/* The cache file, opened afresh, holds every job with its final state. */
static void
scene_assert_cache (Scene *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCache) cache = NULL;
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();

  wevion_cache_flush (s->rig->cache);
  cache = wevion_cache_new (s->cache_path, &error);
  g_assert_no_error (error);
  g_assert_false (wevion_cache_get_was_rebuilt (cache));
  wevion_cache_load (cache, store);
  for (guint i = 0; s->ids[i]; i++)
    {
      WevionJob *on_disk = wevion_job_store_lookup (store, s->ids[i]);

      g_assert_nonnull (on_disk);
      g_assert_cmpint (wevion_job_get_status (on_disk), ==,
                       wevion_job_get_status (wevion_job_store_lookup (s->rig->store, s->ids[i])));
    }
}

static void
scene_teardown (Scene *s)
{
  ft_rig_free (s->rig);
  if (s->hub)
    wt_hub_stop (s->hub);
  for (guint i = 0; s->ids[i]; i++)
    g_free (s->ids[i]);
  g_hash_table_unref (s->before);
  g_free (s->cache_path);
}

/* One fault spec held for @ticks failed polls, with the banner saying @word1 and @word2. With
 * @submit_during, a job is submitted (202, untouched by the faults) and tracked during the fault, so
 * the list changes and the hub must send a whole (garbled) answer rather than a 304. */
static void
run_spec (const char *spec, gboolean submit_during, guint ticks, WevionClientError code, const char *word1,
          const char *word2)
{
  Scene s = { 0 };
  g_autofree char *full = g_strconcat ("stall-queue;", spec, NULL);

  scene_setup (&s, FALSE);
  wt_hub_set_faults (s.hub, full);
  if (submit_during)
    {
      s.ids[4] = ft_submit (s.rig->client, "submitted during the fault [ok]");
      wevion_poller_track (s.rig->poller, s.ids[4]);
    }
  ft_wait_failed_ticks (s.rig, ticks);
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR, (int) code);
  g_assert_cmpint (wevion_poller_get_state (s.rig->poller), ==, WEVION_POLLER_STATE_BACKING_OFF);
  ft_assert_banner (s.rig, word1, word2, NULL);
  scene_assert_held (&s);
  scene_fault_clears (&s);
  scene_assert_recovered (&s);
  scene_teardown (&s);
}

/* 5xx bursts: every API request answered 500, 502, 503 or 504 for 6 polls in a row */
static void
test_5xx_burst (void)
{
  Scene s = { 0 };

  scene_setup (&s, FALSE);
  wt_hub_set_faults (s.hub, "stall-queue;rate=0.25:500,0.25:502,0.25:503,0.25:504;retry-after=0");
  ft_wait_failed_ticks (s.rig, 6);
  for (guint i = 0; i < s.rig->messages->len; i++)
    {
      const char *m = g_ptr_array_index (s.rig->messages, i);

      g_assert_true (strstr (m, "(HTTP 500)") || strstr (m, "(HTTP 502)") || strstr (m, "(HTTP 503)")
                     || strstr (m, "(HTTP 504)"));
    }
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_SERVER);
  ft_assert_banner (s.rig, "(HTTP 50", "The server has a problem. The app tries again later.", NULL);
  scene_assert_held (&s);
  scene_fault_clears (&s);
  scene_assert_recovered (&s);
  scene_teardown (&s);
}

/* 429 with Retry-After: 1 s; the poller waits at least that long (next-poll-in) and says so */
static void
next_poll_cb (WevionPoller *poller, GParamSpec *pspec, int *min_next)
{
  if (wevion_poller_get_last_error (poller) && wevion_poller_get_next_poll_in (poller) >= 0)
    *min_next = MIN (*min_next, wevion_poller_get_next_poll_in (poller));
}

static void
test_429_retry_after (void)
{
  Scene s = { 0 };
  int min_next = G_MAXINT;

  scene_setup (&s, FALSE);
  g_signal_connect (s.rig->poller, "notify::ticks", G_CALLBACK (next_poll_cb), &min_next);
  wt_hub_set_faults (s.hub, "stall-queue;rate=1:429;retry-after=1");
  ft_wait_failed_ticks (s.rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpint (wevion_client_get_retry_after (wevion_poller_get_last_error (s.rig->poller)), ==, 1);
  /* the test interval is 100 ms: each retry still waited the second the server asked for */
  g_assert_cmpint (min_next, >=, 1);
  ft_assert_banner (s.rig, "Too many requests: the server asks to wait 1 second (HTTP 429)",
                    "The app waits and tries again.", NULL);
  scene_assert_held (&s);
  g_signal_handlers_disconnect_by_data (s.rig->poller, &min_next);
  scene_fault_clears (&s);
  scene_assert_recovered (&s);
  scene_teardown (&s);
}

/* every answer held 2.5 s, past the client's 1 s deadline, for 3 polls */
static void
test_latency (void)
{
  Scene s = { 0 };

  scene_setup (&s, FALSE);
  wevion_client_set_timeout (s.rig->client, 1);
  wt_hub_set_faults (s.hub, "stall-queue;latency=2500");
  ft_wait_failed_ticks (s.rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_TIMEOUT);
  ft_assert_banner (s.rig, "The server did not answer within 1 second.", "The app tries again by itself.",
                    NULL);
  scene_assert_held (&s);
  scene_fault_clears (&s);
  scene_assert_recovered (&s);
  scene_teardown (&s);
}

static void
test_malformed (void)
{
  run_spec ("malformed=1", TRUE, 4, WEVION_CLIENT_ERROR_INVALID_RESPONSE, "cannot be read",
            "The server sent an answer the app does not understand.");
}

static void
test_truncated (void)
{
  run_spec ("truncate=1", TRUE, 4, WEVION_CLIENT_ERROR_INVALID_RESPONSE, "cannot be read",
            "The server sent an answer the app does not understand.");
}

static gboolean
poller_busy (gpointer data)
{
  gboolean busy;

  g_object_get (data, "busy", &busy, NULL);
  return busy;
}

static void
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* kill -9 while a poll waits for its answer (latency holds it), then a restart on the same --db and
 * --data-dir: the jobs that were pending are still there, the queue runs, every transition once,
 * and the cache file holds the final states. */
static void
test_kill9_mid_poll (void)
{
  Scene s = { 0 };
  g_autofree char *dir = NULL;
  gboolean waited = FALSE;
  guint port = 0;

  scene_setup (&s, TRUE);
  wt_hub_set_faults (s.hub, "stall-queue;latency=5000");
  g_assert_true (wt_wait_until (poller_busy, s.rig->poller, 30));
  g_timeout_add_once (300, set_flag_cb, &waited); /* the request is at the hub, held */
  wt_wait_flag (&waited, 30);
  dir = ft_hub_kill9 (s.hub, &port);
  s.hub = NULL;
  /* the answer in flight is lost, then the port refuses: 3 failed polls */
  ft_wait_failed_ticks (s.rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_NETWORK);
  ft_assert_banner (s.rig, "Could not reach the server", "Check your connection.", NULL);
  scene_assert_held (&s);

  s.hub = ft_hub_restart (dir, port, "--speed", "100", NULL);
  s.hub->own_dir = TRUE;
  scene_assert_recovered (&s);
  scene_assert_cache (&s);
  scene_teardown (&s);
}

/* Connection refused for a minute. The real poller backs off 10, 20, 40, 60 s (±20 %) from a 5 s
 * interval, so a minute of refusals is 3–4 failed attempts; the test interval (100 ms, the back-off
 * capped at 12 intervals as 60 s is 12 × 5 s) makes the same 4 attempts take about 2.5 s. Every
 * attempt is one request (no hammering), the store keeps everything, and the hub coming back on
 * the same port is picked up by the next attempt. */
static void
test_refused (void)
{
  Scene s = { 0 };
  g_autofree char *dir = NULL;
  guint64 requests_before;
  guint port = 0;

  scene_setup (&s, TRUE);
  dir = ft_hub_kill9 (s.hub, &port);
  s.hub = NULL;
  requests_before = wevion_client_get_requests (s.rig->client);
  ft_wait_failed_ticks (s.rig, 4);
  g_assert_cmpuint (wevion_client_get_requests (s.rig->client) - requests_before, ==, 4);
  g_assert_error ((GError *) wevion_poller_get_last_error (s.rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_NETWORK);
  g_assert_cmpint (wevion_poller_get_state (s.rig->poller), ==, WEVION_POLLER_STATE_BACKING_OFF);
  for (guint i = 0; i < s.rig->messages->len; i++)
    g_assert_nonnull (strstr (g_ptr_array_index (s.rig->messages, i), "Could not reach the server"));
  ft_assert_banner (s.rig, "Could not reach the server",
                    "Check your connection. The app tries again by itself.", NULL);
  scene_assert_held (&s);

  s.hub = ft_hub_restart (dir, port, "--speed", "100", NULL);
  s.hub->own_dir = TRUE;
  scene_assert_recovered (&s);
  scene_assert_cache (&s);
  scene_teardown (&s);
}

/* Jobs known from the cache; the server's name never resolves (RFC 6761 .invalid). */
static void
test_dns (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *cache_path = g_build_filename (dir, "cache.db", NULL);
  WevionClient *client = wevion_client_new ("https://wevion-hub.invalid", "demo-token", &error);
  FtRig *rig;
  g_autoptr (GHashTable) before = NULL;

  g_assert_no_error (error);
  {
    /* what an earlier run left in the cache */
    g_autoptr (WevionCache) cache = wevion_cache_new (cache_path, &error);
    g_autoptr (WevionJobStore) store = wevion_job_store_new ();
    g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);

    g_assert_no_error (error);
    g_ptr_array_add (jobs, wt_job ("p1", "pending", "2026-11-20T10:00:00Z", NULL));
    g_ptr_array_add (jobs, wt_job ("r1", "processing", "2026-11-20T10:01:00Z", NULL));
    g_ptr_array_add (jobs, wt_job ("c1", "completed", "2026-11-20T09:00:00Z", NULL));
    wevion_job_store_merge (store, jobs);
    g_assert_true (wevion_cache_save_all (cache, store, &error));
  }
  rig = ft_rig_new (client, cache_path);
  g_object_unref (client);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig->store)), ==, 3);
  before = ft_snapshot (rig);
  wevion_poller_start (rig->poller);
  ft_wait_failed_ticks (rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_NETWORK);
  ft_assert_banner (rig, "The server’s name could not be found", "Check your connection.", NULL);
  ft_assert_unchanged (rig, before);
  g_assert_cmpuint (rig->transitions_total, ==, 0);
  ft_rig_free (rig);
  wt_rmdir (dir);
}

/* A TLS server with a self-signed certificate: refused with words, and it never sees a request
 * (so never the token); the jobs the store had stay. */
static guint tls_requests;

static void
tls_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  tls_requests++;
  soup_server_message_set_status (msg, 500, NULL);
}

static void
test_tls_self_signed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_pem (test_cert_pem, -1, &error);
  g_autoptr (GHashTable) before = NULL;
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *base = NULL;
  WevionClient *client;
  FtRig *rig;
  GSList *uris;

  g_assert_no_error (error);
  soup_server_set_tls_certificate (server, cert);
  soup_server_add_handler (server, NULL, tls_handler, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_assert_true (g_str_has_prefix (base, "https://"));

  client = wevion_client_new (base, "demo-token", &error);
  g_assert_no_error (error);
  rig = ft_rig_new (client, NULL);
  g_object_unref (client);
  g_ptr_array_add (jobs, wt_job ("p1", "pending", "2026-11-20T10:00:00Z", NULL));
  g_ptr_array_add (jobs, wt_job ("c1", "completed", "2026-11-20T09:00:00Z", NULL));
  wevion_job_store_merge (rig->store, jobs);
  before = ft_snapshot (rig);
  wevion_poller_start (rig->poller);
  ft_wait_failed_ticks (rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_TLS);
  ft_assert_banner (rig, "Secure connection failed", "The server’s identity could not be verified.", NULL);
  g_assert_cmpuint (tls_requests, ==, 0);
  ft_assert_unchanged (rig, before);
  ft_rig_free (rig);
  soup_server_disconnect (server);
}

int
main (int argc, char **argv)
{
  ft_init (&argc, &argv);
  g_test_add_func ("/faults/poll/5xx-burst", test_5xx_burst);
  g_test_add_func ("/faults/poll/429-retry-after", test_429_retry_after);
  g_test_add_func ("/faults/poll/latency-past-deadline", test_latency);
  g_test_add_func ("/faults/poll/malformed", test_malformed);
  g_test_add_func ("/faults/poll/truncated", test_truncated);
  g_test_add_func ("/faults/poll/kill9-mid-poll", test_kill9_mid_poll);
  g_test_add_func ("/faults/poll/refused", test_refused);
  g_test_add_func ("/faults/poll/dns", test_dns);
  g_test_add_func ("/faults/poll/tls-self-signed", test_tls_self_signed);
  return g_test_run ();
}
