/* wevion: the Creative Hub jobs from a terminal, on libwevion-core only.
 *
 * Exit codes: 0 success; 1 the job failed (wait) or the figures differ (costs); 2 an error (usage,
 * network, server, not found). */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wevion-core.h"

#define EXIT_JOB_FAILED 1
#define EXIT_ERROR 2

static const char *program_summary
    = N_ ("Commands:\n"
          "  list [--status S] [--type T] [--since DATE] [--search TEXT] [--limit N] [--json]\n"
          "                        Recent jobs, newest first\n"
          "  show ID [--json]      One job in full\n"
          "  submit TYPE --provider P --prompt TEXT [--setting KEY=VALUE]…\n"
          "                        Start a generation (TYPE: image, video, avatar, tts, composite)\n"
          "  wait ID               Poll every 5–10 s until the job ends (exit 0 completed, 1 failed)\n"
          "  retry ID              Submit a failed job again with the same parameters\n"
          "  cancel ID             Cancel a pending or processing job\n"
          "  download ID [--to DIR] [--result N]\n"
          "                        Save a completed job’s result files (resumes; never overwrites)\n"
          "  costs [--month YYYY-MM] [--utc] [--csv]\n"
          "                        The month’s cost of completed jobs, checked against billing\n"
          "\n"
          "Environment:\n"
          "  WEVION_SERVER_URL     The server, e.g. https://api.example.com (http:// only to this computer)\n"
          "  WEVION_TOKEN          Your access token\n"
          "\n"
          "Exit status: 0 success, 1 the job failed (wait) or costs differ from billing, 2 an error.");

/* ---- running async calls to completion ------------------------------------------------------- */

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static int fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("wevion: %s\n", text);
  return EXIT_ERROR;
}

static int
fail_error (const GError *error)
{
  const char *advice = error->domain == WEVION_CLIENT_ERROR ? wevion_client_error_get_advice (error) : "";

  g_printerr ("wevion: %s\n", error->message);
  if (advice && *advice)
    g_printerr ("        %s\n", advice);
  return EXIT_ERROR;
}

static WevionClient *
make_client (int *status)
{
  const char *url = g_getenv ("WEVION_SERVER_URL");
  const char *token = g_getenv ("WEVION_TOKEN");
  g_autoptr (GError) error = NULL;
  WevionClient *client;

  if (url == NULL || *url == '\0')
    {
      *status = fail (_ ("Set WEVION_SERVER_URL to the server’s address, e.g. https://api.example.com"));
      return NULL;
    }
  if (token == NULL || *token == '\0')
    {
      *status = fail (_ ("Set WEVION_TOKEN to your access token"));
      return NULL;
    }
  client = wevion_client_new (url, token, &error);
  if (client == NULL)
    *status = fail_error (error);
  return client;
}

/* ---- formatting ----------------------------------------------------------------------------- */

static char *
format_time (GDateTime *time)
{
  g_autoptr (GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
one_line (const char *text, guint max_chars)
{
  g_autofree char *flat = g_strdup (text ? text : "");
  glong len;

  g_strdelimit (flat, "\n\r\t", ' ');
  len = g_utf8_strlen (flat, -1);
  if (len <= (glong) max_chars)
    return g_steal_pointer (&flat);
  return g_strconcat (g_utf8_substring (flat, 0, max_chars - 1), "…", NULL);
}

static void
print_job_json (WevionJob *job)
{
  g_autoptr (JsonNode) node = wevion_job_to_json (job);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_object (const char *label, JsonObject *object)
{
  g_autoptr (GList) members = json_object_get_members (object);

  if (members == NULL)
    return;
  g_print ("%-14s\n", label);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);
      g_autofree char *text = wevion_json_to_string (value);

      g_print ("  %-12s %s\n", (const char *) l->data, text);
    }
}

static void
print_job (WevionJob *job)
{
  g_autofree char *created = format_time (wevion_job_get_created_at (job));
  g_autofree char *completed = format_time (wevion_job_get_completed_at (job));
  g_autofree char *cost = wevion_format_cents (wevion_job_get_cost_cents (job));
  const char *const *urls = wevion_job_get_result_urls (job);

  g_print ("%-14s %s\n", _ ("ID"), wevion_job_get_id (job));
  g_print ("%-14s %s\n", _ ("Status"), wevion_job_get_status_name (job));
  g_print ("%-14s %s\n", _ ("Type"), wevion_job_get_type_name (job));
  g_print ("%-14s %s\n", _ ("Provider"), wevion_job_get_provider (job));
  g_print ("%-14s %s\n", _ ("Submitted"), created);
  if (wevion_job_get_is_terminal (job))
    g_print ("%-14s %s\n", _ ("Ended"), completed);
  if (wevion_job_get_duration (job) >= 0)
    g_print ("%-14s %" G_GINT64_FORMAT " s\n", _ ("Duration"), wevion_job_get_duration (job));
  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
    g_print ("%-14s %s\n", _ ("Cost"), cost);
  if (wevion_job_get_is_active (job) && wevion_job_get_progress (job) >= 0)
    g_print ("%-14s %d%%\n", _ ("Progress"), wevion_job_get_progress (job));
  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_FAILED)
    {
      WevionFailureKind kind = wevion_job_get_failure_kind (job);
      const char *message = wevion_job_get_error_message (job);

      g_print ("%-14s %s\n", _ ("Error"), message && *message ? message : _ ("(no details)"));
      g_print ("%-14s %s\n", "", wevion_failure_kind_get_advice (kind));
    }
  if (wevion_job_get_retry_of (job))
    g_print ("%-14s %s\n", _ ("Retry of"), wevion_job_get_retry_of (job));
  g_print ("%-14s %s\n", _ ("Prompt"), wevion_job_get_prompt (job));
  print_object (_ ("Settings"), wevion_job_get_settings (job));
  for (guint i = 0; urls && urls[i]; i++)
    g_print ("%-14s %s\n", i == 0 ? _ ("Results") : "", urls[i]);
  if (wevion_job_get_drive_folder_id (job))
    g_print ("%-14s %s\n", _ ("Drive folder"), wevion_job_get_drive_folder_id (job));
}

/* ---- dates ---------------------------------------------------------------------------------- */

static GDateTime *
parse_date (const char *text)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  int y, m, d;
  char tail;

  if (text == NULL)
    return NULL;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
    return g_date_time_new (local, y, m, d, 0, 0, 0);
  return g_date_time_new_from_iso8601 (text, local);
}

/* ---- option parsing helper ------------------------------------------------------------------ */

static gboolean
parse_options (const char *command, const char *params, const char *summary, GOptionEntry *entries, int *argc,
               char ***argv, int *status)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  context = g_option_context_new (params);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = fail ("%s (try “wevion %s --help”)", error->message, command);
      return FALSE;
    }
  return TRUE;
}

/* ---- list ----------------------------------------------------------------------------------- */

static gboolean
matches_locally (WevionJob *job, char **statuses, char **types, GDateTime *since, const char *search)
{
  if (statuses && !g_strv_contains ((const char *const *) statuses, wevion_job_get_status_name (job)))
    return FALSE;
  if (types && !g_strv_contains ((const char *const *) types, wevion_job_get_type_name (job)))
    return FALSE;
  if (since
      && (wevion_job_get_created_at (job) == NULL
          || g_date_time_compare (wevion_job_get_created_at (job), since) < 0))
    return FALSE;
  if (search && *search)
    {
      g_autofree char *needle = g_utf8_casefold (search, -1);
      g_autofree char *hay = g_utf8_casefold (wevion_job_get_prompt (job), -1);

      if (strstr (hay, needle) == NULL)
        return FALSE;
    }
  return TRUE;
}

static int
cmd_list (int argc, char **argv)
{
  g_autofree char *status_opt = NULL, *type_opt = NULL, *since_opt = NULL, *search = NULL;
  gboolean json = FALSE;
  int limit = 50;
  int status = 0;
  GOptionEntry entries[] = {
    { "status", 's', 0, G_OPTION_ARG_STRING, &status_opt,
      N_ ("Only these statuses (comma list, or “active”)"), "S" },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type_opt, N_ ("Only these types (comma list)"), "T" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_opt,
      N_ ("Only jobs submitted since (YYYY-MM-DD or ISO 8601)"), "DATE" },
    { "search", 'q', 0, G_OPTION_ARG_STRING, &search, N_ ("Only prompts containing TEXT (any case)"),
      "TEXT" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_ ("At most N jobs (default 50)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  g_autoptr (GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) statuses = NULL;
  g_auto (GStrv) types = NULL;
  g_autoptr (GDateTime) since = NULL;

  if (!parse_options ("list", "", _ ("Recent jobs, newest first."), entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail (_ ("list takes no arguments; filters are options (see “wevion list --help”)"));
  if (g_strcmp0 (status_opt, "active") == 0)
    g_free (g_steal_pointer (&status_opt)), status_opt = g_strdup ("pending,processing");
  if (status_opt)
    {
      statuses = g_strsplit (status_opt, ",", -1);
      for (guint i = 0; statuses[i]; i++)
        if (wevion_job_status_from_string (statuses[i]) == WEVION_JOB_STATUS_UNKNOWN)
          return fail (_ ("Unknown status “%s” (use pending, processing, completed, failed)"), statuses[i]);
    }
  if (type_opt)
    {
      types = g_strsplit (type_opt, ",", -1);
      for (guint i = 0; types[i]; i++)
        if (wevion_job_type_from_string (types[i]) == WEVION_JOB_TYPE_UNKNOWN)
          return fail (_ ("Unknown type “%s” (use image, video, avatar, tts, composite)"), types[i]);
    }
  if (since_opt && (since = parse_date (since_opt)) == NULL)
    return fail (_ ("“%s” is not a date: use YYYY-MM-DD or ISO 8601"), since_opt);
  if (limit < 1)
    return fail (_ ("--limit must be at least 1"));
  if ((client = make_client (&status)) == NULL)
    return status;

  query->status = g_strdup (status_opt);
  query->type = g_strdup (type_opt);
  query->since = since ? g_date_time_ref (since) : NULL;
  query->q = g_strdup (search);
  query->limit = MIN (limit, 500);
  while (shown->len < (guint) limit)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *cursor = NULL;
      gboolean filtered = FALSE;
      g_autoptr (GPtrArray) jobs = NULL;

      wevion_client_list_async (client, query, NULL, result_cb, &result);
      jobs = wevion_client_list_finish (client, await (&result), &cursor, &filtered, &error);
      if (jobs == NULL)
        return fail_error (error);
      /* filter here too: a seed-only server ignores the parameters */
      for (guint i = 0; i < jobs->len && shown->len < (guint) limit; i++)
        if (matches_locally (g_ptr_array_index (jobs, i), statuses, types, since, search))
          g_ptr_array_add (shown, g_object_ref (g_ptr_array_index (jobs, i)));
      if (!filtered || cursor == NULL)
        break;
      g_free (query->cursor);
      query->cursor = g_steal_pointer (&cursor);
    }

  if (json)
    {
      g_autofree char *text = wevion_job_list_to_string (shown, NULL, TRUE);

      g_print ("%s\n", text);
      return 0;
    }
  if (shown->len == 0)
    {
      g_print ("%s\n", _ ("No jobs match."));
      return 0;
    }
  g_print ("%-36s %-10s %-9s %-16s %-16s %9s  %s\n", _ ("ID"), _ ("STATUS"), _ ("TYPE"), _ ("PROVIDER"),
           _ ("SUBMITTED"), _ ("COST"), _ ("PROMPT"));
  for (guint i = 0; i < shown->len; i++)
    {
      WevionJob *job = g_ptr_array_index (shown, i);
      g_autofree char *created = format_time (wevion_job_get_created_at (job));
      g_autofree char *cost = wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED
                                  ? wevion_format_cents (wevion_job_get_cost_cents (job))
                                  : g_strdup ("");
      g_autofree char *prompt = one_line (wevion_job_get_prompt (job), 40);

      g_print ("%-36s %-10s %-9s %-16s %-16s %9s  %s\n", wevion_job_get_id (job),
               wevion_job_get_status_name (job), wevion_job_get_type_name (job),
               wevion_job_get_provider (job), created, cost, prompt);
    }
  return 0;
}

/* ---- show ----------------------------------------------------------------------------------- */

static WevionJob *
fetch_job (WevionClient *client, const char *id, int *status)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  WevionJob *job;

  wevion_client_get_job_async (client, id, NULL, result_cb, &result);
  job = wevion_client_get_job_finish (client, await (&result), &error);
  if (job == NULL)
    {
      if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND))
        *status = fail (_ ("No job “%s” (it does not exist or belongs to someone else)"), id);
      else
        *status = fail_error (error);
    }
  return job;
}

static int
cmd_show (int argc, char **argv)
{
  gboolean json = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the row as JSON"), NULL },
    { NULL },
  };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJob) job = NULL;

  if (!parse_options ("show", "ID", _ ("One job in full."), entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("show takes one job ID"));
  if ((client = make_client (&status)) == NULL)
    return status;
  if ((job = fetch_job (client, argv[1], &status)) == NULL)
    return status;
  if (json)
    print_job_json (job);
  else
    print_job (job);
  return 0;
}

/* ---- submit / retry ------------------------------------------------------------------------- */

static char *
submit (WevionClient *client, WevionJobType type, const char *provider, const char *prompt,
        JsonObject *settings, JsonObject *metadata, int *status)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  char *id;

  wevion_client_submit_async (client, type, provider, prompt, settings, metadata, NULL, result_cb, &result);
  id = wevion_client_submit_finish (client, await (&result), &error);
  if (id == NULL)
    *status = fail_error (error);
  return id;
}

static int
cmd_submit (int argc, char **argv)
{
  g_autofree char *provider = NULL, *prompt = NULL;
  g_auto (GStrv) settings_opt = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "provider", 'p', 0, G_OPTION_ARG_STRING, &provider, N_ ("The provider, e.g. flux_2_pro"), "P" },
    { "prompt", 0, 0, G_OPTION_ARG_STRING, &prompt, N_ ("The prompt"), "TEXT" },
    { "setting", 's', 0, G_OPTION_ARG_STRING_ARRAY, &settings_opt,
      N_ ("A setting (repeatable); numbers and true/false are sent as such"), "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (JsonObject) settings = json_object_new ();
  g_autofree char *id = NULL;
  WevionJobType type;

  if (!parse_options ("submit", "TYPE", _ ("Start a generation. TYPE: image, video, avatar, tts, composite."),
                      entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("submit takes one TYPE (image, video, avatar, tts, composite)"));
  type = wevion_job_type_from_string (argv[1]);
  if (type == WEVION_JOB_TYPE_UNKNOWN)
    return fail (_ ("Unknown type “%s” (use image, video, avatar, tts, composite)"), argv[1]);
  if (provider == NULL || *provider == '\0')
    return fail (_ ("submit needs --provider"));
  if (prompt == NULL || *prompt == '\0')
    return fail (_ ("submit needs --prompt"));
  for (guint i = 0; settings_opt && settings_opt[i]; i++)
    {
      const char *eq = strchr (settings_opt[i], '=');
      g_autofree char *key = NULL;
      g_autoptr (JsonNode) parsed = NULL;
      const char *value;

      if (eq == NULL || eq == settings_opt[i])
        return fail (_ ("A setting is KEY=VALUE, not “%s”"), settings_opt[i]);
      key = g_strndup (settings_opt[i], (gsize) (eq - settings_opt[i]));
      value = eq + 1;
      parsed = wevion_json_parse (value, strlen (value), NULL);
      if (parsed && JSON_NODE_HOLDS_VALUE (parsed) && json_node_get_value_type (parsed) != G_TYPE_STRING)
        json_object_set_member (settings, key, g_steal_pointer (&parsed));
      else
        json_object_set_string_member (settings, key, value);
    }
  if ((client = make_client (&status)) == NULL)
    return status;
  if ((id = submit (client, type, provider, prompt, settings, NULL, &status)) == NULL)
    return status;
  g_print ("%s\n", id);
  return 0;
}

static int
cmd_retry (int argc, char **argv)
{
  int status = 0;
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (JsonObject) metadata = json_object_new ();
  g_autofree char *id = NULL;

  if (!parse_options ("retry", "ID",
                      _ ("Submit a failed job again with the same type, provider, prompt and settings."),
                      entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("retry takes one job ID"));
  if ((client = make_client (&status)) == NULL)
    return status;
  if ((job = fetch_job (client, argv[1], &status)) == NULL)
    return status;
  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_FAILED)
    return fail (_ ("Job %s is %s: only failed jobs can be retried"), argv[1],
                 wevion_job_get_status_name (job));
  if (wevion_job_get_job_type (job) == WEVION_JOB_TYPE_UNKNOWN)
    return fail (_ ("Job %s has a type this program does not know (“%s”)"), argv[1],
                 wevion_job_get_type_name (job));
  if (wevion_job_get_failure_kind (job) == WEVION_FAILURE_KIND_MODERATION)
    g_printerr ("wevion: %s\n", wevion_failure_kind_get_advice (WEVION_FAILURE_KIND_MODERATION));
  json_object_set_string_member (metadata, "retry_of", wevion_job_get_id (job));
  id = submit (client, wevion_job_get_job_type (job), wevion_job_get_provider (job),
               wevion_job_get_prompt (job), wevion_job_get_settings (job), metadata, &status);
  if (id == NULL)
    return status;
  g_print ("%s\n", id);
  return 0;
}

/* ---- wait ----------------------------------------------------------------------------------- */

static void
transition_cb (WevionJob *job, WevionJobStatus from, WevionJobStatus to, gpointer data)
{
  g_printerr ("%s: %s → %s\n", wevion_job_get_id (job), wevion_job_status_to_string (from),
              wevion_job_status_to_string (to));
}

typedef struct
{
  WevionJobStore *store;
  WevionPoller *poller;
  const char *id;
  gboolean connected;
  gboolean done;
  gboolean gone;
  GError *error;
} Wait;

static void
wait_check (Wait *w)
{
  WevionJob *job = wevion_job_store_lookup (w->store, w->id);

  if (job && !w->connected)
    {
      g_printerr ("%s: %s\n", w->id, wevion_job_get_status_name (job));
      g_signal_connect (job, "transition", G_CALLBACK (transition_cb), NULL);
      w->connected = TRUE;
    }
  if (job && wevion_job_get_is_terminal (job))
    w->done = TRUE;
}

static void
wait_ticks_cb (GObject *poller, GParamSpec *pspec, Wait *w)
{
  const GError *error = wevion_poller_get_last_error (w->poller);

  wait_check (w);
  if (w->done || error == NULL)
    return;
  if (wevion_poller_get_state (w->poller) == WEVION_POLLER_STATE_UNAUTHORIZED)
    {
      /* asking again with the same token does not help */
      w->error = g_error_copy (error);
      return;
    }
  g_printerr ("wevion: %s (%s)\n", error->message, _ ("trying again"));
}

static void
wait_gone_cb (WevionPoller *poller, const char *id, Wait *w)
{
  if (g_strcmp0 (id, w->id) == 0)
    w->gone = TRUE;
}

static int
cmd_wait (int argc, char **argv)
{
  int status = 0;
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJobStore) store = NULL;
  g_autoptr (WevionPoller) poller = NULL;
  g_autoptr (WevionJob) first = NULL;
  WevionJob *job;
  Wait w = { 0 };

  if (!parse_options (
          "wait", "ID",
          _ ("Poll every 5–10 seconds until the job ends. Exit status 0 when it completed, 1 when it "
             "failed, 2 on an error."),
          entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("wait takes one job ID"));
  if ((client = make_client (&status)) == NULL)
    return status;
  /* the first answer tells whether it exists at all */
  if ((first = fetch_job (client, argv[1], &status)) == NULL)
    return status;
  store = wevion_job_store_new ();
  wevion_job_store_add (store, first);
  w.store = store;
  w.id = argv[1];
  wait_check (&w);
  if (!w.done)
    {
      poller = wevion_poller_new (client, store);
      w.poller = poller;
      g_signal_connect (poller, "notify::ticks", G_CALLBACK (wait_ticks_cb), &w);
      g_signal_connect (poller, "job-gone", G_CALLBACK (wait_gone_cb), &w);
      wevion_poller_track (poller, argv[1]);
      while (!w.done && !w.gone && w.error == NULL)
        g_main_context_iteration (NULL, TRUE);
      wevion_poller_stop (poller);
    }
  if (w.error)
    {
      status = fail_error (w.error);
      g_clear_error (&w.error);
      return status;
    }
  if (w.gone)
    return fail (_ ("Job %s is not on the server any more"), argv[1]);
  job = wevion_job_store_lookup (store, argv[1]);
  g_signal_handlers_disconnect_by_func (job, transition_cb, NULL);
  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
    {
      g_autofree char *cost = wevion_format_cents (wevion_job_get_cost_cents (job));
      const char *const *urls = wevion_job_get_result_urls (job);

      g_print ("%s %s %s\n", wevion_job_get_id (job), _ ("completed"), cost);
      for (guint i = 0; urls && urls[i]; i++)
        g_print ("%s\n", urls[i]);
      return 0;
    }
  g_print ("%s %s: %s\n", wevion_job_get_id (job), _ ("failed"),
           wevion_job_get_error_message (job) && *wevion_job_get_error_message (job)
               ? wevion_job_get_error_message (job)
               : _ ("(no details)"));
  g_printerr ("%s\n", wevion_failure_kind_get_advice (wevion_job_get_failure_kind (job)));
  return EXIT_JOB_FAILED;
}

/* ---- cancel --------------------------------------------------------------------------------- */

static int
cmd_cancel (int argc, char **argv)
{
  int status = 0;
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_options ("cancel", "ID", _ ("Cancel a pending or processing job; nothing is charged for it."),
                      entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("cancel takes one job ID"));
  if ((client = make_client (&status)) == NULL)
    return status;
  wevion_client_cancel_async (client, argv[1], NULL, result_cb, &result);
  if (!wevion_client_cancel_finish (client, await (&result), &error))
    {
      if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_NOT_FOUND))
        return fail (_ ("No job “%s” (it does not exist or belongs to someone else)"), argv[1]);
      return fail_error (error);
    }
  g_print (_ ("Canceled %s\n"), argv[1]);
  return 0;
}

/* ---- download (issue 6: WevionDownloader) ----------------------------------------------------- */

static void
download_progress_cb (WevionDownload *d, GParamSpec *pspec, gpointer data)
{
  g_autofree char *done = g_format_size (wevion_download_get_bytes (d));
  g_autofree char *rate = g_format_size ((guint64) wevion_download_get_rate (d));

  if (wevion_download_get_total (d) > 0)
    {
      g_autofree char *total = g_format_size (wevion_download_get_total (d));
      int left = wevion_download_get_seconds_left (d);

      if (left >= 0)
        /* TRANSLATORS: download progress on a terminal: "1.2 MB of 5.0 MB, 2.1 MB/s, 2 s left" */
        {
          /* Translators: download progress: bytes done, of total, rate, seconds left */
          g_autofree char *line = g_strdup_printf (_ ("%s of %s, %s/s, %d s left"), done, total, rate, left);
          g_printerr ("\r%s    ", line);
        }
      else
        {
          /* Translators: download progress: bytes done, of total */
          g_autofree char *line = g_strdup_printf (_ ("%s of %s"), done, total);
          g_printerr ("\r%s    ", line);
        }
    }
  else
    g_printerr ("\r%s    ", done);
}

static int
cmd_download (int argc, char **argv)
{
  g_autofree char *to = NULL;
  int index = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to,
      N_ ("Save into DIR (default: your Pictures, Videos or Music folder by the job’s type)"), "DIR" },
    { "result", 'r', 0, G_OPTION_ARG_INT, &index, N_ ("Only result N (1, 2, …; default: all of them)"), "N" },
    { NULL },
  };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJob) job = NULL;
  g_autoptr (WevionDownloader) downloader = NULL;
  g_autofree char *folder = NULL;
  gboolean tty = isatty (STDERR_FILENO);
  guint n;

  if (!parse_options (
          "download", "ID",
          _ ("Save the result files of a completed job. Each file is streamed to a temporary file "
             "beside its final name, resumed when the connection drops, and never overwrites an "
             "existing file (“name (1).png”). Prints the path of each saved file."),
          entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail (_ ("download takes one job ID"));
  if ((client = make_client (&status)) == NULL)
    return status;
  if ((job = fetch_job (client, argv[1], &status)) == NULL)
    return status;
  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED)
    return fail (_ ("Job %s is %s: only completed jobs have result files"), argv[1],
                 wevion_job_get_status_name (job));
  n = wevion_job_get_n_result_urls (job);
  if (n == 0)
    return fail (_ ("Job %s has no result files"), argv[1]);
  if (index < 0 || (guint) index > n)
    return fail (_ ("Job %s has %u result files"), argv[1], n);
  folder = to ? g_canonicalize_filename (to, NULL) : wevion_download_folder_for (job, NULL, FALSE);
  downloader = wevion_downloader_new (client);
  for (guint i = index ? (guint) index - 1 : 0; i < (index ? (guint) index : n); i++)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *path = NULL;
      WevionDownload *d
          = wevion_downloader_download_async (downloader, job, i, folder, NULL, result_cb, &result);

      if (tty)
        g_signal_connect (d, "notify::bytes", G_CALLBACK (download_progress_cb), NULL);
      path = wevion_downloader_download_finish (downloader, await (&result), &error);
      if (tty)
        g_printerr ("\r\033[K");
      if (path == NULL)
        {
          g_printerr ("wevion: %s\n", error->message);
          g_printerr ("        %s\n", wevion_download_error_get_advice (error));
          if (g_error_matches (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED)
              && wevion_job_get_drive_folder_id (job))
            g_printerr (_ ("        Drive folder: %s\n"), wevion_job_get_drive_folder_id (job));
          if (g_error_matches (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_HTML))
            g_printerr (_ ("        Open it in a browser: %s\n"), wevion_job_get_result_urls (job)[i]);
          return EXIT_ERROR;
        }
      g_print ("%s\n", path);
    }
  return 0;
}

/* ---- costs ---------------------------------------------------------------------------------- */

/* The roll-up is WevionCosts, the Costs page's own: the same month boundaries, pages, filters and
 * integer sums, so the two can never disagree. */

static void
print_groups (const char *heading, const WevionCostsGroup *groups, guint n, const char *month, gboolean days)
{
  guint shown = 0;

  g_print ("%s\n", heading);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *amount = wevion_format_cents (groups[i].cents);
      g_autofree char *name = NULL;
      g_autofree char *failed = NULL;

      if (days && groups[i].n_completed + groups[i].n_failed == 0)
        continue; /* the table lists the days that had jobs */
      name = days ? g_strdup_printf ("%s-%02d", month, atoi (groups[i].name)) : g_strdup (groups[i].name);
      if (groups[i].n_failed)
        failed = g_strdup_printf (ngettext (" · %u failed (free)", " · %u failed (free)", groups[i].n_failed),
                                  groups[i].n_failed);
      g_print ("  %-20s %12s  ", name, amount);
      g_print (ngettext ("%u completed", "%u completed", groups[i].n_completed), groups[i].n_completed);
      g_print ("%s\n", failed ? failed : "");
      shown++;
    }
  if (shown == 0)
    g_print ("  %s\n", _ ("No completed jobs"));
}

static int
cmd_costs (int argc, char **argv)
{
  g_autofree char *month = NULL;
  gboolean csv = FALSE;
  gboolean per_job = FALSE;
  gboolean utc = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "month", 'm', 0, G_OPTION_ARG_STRING, &month, N_ ("The month (default: this month)"), "YYYY-MM" },
    { "utc", 0, 0, G_OPTION_ARG_NONE, &utc,
      N_ ("Month boundaries in UTC (default: local time, as in the app)"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_ ("Print the month’s jobs as CSV (id, created, completed, type, provider, status, cost_cents, "
          "cost_dollars), as the app’s Export CSV does"),
      NULL },
    /* the older spelling of --csv */
    { "jobs", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &per_job, NULL, NULL },
    { NULL },
  };
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (GDateTime) from = NULL;
  g_autoptr (GDateTime) to = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCosts) costs = NULL;
  g_autofree char *billing = NULL;
  int y, m;
  char tail;

  if (!parse_options ("costs", "",
                      _ ("The sum of cost_cents over the month’s completed jobs (by submission time, all "
                         "pages, integer cents), with failed jobs counted separately (they cost nothing), "
                         "broken down by type, provider and day, and checked against the month’s debit where "
                         "the server reports billing: the same figures as the app’s Costs page."),
                      entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail (_ ("costs takes no arguments"));
  if (month == NULL)
    month = wevion_costs_month_current (utc);
  if (sscanf (month, "%4d-%2d%c", &y, &m, &tail) != 2 || strlen (month) != 7
      || !wevion_costs_month_range (month, utc, &from, &to))
    return fail (_ ("“%s” is not a month: use YYYY-MM"), month);
  if ((client = make_client (&status)) == NULL)
    return status;

  wevion_costs_fetch_async (client, month, utc, NULL, result_cb, &result);
  if ((costs = wevion_costs_fetch_finish (await (&result), &error)) == NULL)
    return fail_error (error);

  if (csv || per_job)
    {
      g_autofree char *text = wevion_costs_to_csv (costs);

      g_print ("%s", text);
    }
  else
    {
      g_autofree char *title = wevion_costs_month_title (month);
      g_autofree char *total = wevion_format_cents (wevion_costs_get_total_cents (costs));
      g_autofree char *counts = wevion_costs_describe_counts (costs);
      const WevionCostsGroup *groups;
      guint n = 0;

      /* Translators: "Costs for November 2026 (local time)" */
      g_print (utc ? _ ("Costs for %s (UTC)\n") : _ ("Costs for %s (local time)\n"), title);
      /* Translators: the month's total, then "19 completed jobs · 4 failed (free)" */
      g_print (_ ("Total: %s — %s\n"), total, counts);
      groups = wevion_costs_get_by_type (costs, &n);
      print_groups (_ ("By type:"), groups, n, month, FALSE);
      groups = wevion_costs_get_by_provider (costs, &n);
      print_groups (_ ("By provider:"), groups, n, month, FALSE);
      groups = wevion_costs_get_by_day (costs, &n);
      print_groups (_ ("By day:"), groups, n, month, TRUE);
    }

  billing = wevion_costs_describe_billing (costs);
  g_printerr ("%s\n", billing);
  switch (wevion_costs_get_billing_match (costs))
    {
    case WEVION_BILLING_DIFFERS: return 1;
    case WEVION_BILLING_UNSUPPORTED:
      g_printerr ("%s\n", _ ("Compare with the web page /settings/team/billing"));
      return 0;
    case WEVION_BILLING_MATCHES:
    case WEVION_BILLING_UNKNOWN:
    default: return 0;
    }
}

/* ---- main ----------------------------------------------------------------------------------- */

static int
usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _ ("Usage: wevion COMMAND [OPTIONS…]  (wevion COMMAND --help for details)"),
           _ (program_summary));
  return out == stdout ? 0 : EXIT_ERROR;
}

int
main (int argc, char *argv[])
{
  static const struct
  {
    const char *name;
    int (*run) (int, char **);
  } commands[] = {
    { "list", cmd_list },   { "show", cmd_show },     { "submit", cmd_submit }, { "wait", cmd_wait },
    { "retry", cmd_retry }, { "cancel", cmd_cancel }, { "costs", cmd_costs },   { "download", cmd_download },
  };

  setlocale (LC_ALL, "");
  wevion_core_init_i18n ();
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    return usage (stderr);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    return usage (stdout);
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("wevion %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *name = g_strdup_printf ("wevion %s", argv[1]);

        g_set_prgname (name);
        return commands[i].run (argc - 1, argv + 1);
      }
  g_printerr ("wevion: %s\n", _ ("unknown command"));
  return usage (stderr);
}
