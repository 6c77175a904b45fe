/* test-costs-page.c: the Costs page against a real wevion-hub, under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-test-utils.h"
#include "results-test-utils.h"
#include "wevion-costs-page.h"
#include "wevion-job-card.h"
#include "wevion-resources.h"

static void
collect_labels (GtkWidget *widget, GString *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found)
        return found;
    }
  return NULL;
}

static void
collect_charts (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_DRAWING_AREA (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_charts (child, out);
}

/* the words a chart must carry for a screen reader, built here from the roll-up's figures */
static char *
expected_description (WevionCosts *costs, WevionCostsChart chart)
{
  const char *title[] = { "Cost by day", "Cost by type", "Cost by provider" };
  GString *text = g_string_new (title[chart]);
  const WevionCostsGroup *groups;
  guint n = 0, shown = 0;

  groups = chart == WEVION_COSTS_CHART_BY_DAY    ? wevion_costs_get_by_day (costs, &n)
           : chart == WEVION_COSTS_CHART_BY_TYPE ? wevion_costs_get_by_type (costs, &n)
                                                 : wevion_costs_get_by_provider (costs, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *amount = wevion_format_cents (groups[i].cents);

      if (chart == WEVION_COSTS_CHART_BY_DAY && groups[i].cents == 0)
        continue;
      g_string_append (text, shown++ ? ", " : ": ");
      if (chart == WEVION_COSTS_CHART_BY_DAY)
        g_string_append_printf (text, "day %s: %s", groups[i].name, amount);
      else if (chart == WEVION_COSTS_CHART_BY_TYPE)
        g_string_append_printf (
            text, "%s: %s", wevion_job_type_get_label (wevion_job_type_from_string (groups[i].name)), amount);
      else
        g_string_append_printf (text, "%s: %s", groups[i].name, amount);
    }
  if (shown == 0)
    g_string_append (text, ": nothing spent");
  return g_string_free (text, FALSE);
}

static void
check_charts_and_tables (GtkWidget *window, WevionCostsPage *page, WevionCosts *costs)
{
  g_autoptr (GPtrArray) charts = g_ptr_array_new ();
  g_autoptr (GString) labels = g_string_new (NULL);
  const WevionCostsGroup *days;
  GtkWidget *expander;
  guint n_days = 0, with_jobs = 0;

  /* three charts, day, type and provider, each drawn at a real size, each labelled with every figure */
  collect_charts (GTK_WIDGET (page), charts);
  g_assert_cmpuint (charts->len, ==, 3);
  for (guint i = 0; i < charts->len; i++)
    {
      GtkWidget *area = g_ptr_array_index (charts, i);
      g_autofree char *expected = expected_description (costs, (WevionCostsChart) i);
      g_autofree char *described = wevion_costs_page_describe_chart (page, (WevionCostsChart) i);
      char *mismatch;

      g_test_message ("chart %u: %s", i, expected);
      g_assert_cmpstr (described, ==, expected);
      mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                     expected);
      g_assert_cmpstr (mismatch, ==, NULL);
      g_assert_true (gtk_widget_get_mapped (area));
      g_assert_cmpint (gtk_widget_get_height (area), >, 20);
    }
  /* the type and provider charts have a bar per row of their tables */
  {
    guint n_types = 0, n_providers = 0;

    wevion_costs_get_by_type (costs, &n_types);
    wevion_costs_get_by_provider (costs, &n_providers);
    g_assert_cmpint (gtk_drawing_area_get_content_height (g_ptr_array_index (charts, 1)), >=,
                     26 * (int) n_types);
    g_assert_cmpint (gtk_drawing_area_get_content_height (g_ptr_array_index (charts, 2)), >=,
                     26 * (int) n_providers);
  }

  /* for a look: the charts by type and provider are at the bottom */
  {
    GtkWidget *scroller = at_find_widget (GTK_WIDGET (page), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    at_spin (100);
    g_free (at_screenshot (window, "costs-page-charts"));
    gtk_adjustment_set_value (adj, 0);
  }

  /* the table by day: one row per day with jobs, its amount */
  expander = at_find_widget (GTK_WIDGET (page), ADW_TYPE_EXPANDER_ROW);
  g_assert_nonnull (expander);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  at_spin (600); /* the expander's reveal */
  collect_labels (window, labels);
  days = wevion_costs_get_by_day (costs, &n_days);
  for (guint i = 0; i < n_days; i++)
    if (days[i].n_completed + days[i].n_failed > 0)
      {
        int y, m;
        g_autoptr (GDateTime) date = NULL;
        g_autofree char *title = NULL;
        g_autofree char *amount = wevion_format_cents (days[i].cents);
        g_autofree char *line = NULL;

        g_assert_cmpint (sscanf (wevion_costs_get_month (costs), "%d-%d", &y, &m), ==, 2);
        date = g_date_time_new_local (y, m, atoi (days[i].name), 12, 0, 0);
        title = g_date_time_format (date, "%a %-d %b");
        line = g_strdup_printf ("%s\n", title);
        g_assert_nonnull (strstr (labels->str, line));
        g_assert_nonnull (strstr (labels->str, amount));
        with_jobs++;
      }
  g_assert_cmpuint (with_jobs, >, 1);
  {
    g_autofree char *subtitle = g_strdup_printf ("%u days with jobs", with_jobs);
    g_assert_nonnull (strstr (labels->str, subtitle));
  }
  g_free (at_screenshot (window, "costs-page-days"));
}

static gboolean
loaded (gpointer page)
{
  gboolean loading = TRUE;

  g_object_get (page, "loading", &loading, NULL);
  return !loading && wevion_costs_page_get_costs (page) != NULL;
}

static void
wait_loaded (WevionCostsPage *page)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!loaded (page) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loaded (page));
  /* let the rows map */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_page (void)
{
  const char *demo[] = { "--demo", "--seed", "42", NULL };
  RtHub *hub = rt_hub_start (NULL, demo);
  g_autoptr (WevionClient) client = rt_client (hub);
  g_autofree char *this_month = wevion_costs_month_current (TRUE);
  g_autofree char *month = wevion_costs_month_shift (this_month, -1);
  g_autofree char *log = g_build_filename (hub->dir, "uris.log", NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = wevion_costs_page_new ();
  g_autoptr (GString) labels = g_string_new (NULL);
  g_autofree char *total = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *title = wevion_costs_month_title (month);
  g_autofree char *uris = NULL;
  g_autofree char *billing_uri = g_strconcat (hub->url, "/settings/team/billing\n", NULL);
  WevionCosts *costs;

  g_setenv ("WEVION_OPEN_URI_LOG", log, TRUE);
  wevion_costs_page_set_client (WEVION_COSTS_PAGE (page), client, hub->url);
  g_object_set (page, "utc", TRUE, NULL);
  wevion_costs_page_set_month (WEVION_COSTS_PAGE (page), month);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  wait_loaded (WEVION_COSTS_PAGE (page));

  costs = wevion_costs_page_get_costs (WEVION_COSTS_PAGE (page));
  g_assert_cmpstr (wevion_costs_get_month (costs), ==, month);
  g_assert_true (wevion_costs_get_utc (costs));
  total = wevion_format_cents (wevion_costs_get_total_cents (costs));
  counts = wevion_costs_describe_counts (costs);
  collect_labels (window, labels);
  g_test_message ("labels:\n%s", labels->str);
  g_assert_nonnull (strstr (labels->str, title));
  g_assert_nonnull (strstr (labels->str, total));
  g_assert_nonnull (strstr (labels->str, counts));
  g_assert_nonnull (strstr (labels->str, "Matches billing"));
  g_assert_nonnull (strstr (labels->str, "By Type"));
  g_assert_nonnull (strstr (labels->str, "By Provider"));
  g_assert_nonnull (strstr (labels->str, "Image"));
  g_assert_nonnull (strstr (labels->str, "By Day"));
  check_charts_and_tables (window, WEVION_COSTS_PAGE (page), costs);

  /* Open Billing Page: {server}/settings/team/billing, recorded instead of a browser */
  g_signal_emit_by_name (find_button (window, "Open _Billing Page"), "clicked");
  g_file_get_contents (log, &uris, NULL, NULL);
  g_assert_cmpstr (uris, ==, billing_uri);

  /* Export CSV writes the month's jobs */
  {
    g_autofree char *csv_path = g_build_filename (hub->dir, "costs.csv", NULL);
    g_autoptr (GFile) file = g_file_new_for_path (csv_path);
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *written = NULL;
    g_autofree char *expected = wevion_costs_to_csv (costs);

    wevion_costs_page_export_csv_async (WEVION_COSTS_PAGE (page), file, NULL, rt_store_result_cb, &result);
    rt_wait_result (&result, 30);
    g_assert_true (wevion_costs_page_export_csv_finish (WEVION_COSTS_PAGE (page), result, &error));
    g_assert_no_error (error);
    g_file_get_contents (csv_path, &written, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (written, ==, expected);
    g_assert_true (
        g_str_has_prefix (written, "id,created,completed,type,provider,status,cost_cents,cost_dollars\r\n"));
  }

  /* the month switcher: one month back loads that month */
  {
    g_autofree char *earlier = wevion_costs_month_shift (month, -1);

    wevion_costs_page_set_month (WEVION_COSTS_PAGE (page), earlier);
    g_assert_false (loaded (page));
    wait_loaded (WEVION_COSTS_PAGE (page));
    g_assert_cmpstr (wevion_costs_get_month (wevion_costs_page_get_costs (WEVION_COSTS_PAGE (page))), ==,
                     earlier);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("WEVION_OPEN_URI_LOG");
  rt_hub_stop (hub);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_assert_nonnull (wevion_get_resource ()); /* links the bundled .ui files in */
  adw_init ();
  g_test_add_func ("/results/costs-page/hub", test_page);
  return g_test_run ();
}
