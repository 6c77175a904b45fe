/* test-panel.c: the Jobs panel under Xvfb against a real `wevion-hub --demo`. */
#include "config.h"

#include <signal.h>

#include "app-test-utils.h"
#include "core-test-hub.h"
#include "core-test-utils.h"
#include "wevion-application.h"
#include "wevion-filter-model.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"
#include "wevion-window.h"

static WtHub *hub;
static WevionApplication *app;
static WevionWindow *window;
static WevionJobStore *store;

/* Filters run in chunks between frames: wait until the list has caught up. */
static void
settle (void)
{
  WevionFilterModel *filtered = WEVION_FILTER_MODEL (wevion_window_get_visible_jobs (window));

  at_spin (20);
  AT_WAIT (wevion_filter_model_get_pending (filtered) == 0, 10);
}

static guint
n_visible (void)
{
  return g_list_model_get_n_items (wevion_window_get_visible_jobs (window));
}

static guint
n_shown_in_store (gboolean (*match) (WevionJob *job, gpointer data), gpointer data)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);
      if (!wevion_job_store_is_hidden (store, wevion_job_get_id (job))
          && (match == NULL || match (job, data)))
        n++;
    }
  return n;
}

/* Every visible job satisfies @match, and as many as the store holds */
static void
assert_visible_are (gboolean (*match) (WevionJob *job, gpointer data), gpointer data)
{
  GListModel *visible = wevion_window_get_visible_jobs (window);
  guint n = g_list_model_get_n_items (visible);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (visible, i);
      g_assert_true (match (job, data));
    }
  g_assert_cmpuint (n, ==, n_shown_in_store (match, data));
}

static gboolean
is_status (WevionJob *job, gpointer data)
{
  WevionJobStatus status = wevion_job_get_status (job);

  if (GPOINTER_TO_INT (data) == -1)
    return wevion_job_status_is_active (status);
  return status == (WevionJobStatus) GPOINTER_TO_INT (data);
}

static gboolean
is_type (WevionJob *job, gpointer data)
{
  return wevion_job_get_job_type (job) == (WevionJobType) GPOINTER_TO_INT (data);
}

static gboolean
created_since (WevionJob *job, gpointer data)
{
  return g_date_time_compare (wevion_job_get_created_at (job), data) >= 0;
}

static gboolean
prompt_contains (WevionJob *job, gpointer data)
{
  g_autofree char *folded = g_utf8_casefold (wevion_job_get_prompt (job), -1);
  return strstr (folded, data) != NULL;
}

static gboolean
always (WevionJob *job, gpointer data)
{
  return TRUE;
}

static void
reset_filters (void)
{
  wevion_window_set_search_text (window, "");
  wevion_window_set_type_filter (window, WEVION_JOB_TYPE_UNKNOWN);
  wevion_window_set_date_filter (window, 0);
  wevion_window_set_view (window, WEVION_VIEW_ALL);
  settle ();
}

static GPtrArray *listed;

static void
list_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  listed = wevion_client_list_finish (WEVION_CLIENT (source), result, NULL, NULL, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_lists_demo_jobs (void)
{
  g_autoptr (WevionClient) client = wt_hub_client (hub, "demo-token");
  g_autoptr (WevionListQuery) query = wevion_list_query_new ();
  g_autoptr (GPtrArray) expected = NULL;
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;

  /* what the server lists (archived jobs stay out of the panel, as in Wevion) */
  query->limit = 500;
  wevion_client_list_async (client, query, NULL, list_cb, &done);
  AT_WAIT (done, 20);
  expected = g_steal_pointer (&listed);
  g_assert_cmpuint (expected->len, >=, 30);
  AT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (store)) >= expected->len, 30);
  for (guint i = 0; i < expected->len; i++)
    g_assert_nonnull (wevion_job_store_lookup (store, wevion_job_get_id (g_ptr_array_index (expected, i))));
  g_assert_cmpstr (wevion_window_get_main_page (window), ==, "panel");
  reset_filters ();
  AT_WAIT (n_visible () == n_shown_in_store (NULL, NULL), 10);
  g_assert_cmpstr (wevion_window_get_list_page (window), ==, "list");
  assert_visible_are (always, NULL);
  at_screenshot (GTK_WIDGET (window), "wide");
}

static void
test_status_views (void)
{
  struct
  {
    WevionView view;
    int status;
  } cases[] = {
    { WEVION_VIEW_ACTIVE, -1 },
    { WEVION_VIEW_COMPLETED, WEVION_JOB_STATUS_COMPLETED },
    { WEVION_VIEW_FAILED, WEVION_JOB_STATUS_FAILED },
  };

  reset_filters ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *count = NULL;

      wevion_window_set_view (window, cases[i].view);
      settle ();
      assert_visible_are (is_status, GINT_TO_POINTER (cases[i].status));
      /* the sidebar's live count says the same */
      count = g_strdup_printf ("%u", n_shown_in_store (is_status, GINT_TO_POINTER (cases[i].status)));
      g_assert_cmpstr (wevion_window_get_count_text (window, cases[i].view), ==, count);
    }
  /* the demo has completed and failed jobs */
  wevion_window_set_view (window, WEVION_VIEW_COMPLETED);
  settle ();
  g_assert_cmpuint (n_visible (), >, 0);
  wevion_window_set_view (window, WEVION_VIEW_FAILED);
  settle ();
  g_assert_cmpuint (n_visible (), >, 0);
  reset_filters ();
}

static void
test_type_filter (void)
{
  reset_filters ();
  for (WevionJobType type = WEVION_JOB_TYPE_IMAGE; type <= WEVION_JOB_TYPE_LAST; type++)
    {
      wevion_window_set_type_filter (window, type);
      settle ();
      assert_visible_are (is_type, GINT_TO_POINTER (type));
      g_assert_cmpuint (n_visible (), >, 0); /* the demo has every type */
    }
  /* combined with a status view */
  wevion_window_set_type_filter (window, WEVION_JOB_TYPE_IMAGE);
  wevion_window_set_view (window, WEVION_VIEW_COMPLETED);
  settle ();
  {
    GListModel *visible = wevion_window_get_visible_jobs (window);
    for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
      {
        g_autoptr (WevionJob) job = g_list_model_get_item (visible, i);
        g_assert_cmpint (wevion_job_get_job_type (job), ==, WEVION_JOB_TYPE_IMAGE);
        g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
      }
  }
  reset_filters ();
}

static void
test_date_filter (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) midnight = g_date_time_new_local (
      g_date_time_get_year (now), g_date_time_get_month (now), g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime) week = g_date_time_add_days (midnight, -6);
  guint all;

  reset_filters ();
  all = n_visible ();
  wevion_window_set_date_filter (window, 1);
  settle ();
  assert_visible_are (created_since, midnight);
  wevion_window_set_date_filter (window, 2);
  settle ();
  assert_visible_are (created_since, week);
  /* the demo spreads jobs over 45 days: a week shows fewer than all */
  g_assert_cmpuint (n_visible (), <, all);
  g_assert_cmpuint (n_visible (), >, 0);
  reset_filters ();
}

static gboolean
created_between (WevionJob *job, gpointer data)
{
  GDateTime **range = data;
  GDateTime *created = wevion_job_get_created_at (job);

  return g_date_time_compare (created, range[0]) >= 0 && g_date_time_compare (created, range[1]) < 0;
}

static GtkWindow *
find_range_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      if (g_strcmp0 (gtk_window_get_title (toplevel), "Jobs Submitted Between") == 0
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }
  return NULL;
}

static void
test_custom_range (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) first = g_date_time_add_days (now, -20);
  g_autoptr (GDateTime) last = g_date_time_add_days (now, -3);
  g_autoptr (GDateTime) since
      = g_date_time_new_local (g_date_time_get_year (first), g_date_time_get_month (first),
                               g_date_time_get_day_of_month (first), 0, 0, 0);
  g_autoptr (GDateTime) last_midnight
      = g_date_time_new_local (g_date_time_get_year (last), g_date_time_get_month (last),
                               g_date_time_get_day_of_month (last), 0, 0, 0);
  g_autoptr (GDateTime) until = g_date_time_add_days (last_midnight, 1);
  GDateTime *range[2] = { since, until };
  GtkWindow *dialog;

  reset_filters ();
  /* picking "Custom Range…" asks for the days; canceling goes back to what was chosen */
  wevion_window_set_date_filter (window, 2);
  settle ();
  wevion_window_set_date_filter (window, 5);
  AT_WAIT ((dialog = find_range_dialog ()) != NULL, 10);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (dialog)) && gtk_widget_get_width (GTK_WIDGET (dialog)) > 0, 10);
  at_screenshot (GTK_WIDGET (dialog), "custom-range");
  gtk_window_destroy (dialog);
  settle ();
  g_assert_null (find_range_dialog ());
  {
    /* still "Last 7 Days": every job from the last week, none older */
    g_autoptr (GDateTime) midnight = g_date_time_new_local (
        g_date_time_get_year (now), g_date_time_get_month (now), g_date_time_get_day_of_month (now), 0, 0, 0);
    g_autoptr (GDateTime) week_start = g_date_time_add_days (midnight, -6);
    assert_visible_are (created_since, week_start);
  }

  /* a range of whole days, both ends included */
  wevion_window_set_custom_range (window, first, last);
  settle ();
  assert_visible_are (created_between, range);
  g_assert_cmpuint (n_visible (), >, 0);
  reset_filters ();
}

static void
test_search (void)
{
  g_autoptr (WevionJob) first = NULL;
  g_auto (GStrv) words = NULL;
  g_autofree char *word = NULL;
  g_autofree char *folded = NULL;

  reset_filters ();
  /* a word of a real prompt, typed in another case */
  first = g_list_model_get_item (wevion_window_get_visible_jobs (window), 0);
  words = g_strsplit (wevion_job_get_prompt (first), " ", -1);
  for (guint i = 0; words[i] && word == NULL; i++)
    if (strlen (words[i]) >= 5 && g_str_is_ascii (words[i]))
      word = g_ascii_strup (words[i], -1);
  g_assert_nonnull (word);
  folded = g_utf8_casefold (word, -1);
  wevion_window_set_search_text (window, word);
  settle ();
  assert_visible_are (prompt_contains, folded);
  g_assert_cmpuint (n_visible (), >, 0);

  /* no match: words and a way out */
  wevion_window_set_search_text (window, "no prompt says this 7f3a");
  settle ();
  g_assert_cmpuint (n_visible (), ==, 0);
  g_assert_cmpstr (wevion_window_get_list_page (window), ==, "no-match");
  g_assert_nonnull (at_find_label (GTK_WIDGET (window), "No Jobs Match"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  settle ();
  g_assert_cmpstr (wevion_window_get_list_page (window), ==, "list");
  g_assert_cmpuint (n_visible (), ==, n_shown_in_store (NULL, NULL));
}

static WevionJob *
first_with_status (WevionJobStatus status)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);
      if (wevion_job_get_status (job) == status
          && !wevion_job_store_is_hidden (store, wevion_job_get_id (job)))
        return job;
    }
  return NULL;
}

/* a completed image, for the picture of the details pane (any completed job if there is none) */
static WevionJob *
first_completed_image (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);
      if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED
          && wevion_job_get_job_type (job) == WEVION_JOB_TYPE_IMAGE
          && !wevion_job_store_is_hidden (store, wevion_job_get_id (job)))
        return job;
    }
  return first_with_status (WEVION_JOB_STATUS_COMPLETED);
}

static gboolean
visible_contains (WevionJob *job)
{
  GListModel *visible = wevion_window_get_visible_jobs (window);

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr (WevionJob) item = g_list_model_get_item (visible, i);
      if (item == job)
        return TRUE;
    }
  return FALSE;
}

static void
test_hide_and_undo (void)
{
  WevionJob *job;

  reset_filters ();
  job = first_with_status (WEVION_JOB_STATUS_COMPLETED);
  g_assert_nonnull (job);
  g_assert_true (visible_contains (job));

  g_action_group_activate_action (G_ACTION_GROUP (app), "hide-job",
                                  g_variant_new_string (wevion_job_get_id (job)));
  settle ();
  g_assert_false (visible_contains (job));
  /* against the store, not a count from before: the demo hub's trickle may add a job meanwhile
   * (it does under the sanitizers, where everything is slower) */
  AT_WAIT (n_visible () == n_shown_in_store (NULL, NULL), 10);
  /* hiding only clears the panel: the job is still known */
  g_assert_true (wevion_job_store_lookup (store, wevion_job_get_id (job)) == job);

  /* the toast's Undo */
  g_action_group_activate_action (G_ACTION_GROUP (app), "unhide-job",
                                  g_variant_new_string (wevion_job_get_id (job)));
  settle ();
  g_assert_true (visible_contains (job));
  AT_WAIT (n_visible () == n_shown_in_store (NULL, NULL), 10);
}

static void
test_details (void)
{
  WevionJob *completed = first_completed_image ();
  WevionJob *failed = first_with_status (WEVION_JOB_STATUS_FAILED);
  GtkWidget *details = wevion_window_get_details_widget (window);
  g_autofree char *cost = NULL;

  reset_filters ();
  g_assert_nonnull (completed);
  wevion_window_show_job (window, wevion_job_get_id (completed));
  at_spin (100);
  g_assert_true (wevion_window_get_details_job (window) == completed);
  g_assert_nonnull (at_find_label (details, wevion_job_get_prompt (completed)));
  g_assert_nonnull (at_find_label (details, wevion_job_get_provider (completed)));
  g_assert_nonnull (at_find_label (details, wevion_job_get_id (completed)));
  cost = wevion_format_cents (wevion_job_get_cost_cents (completed));
  g_assert_nonnull (at_find_label (details, cost));
  g_assert_nonnull (at_find_label (details, "Files"));
  /* the preview loads off the main loop (the hub renders a seeded result on its first download) */
  {
    GtkWidget *picture = at_find_widget (details, GTK_TYPE_PICTURE);

    g_assert_nonnull (picture);
    AT_WAIT (gtk_picture_get_paintable (GTK_PICTURE (picture)) != NULL, 20);
  }
  at_screenshot (GTK_WIDGET (window), "details");

  /* a failure says what went wrong and what to do next */
  g_assert_nonnull (failed);
  wevion_window_show_job (window, wevion_job_get_id (failed));
  at_spin (100);
  g_assert_true (wevion_window_get_details_job (window) == failed);
  g_assert_nonnull (at_find_label (details, "What Went Wrong"));
  g_assert_nonnull (
      at_find_label (details, wevion_failure_kind_get_advice (wevion_job_get_failure_kind (failed))));
  at_screenshot (GTK_WIDGET (window), "failed");
}

static void
submit_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  char **id = user_data;

  *id = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  g_assert_no_error (error);
}

static void
test_submit_appears_and_completes (void)
{
  g_autofree char *id = NULL;
  g_autoptr (JsonObject) settings = json_object_new ();
  WevionJob *job;

  reset_filters ();
  json_object_set_int_member (settings, "width", 256);
  json_object_set_int_member (settings, "height", 256);
  wevion_application_submit_async (app, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "A red fox in fresh snow [ok]",
                                   settings, NULL, NULL, submit_cb, &id);
  AT_WAIT (id != NULL, 20);
  /* the pending card is at the top at once (the next frame) */
  settle ();
  job = wevion_job_store_lookup (store, id);
  g_assert_nonnull (job);
  g_assert_true (visible_contains (job));
  {
    g_autoptr (WevionJob) top = g_list_model_get_item (wevion_window_get_visible_jobs (window), 0);
    g_assert_true (top == job);
  }
  /* and moves to completed by polling, without a restart */
  AT_WAIT (wevion_job_get_is_terminal (job), 60);
  g_assert_cmpstr (wevion_job_get_status_name (job), ==, "completed");
  g_assert_cmpuint (wevion_job_get_n_result_urls (job), >, 0);
  g_assert_cmpint (wevion_job_get_cost_cents (job), >, 0);
}

static void
test_accessible (void)
{
  GtkWidget *list = wevion_window_get_list_view (window);
  GtkWidget *card;

  reset_filters ();
  at_spin (100);
  card = NULL;
  for (GtkWidget *row = gtk_widget_get_first_child (list); row && card == NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *child = gtk_widget_get_first_child (row);
      if (child && WEVION_IS_JOB_CARD (child) && wevion_job_card_get_job (WEVION_JOB_CARD (child)))
        card = child;
    }
  g_assert_nonnull (card);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_ROLE_GROUP);
  /* a card's name says type, status and prompt in words, not colour */
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, "Jobs");
  /* icon-only buttons have names */
  for (GtkWidget *button = at_find_widget (card, GTK_TYPE_BUTTON); button; button = NULL)
    if (gtk_widget_get_visible (button) && gtk_button_get_icon_name (GTK_BUTTON (button)))
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL)
                     || gtk_widget_get_tooltip_text (button) != NULL);
}

static void
test_narrow_and_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  reset_filters ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  AT_WAIT (gtk_widget_get_width (GTK_WIDGET (window)) <= 400, 10);
  at_spin (300);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  at_screenshot (GTK_WIDGET (window), "narrow");

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  AT_WAIT (gtk_widget_get_width (GTK_WIDGET (window)) >= 1000, 10);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  at_spin (300);
  g_assert_true (adw_style_manager_get_dark (style));
  at_screenshot (GTK_WIDGET (window), "dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  at_spin (100);
}

static void
test_offline_keeps_list (void)
{
  guint before;

  reset_filters ();
  before = n_visible ();
  g_assert_cmpuint (before, >, 0);
  g_assert_false (wevion_window_get_banner_revealed (window));

  /* the server goes away: a banner says so, the list stays */
  g_subprocess_send_signal (hub->process, SIGKILL);
  g_subprocess_wait (hub->process, NULL, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh", NULL);
  AT_WAIT (wevion_window_get_banner_revealed (window), 30);
  g_test_message ("banner: %s", wevion_window_get_banner_text (window));
  g_assert_true (strlen (wevion_window_get_banner_text (window)) > 10);
  at_spin (300);
  g_assert_cmpuint (n_visible (), ==, before);
  g_assert_cmpstr (wevion_window_get_list_page (window), ==, "list");
  at_screenshot (GTK_WIDGET (window), "offline");
}

/* Last: closing the window frees it and all it built (cards, rows, details, filter models): no
 * reference cycle among them or with the model. A weak pointer and a deadline rather than
 * g_assert_finalize_object: a frame clock or an idle may hold a reference for a moment.
 * (The application and its core objects go at shutdown, which only g_application_run() emits;
 * this test drives the app without it, so it cannot check them: the core tests do.) */
static void
test_closes_cleanly (void)
{
  GObject *w = G_OBJECT (window);

  g_object_add_weak_pointer (w, (gpointer *) &w);
  window = NULL;
  gtk_window_destroy (GTK_WINDOW (w));
  AT_WAIT (w == NULL, 30);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  dir = wt_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("WEVION_POLL_INTERVAL_MS", "300", TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1280x800", TRUE);

  {
    /* The screenshots are the product's pictures (data/screenshots/): a toast for every demo job
     * that finishes while the focused window is open would cover them. Notifications and their
     * toasts are tested in tests/notify. */
    g_autoptr (GSettings) settings = g_settings_new ("com.wevion.Jobs");

    g_settings_set_boolean (settings, "notify-completed", FALSE);
    g_settings_set_boolean (settings, "notify-failed", FALSE);
  }
  hub = wt_hub_start ("--demo", "--seed", "7", "--speed", "40", NULL);
  g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);

  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  store = wevion_application_get_store (app);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0, 20);

  g_test_add_func ("/panel/lists-demo-jobs", test_lists_demo_jobs);
  g_test_add_func ("/panel/status-views", test_status_views);
  g_test_add_func ("/panel/type-filter", test_type_filter);
  g_test_add_func ("/panel/date-filter", test_date_filter);
  g_test_add_func ("/panel/custom-range", test_custom_range);
  g_test_add_func ("/panel/search", test_search);
  g_test_add_func ("/panel/hide-and-undo", test_hide_and_undo);
  g_test_add_func ("/panel/details", test_details);
  g_test_add_func ("/panel/submit-appears-and-completes", test_submit_appears_and_completes);
  g_test_add_func ("/panel/accessible", test_accessible);
  g_test_add_func ("/panel/narrow-and-dark", test_narrow_and_dark);
  g_test_add_func ("/panel/offline-keeps-list", test_offline_keeps_list);
  g_test_add_func ("/panel/closes-cleanly", test_closes_cleanly);
  status = g_test_run ();

  if (window)
    gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
  g_subprocess_wait (hub->process, NULL, NULL);
  wt_rmdir (dir);
  return status;
}
