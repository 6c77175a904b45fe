/* test-hub-api.c: the jobs API of a real wevion-hub over loopback. */
#include "config.h"

#include <string.h>

#include "hub-test-utils.h"

#define TOKEN "demo-token"
#define GEN "/api/v1/creative-hub/generate/"
#define JOBS "/api/v1/creative-hub/generate/jobs"

static const char *const seed_fields[] = { "id",         "user_id",         "type",
                                           "status",     "provider",        "prompt",
                                           "settings",   "result_urls",     "error_message",
                                           "cost_cents", "drive_folder_id", "metadata",
                                           "created_at", "completed_at",    NULL };
static const char *const ext_fields[] = { "updated_at", "progress", "archived", NULL };

static JsonObject *
get_job (SoupSession *s, HubProc *hub, const char *token, const char *id, guint expect)
{
  g_autofree char *path = g_strconcat (JOBS "/", id, NULL);
  g_autoptr (HubReply) r = hub_get (s, hub, path, token);
  g_autoptr (JsonNode) node = NULL;

  g_assert_cmpuint (r->status, ==, expect);
  if (expect != 200)
    return NULL;
  node = hub_reply_json (r);
  return json_object_ref (json_node_get_object (node));
}

/* the rows of @token's list (archived ones too) */
static guint
list_length (SoupSession *s, HubProc *hub, const char *token)
{
  g_autoptr (HubReply) r = hub_get (s, hub, JOBS "?include_archived=true&limit=500", token);
  g_autoptr (JsonNode) node = hub_reply_json (r);

  g_assert_cmpuint (r->status, ==, 200);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (node), "jobs"));
}

/* every row in the db, whoever owns it (GET /admin/stats) */
static gint64
stored_rows (SoupSession *s, HubProc *hub)
{
  g_autoptr (HubReply) r = hub_get (s, hub, "/admin/stats", NULL);
  g_autoptr (JsonNode) node = hub_reply_json (r);

  g_assert_cmpuint (r->status, ==, 200);
  return json_object_get_int_member (json_node_get_object (node), "jobs");
}

static void
test_submit_and_get (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id = hub_submit (s, hub, TOKEN, "image", "flux_2_pro", "A red fox in snow [ok]",
                                    "{\"width\": 320, \"height\": 200, \"count\": 3}");
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");
  JsonArray *urls;
  JsonObject *meta;

  for (guint i = 0; seed_fields[i]; i++)
    g_assert_true (json_object_has_member (row, seed_fields[i]));
  for (guint i = 0; ext_fields[i]; i++)
    g_assert_true (json_object_has_member (row, ext_fields[i]));
  g_assert_cmpstr (json_object_get_string_member (row, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (row, "user_id"), ==, "demo");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (row, "provider"), ==, "flux_2_pro");
  g_assert_cmpint (json_object_get_int_member (row, "progress"), ==, 100);
  /* 3 × 25¢, with the documented ±8 % variance */
  g_assert_cmpint (json_object_get_int_member (row, "cost_cents"), >=, 3 * 23);
  g_assert_cmpint (json_object_get_int_member (row, "cost_cents"), <=, 3 * 27);
  urls = json_object_get_array_member (row, "result_urls");
  g_assert_cmpuint (json_array_get_length (urls), ==, 3);
  g_assert_true (g_str_has_prefix (json_array_get_string_element (urls, 0), hub->url));
  g_assert_nonnull (strstr (json_array_get_string_element (urls, 0), "sig="));
  g_assert_true (json_object_get_null_member (row, "error_message"));
  g_assert_nonnull (json_object_get_string_member (row, "drive_folder_id"));
  g_assert_nonnull (json_object_get_string_member (row, "completed_at"));
  g_assert_nonnull (json_object_get_string_member (row, "started_at"));
  g_assert_nonnull (json_object_get_string_member (row, "result_expires_at"));
  meta = json_object_get_object_member (row, "metadata");
  g_assert_nonnull (strstr (json_object_get_string_member (meta, "thumbnail_url"), "thumbnail.png"));
  hub_stop (hub);
}

static void
test_errors (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *url = g_strconcat (hub->url, GEN "image", NULL);
  g_autofree char *big = NULL;
  const char *ok = "{\"provider\":\"flux_2_pro\",\"prompt\":\"x\"}";

#define CHECK(reply, status, code)                                                                           \
  G_STMT_START                                                                                               \
  {                                                                                                          \
    g_autoptr (HubReply) _r = (reply);                                                                       \
    hub_assert_error (_r, status, code);                                                                     \
  }                                                                                                          \
  G_STMT_END

  CHECK (hub_post (s, hub, GEN "image", NULL, ok), 401, "unauthorized");
  CHECK (hub_post (s, hub, GEN "image", "wrong-token", ok), 401, "unauthorized");
  CHECK (hub_get (s, hub, JOBS, NULL), 401, "unauthorized");
  CHECK (hub_post (s, hub, GEN "hologram", TOKEN, ok), 404, "unknown_type");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "{\"provider\":\"veo_3\",\"prompt\":\"x\"}"), 400,
         "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "{\"provider\":\"nope\",\"prompt\":\"x\"}"), 400,
         "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "{\"provider\":\"flux_2_pro\"}"), 400, "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "{\"provider\":\"flux_2_pro\",\"prompt\":42}"), 400,
         "invalid_request");
  CHECK (
      hub_post (s, hub, GEN "image", TOKEN, "{\"provider\":\"flux_2_pro\",\"prompt\":\"x\",\"settings\":[]}"),
      400, "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "{\"provider\": \"flux_2_pro\", \"prompt\": "), 400,
         "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "[1,2,3]"), 400, "invalid_request");
  CHECK (hub_post (s, hub, GEN "image", TOKEN, "\xff\xfe{}"), 400, "invalid_request");
  {
    /* deeper than the core's guard */
    g_autoptr (GString) deep = g_string_new ("{\"provider\":\"flux_2_pro\",\"prompt\":\"x\",\"metadata\":");

    for (int i = 0; i < 200; i++)
      g_string_append (deep, "[");
    for (int i = 0; i < 200; i++)
      g_string_append (deep, "]");
    g_string_append (deep, "}");
    CHECK (hub_post (s, hub, GEN "image", TOKEN, deep->str), 400, "invalid_request");
  }
  CHECK (hub_request (s, "POST", url, TOKEN, ok, "text/plain", NULL), 415, "unsupported_media_type");
  big = g_strnfill (1024 * 1024 + 100, 'a');
  memcpy (big, "{\"prompt\":\"", 11);
  CHECK (hub_request (s, "POST", url, TOKEN, big, NULL, NULL), 413, "too_large");
  CHECK (hub_get (s, hub, GEN "image", TOKEN), 405, "method_not_allowed");
  CHECK (hub_post (s, hub, JOBS, TOKEN, ok), 405, "method_not_allowed");
  {
    g_autofree char *job_url = g_strconcat (hub->url, JOBS "/abc", NULL);

    CHECK (hub_request (s, "DELETE", job_url, TOKEN, NULL, NULL, NULL), 405, "method_not_allowed");
  }
  CHECK (hub_get (s, hub, JOBS "/no-such-job", TOKEN), 404, "not_found");
  CHECK (hub_get (s, hub, "/api/v1/creative-hub/nothing", TOKEN), 404, "not_found");
  CHECK (hub_get (s, hub, JOBS "?limit=0", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?limit=501", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?limit=abc", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?status=done", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?type=hologram", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?since=yesterday", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, JOBS "?cursor=%21%21", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, "/api/v1/team/billing?month=2026-13", TOKEN), 400, "invalid_request");
  CHECK (hub_get (s, hub, "/api/v1/team/billing?month=Nov", TOKEN), 400, "invalid_request");
#undef CHECK

  /* never a half-written row: none of those requests left anything behind */
  g_assert_cmpuint (list_length (s, hub, TOKEN), ==, 0);
  g_assert_cmpint (stored_rows (s, hub), ==, 0);
  {
    /* still serving after all that */
    g_autofree char *id = hub_submit (s, hub, TOKEN, "tts", "elevenlabs_v2", "still alive [ok]", NULL);
    g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");

    g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "completed");
  }
  hub_stop (hub);
}

/* The settings the hub reads are checked (400 invalid_settings); the others are kept as given. */
static void
test_settings (void)
{
  const char *const args[] = { "--max-result-mb", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  const struct
  {
    const char *type, *provider, *settings;
  } bad[] = {
    { "image", "sdxl_turbo", "{\"width\":\"huge\",\"count\":99}" },
    { "image", "sdxl_turbo", "{\"width\":\"512\"}" },
    { "image", "sdxl_turbo", "{\"width\":10}" },
    { "image", "sdxl_turbo", "{\"height\":9000}" },
    { "image", "sdxl_turbo", "{\"height\":512.5}" },
    { "image", "sdxl_turbo", "{\"width\":1e300}" },
    { "image", "sdxl_turbo", "{\"width\":true}" },
    { "image", "sdxl_turbo", "{\"width\":[512]}" },
    { "image", "sdxl_turbo", "{\"count\":0}" },
    { "image", "sdxl_turbo", "{\"count\":5}" },
    { "image", "sdxl_turbo", "{\"count\":-1}" },
    { "composite", "wevion_compose", "{\"count\":{}}" },
    { "avatar", "heygen_v3", "{\"width\":63}" },
    { "video", "veo_3", "{\"seconds\":0}" },
    { "video", "veo_3", "{\"seconds\":61}" },
    { "video", "kling_2", "{\"seconds\":\"3\"}" },
    { "video", "kling_2", "{\"width\":4096,\"height\":2160}" },
    { "video", "kling_2", "{\"format\":\"gif\"}" },
    { "video", "veo_3", "{\"format\":5}" },
    { "tts", "elevenlabs_v2", "{\"seconds\":0}" },
    { "tts", "elevenlabs_v2", "{\"seconds\":86401}" },
    { "tts", "elevenlabs_v2", "{\"voice\":42}" },
    { "tts", "elevenlabs_v2", "{\"voice\":\"\"}" },
    { "tts", "elevenlabs_v2", "{\"count\":2.5}" },
    /* within the bounds of speech, beyond this hub's --max-result-mb 1: 24 s is 1 058 444 bytes */
    { "tts", "elevenlabs_v2", "{\"seconds\":24}" },
  };
  g_autofree char *id = NULL;
  g_autofree char *tts_id = NULL;
  g_autoptr (JsonObject) row = NULL;
  g_autoptr (JsonObject) tts = NULL;
  JsonObject *settings;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strconcat (GEN, bad[i].type, NULL);
      g_autofree char *body = g_strdup_printf ("{\"provider\":\"%s\",\"prompt\":\"x\",\"settings\":%s}",
                                               bad[i].provider, bad[i].settings);
      g_autoptr (HubReply) r = hub_post (s, hub, path, TOKEN, body);
      g_autoptr (JsonNode) node = NULL;
      const char *message;

      g_test_message ("%s %s", bad[i].type, bad[i].settings);
      hub_assert_error (r, 400, "invalid_settings");
      node = hub_reply_json (r);
      message = json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (node), "error"), "message");
      /* the message names the setting */
      g_assert_nonnull (strstr (message, "settings."));
      if (i == G_N_ELEMENTS (bad) - 1)
        g_assert_nonnull (strstr (message, "--max-result-mb"));
    }
  /* none of them left a row */
  g_assert_cmpuint (list_length (s, hub, TOKEN), ==, 0);
  g_assert_cmpint (stored_rows (s, hub), ==, 0);

  /* in range (512.0 is a whole number), null for "not set", other keys kept as given; width and
   * height mean nothing to speech and are not read there */
  id = hub_submit (
      s, hub, TOKEN, "image", "sdxl_turbo", "settings kept [ok]",
      "{\"width\":512.0,\"height\":null,\"count\":2,\"style\":{\"k\":[1,\"x\"]},\"seed\":\"any\"}");
  tts_id = hub_submit (s, hub, TOKEN, "tts", "elevenlabs_v2", "the longest speech here [ok]",
                       "{\"seconds\":23,\"voice\":\"Rachel\",\"width\":\"n/a\"}");
  row = hub_wait_job (s, hub, TOKEN, id, "completed");
  settings = json_object_get_object_member (row, "settings");
  g_assert_cmpstr (json_object_get_string_member (settings, "seed"), ==, "any");
  g_assert_true (json_object_has_member (json_object_get_object_member (settings, "style"), "k"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (row, "result_urls")), ==, 2);
  tts = hub_wait_job (s, hub, TOKEN, tts_id, "completed");
  g_assert_cmpstr (json_object_get_string_member (tts, "status"), ==, "completed");
  {
    const char *url = json_array_get_string_element (json_object_get_array_member (tts, "result_urls"), 0);
    g_autoptr (HubReply) wav = hub_request (s, "GET", url, NULL, NULL, NULL, NULL);

    g_assert_cmpuint (wav->status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (wav->body), ==, 44 + 23 * 44100);
  }
  g_assert_cmpint (stored_rows (s, hub), ==, 2);
  hub_stop (hub);
}

static void
test_isolation (void)
{
  const char *const args[] = { "--user", "alice:alice-token", "--user", "bob:bob-token", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id
      = hub_submit (s, hub, "alice-token", "image", "sdxl_turbo", "alice's secret [hold]", NULL);
  g_autofree char *cancel = g_strdup_printf (JOBS "/%s/cancel", id);
  g_autoptr (JsonObject) mine = get_job (s, hub, "alice-token", id, 200);
  g_autoptr (JsonObject) theirs = get_job (s, hub, "bob-token", id, 404);
  g_autoptr (HubReply) list = hub_get (s, hub, JOBS, "bob-token");
  g_autoptr (JsonNode) node = hub_reply_json (list);
  g_autoptr (HubReply) c = hub_post (s, hub, cancel, "demo-token", NULL);

  g_assert_cmpstr (json_object_get_string_member (mine, "user_id"), ==, "alice");
  g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (json_node_get_object (node), "jobs")), ==, 0);
  hub_assert_error (c, 404, "not_found");
  hub_stop (hub);
}

static void
test_failures (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *fail = hub_submit (s, hub, TOKEN, "video", "kling_2", "ocean waves [fail]", NULL);
  g_autofree char *empty = hub_submit (s, hub, TOKEN, "avatar", "heygen_v3", "hello [empty-error]", NULL);
  g_autofree char *mod = hub_submit (s, hub, TOKEN, "image", "flux_2_pro", "A poster full of GORE", NULL);
  g_autoptr (JsonObject) f = hub_wait_job (s, hub, TOKEN, fail, "failed");
  g_autoptr (JsonObject) e = hub_wait_job (s, hub, TOKEN, empty, "failed");
  g_autoptr (JsonObject) m = hub_wait_job (s, hub, TOKEN, mod, "failed");
  g_autofree char *retry_body = g_strdup_printf ("{\"provider\":\"kling_2\",\"prompt\":\"ocean waves "
                                                 "[ok]\",\"metadata\":{\"retry_of\":\"%s\",\"ui\":\"x\"}}",
                                                 fail);
  g_autoptr (HubReply) r = hub_post (s, hub, GEN "video", TOKEN, retry_body);
  g_autoptr (JsonNode) rn = hub_reply_json (r);
  g_autoptr (JsonObject) retry = NULL;

  g_assert_cmpstr (json_object_get_string_member (f, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (f, "error_code"), ==, "provider_error");
  g_assert_true (json_object_get_boolean_member (f, "retryable"));
  g_assert_cmpint (json_object_get_int_member (f, "cost_cents"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (f, "result_urls")), ==, 0);
  g_assert_nonnull (json_object_get_string_member (f, "completed_at"));
  g_assert_cmpstr (json_object_get_string_member (f, "error_message"), !=, "");

  g_assert_cmpstr (json_object_get_string_member (e, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (e, "error_message"), ==, "");
  g_assert_cmpint (json_object_get_int_member (e, "cost_cents"), ==, 0);

  g_assert_cmpstr (json_object_get_string_member (m, "error_code"), ==, "content_moderation");
  g_assert_false (json_object_get_boolean_member (m, "retryable"));
  g_assert_cmpint (json_object_get_int_member (m, "cost_cents"), ==, 0);

  g_assert_cmpuint (r->status, ==, 202);
  retry = hub_wait_job (s, hub, TOKEN, json_object_get_string_member (json_node_get_object (rn), "job_id"),
                        "completed");
  g_assert_cmpstr (json_object_get_string_member (retry, "status"), ==, "completed");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (retry, "metadata"), "retry_of"), ==,
      fail);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (retry, "metadata"), "ui"),
                   ==, "x");
  hub_stop (hub);
}

static GPtrArray *
list_ids (SoupSession *s, HubProc *hub, const char *query, char **next_cursor)
{
  g_autofree char *path = g_strconcat (JOBS, query, NULL);
  g_autoptr (HubReply) r = hub_get (s, hub, path, TOKEN);
  g_autoptr (JsonNode) node = NULL;
  JsonObject *o;
  JsonArray *jobs;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (r->status, ==, 200);
  node = hub_reply_json (r);
  o = json_node_get_object (node);
  jobs = json_object_get_array_member (o, "jobs");
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    g_ptr_array_add (
        ids, g_strdup (json_object_get_string_member (json_array_get_object_element (jobs, i), "id")));
  g_assert_true (json_object_has_member (o, "next_cursor"));
  if (next_cursor)
    *next_cursor = json_object_get_null_member (o, "next_cursor")
                       ? NULL
                       : g_strdup (json_object_get_string_member (o, "next_cursor"));
  return ids;
}

static gboolean
has_id (GPtrArray *ids, const char *id)
{
  return g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL);
}

static void
test_list (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (GPtrArray) submitted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) paged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = NULL;
  g_autofree char *middle_time = NULL;
  guint pages = 0;
  const int n = 13;

  for (int i = 0; i < n; i++)
    {
      const char *type = i % 3 == 0 ? "tts" : "image";
      const char *provider = i % 3 == 0 ? "elevenlabs_v2" : "sdxl_turbo";
      g_autofree char *prompt = g_strdup_printf ("%s number %d %s", i == 4 ? "ÉCLAIR Über" : "plain", i,
                                                 i % 4 == 1 ? "[fail]" : "[ok]");

      g_ptr_array_add (submitted,
                       hub_submit (s, hub, TOKEN, type, provider, prompt, "{\"width\":64,\"height\":64}"));
      if (i == 6)
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

          g_usleep (1100000); /* the next ones are created at least a second later */
          middle_time = g_date_time_format_iso8601 (now);
        }
    }
  for (int i = 0; i < n; i++)
    {
      g_autoptr (JsonObject) row
          = hub_wait_job (s, hub, TOKEN, g_ptr_array_index (submitted, i), "completed");

      g_assert_true (g_str_equal (json_object_get_string_member (row, "status"), "completed")
                     || g_str_equal (json_object_get_string_member (row, "status"), "failed"));
    }

  /* order: created_at desc, then id desc */
  all = list_ids (s, hub, "", NULL);
  g_assert_cmpuint (all->len, ==, n);
  for (int i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (all, i), ==, g_ptr_array_index (submitted, n - 1 - i));

  /* cursor paging over more than one page, no duplicates, nothing lost */
  do
    {
      g_autofree char *q = cursor ? g_strdup_printf ("?limit=5&cursor=%s", cursor) : g_strdup ("?limit=5");
      g_autofree char *next = NULL;
      g_autoptr (GPtrArray) page = list_ids (s, hub, q, &next);

      g_assert_cmpuint (page->len, <=, 5);
      for (guint i = 0; i < page->len; i++)
        {
          g_assert_false (has_id (paged, g_ptr_array_index (page, i)));
          g_ptr_array_add (paged, g_strdup (g_ptr_array_index (page, i)));
        }
      g_free (cursor);
      cursor = g_steal_pointer (&next);
      pages++;
    }
  while (cursor);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (paged->len, ==, n);
  for (int i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (paged, i), ==, g_ptr_array_index (all, i));

  {
    g_autoptr (GPtrArray) tts = list_ids (s, hub, "?type=tts", NULL);
    g_autoptr (GPtrArray) both = list_ids (s, hub, "?type=tts,image", NULL);
    g_autoptr (GPtrArray) failed = list_ids (s, hub, "?status=failed", NULL);
    g_autoptr (GPtrArray) failed_tts = list_ids (s, hub, "?status=failed&type=tts", NULL);
    g_autoptr (GPtrArray) found = list_ids (s, hub, "?q=%C3%A9clair%20%C3%BCBER", NULL);
    g_autoptr (GPtrArray) none = list_ids (s, hub, "?q=nothing-like-this", NULL);
    g_autoptr (GPtrArray) active = list_ids (s, hub, "?status=pending,processing", NULL);
    g_autofree char *since_q = g_strdup_printf ("?since=%s", middle_time);
    g_autofree char *until_q = g_strdup_printf ("?until=%s", middle_time);
    g_autoptr (GPtrArray) since = NULL;
    g_autoptr (GPtrArray) until = NULL;
    g_autoptr (GPtrArray) future = list_ids (s, hub, "?updated_since=2999-01-01T00:00:00Z", NULL);
    g_autoptr (GPtrArray) updated = list_ids (s, hub, "?updated_since=2000-01-01T00:00:00Z", NULL);
    g_autoptr (GPtrArray) two = list_ids (s, hub, "?limit=2&status=completed", NULL);

    g_strdelimit (since_q, "+", '\0'); /* the time is UTC with a Z */
    since = list_ids (s, hub, since_q, NULL);
    until = list_ids (s, hub, until_q, NULL);
    g_assert_cmpuint (tts->len, ==, 5); /* 0 3 6 9 12 */
    g_assert_cmpuint (both->len, ==, n);
    g_assert_cmpuint (failed->len, ==, 3);     /* 1 5 9 */
    g_assert_cmpuint (failed_tts->len, ==, 1); /* 9 */
    g_assert_cmpstr (g_ptr_array_index (failed_tts, 0), ==, g_ptr_array_index (submitted, 9));
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (found, 0), ==, g_ptr_array_index (submitted, 4));
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpuint (active->len, ==, 0);
    g_assert_cmpuint (since->len, ==, 6); /* 7…12 */
    g_assert_cmpuint (until->len, ==, 7); /* 0…6 */
    g_assert_cmpuint (future->len, ==, 0);
    g_assert_cmpuint (updated->len, ==, n);
    g_assert_cmpuint (two->len, ==, 2);
  }
  hub_stop (hub);
}

static void
test_etag (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "etag [fail]", NULL);
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "failed");
  g_autofree char *job_url = g_strconcat (hub->url, JOBS "/", id, NULL);
  g_autofree char *list_url = g_strconcat (hub->url, JOBS "?status=failed", NULL);
  g_autoptr (HubReply) a = hub_request (s, "GET", job_url, TOKEN, NULL, NULL, NULL);
  const char *etag = soup_message_headers_get_one (a->headers, "ETag");
  const char *h1[] = { "If-None-Match", etag, NULL };
  g_autoptr (HubReply) b = hub_request (s, "GET", job_url, TOKEN, NULL, NULL, h1);
  const char *h2[] = { "If-None-Match", "\"something-else\"", NULL };
  g_autoptr (HubReply) c = hub_request (s, "GET", job_url, TOKEN, NULL, NULL, h2);
  g_autoptr (HubReply) la = hub_request (s, "GET", list_url, TOKEN, NULL, NULL, NULL);
  g_autofree char *list_etag = g_strdup (soup_message_headers_get_one (la->headers, "ETag"));
  const char *h3[] = { "If-None-Match", list_etag, NULL };
  g_autoptr (HubReply) lb = hub_request (s, "GET", list_url, TOKEN, NULL, NULL, h3);
  g_autofree char *id2 = NULL;
  g_autoptr (JsonObject) row2 = NULL;
  g_autoptr (HubReply) lc = NULL;

  g_assert_nonnull (etag);
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 304);
  g_assert_cmpuint (g_bytes_get_size (b->body), ==, 0);
  g_assert_cmpuint (c->status, ==, 200);
  g_assert_nonnull (list_etag);
  g_assert_cmpuint (lb->status, ==, 304);

  /* the list changes: the old ETag no longer matches */
  id2 = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "etag two [fail]", NULL);
  row2 = hub_wait_job (s, hub, TOKEN, id2, "failed");
  lc = hub_request (s, "GET", list_url, TOKEN, NULL, NULL, h3);
  g_assert_cmpuint (lc->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (lc->headers, "ETag"), !=, list_etag);
  hub_stop (hub);
}

static void
test_cancel (void)
{
  const char *const args[] = { "--faults", "stall-queue", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *a = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "first [ok]", NULL);
  g_autofree char *b = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "second [ok]", NULL);
  g_autoptr (JsonObject) ra = get_job (s, hub, TOKEN, a, 200);
  g_autoptr (JsonObject) rb = get_job (s, hub, TOKEN, b, 200);
  g_autofree char *cancel_a = g_strdup_printf (JOBS "/%s/cancel", a);
  g_autoptr (HubReply) c1 = NULL;
  g_autoptr (HubReply) c2 = NULL;
  g_autoptr (HubReply) c3 = NULL;
  g_autoptr (HubReply) unstall = NULL;
  g_autoptr (JsonObject) ca = NULL;
  g_autoptr (JsonObject) rb2 = NULL;
  g_autofree char *held = NULL;
  g_autofree char *cancel_held = NULL;
  g_autoptr (JsonObject) rh = NULL;
  g_autoptr (JsonObject) rh2 = NULL;

  g_assert_cmpstr (json_object_get_string_member (ra, "status"), ==, "pending");
  g_assert_cmpint (json_object_get_int_member (ra, "queue_position"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (rb, "queue_position"), ==, 2);

  c1 = hub_post (s, hub, cancel_a, TOKEN, NULL);
  g_assert_cmpuint (c1->status, ==, 202);
  ca = get_job (s, hub, TOKEN, a, 200);
  g_assert_cmpstr (json_object_get_string_member (ca, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (ca, "error_code"), ==, "canceled");
  g_assert_cmpint (json_object_get_int_member (ca, "cost_cents"), ==, 0);
  rb2 = get_job (s, hub, TOKEN, b, 200);
  g_assert_cmpint (json_object_get_int_member (rb2, "queue_position"), ==, 1);
  c2 = hub_post (s, hub, cancel_a, TOKEN, NULL);
  hub_assert_error (c2, 409, "conflict");

  /* a processing job can be canceled too */
  unstall = hub_post (s, hub, "/admin/faults", NULL, "");
  g_assert_cmpuint (unstall->status, ==, 200);
  held = hub_submit (s, hub, TOKEN, "video", "veo_3", "held [hold]", NULL);
  rh = hub_wait_job (s, hub, TOKEN, held, "processing");
  g_assert_cmpstr (json_object_get_string_member (rh, "status"), ==, "processing");
  cancel_held = g_strdup_printf (JOBS "/%s/cancel", held);
  c3 = hub_post (s, hub, cancel_held, TOKEN, NULL);
  g_assert_cmpuint (c3->status, ==, 202);
  rh2 = get_job (s, hub, TOKEN, held, 200);
  g_assert_cmpstr (json_object_get_string_member (rh2, "error_code"), ==, "canceled");
  {
    g_autoptr (JsonObject) done = hub_wait_job (s, hub, TOKEN, b, "completed");

    g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "completed");
  }
  hub_stop (hub);
}

static void
test_billing (void)
{
  const char *const args[] = { "--user", "poor:poor-token:10", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *month = g_date_time_format (now, "%Y-%m");
  g_autofree char *path = g_strdup_printf ("/api/v1/team/billing?month=%s", month);
  gint64 sum = 0, n_completed = 0;
  const char *prompts[] = { "one [ok]", "two [fail]", "three [ok]", "four [ok]" };
  g_autoptr (HubReply) r = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (HubReply) other = NULL;
  g_autoptr (JsonNode) other_node = NULL;
  JsonObject *o;

  for (guint i = 0; i < G_N_ELEMENTS (prompts); i++)
    {
      g_autofree char *id = hub_submit (s, hub, TOKEN, "image", i % 2 ? "flux_2_pro" : "sdxl_turbo",
                                        prompts[i], "{\"width\":64,\"height\":64,\"count\":2}");
      g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");

      if (g_str_equal (json_object_get_string_member (row, "status"), "completed"))
        {
          sum += json_object_get_int_member (row, "cost_cents");
          n_completed++;
        }
      else
        g_assert_cmpint (json_object_get_int_member (row, "cost_cents"), ==, 0);
    }
  g_assert_cmpint (n_completed, ==, 3);
  r = hub_get (s, hub, path, TOKEN);
  node = hub_reply_json (r);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "month"), ==, month);
  g_assert_cmpint (json_object_get_int_member (o, "debit_cents"), ==, sum);
  g_assert_cmpint (json_object_get_int_member (o, "jobs"), ==, 3);

  other = hub_get (s, hub, "/api/v1/team/billing?month=2001-01", TOKEN);
  other_node = hub_reply_json (other);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (other_node), "debit_cents"), ==, 0);

  {
    /* a 10¢ credit limit refuses a 25¢ generation */
    g_autoptr (HubReply) poor
        = hub_post (s, hub, GEN "image", "poor-token", "{\"provider\":\"flux_2_pro\",\"prompt\":\"x\"}");

    hub_assert_error (poor, 402, "insufficient_credits");
  }
  {
    g_autoptr (HubReply) page = hub_get (s, hub, "/settings/team/billing", NULL);
    g_autofree char *cents = g_strdup_printf ("data-cents=\"%" G_GINT64_FORMAT "\"", sum);

    g_assert_cmpuint (page->status, ==, 200);
    g_assert_nonnull (strstr (hub_reply_text (page), cents));
  }
  hub_stop (hub);
}

static void
test_minimal (void)
{
  const char *const args[] = { "--minimal", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo", "minimal [ok]", NULL);
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");
  g_autoptr (HubReply) list = hub_get (s, hub, JOBS "?status=pending&limit=1&type=tts", TOKEN);
  g_autoptr (JsonNode) node = hub_reply_json (list);
  g_autofree char *cancel = g_strdup_printf (JOBS "/%s/cancel", id);
  g_autoptr (HubReply) c = hub_post (s, hub, cancel, TOKEN, NULL);
  g_autoptr (HubReply) billing = hub_get (s, hub, "/api/v1/team/billing", TOKEN);
  JsonObject *lrow;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1); /* query ignored */
  g_assert_null (soup_message_headers_get_one (list->headers, "ETag"));
  lrow = json_array_get_object_element (json_node_get_array (node), 0);
  for (guint i = 0; seed_fields[i]; i++)
    {
      g_assert_true (json_object_has_member (row, seed_fields[i]));
      g_assert_true (json_object_has_member (lrow, seed_fields[i]));
    }
  for (const char *const *f
       = (const char *const[]){ "updated_at", "started_at", "progress", "queue_position", "error_code",
                                "retryable", "archived", "result_expires_at", NULL };
       *f; f++)
    {
      g_assert_false (json_object_has_member (row, *f));
      g_assert_false (json_object_has_member (lrow, *f));
    }
  g_assert_false (json_object_has_member (json_object_get_object_member (row, "metadata"), "thumbnail_url"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (row, "result_urls")), ==, 1);
  g_assert_cmpuint (c->status, ==, 404);
  g_assert_cmpuint (billing->status, ==, 404);
  hub_stop (hub);
}

static void
test_demo (void)
{
  const char *const args[] = { "--demo", "--seed", "7", "--speed", "1", NULL };
  HubProc *hub = hub_start (NULL, args);
  g_autoptr (SoupSession) s = hub_session ();
  g_autoptr (HubReply) r = hub_get (s, hub, JOBS "?include_archived=true&limit=500", TOKEN);
  g_autoptr (HubReply) visible = hub_get (s, hub, JOBS "?limit=500", TOKEN);
  g_autoptr (JsonNode) node = hub_reply_json (r);
  g_autoptr (JsonNode) vnode = hub_reply_json (visible);
  JsonArray *jobs = json_object_get_array_member (json_node_get_object (node), "jobs");
  JsonArray *vjobs = json_object_get_array_member (json_node_get_object (vnode), "jobs");
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint archived = 0, empty_error = 0, moderation = 0, retries = 0, canceled = 0, timeouts = 0;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) oldest = NULL;

  g_assert_cmpuint (json_array_get_length (jobs), >=, 55);
  g_assert_cmpuint (json_array_get_length (jobs), <=, 75);
  g_assert_cmpuint (json_array_get_length (vjobs), <, json_array_get_length (jobs));
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *o = json_array_get_object_element (jobs, i);

      g_hash_table_add (ids, (gpointer) json_object_get_string_member (o, "id"));
    }
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *o = json_array_get_object_element (jobs, i);
      JsonObject *meta = json_object_get_object_member (o, "metadata");
      const char *retry_of = json_object_get_string_member_with_default (meta, "retry_of", NULL);
      g_autoptr (GDateTime) created
          = g_date_time_new_from_iso8601 (json_object_get_string_member (o, "created_at"), NULL);

      g_hash_table_add (seen, g_strdup (json_object_get_string_member (o, "status")));
      g_hash_table_add (seen, g_strdup (json_object_get_string_member (o, "type")));
      g_hash_table_add (seen, g_strdup (json_object_get_string_member (o, "provider")));
      archived += json_object_get_boolean_member (o, "archived");
      if (g_str_equal (json_object_get_string_member (o, "status"), "failed"))
        {
          const char *msg = json_object_get_string_member (o, "error_message");

          empty_error += msg && *msg == '\0';
          moderation
              += g_strcmp0 (json_object_get_string_member (o, "error_code"), "content_moderation") == 0;
          canceled += g_strcmp0 (json_object_get_string_member (o, "error_code"), "canceled") == 0;
          timeouts += g_strcmp0 (json_object_get_string_member (o, "error_code"), "timeout") == 0;
        }
      if (retry_of)
        {
          g_assert_true (g_hash_table_contains (ids, retry_of));
          retries++;
        }
      if (oldest == NULL || g_date_time_compare (created, oldest) < 0)
        {
          g_clear_pointer (&oldest, g_date_time_unref);
          oldest = g_date_time_ref (created);
        }
    }
  for (const char *const *k
       = (const char *const[]){ "completed", "failed", "image", "video", "avatar", "tts", "composite",
                                "flux_2_pro", "sdxl_turbo", "veo_3", "kling_2", "heygen_v3", "elevenlabs_v2",
                                "wevion_compose", NULL };
       *k; k++)
    g_assert_true (g_hash_table_contains (seen, *k));
  g_assert_true (g_hash_table_contains (seen, "pending") || g_hash_table_contains (seen, "processing"));
  g_assert_cmpuint (archived, >, 0);
  g_assert_cmpuint (empty_error, >=, 1);
  g_assert_cmpuint (moderation, >=, 1);
  g_assert_cmpuint (retries, >=, 1);
  g_assert_cmpint (g_date_time_difference (now, oldest) / G_TIME_SPAN_DAY, >=, 40);
  g_assert_cmpint (g_date_time_difference (now, oldest) / G_TIME_SPAN_DAY, <=, 46);
  g_assert_cmpuint (canceled, ==, 1);
  g_assert_cmpuint (timeouts, ==, 1);

  /* the same --seed seeds the same history: ids, prompts, types, providers, states and costs of
   * the rows it wrote as ended (the three active ones are the worker's, whose timing differs) */
  {
    HubProc *twin = hub_start (NULL, args);
    g_autoptr (HubReply) tr = hub_get (s, twin, JOBS "?include_archived=true&limit=500", TOKEN);
    g_autoptr (JsonNode) tnode = hub_reply_json (tr);
    JsonArray *tjobs = json_object_get_array_member (json_node_get_object (tnode), "jobs");
    g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
    guint compared = 0;

    g_assert_cmpuint (json_array_get_length (tjobs), ==, json_array_get_length (jobs));
    for (guint i = 0; i < json_array_get_length (tjobs); i++)
      {
        JsonObject *o = json_array_get_object_element (tjobs, i);

        g_hash_table_insert (by_id, (gpointer) json_object_get_string_member (o, "id"), o);
      }
    for (guint i = 0; i < json_array_get_length (jobs); i++)
      {
        JsonObject *o = json_array_get_object_element (jobs, i);
        JsonObject *t = g_hash_table_lookup (by_id, json_object_get_string_member (o, "id"));
        g_autoptr (GDateTime) created
            = g_date_time_new_from_iso8601 (json_object_get_string_member (o, "created_at"), NULL);

        g_assert_nonnull (t);
        for (const char *const *k = (const char *const[]){ "prompt", "type", "provider", NULL }; *k; k++)
          g_assert_cmpstr (json_object_get_string_member (o, *k), ==, json_object_get_string_member (t, *k));
        if (json_object_get_boolean_member (o, "archived")
            || g_date_time_difference (now, created) > 3 * G_TIME_SPAN_DAY)
          {
            g_assert_cmpstr (json_object_get_string_member (o, "status"), ==,
                             json_object_get_string_member (t, "status"));
            g_assert_cmpint (json_object_get_int_member (o, "cost_cents"), ==,
                             json_object_get_int_member (t, "cost_cents"));
            compared++;
          }
      }
    g_assert_cmpuint (compared, >=, 50);
    hub_stop (twin);
  }
  hub_stop (hub);
}

static void
test_pages (void)
{
  HubProc *hub = hub_start (NULL, NULL);
  g_autoptr (SoupSession) s = hub_session ();
  g_autofree char *id = hub_submit (s, hub, TOKEN, "image", "sdxl_turbo",
                                    "<script>alert(1)</script> & co [ok]", "{\"width\":64,\"height\":64}");
  g_autoptr (JsonObject) row = hub_wait_job (s, hub, TOKEN, id, "completed");
  g_autofree char *folder_path
      = g_strdup_printf ("/drive/folders/%s", json_object_get_string_member (row, "drive_folder_id"));
  g_autoptr (HubReply) folder = hub_get (s, hub, folder_path, NULL);
  const char *html = hub_reply_text (folder);
  g_autofree char *evil_url = g_uri_escape_string ("http://x/\"><script>bad()</script>", NULL, FALSE);
  g_autofree char *campaign_path
      = g_strdup_printf ("/campaigns/new?creative_job_id=%s&result_url=%s", id, evil_url);
  g_autoptr (HubReply) campaign = hub_get (s, hub, campaign_path, NULL);
  const char *chtml = hub_reply_text (campaign);
  g_autoptr (HubReply) missing = hub_get (s, hub, "/drive/folders/nope", NULL);

  g_assert_cmpuint (folder->status, ==, 200);
  g_assert_null (strstr (html, "<script>"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
  g_assert_nonnull (strstr (html, "/files/"));
  g_assert_cmpuint (campaign->status, ==, 200);
  g_assert_null (strstr (chtml, "<script>"));
  g_assert_nonnull (strstr (chtml, "<img id=\"creative\""));
  g_assert_nonnull (strstr (chtml, id));
  g_assert_cmpuint (missing->status, ==, 404);
  {
    g_autoptr (HubReply) audio = hub_get (
        s, hub,
        "/campaigns/new?creative_job_id=x&result_url=http%3A%2F%2Fh%2Ffiles%2Fx%2Fresult-1.wav%3Fsig%3D1",
        NULL);

    g_assert_nonnull (strstr (hub_reply_text (audio), "<audio id=\"creative\""));
  }
  hub_stop (hub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wevion/hub/api/submit-and-get", test_submit_and_get);
  g_test_add_func ("/wevion/hub/api/errors", test_errors);
  g_test_add_func ("/wevion/hub/api/settings", test_settings);
  g_test_add_func ("/wevion/hub/api/isolation", test_isolation);
  g_test_add_func ("/wevion/hub/api/failures", test_failures);
  g_test_add_func ("/wevion/hub/api/list", test_list);
  g_test_add_func ("/wevion/hub/api/etag", test_etag);
  g_test_add_func ("/wevion/hub/api/cancel", test_cancel);
  g_test_add_func ("/wevion/hub/api/billing", test_billing);
  g_test_add_func ("/wevion/hub/api/minimal", test_minimal);
  g_test_add_func ("/wevion/hub/api/demo", test_demo);
  g_test_add_func ("/wevion/hub/api/pages", test_pages);
  return g_test_run ();
}
