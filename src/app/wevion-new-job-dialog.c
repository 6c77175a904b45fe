/* wevion-new-job-dialog.c */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-job-card.h"
#include "wevion-new-job-dialog.h"
#include "wevion-window.h"

struct _WevionNewJobDialog
{
  AdwWindow parent_instance;

  WevionApplication *app;
  char *retry_of;
  GCancellable *cancellable;

  AdwComboRow *type_row;
  AdwComboRow *provider_row;
  GtkTextView *prompt_view;
  AdwPreferencesGroup *size_group;
  GtkSpinButton *width_spin;
  GtkSpinButton *height_spin;
  AdwActionRow *length_row;
  GtkSpinButton *length_spin;
  AdwEntryRow *voice_row;
  GtkSpinButton *count_spin;
  AdwEntryRow *extra_row;
  GtkLabel *error_label;
  GtkButton *submit_button;
  GtkStringList *providers;
};

G_DEFINE_FINAL_TYPE (WevionNewJobDialog, wevion_new_job_dialog, ADW_TYPE_WINDOW)

const char *const *
wevion_providers_for_type (WevionJobType type)
{
  static const char *const image[] = { "flux_2_pro", "sdxl_turbo", NULL };
  static const char *const video[] = { "veo_3", "kling_2", NULL };
  static const char *const avatar[] = { "heygen_v3", NULL };
  static const char *const tts[] = { "elevenlabs_v2", NULL };
  static const char *const composite[] = { "wevion_compose", NULL };
  static const char *const none[] = { NULL };

  switch (type)
    {
    case WEVION_JOB_TYPE_IMAGE: return image;
    case WEVION_JOB_TYPE_VIDEO: return video;
    case WEVION_JOB_TYPE_AVATAR: return avatar;
    case WEVION_JOB_TYPE_TTS: return tts;
    case WEVION_JOB_TYPE_COMPOSITE: return composite;
    case WEVION_JOB_TYPE_UNKNOWN:
    default: return none;
    }
}

static WevionJobType
selected_type (WevionNewJobDialog *self)
{
  return (WevionJobType) (adw_combo_row_get_selected (self->type_row) + 1);
}

static void
update_for_type (WevionNewJobDialog *self)
{
  WevionJobType type = selected_type (self);
  const char *const *providers = wevion_providers_for_type (type);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->providers));
  gboolean visual
      = type == WEVION_JOB_TYPE_IMAGE || type == WEVION_JOB_TYPE_AVATAR || type == WEVION_JOB_TYPE_COMPOSITE;

  gtk_string_list_splice (self->providers, 0, n, (const char *const *) providers);
  adw_combo_row_set_selected (self->provider_row, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->size_group),
                          visual || type == WEVION_JOB_TYPE_VIDEO || type == WEVION_JOB_TYPE_TTS);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (self->width_spin), ADW_TYPE_ACTION_ROW),
                          visual);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (self->height_spin), ADW_TYPE_ACTION_ROW),
                          visual);
  gtk_widget_set_visible (GTK_WIDGET (self->length_row),
                          type == WEVION_JOB_TYPE_VIDEO || type == WEVION_JOB_TYPE_TTS);
  gtk_widget_set_visible (GTK_WIDGET (self->voice_row), type == WEVION_JOB_TYPE_TTS);
  if (type == WEVION_JOB_TYPE_AVATAR)
    {
      gtk_spin_button_set_value (self->width_spin, 512);
      gtk_spin_button_set_value (self->height_spin, 512);
    }
}

static char *
prompt_text (WevionNewJobDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->prompt_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
update_sensitivity (WevionNewJobDialog *self)
{
  g_autofree char *prompt = prompt_text (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button),
                            *prompt != '\0' && self->cancellable == NULL
                                && adw_combo_row_get_selected_item (self->provider_row) != NULL);
}

static JsonObject *
collect_settings (WevionNewJobDialog *self, GError **error)
{
  g_autoptr (JsonObject) settings = json_object_new ();
  WevionJobType type = selected_type (self);
  const char *extra = gtk_editable_get_text (GTK_EDITABLE (self->extra_row));

  if (type == WEVION_JOB_TYPE_IMAGE || type == WEVION_JOB_TYPE_AVATAR || type == WEVION_JOB_TYPE_COMPOSITE)
    {
      json_object_set_int_member (settings, "width", gtk_spin_button_get_value_as_int (self->width_spin));
      json_object_set_int_member (settings, "height", gtk_spin_button_get_value_as_int (self->height_spin));
    }
  if (type == WEVION_JOB_TYPE_VIDEO || type == WEVION_JOB_TYPE_TTS)
    json_object_set_int_member (settings, "seconds", gtk_spin_button_get_value_as_int (self->length_spin));
  if (type == WEVION_JOB_TYPE_TTS && *gtk_editable_get_text (GTK_EDITABLE (self->voice_row)))
    json_object_set_string_member (settings, "voice", gtk_editable_get_text (GTK_EDITABLE (self->voice_row)));
  if (gtk_spin_button_get_value_as_int (self->count_spin) > 1)
    json_object_set_int_member (settings, "count", gtk_spin_button_get_value_as_int (self->count_spin));

  /* free "key=value, key=value" pairs; numbers stay numbers */
  if (extra && *extra)
    {
      g_auto (GStrv) pairs = g_strsplit (extra, ",", -1);

      for (guint i = 0; pairs[i]; i++)
        {
          char *pair = g_strstrip (pairs[i]);
          char *eq = strchr (pair, '=');
          char *end = NULL;
          gint64 number;

          if (*pair == '\0')
            continue;
          if (eq == NULL || eq == pair)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("“%s” is not a setting: write key=value, separated by commas."), pair);
              return NULL;
            }
          *eq = '\0';
          g_strstrip (pair);
          g_strstrip (eq + 1);
          number = g_ascii_strtoll (eq + 1, &end, 10);
          if (end && *end == '\0' && end != eq + 1)
            json_object_set_int_member (settings, pair, number);
          else
            json_object_set_string_member (settings, pair, eq + 1);
        }
    }
  return g_steal_pointer (&settings);
}

static void
submit_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionNewJobDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  GtkWindow *parent;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  update_sensitivity (self);
  if (id == NULL)
    {
      g_autofree char *text = wevion_application_describe_error (error);
      gtk_label_set_label (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (parent && WEVION_IS_WINDOW (parent))
    {
      AdwToast *toast
          = adw_toast_new (self->retry_of ? _ ("Resubmitted as a new job") : _ ("Generation submitted"));
      wevion_window_add_toast (WEVION_WINDOW (parent), toast);
      wevion_window_show_job (WEVION_WINDOW (parent), id);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
submit_clicked_cb (WevionNewJobDialog *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) settings = collect_settings (self, &error);
  g_autoptr (JsonObject) metadata = json_object_new ();
  g_autofree char *prompt = prompt_text (self);
  GtkStringObject *provider = adw_combo_row_get_selected_item (self->provider_row);

  if (settings == NULL)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  if (self->retry_of)
    {
      /* linked like a Retry (the new card points back, the failed one to its newest retry);
       * resubmit_of marks that the parameters were edited */
      json_object_set_string_member (metadata, "retry_of", self->retry_of);
      json_object_set_string_member (metadata, "resubmit_of", self->retry_of);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->cancellable = g_cancellable_new ();
  update_sensitivity (self);
  wevion_application_submit_async (self->app, selected_type (self), gtk_string_object_get_string (provider),
                                   prompt, settings, metadata, self->cancellable, submit_cb,
                                   g_object_ref (self));
}

static void
fill_from_job (WevionNewJobDialog *self, WevionJob *job)
{
  JsonObject *settings = wevion_job_get_settings (job);
  const char *const *providers;
  g_autoptr (GString) extra = g_string_new (NULL);
  g_autoptr (GList) members = NULL;
  WevionJobType type = wevion_job_get_job_type (job);

  if (type != WEVION_JOB_TYPE_UNKNOWN)
    adw_combo_row_set_selected (self->type_row, type - 1);
  update_for_type (self);
  providers = wevion_providers_for_type (type);
  if (!g_strv_contains (providers, wevion_job_get_provider (job)))
    gtk_string_list_append (self->providers, wevion_job_get_provider (job));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->providers)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->providers, i), wevion_job_get_provider (job)) == 0)
      adw_combo_row_set_selected (self->provider_row, i);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->prompt_view), wevion_job_get_prompt (job), -1);

  members = json_object_get_members (settings);
  for (GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (settings, key);
      gint64 number = 0;
      gboolean is_int = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;

      if (is_int)
        number = json_node_get_int (node);
      if (is_int && g_str_equal (key, "width"))
        gtk_spin_button_set_value (self->width_spin, (double) number);
      else if (is_int && g_str_equal (key, "height"))
        gtk_spin_button_set_value (self->height_spin, (double) number);
      else if (is_int && g_str_equal (key, "seconds"))
        gtk_spin_button_set_value (self->length_spin, (double) number);
      else if (is_int && g_str_equal (key, "count"))
        gtk_spin_button_set_value (self->count_spin, (double) number);
      else if (g_str_equal (key, "voice") && JSON_NODE_HOLDS_VALUE (node))
        gtk_editable_set_text (GTK_EDITABLE (self->voice_row), json_node_get_string (node));
      else if (JSON_NODE_HOLDS_VALUE (node))
        {
          g_autofree char *value = is_int ? g_strdup_printf ("%" G_GINT64_FORMAT, number)
                                          : g_strdup (json_node_get_string (node));
          if (value)
            g_string_append_printf (extra, "%s%s=%s", extra->len ? ", " : "", key, value);
        }
    }
  gtk_editable_set_text (GTK_EDITABLE (self->extra_row), extra->str);
  self->retry_of = g_strdup (wevion_job_get_id (job));
  gtk_window_set_title (GTK_WINDOW (self), _ ("Edit & Resubmit"));
  gtk_button_set_label (self->submit_button, _ ("_Resubmit"));
}

static void
wevion_new_job_dialog_dispose (GObject *object)
{
  WevionNewJobDialog *self = WEVION_NEW_JOB_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_NEW_JOB_DIALOG);
  g_clear_pointer (&self->retry_of, g_free);
  G_OBJECT_CLASS (wevion_new_job_dialog_parent_class)->dispose (object);
}

static void
wevion_new_job_dialog_class_init (WevionNewJobDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wevion_new_job_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-new-job-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, prompt_view);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, size_group);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, width_spin);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, height_spin);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, length_row);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, length_spin);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, voice_row);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, count_spin);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, extra_row);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, submit_button);
  gtk_widget_class_bind_template_child (widget_class, WevionNewJobDialog, providers);
  gtk_widget_class_bind_template_callback (widget_class, submit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_for_type);
  gtk_widget_class_bind_template_callback (widget_class, update_sensitivity);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wevion_new_job_dialog_init (WevionNewJobDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->prompt_view), "changed",
                            G_CALLBACK (update_sensitivity), self);
}

GtkWidget *
wevion_new_job_dialog_new (WevionApplication *app, WevionJob *from_job)
{
  WevionNewJobDialog *self = g_object_new (WEVION_TYPE_NEW_JOB_DIALOG, NULL);

  self->app = app;
  if (from_job)
    fill_from_job (self, from_job);
  else
    update_for_type (self);
  update_sensitivity (self);
  return GTK_WIDGET (self);
}
