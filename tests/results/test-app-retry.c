/* test-app-retry.c: the whole application against a real wevion-hub, under Xvfb: app.retry-job
 * re-submits type, provider, prompt and settings unchanged with metadata.retry_of; the failed
 * card shows its newest retry and the retry's card links back; Edit & Resubmit links the same way;
 * "Download All" on a selection saves every completed job's results. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "app-test-utils.h"
#include "results-test-utils.h"
#include "wevion-application.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"
#include "wevion-new-job-dialog.h"
#include "wevion-resources.h"
#include "wevion-window.h"

typedef struct
{
  WevionApplication *app;
  RtHub *hub;
  char *folder;
  gboolean passed;
} Fixture;

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **id = user_data;
  g_autoptr (GError) error = NULL;

  *id = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  g_assert_no_error (error);
}

/* submits through the app (as the New Generation dialog does) and waits for the end */
static WevionJob *
submit_and_wait (Fixture *f, WevionJobType type, const char *provider, const char *prompt,
                 JsonObject *settings)
{
  WevionJobStore *store = wevion_application_get_store (f->app);
  g_autofree char *id = NULL;
  WevionJob *job;

  wevion_application_submit_async (f->app, type, provider, prompt, settings, NULL, NULL, submitted_cb, &id);
  AT_WAIT (id != NULL, 30);
  AT_WAIT ((job = wevion_job_store_lookup (store, id)) != NULL && wevion_job_get_is_terminal (job), 60);
  return job;
}

/* the newest job in the store whose metadata has @key = @value */
static WevionJob *
find_by_metadata (Fixture *f, const char *key, const char *value)
{
  GListModel *model = G_LIST_MODEL (wevion_application_get_store (f->app));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (model, i);
      JsonObject *metadata = wevion_job_get_metadata (job);

      if (metadata && json_object_has_member (metadata, key)
          && g_strcmp0 (json_object_get_string_member_with_default (metadata, key, NULL), value) == 0)
        return job; /* the store holds it */
    }
  return NULL;
}

static gboolean
objects_equal (JsonObject *a, JsonObject *b)
{
  g_autoptr (JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr (JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  return json_node_equal (na, nb);
}

static WevionWindow *
window_of (Fixture *f)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));

  if (window == NULL)
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));
      window = windows ? windows->data : NULL;
    }
  return window && WEVION_IS_WINDOW (window) ? WEVION_WINDOW (window) : NULL;
}

/* a visible button below @root bound to @action with the string target @target */
static GtkWidget *
find_action_button (GtkWidget *root, const char *action, const char *target)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_visible (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    {
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (root));
      if (value && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
          && g_strcmp0 (g_variant_get_string (value, NULL), target) == 0)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action, target);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button_labelled (GtkWidget *root, const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_labelled (child, label);
      if (found)
        return found;
    }
  return NULL;
}

static WevionNewJobDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      if (WEVION_IS_NEW_JOB_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return WEVION_NEW_JOB_DIALOG (window);
    }
  return NULL;
}

static WevionJob *
details_job (Fixture *f)
{
  GtkWidget *details = at_find_widget (GTK_WIDGET (window_of (f)), WEVION_TYPE_JOB_DETAILS);

  return details ? wevion_job_details_get_job (WEVION_JOB_DETAILS (details)) : NULL;
}

static void
check_retry (Fixture *f)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (WevionClient) client = rt_client (f->hub);
  g_autoptr (WevionJob) on_server = NULL;
  JsonObject *settings;
  WevionJob *failed, *retry = NULL;
  WevionJobCard *card;
  GtkWidget *link;
  const char *failed_id;

  /* a failed job with settings, submitted through the app; [fail] makes the hub fail it */
  g_assert_true (json_parser_load_from_data (
      parser,
      "{\"width\": 96, \"height\": 64, \"seed\": 7, \"style\": \"noir\", \"nested\": {\"a\": [1, 2]}}", -1,
      NULL));
  settings = json_node_get_object (json_parser_get_root (parser));
  failed = submit_and_wait (f, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "a fox in the rain [fail]", settings);
  failed_id = wevion_job_get_id (failed);
  g_assert_cmpint (wevion_job_get_status (failed), ==, WEVION_JOB_STATUS_FAILED);
  g_assert_true (wevion_job_get_is_retryable (failed));

  /* Retry: the same type, provider, prompt and settings, and metadata.retry_of */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "retry-job", g_variant_new_string (failed_id));
  AT_WAIT ((retry = find_by_metadata (f, "retry_of", failed_id)) != NULL, 30);
  g_assert_cmpstr (wevion_job_get_id (retry), !=, failed_id);
  g_assert_cmpint (wevion_job_get_job_type (retry), ==, WEVION_JOB_TYPE_IMAGE);
  g_assert_cmpstr (wevion_job_get_provider (retry), ==, "sdxl_turbo");
  g_assert_cmpstr (wevion_job_get_prompt (retry), ==, "a fox in the rain [fail]");
  g_assert_true (objects_equal (wevion_job_get_settings (retry), settings));
  g_assert_cmpstr (wevion_job_get_retry_of (retry), ==, failed_id);
  /* what the server received */
  on_server = rt_get_job (client, wevion_job_get_id (retry));
  g_assert_cmpint (wevion_job_get_job_type (on_server), ==, WEVION_JOB_TYPE_IMAGE);
  g_assert_cmpstr (wevion_job_get_provider (on_server), ==, "sdxl_turbo");
  g_assert_cmpstr (wevion_job_get_prompt (on_server), ==, "a fox in the rain [fail]");
  g_assert_true (objects_equal (wevion_job_get_settings (on_server), settings));
  g_assert_cmpstr (wevion_job_get_retry_of (on_server), ==, failed_id);
  g_assert_false (json_object_has_member (wevion_job_get_metadata (on_server), "resubmit_of"));

  /* the failed job knows its newest retry; its card shows it and the link views the retry */
  AT_WAIT (g_strcmp0 (wevion_job_get_newest_retry (failed), wevion_job_get_id (retry)) == 0, 30);
  AT_WAIT ((card = at_find_card (GTK_WIDGET (window_of (f)), failed_id)) != NULL, 30);
  AT_WAIT ((link = find_action_button (GTK_WIDGET (card), "app.view-job", wevion_job_get_id (retry))) != NULL,
           30);
  g_free (at_screenshot (GTK_WIDGET (window_of (f)), "app-retry-card"));
  g_signal_emit_by_name (link, "clicked");
  AT_WAIT (details_job (f) == retry, 30);
  /* and the retry's card links back to the original */
  AT_WAIT ((card = at_find_card (GTK_WIDGET (window_of (f)), wevion_job_get_id (retry))) != NULL, 30);
  g_assert_nonnull (find_action_button (GTK_WIDGET (card), "app.view-job", failed_id));

  /* Edit & Resubmit: the dialog, pre-filled; Resubmit links the new job like a retry */
  {
    WevionNewJobDialog *dialog;
    GtkWidget *button;
    WevionJob *resubmitted = NULL;
    g_autoptr (WevionJob) resubmitted_on_server = NULL;

    g_action_group_activate_action (G_ACTION_GROUP (f->app), "edit-job", g_variant_new_string (failed_id));
    AT_WAIT ((dialog = find_dialog ()) != NULL, 30);
    button = find_button_labelled (GTK_WIDGET (dialog), "_Resubmit");
    g_assert_nonnull (button);
    AT_WAIT (gtk_widget_is_sensitive (button), 30);
    g_signal_emit_by_name (button, "clicked");
    AT_WAIT ((resubmitted = find_by_metadata (f, "resubmit_of", failed_id)) != NULL, 30);
    g_assert_cmpstr (wevion_job_get_retry_of (resubmitted), ==, failed_id);
    g_assert_cmpint (wevion_job_get_job_type (resubmitted), ==, WEVION_JOB_TYPE_IMAGE);
    g_assert_cmpstr (wevion_job_get_provider (resubmitted), ==, "sdxl_turbo");
    g_assert_cmpstr (wevion_job_get_prompt (resubmitted), ==, "a fox in the rain [fail]");
    resubmitted_on_server = rt_get_job (client, wevion_job_get_id (resubmitted));
    g_assert_cmpstr (wevion_job_get_retry_of (resubmitted_on_server), ==, failed_id);
    g_assert_cmpstr (
        json_object_get_string_member (wevion_job_get_metadata (resubmitted_on_server), "resubmit_of"), ==,
        failed_id);
    /* the newest retry is now the resubmission: the failed card's link follows */
    AT_WAIT (g_strcmp0 (wevion_job_get_newest_retry (failed), wevion_job_get_id (resubmitted)) == 0, 30);
    AT_WAIT ((card = at_find_card (GTK_WIDGET (window_of (f)), failed_id)) != NULL
                 && find_action_button (GTK_WIDGET (card), "app.view-job", wevion_job_get_id (resubmitted)),
             30);
  }
}

/* Download All on a selection: every completed job's results, failed ones skipped */
/* the list view of jobs (the sidebar has one too) */
static GtkWidget *
find_job_list (GtkWidget *root)
{
  if (GTK_IS_LIST_VIEW (root))
    {
      GtkSelectionModel *model = gtk_list_view_get_model (GTK_LIST_VIEW (root));

      g_autoptr (GObject) first = model ? g_list_model_get_item (G_LIST_MODEL (model), 0) : NULL;

      if (first && WEVION_IS_JOB (first))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_job_list (child);
      if (found)
        return found;
    }
  return NULL;
}

static void
check_bulk_download (Fixture *f)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  WevionJob *a, *b, *failed;
  GtkWidget *list;
  GtkSelectionModel *selection;
  guint n_selected = 0;

  g_assert_true (json_parser_load_from_data (parser, "{\"count\": 2}", -1, NULL));
  a = submit_and_wait (f, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[ok] two foxes",
                       json_node_get_object (json_parser_get_root (parser)));
  b = submit_and_wait (f, WEVION_JOB_TYPE_TTS, "elevenlabs_v2", "[ok] hello there", NULL);
  failed = submit_and_wait (f, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "no fox [fail]", NULL);
  g_assert_cmpint (wevion_job_get_status (a), ==, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpint (wevion_job_get_status (b), ==, WEVION_JOB_STATUS_COMPLETED);
  g_assert_cmpint (wevion_job_get_status (failed), ==, WEVION_JOB_STATUS_FAILED);

  g_settings_set_string (wevion_application_get_settings (f->app), "download-folder", f->folder);
  g_settings_set_boolean (wevion_application_get_settings (f->app), "per-job-folder", TRUE);
  list = find_job_list (GTK_WIDGET (window_of (f)));
  g_assert_nonnull (list);
  selection = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  /* the list filters in chunks: wait for all three */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC; n_selected < 3;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      at_spin (20);
      n_selected = 0;
      gtk_selection_model_unselect_all (selection);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
        {
          g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (selection), i);

          if (job == a || job == b || job == failed)
            {
              gtk_selection_model_select_item (selection, i, FALSE);
              n_selected++;
            }
        }
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window_of (f)), "win.download-selected", NULL));

  /* a folder per job: two images for a, one speech file for b, nothing for the failed one */
  {
    g_autofree char *dir_a = g_build_filename (f->folder, wevion_job_get_id (a), NULL);
    g_autofree char *dir_b = g_build_filename (f->folder, wevion_job_get_id (b), NULL);
    g_auto (GStrv) top = NULL;
    g_auto (GStrv) in_a = NULL;
    g_auto (GStrv) in_b = NULL;

#define DONE(dir, n)                                                                                         \
  (g_file_test (dir, G_FILE_TEST_IS_DIR) && ({                                                               \
     g_auto (GStrv) names = rt_list_dir (dir);                                                               \
     guint ok = 0;                                                                                           \
     for (guint i = 0; names[i]; i++)                                                                        \
       ok += !g_str_has_suffix (names[i], ".part");                                                          \
     ok == (n) && g_strv_length (names) == (n);                                                              \
   }))
    AT_WAIT (DONE (dir_a, 2) && DONE (dir_b, 1), 60);
#undef DONE
    top = rt_list_dir (f->folder);
    g_assert_cmpuint (g_strv_length (top), ==, 2);
    in_a = rt_list_dir (dir_a);
    in_b = rt_list_dir (dir_b);
    g_test_message ("saved: %s/{%s, %s}, %s/{%s}", top[0], in_a[0], in_a[1], wevion_job_get_id (b), in_b[0]);
  }
}

static gboolean
run_cb (gpointer user_data)
{
  Fixture *f = user_data;

  AT_WAIT (wevion_application_get_connection (f->app) == WEVION_CONNECTION_READY && window_of (f) != NULL,
           30);
  check_retry (f);
  check_bulk_download (f);
  f->passed = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
test_app_retry (void)
{
  const char *args[] = { NULL };
  char *argv[] = { (char *) "test-app-retry", NULL };
  Fixture f = { 0 };

  f.hub = rt_hub_start (NULL, args);
  f.folder = rt_tmpdir ();
  g_setenv ("WEVION_SERVER_URL", f.hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);
  g_setenv ("WEVION_POLL_INTERVAL_MS", "200", TRUE);
  g_setenv ("WEVION_OPEN_URI_LOG", "/dev/null", TRUE); /* never a real browser */
  f.app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (50, run_cb, &f);
  g_application_run (G_APPLICATION (f.app), 1, argv);
  g_assert_true (f.passed);
  g_object_unref (f.app);
  rt_rmtree (f.folder);
  g_free (f.folder);
  rt_hub_stop (f.hub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (wevion_get_resource ());
  g_test_add_func ("/results/app/retry-resubmit-and-bulk-download", test_app_retry);
  return g_test_run ();
}
