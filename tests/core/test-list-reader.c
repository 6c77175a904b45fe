/* test-list-reader.c: the streaming list reader gives exactly the json-glib path's answers.
 *
 * Every document is read both ways (wevion_job_list_parse, which streams and falls back to
 * json-glib on anything it does not take, and _wevion_job_list_parse_tree, the json-glib path):
 * same error, same skipped rows and messages, same cursor, same jobs.
 *
 * And the store's search index (prompts casefolded once, in one buffer) answers as a plain
 * casefold-and-strstr over every job does, in store order, also after a prompt changed. */
#include "config.h"

#include <string.h>

#include "wevion-core.h"
#include "wevion-job-private.h"
#include "wevion-json-private.h"

#define ROW                                                                                                  \
  "{\"id\":\"%s\",\"user_id\":\"u1\",\"type\":\"image\",\"status\":\"completed\",\"provider\":\"flux_2_"     \
  "pro\","                                                                                                   \
  "\"prompt\":\"A Cat\",\"settings\":{\"width\":1024,\"style\":{\"k\":[1,2.5,\"x\"]}},"                      \
  "\"result_urls\":[\"https://x/1.png\"],\"error_message\":null,\"cost_cents\":25,"                          \
  "\"drive_folder_id\":\"f1\",\"metadata\":{},\"created_at\":\"2026-11-01T10:00:00Z\","                      \
  "\"completed_at\":\"2026-11-01T10:00:30Z\"%s}"

static GPtrArray *messages; /* what g_message said, in order */

static GLogWriterOutput
writer_cb (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & G_LOG_LEVEL_MESSAGE)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          g_ptr_array_add (messages, g_strdup (fields[i].value));
          return G_LOG_WRITER_HANDLED;
        }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

typedef struct
{
  GPtrArray *jobs;
  GError *error;
  char *cursor;
  guint skipped;
  char *text; /* the jobs written out, or NULL */
  GPtrArray *said;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->jobs, g_ptr_array_unref);
  g_clear_error (&o->error);
  g_clear_pointer (&o->cursor, g_free);
  g_clear_pointer (&o->text, g_free);
  g_clear_pointer (&o->said, g_ptr_array_unref);
}

static void
read_one (const char *doc, gsize len, gboolean tree, Outcome *o)
{
  memset (o, 0, sizeof *o);
  messages = g_ptr_array_new_with_free_func (g_free);
  if (tree)
    o->jobs = _wevion_job_list_parse_tree (doc, len, &o->cursor, &o->skipped, &o->error);
  else
    o->jobs = wevion_job_list_parse (doc, len, &o->cursor, &o->skipped, &o->error);
  o->said = g_steal_pointer (&messages);
  if (o->jobs)
    o->text = wevion_job_list_to_string (o->jobs, o->cursor, FALSE);
}

/* Both ways; returns the streamed outcome's jobs (transfer full) for further checks. */
static GPtrArray *
check_same (const char *doc, gssize length)
{
  gsize len = length < 0 ? strlen (doc) : (gsize) length;
  Outcome fast, tree;
  GPtrArray *jobs;

  read_one (doc, len, FALSE, &fast);
  read_one (doc, len, TRUE, &tree);

  if ((fast.jobs == NULL) != (tree.jobs == NULL))
    g_error ("outcomes differ for %s: %s vs %s", doc, fast.error ? fast.error->message : "jobs",
             tree.error ? tree.error->message : "jobs");
  if (fast.error)
    {
      g_assert_nonnull (tree.error);
      g_assert_cmpuint (fast.error->domain, ==, tree.error->domain);
      g_assert_cmpint (fast.error->code, ==, tree.error->code);
      g_assert_cmpstr (fast.error->message, ==, tree.error->message);
    }
  g_assert_cmpstr (fast.cursor, ==, tree.cursor);
  g_assert_cmpuint (fast.skipped, ==, tree.skipped);
  g_assert_cmpstr (fast.text, ==, tree.text);
  g_assert_cmpuint (fast.said->len, ==, tree.said->len);
  for (guint i = 0; i < fast.said->len; i++)
    g_assert_cmpstr (g_ptr_array_index (fast.said, i), ==, g_ptr_array_index (tree.said, i));
  if (fast.jobs)
    for (guint i = 0; i < fast.jobs->len; i++)
      {
        WevionJob *a = g_ptr_array_index (fast.jobs, i), *b = g_ptr_array_index (tree.jobs, i);
        GDateTime *times[][2] = {
          { wevion_job_get_created_at (a), wevion_job_get_created_at (b) },
          { wevion_job_get_completed_at (a), wevion_job_get_completed_at (b) },
          { wevion_job_get_updated_at (a), wevion_job_get_updated_at (b) },
          { wevion_job_get_started_at (a), wevion_job_get_started_at (b) },
          { wevion_job_get_result_expires_at (a), wevion_job_get_result_expires_at (b) },
        };

        for (guint t = 0; t < G_N_ELEMENTS (times); t++)
          {
            g_assert_true ((times[t][0] == NULL) == (times[t][1] == NULL));
            if (times[t][0])
              {
                g_assert_true (g_date_time_equal (times[t][0], times[t][1]));
                g_assert_cmpint (g_date_time_get_utc_offset (times[t][0]), ==,
                                 g_date_time_get_utc_offset (times[t][1]));
              }
          }
        g_assert_cmpstr (_wevion_job_get_prompt_folded (a), ==, _wevion_job_get_prompt_folded (b));
        g_assert_true (json_object_equal (wevion_job_get_settings (a), wevion_job_get_settings (b)));
        g_assert_true (json_object_equal (wevion_job_get_metadata (a), wevion_job_get_metadata (b)));
      }
  jobs = fast.jobs ? g_ptr_array_ref (fast.jobs) : NULL;
  outcome_clear (&fast);
  outcome_clear (&tree);
  return jobs;
}

static char *
row (const char *id, const char *extra)
{
  return g_strdup_printf (ROW, id, extra ? extra : "");
}

static void
test_documents (void)
{
  g_autofree char *a = row ("a", NULL);
  g_autofree char *b = row ("b", ",\"progress\":40,\"shiny\":{\"x\":[1,{\"y\":null}]},\"archived\":true");
  const char *extras[] = {
    /* the rows of test-job.c */
    ",\"status\":\"teleporting\",\"type\":\"hologram\"",
    ",\"cost_cents\":-5",
    ",\"cost_cents\":1e300",
    ",\"cost_cents\":2.5",
    ",\"cost_cents\":2.0",
    ",\"cost_cents\":1E2",
    ",\"cost_cents\":-0",
    ",\"cost_cents\":9007199254740993.0",
    ",\"cost_cents\":123456789012345678",
    ",\"cost_cents\":1234567890123456789",
    ",\"cost_cents\":99999999999999999999",
    ",\"cost_cents\":null",
    ",\"cost_cents\":\"25\"",
    /* strings */
    ",\"prompt\":\"\\u00c9toile \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"",
    ",\"prompt\":\"\\u0000x\"",
    ",\"prompt\":\"\\ud83d\"",
    ",\"prompt\":\"\\ude00\"",
    ",\"prompt\":\"tab\there\"",
    ",\"prompt\":\"\\x41\"",
    ",\"prompt\":'single'",
    ",\"prompt\":\"ÉTOILE straße ǅ\"",
    ",\"prompt\":\"\"",
    ",\"prompt\":null",
    ",\"prompt\":5",
    ",\"id\":\"\"",
    ",\"id\":null",
    ",\"id\":{}",
    ",\"user_id\":[]",
    ",\"error_message\":\"The provider had a temporary error\"",
    ",\"error_message\":7",
    ",\"drive_folder_id\":true",
    /* objects and arrays */
    ",\"settings\":[]",
    ",\"settings\":null",
    ",\"metadata\":\"x\"",
    ",\"metadata\":{\"retry_of\":\"z\",\"thumbnail_url\":\"https://t\"}",
    ",\"metadata\":{\"a\":1,\"a\":2}",
    ",\"result_urls\":[\"u1\",\"u2\"]",
    ",\"result_urls\":[\"u1\",2]",
    ",\"result_urls\":[null]",
    ",\"result_urls\":{}",
    ",\"result_urls\":\"u\"",
    ",\"\":1",
    /* times */
    ",\"created_at\":\"2026-11-01T10:00:00.250Z\"",
    ",\"created_at\":\"2026-11-01T10:00:00+02:00\"",
    ",\"created_at\":\"2026-11-01T10:00:00\"",
    ",\"created_at\":\"2026-02-30T10:00:00Z\"",
    ",\"created_at\":\"2026-11-01T24:00:00Z\"",
    ",\"created_at\":\"2026-11-01T10:00:60Z\"",
    ",\"created_at\":\"2026-11-01t10:00:00z\"",
    ",\"created_at\":\"0000-01-01T00:00:00Z\"",
    ",\"created_at\":\"9999-12-31T23:59:59Z\"",
    ",\"created_at\":\"\"",
    ",\"created_at\":null",
    ",\"created_at\":5",
    ",\"completed_at\":null",
    ",\"completed_at\":\"yesterday\"",
    ",\"updated_at\":\"2026-11-01T10:00:05Z\",\"started_at\":\"bad\",\"result_expires_at\":[]",
    ",\"updated_at\":\"2026-11-01T10:00:05.123456Z\"",
    /* ext numbers and flags */
    ",\"progress\":101",
    ",\"progress\":50.0",
    ",\"queue_position\":3",
    ",\"queue_position\":3000000000",
    ",\"error_code\":\"\"",
    ",\"error_code\":\"timeout\",\"retryable\":false",
    ",\"retryable\":1",
    ",\"archived\":\"yes\"",
  };
  const char *documents[] = {
    "",
    "  \n",
    "\"hello\"",
    "42",
    "null",
    "[]",
    "{}",
    "[1]",
    "[{",
    "[{}]",
    "[null, 42, \"str\", [], {}]",
    "[1,]",
    "{\"jobs\":[],}",
    "[01]",
    "[.5]",
    "[/*c*/]",
    "\xef\xbb\xbf[]",
    "[] x",
    "[]\f",
    "{\"jobs\":{}}",
    "{\"jobs\":null,\"next_cursor\":\"c\"}",
    "{\"jobs\":[],\"jobs\":[]}",
    "{\"jobs\":[],\"next_cursor\":\"\"}",
    "{\"jobs\":[],\"next_cursor\":5}",
    "{\"jobs\":[],\"next_cursor\":\"c1\",\"next_cursor\":null}",
    "{\"next_cursor\":\"c1\",\"jobs\":[]}",
    "{\"other\":[1,2,{\"a\":\"b\"}],\"jobs\":[]}",
    "[\"\xff\"]",
    "{\"jobs\" : [ ] , \"next_cursor\" : \"c\" }",
    "[-]",
    "[1e]",
    "[+1]",
    "[NaN]",
  };
  g_autofree char *both = g_strdup_printf ("[%s,%s]", a, b);
  g_autofree char *wrapped = g_strdup_printf ("{\"jobs\":[%s, 42, %s],\"next_cursor\":\"c2\"}", a, b);
  g_autofree char *spaced = g_strdup_printf (" \r\n\t[ %s ,\n%s ] \n", a, b);
  g_autofree char *comment = g_strdup_printf ("[%s,/* c */%s]", a, b);
  GPtrArray *jobs;

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      jobs = check_same (documents[i], -1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
    }
  for (guint i = 0; i < G_N_ELEMENTS (extras); i++)
    {
      g_autofree char *r = row ("x", extras[i]);
      g_autofree char *doc = g_strdup_printf ("[%s,%s]", a, r);
      g_autofree char *doc2 = g_strdup_printf ("{\"jobs\":[%s],\"next_cursor\":\"n\"}", r);

      jobs = check_same (doc, -1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
      jobs = check_same (doc2, -1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
    }
  jobs = check_same (spaced, -1);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = check_same (wrapped, -1);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* the streaming reader really read these: equal settings are one shared, sealed object */
  jobs = check_same (both, -1);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_true (wevion_job_get_settings (g_ptr_array_index (jobs, 0))
                 == wevion_job_get_settings (g_ptr_array_index (jobs, 1)));
  g_assert_true (json_object_is_immutable (wevion_job_get_settings (g_ptr_array_index (jobs, 0))));
  g_clear_pointer (&jobs, g_ptr_array_unref);
  /* and json-glib read this one (a comment): two objects */
  jobs = check_same (comment, -1);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_true (wevion_job_get_settings (g_ptr_array_index (jobs, 0))
                 != wevion_job_get_settings (g_ptr_array_index (jobs, 1)));
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* a document that is not NUL-terminated: only @len counts */
  jobs = check_same ("[]]", 2);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_clear_pointer (&jobs, g_ptr_array_unref);
}

static void
test_depth (void)
{
  for (int depth = 60; depth <= 66; depth++)
    {
      g_autoptr (GString) doc = g_string_new ("[{\"id\":\"a\",\"settings\":");
      GPtrArray *jobs;

      for (int i = 0; i < depth - 2; i++)
        g_string_append (doc, "[");
      for (int i = 0; i < depth - 2; i++)
        g_string_append (doc, "]");
      g_string_append (doc, "}]");
      jobs = check_same (doc->str, -1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
    }
}

/* Random rows: fields dropped, repeated, or given values of every kind. */
static void
test_random_rows (void)
{
  static const char *const fields[] = { "id",
                                        "user_id",
                                        "type",
                                        "status",
                                        "provider",
                                        "prompt",
                                        "settings",
                                        "result_urls",
                                        "error_message",
                                        "cost_cents",
                                        "drive_folder_id",
                                        "metadata",
                                        "created_at",
                                        "completed_at",
                                        "updated_at",
                                        "started_at",
                                        "progress",
                                        "queue_position",
                                        "error_code",
                                        "retryable",
                                        "result_expires_at",
                                        "archived",
                                        "other" };
  static const char *const values[] = {
    "null",
    "true",
    "false",
    "0",
    "-1",
    "7",
    "2.5",
    "1e3",
    "-0.0",
    "1e400",
    "12345678901234567890",
    "\"\"",
    "\"x\"",
    "\"pending\"",
    "\"completed\"",
    "\"2026-11-01T10:00:00Z\"",
    "\"2026-11-01T10:00:00.5+01:00\"",
    "\"\\u00e9\\u00c9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\u0000\"",
    "[]",
    "[\"u\"]",
    "[\"u\",1]",
    "{}",
    "{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}",
    "{\"retry_of\":\"r\"}",
    "'q'",
    "01",
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261129);

  for (int round = 0; round < 400; round++)
    {
      g_autoptr (GString) doc = g_string_new (NULL);
      int n_rows = g_rand_int_range (rand, 0, 5);
      gboolean wrapped = g_rand_boolean (rand);
      GPtrArray *jobs;

      g_string_append (doc, wrapped ? "{\"jobs\":[" : "[");
      for (int r = 0; r < n_rows; r++)
        {
          g_autofree char *base = row (r % 2 ? "odd" : "even", NULL);
          g_autoptr (GString) text = g_string_new (base);
          int n_changes = g_rand_int_range (rand, 0, 4);

          g_string_truncate (text, text->len - 1); /* drop the closing brace */
          for (int c = 0; c < n_changes; c++)
            {
              const char *field = fields[g_rand_int_range (rand, 0, G_N_ELEMENTS (fields))];
              const char *value = values[g_rand_int_range (rand, 0, G_N_ELEMENTS (values))];

              if (g_rand_int_range (rand, 0, 4) == 0)
                {
                  /* drop the field: rename it */
                  g_autofree char *key = g_strdup_printf ("\"%s\":", field);
                  char *at = strstr (text->str, key);

                  if (at)
                    at[1] = 'Z';
                }
              else
                g_string_append_printf (text, ",\"%s\":%s", field, value); /* repeated: the last wins */
            }
          g_string_append_c (text, '}');
          g_string_append_printf (doc, "%s%s", r ? "," : "", text->str);
        }
      g_string_append (doc, wrapped ? "],\"next_cursor\":\"c\"}" : "]");
      jobs = check_same (doc->str, -1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
    }
}

static WevionJob *
job_with_prompt (const char *id, const char *created, const char *prompt)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  WevionJob *job;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, prompt);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, created);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  {
    g_autofree char *extra = wevion_json_to_string (root);
    g_autofree char *text = NULL;

    /* the row of ROW with these three fields put last (the last of repeated members wins) */
    extra[0] = ',';
    extra[strlen (extra) - 1] = '\0';
    text = row (id, extra);
    job = wevion_job_parse (text, strlen (text), &error);
  }
  g_assert_no_error (error);
  return job;
}

/* the reference: casefold every prompt, strstr, in store order */
static GPtrArray *
naive_search (WevionJobStore *store, const char *text)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *needle = g_utf8_casefold (text, -1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *folded = g_utf8_casefold (wevion_job_get_prompt (job), -1);

      if (strstr (folded, needle))
        g_ptr_array_add (found, g_object_ref (job));
    }
  return found;
}

static void
assert_search (WevionJobStore *store, const char *text)
{
  g_autoptr (GPtrArray) got = wevion_job_store_search (store, text);
  g_autoptr (GPtrArray) want = naive_search (store, text);

  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_true (g_ptr_array_index (got, i) == g_ptr_array_index (want, i));
}

static void
test_search_index (void)
{
  static const char *const words[] = { "Red",     "fox",  "CASTLE", "Étoile",   "straße", "ǅemal",
                                       "ΣΊΣΥΦΟΣ", "neon", "a",      "İstanbul", "K",      "ﬁre" };
  static const char *const needles[]
      = { "fox", "FOX CASTLE", "étoile",   "ÉTOILE", "STRASSE", "dž",  "σίσυφος",
          "e",   "on r",       "i̇stanbul", "k",      "fire",    "zzz", "a a" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (WevionJobStore) store = wevion_job_store_new ();

  for (int batch = 0; batch < 6; batch++)
    {
      g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);

      /* arrival order unlike the store's: created_at at random */
      for (int i = 0; i < 60; i++)
        {
          g_autofree char *id = g_strdup_printf ("j%d-%d", batch, i);
          g_autofree char *created = g_strdup_printf (
              "2026-11-%02dT%02d:00:00Z", g_rand_int_range (rand, 1, 29), g_rand_int_range (rand, 0, 24));
          g_autofree char *prompt
              = g_strdup_printf ("%s %s %s", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                 words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                 words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);

          g_ptr_array_add (jobs, job_with_prompt (id, created, prompt));
        }
      wevion_job_store_merge (store, jobs);
      for (guint k = 0; k < G_N_ELEMENTS (needles); k++)
        assert_search (store, needles[k]);
    }

  /* a prompt changed through a merge: the index follows */
  {
    g_autoptr (GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr (WevionJob) old = g_list_model_get_item (G_LIST_MODEL (store), 3);
    g_autofree char *created = g_date_time_format_iso8601 (wevion_job_get_created_at (old));
    g_autoptr (GPtrArray) found = NULL;

    g_ptr_array_add (update, job_with_prompt (wevion_job_get_id (old), created, "Quokka Unique"));
    wevion_job_store_merge (store, update);
    found = wevion_job_store_search (store, "QUOKKA");
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_true (g_ptr_array_index (found, 0) == old);
    for (guint k = 0; k < G_N_ELEMENTS (needles); k++)
      assert_search (store, needles[k]);
  }

  /* the empty text finds every job */
  {
    g_autoptr (GPtrArray) all = wevion_job_store_search (store, "");

    g_assert_cmpuint (all->len, ==, g_list_model_get_n_items (G_LIST_MODEL (store)));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (writer_cb, NULL, NULL);
  g_test_add_func ("/wevion/list-reader/documents", test_documents);
  g_test_add_func ("/wevion/list-reader/depth", test_depth);
  g_test_add_func ("/wevion/list-reader/random-rows", test_random_rows);
  g_test_add_func ("/wevion/store/search-index", test_search_index);
  return g_test_run ();
}
