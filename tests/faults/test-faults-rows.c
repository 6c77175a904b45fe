/* test-faults-rows.c: what wevion-hub cannot be made to send, from a scripted SoupServer in this
 * process, to the same client + store + poller + cache: rows with wrong types, unknown states and
 * backwards transitions; 10 000 result URLs and a 5 MB prompt; deep nesting and invalid UTF-8;
 * HTML error pages in place of JSON; 429 without Retry-After. Each fault is held for several
 * polls; jobs known before keep their state, the banner says what happened, and when the server
 * behaves again every transition arrives exactly once. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "faults-test-utils.h"

#define PREFIX "/api/v1/creative-hub/generate"

typedef struct
{
  SoupServer *server;
  char *base;
  char *list_body;    /* the list answer, whatever the query */
  GHashTable *rows;   /* id → the job answer */
  guint fault_status; /* when set: every request gets this … */
  char *fault_type;   /* … with this content type … */
  char *fault_body;   /* … and this body (owned) */
  char *fault_retry;  /* Retry-After, or NULL */
  guint requests;
} Script;

static Script script;

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Script *s = data;
  const char *body = NULL;

  s->requests++;
  if (s->fault_status)
    {
      if (s->fault_retry)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                      s->fault_retry);
      soup_server_message_set_status (msg, s->fault_status, NULL);
      soup_server_message_set_response (msg, s->fault_type, SOUP_MEMORY_COPY, s->fault_body,
                                        strlen (s->fault_body));
      return;
    }
  if (g_strcmp0 (path, PREFIX "/jobs") == 0)
    body = s->list_body;
  else if (g_str_has_prefix (path, PREFIX "/jobs/"))
    body = g_hash_table_lookup (s->rows, path + strlen (PREFIX "/jobs/"));
  if (body == NULL)
    {
      static const char not_found[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"No such job.\"}}";

      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, not_found,
                                        strlen (not_found));
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
script_start (void)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  script.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (script.server, NULL, handler, &script, NULL);
  soup_server_listen_local (script.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (script.server);
  script.base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  script.rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  script.list_body = g_strdup ("{\"jobs\":[],\"next_cursor\":null}");
}

static void
script_stop (void)
{
  soup_server_disconnect (script.server);
  g_clear_object (&script.server);
  g_clear_pointer (&script.base, g_free);
  g_clear_pointer (&script.rows, g_hash_table_unref);
  g_clear_pointer (&script.list_body, g_free);
  g_clear_pointer (&script.fault_type, g_free);
  g_clear_pointer (&script.fault_body, g_free);
  g_clear_pointer (&script.fault_retry, g_free);
  script.fault_status = 0;
  script.requests = 0;
}

static void
script_fault (guint status, const char *type, const char *body, const char *retry_after)
{
  script.fault_status = status;
  g_free (script.fault_type);
  script.fault_type = g_strdup (type);
  g_free (script.fault_body);
  script.fault_body = g_strdup (body);
  g_free (script.fault_retry);
  script.fault_retry = g_strdup (retry_after);
}

/* A row; @status and @cost are raw JSON (so they can be of the wrong type). */
static char *
row (const char *id, const char *status, const char *cost, const char *extra)
{
  gboolean ended = strstr (status, "completed") || strstr (status, "failed");

  return g_strdup_printf (
      "{\"id\":\"%s\",\"user_id\":\"u1\",\"type\":\"image\",\"status\":%s,"
      "\"provider\":\"flux_2_pro\",\"prompt\":\"prompt of %s\",\"settings\":{},"
      "\"result_urls\":[],\"error_message\":null,\"cost_cents\":%s,"
      "\"drive_folder_id\":null,\"metadata\":{},\"created_at\":\"2026-11-20T10:00:%02uZ\","
      "\"completed_at\":%s%s}",
      id, status, id, cost, (guint) (g_str_hash (id) % 60), ended ? "\"2026-11-20T10:05:00Z\"" : "null",
      extra ? extra : "");
}

static void
set_row (const char *id, char *text)
{
  g_hash_table_replace (script.rows, g_strdup (id), text);
}

/* {"jobs": [rows…]} from NULL-terminated row texts (taken) */
static void
set_list (char *first, ...)
{
  GString *s = g_string_new ("{\"jobs\":[");
  va_list ap;

  va_start (ap, first);
  for (char *r = first; r; r = va_arg (ap, char *))
    {
      if (s->str[s->len - 1] != '[')
        g_string_append_c (s, ',');
      g_string_append (s, r);
      g_free (r);
    }
  va_end (ap);
  g_string_append (s, "],\"next_cursor\":null}");
  g_free (script.list_body);
  script.list_body = g_string_free (s, FALSE);
}

static FtRig *
rig_new (const char *cache_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionClient) client = wevion_client_new (script.base, "demo-token", &error);

  g_assert_no_error (error);
  return ft_rig_new (client, cache_path);
}

/* Three active jobs and one completed, known before any fault. */
static const char *const known_ids[] = { "p1", "p2", "r1", NULL };

static FtRig *
known_setup (void)
{
  FtRig *rig;

  script_start ();
  set_list (row ("p1", "\"pending\"", "0", NULL), row ("p2", "\"pending\"", "0", NULL),
            row ("r1", "\"processing\"", "0", NULL), row ("c1", "\"completed\"", "25", NULL), NULL);
  set_row ("p1", row ("p1", "\"pending\"", "0", NULL));
  set_row ("p2", row ("p2", "\"pending\"", "0", NULL));
  set_row ("r1", row ("r1", "\"processing\"", "0", NULL));
  rig = rig_new (NULL);
  wevion_poller_start (rig->poller);
  ft_wait_known (rig, known_ids);
  g_assert_nonnull (wevion_job_store_lookup (rig->store, "c1"));
  set_list (row ("p1", "\"pending\"", "0", NULL), row ("p2", "\"pending\"", "0", NULL),
            row ("r1", "\"processing\"", "0", NULL), NULL);
  return rig;
}

/* The server behaves again: p1 completes, p2 fails, r1 completes; each transition once. */
static void
recover (FtRig *rig)
{
  set_list (NULL);
  set_row ("p1", row ("p1", "\"completed\"", "25", ",\"x\":1"));
  set_row ("p2", row ("p2", "\"failed\"", "0", NULL));
  set_row ("r1", row ("r1", "\"completed\"", "30", NULL));
  ft_wait_terminal (rig, known_ids);
  ft_wait_idle (rig);
  g_assert_null (ft_banner_text (rig->poller));
  g_assert_cmpuint (ft_transition_count (rig, "p1", WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_COMPLETED),
                    ==, 1);
  g_assert_cmpuint (ft_transition_count (rig, "p2", WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_FAILED), ==,
                    1);
  g_assert_cmpuint (
      ft_transition_count (rig, "r1", WEVION_JOB_STATUS_PROCESSING, WEVION_JOB_STATUS_COMPLETED), ==, 1);
  g_assert_cmpuint (rig->transitions_total, ==, 3);
  g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (rig->store, "c1")), ==,
                   WEVION_JOB_STATUS_COMPLETED);
  ft_assert_transitions_once (rig);
}

static void
known_teardown (FtRig *rig)
{
  ft_rig_free (rig);
  script_stop ();
}

/* A whole answer replaced by @status/@type/@body for 3 polls. */
static void
run_document_fault (guint status, const char *type, const char *body, const char *retry_after,
                    WevionClientError code, const char *word1, const char *word2)
{
  FtRig *rig = known_setup ();
  g_autoptr (GHashTable) before = ft_snapshot (rig);

  script_fault (status, type, body, retry_after);
  ft_wait_failed_ticks (rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (rig->poller), WEVION_CLIENT_ERROR, (int) code);
  g_assert_cmpint (wevion_poller_get_state (rig->poller), ==, WEVION_POLLER_STATE_BACKING_OFF);
  ft_assert_banner (rig, word1, word2, NULL);
  ft_assert_unchanged (rig, before);
  g_assert_cmpuint (rig->transitions_total, ==, 0);
  script.fault_status = 0;
  recover (rig);
  known_teardown (rig);
}

static const char html_page[] = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
                                "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>"
                                "</body></html>\n";

static void
test_html_error_page (void)
{
  run_document_fault (502, "text/html", html_page, NULL, WEVION_CLIENT_ERROR_SERVER,
                      "The server could not be reached through its gateway (HTTP 502)",
                      "The server has a problem. The app tries again later.");
}

/* a login or captive portal page, answered 200 */
static void
test_html_200 (void)
{
  run_document_fault (200, "text/html", "<html><body><form>Sign in to the Wi-Fi</form></body></html>", NULL,
                      WEVION_CLIENT_ERROR_INVALID_RESPONSE,
                      "The server answered with “text/html” instead of JSON", "Check the server address.");
}

static void
test_429_without_retry_after (void)
{
  run_document_fault (
      429, "application/json", "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", NULL,
      WEVION_CLIENT_ERROR_RATE_LIMITED, "Too many requests (HTTP 429)", "The app waits and tries again.");
}

static void
test_deep_nesting (void)
{
  GString *deep = g_string_new ("{\"jobs\":[");

  for (int i = 0; i < 200; i++)
    g_string_append (deep, "{\"a\":");
  g_string_append (deep, "1");
  for (int i = 0; i < 200; i++)
    g_string_append_c (deep, '}');
  g_string_append (deep, "],\"next_cursor\":null}");
  run_document_fault (200, "application/json", deep->str, NULL, WEVION_CLIENT_ERROR_INVALID_RESPONSE,
                      "The list of jobs the server sent cannot be read", "does not understand");
  g_string_free (deep, TRUE);
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *bad = row ("p1", "\"pending\"", "0", ",\"note\":\"caf\xc3\x28 \xff\xfe\"");
  g_autofree char *body = g_strdup_printf ("{\"jobs\":[%s],\"next_cursor\":null}", bad);

  run_document_fault (200, "application/json", body, NULL, WEVION_CLIENT_ERROR_INVALID_RESPONSE,
                      "The list of jobs the server sent cannot be read", "does not understand");
}

/* Rows with wrong types are skipped while the rest loads; when the job itself keeps coming back
 * unreadable the poller says so. An unknown state is kept as it is. Rows moving backwards are
 * ignored (the state stays). */
static void
test_bad_rows (void)
{
  FtRig *rig = known_setup ();
  g_autoptr (GHashTable) before = ft_snapshot (rig);
  WevionJob *u1;
  guint ticks;

  /* p1: status a number; p2: cost a string; r1 fine; u1 new, in a state nobody knows */
  set_list (row ("p1", "5", "0", NULL), row ("p2", "\"pending\"", "\"ten\"", NULL),
            row ("r1", "\"processing\"", "0", NULL), row ("u1", "\"paused\"", "0", NULL), NULL);
  set_row ("p1", row ("p1", "5", "0", NULL));
  set_row ("p2", row ("p2", "\"pending\"", "\"ten\"", NULL));
  ft_wait_failed_ticks (rig, 3);
  g_assert_error ((GError *) wevion_poller_get_last_error (rig->poller), WEVION_CLIENT_ERROR,
                  WEVION_CLIENT_ERROR_INVALID_RESPONSE);
  ft_assert_banner (rig, "The job the server sent cannot be read", "does not understand", NULL);
  ft_assert_unchanged (rig, before);
  u1 = wevion_job_store_lookup (rig->store, "u1");
  g_assert_nonnull (u1);
  g_assert_cmpint (wevion_job_get_status (u1), ==, WEVION_JOB_STATUS_UNKNOWN);
  g_assert_cmpstr (wevion_job_get_status_name (u1), ==, "paused");
  g_assert_cmpuint (rig->transitions_total, ==, 0);

  /* backwards: r1 processing → pending, c1 completed → processing; p1/p2 fine again */
  set_list (row ("p1", "\"pending\"", "0", NULL), row ("p2", "\"pending\"", "0", NULL),
            row ("r1", "\"pending\"", "0", NULL), row ("c1", "\"processing\"", "0", NULL), NULL);
  set_row ("p1", row ("p1", "\"pending\"", "0", NULL));
  set_row ("p2", row ("p2", "\"pending\"", "0", NULL));
  set_row ("r1", row ("r1", "\"pending\"", "0", NULL));
  set_row ("c1", row ("c1", "\"processing\"", "0", NULL));
  ticks = wevion_poller_get_ticks (rig->poller);
  {
    /* five clean polls with the stale rows */
    guint target = ticks + 5;

    while (wevion_poller_get_ticks (rig->poller) < target || wevion_poller_get_last_error (rig->poller))
      g_main_context_iteration (NULL, TRUE);
  }
  ft_assert_unchanged (rig, before);
  g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (rig->store, "c1")), ==,
                   WEVION_JOB_STATUS_COMPLETED);
  g_assert_null (ft_banner_text (rig->poller));
  g_assert_cmpuint (rig->transitions_total, ==, 0);

  recover (rig);
  known_teardown (rig);
}

/* 10 000 result URLs and a 5 MB prompt: followed, kept in the cache file and read back whole. */
static void
test_big_rows (void)
{
  g_autofree char *dir = wt_tmpdir ();
  g_autofree char *cache_path = g_build_filename (dir, "cache.db", NULL);
  const char *const ids[] = { "big", "many", NULL };
  GString *prompt = g_string_sized_new (5 * 1024 * 1024 + 16);
  GString *urls = g_string_new ("[");
  g_autofree char *prompt_field = NULL;
  g_autofree char *urls_field = NULL;
  FtRig *rig;

  while (prompt->len < 5 * 1024 * 1024)
    g_string_append (prompt, "a long prompt with <markup> & “quotes” — ");
  for (int i = 0; i < 10000; i++)
    g_string_append_printf (urls, "%s\"https://files.example.com/r/%05d.png?sig=%08x\"", i ? "," : "", i,
                            (guint) g_str_hash (urls->str + urls->len / 2));
  g_string_append_c (urls, ']');
  prompt_field = g_strdup_printf (",\"prompt\":\"%s\"", prompt->str);
  urls_field = g_strdup_printf (",\"result_urls\":%s", urls->str);

  script_start ();
  set_list (row ("big", "\"pending\"", "0", prompt_field), row ("many", "\"processing\"", "0", NULL), NULL);
  rig = rig_new (cache_path);
  wevion_poller_start (rig->poller);
  ft_wait_known (rig, ids);
  g_assert_cmpstr (wevion_job_get_prompt (wevion_job_store_lookup (rig->store, "big")), ==, prompt->str);

  set_list (NULL);
  {
    g_autofree char *both = g_strconcat (prompt_field, urls_field, NULL);

    set_row ("big", row ("big", "\"completed\"", "100", both));
    set_row ("many", row ("many", "\"completed\"", "100", urls_field));
  }
  ft_wait_terminal (rig, ids);
  ft_wait_idle (rig);
  for (guint i = 0; ids[i]; i++)
    {
      WevionJob *job = wevion_job_store_lookup (rig->store, ids[i]);

      g_assert_cmpuint (wevion_job_get_n_result_urls (job), ==, 10000);
      g_assert_true (
          g_str_has_prefix (wevion_job_get_result_urls (job)[9999], "https://files.example.com/r/09999.png"));
    }
  g_assert_cmpstr (wevion_job_get_prompt (wevion_job_store_lookup (rig->store, "big")), ==, prompt->str);
  g_assert_cmpuint (ft_transition_count (rig, "big", WEVION_JOB_STATUS_PENDING, WEVION_JOB_STATUS_COMPLETED),
                    ==, 1);
  g_assert_cmpuint (
      ft_transition_count (rig, "many", WEVION_JOB_STATUS_PROCESSING, WEVION_JOB_STATUS_COMPLETED), ==, 1);
  ft_assert_transitions_once (rig);
  ft_rig_free (rig);

  /* the next run reads them back whole */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (WevionCache) cache = wevion_cache_new (cache_path, &error);
    g_autoptr (WevionJobStore) store = wevion_job_store_new ();

    g_assert_no_error (error);
    g_assert_cmpuint (wevion_cache_load (cache, store), ==, 2);
    g_assert_cmpstr (wevion_job_get_prompt (wevion_job_store_lookup (store, "big")), ==, prompt->str);
    g_assert_cmpuint (wevion_job_get_n_result_urls (wevion_job_store_lookup (store, "many")), ==, 10000);
    g_assert_cmpint (wevion_job_get_status (wevion_job_store_lookup (store, "many")), ==,
                     WEVION_JOB_STATUS_COMPLETED);
  }
  script_stop ();
  wt_rmdir (dir);
  g_string_free (prompt, TRUE);
  g_string_free (urls, TRUE);
}

int
main (int argc, char **argv)
{
  ft_init (&argc, &argv);
  g_test_add_func ("/faults/rows/bad-rows", test_bad_rows);
  g_test_add_func ("/faults/rows/big-rows", test_big_rows);
  g_test_add_func ("/faults/rows/deep-nesting", test_deep_nesting);
  g_test_add_func ("/faults/rows/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/faults/rows/html-error-page", test_html_error_page);
  g_test_add_func ("/faults/rows/html-200", test_html_200);
  g_test_add_func ("/faults/rows/429-without-retry-after", test_429_without_retry_after);
  return g_test_run ();
}
