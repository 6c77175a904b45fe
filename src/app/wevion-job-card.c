/* wevion-job-card.c: one row of the Jobs list, rebound as the list scrolls. */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-format.h"
#include "wevion-job-card.h"

struct _WevionJobCard
{
  GtkWidget parent_instance;

  WevionJob *job;
  gulong notify_id;

  GtkStack *thumb_stack;
  GtkImage *type_tile_icon;
  GtkImage *thumbnail;
  GtkBox *type_badge;
  GtkImage *type_badge_icon;
  GtkLabel *type_badge_label;
  GtkLabel *provider_label;
  GtkBox *header_box;
  GtkButton *retry_link;        /* made on first need: few cards are retries */
  GtkButton *newest_retry_link; /* made on first need: few cards were retried */
  GtkLabel *prompt_label;
  GtkImage *status_icon;
  GtkLabel *status_label;
  GtkLabel *meta_label;
  GtkLabel *expiry_label;
  GtkLabel *warning_label;
  GtkButton *primary_button;
  GtkMenuButton *menu_button;

  /* what the widgets show now: rebinding as the list scrolls touches only what differs, since
   * every CSS class, icon or action change restyles or re-resolves a widget */
  int shown_type;
  int shown_status;
  const char *shown_primary; /* action name; static strings */
  const char *primary_tip;   /* translated, static */
};

G_DEFINE_FINAL_TYPE (WevionJobCard, wevion_job_card, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_JOB, N_PROPS };

static GParamSpec *properties[N_PROPS];

static const char *const type_css[] = { "unknown", "image", "video", "avatar", "tts", "composite" };

const char *
wevion_job_type_get_label (WevionJobType type)
{
  switch (type)
    {
    case WEVION_JOB_TYPE_IMAGE: return C_ ("job type", "Image");
    case WEVION_JOB_TYPE_VIDEO: return C_ ("job type", "Video");
    case WEVION_JOB_TYPE_AVATAR: return C_ ("job type", "Avatar");
    case WEVION_JOB_TYPE_TTS: return C_ ("job type", "Speech");
    case WEVION_JOB_TYPE_COMPOSITE: return C_ ("job type", "Composite");
    case WEVION_JOB_TYPE_UNKNOWN:
    default: return C_ ("job type", "Unknown");
    }
}

const char *
wevion_job_type_get_icon_name (WevionJobType type)
{
  switch (type)
    {
    case WEVION_JOB_TYPE_IMAGE: return "image-x-generic-symbolic";
    case WEVION_JOB_TYPE_VIDEO: return "video-x-generic-symbolic";
    case WEVION_JOB_TYPE_AVATAR: return "avatar-default-symbolic";
    case WEVION_JOB_TYPE_TTS: return "audio-x-generic-symbolic";
    case WEVION_JOB_TYPE_COMPOSITE: return "view-grid-symbolic";
    case WEVION_JOB_TYPE_UNKNOWN:
    default: return "dialog-question-symbolic";
    }
}

const char *
wevion_job_status_get_label (WevionJobStatus status)
{
  switch (status)
    {
    case WEVION_JOB_STATUS_PENDING: return C_ ("job status", "Pending");
    case WEVION_JOB_STATUS_PROCESSING: return C_ ("job status", "Processing");
    case WEVION_JOB_STATUS_COMPLETED: return C_ ("job status", "Completed");
    case WEVION_JOB_STATUS_FAILED: return C_ ("job status", "Failed");
    case WEVION_JOB_STATUS_UNKNOWN:
    default: return C_ ("job status", "Unknown status");
    }
}

const char *
wevion_job_status_get_icon_name (WevionJobStatus status)
{
  switch (status)
    {
    case WEVION_JOB_STATUS_PENDING: return "content-loading-symbolic";
    case WEVION_JOB_STATUS_PROCESSING: return "emblem-synchronizing-symbolic";
    case WEVION_JOB_STATUS_COMPLETED: return "object-select-symbolic";
    case WEVION_JOB_STATUS_FAILED: return "dialog-warning-symbolic";
    case WEVION_JOB_STATUS_UNKNOWN:
    default: return "dialog-question-symbolic";
    }
}

static void
set_type_css (GtkWidget *widget, WevionJobType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_css); i++)
    gtk_widget_remove_css_class (widget, type_css[i]);
  gtk_widget_add_css_class (widget, type_css[MIN ((guint) type, G_N_ELEMENTS (type_css) - 1)]);
}

gboolean
wevion_job_can_be_canceled (WevionJob *job)
{
  GApplication *app = g_application_get_default ();

  if (job == NULL || !wevion_job_get_is_active (job))
    return FALSE;
  /* the application disables app.cancel-job once the server said it cannot cancel */
  return app == NULL || !g_action_group_has_action (G_ACTION_GROUP (app), "cancel-job")
         || g_action_group_get_action_enabled (G_ACTION_GROUP (app), "cancel-job");
}

char *
wevion_job_format_link_expiry (GDateTime *expires, GDateTime *now, gboolean *expired)
{
  GTimeSpan left;
  gint64 minutes, hours, days;

  g_return_val_if_fail (expires != NULL && now != NULL, NULL);
  left = g_date_time_difference (expires, now);
  if (expired)
    *expired = left <= 0;
  if (left <= 0)
    return g_strdup (_ ("Link expired — downloading fetches a fresh one"));
  if (left < G_TIME_SPAN_MINUTE)
    return g_strdup (_ ("Link expires in less than a minute"));
  minutes = left / G_TIME_SPAN_MINUTE;
  if (minutes < 60)
    return g_strdup_printf (ngettext ("Link expires in %d min", "Link expires in %d min", (int) minutes),
                            (int) minutes);
  hours = left / G_TIME_SPAN_HOUR;
  if (hours < 48)
    return g_strdup_printf (ngettext ("Link expires in %d h", "Link expires in %d h", (int) hours),
                            (int) hours);
  days = MIN (left / G_TIME_SPAN_DAY, G_MAXINT);
  return g_strdup_printf (ngettext ("Link expires in %d day", "Link expires in %d days", (int) days),
                          (int) days);
}

char *
wevion_job_format_link_expiry_tooltip (GDateTime *expires, GDateTime *now)
{
  g_autofree char *exact = wevion_format_exact_time (expires);

  if (g_date_time_compare (expires, now) <= 0)
    /* Translators: %s is an exact time, "Sunday, 29 November 2026, 14:05:09" */
    return g_strdup_printf (_ ("The signed link expired on %s"), exact);
  /* Translators: %s is an exact time, "Sunday, 29 November 2026, 14:05:09" */
  return g_strdup_printf (_ ("The signed link expires on %s"), exact);
}

static GMenuModel *
build_menu (WevionJob *job)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) first = g_menu_new ();
  g_autoptr (GMenu) last = g_menu_new ();
  const char *id = wevion_job_get_id (job);
  WevionJobStatus status = wevion_job_get_status (job);

#define ITEM(section, label, action)                                                                         \
  do                                                                                                         \
    {                                                                                                        \
      g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);                                            \
      g_menu_item_set_action_and_target (item, action, "s", id);                                             \
      g_menu_append_item (section, item);                                                                    \
    }                                                                                                        \
  while (0)

  ITEM (first, _ ("_View Details"), "app.view-job");
  if (status == WEVION_JOB_STATUS_COMPLETED)
    {
      ITEM (first, _ ("_Download"), "app.download-job");
      ITEM (first, _ ("Use in _Campaign"), "app.use-in-campaign");
      ITEM (first, _ ("Copy _Link"), "app.copy-link");
    }
  if (status == WEVION_JOB_STATUS_FAILED)
    {
      if (wevion_job_get_is_retryable (job))
        ITEM (first, _ ("_Retry"), "app.retry-job");
      ITEM (first, _ ("_Edit & Resubmit"), "app.edit-job");
    }
  if (wevion_job_get_newest_retry (job))
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_ ("View the _Newest Retry"), NULL);
      g_menu_item_set_action_and_target (item, "app.view-job", "s", wevion_job_get_newest_retry (job));
      g_menu_append_item (first, item);
    }
  if (wevion_job_can_be_canceled (job))
    ITEM (first, _ ("_Cancel Job"), "app.cancel-job");
  ITEM (last, _ ("_Hide from Panel"), "app.hide-job");
#undef ITEM

  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (last));
  return G_MENU_MODEL (menu);
}

static void
set_primary (WevionJobCard *self, const char *icon, const char *tooltip, const char *action)
{
  GVariant *target;

  gtk_widget_set_visible (GTK_WIDGET (self->primary_button), action != NULL);
  if (action == NULL)
    return;
  /* the target first: an action name without its target would not match the action's type */
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (self->primary_button));
  if (target == NULL || !g_variant_is_of_type (target, G_VARIANT_TYPE_STRING)
      || g_strcmp0 (g_variant_get_string (target, NULL), wevion_job_get_id (self->job)) != 0)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->primary_button), "s",
                                      wevion_job_get_id (self->job));
  if (g_strcmp0 (self->shown_primary, action) != 0)
    {
      gtk_button_set_icon_name (self->primary_button, icon);
      self->primary_tip = tooltip;
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->primary_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), action);
      self->shown_primary = action;
    }
}

static char *
first_line (const char *text)
{
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  end = strchr (text, '\n');
  return end ? g_strndup (text, end - text) : g_strdup (text);
}

static gboolean retry_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                                  gpointer data);
static gboolean newest_retry_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard,
                                         GtkTooltip *tooltip, gpointer data);

/* A small flat link in the card's first line: an icon and a word, in that order or the other. */
static GtkButton *
make_link (WevionJobCard *self, const char *icon_name, const char *text, gboolean icon_first,
           GCallback tooltip_cb, GtkWidget *after)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label = gtk_label_new (text);

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 12);
  gtk_box_append (GTK_BOX (box), icon_first ? icon : label);
  gtk_box_append (GTK_BOX (box), icon_first ? label : icon);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "retry-link");
  gtk_widget_add_css_class (button, "caption");
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_hexpand (button, TRUE);
  gtk_widget_set_has_tooltip (button, TRUE);
  g_signal_connect (button, "query-tooltip", tooltip_cb, self);
  gtk_box_insert_child_after (self->header_box, button, after);
  return GTK_BUTTON (button);
}

static GtkButton *
ensure_newest_retry_link (WevionJobCard *self)
{
  if (self->newest_retry_link == NULL)
    self->newest_retry_link = make_link (
        self, "go-next-symbolic", C_ ("card badge: this failed job was retried; shows the retry", "Retried"),
        FALSE, G_CALLBACK (newest_retry_tooltip_cb), GTK_WIDGET (self->provider_label));
  return self->newest_retry_link;
}

static GtkButton *
ensure_retry_link (WevionJobCard *self)
{
  if (self->retry_link == NULL)
    self->retry_link = make_link (
        self, "view-refresh-symbolic", C_ ("card badge: this job retries another", "Retry"), TRUE,
        G_CALLBACK (retry_tooltip_cb),
        self->newest_retry_link ? GTK_WIDGET (self->newest_retry_link) : GTK_WIDGET (self->provider_label));
  return self->retry_link;
}

static void
update (WevionJobCard *self)
{
  WevionJob *job = self->job;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GString) meta = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *status_text = NULL;
  WevionJobType type;
  WevionJobStatus status;
  const char *retry_of;

  if (job == NULL)
    return;

  now = g_date_time_new_now_utc ();
  type = wevion_job_get_job_type (job);
  status = wevion_job_get_status (job);

  /* line 1: type badge (icon + word + colour), provider, retry link */
  if (self->shown_type != (int) type)
    {
      set_type_css (GTK_WIDGET (self->type_badge), type);
      gtk_image_set_from_icon_name (self->type_badge_icon, wevion_job_type_get_icon_name (type));
      gtk_image_set_from_icon_name (self->type_tile_icon, wevion_job_type_get_icon_name (type));
      set_type_css (gtk_widget_get_parent (GTK_WIDGET (self->type_tile_icon)), type);
    }
  if (type == WEVION_JOB_TYPE_UNKNOWN)
    {
      g_autofree char *label = g_strdup_printf (_ ("Unknown (%s)"), wevion_job_get_type_name (job));
      gtk_label_set_label (self->type_badge_label, label);
    }
  else
    gtk_label_set_label (self->type_badge_label, wevion_job_type_get_label (type));
  self->shown_type = (int) type;
  gtk_label_set_label (self->provider_label, wevion_job_get_provider (job));

  retry_of = wevion_job_get_retry_of (job);
  if (retry_of)
    {
      g_autofree char *tip = g_strdup_printf (_ ("Retry of job %s: show the original"), retry_of);
      GtkButton *link = ensure_retry_link (self);

      gtk_widget_set_visible (GTK_WIDGET (link), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (link), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tip, -1);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (link), "s", retry_of);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (link), "app.view-job");
    }
  else if (self->retry_link)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->retry_link), FALSE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_link), NULL);
    }

  /* a failed job shows its newest retry (the store links them) */
  {
    const char *newest = status == WEVION_JOB_STATUS_FAILED ? wevion_job_get_newest_retry (job) : NULL;

    if (newest)
      {
        g_autofree char *tip = g_strdup_printf (_ ("Retried as job %s: show the retry"), newest);
        GtkButton *link = ensure_newest_retry_link (self);

        gtk_widget_set_visible (GTK_WIDGET (link), TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (link), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tip, -1);
        gtk_actionable_set_action_target (GTK_ACTIONABLE (link), "s", newest);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (link), "app.view-job");
      }
    else if (self->newest_retry_link)
      {
        gtk_widget_set_visible (GTK_WIDGET (self->newest_retry_link), FALSE);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (self->newest_retry_link), NULL);
      }
  }

  /* line 2: the prompt, its first line ellipsized, the whole in the tooltip */
  {
    g_autofree char *line = first_line (wevion_job_get_prompt (job));
    gtk_label_set_label (self->prompt_label, *line ? line : _ ("(no prompt)"));
  }

  /* the tile: thumbnail for completed visual jobs, a spinner while active, else the type icon */
  if (wevion_job_get_is_active (job))
    gtk_stack_set_visible_child_name (self->thumb_stack, "active");
  else if (gtk_image_get_paintable (self->thumbnail) != NULL)
    gtk_stack_set_visible_child_name (self->thumb_stack, "picture");
  else
    gtk_stack_set_visible_child_name (self->thumb_stack, "icon");

  /* line 3: status as words with an icon, time, and what matters for the state */
  if (status == WEVION_JOB_STATUS_UNKNOWN)
    status_text = g_strdup_printf (_ ("Unknown status (%s)"), wevion_job_get_status_name (job));
  else
    status_text = g_strdup (wevion_job_status_get_label (status));
  gtk_label_set_label (self->status_label, status_text);
  if (self->shown_status != (int) status)
    {
      gtk_image_set_from_icon_name (self->status_icon, wevion_job_status_get_icon_name (status));
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
      if (status == WEVION_JOB_STATUS_COMPLETED || status == WEVION_JOB_STATUS_FAILED)
        {
          const char *css = status == WEVION_JOB_STATUS_COMPLETED ? "success" : "error";
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);
          gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), css);
        }
      self->shown_status = (int) status;
    }

  meta = g_string_new (NULL);
  relative = wevion_format_relative_time (wevion_job_get_created_at (job), now);
  g_string_append (meta, relative);

  switch (status)
    {
    case WEVION_JOB_STATUS_COMPLETED:
      {
        g_autofree char *duration = wevion_format_duration (wevion_job_get_duration (job));
        g_autofree char *cost = wevion_format_cents (wevion_job_get_cost_cents (job));
        if (*duration)
          g_string_append_printf (meta, " · %s", duration);
        g_string_append_printf (meta, " · %s", cost);
        set_primary (self, "folder-download-symbolic", _ ("Download"), "app.download-job");
      }
      break;
    case WEVION_JOB_STATUS_FAILED:
      {
        const char *message = wevion_job_get_error_message (job);
        WevionFailureKind kind = wevion_job_get_failure_kind (job);
        g_autofree char *excerpt
            = first_line (message && *message ? message : wevion_failure_kind_get_title (kind));
        g_string_append_printf (meta, " · %s", excerpt);
        if (wevion_job_get_is_retryable (job))
          set_primary (self, "view-refresh-symbolic", _ ("Retry"), "app.retry-job");
        else if (kind == WEVION_FAILURE_KIND_MODERATION)
          set_primary (self, "document-edit-symbolic", _ ("Edit & Resubmit"), "app.edit-job");
        else
          set_primary (self, NULL, NULL, NULL);
      }
      break;
    case WEVION_JOB_STATUS_PENDING:
    case WEVION_JOB_STATUS_PROCESSING:
      {
        g_autofree char *clock = wevion_format_clock (wevion_job_get_elapsed_at (job, now));
        int progress = wevion_job_get_progress (job);
        int position = wevion_job_get_queue_position (job);
        if (status == WEVION_JOB_STATUS_PROCESSING && progress >= 0)
          g_string_append_printf (meta, " · %d%%", progress);
        else if (status == WEVION_JOB_STATUS_PENDING && position == 1)
          g_string_append_printf (meta, " · %s", _ ("next in queue"));
        else if (status == WEVION_JOB_STATUS_PENDING && position > 1)
          {
            g_string_append (meta, " · ");
            /* Translators: the job's place in the server's queue */
            g_string_append_printf (meta, _ ("#%d in queue"), position);
          }
        g_string_append_printf (meta, " · %s", clock);
        if (wevion_job_can_be_canceled (job))
          set_primary (self, "process-stop-symbolic", _ ("Cancel Job"), "app.cancel-job");
        else
          set_primary (self, NULL, NULL, NULL);
      }
      break;
    case WEVION_JOB_STATUS_UNKNOWN:
    default: set_primary (self, NULL, NULL, NULL); break;
    }
  gtk_label_set_label (self->meta_label, meta->str);

  /* when the signed result links lapse (downloading then asks the server for fresh ones) */
  {
    g_autoptr (GDateTime) expires
        = status == WEVION_JOB_STATUS_COMPLETED ? wevion_job_dup_links_expire_at (job) : NULL;

    GTimeSpan left = expires ? g_date_time_difference (expires, now) : 0;
    /* Only around the moment they lapse (a quarter of an hour before, an hour after): the signed
     * links of a long history all lapse sooner or later, and the app's downloads fetch fresh ones,
     * so a line on every card would be noise. The details pane always says it. Dim, not a warning. */
    gboolean soon = expires != NULL && left < 15 * G_TIME_SPAN_MINUTE && left > -G_TIME_SPAN_HOUR;

    gtk_widget_set_visible (GTK_WIDGET (self->expiry_label), soon);
    if (soon)
      {
        g_autofree char *text = wevion_job_format_link_expiry (expires, now, NULL);

        gtk_label_set_label (self->expiry_label, text);
      }
  }

  /* stuck jobs get the seed's advice */
  if (wevion_job_get_is_stalled_at (job, now))
    {
      if (status == WEVION_JOB_STATUS_PENDING)
        gtk_label_set_label (
            self->warning_label,
            _ ("Queue backed up: pending for over 5 minutes. This usually resolves by itself."));
      else
        gtk_label_set_label (self->warning_label, _ ("Taking longer than usual for this provider."));
      gtk_widget_set_visible (GTK_WIDGET (self->warning_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->warning_label), FALSE);

  {
    g_autofree char *name = g_strdup_printf ("%s, %s, %s", wevion_job_type_get_label (type), status_text,
                                             gtk_label_get_label (self->prompt_label));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  }
}

/* Tooltips are written when asked for: setting a tooltip's text makes GTK ask the display where
 * the pointer is (a round trip to the X server), which for every rebind while scrolling would cost
 * more than the rest of the card. */
static gboolean
prompt_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  WevionJobCard *self = data;
  const char *prompt = self->job ? wevion_job_get_prompt (self->job) : NULL;

  if (prompt == NULL || *prompt == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, prompt);
  return TRUE;
}

static gboolean
meta_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  WevionJobCard *self = data;
  g_autofree char *exact = NULL;

  if (self->job == NULL || wevion_job_get_created_at (self->job) == NULL)
    return FALSE;
  exact = wevion_format_exact_time (wevion_job_get_created_at (self->job));
  gtk_tooltip_set_text (tooltip, exact);
  return TRUE;
}

static gboolean
expiry_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  WevionJobCard *self = data;
  g_autoptr (GDateTime) expires = self->job ? wevion_job_dup_links_expire_at (self->job) : NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *text = NULL;

  if (expires == NULL)
    return FALSE;
  now = g_date_time_new_now_utc ();
  text = wevion_job_format_link_expiry_tooltip (expires, now);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static gboolean
newest_retry_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                         gpointer data)
{
  WevionJobCard *self = data;
  const char *newest = self->job ? wevion_job_get_newest_retry (self->job) : NULL;
  g_autofree char *tip = NULL;

  if (newest == NULL)
    return FALSE;
  tip = g_strdup_printf (_ ("Retried as job %s: show the retry"), newest);
  gtk_tooltip_set_text (tooltip, tip);
  return TRUE;
}

static gboolean
primary_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  WevionJobCard *self = data;

  if (self->primary_tip == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->primary_tip);
  return TRUE;
}

static gboolean
menu_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  gtk_tooltip_set_text (tooltip, _ ("More Actions"));
  return TRUE;
}

static gboolean
retry_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  WevionJobCard *self = data;
  const char *retry_of = self->job ? wevion_job_get_retry_of (self->job) : NULL;
  g_autofree char *tip = NULL;

  if (retry_of == NULL)
    return FALSE;
  tip = g_strdup_printf (_ ("Retry of job %s: show the original"), retry_of);
  gtk_tooltip_set_text (tooltip, tip);
  return TRUE;
}

/* The menu is built when it opens: building popovers for every card as the list scrolls and
 * every second while jobs tick would cost far more than the rest of the card. */
static void
create_popup_cb (GtkMenuButton *button, gpointer user_data)
{
  WevionJobCard *self = user_data;
  g_autoptr (GMenuModel) menu = NULL;

  if (self->job == NULL)
    return;
  menu = build_menu (self->job);
  gtk_menu_button_set_menu_model (button, menu);
}

static void
job_notify_cb (WevionJobCard *self, GParamSpec *pspec, WevionJob *job)
{
  update (self);
}

GtkWidget *
wevion_job_card_new (void)
{
  return g_object_new (WEVION_TYPE_JOB_CARD, NULL);
}

WevionJob *
wevion_job_card_get_job (WevionJobCard *self)
{
  g_return_val_if_fail (WEVION_IS_JOB_CARD (self), NULL);
  return self->job;
}

void
wevion_job_card_set_job (WevionJobCard *self, WevionJob *job)
{
  g_return_if_fail (WEVION_IS_JOB_CARD (self));

  if (self->job == job)
    return;
  if (self->job)
    g_clear_signal_handler (&self->notify_id, self->job);
  g_set_object (&self->job, job);
  gtk_image_clear (self->thumbnail);
  if (job)
    {
      self->notify_id
          = g_signal_connect_object (job, "notify", G_CALLBACK (job_notify_cb), self, G_CONNECT_SWAPPED);
      update (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

void
wevion_job_card_set_thumbnail (WevionJobCard *self, GdkPaintable *paintable)
{
  g_return_if_fail (WEVION_IS_JOB_CARD (self));

  if (paintable)
    gtk_image_set_from_paintable (self->thumbnail, paintable);
  else
    gtk_image_clear (self->thumbnail);
  if (self->job)
    update (self);
}

static void
wevion_job_card_dispose (GObject *object)
{
  WevionJobCard *self = WEVION_JOB_CARD (object);

  if (self->job)
    g_clear_signal_handler (&self->notify_id, self->job);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_JOB_CARD);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (wevion_job_card_parent_class)->dispose (object);
}

static void
wevion_job_card_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionJobCard *self = WEVION_JOB_CARD (object);

  switch (prop_id)
    {
    case PROP_JOB: g_value_set_object (value, self->job); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_card_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionJobCard *self = WEVION_JOB_CARD (object);

  switch (prop_id)
    {
    case PROP_JOB: wevion_job_card_set_job (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_job_card_class_init (WevionJobCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wevion_job_card_dispose;
  object_class->get_property = wevion_job_card_get_property;
  object_class->set_property = wevion_job_card_set_property;

  properties[PROP_JOB]
      = g_param_spec_object ("job", NULL, NULL, WEVION_TYPE_JOB,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-job-card.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jobcard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, thumb_stack);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, type_tile_icon);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, type_badge);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, type_badge_icon);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, type_badge_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, provider_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, header_box);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, status_icon);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, meta_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, warning_label);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, primary_button);
  gtk_widget_class_bind_template_child (widget_class, WevionJobCard, menu_button);
}

static void
wevion_job_card_init (WevionJobCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->shown_type = -1;
  self->shown_status = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->prompt_label), TRUE);
  g_signal_connect (self->prompt_label, "query-tooltip", G_CALLBACK (prompt_tooltip_cb), self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->meta_label), TRUE);
  g_signal_connect (self->meta_label, "query-tooltip", G_CALLBACK (meta_tooltip_cb), self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->primary_button), TRUE);
  g_signal_connect (self->primary_button, "query-tooltip", G_CALLBACK (primary_tooltip_cb), self);
  g_signal_connect (self->menu_button, "query-tooltip", G_CALLBACK (menu_tooltip_cb), NULL);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->expiry_label), TRUE);
  g_signal_connect (self->expiry_label, "query-tooltip", G_CALLBACK (expiry_tooltip_cb), self);
  gtk_menu_button_set_create_popup_func (self->menu_button, create_popup_cb, self, NULL);
}
