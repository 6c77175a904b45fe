/* fuzz-replay.c: the driver that turns a harness into an ordinary test without libFuzzer. Every
 * file of the directories (or the files) given on the command line is fed once to
 * LLVMFuzzerTestOneInput(), as a GTest case; a broken invariant aborts the test.
 *
 * usage: fuzz-<name> [--tap] CORPUS-DIR|FILE...   (also: FUZZ_REPLAY_DIRS, colon-separated) */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

static void
replay_one (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;

  g_test_message ("replaying %s", path);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
add_path (GPtrArray *files, const char *path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)))
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, g_build_filename (path, names->pdata[i], NULL));
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("FUZZ_REPLAY_DIRS");

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++)
    add_path (files, argv[i]);
  if (env && *env)
    {
      g_auto (GStrv) dirs = g_strsplit (env, ":", -1);

      for (guint i = 0; dirs[i]; i++)
        if (*dirs[i])
          add_path (files, dirs[i]);
    }
  if (files->len == 0)
    g_error ("no corpus given: pass a directory or files");
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);
      g_autofree char *test_path = g_strdup_printf ("/fuzz/%s/%s", FUZZ_NAME, base);

      g_test_add_data_func (test_path, files->pdata[i], replay_one);
    }
  return g_test_run ();
}
