/* test-app-download.c: the app's Download action and auto-download, the whole application
 * against a real wevion-hub, under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "results-test-utils.h"
#include "wevion-application.h"
#include "wevion-resources.h"

typedef struct
{
  WevionApplication *app;
  char *folder;
  char *job_id;
  char *auto_id;
  int state;
  gint64 deadline;
  gboolean passed;
  const char *failure;
} Fixture;

static guint
n_saved (const char *folder, gboolean *has_part)
{
  g_auto (GStrv) names = rt_list_dir (folder);
  guint n = 0;

  *has_part = FALSE;
  for (guint i = 0; names[i]; i++)
    {
      if (g_str_has_suffix (names[i], ".part"))
        *has_part = TRUE;
      else
        n++;
    }
  return n;
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;

  f->auto_id = wevion_application_submit_finish (WEVION_APPLICATION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
step_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WevionJobStore *store = wevion_application_get_store (f->app);
  gboolean has_part = FALSE;

  if (g_get_monotonic_time () > f->deadline)
    {
      f->failure = "timed out";
      g_application_quit (G_APPLICATION (f->app));
      return G_SOURCE_REMOVE;
    }
  switch (f->state)
    {
    case 0:
      /* connected, and the completed job is in the panel */
      if (wevion_application_get_connection (f->app) != WEVION_CONNECTION_READY
          || wevion_job_store_lookup (store, f->job_id) == NULL)
        return G_SOURCE_CONTINUE;
      g_settings_set_string (wevion_application_get_settings (f->app), "download-folder", f->folder);
      g_action_group_activate_action (G_ACTION_GROUP (f->app), "download-job",
                                      g_variant_new_string (f->job_id));
      f->state = 1;
      return G_SOURCE_CONTINUE;
    case 1:
      /* both results saved, nothing half-written */
      if (n_saved (f->folder, &has_part) < 2 || has_part)
        return G_SOURCE_CONTINUE;
      g_settings_set_boolean (wevion_application_get_settings (f->app), "auto-download", TRUE);
      g_settings_set_boolean (wevion_application_get_settings (f->app), "per-job-folder", TRUE);
      /* submitted through the app, as the New Generation dialog does: the poller tracks it */
      wevion_application_submit_async (f->app, WEVION_JOB_TYPE_TTS, "elevenlabs_v2", "[ok] hello there", NULL,
                                       NULL, NULL, submitted_cb, f);
      f->state = 2;
      return G_SOURCE_CONTINUE;
    case 2:
      {
        g_autofree char *sub = NULL;

        if (f->auto_id == NULL)
          return G_SOURCE_CONTINUE;
        /* auto-download: the new job's result lands in a folder named after it */
        sub = g_build_filename (f->folder, f->auto_id, NULL);
        if (!g_file_test (sub, G_FILE_TEST_IS_DIR) || n_saved (sub, &has_part) < 1 || has_part)
          return G_SOURCE_CONTINUE;
        f->passed = TRUE;
        g_application_quit (G_APPLICATION (f->app));
        return G_SOURCE_REMOVE;
      }
    default: g_assert_not_reached ();
    }
}

static void
test_download_action (void)
{
  const char *args[] = { NULL };
  RtHub *hub = rt_hub_start (NULL, args);
  g_autoptr (WevionClient) client = rt_client (hub);
  g_autoptr (WevionJob) job = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo",
                                                  "[ok] two foxes", "{\"count\": 2}", NULL);
  g_autofree char *folder = rt_tmpdir ();
  g_autofree char *log = g_build_filename (folder, "..", "uris.log", NULL);
  char *argv[] = { (char *) "test-app-download", NULL };
  Fixture f = { 0 };

  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
  g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);
  g_setenv ("WEVION_POLL_INTERVAL_MS", "200", TRUE);
  g_setenv ("WEVION_OPEN_URI_LOG", "/dev/null", TRUE); /* never a real browser */
  f.app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  f.folder = folder;
  f.job_id = (char *) wevion_job_get_id (job);
  f.deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_timeout_add (50, step_cb, &f);
  g_application_run (G_APPLICATION (f.app), 1, argv);
  g_assert_null (f.failure);
  g_assert_true (f.passed);
  {
    g_auto (GStrv) names = rt_list_dir (folder);
    g_autofree char *joined = g_strjoinv ("|", names);

    g_test_message ("saved: %s", joined);
    g_assert_cmpuint (g_strv_length (names), ==, 3); /* two images and the per-job folder */
  }
  g_object_unref (f.app);
  g_free (f.auto_id);
  rt_rmtree (folder);
  rt_hub_stop (hub);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (wevion_get_resource ());
  g_test_add_func ("/results/app/download-and-auto-download", test_download_action);
  return g_test_run ();
}
