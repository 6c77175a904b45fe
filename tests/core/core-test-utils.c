/* core-test-utils.c */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core-test-utils.h"

char *
wt_row (const char *id, const char *status, const char *created, const char *extra)
{
  return g_strdup_printf (
      "{\"id\":\"%s\",\"user_id\":\"u1\",\"type\":\"image\",\"status\":\"%s\","
      "\"provider\":\"flux_2_pro\",\"prompt\":\"prompt of %s\",\"settings\":{},"
      "\"result_urls\":[],\"error_message\":null,\"cost_cents\":0,\"drive_folder_id\":null,"
      "\"metadata\":{},\"created_at\":\"%s\",\"completed_at\":null%s}",
      id, status, id, created, extra ? extra : "");
}

WevionJob *
wt_job (const char *id, const char *status, const char *created, const char *extra)
{
  g_autofree char *text = wt_row (id, status, created, extra);
  g_autoptr (GError) error = NULL;
  WevionJob *job = wevion_job_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return job;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
wt_wait_until (gboolean (*cond) (gpointer), gpointer data, int seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds ((guint) seconds, timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

static gboolean
flag_cond (gpointer data)
{
  return *(gboolean *) data;
}

void
wt_wait_flag (gboolean *flag, int seconds)
{
  if (!wt_wait_until (flag_cond, flag, seconds))
    g_error ("timed out after %d s waiting for a condition", seconds);
}

char *
wt_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("wevion-core-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
wt_rmdir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      /* never follow a symlink out of the tree (hostile file name tests make them) */
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        wt_rmdir (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
wt_assert_finalize_array (GPtrArray *array)
{
  guint n = array->len;
  g_autofree gpointer *alive = g_new0 (gpointer, n);

  for (guint i = 0; i < n; i++)
    {
      alive[i] = g_ptr_array_index (array, i);
      g_object_add_weak_pointer (alive[i], &alive[i]);
    }
  g_ptr_array_unref (array);
  for (guint i = 0; i < n; i++)
    if (alive[i] != NULL)
      g_error ("%s %p (item %u) is still alive after its array was freed", G_OBJECT_TYPE_NAME (alive[i]),
               alive[i], i);
}
