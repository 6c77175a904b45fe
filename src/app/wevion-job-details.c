/* wevion-job-details.c */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-format.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"

struct _WevionJobDetails
{
  GtkWidget parent_instance;

  WevionJob *job;
  gulong notify_id;
  guint selected_result;
  GPtrArray *rows;        /* (element-type GtkWidget) rows we added to the groups */
  GtkLabel *expiry_value; /* in the Details group while the job's links carry an expiry */
  guint expiry_timer;

  GtkStack *stack;
  AdwStatusPage *multi_page;
  GtkStack *preview_stack;
  GtkPicture *preview;
  GtkImage *preview_icon;
  GtkVideo *video;
  GtkMediaControls *audio_controls;
  GtkLabel *media_message;
  GtkMediaStream *media;
  GtkLabel *title_label;
  GtkLabel *prompt_label;
  AdwPreferencesGroup *failure_group;
  AdwActionRow *failure_row;
  GtkLabel *failure_message;
  AdwPreferencesGroup *info_group;
  AdwPreferencesGroup *settings_group;
  AdwPreferencesGroup *files_group;
  GtkButton *primary_button;
  GtkButton *campaign_button;
  GtkButton *drive_button;
};

G_DEFINE_FINAL_TYPE (WevionJobDetails, wevion_job_details, GTK_TYPE_WIDGET)

/* which page of the preview stack shows: a playing result, a picture, or the type's icon */
static const char *
preview_page (WevionJobDetails *self)
{
  if (self->media)
    {
      /* a video that cannot play still has its thumbnail or icon to show */
      if (gtk_media_controls_get_media_stream (self->audio_controls) == self->media)
        return "audio";
      if (gtk_media_stream_get_error (self->media) == NULL)
        return "video";
    }
  return gtk_picture_get_paintable (self->preview) != NULL ? "picture" : "icon";
}

enum { PROP_0, PROP_JOB, N_PROPS };

static GParamSpec *properties[N_PROPS];

static GtkWidget *
add_value_row (WevionJobDetails *self, AdwPreferencesGroup *group, const char *title, const char *value,
               const char *tooltip)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  /* plain text before the title is set: a markup title would be parsed (and warn) at once */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  if (tooltip == NULL && g_utf8_strlen (value, -1) > 24)
    tooltip = value;
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_set_tooltip_text (label, tooltip);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  g_object_set_data (G_OBJECT (row), "value-label", label);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
  return row;
}

static void
add_time_row (WevionJobDetails *self, const char *title, GDateTime *time)
{
  g_autofree char *exact = NULL;
  g_autofree char *compact = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (time == NULL)
    return;
  local = g_date_time_to_local (time);
  /* Translators: a compact date and time for the details pane; see g_date_time_format() */
  compact = g_date_time_format (local, _ ("%-d %b %Y, %H:%M:%S"));
  exact = wevion_format_exact_time (time);
  add_value_row (self, self->info_group, title, compact, exact);
}

static GtkWidget *
icon_button (const char *icon, const char *tooltip, const char *action, GVariant *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  return button;
}

/* "Link expires in 40 min" or "Link expired — …": refreshed every 30 s while shown */
static gboolean
refresh_expiry (WevionJobDetails *self)
{
  g_autoptr (GDateTime) expires = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tip = NULL;

  if (self->expiry_value == NULL || self->job == NULL
      || (expires = wevion_job_dup_links_expire_at (self->job)) == NULL)
    return FALSE;
  now = g_date_time_new_now_utc ();
  text = wevion_job_format_link_expiry (expires, now, NULL);
  tip = wevion_job_format_link_expiry_tooltip (expires, now);
  gtk_label_set_label (self->expiry_value, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->expiry_value), tip);
  return TRUE;
}

static gboolean
expiry_timer_cb (gpointer user_data)
{
  WevionJobDetails *self = user_data;

  if (refresh_expiry (self))
    return G_SOURCE_CONTINUE;
  self->expiry_timer = 0;
  return G_SOURCE_REMOVE;
}

static void
add_expiry_row (WevionJobDetails *self, WevionJob *job)
{
  g_autoptr (GDateTime) expires = NULL;
  GtkWidget *row;

  g_clear_handle_id (&self->expiry_timer, g_source_remove);
  self->expiry_value = NULL;
  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED
      || (expires = wevion_job_dup_links_expire_at (job)) == NULL)
    return;
  row = add_value_row (self, self->info_group, _ ("Result Links"), "", NULL);
  self->expiry_value = g_object_get_data (G_OBJECT (row), "value-label");
  refresh_expiry (self);
  self->expiry_timer = g_timeout_add_seconds (30, expiry_timer_cb, self);
}

static char *
result_file_name (const char *url, guint index)
{
  /* split the encoded path, then decode the last segment: an escaped "/" belongs to the name */
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  const char *path = uri ? g_uri_get_path (uri) : NULL;
  const char *slash = path ? strrchr (path, '/') : NULL;
  char *name = slash && slash[1] ? g_uri_unescape_string (slash + 1, NULL) : NULL;

  if (name && *name && g_utf8_validate (name, -1, NULL))
    return name;
  g_free (name);
  return g_strdup_printf (_ ("Result %u"), index + 1);
}

static void
clear_rows (WevionJobDetails *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_settings_rows (WevionJobDetails *self, JsonObject *settings)
{
  g_autoptr (GList) members = settings ? json_object_get_members (settings) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->settings_group), members != NULL);
  for (GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (settings, key);
      g_autofree char *value = NULL;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        value = g_strdup (json_node_get_string (node));
      else
        value = json_to_string (node, FALSE);
      add_value_row (self, self->settings_group, key, value, NULL);
    }
}

static void
add_file_rows (WevionJobDetails *self, WevionJob *job)
{
  const char *const *urls = wevion_job_get_result_urls (job);
  const char *id = wevion_job_get_id (job);
  guint n = g_strv_length ((char **) urls);

  gtk_widget_set_visible (GTK_WIDGET (self->files_group), n > 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = result_file_name (urls[i], i);
      GtkWidget *row = adw_action_row_new ();
      GVariant *target = g_variant_new ("(su)", id, i);

      g_variant_ref_sink (target);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_add_prefix (
          ADW_ACTION_ROW (row),
          gtk_image_new_from_icon_name (wevion_job_type_get_icon_name (wevion_job_get_job_type (job))));
      adw_action_row_add_suffix (
          ADW_ACTION_ROW (row),
          icon_button ("folder-download-symbolic", _ ("Download"), "app.download-result", target));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon_button ("edit-copy-symbolic", _ ("Copy Link"),
                                                                    "app.copy-result-link", target));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon_button ("send-to-symbolic", _ ("Use in Campaign"),
                                                                    "app.use-result-in-campaign", target));
      adw_action_row_add_suffix (
          ADW_ACTION_ROW (row),
          icon_button ("external-link-symbolic", _ ("Open in Browser"), "app.open-result", target));
      g_variant_unref (target);
      adw_preferences_group_add (self->files_group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
update (WevionJobDetails *self)
{
  WevionJob *job = self->job;
  WevionJobStatus status;
  WevionJobType type;
  g_autofree char *title = NULL;
  const char *id;

  clear_rows (self);
  self->expiry_value = NULL;
  g_clear_handle_id (&self->expiry_timer, g_source_remove);
  if (job == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "job");

  id = wevion_job_get_id (job);
  status = wevion_job_get_status (job);
  type = wevion_job_get_job_type (job);

  gtk_image_set_from_icon_name (self->preview_icon, wevion_job_type_get_icon_name (type));
  gtk_widget_set_visible (GTK_WIDGET (self->preview_stack), status == WEVION_JOB_STATUS_COMPLETED);
  gtk_stack_set_visible_child_name (self->preview_stack, preview_page (self));

  title = g_strdup_printf ("%s · %s", wevion_job_type_get_label (type), wevion_job_status_get_label (status));
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->prompt_label, wevion_job_get_prompt (job));

  /* the failure, with what it means and the next step */
  gtk_widget_set_visible (GTK_WIDGET (self->failure_group), status == WEVION_JOB_STATUS_FAILED);
  if (status == WEVION_JOB_STATUS_FAILED)
    {
      WevionFailureKind kind = wevion_job_get_failure_kind (job);
      const char *message = wevion_job_get_error_message (job);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->failure_row),
                                     wevion_failure_kind_get_title (kind));
      adw_action_row_set_subtitle (self->failure_row, wevion_failure_kind_get_advice (kind));
      if (message && *message)
        {
          /* the server's own words, told apart from ours in the row below */
          g_autofree char *quoted = g_strdup_printf (_ ("The server said: “%s”"), message);

          gtk_label_set_label (self->failure_message, quoted);
        }
      else
        gtk_label_set_label (self->failure_message, "");
      gtk_widget_set_visible (GTK_WIDGET (self->failure_message), message && *message);
    }

  /* facts */
  {
    const char *type_name
        = type == WEVION_JOB_TYPE_UNKNOWN ? wevion_job_get_type_name (job) : wevion_job_type_get_label (type);
    const char *status_name = status == WEVION_JOB_STATUS_UNKNOWN ? wevion_job_get_status_name (job)
                                                                  : wevion_job_status_get_label (status);
    add_value_row (self, self->info_group, _ ("Status"), status_name, NULL);
    add_value_row (self, self->info_group, _ ("Type"), type_name, NULL);
    add_value_row (self, self->info_group, _ ("Provider"), wevion_job_get_provider (job), NULL);
    if (status == WEVION_JOB_STATUS_COMPLETED || status == WEVION_JOB_STATUS_FAILED)
      {
        g_autofree char *cost = wevion_format_cents (wevion_job_get_cost_cents (job));
        add_value_row (self, self->info_group, _ ("Cost"),
                       status == WEVION_JOB_STATUS_FAILED ? _ ("Free (failed)") : cost, NULL);
      }
    if (wevion_job_get_is_active (job) && wevion_job_get_progress (job) >= 0)
      {
        g_autofree char *progress = g_strdup_printf ("%d%%", wevion_job_get_progress (job));
        add_value_row (self, self->info_group, _ ("Progress"), progress, NULL);
      }
    add_time_row (self, _ ("Created"), wevion_job_get_created_at (job));
    add_time_row (self, _ ("Started"), wevion_job_get_started_at (job));
    add_time_row (self, status == WEVION_JOB_STATUS_FAILED ? _ ("Ended") : _ ("Completed"),
                  wevion_job_get_completed_at (job));
    if (wevion_job_get_duration (job) >= 0)
      {
        g_autofree char *duration = wevion_format_duration (wevion_job_get_duration (job));
        add_value_row (self, self->info_group, _ ("Duration"), duration, NULL);
      }
    add_expiry_row (self, job);
    if (wevion_job_get_retry_of (job))
      {
        GtkWidget *row
            = add_value_row (self, self->info_group, _ ("Retry of"), wevion_job_get_retry_of (job), NULL);
        GVariant *target = g_variant_new_string (wevion_job_get_retry_of (job));
        adw_action_row_add_suffix (
            ADW_ACTION_ROW (row),
            icon_button ("go-next-symbolic", _ ("Show the Original Job"), "app.view-job", target));
      }
    if (wevion_job_get_newest_retry (job))
      {
        GtkWidget *row = add_value_row (self, self->info_group, _ ("Retried as"),
                                        wevion_job_get_newest_retry (job), NULL);
        GVariant *target = g_variant_new_string (wevion_job_get_newest_retry (job));
        adw_action_row_add_suffix (
            ADW_ACTION_ROW (row),
            icon_button ("go-next-symbolic", _ ("Show the Retry"), "app.view-job", target));
      }
    add_value_row (self, self->info_group, _ ("Job ID"), id, NULL);
  }

  add_settings_rows (self, wevion_job_get_settings (job));
  add_file_rows (self, job);

  /* the actions for the state */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->campaign_button), "s", id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->campaign_button), "app.use-in-campaign");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->drive_button), "s", id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->drive_button), "app.open-drive-folder");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->primary_button), "s", id);
  gtk_widget_set_visible (GTK_WIDGET (self->campaign_button), status == WEVION_JOB_STATUS_COMPLETED);
  gtk_widget_set_visible (GTK_WIDGET (self->drive_button), wevion_job_get_drive_folder_id (job) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->primary_button), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->primary_button), "suggested-action");
  switch (status)
    {
    case WEVION_JOB_STATUS_COMPLETED:
      gtk_button_set_label (self->primary_button,
                            wevion_job_get_n_result_urls (job) > 1 ? _ ("Download All") : _ ("Download"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), "app.download-job");
      break;
    case WEVION_JOB_STATUS_FAILED:
      if (wevion_job_get_is_retryable (job))
        {
          gtk_button_set_label (self->primary_button, _ ("Retry"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), "app.retry-job");
        }
      else
        {
          gtk_button_set_label (self->primary_button, _ ("Edit & Resubmit"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), "app.edit-job");
        }
      break;
    case WEVION_JOB_STATUS_PENDING:
    case WEVION_JOB_STATUS_PROCESSING:
      /* hidden, not greyed, when the server said it cannot cancel */
      gtk_widget_set_visible (GTK_WIDGET (self->primary_button), wevion_job_can_be_canceled (job));
      /* canceling is not the step a person is expected to take next */
      gtk_widget_remove_css_class (GTK_WIDGET (self->primary_button), "suggested-action");
      gtk_button_set_label (self->primary_button, _ ("Cancel Job"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), "app.cancel-job");
      break;
    case WEVION_JOB_STATUS_UNKNOWN:
    default: gtk_widget_set_visible (GTK_WIDGET (self->primary_button), FALSE); break;
    }
}

static void
job_notify_cb (WevionJobDetails *self, GParamSpec *pspec, WevionJob *job)
{
  /* elapsed/is-stalled tick every second on active jobs (and now and then on the window's visible
   * finished ones): only the links' expiry line depends on time */
  if (g_str_equal (pspec->name, "elapsed") || g_str_equal (pspec->name, "is-stalled"))
    {
      refresh_expiry (self);
      return;
    }
  update (self);
}

WevionJob *
wevion_job_details_get_job (WevionJobDetails *self)
{
  g_return_val_if_fail (WEVION_IS_JOB_DETAILS (self), NULL);
  return self->job;
}

void
wevion_job_details_set_job (WevionJobDetails *self, WevionJob *job)
{
  g_return_if_fail (WEVION_IS_JOB_DETAILS (self));

  if (self->job == job)
    {
      if (job)
        gtk_stack_set_visible_child_name (self->stack, "job");
      return;
    }
  if (self->job)
    g_clear_signal_handler (&self->notify_id, self->job);
  g_set_object (&self->job, job);
  self->selected_result = 0;
  gtk_picture_set_paintable (self->preview, NULL);
  wevion_job_details_set_media (self, NULL);
  if (job)
    self->notify_id
        = g_signal_connect_object (job, "notify", G_CALLBACK (job_notify_cb), self, G_CONNECT_SWAPPED);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

void
wevion_job_details_set_preview (WevionJobDetails *self, GdkPaintable *paintable)
{
  g_return_if_fail (WEVION_IS_JOB_DETAILS (self));
  gtk_picture_set_paintable (self->preview, paintable);
  gtk_stack_set_visible_child_name (self->preview_stack, preview_page (self));
}

static void
media_error_cb (WevionJobDetails *self, GParamSpec *pspec, GtkMediaStream *stream)
{
  const GError *error = gtk_media_stream_get_error (stream);

  gtk_widget_set_visible (GTK_WIDGET (self->media_message), error != NULL);
  if (error)
    {
      g_autofree char *text = g_strdup_printf (
          _ ("This result cannot be played here (%s). Open it in another app from the list of files."),
          error->message);
      gtk_label_set_label (self->media_message, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->audio_controls), error == NULL);
  gtk_stack_set_visible_child_name (self->preview_stack, preview_page (self));
}

void
wevion_job_details_set_media (WevionJobDetails *self, GtkMediaStream *stream)
{
  g_return_if_fail (WEVION_IS_JOB_DETAILS (self));
  g_return_if_fail (stream == NULL || GTK_IS_MEDIA_STREAM (stream));

  if (self->media == stream)
    return;
  if (self->media)
    {
      g_signal_handlers_disconnect_by_func (self->media, media_error_cb, self);
      gtk_media_stream_pause (self->media);
    }
  g_set_object (&self->media, stream);
  gtk_video_set_media_stream (self->video, NULL);
  gtk_media_controls_set_media_stream (self->audio_controls, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->media_message), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->audio_controls), TRUE);
  if (stream)
    {
      g_signal_connect_object (stream, "notify::error", G_CALLBACK (media_error_cb), self, G_CONNECT_SWAPPED);
      if (self->job && wevion_job_get_job_type (self->job) == WEVION_JOB_TYPE_TTS)
        gtk_media_controls_set_media_stream (self->audio_controls, stream);
      else
        gtk_video_set_media_stream (self->video, stream);
      media_error_cb (self, NULL, stream);
    }
  gtk_stack_set_visible_child_name (self->preview_stack, preview_page (self));
}

GtkMediaStream *
wevion_job_details_get_media (WevionJobDetails *self)
{
  g_return_val_if_fail (WEVION_IS_JOB_DETAILS (self), NULL);
  return self->media;
}

void
wevion_job_details_set_n_selected (WevionJobDetails *self, guint n_selected)
{
  g_autofree char *title = NULL;

  g_return_if_fail (WEVION_IS_JOB_DETAILS (self));
  if (n_selected < 2)
    {
      gtk_stack_set_visible_child_name (self->stack, self->job ? "job" : "empty");
      return;
    }
  title = g_strdup_printf (ngettext ("%u Job Selected", "%u Jobs Selected", n_selected), n_selected);
  adw_status_page_set_title (self->multi_page, title);
  gtk_stack_set_visible_child_name (self->stack, "multi");
}

guint
wevion_job_details_get_selected_result (WevionJobDetails *self)
{
  g_return_val_if_fail (WEVION_IS_JOB_DETAILS (self), 0);
  return self->selected_result;
}

static void
wevion_job_details_dispose (GObject *object)
{
  WevionJobDetails *self = WEVION_JOB_DETAILS (object);

  if (self->job)
    g_clear_signal_handler (&self->notify_id, self->job);
  g_clear_object (&self->job);
  g_clear_handle_id (&self->expiry_timer, g_source_remove);
  self->expiry_value = NULL;
  if (self->media)
    {
      g_signal_handlers_disconnect_by_func (self->media, media_error_cb, self);
      gtk_media_stream_pause (self->media);
      g_clear_object (&self->media);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_JOB_DETAILS);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (wevion_job_details_parent_class)->dispose (object);
}

static void
wevion_job_details_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_JOB: g_value_set_object (value, WEVION_JOB_DETAILS (object)->job); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_details_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_JOB:
      wevion_job_details_set_job (WEVION_JOB_DETAILS (object), g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_details_class_init (WevionJobDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wevion_job_details_dispose;
  object_class->get_property = wevion_job_details_get_property;
  object_class->set_property = wevion_job_details_set_property;

  properties[PROP_JOB]
      = g_param_spec_object ("job", NULL, NULL, WEVION_TYPE_JOB,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-job-details.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, multi_page);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, preview);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, preview_icon);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, video);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, audio_controls);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, media_message);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, title_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, failure_group);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, failure_row);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, failure_message);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, info_group);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, settings_group);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, files_group);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, primary_button);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, campaign_button);
  gtk_widget_class_bind_template_child (widget_class, WevionJobDetails, drive_button);
}

static void
cancel_enabled_cb (WevionJobDetails *self, const char *action_name, gboolean enabled, GActionGroup *group)
{
  if (self->job && wevion_job_get_is_active (self->job))
    update (self);
}

static void
wevion_job_details_init (WevionJobDetails *self)
{
  GApplication *app = g_application_get_default ();

  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Cancel hides once the application learns the server cannot cancel */
  if (app)
    g_signal_connect_object (app, "action-enabled-changed::cancel-job", G_CALLBACK (cancel_enabled_cb), self,
                             G_CONNECT_SWAPPED);
}
