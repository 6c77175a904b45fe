/* wevion-costs-page.c */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wevion-application.h"
#include "wevion-costs-page.h"

struct _WevionCostsPage
{
  AdwBin parent_instance;

  AdwHeaderBar *header;
  GtkButton *back_button;
  GtkButton *refresh_button;
  GtkButton *prev_button;
  GtkButton *next_button;
  GtkLabel *month_label;
  GtkStack *stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkLabel *total_label;
  GtkLabel *counts_label;
  GtkLabel *billing_label;
  GtkDrawingArea *day_chart;
  GtkDrawingArea *type_chart;
  GtkDrawingArea *provider_chart;
  AdwPreferencesGroup *day_group;
  AdwPreferencesGroup *type_group;
  AdwPreferencesGroup *provider_group;
  GtkButton *export_button;
  GtkButton *billing_button;
  GtkCheckButton *utc_check;

  WevionClient *client; /* NULL: the default application's */
  char *server_url;
  char *month;
  gboolean utc;
  gboolean narrow;
  WevionCosts *costs;
  GCancellable *cancellable;
  GPtrArray *rows; /* rows added to the groups: (group, row) pairs */
#if !GTK_CHECK_VERSION(4, 10, 0)
  GtkFileChooserNative *chooser;
#endif
};

enum { PROP_0, PROP_MONTH, PROP_UTC, PROP_NARROW, PROP_COSTS, PROP_LOADING, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WevionCostsPage, wevion_costs_page, ADW_TYPE_BIN)

/* one bar of the type and provider charts, in pixels */
#define BAR_HEIGHT 26

static WevionApplication *
app (void)
{
  GApplication *a = g_application_get_default ();

  return WEVION_IS_APPLICATION (a) ? WEVION_APPLICATION (a) : NULL;
}

/* the same test hook as the application: WEVION_OPEN_URI_LOG records instead of launching */
static void
open_uri (WevionCostsPage *self, const char *uri)
{
  const char *log = g_getenv ("WEVION_OPEN_URI_LOG");

  if (log)
    {
      g_autoptr (GFile) file = g_file_new_for_path (log);
      g_autoptr (GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);
      g_autofree char *line = g_strconcat (uri, "\n", NULL);

      if (out)
        g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL);
      return;
    }
#if GTK_CHECK_VERSION(4, 10, 0)
  {
    g_autoptr (GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);
    gtk_uri_launcher_launch (launcher, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), NULL, NULL,
                             NULL);
  }
#else
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
#endif
}

/* ---- showing the roll-up -------------------------------------------------------------------- */

static void
clear_rows (WevionCostsPage *self)
{
  for (guint i = 0; i + 1 < self->rows->len; i += 2)
    adw_preferences_group_remove (g_ptr_array_index (self->rows, i), g_ptr_array_index (self->rows, i + 1));
  g_ptr_array_set_size (self->rows, 0);
}

static const char *
type_label (const char *name)
{
  switch (wevion_job_type_from_string (name))
    {
    case WEVION_JOB_TYPE_IMAGE: return C_ ("job type", "Image");
    case WEVION_JOB_TYPE_VIDEO: return C_ ("job type", "Video");
    case WEVION_JOB_TYPE_AVATAR: return C_ ("job type", "Avatar");
    case WEVION_JOB_TYPE_TTS: return C_ ("job type", "Speech");
    case WEVION_JOB_TYPE_COMPOSITE: return C_ ("job type", "Composite");
    case WEVION_JOB_TYPE_UNKNOWN:
    default: return name;
    }
}

static char *
group_subtitle (const WevionCostsGroup *group)
{
  g_autofree char *completed
      = g_strdup_printf (ngettext ("%u completed", "%u completed", group->n_completed), group->n_completed);

  if (group->n_failed)
    {
      g_autofree char *failed = g_strdup_printf (
          ngettext ("%u failed (free)", "%u failed (free)", group->n_failed), group->n_failed);
      return g_strdup_printf ("%s · %s", completed, failed);
    }
  return g_steal_pointer (&completed);
}

static GtkWidget *
amount_row (const char *title, const WevionCostsGroup *group)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *amount = wevion_format_cents (group->cents);
  g_autofree char *subtitle = group_subtitle (group);
  GtkWidget *label = gtk_label_new (amount);

  /* plain text first: provider names come from the server */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static void
add_row (WevionCostsPage *self, AdwPreferencesGroup *group, GtkWidget *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, group);
  g_ptr_array_add (self->rows, row);
}

static void
add_group_rows (WevionCostsPage *self, AdwPreferencesGroup *group, const WevionCostsGroup *groups, guint n)
{
  for (guint i = 0; i < n; i++)
    add_row (
        self, group,
        amount_row (group == self->type_group ? type_label (groups[i].name) : groups[i].name, &groups[i]));
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("No completed jobs"));
      add_row (self, group, row);
    }
}

/* "Sun 1 Nov" for day @name ("1"…"31") of the shown month */
static char *
day_title (WevionCostsPage *self, const char *name)
{
  const char *month = wevion_costs_get_month (self->costs);
  g_autoptr (GDateTime) date = NULL;
  int y = 0, m = 0;

  if (sscanf (month, "%d-%d", &y, &m) == 2)
    date = g_date_time_new_local (y, m, atoi (name), 12, 0, 0);
  if (date == NULL)
    return g_strdup (name);
  /* Translators: a day in the Costs page's table, e.g. "Sun 1 Nov"; see g_date_time_format() */
  return g_date_time_format (date, _ ("%a %-d %b"));
}

/* the table by day: the days that had jobs, in an expander so the month stays short */
static void
add_day_rows (WevionCostsPage *self)
{
  const WevionCostsGroup *days;
  GtkWidget *expander;
  g_autofree char *subtitle = NULL;
  guint n = 0, with_jobs = 0;

  days = wevion_costs_get_by_day (self->costs, &n);
  for (guint i = 0; i < n; i++)
    if (days[i].n_completed + days[i].n_failed > 0)
      with_jobs++;
  if (with_jobs == 0)
    {
      add_group_rows (self, self->day_group, NULL, 0);
      return;
    }
  expander = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _ ("Each Day"));
  subtitle = g_strdup_printf (ngettext ("%u day with jobs", "%u days with jobs", with_jobs), with_jobs);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
  for (guint i = 0; i < n; i++)
    if (days[i].n_completed + days[i].n_failed > 0)
      {
        g_autofree char *title = day_title (self, days[i].name);

        adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), amount_row (title, &days[i]));
      }
  add_row (self, self->day_group, expander);
}

char *
wevion_costs_page_describe_chart (WevionCostsPage *self, WevionCostsChart chart)
{
  GString *text;
  const WevionCostsGroup *groups = NULL;
  guint n = 0, shown = 0;

  g_return_val_if_fail (WEVION_IS_COSTS_PAGE (self), NULL);
  switch (chart)
    {
    case WEVION_COSTS_CHART_BY_TYPE:
      text = g_string_new (_ ("Cost by type"));
      if (self->costs)
        groups = wevion_costs_get_by_type (self->costs, &n);
      break;
    case WEVION_COSTS_CHART_BY_PROVIDER:
      text = g_string_new (_ ("Cost by provider"));
      if (self->costs)
        groups = wevion_costs_get_by_provider (self->costs, &n);
      break;
    case WEVION_COSTS_CHART_BY_DAY:
    default:
      text = g_string_new (_ ("Cost by day"));
      if (self->costs)
        groups = wevion_costs_get_by_day (self->costs, &n);
      break;
    }
  if (self->costs == NULL)
    return g_string_free (text, FALSE);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *amount = wevion_format_cents (groups[i].cents);

      if (chart == WEVION_COSTS_CHART_BY_DAY)
        {
          if (groups[i].cents <= 0)
            continue;
          g_string_append (text, shown++ ? ", " : ": ");
          /* TRANSLATORS: one day of the chart for screen readers: "day 3: $1.25" */
          g_string_append_printf (text, _ ("day %s: %s"), groups[i].name, amount);
        }
      else
        {
          const char *name
              = chart == WEVION_COSTS_CHART_BY_TYPE ? type_label (groups[i].name) : groups[i].name;

          g_string_append (text, shown++ ? ", " : ": ");
          /* TRANSLATORS: one bar of a chart for screen readers: "Image: $1.25" */
          g_string_append_printf (text, _ ("%s: %s"), name, amount);
        }
    }
  if (shown == 0)
    g_string_append_printf (text, ": %s", _ ("nothing spent"));
  return g_string_free (text, FALSE);
}

static void
update_chart_labels (WevionCostsPage *self)
{
  GtkDrawingArea *charts[] = { self->day_chart, self->type_chart, self->provider_chart };
  WevionCostsChart kinds[]
      = { WEVION_COSTS_CHART_BY_DAY, WEVION_COSTS_CHART_BY_TYPE, WEVION_COSTS_CHART_BY_PROVIDER };

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autofree char *text = wevion_costs_page_describe_chart (self, kinds[i]);

      gtk_accessible_update_property (GTK_ACCESSIBLE (charts[i]), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      gtk_widget_queue_draw (GTK_WIDGET (charts[i]));
    }
}

static void
show_costs (WevionCostsPage *self)
{
  g_autofree char *total = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *billing = NULL;
  const WevionCostsGroup *groups;
  guint n;

  clear_rows (self);
  if (self->costs == NULL)
    return;
  total = wevion_format_cents (wevion_costs_get_total_cents (self->costs));
  counts = wevion_costs_describe_counts (self->costs);
  billing = wevion_costs_describe_billing (self->costs);
  gtk_label_set_label (self->total_label, total);
  gtk_label_set_label (self->counts_label, counts);
  gtk_label_set_label (self->billing_label, billing);
  gtk_widget_remove_css_class (GTK_WIDGET (self->billing_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->billing_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->billing_label), "dim-label");
  switch (wevion_costs_get_billing_match (self->costs))
    {
    case WEVION_BILLING_MATCHES:
      gtk_widget_add_css_class (GTK_WIDGET (self->billing_label), "success");
      break;
    case WEVION_BILLING_DIFFERS:
      gtk_widget_add_css_class (GTK_WIDGET (self->billing_label), "warning");
      break;
    case WEVION_BILLING_UNSUPPORTED:
    case WEVION_BILLING_UNKNOWN:
    default: gtk_widget_add_css_class (GTK_WIDGET (self->billing_label), "dim-label"); break;
    }
  add_day_rows (self);
  groups = wevion_costs_get_by_type (self->costs, &n);
  add_group_rows (self, self->type_group, groups, n);
  gtk_drawing_area_set_content_height (self->type_chart, BAR_HEIGHT * (int) MAX (n, 1) + 8);
  groups = wevion_costs_get_by_provider (self->costs, &n);
  add_group_rows (self, self->provider_group, groups, n);
  gtk_drawing_area_set_content_height (self->provider_chart, BAR_HEIGHT * (int) MAX (n, 1) + 8);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), TRUE);
  update_chart_labels (self);
}

static void
chart_colors (GtkWidget *widget, GdkRGBA *fg, GdkRGBA *accent)
{
#if GTK_CHECK_VERSION(4, 10, 0)
  gtk_widget_get_color (widget, fg);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
#endif
  gdk_rgba_parse (accent, "#3584e4");
}

/* vertical bars, one per day of the month */
static void
draw_day_chart (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  WevionCostsPage *self = data;
  const WevionCostsGroup *days;
  guint n = 0;
  gint64 max = 0;
  GdkRGBA fg, accent;
  double slot, bar, base = height - 18;

  if (self->costs == NULL)
    return;
  days = wevion_costs_get_by_day (self->costs, &n);
  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    max = MAX (max, days[i].cents);
  chart_colors (GTK_WIDGET (area), &fg, &accent);
  slot = (double) width / n;
  bar = MAX (1.0, slot * 0.7);

  /* the axis */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_rectangle (cr, 0, base, width, 1);
  cairo_fill (cr);

  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 1.0);
  for (guint i = 0; i < n && max > 0; i++)
    {
      double h = (double) days[i].cents / (double) max * (base - 4);

      if (days[i].cents > 0 && h < 2)
        h = 2;
      cairo_rectangle (cr, i * slot + (slot - bar) / 2, base - h, bar, h);
    }
  cairo_fill (cr);

  /* day numbers: 1, 8, 15, 22, 29 */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  for (guint i = 0; i < n; i += 7)
    {
      g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), days[i].name);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      cairo_move_to (cr, i * slot + slot / 2 - w / 2.0, height - h);
      pango_cairo_show_layout (cr, layout);
    }
}

/* horizontal bars, one per type or provider, largest first: name, bar, amount */
static void
draw_bar_chart (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  WevionCostsPage *self = data;
  const WevionCostsGroup *groups;
  gboolean by_type = area == self->type_chart;
  guint n = 0;
  gint64 max = 0;
  GdkRGBA fg, accent;
  int name_width = 0, amount_width = 0;
  double bar_x, bar_room;

  if (self->costs == NULL)
    return;
  groups
      = by_type ? wevion_costs_get_by_type (self->costs, &n) : wevion_costs_get_by_provider (self->costs, &n);
  if (n == 0)
    return;
  chart_colors (GTK_WIDGET (area), &fg, &accent);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *amount = wevion_format_cents (groups[i].cents);
      g_autoptr (PangoLayout) name = gtk_widget_create_pango_layout (
          GTK_WIDGET (area), by_type ? type_label (groups[i].name) : groups[i].name);
      g_autoptr (PangoLayout) money = gtk_widget_create_pango_layout (GTK_WIDGET (area), amount);
      int w, h;

      max = MAX (max, groups[i].cents);
      pango_layout_get_pixel_size (name, &w, &h);
      name_width = MAX (name_width, w);
      pango_layout_get_pixel_size (money, &w, &h);
      amount_width = MAX (amount_width, w);
    }
  name_width = MIN (name_width, width / 3);
  bar_x = 12 + name_width + 12;
  bar_room = MAX (0.0, width - bar_x - amount_width - 12 - 12);

  for (guint i = 0; i < n; i++)
    {
      double y = 4 + i * BAR_HEIGHT;
      double w = max > 0 ? (double) groups[i].cents / (double) max * bar_room : 0;
      g_autofree char *amount = wevion_format_cents (groups[i].cents);
      g_autoptr (PangoLayout) name = gtk_widget_create_pango_layout (
          GTK_WIDGET (area), by_type ? type_label (groups[i].name) : groups[i].name);
      g_autoptr (PangoLayout) money = gtk_widget_create_pango_layout (GTK_WIDGET (area), amount);
      int tw, th;

      pango_layout_set_width (name, name_width * PANGO_SCALE);
      pango_layout_set_ellipsize (name, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (name, &tw, &th);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
      cairo_move_to (cr, 12, y + (BAR_HEIGHT - th) / 2.0);
      pango_cairo_show_layout (cr, name);

      if (groups[i].cents > 0 && w < 2)
        w = 2;
      cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 1.0);
      cairo_rectangle (cr, bar_x, y + 5, w, BAR_HEIGHT - 10);
      cairo_fill (cr);

      pango_layout_get_pixel_size (money, &tw, &th);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
      cairo_move_to (cr, bar_x + w + 6, y + (BAR_HEIGHT - th) / 2.0);
      pango_cairo_show_layout (cr, money);
    }
}

/* a chart as the first row of its group's boxed list */
static GtkDrawingArea *
add_chart (AdwPreferencesGroup *group, GtkDrawingAreaDrawFunc draw, gpointer data, int height)
{
  GtkWidget *area = gtk_drawing_area_new ();
  GtkWidget *row = adw_preferences_row_new ();

  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), height);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw, data, NULL);
  gtk_widget_set_hexpand (area, TRUE);
  gtk_widget_set_margin_top (area, 8);
  gtk_widget_set_margin_bottom (area, 8);
  gtk_widget_set_margin_start (area, 8);
  gtk_widget_set_margin_end (area, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), area);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  adw_preferences_group_add (group, row);
  return GTK_DRAWING_AREA (area);
}

/* ---- loading -------------------------------------------------------------------------------- */

static void
set_loading (WevionCostsPage *self, gboolean loading)
{
  gtk_spinner_set_spinning (self->spinner, loading);
  if (loading)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionCostsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionCosts) costs = wevion_costs_fetch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  g_clear_object (&self->costs);
  if (costs == NULL)
    {
      g_autofree char *text = wevion_application_describe_error (error);
      /* a status page's description is markup; the error holds the server's words */
      g_autofree char *escaped = g_markup_escape_text (text, -1);

      adw_status_page_set_description (self->error_page, escaped);
      set_loading (self, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "error");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COSTS]);
      return;
    }
  self->costs = g_steal_pointer (&costs);
  show_costs (self);
  set_loading (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "costs");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COSTS]);
}

void
wevion_costs_page_reload (WevionCostsPage *self)
{
  WevionApplication *application = app ();
  WevionClient *client = self->client  ? self->client
                         : application ? wevion_application_get_client (application)
                                       : NULL;
  g_autofree char *title = wevion_costs_month_title (self->month);
  g_autofree char *next = wevion_costs_month_shift (self->month, 1);
  g_autofree char *current = wevion_costs_month_current (self->utc);

  g_return_if_fail (WEVION_IS_COSTS_PAGE (self));
  gtk_label_set_label (self->month_label, title);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), g_strcmp0 (next, current) <= 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (client == NULL)
    {
      adw_status_page_set_description (self->error_page, _ ("Not connected to a Creative Hub."));
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  wevion_costs_fetch_async (client, self->month, self->utc, self->cancellable, fetched_cb,
                            g_object_ref (self));
}

/* ---- actions -------------------------------------------------------------------------------- */

static void
month_step (WevionCostsPage *self, int delta)
{
  g_autofree char *month = wevion_costs_month_shift (self->month, delta);

  if (month)
    wevion_costs_page_set_month (self, month);
}

static void
prev_clicked_cb (WevionCostsPage *self)
{
  month_step (self, -1);
}

static void
next_clicked_cb (WevionCostsPage *self)
{
  month_step (self, 1);
}

static void
utc_toggled_cb (WevionCostsPage *self)
{
  gboolean utc = gtk_check_button_get_active (self->utc_check);

  if (utc == self->utc)
    return;
  self->utc = utc;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UTC]);
  wevion_costs_page_reload (self);
}

static void
billing_clicked_cb (WevionCostsPage *self)
{
  WevionApplication *application = app ();
  const char *server = self->server_url ? self->server_url
                       : application    ? wevion_application_get_server_url (application)
                                        : NULL;
  g_autofree char *trimmed = g_strdup (server ? server : "");
  g_autofree char *uri = NULL;
  gsize len = strlen (trimmed);

  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  if (len == 0)
    return;
  uri = g_strconcat (trimmed, "/settings/team/billing", NULL);
  open_uri (self, uri);
}

static void
replaced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
wevion_costs_page_export_csv_async (WevionCostsPage *self, GFile *file, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GBytes) bytes = NULL;
  char *csv;

  g_return_if_fail (WEVION_IS_COSTS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_costs_page_export_csv_async);
  if (self->costs == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s", _ ("The costs are still loading"));
      return;
    }
  csv = wevion_costs_to_csv (self->costs);
  bytes = g_bytes_new_take (csv, strlen (csv));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replaced_cb, g_steal_pointer (&task));
}

gboolean
wevion_costs_page_export_csv_finish (WevionCostsPage *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
exported_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WevionCostsPage *self = WEVION_COSTS_PAGE (source);
  g_autoptr (GFile) file = user_data;
  g_autoptr (GError) error = NULL;
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *text = NULL;

  /* toast titles are markup: escape what is not ours */
  if (!wevion_costs_page_export_csv_finish (self, result, &error))
    {
      g_autofree char *message = g_markup_escape_text (error->message, -1);

      g_warning ("Could not save the CSV file: %s", error->message);
      text = g_strdup_printf (_ ("Could not save the CSV file: %s"), message);
    }
  else
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *escaped = g_markup_escape_text (name, -1);

      text = g_strdup_printf (_ ("Saved %s"), escaped);
    }
  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
write_csv (WevionCostsPage *self, GFile *file)
{
  if (file)
    wevion_costs_page_export_csv_async (self, file, NULL, exported_cb, g_object_ref (file));
}

#if GTK_CHECK_VERSION(4, 10, 0)
static void
dialog_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionCostsPage) self = user_data;
  g_autoptr (GFile) file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (source), result, NULL);

  write_csv (self, file);
}
#else
static void
chooser_response_cb (WevionCostsPage *self, int response, GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      write_csv (self, file);
    }
  g_clear_object (&self->chooser);
}
#endif

static void
export_clicked_cb (WevionCostsPage *self)
{
  g_autofree char *name = g_strdup_printf ("wevion-costs-%s.csv", self->month);
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));

  if (self->costs == NULL)
    return;
#if GTK_CHECK_VERSION(4, 10, 0)
  {
    g_autoptr (GtkFileDialog) dialog = gtk_file_dialog_new ();

    gtk_file_dialog_set_title (dialog, _ ("Export Costs"));
    gtk_file_dialog_set_initial_name (dialog, name);
    gtk_file_dialog_save (dialog, window, NULL, dialog_cb, g_object_ref (self));
  }
#else
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_ ("Export Costs"), window, GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _ ("_Export"), _ ("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
#endif
}

static void
map_cb (WevionCostsPage *self)
{
  if (self->costs == NULL && self->cancellable == NULL)
    wevion_costs_page_reload (self);
}

/* ---- GObject -------------------------------------------------------------------------------- */

static void
wevion_costs_page_dispose (GObject *object)
{
  WevionCostsPage *self = WEVION_COSTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
#if !GTK_CHECK_VERSION(4, 10, 0)
  g_clear_object (&self->chooser);
#endif
  gtk_widget_dispose_template (GTK_WIDGET (self), WEVION_TYPE_COSTS_PAGE);
  G_OBJECT_CLASS (wevion_costs_page_parent_class)->dispose (object);
}

static void
wevion_costs_page_finalize (GObject *object)
{
  WevionCostsPage *self = WEVION_COSTS_PAGE (object);

  g_clear_object (&self->costs);
  g_clear_object (&self->client);
  g_free (self->server_url);
  g_ptr_array_unref (self->rows);
  g_free (self->month);
  G_OBJECT_CLASS (wevion_costs_page_parent_class)->finalize (object);
}

static void
wevion_costs_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionCostsPage *self = WEVION_COSTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MONTH: g_value_set_string (value, self->month); break;
    case PROP_UTC: g_value_set_boolean (value, self->utc); break;
    case PROP_NARROW: g_value_set_boolean (value, self->narrow); break;
    case PROP_COSTS: g_value_set_object (value, self->costs); break;
    case PROP_LOADING: g_value_set_boolean (value, self->cancellable != NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_costs_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionCostsPage *self = WEVION_COSTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MONTH: wevion_costs_page_set_month (self, g_value_get_string (value)); break;
    case PROP_UTC: gtk_check_button_set_active (self->utc_check, g_value_get_boolean (value)); break;
    case PROP_NARROW: wevion_costs_page_set_narrow (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_costs_page_class_init (WevionCostsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wevion_costs_page_dispose;
  object_class->finalize = wevion_costs_page_finalize;
  object_class->get_property = wevion_costs_page_get_property;
  object_class->set_property = wevion_costs_page_set_property;

  properties[PROP_MONTH] = g_param_spec_string ("month", NULL, NULL, NULL, rw);
  properties[PROP_UTC] = g_param_spec_boolean ("utc", NULL, NULL, FALSE, rw);
  properties[PROP_NARROW] = g_param_spec_boolean ("narrow", NULL, NULL, FALSE, rw);
  properties[PROP_COSTS] = g_param_spec_object ("costs", NULL, NULL, WEVION_TYPE_COSTS, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-costs-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, header);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, prev_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, month_label);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, billing_label);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, day_group);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, type_group);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, provider_group);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, billing_button);
  gtk_widget_class_bind_template_child (widget_class, WevionCostsPage, utc_check);
}

static void
wevion_costs_page_init (WevionCostsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->month = wevion_costs_month_current (FALSE);
  self->day_chart = add_chart (self->day_group, draw_day_chart, self, 140);
  self->type_chart = add_chart (self->type_group, draw_bar_chart, self, BAR_HEIGHT + 8);
  self->provider_chart = add_chart (self->provider_group, draw_bar_chart, self, BAR_HEIGHT + 8);
  g_signal_connect_swapped (self->prev_button, "clicked", G_CALLBACK (prev_clicked_cb), self);
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (next_clicked_cb), self);
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (wevion_costs_page_reload), self);
  g_signal_connect_swapped (self->utc_check, "toggled", G_CALLBACK (utc_toggled_cb), self);
  g_signal_connect_swapped (self->billing_button, "clicked", G_CALLBACK (billing_clicked_cb), self);
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (export_clicked_cb), self);
  g_signal_connect_swapped (self, "map", G_CALLBACK (map_cb), self);
  {
    g_autofree char *title = wevion_costs_month_title (self->month);
    gtk_label_set_label (self->month_label, title);
  }
}

GtkWidget *
wevion_costs_page_new (void)
{
  return g_object_new (WEVION_TYPE_COSTS_PAGE, NULL);
}

void
wevion_costs_page_set_month (WevionCostsPage *self, const char *month)
{
  g_autofree char *check = NULL;

  g_return_if_fail (WEVION_IS_COSTS_PAGE (self));
  check = wevion_costs_month_shift (month, 0);
  if (check == NULL || g_strcmp0 (check, self->month) == 0)
    return;
  g_free (self->month);
  self->month = g_steal_pointer (&check);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONTH]);
  wevion_costs_page_reload (self);
}

const char *
wevion_costs_page_get_month (WevionCostsPage *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS_PAGE (self), NULL);
  return self->month;
}

void
wevion_costs_page_set_narrow (WevionCostsPage *self, gboolean narrow)
{
  g_return_if_fail (WEVION_IS_COSTS_PAGE (self));
  narrow = !!narrow;
  if (narrow == self->narrow)
    return;
  self->narrow = narrow;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), narrow);
  adw_header_bar_set_show_start_title_buttons (self->header, narrow);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NARROW]);
}

void
wevion_costs_page_set_client (WevionCostsPage *self, WevionClient *client, const char *server_url)
{
  g_return_if_fail (WEVION_IS_COSTS_PAGE (self));
  g_set_object (&self->client, client);
  g_free (self->server_url);
  self->server_url = g_strdup (server_url);
}

WevionCosts *
wevion_costs_page_get_costs (WevionCostsPage *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS_PAGE (self), NULL);
  return self->costs;
}
