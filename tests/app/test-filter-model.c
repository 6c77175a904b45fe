/* test-filter-model.c: WevionFilterModel against the plain answer.
 *
 * Random edits of the source (insertions, removals, replacements, anywhere, also while a scan is
 * half done) and random filter changes. After every operation, a mirror kept only from the model's
 * items-changed signals must equal what the model says it holds; once the scan is finished, the
 * model must hold exactly the source items the filter lets through, in source order. No display. */
#include "config.h"

#include <gtk/gtk.h>

#include "wevion-filter-model.h"

typedef struct
{
  guint modulus; /* an item (a GtkStringObject holding a number) matches when number % modulus == 0 */
  guint calls;
} Filter;

static gboolean
filter_cb (gpointer item, gpointer user_data)
{
  Filter *filter = user_data;

  filter->calls++;
  return g_ascii_strtoull (gtk_string_object_get_string (item), NULL, 10) % filter->modulus == 0;
}

static GPtrArray *mirror;

static void
mirror_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  g_assert_cmpuint (position + removed, <=, mirror->len);
  g_ptr_array_remove_range (mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (mirror->len, ==, g_list_model_get_n_items (model));
}

static void
assert_mirror (GListModel *model)
{
  g_assert_cmpuint (mirror->len, ==, g_list_model_get_n_items (model));
  for (guint i = 0; i < mirror->len; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);
      g_assert_true (item == g_ptr_array_index (mirror, i));
    }
}

static void
assert_complete (GListModel *model, GListStore *source, Filter *filter)
{
  guint j = 0;
  guint calls = filter->calls;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (source)); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (G_LIST_MODEL (source), i);
      if (filter_cb (item, filter))
        {
          g_autoptr (GObject) shown = g_list_model_get_item (model, j++);
          g_assert_true (shown == item);
        }
    }
  g_assert_cmpuint (j, ==, g_list_model_get_n_items (model));
  filter->calls = calls;
}

static GObject *
number (guint n)
{
  g_autofree char *text = g_strdup_printf ("%u", n);
  return G_OBJECT (gtk_string_object_new (text));
}

static void
iterate (int times)
{
  for (int i = 0; i < times; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int round = 0; round < 30; round++)
    {
      g_autoptr (GListStore) source = g_list_store_new (GTK_TYPE_STRING_OBJECT);
      Filter filter = { 1 + g_rand_int_range (rand, 0, 4), 0 };
      g_autoptr (WevionFilterModel) model = NULL;
      guint n = g_rand_int_range (rand, 0, round % 3 == 0 ? 40000 : 300);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GObject) item = number (g_rand_int_range (rand, 0, 1000));
          g_list_store_append (source, item);
        }
      model = wevion_filter_model_new (G_LIST_MODEL (source), filter_cb, &filter);
      mirror = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
        g_ptr_array_add (mirror, g_list_model_get_item (G_LIST_MODEL (model), i));
      g_signal_connect (model, "items-changed", G_CALLBACK (mirror_cb), NULL);
      if (wevion_filter_model_get_pending (model) == 0)
        assert_complete (G_LIST_MODEL (model), source, &filter);

      for (int op = 0; op < 60; op++)
        {
          guint len = g_list_model_get_n_items (G_LIST_MODEL (source));

          switch (g_rand_int_range (rand, 0, 6))
            {
            case 0: /* a stricter or different filter */
              filter.modulus = 1 + g_rand_int_range (rand, 0, 6);
              wevion_filter_model_refilter (model, g_rand_boolean (rand) ? GTK_FILTER_CHANGE_DIFFERENT
                                                                         : GTK_FILTER_CHANGE_MORE_STRICT);
              break;
            case 1: /* a less strict one: every former match still matches */
              if (filter.modulus % 2 == 0)
                filter.modulus /= 2;
              else
                filter.modulus = 1;
              wevion_filter_model_refilter (model, GTK_FILTER_CHANGE_LESS_STRICT);
              break;
            case 2:
            case 3: /* the source changes: some removed, some added, anywhere */
              {
                guint pos = len ? g_rand_int_range (rand, 0, len + 1) : 0;
                guint some = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 5 : 400);
                guint removed = MIN (len - pos, some);
                guint added = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 6 : 3000);
                g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

                for (guint i = 0; i < added; i++)
                  g_ptr_array_add (items, number (g_rand_int_range (rand, 0, 1000)));
                g_list_store_splice (source, pos, removed, items->pdata, items->len);
              }
              break;
            case 4: iterate (g_rand_int_range (rand, 1, 8)); break;
            default:
              g_usleep (g_rand_int_range (rand, 0, 20000));
              iterate (3);
              break;
            }
          assert_mirror (G_LIST_MODEL (model));
          if (wevion_filter_model_get_pending (model) == 0)
            assert_complete (G_LIST_MODEL (model), source, &filter);
        }
      wevion_filter_model_finish (model);
      g_assert_cmpuint (wevion_filter_model_get_pending (model), ==, 0);
      assert_mirror (G_LIST_MODEL (model));
      assert_complete (G_LIST_MODEL (model), source, &filter);
      g_clear_pointer (&mirror, g_ptr_array_unref);
    }
  g_rand_free (rand);
}

/* A new filter answers at once with its first matches, and no step reveals more than a few rows
 * while the list is short: that is what keeps a keystroke cheap on GTK 4.8's list view. */
static guint biggest_addition;

static void
largest_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  if (g_list_model_get_n_items (model) <= 200)
    biggest_addition = MAX (biggest_addition, added);
}

static void
test_first_matches_at_once (void)
{
  g_autoptr (GListStore) source = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  Filter filter = { 1, 0 };
  g_autoptr (WevionFilterModel) model = NULL;

  for (guint i = 0; i < 100000; i++)
    {
      g_autoptr (GObject) item = number (i);
      g_list_store_append (source, item);
    }
  model = wevion_filter_model_new (G_LIST_MODEL (source), filter_cb, &filter);
  wevion_filter_model_finish (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100000);

  g_signal_connect (model, "items-changed", G_CALLBACK (largest_cb), NULL);
  filter.modulus = 7;
  filter.calls = 0;
  wevion_filter_model_refilter (model, GTK_FILTER_CHANGE_DIFFERENT);
  /* shown before refilter returns, found without looking at everything */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, 32);
  g_assert_cmpuint (filter.calls, <, 1000);
  g_assert_cmpuint (wevion_filter_model_get_pending (model), >, 0);
  while (wevion_filter_model_get_pending (model) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, (100000 + 6) / 7);
  g_assert_cmpuint (biggest_addition, <=, 32);

  /* a filter that nothing passes: the model says so once the scan is over */
  filter.modulus = 1000000;
  wevion_filter_model_refilter (model, GTK_FILTER_CHANGE_DIFFERENT);
  wevion_filter_model_finish (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1); /* 0 itself */
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/filter-model/random", test_random);
  g_test_add_func ("/filter-model/first-matches-at-once", test_first_matches_at_once);
  return g_test_run ();
}
