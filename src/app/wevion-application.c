/* wevion-application.c: the AdwApplication: the model and network it owns, its command line and
 * the app.* actions that cards, the details pane and notifications activate with a job id. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wevion-application.h"
#include "wevion-notifier.h" /* issue 7: notifications and background */
#include "wevion-secrets.h"
#include "wevion-window.h"

struct _WevionApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  char *server_override;
  char *token_override;

  char *server_url; /* the server we are connected (or connecting) to */
  WevionConnection connection;
  WevionJobStore *store;
  WevionCache *cache;
  WevionClient *client;
  WevionPoller *poller;
  WevionThumbnails *thumbnails;
  WevionNotifier *notifier; /* issue 7: notifications, and the hold that keeps polling in the background */
  GCancellable *cancellable;
  guint tick_id;
  gboolean cancel_unsupported;
  gboolean cache_has_client;
  gboolean cache_rebuilt_notice; /* to say once a window shows */
  gboolean cache_error_shown;    /* the cache's write error was told (until a write succeeds) */
  /* issue 6: downloads */
  WevionDownloader *downloader;
  guint inhibit_cookie;
  guint idle_id;
  GPtrArray *waiting_actions; /* issue 7: WithJobData: actions that came while connecting */
  gboolean quit_on_close;     /* --quit-on-close: the demo ends with its window */
  AdwToast *hide_toast;       /* weak: the last "Job hidden" toast, and its job */
  char *hide_toast_id;
};

G_DEFINE_FINAL_TYPE (WevionApplication, wevion_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[]
    = { { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
          N_ ("The Creative Hub server to use, e.g. https://api.example.com"), N_ ("URL") },
        { "token-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
          N_ ("Read the API token from FILE instead of the keyring"), N_ ("FILE") },
        { "quit-on-close", 0, 0, G_OPTION_ARG_NONE, NULL,
          N_ ("Quit when the window is closed, even while jobs are still running"), NULL },
        { NULL } };

static void
set_str (char **field, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static void
clear_secret (char **field)
{
  if (*field)
    memset (*field, 0, strlen (*field));
  g_clear_pointer (field, g_free);
}

WevionApplication *
wevion_application_new (void)
{
  return g_object_new (WEVION_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/com/wevion/Jobs", NULL);
}

/* ---- getters ----------------------------------------------------------------------------- */

GSettings *
wevion_application_get_settings (WevionApplication *self)
{
  return self->settings;
}

const char *
wevion_application_get_server_url (WevionApplication *self)
{
  return self->server_url;
}

WevionConnection
wevion_application_get_connection (WevionApplication *self)
{
  return self->connection;
}

WevionJobStore *
wevion_application_get_store (WevionApplication *self)
{
  return self->store;
}

WevionClient *
wevion_application_get_client (WevionApplication *self)
{
  return self->client;
}

WevionPoller *
wevion_application_get_poller (WevionApplication *self)
{
  return self->poller;
}

WevionThumbnails *
wevion_application_get_thumbnails (WevionApplication *self)
{
  return self->thumbnails;
}

static WevionWindow *
main_window (WevionApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  for (GList *l = windows; l; l = l->next)
    if (WEVION_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
toast (WevionApplication *self, AdwToast *toast)
{
  WevionWindow *window = main_window (self);

  if (window)
    wevion_window_add_toast (window, toast);
  else
    {
      /* no window to show it in: the log at least (toast_text () raises a notification) */
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

/* Toast titles are markup: server words (error messages) must not become tags. */
static void
toast_text (WevionApplication *self, const char *text)
{
  g_autofree char *escaped = NULL;

  /* issue 7: an action from outside or a notification's button, with no window: a notification */
  if (main_window (self) == NULL && self->notifier)
    {
      wevion_notifier_tell (self->notifier, text);
      return;
    }
  escaped = g_markup_escape_text (text, -1);
  toast (self, adw_toast_new (escaped));
}

static void flush_waiting_actions (WevionApplication *self);

static void
update_windows (WevionApplication *self)
{
  WevionWindow *window = main_window (self);

  if (window)
    wevion_window_update_connection (window);
  if (self->notifier)
    wevion_notifier_update_hold (self->notifier); /* issue 7: nothing polls without a connection */
  flush_waiting_actions (self);
}

/* issue 7: work started by an action holds the application until it ends (a button pressed on a
 * notification while the window is closed must finish what it started) */
static void
work_begin (WevionApplication *self)
{
  if (self->notifier)
    wevion_notifier_work_begin (self->notifier);
}

static void
work_end (WevionApplication *self)
{
  if (self->notifier)
    wevion_notifier_work_end (self->notifier);
}

char *
wevion_application_describe_error (const GError *error)
{
  if (error == NULL)
    return g_strdup (_ ("Something went wrong."));
  if (error->domain == WEVION_CLIENT_ERROR)
    {
      const char *advice = wevion_client_error_get_advice (error);
      gsize len = strlen (error->message);
      /* no "?." or ".." when the message ends a sentence itself */
      gboolean ended = len > 0 && strchr (".?!", error->message[len - 1]) != NULL;

      if (advice && *advice)
        return g_strdup_printf ("%s%s %s", error->message, ended ? "" : ".", advice);
    }
  return g_strdup (error->message);
}

/* ---- connecting -------------------------------------------------------------------------- */

static char *
cache_path_for (const char *server_url)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, server_url, -1);
  g_autofree char *name = g_strdup_printf ("cache-%.16s.db", hash);

  return g_build_filename (g_get_user_cache_dir (), "wevion-jobs", name, NULL);
}

static void
show_cache_notice (WevionApplication *self)
{
  if (!self->cache_rebuilt_notice || main_window (self) == NULL)
    return;
  self->cache_rebuilt_notice = FALSE;
  toast_text (self,
              _ ("The saved job list could not be read and was started afresh. Jobs load again from the "
                 "server."));
}

/* Shows what was known about this server before any request (the panel opens instantly, offline too). */
static void
load_cache (WevionApplication *self, const char *server_url)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cache_path_for (server_url);

  if (self->cache)
    return;
  self->cache = wevion_cache_new (path, &error);
  if (self->cache == NULL)
    {
      g_message ("The local cache could not be opened, working without it: %s", error->message);
      return;
    }
  wevion_cache_load (self->cache, self->store);
  wevion_cache_attach (self->cache, self->store);
  if (wevion_cache_get_was_rebuilt (self->cache))
    {
      /* the file was damaged (or from a newer version): say so, before the list fills again */
      self->cache_rebuilt_notice = TRUE;
      show_cache_notice (self);
    }
}

static void
start (WevionApplication *self, WevionClient *client)
{
  if (self->client != client && self->cancel_unsupported)
    {
      /* another server may cancel: ask it again (Cancel shows again) */
      self->cancel_unsupported = FALSE;
      g_simple_action_set_enabled (
          G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "cancel-job")), TRUE);
    }
  g_set_object (&self->client, client);
  /* answers kept from the last run make the first request a cheap 304 */
  if (self->cache && !self->cache_has_client)
    {
      wevion_cache_attach_client (self->cache, client);
      self->cache_has_client = TRUE;
    }
  if (self->poller)
    {
      wevion_poller_stop (self->poller);
      g_clear_object (&self->poller);
    }
  self->poller = wevion_poller_new (client, self->store);
  g_settings_bind (self->settings, "poll-interval", self->poller, "interval", G_SETTINGS_BIND_GET);
  wevion_poller_start (self->poller);
  wevion_poller_poll_now (self->poller);
  self->connection = WEVION_CONNECTION_READY;
  if (self->notifier)
    wevion_notifier_watch_poller (self->notifier, self->poller); /* issue 7: a refused token ends the hold */
  update_windows (self);
}

typedef struct
{
  char *server_url;
  char *token;
  WevionClient *client;
  gboolean remember;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_free (data->server_url);
  clear_secret (&data->token);
  g_clear_object (&data->client);
  g_free (data);
}

static void
stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!wevion_secrets_store_token_finish (result, &error))
    g_message ("The API token could not be kept in the keyring: %s", error->message);
}

static void
verified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  WevionApplication *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = wevion_client_list_finish (WEVION_CLIENT (source), result, NULL, NULL, &error);

  if (jobs == NULL)
    {
      self->connection = self->client ? WEVION_CONNECTION_READY : WEVION_CONNECTION_NONE;
      flush_waiting_actions (self); /* issue 7: actions that waited for this connection */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_str (&self->server_url, data->server_url);
  if (data->remember)
    {
      g_settings_set_string (self->settings, "server-url", data->server_url);
      wevion_secrets_store_token_async (data->server_url, data->token, NULL, stored_cb, NULL);
    }
  load_cache (self, data->server_url);
  wevion_job_store_merge (self->store, jobs);
  start (self, data->client);
  g_task_return_boolean (task, TRUE);
}

void
wevion_application_connect_async (WevionApplication *self, const char *server_url, const char *token,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  ConnectData *data;
  WevionClient *client;

  g_task_set_source_tag (task, wevion_application_connect_async);
  client = wevion_client_new (server_url, token, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_new0 (ConnectData, 1);
  data->server_url = g_strdup (wevion_client_get_base_url (client));
  data->token = g_strdup (token);
  data->client = client;
  data->remember = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  self->connection = WEVION_CONNECTION_CONNECTING;
  query->limit = 1;
  wevion_client_list_async (client, query, cancellable, verified_cb, g_steal_pointer (&task));
}

gboolean
wevion_application_connect_finish (WevionApplication *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* With a token we already trust (keyring, --token-file, WEVION_TOKEN): start at once and let the
 * poller's banner tell about an unreachable server, so the cached list stays usable offline. */
static void
connect_known (WevionApplication *self, const char *server_url, const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionClient) client = wevion_client_new (server_url, token, &error);

  if (client == NULL)
    {
      g_message ("Cannot use %s: %s", server_url, error->message);
      self->connection = WEVION_CONNECTION_NONE;
      update_windows (self);
      return;
    }
  set_str (&self->server_url, wevion_client_get_base_url (client));
  load_cache (self, self->server_url);
  start (self, client);
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = wevion_secrets_lookup_token_finish (result, &error);

  if (token == NULL)
    {
      if (error)
        g_message ("The keyring could not be read: %s", error->message);
      self->connection = WEVION_CONNECTION_NONE;
      update_windows (self);
      return;
    }
  connect_known (self, self->server_url, token);
  clear_secret (&token);
}

static void
connect_at_start (WevionApplication *self)
{
  if (self->server_url == NULL)
    {
      self->connection = WEVION_CONNECTION_NONE;
      return;
    }
  if (self->token_override)
    {
      connect_known (self, self->server_url, self->token_override);
      return;
    }
  self->connection = WEVION_CONNECTION_CONNECTING;
  load_cache (self, self->server_url);
  wevion_secrets_lookup_token_async (self->server_url, self->cancellable, lookup_cb, g_object_ref (self));
}

void
wevion_application_sign_out (WevionApplication *self)
{
  if (self->poller)
    wevion_poller_stop (self->poller);
  g_clear_object (&self->poller);
  g_clear_object (&self->client);
  clear_secret (&self->token_override);
  if (self->server_url)
    wevion_secrets_clear_token_async (self->server_url, NULL, NULL, NULL);
  self->connection = WEVION_CONNECTION_NONE;
  update_windows (self);
}

/* ---- submitting -------------------------------------------------------------------------- */

typedef struct
{
  WevionJobType type;
  char *provider;
  char *prompt;
  JsonObject *settings;
  JsonObject *metadata;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_free (data->provider);
  g_free (data->prompt);
  g_clear_pointer (&data->settings, json_object_unref);
  g_clear_pointer (&data->metadata, json_object_unref);
  g_free (data);
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  WevionApplication *self = g_task_get_source_object (task);
  SubmitData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = wevion_client_submit_finish (WEVION_CLIENT (source), result, &error);

  /* issue 7: the submit held the application; the job it made (active) holds it from here on */
  if (id == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      work_end (self);
      return;
    }
  /* the pending card appears at once; the poller fills in the rest */
  if (wevion_job_store_lookup (self->store, id) == NULL)
    {
      g_autoptr (WevionJob) job = wevion_job_new (id, data->type, data->provider, data->prompt);
      g_object_set (job, "settings", data->settings, "metadata", data->metadata, NULL);
      wevion_job_store_add (self->store, job);
    }
  if (self->poller)
    wevion_poller_track (self->poller, id);
  g_task_return_pointer (task, g_steal_pointer (&id), g_free);
  work_end (self);
}

void
wevion_application_submit_async (WevionApplication *self, WevionJobType type, const char *provider,
                                 const char *prompt, JsonObject *settings, JsonObject *metadata,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  SubmitData *data;

  g_task_set_source_tag (task, wevion_application_submit_async);
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("Not connected to a Creative Hub."));
      return;
    }
  data = g_new0 (SubmitData, 1);
  data->type = type;
  data->provider = g_strdup (provider);
  data->prompt = g_strdup (prompt);
  data->settings = settings ? json_object_ref (settings) : json_object_new ();
  data->metadata = metadata ? json_object_ref (metadata) : json_object_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) submit_data_free);
  work_begin (self);
  wevion_client_submit_async (self->client, type, provider, prompt, data->settings, data->metadata,
                              cancellable, submitted_cb, g_steal_pointer (&task));
}

char *
wevion_application_submit_finish (WevionApplication *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- app.* actions on jobs --------------------------------------------------------------- */

static WevionJob *
job_for (WevionApplication *self, GVariant *parameter)
{
  const char *id = g_variant_get_string (parameter, NULL);
  WevionJob *job = wevion_job_store_lookup (self->store, id);

  if (job == NULL)
    toast_text (self, _ ("That job is not in the panel any more"));
  return job;
}

/* issue 7: actions from outside (`gapplication action`, a notification of an earlier run) name
 * jobs the store may not have (a fresh cache): fetch them from the server first. */
typedef void (*JobFunc) (WevionApplication *self, WevionJob *job);

typedef struct
{
  WevionApplication *self;
  char *id;
  JobFunc func;
} WithJobData;

static void
with_job_data_free (WithJobData *data)
{
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data);
}

static void
with_job_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WithJobData *data = user_data;
  WevionApplication *self = data->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) fetched = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &error);
  WevionJob *job = NULL;

  if (fetched)
    {
      g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (jobs, g_object_ref (fetched));
      wevion_job_store_merge (self->store, jobs);
      job = wevion_job_store_lookup (self->store, data->id);
      if (job && !wevion_job_get_is_terminal (job) && self->poller)
        wevion_poller_track (self->poller, data->id);
    }
  if (job)
    data->func (self, job);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *reason = wevion_application_describe_error (error);
      g_autofree char *text = g_strdup_printf (_ ("The job %s could not be loaded: %s"), data->id, reason);

      toast_text (self, text);
    }
  work_end (self);
  with_job_data_free (data);
}

/* Runs @data's action on its job: from the store, else fetched from the server. Frees @data. */
static void
with_job_run (WithJobData *data)
{
  WevionApplication *self = data->self;
  WevionJob *job = wevion_job_store_lookup (self->store, data->id);

  if (job)
    data->func (self, job);
  else if (self->client == NULL)
    {
      g_autofree char *text = g_strdup_printf (
          _ ("The job %s could not be loaded: not connected to a Creative Hub."), data->id);
      toast_text (self, text);
    }
  else
    {
      const char *id = data->id; /* not in the call: its arguments are evaluated in any order */

      work_begin (self);
      wevion_client_get_job_async (self->client, id, self->cancellable, with_job_fetched_cb,
                                   g_steal_pointer (&data));
    }
  if (data)
    with_job_data_free (data);
}

static void
with_job (WevionApplication *self, GVariant *parameter, JobFunc func)
{
  WithJobData *data = g_new0 (WithJobData, 1);

  data->self = g_object_ref (self);
  data->id = g_strdup (g_variant_get_string (parameter, NULL));
  data->func = func;
  /* started by D-Bus activation for this action, the app may still be looking up its token: the
   * action waits for the connection (and holds the app meanwhile) */
  if (self->connection == WEVION_CONNECTION_CONNECTING && self->client == NULL)
    {
      g_debug ("app action on %s waits for the connection", data->id);
      g_ptr_array_add (self->waiting_actions, data);
      work_begin (self);
      return;
    }
  with_job_run (data);
}

static void
flush_waiting_actions (WevionApplication *self)
{
  g_autoptr (GPtrArray) waiting = NULL;

  if (self->waiting_actions == NULL || self->waiting_actions->len == 0
      || (self->connection == WEVION_CONNECTION_CONNECTING && self->client == NULL))
    return;
  waiting = g_steal_pointer (&self->waiting_actions);
  self->waiting_actions = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    {
      with_job_run (g_ptr_array_index (waiting, i));
      work_end (self);
    }
}

static const char *
result_url (WevionApplication *self, WevionJob *job, guint index)
{
  const char *const *urls = wevion_job_get_result_urls (job);

  if (index >= g_strv_length ((char **) urls))
    {
      toast_text (self, _ ("This job has no result file"));
      return NULL;
    }
  return urls[index];
}

static void
launched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionApplication) self = user_data;
  g_autoptr (GError) error = NULL;

#if GTK_CHECK_VERSION(4, 10, 0)
  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (source), result, &error))
#else
  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
#endif
    {
      g_autofree char *text = g_strdup_printf (_ ("Could not open the web browser: %s"), error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_text (self, text);
    }
}

static void
open_uri (WevionApplication *self, const char *uri)
{
  GtkWindow *window = GTK_WINDOW (main_window (self));

  g_debug ("Opening %s", uri);
  if (g_getenv ("WEVION_OPEN_URI_LOG"))
    {
      /* tests: record instead of launching a browser */
      g_autoptr (GError) error = NULL;
      g_autofree char *line = g_strconcat (uri, "\n", NULL);
      g_autoptr (GFile) file = g_file_new_for_path (g_getenv ("WEVION_OPEN_URI_LOG"));
      g_autoptr (GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
      if (out)
        g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL);
      return;
    }
#if GTK_CHECK_VERSION(4, 10, 0)
  {
    g_autoptr (GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);
    gtk_uri_launcher_launch (launcher, window, NULL, launched_cb, g_object_ref (self));
  }
#else
  if (window)
    gtk_show_uri_full (window, uri, GDK_CURRENT_TIME, NULL, launched_cb, g_object_ref (self));
  else
    g_app_info_launch_default_for_uri (uri, NULL, NULL);
#endif
}

/* The Campaign Creator address: the template from settings with {server}, {id} and {url}. */
static char *
campaign_uri (WevionApplication *self, WevionJob *job, const char *url)
{
  g_autofree char *template = g_settings_get_string (self->settings, "campaign-url-template");

  return wevion_campaign_uri_build (template, self->server_url ? self->server_url : "",
                                    wevion_job_get_id (job), url);
}

static void
view_job (WevionApplication *self, WevionJob *job)
{
  WevionWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = main_window (self);
  if (window)
    wevion_window_show_job (window, wevion_job_get_id (job));
}

static void
view_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  with_job (user_data, parameter, view_job);
}

static void
use_in_campaign (WevionApplication *self, WevionJob *job, guint index)
{
  const char *url;
  g_autofree char *uri = NULL;

  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED)
    {
      toast_text (self, _ ("Only completed jobs can be used in a campaign"));
      return;
    }
  url = result_url (self, job, index);
  if (url == NULL)
    return;
  uri = campaign_uri (self, job, url);
  open_uri (self, uri);
}

static void
use_first_in_campaign (WevionApplication *self, WevionJob *job)
{
  use_in_campaign (self, job, 0);
}

static void
use_in_campaign_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  with_job (user_data, parameter, use_first_in_campaign);
}

static void
copy_text (WevionApplication *self, const char *text, const char *message)
{
  WevionWindow *window = main_window (self);
  GdkClipboard *clipboard = window ? gtk_widget_get_clipboard (GTK_WIDGET (window))
                                   : gdk_display_get_clipboard (gdk_display_get_default ());

  gdk_clipboard_set_text (clipboard, text);
  toast_text (self, message);
}

static void
copy_link_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job = job_for (self, parameter);
  const char *url = job ? result_url (self, job, 0) : NULL;

  if (url)
    copy_text (self, url, _ ("Link copied"));
}

static void
retried_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WevionApplication *self = WEVION_APPLICATION (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = wevion_application_submit_finish (self, result, &error);

  if (id == NULL)
    {
      g_autofree char *text = wevion_application_describe_error (error);
      g_autofree char *message = g_strdup_printf (_ ("The retry was not submitted: %s"), text);
      toast_text (self, message);
      return;
    }
  {
    AdwToast *t = adw_toast_new (_ ("Retry submitted"));
    adw_toast_set_button_label (t, _ ("_View"));
    adw_toast_set_action_name (t, "app.view-job");
    adw_toast_set_action_target_value (t, g_variant_new_string (id));
    toast (self, t);
  }
}

static void
retry_job (WevionApplication *self, WevionJob *job)
{
  g_autoptr (JsonObject) metadata = NULL;

  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_FAILED)
    {
      toast_text (self, _ ("Only failed jobs can be retried"));
      return;
    }
  if (wevion_job_get_failure_kind (job) == WEVION_FAILURE_KIND_MODERATION)
    {
      /* the seed: a retry will not help without an edit */
      WevionWindow *window = main_window (self);
      toast_text (self, _ ("Retrying the same prompt will not pass moderation: edit it first"));
      if (window)
        wevion_window_new_generation (window, job);
      return;
    }
  metadata = json_object_new ();
  json_object_set_string_member (metadata, "retry_of", wevion_job_get_id (job));
  wevion_application_submit_async (self, wevion_job_get_job_type (job), wevion_job_get_provider (job),
                                   wevion_job_get_prompt (job), wevion_job_get_settings (job), metadata, NULL,
                                   retried_cb, NULL);
}

static void
retry_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  with_job (user_data, parameter, retry_job);
}

static void
edit_job (WevionApplication *self, WevionJob *job)
{
  WevionWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = main_window (self);
  if (window)
    wevion_window_new_generation (window, job);
}

static void
edit_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  with_job (user_data, parameter, edit_job);
}

static void
hide_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);
  AdwToast *t;

  wevion_job_store_hide (self->store, id);
  /* the seed: hiding only clears the panel; the files in Drive stay */
  t = adw_toast_new (_ ("Job hidden"));
  adw_toast_set_button_label (t, _ ("_Undo"));
  adw_toast_set_action_name (t, "app.unhide-job");
  adw_toast_set_action_target_value (t, g_variant_new_string (id));
  g_set_weak_pointer (&self->hide_toast, t);
  g_free (self->hide_toast_id);
  self->hide_toast_id = g_strdup (id);
  toast (self, t);
}

static void
unhide_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;

  wevion_job_store_unhide (self->store, g_variant_get_string (parameter, NULL));
  /* undone some other way (a script, the menu): its "Job hidden" toast has nothing left to say */
  if (self->hide_toast && g_strcmp0 (self->hide_toast_id, g_variant_get_string (parameter, NULL)) == 0)
    adw_toast_dismiss (self->hide_toast);
}

static void
canceled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionApplication) self = user_data;
  g_autoptr (GError) error = NULL;

  if (wevion_client_cancel_finish (WEVION_CLIENT (source), result, &error))
    {
      toast_text (self, _ ("Job canceled"));
      if (self->poller)
        wevion_poller_poll_now (self->poller);
      return;
    }
  if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED))
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "cancel-job");
      self->cancel_unsupported = TRUE;
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), FALSE);
      toast_text (self, _ ("This server cannot cancel jobs"));
    }
  else if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_CONFLICT))
    toast_text (self, _ ("The job already ended"));
  else
    {
      g_autofree char *text = wevion_application_describe_error (error);
      toast_text (self, text);
    }
}

static void
cancel_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job = job_for (self, parameter);

  if (job == NULL || self->client == NULL)
    return;
  wevion_client_cancel_async (self->client, wevion_job_get_id (job), NULL, canceled_cb, g_object_ref (self));
}

static void
open_drive_folder_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job = job_for (self, parameter);
  g_autoptr (GUri) server = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *uri = NULL;

  if (job == NULL || wevion_job_get_drive_folder_id (job) == NULL)
    return;
  folder = g_uri_escape_string (wevion_job_get_drive_folder_id (job), NULL, FALSE);
  server = self->server_url ? g_uri_parse (self->server_url, G_URI_FLAGS_NONE, NULL) : NULL;
  /* a local hub serves its own Drive pages; the real service keeps outputs in Google Drive */
  if (server && wevion_host_is_loopback (g_uri_get_host (server)))
    uri = g_strdup_printf ("%s/drive/folders/%s", self->server_url, folder);
  else
    uri = g_strdup_printf ("https://drive.google.com/drive/folders/%s", folder);
  open_uri (self, uri);
}

static gboolean
result_target (WevionApplication *self, GVariant *parameter, WevionJob **job, const char **url)
{
  const char *id;
  guint index;

  g_variant_get (parameter, "(&su)", &id, &index);
  *job = wevion_job_store_lookup (self->store, id);
  if (*job == NULL)
    {
      toast_text (self, _ ("That job is not in the panel any more"));
      return FALSE;
    }
  *url = result_url (self, *job, index);
  return *url != NULL;
}

static void
copy_result_link_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job;
  const char *url;

  if (result_target (self, parameter, &job, &url))
    copy_text (self, url, _ ("Link copied"));
}

static void
open_result_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job;
  const char *url;

  if (result_target (self, parameter, &job, &url))
    open_uri (self, url);
}

static void
use_result_in_campaign_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  const char *id;
  guint index;
  WevionJob *job;

  g_variant_get (parameter, "(&su)", &id, &index);
  job = wevion_job_store_lookup (self->store, id);
  if (job)
    use_in_campaign (self, job, index);
}

/* ---- downloads (issue 6: WevionDownloader, progress toast, inhibit, auto-download) --------- */

/* One small progress bar at the end of the list's header bar, made here so the window needs no
 * download code: found through the window template's "list_header" child. */
static GtkWidget *
progress_widget (WevionApplication *self)
{
  WevionWindow *window = main_window (self);
  GtkWidget *bar;
  GObject *header;

  if (window == NULL)
    return NULL;
  bar = g_object_get_data (G_OBJECT (window), "wevion-download-progress");
  if (bar)
    return bar;
  header = gtk_widget_get_template_child (GTK_WIDGET (window), WEVION_TYPE_WINDOW, "list_header");
  if (!ADW_IS_HEADER_BAR (header))
    return NULL;
  bar = gtk_progress_bar_new ();
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 48, -1);
  gtk_widget_set_visible (bar, FALSE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), bar);
  g_object_set_data (G_OBJECT (window), "wevion-download-progress", bar);
  return bar;
}

static gboolean
downloads_idle_cb (gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionWindow *window = main_window (self);
  GtkWidget *bar = window ? g_object_get_data (G_OBJECT (window), "wevion-download-progress") : NULL;

  self->idle_id = 0;
  if (bar)
    gtk_widget_set_visible (bar, FALSE);
  if (self->inhibit_cookie)
    gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
  self->inhibit_cookie = 0;
  return G_SOURCE_REMOVE;
}

static void
downloads_progress_cb (WevionApplication *self)
{
  WevionDownloader *dl = self->downloader;
  guint n = wevion_downloader_get_n_active (dl);
  double fraction = wevion_downloader_get_fraction (dl);
  GtkWidget *bar = progress_widget (self);
  g_autofree char *title = NULL;

  if (n == 0)
    {
      /* "Download all" runs one file after the other: wait a moment before calling it done */
      if (self->idle_id == 0)
        self->idle_id = g_timeout_add (500, downloads_idle_cb, self);
      return;
    }
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->inhibit_cookie == 0)
    self->inhibit_cookie
        = gtk_application_inhibit (GTK_APPLICATION (self), GTK_WINDOW (main_window (self)),
                                   GTK_APPLICATION_INHIBIT_SUSPEND | GTK_APPLICATION_INHIBIT_LOGOUT,
                                   _ ("Downloading generation results"));
  if (fraction >= 0)
    /* TRANSLATORS: "Downloading 2 files… 45 %" */
    title = g_strdup_printf (ngettext ("Downloading %u file… %d %%", "Downloading %u files… %d %%", n), n,
                             (int) (fraction * 100));
  else
    title = g_strdup_printf (ngettext ("Downloading %u file…", "Downloading %u files…", n), n);
  if (bar == NULL)
    return;
  gtk_widget_set_visible (bar, TRUE);
  gtk_widget_set_tooltip_text (bar, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), fraction);
  else
    gtk_progress_bar_pulse (GTK_PROGRESS_BAR (bar));
}

typedef struct
{
  WevionApplication *self;
  char *job_id;
  guint index;
  gboolean all;
} DownloadData;

static void
download_data_free (DownloadData *d)
{
  g_object_unref (d->self);
  g_free (d->job_id);
  g_free (d);
}

static void
download_failed (WevionApplication *self, const char *job_id, guint index, const GError *error)
{
  AdwToast *t;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_warning ("Download of %s #%u failed: %s", job_id, index, error->message);
  if (main_window (self) == NULL)
    {
      /* issue 7: no window (a notification's button): a notification says it */
      toast_text (self, wevion_download_error_get_advice (error));
      return;
    }
  {
    /* toast titles are markup; a translation may hold an "&" */
    g_autofree char *advice = g_markup_escape_text (wevion_download_error_get_advice (error), -1);

    t = adw_toast_new (advice);
  }
  adw_toast_set_timeout (t, 0);
  if (g_error_matches (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED))
    {
      adw_toast_set_button_label (t, _ ("Open _Drive Folder"));
      adw_toast_set_action_name (t, "app.open-drive-folder");
      adw_toast_set_action_target_value (t, g_variant_new_string (job_id));
    }
  else if (g_error_matches (error, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_HTML))
    {
      adw_toast_set_button_label (t, _ ("Open in _Browser"));
      adw_toast_set_action_name (t, "app.open-result");
      adw_toast_set_action_target_value (t, g_variant_new ("(su)", job_id, index));
    }
  toast (self, t);
}

static void
download_saved (WevionApplication *self, const char *const *paths)
{
  guint n = g_strv_length ((char **) paths);
  g_autofree char *name = n ? g_path_get_basename (paths[0]) : NULL;
  g_autofree char *title = NULL;
  AdwToast *t;

  if (n == 0)
    return;
  if (n == 1)
    {
      /* toast titles are markup; a file name is not */
      g_autofree char *escaped = g_markup_escape_text (name, -1);
      title = g_strdup_printf (_ ("Saved %s"), escaped);
    }
  else
    title = g_strdup_printf (ngettext ("Saved %u file", "Saved %u files", n), n);
  t = adw_toast_new (title);
  if (n == 1)
    {
      adw_toast_set_button_label (t, _ ("_Open"));
      adw_toast_set_action_name (t, "app.open-file");
    }
  else
    {
      adw_toast_set_button_label (t, _ ("_Show in Folder"));
      adw_toast_set_action_name (t, "app.show-in-folder");
    }
  adw_toast_set_action_target_value (t, g_variant_new_string (paths[0]));
  toast (self, t);
}

static void
download_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DownloadData *d = user_data;
  g_autoptr (GError) error = NULL;

  if (d->all)
    {
      g_auto (GStrv) paths
          = wevion_downloader_download_all_finish (WEVION_DOWNLOADER (source), result, &error);
      if (paths)
        download_saved (d->self, (const char *const *) paths);
    }
  else
    {
      g_autofree char *path = wevion_downloader_download_finish (WEVION_DOWNLOADER (source), result, &error);
      if (path)
        {
          const char *paths[] = { path, NULL };
          download_saved (d->self, paths);
        }
    }
  if (error)
    download_failed (d->self, d->job_id, d->index, error);
  work_end (d->self);
  download_data_free (d);
}

/* @index -1: every result of the job */
static void
start_download (WevionApplication *self, WevionJob *job, int index)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "download-folder");
  g_autofree char *folder
      = wevion_download_folder_for (job, setting, g_settings_get_boolean (self->settings, "per-job-folder"));
  DownloadData *d = g_new0 (DownloadData, 1);

  if (wevion_job_get_n_result_urls (job) == 0)
    {
      toast_text (self, _ ("This job has no result file"));
      g_free (d);
      return;
    }
  d->self = g_object_ref (self);
  d->job_id = g_strdup (wevion_job_get_id (job));
  d->index = index < 0 ? 0 : (guint) index;
  d->all = index < 0;
  /* the client only to GET the job again when a signed link expired */
  wevion_downloader_set_client (self->downloader, self->client);
  work_begin (self);
  if (d->all)
    wevion_downloader_download_all_async (self->downloader, job, folder, self->cancellable, download_done_cb,
                                          d);
  else
    wevion_downloader_download_async (self->downloader, job, (guint) index, folder, self->cancellable,
                                      download_done_cb, d);
}

static void
job_finished_download_cb (WevionApplication *self, WevionJob *job, WevionJobStatus old_status)
{
  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED
      && g_settings_get_boolean (self->settings, "auto-download"))
    start_download (self, job, -1);
}

static void
downloads_init (WevionApplication *self)
{
  self->downloader = wevion_downloader_new (NULL);
  g_signal_connect_swapped (self->downloader, "notify::n-active", G_CALLBACK (downloads_progress_cb), self);
  g_signal_connect_swapped (self->downloader, "notify::bytes", G_CALLBACK (downloads_progress_cb), self);
  g_signal_connect_object (self->store, "job-finished", G_CALLBACK (job_finished_download_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
open_file_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_autofree char *uri = g_filename_to_uri (g_variant_get_string (parameter, NULL), NULL, NULL);

  if (uri)
    open_uri (user_data, uri);
}

static void
show_items_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *path = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      /* no file manager on the bus: open the folder itself */
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *uri = g_filename_to_uri (dir, NULL, NULL);

      g_debug ("FileManager1.ShowItems: %s", error->message);
      if (uri)
        open_uri (WEVION_APPLICATION (g_application_get_default ()), uri);
    }
}

static void
show_in_folder_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  const char *uris[] = { uri, NULL };

  if (uri == NULL)
    return;
  if (bus == NULL || g_getenv ("WEVION_OPEN_URI_LOG"))
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *dir_uri = g_filename_to_uri (dir, NULL, NULL);

      open_uri (self, dir_uri);
      return;
    }
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems", g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, show_items_cb, g_strdup (path));
}

static void
download_job (WevionApplication *self, WevionJob *job)
{
  start_download (self, job, -1);
}

static void
download_job_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  with_job (user_data, parameter, download_job);
}

static void
download_result_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  WevionApplication *self = user_data;
  WevionJob *job;
  const char *url;

  guint index;

  g_variant_get (parameter, "(&su)", NULL, &index);
  if (result_target (self, parameter, &job, &url))
    start_download (self, job, (int) index);
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Wevion Jobs developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app), "application-name", _ ("Wevion Jobs"),
                         "application-icon", APP_ID, "developer-name", "Wevion", "version", PACKAGE_VERSION,
                         "comments", _ ("Watch your AI generation jobs and download their results"),
                         "website", "https://wevion.example/", "issue-url", "https://wevion.example/issues",
                         "license-type", GTK_LICENSE_GPL_3_0, "developers", developers, "copyright",
                         "© 2026 Wevion", "translator-credits", _ ("translator-credits"), NULL);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "view-job", view_job_activated, "s" },
  { "download-job", download_job_activated, "s" },
  { "use-in-campaign", use_in_campaign_activated, "s" },
  { "copy-link", copy_link_activated, "s" },
  { "retry-job", retry_job_activated, "s" },
  { "edit-job", edit_job_activated, "s" },
  { "hide-job", hide_job_activated, "s" },
  { "unhide-job", unhide_job_activated, "s" },
  { "cancel-job", cancel_job_activated, "s" },
  { "open-drive-folder", open_drive_folder_activated, "s" },
  { "download-result", download_result_activated, "(su)" },
  { "copy-result-link", copy_result_link_activated, "(su)" },
  { "open-result", open_result_activated, "(su)" },
  { "use-result-in-campaign", use_result_in_campaign_activated, "(su)" },
  { "open-file", open_file_activated, "s" },
  { "show-in-folder", show_in_folder_activated, "s" },
};

/* ---- life cycle -------------------------------------------------------------------------- */

/* Normally the app stays while jobs run (the notifier holds it); --quit-on-close ends it with the
 * last window, for the demo. */
static void
window_removed_cb (GtkApplication *app, GtkWindow *window, gpointer data)
{
  if (WEVION_APPLICATION (app)->quit_on_close && gtk_application_get_windows (app) == NULL)
    g_application_quit (G_APPLICATION (app));
}

static int
wevion_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  WevionApplication *self = WEVION_APPLICATION (app);
  const char *server = NULL;
  const char *token_file = NULL;

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    set_str (&self->server_override, server);
  if (g_variant_dict_contains (options, "quit-on-close"))
    self->quit_on_close = TRUE;

  if (g_variant_dict_lookup (options, "token-file", "^&ay", &token_file))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (token_file, &contents, NULL, &error))
        {
          g_printerr (_ ("Could not read the token file: %s\n"), error->message);
          return 1;
        }
      clear_secret (&self->token_override);
      self->token_override = g_strdup (g_strstrip (contents));
      memset (contents, 0, strlen (contents));
    }

  return -1;
}

/* A cache write that failed (disk full) is told once, until a write succeeds again; the list itself
 * is whole, and the cache writes the rows again at its next flush. */
static void
check_cache_write (WevionApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (self->cache == NULL)
    return;
  error = wevion_cache_dup_write_error (self->cache);
  if (error == NULL)
    {
      self->cache_error_shown = FALSE;
      return;
    }
  if (self->cache_error_shown || main_window (self) == NULL)
    return;
  self->cache_error_shown = TRUE;
  toast_text (self, error->message);
}

static gboolean
tick_cb (gpointer user_data)
{
  WevionApplication *self = user_data;

  wevion_job_store_tick (self->store);
  check_cache_write (self);
  return G_SOURCE_CONTINUE;
}

static void
wevion_application_startup (GApplication *app)
{
  WevionApplication *self = WEVION_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *refresh_accels[] = { "F5", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };

  G_APPLICATION_CLASS (wevion_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  self->store = wevion_job_store_new ();
  self->thumbnails = wevion_thumbnails_new (NULL, 256);
  self->cancellable = g_cancellable_new ();
  self->waiting_actions = g_ptr_array_new ();
  /* the environment stands in for --server and --token-file (scripts, tests) */
  if (self->server_override == NULL && g_getenv ("WEVION_SERVER_URL"))
    set_str (&self->server_override, g_getenv ("WEVION_SERVER_URL"));
  if (self->token_override == NULL && g_getenv ("WEVION_TOKEN"))
    set_str (&self->token_override, g_getenv ("WEVION_TOKEN"));
  if (self->server_override)
    set_str (&self->server_url, self->server_override);
  else
    {
      g_autofree char *url = g_settings_get_string (self->settings, "server-url");
      if (*url)
        set_str (&self->server_url, url);
    }

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.new-generation", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.refresh", refresh_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);

  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  downloads_init (self);
  /* issue 7: announces finished jobs; holds the app while jobs are active (closing the window) */
  self->notifier = wevion_notifier_new (self);
  connect_at_start (self);
}

static void
wevion_application_activate (GApplication *app)
{
  GtkWindow *window = GTK_WINDOW (main_window (WEVION_APPLICATION (app)));

  if (window == NULL)
    window = GTK_WINDOW (wevion_window_new (WEVION_APPLICATION (app)));
  gtk_window_present (window);
  show_cache_notice (WEVION_APPLICATION (app));
}

static void
wevion_application_shutdown (GApplication *app)
{
  WevionApplication *self = WEVION_APPLICATION (app);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->poller)
    wevion_poller_stop (self->poller);
  g_clear_object (&self->notifier); /* issue 7 */
  if (self->cache)
    wevion_cache_flush (self->cache);
  G_APPLICATION_CLASS (wevion_application_parent_class)->shutdown (app);
}

static void
wevion_application_finalize (GObject *object)
{
  WevionApplication *self = WEVION_APPLICATION (object);

  g_clear_weak_pointer (&self->hide_toast);
  g_clear_pointer (&self->hide_toast_id, g_free);
  g_clear_object (&self->poller);
  g_clear_object (&self->client);
  g_clear_object (&self->cache);
  g_clear_object (&self->store);
  g_clear_object (&self->thumbnails);
  g_clear_object (&self->downloader);
  g_clear_object (&self->cancellable);
  if (self->waiting_actions)
    g_ptr_array_foreach (self->waiting_actions, (GFunc) with_job_data_free, NULL);
  g_clear_pointer (&self->waiting_actions, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_free (self->server_override);
  g_free (self->server_url);
  clear_secret (&self->token_override);

  G_OBJECT_CLASS (wevion_application_parent_class)->finalize (object);
}

static void
wevion_application_class_init (WevionApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = wevion_application_finalize;
  app_class->handle_local_options = wevion_application_handle_local_options;
  app_class->startup = wevion_application_startup;
  app_class->activate = wevion_application_activate;
  app_class->shutdown = wevion_application_shutdown;
}

static void
wevion_application_init (WevionApplication *self)
{
  g_signal_connect (self, "window-removed", G_CALLBACK (window_removed_cb), NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("Watch your AI generation jobs and download their results."));
}
