/* wevion-notifier.c: desktop notifications (libnotify) and toasts for finished jobs, and the
 * application hold that keeps polling after the window is closed.
 *
 * Everything a server sent (prompt, provider, error message) is escaped before it reaches a
 * notification body or a toast title: both are Pango/notification markup. */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "wevion-format.h"
#include "wevion-notifier.h"
#include "wevion-notify-text.h"
#include "wevion-window.h"

#define BATCH_MAX_MS 3000      /* the longest a batch waits for the poll that brings it to end */
#define THUMBNAIL_WAIT_MS 1500 /* how long a lone completed job waits for its thumbnail */
#define THUMBNAIL_MAX_BYTES (4 * 1024 * 1024)

struct _WevionNotifier
{
  GObject parent_instance;

  WevionApplication *app; /* not owned: the application owns us */
  WevionJobStore *store;
  GSettings *settings;
  GCancellable *cancellable;

  GPtrArray *batch; /* WevionJob: finished, waiting for the batch window to close */
  guint batch_id;
  gint64 batch_started; /* monotonic µs */
  guint thumbnails_loading;

  GHashTable *announced; /* job ids already announced (never twice) */
  GHashTable *live;      /* key (job id or "burst-N") → NotifyNotification, shown and not closed */
  guint n_bursts;

  gboolean holding;
  guint hold_idle_id;
  guint linger_id;
  gboolean linger_over;
  guint n_work; /* work started by actions, still running */
  guint portal_signal_id;
  gboolean told_unauthorized;
  guint n_messages;
  GDBusConnection *system_bus; /* logind's PrepareForSleep */
  guint sleep_signal_id;
};

G_DEFINE_FINAL_TYPE (WevionNotifier, wevion_notifier, G_TYPE_OBJECT)

static void update_hold (WevionNotifier *self);
static void queue_update_hold (WevionNotifier *self);

/* ---- words (wevion-notify-text.c) ------------------------------------------------------ */

char *
wevion_notifier_excerpt (const char *text, int max_chars)
{
  return wevion_notify_excerpt (text, max_chars);
}

/* ---- actions ----------------------------------------------------------------------------- */

/* The notification's buttons activate the application's actions; the application outlives every
 * notification it shows, so no pointer to the notifier is kept in them. */
static void
activate_app_action (const char *name, GVariant *target)
{
  GApplication *app = g_application_get_default ();
  g_autoptr (GVariant) sunk = g_variant_ref_sink (target);

  if (app == NULL || !g_action_group_has_action (G_ACTION_GROUP (app), name))
    return;
  g_action_group_activate_action (G_ACTION_GROUP (app), name, sunk);
}

typedef struct
{
  char *app_action;
  GVariant *target;
} ButtonData;

static void
button_data_free (gpointer data)
{
  ButtonData *button = data;

  g_free (button->app_action);
  g_variant_unref (button->target);
  g_free (button);
}

static void
button_cb (NotifyNotification *notification, char *action, gpointer user_data)
{
  ButtonData *button = user_data;
  const char *token = notify_notification_get_activation_token (notification);
  GApplication *app = g_application_get_default ();
  GtkWindow *window;

  g_autofree char *printed = g_variant_print (button->target, FALSE);

  g_debug ("Notification action %s → app.%s(%s)", action, button->app_action, printed);
  activate_app_action (button->app_action, g_variant_ref (button->target));
  /* actions that show the window: hand it the activation token the click brought, so the
   * compositor lets it come to the front */
  if (token && app
      && (g_str_equal (button->app_action, "view-job") || g_str_equal (button->app_action, "edit-job")
          || g_str_equal (button->app_action, "show-finished")
          || g_str_equal (button->app_action, "show-jobs")))
    {
      window = gtk_application_get_active_window (GTK_APPLICATION (app));
      if (window)
        {
          gtk_window_set_startup_id (window, token);
          gtk_window_present (window);
        }
    }
}

/* @target: floating or not, taken */
static void
add_button_with_target (NotifyNotification *notification, const char *action, const char *label,
                        const char *app_action, GVariant *target)
{
  ButtonData *button = g_new0 (ButtonData, 1);

  button->app_action = g_strdup (app_action);
  button->target = g_variant_ref_sink (target);
  notify_notification_add_action (notification, action, label, button_cb, button, button_data_free);
}

static void
add_button (NotifyNotification *notification, const char *action, const char *label, const char *app_action,
            const char *target)
{
  add_button_with_target (notification, action, label, app_action, g_variant_new_string (target));
}

static void
show_finished_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  const char *which = g_variant_get_string (parameter, NULL);
  GtkWindow *window;
  WevionView view = WEVION_VIEW_ALL;

  if (app == NULL)
    return;
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (app);
  if (!WEVION_IS_WINDOW (window))
    return;
  if (g_str_equal (which, "completed"))
    view = WEVION_VIEW_COMPLETED;
  else if (g_str_equal (which, "failed"))
    view = WEVION_VIEW_FAILED;
  wevion_window_set_view (WEVION_WINDOW (window), view);
}

/* app.show-jobs (as): the window, showing just these jobs (a summary notification's) */
static void
show_jobs_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  g_autofree const char **ids = g_variant_get_strv (parameter, NULL);
  GtkWindow *window;

  if (app == NULL)
    return;
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (app);
  if (WEVION_IS_WINDOW (window))
    wevion_window_show_only_jobs (WEVION_WINDOW (window), ids);
}

static GVariant *
ids_of (GPtrArray *jobs)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = NULL;

  for (guint i = 0; i < jobs->len; i++)
    g_strv_builder_add (builder, wevion_job_get_id (g_ptr_array_index (jobs, i)));
  ids = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char *const *) ids, -1);
}

/* ---- showing ----------------------------------------------------------------------------- */

static WevionWindow *
main_window (WevionNotifier *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->app));

  for (GList *l = windows; l; l = l->next)
    if (WEVION_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
window_focused (WevionNotifier *self)
{
  WevionWindow *window = main_window (self);

  return window && gtk_widget_get_visible (GTK_WIDGET (window)) && gtk_window_is_active (GTK_WINDOW (window));
}

static gboolean
linger_over_cb (gpointer data)
{
  WevionNotifier *self = data;

  self->linger_id = 0;
  self->linger_over = TRUE;
  update_hold (self);
  return G_SOURCE_REMOVE;
}

static void
closed_cb (NotifyNotification *notification, gpointer user_data)
{
  WevionNotifier *self = user_data;
  const char *key = g_object_get_data (G_OBJECT (notification), "wevion-key");

  g_debug ("Notification %s closed (reason %d)", key, notify_notification_get_closed_reason (notification));
  if (key && g_hash_table_lookup (self->live, key) == notification)
    g_hash_table_remove (self->live, key);
  queue_update_hold (self);
}

static NotifyNotification *
notification_new (WevionNotifier *self, const char *key, const char *summary, const char *body)
{
  NotifyNotification *notification = notify_notification_new (summary, body, APP_ID);

  g_object_set_data_full (G_OBJECT (notification), "wevion-key", g_strdup (key), g_free);
  notify_notification_set_hint_string (notification, "desktop-entry", APP_ID);
  notify_notification_set_urgency (notification, NOTIFY_URGENCY_NORMAL);
  g_signal_connect_object (notification, "closed", G_CALLBACK (closed_cb), self, 0);
  return notification;
}

/* Shows @notification (taking it) under @key; FALSE when there is no notification service. */
static gboolean
show (WevionNotifier *self, const char *key, NotifyNotification *notification)
{
  g_autoptr (GError) error = NULL;

  if (!notify_notification_show (notification, &error))
    {
      /* no notification server (a bare session): the toast, if any, is all we can do */
      g_message ("Could not show a notification: %s", error->message);
      g_object_unref (notification);
      return FALSE;
    }
  g_hash_table_replace (self->live, g_strdup (key), notification);
  self->linger_over = FALSE;
  g_clear_handle_id (&self->linger_id, g_source_remove);
  self->linger_id = g_timeout_add_seconds (WEVION_NOTIFIER_LINGER_S, linger_over_cb, self);
  return TRUE;
}

static char *
thumbnail_png (WevionNotifier *self, WevionJob *job)
{
  WevionThumbnails *thumbnails = wevion_application_get_thumbnails (self->app);
  GdkTexture *texture = thumbnails ? wevion_thumbnails_peek (thumbnails, wevion_job_get_id (job)) : NULL;
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (texture == NULL)
    return NULL;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, wevion_job_get_id (job), -1);
  name = g_strdup_printf ("%.32s.png", hash);
  dir = g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "notifications", NULL);
  path = g_build_filename (dir, name, NULL);
  /* a thumbnail is at most 256 px: writing it is quick */
  if (g_mkdir_with_parents (dir, 0700) != 0 || !gdk_texture_save_to_png (texture, path))
    return NULL;
  return g_filename_to_uri (path, NULL, NULL);
}

static void
notify_job (WevionNotifier *self, WevionJob *job, gboolean desktop, gboolean toast)
{
  const char *id = wevion_job_get_id (job);
  gboolean completed = wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED;
  gboolean moderation = wevion_job_get_failure_kind (job) == WEVION_FAILURE_KIND_MODERATION;
  gboolean shown = FALSE;

  if (desktop)
    {
      g_autofree char *body = wevion_notify_body (job);
      NotifyNotification *notification
          = notification_new (self, id, wevion_notify_summary_for_job (job), body);

      add_button (notification, "default", _ ("View"), "view-job", id);
      if (completed && wevion_job_get_n_result_urls (job) > 0)
        {
          g_autofree char *image = thumbnail_png (self, job);

          add_button (notification, "download-job", _ ("Download"), "download-job", id);
          add_button (notification, "use-in-campaign", _ ("Use in Campaign"), "use-in-campaign", id);
          if (image)
            notify_notification_set_hint_string (notification, "image-path", image);
        }
      else if (!completed && moderation)
        /* the seed: a retry cannot pass moderation; edit the prompt and resubmit */
        add_button (notification, "edit-job", _ ("Edit Prompt"), "edit-job", id);
      else if (!completed)
        add_button (notification, "retry-job", _ ("Retry"), "retry-job", id);
      shown = show (self, id, notification);
    }
  if (toast || (!shown && main_window (self)))
    {
      g_autofree char *summary = g_markup_escape_text (wevion_notify_summary_for_job (job), -1);
      g_autofree char *prompt = wevion_notify_quoted_excerpt (wevion_job_get_prompt (job));
      g_autofree char *title = g_strdup_printf ("%s: %s", summary, prompt);
      AdwToast *t = adw_toast_new (title);

      if (!completed && moderation)
        {
          adw_toast_set_button_label (t, _ ("_Edit Prompt"));
          adw_toast_set_action_name (t, "app.edit-job");
        }
      else if (!completed)
        {
          adw_toast_set_button_label (t, _ ("_Retry"));
          adw_toast_set_action_name (t, "app.retry-job");
        }
      else
        {
          adw_toast_set_button_label (t, _ ("_View"));
          adw_toast_set_action_name (t, "app.view-job");
        }
      adw_toast_set_action_target_value (t, g_variant_new_string (id));
      wevion_window_add_toast (main_window (self), t);
    }
}

static void
notify_burst (WevionNotifier *self, GPtrArray *jobs, gboolean desktop, gboolean toast)
{
  guint n_completed = 0, n_failed = 0;
  g_autofree char *summary = NULL;
  gboolean shown = FALSE;

  for (guint i = 0; i < jobs->len; i++)
    {
      if (wevion_job_get_status (g_ptr_array_index (jobs, i)) == WEVION_JOB_STATUS_COMPLETED)
        n_completed++;
      else
        n_failed++;
    }
  summary = wevion_notify_burst_summary (n_completed, n_failed);

  if (desktop)
    {
      g_autofree char *body = wevion_notify_burst_body (jobs);
      g_autofree char *key = g_strdup_printf ("burst-%u", ++self->n_bursts);
      NotifyNotification *notification;

      notification = notification_new (self, key, summary, body);
      /* the panel filtered to these jobs */
      add_button_with_target (notification, "default", _ ("Show"), "show-jobs", ids_of (jobs));
      shown = show (self, key, notification);
    }
  if (toast || (!shown && main_window (self)))
    {
      AdwToast *t = adw_toast_new (summary);

      adw_toast_set_button_label (t, _ ("_Show"));
      adw_toast_set_action_name (t, "app.show-jobs");
      adw_toast_set_action_target_value (t, ids_of (jobs));
      wevion_window_add_toast (main_window (self), t);
    }
}

static gboolean
batch_cb (gpointer data)
{
  WevionNotifier *self = data;
  g_autoptr (GPtrArray) jobs = NULL;
  gboolean focused, desktop;
  WevionPoller *poller = wevion_application_get_poller (self->app);
  gint64 waited = (g_get_monotonic_time () - self->batch_started) / G_TIME_SPAN_MILLISECOND;
  gboolean polling = FALSE;

  /* the poll that brought these jobs may still be fetching more of them (one GET per job that
   * left the active list): its jobs belong in the same batch */
  if (waited < WEVION_NOTIFIER_BATCH_MS)
    return G_SOURCE_CONTINUE;
  if (poller)
    g_object_get (poller, "busy", &polling, NULL);
  if (polling && waited < BATCH_MAX_MS)
    return G_SOURCE_CONTINUE;
  /* a lone completed job waits a little for its thumbnail */
  if (self->thumbnails_loading > 0 && self->batch->len < WEVION_NOTIFIER_BURST && waited < THUMBNAIL_WAIT_MS)
    return G_SOURCE_CONTINUE;

  self->batch_id = 0;
  jobs = g_steal_pointer (&self->batch);
  self->batch = g_ptr_array_new_with_free_func (g_object_unref);

  /* focused: a toast instead, unless notify-when-focused asks for both */
  focused = window_focused (self);
  desktop = !focused || g_settings_get_boolean (self->settings, "notify-when-focused");
  g_debug ("Announcing %u finished jobs (focused %d, desktop %d)", jobs->len, focused, desktop);

  if (jobs->len >= WEVION_NOTIFIER_BURST)
    notify_burst (self, jobs, desktop, focused);
  else
    for (guint i = 0; i < jobs->len; i++)
      notify_job (self, g_ptr_array_index (jobs, i), desktop, focused);
  queue_update_hold (self);
  return G_SOURCE_REMOVE;
}

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (WevionNotifier) self = g_weak_ref_get (ref);
  g_autoptr (GdkTexture) texture = wevion_thumbnails_load_finish (WEVION_THUMBNAILS (source), result, NULL);

  g_weak_ref_clear (ref);
  g_free (ref);
  /* the texture is in the thumbnails' memory cache now: the batch picks it up from there */
  if (self && self->thumbnails_loading > 0)
    self->thumbnails_loading--;
}

static gboolean
wanted (WevionNotifier *self, WevionJob *job)
{
  WevionJobStatus status = wevion_job_get_status (job);

  if (g_hash_table_contains (self->announced, wevion_job_get_id (job)))
    return FALSE;
  /* the user canceled it: they know; a hidden job was asked not to be shown */
  if (wevion_job_get_failure_kind (job) == WEVION_FAILURE_KIND_CANCELED)
    return FALSE;
  if (wevion_job_store_is_hidden (self->store, wevion_job_get_id (job)))
    return FALSE;
  if (status == WEVION_JOB_STATUS_COMPLETED)
    return g_settings_get_boolean (self->settings, "notify-completed");
  if (status == WEVION_JOB_STATUS_FAILED)
    return g_settings_get_boolean (self->settings, "notify-failed");
  return FALSE;
}

static void
job_finished_cb (WevionJobStore *store, WevionJob *job, WevionJobStatus old_status, gpointer user_data)
{
  WevionNotifier *self = user_data;
  WevionThumbnails *thumbnails = wevion_application_get_thumbnails (self->app);
  const char *thumbnail_url = wevion_job_get_thumbnail_url (job);

  if (!wanted (self, job))
    {
      queue_update_hold (self);
      return;
    }
  /* a stable id per job: a job is announced once, whatever transitions follow */
  g_hash_table_add (self->announced, g_strdup (wevion_job_get_id (job)));
  g_ptr_array_add (self->batch, g_object_ref (job));
  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED && thumbnail_url && thumbnails
      && wevion_job_get_job_type (job) != WEVION_JOB_TYPE_TTS)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      self->thumbnails_loading++;
      wevion_thumbnails_load_async (thumbnails, wevion_job_get_id (job), thumbnail_url, THUMBNAIL_MAX_BYTES,
                                    self->cancellable, thumbnail_cb, ref);
    }
  if (self->batch_id == 0)
    {
      /* collect what else this poll brings, then decide: one notification each, or a summary */
      self->batch_started = g_get_monotonic_time ();
      self->batch_id = g_timeout_add (WEVION_NOTIFIER_BATCH_MS / 3, batch_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->batch_id),
                                "[wevion] notify batch");
      update_hold (self);
    }
}

/* ---- background -------------------------------------------------------------------------- */

static gboolean
has_active_jobs (WevionNotifier *self)
{
  g_autoptr (GPtrArray) ids = wevion_job_store_get_active_ids (self->store);

  return ids->len > 0;
}

static gboolean
poller_stopped (WevionNotifier *self)
{
  WevionPoller *poller = wevion_application_get_poller (self->app);

  switch (wevion_application_get_connection (self->app))
    {
    case WEVION_CONNECTION_NONE: return TRUE; /* signed out, or no server: nothing polls */
    case WEVION_CONNECTION_CONNECTING: return FALSE;
    case WEVION_CONNECTION_READY:
    default: return poller == NULL || wevion_poller_get_state (poller) == WEVION_POLLER_STATE_UNAUTHORIZED;
    }
}

/* Holds the application while there is something to watch or tell: active jobs (hidden ones too)
 * while the poller can watch them, a batch waiting, work an action started, or our notifications
 * still open (their buttons need this process). The decision: wevion_notify_hold_wanted (). */
static void
update_hold (WevionNotifier *self)
{
  WevionHoldState state = {
    .run_in_background = g_settings_get_boolean (self->settings, "run-in-background"),
    .n_active = has_active_jobs (self) ? 1 : 0,
    .poller_stopped = poller_stopped (self),
    .n_batched = self->batch->len,
    .n_open = g_hash_table_size (self->live),
    .linger_over = self->linger_over,
    .n_work = self->n_work,
  };
  gboolean want = wevion_notify_hold_wanted (&state);

  if (want == self->holding)
    return;
  self->holding = want;
  g_debug ("%s the application", want ? "Holding" : "Releasing");
  if (want)
    g_application_hold (G_APPLICATION (self->app));
  else
    g_application_release (G_APPLICATION (self->app));
}

void
wevion_notifier_update_hold (WevionNotifier *self)
{
  g_return_if_fail (WEVION_IS_NOTIFIER (self));
  update_hold (self);
}

void
wevion_notifier_work_begin (WevionNotifier *self)
{
  g_return_if_fail (WEVION_IS_NOTIFIER (self));
  self->n_work++;
  update_hold (self);
}

void
wevion_notifier_work_end (WevionNotifier *self)
{
  g_return_if_fail (WEVION_IS_NOTIFIER (self));
  g_return_if_fail (self->n_work > 0);
  self->n_work--;
  /* at once, not in an idle: the work's own result (a retried job in the store) must be counted
   * before this hold goes, or the application could end in between */
  update_hold (self);
}

static void
hold_idle_cb (gpointer data)
{
  WevionNotifier *self = data;

  self->hold_idle_id = 0;
  update_hold (self);
}

static void
queue_update_hold (WevionNotifier *self)
{
  if (self->hold_idle_id == 0)
    self->hold_idle_id = g_idle_add_once (hold_idle_cb, self);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  queue_update_hold (user_data);
}

static void
toast_text (WevionNotifier *self, const char *text)
{
  WevionWindow *window = main_window (self);

  /* toast titles are markup; @text may hold an error message from elsewhere */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (window)
    wevion_window_add_toast (window, adw_toast_new (escaped));
  else
    g_message ("%s", text);
}

/* Words for the user from work that has no window to show them in (an action from outside, a
 * notification's button): a toast when the window is there, else a notification of their own. */
void
wevion_notifier_tell (WevionNotifier *self, const char *text)
{
  g_autofree char *escaped = NULL;
  g_autofree char *key = NULL;
  NotifyNotification *notification;

  g_return_if_fail (WEVION_IS_NOTIFIER (self));
  if (main_window (self))
    {
      toast_text (self, text);
      return;
    }
  g_message ("%s", text);
  escaped = g_markup_escape_text (text, -1);
  key = g_strdup_printf ("message-%u", ++self->n_messages);
  notification = notification_new (self, key, _ ("Wevion Jobs"), escaped);
  add_button (notification, "default", _ ("Open"), "show-finished", "all");
  show (self, key, notification);
  update_hold (self);
}

static void
poller_state_cb (WevionPoller *poller, GParamSpec *pspec, gpointer user_data)
{
  WevionNotifier *self = user_data;

  if (wevion_poller_get_state (poller) != WEVION_POLLER_STATE_UNAUTHORIZED)
    self->told_unauthorized = FALSE;
  else if (!self->told_unauthorized && !window_focused (self))
    {
      /* nothing watches the jobs any more: say so, rather than stay or go in silence */
      self->told_unauthorized = TRUE;
      wevion_notifier_tell (self, _ ("The server refused the access token, so your jobs are no longer "
                                     "watched. Open Wevion Jobs to enter a new token."));
    }
  update_hold (self);
}

void
wevion_notifier_watch_poller (WevionNotifier *self, WevionPoller *poller)
{
  g_return_if_fail (WEVION_IS_NOTIFIER (self));
  g_return_if_fail (WEVION_IS_POLLER (poller));
  self->told_unauthorized = FALSE;
  g_signal_connect_object (poller, "notify::state", G_CALLBACK (poller_state_cb), self, 0);
  update_hold (self);
}

/* The Flatpak Background portal: a sandboxed app asks before it runs without a window. The answer
 * comes as a Response signal on a request object whose path we can predict from our token. */
static void
forget_portal_request (WevionNotifier *self)
{
  GDBusConnection *bus = self->app ? g_application_get_dbus_connection (G_APPLICATION (self->app)) : NULL;

  if (self->portal_signal_id && bus)
    g_dbus_connection_signal_unsubscribe (bus, self->portal_signal_id);
  self->portal_signal_id = 0;
}

static void
background_response_cb (GDBusConnection *bus, const char *sender, const char *path, const char *interface,
                        const char *signal, GVariant *parameters, gpointer user_data)
{
  WevionNotifier *self = user_data;
  guint32 response = 2;
  g_autoptr (GVariant) results = NULL;
  gboolean background = FALSE;

  forget_portal_request (self);
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &background);
  if (response == 0 && background)
    return;
  /* refused (or the dialog was dismissed): the setting must not claim what does not happen */
  g_message ("The Background portal refused running in the background (response %u)", response);
  if (g_settings_get_boolean (self->settings, "run-in-background"))
    g_settings_set_boolean (self->settings, "run-in-background", FALSE);
  wevion_notifier_tell (self, _ ("Running in the background was not allowed, so it was turned off: jobs are "
                                 "only watched while the window is open or jobs are active. You can allow "
                                 "it in the system settings, then turn it on again."));
}

static void
background_requested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  WevionNotifier *self = user_data;

  if (reply || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the answer comes as a signal (or we are gone) */
  forget_portal_request (self);
  {
    g_autofree char *text
        = g_strdup_printf (_ ("Could not ask to run in the background: %s"), error->message);
    wevion_notifier_tell (self, text);
  }
}

/* Inside Flatpak. Tests: WEVION_TEST_SANDBOXED=1 says yes (to talk to a fake portal), =0 no. */
static gboolean
sandboxed (void)
{
  const char *forced = g_getenv ("WEVION_TEST_SANDBOXED");

  if (forced && *forced)
    return g_str_equal (forced, "1");
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
request_background (WevionNotifier *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self->app));
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *handle = NULL;
  g_auto (GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  if (bus == NULL || !sandboxed ())
    return; /* outside a sandbox nobody needs asking */
  forget_portal_request (self);
  token = g_strdup_printf ("wevion%u", g_random_int ());
  sender = g_strdup (g_dbus_connection_get_unique_name (bus) + 1);
  g_strdelimit (sender, ".", '_');
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  self->portal_signal_id = g_dbus_connection_signal_subscribe (
      bus, "org.freedesktop.portal.Desktop", "org.freedesktop.portal.Request", "Response", handle, NULL,
      G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE, background_response_cb, self, NULL);

  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_ ("Watch active jobs and tell when they finish")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  /* the notifier lives as long as the application; the cancellable ends the call with it */
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, background_requested_cb, self);
}

static void
run_in_background_changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  WevionNotifier *self = user_data;

  if (g_settings_get_boolean (settings, key))
    request_background (self);
  update_hold (self);
}

/* ---- suspend and resume ------------------------------------------------------------------- */

/* logind says PrepareForSleep(false) on resume: what finished meanwhile is fetched (and announced)
 * at once, not at the poller's next tick or after a network back-off. */
static void
prepare_for_sleep_cb (GDBusConnection *bus, const char *sender, const char *path, const char *interface,
                      const char *signal, GVariant *parameters, gpointer user_data)
{
  WevionNotifier *self = user_data;
  WevionPoller *poller;
  gboolean sleeping = TRUE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &sleeping);
  poller = self->app ? wevion_application_get_poller (self->app) : NULL;
  g_debug ("logind: %s", sleeping ? "going to sleep" : "resumed, polling now");
  if (!sleeping && poller)
    wevion_poller_poll_now (poller);
}

static void
system_bus_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  WevionNotifier *self;

  if (bus == NULL)
    {
      /* no system bus (a container, a bare session): no resume signal; the network monitor and the
       * poller's back-off still catch up */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no resume signal: %s", error->message);
      return;
    }
  self = user_data; /* not canceled: still alive */
  self->system_bus = bus;
  self->sleep_signal_id = g_dbus_connection_signal_subscribe (
      bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager", "PrepareForSleep",
      "/org/freedesktop/login1", NULL, G_DBUS_SIGNAL_FLAGS_NONE, prepare_for_sleep_cb, self, NULL);
}

/* ---- libnotify in a sandbox ----------------------------------------------------------------- */

/* libnotify 0.8.1 announces the notification portal with a g_warning ("Running in confined mode,
 * using Portal notifications…"), with no way to ask it not to. Under G_DEBUG=fatal-warnings (tests,
 * debugging) that would abort the app at its first notification inside Flatpak: that one message
 * is let through. Test programs (GTest) decide for themselves: they may use this same function. */
gboolean
wevion_notifier_log_is_harmless (const char *log_domain, GLogLevelFlags level, const char *message,
                                 gpointer user_data)
{
  if (g_strcmp0 (log_domain, "libnotify") == 0 && (level & G_LOG_LEVEL_WARNING) && message
      && g_str_has_prefix (message, "Running in confined mode"))
    return FALSE; /* not fatal */
  return TRUE;
}

/* ---- object ------------------------------------------------------------------------------ */

gboolean
wevion_notifier_get_holding (WevionNotifier *self)
{
  g_return_val_if_fail (WEVION_IS_NOTIFIER (self), FALSE);
  return self->holding;
}

static void
wevion_notifier_dispose (GObject *object)
{
  WevionNotifier *self = WEVION_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  forget_portal_request (self);
  if (self->system_bus && self->sleep_signal_id)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_signal_id);
  self->sleep_signal_id = 0;
  g_clear_object (&self->system_bus);
  g_clear_handle_id (&self->batch_id, g_source_remove);
  g_clear_handle_id (&self->hold_idle_id, g_source_remove);
  g_clear_handle_id (&self->linger_id, g_source_remove);
  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->settings)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->holding && self->app)
    g_application_release (G_APPLICATION (self->app));
  self->holding = FALSE;
  if (self->live)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
      g_hash_table_remove_all (self->live);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  self->app = NULL;

  G_OBJECT_CLASS (wevion_notifier_parent_class)->dispose (object);
}

static void
wevion_notifier_finalize (GObject *object)
{
  WevionNotifier *self = WEVION_NOTIFIER (object);

  g_clear_pointer (&self->batch, g_ptr_array_unref);
  g_clear_pointer (&self->announced, g_hash_table_unref);
  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (wevion_notifier_parent_class)->finalize (object);
}

static void
wevion_notifier_class_init (WevionNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wevion_notifier_dispose;
  object_class->finalize = wevion_notifier_finalize;
}

static void
wevion_notifier_init (WevionNotifier *self)
{
  self->cancellable = g_cancellable_new ();
  self->batch = g_ptr_array_new_with_free_func (g_object_unref);
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

WevionNotifier *
wevion_notifier_new (WevionApplication *app)
{
  static const GActionEntry entries[] = {
    { "show-finished", show_finished_activated, "s" },
    { "show-jobs", show_jobs_activated, "as" },
  };
  WevionNotifier *self;

  g_return_val_if_fail (WEVION_IS_APPLICATION (app), NULL);

  /* Inside Flatpak libnotify talks to the notification portal and says so ("confined mode"):
   * that message is expected and harmless. */
  if (!g_test_initialized ())
    g_test_log_set_fatal_handler (wevion_notifier_log_is_harmless, NULL);
  if (!notify_is_initted () && !notify_init (APP_ID))
    g_message ("libnotify could not be initialised: only in-app toasts will be shown");

  self = g_object_new (WEVION_TYPE_NOTIFIER, NULL);
  self->app = app;
  self->store = g_object_ref (wevion_application_get_store (app));
  self->settings = g_object_ref (wevion_application_get_settings (app));
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), NULL);
  g_signal_connect (self->store, "job-finished", G_CALLBACK (job_finished_cb), self);
  g_signal_connect (self->store, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect (self->settings, "changed::run-in-background", G_CALLBACK (run_in_background_changed_cb),
                    self);
  if (g_settings_get_boolean (self->settings, "run-in-background"))
    request_background (self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
  update_hold (self);
  return self;
}
