/* test-paging.c: a history longer than one page pages in as the list scrolls, and filters are
 * sent to the server. Under Xvfb against a real wevion-hub. */
#include "config.h"

#include "app-test-utils.h"
#include "core-test-hub.h"
#include "core-test-utils.h"
#include "wevion-application.h"
#include "wevion-filter-model.h"
#include "wevion-window.h"

#define N_JOBS 130 /* more than the panel's page of 100 */

static WtHub *hub;

typedef struct
{
  guint done;
  guint active;
} Counter;

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = wevion_client_submit_finish (WEVION_CLIENT (source), result, &error);

  g_assert_no_error (error);
  ((Counter *) user_data)->done++;
}

static void
active_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = wevion_client_list_finish (WEVION_CLIENT (source), result, NULL, NULL, &error);

  g_assert_no_error (error);
  ((Counter *) user_data)->active = jobs->len;
  ((Counter *) user_data)->done++;
}

static void
fill_hub (void)
{
  g_autoptr (WevionClient) client = wt_hub_client (hub, "demo-token");
  g_autoptr (JsonObject) settings = json_object_new ();
  Counter counter = { 0, 0 };

  json_object_set_int_member (settings, "width", 64);
  json_object_set_int_member (settings, "height", 64);
  for (guint i = 0; i < N_JOBS; i++)
    {
      g_autofree char *prompt
          = g_strdup_printf ("%s number %u [ok]", i % 2 ? "A tiny kite" : "A quiet harbour", i);
      wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", prompt, settings, NULL, NULL,
                                  submitted_cb, &counter);
    }
  AT_WAIT (counter.done == N_JOBS, 60);
  /* until the worker has finished them all */
  do
    {
      g_autoptr (WevionListQuery) query = wevion_list_query_new ();
      query->status = g_strdup ("pending,processing");
      counter.done = 0;
      wevion_client_list_async (client, query, NULL, active_cb, &counter);
      AT_WAIT (counter.done == 1, 20);
      at_spin (200);
    }
  while (counter.active > 0);
}

static void
test_pages_in_on_scroll (void)
{
  g_autoptr (WevionApplication) app = NULL;
  WevionWindow *window;
  WevionJobStore *store;
  GtkAdjustment *adjustment;
  guint first;

  fill_hub ();
  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  store = wevion_application_get_store (app);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)), 20);

  /* one page at first: a long history is not fetched whole */
  AT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (store)) >= 100, 30);
  at_spin (1500);
  first = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_test_message ("after opening: %u of %d jobs", first, N_JOBS);
  g_assert_cmpuint (first, <, N_JOBS);

  /* the oldest jobs (numbers 0–29) are not loaded; searching for one asks the server */
  wevion_window_set_search_text (window, "number 7 ");
  AT_WAIT (g_list_model_get_n_items (wevion_window_get_visible_jobs (window)) >= 1, 20);
  {
    g_autoptr (WevionJob) job = g_list_model_get_item (wevion_window_get_visible_jobs (window), 0);
    g_assert_nonnull (strstr (wevion_job_get_prompt (job), "number 7 "));
  }
  wevion_window_set_search_text (window, "");
  at_spin (100);

  /* scrolling to the end brings the rest */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (wevion_window_get_list_view (window)));
  /* a deadline, not a number of tries: each page takes longer under the sanitizers */
  for (gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
       g_list_model_get_n_items (G_LIST_MODEL (store)) < N_JOBS && g_get_monotonic_time () < deadline;)
    {
      /* each try is a fresh scroll to the end, as a wheel gives: setting the value it already has
       * emits nothing, and under ASan and load the store then stayed at one page (101 of 130) for
       * the whole deadline; whether the window can stall so for a user is not yet understood */
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                                - 2 * gtk_adjustment_get_page_size (adjustment));
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      at_spin (100);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, N_JOBS);

  g_test_message (
      "store full: %u visible, %u still filtering",
      g_list_model_get_n_items (wevion_window_get_visible_jobs (window)),
      wevion_filter_model_get_pending (WEVION_FILTER_MODEL (wevion_window_get_visible_jobs (window))));
  /* the list filters incrementally: pages merged by the last tick show after the next idle */
  AT_WAIT (g_list_model_get_n_items (wevion_window_get_visible_jobs (window)) == N_JOBS, 20);
  wevion_window_set_search_text (window, "HARBOUR");
  AT_WAIT (g_list_model_get_n_items (wevion_window_get_visible_jobs (window)) == N_JOBS / 2, 10);

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
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
  g_setenv ("WEVION_WINDOW_SIZE", "1000x700", TRUE);
  hub = wt_hub_start ("--speed", "200", "--workers", "8", NULL);
  g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);

  g_test_add_func ("/paging/search-and-scroll", test_pages_in_on_scroll);
  status = g_test_run ();

  wt_hub_stop (hub);
  wt_rmdir (dir);
  return status;
}
