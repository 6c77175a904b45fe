/* app-test-utils.c */
#include "config.h"

#include <glib/gstdio.h>

#include "app-test-utils.h"

double
at_timeout_multiplier (void)
{
  const char *text = g_getenv ("WEVION_TEST_TIMEOUT_MULTIPLIER");
  double m = text ? g_ascii_strtod (text, NULL) : 1.0;

  return m >= 1.0 ? m : 1.0;
}

void
at_spin (int ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

char *
at_screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  g_mkdir_with_parents (dir, 0755);
  at_spin (400); /* let transitions finish */
  /* the widget paints into the paintable once it has drawn a frame */
  for (int tries = 0; node == NULL && tries < 50; tries++)
    {
      g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();

      gtk_widget_queue_draw (widget);
      at_spin (40);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}

GtkWidget *
at_find_label (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && strstr (gtk_label_get_label (GTK_LABEL (root)), text))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = at_find_label (child, text);
      if (found)
        return found;
    }
  return NULL;
}

GtkWidget *
at_find_widget (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = at_find_widget (child, type);
      if (found)
        return found;
    }
  return NULL;
}

WevionJobCard *
at_find_card (GtkWidget *root, const char *job_id)
{
  if (WEVION_IS_JOB_CARD (root))
    {
      WevionJob *job = wevion_job_card_get_job (WEVION_JOB_CARD (root));
      return job && g_strcmp0 (wevion_job_get_id (job), job_id) == 0 && gtk_widget_get_mapped (root)
                 ? WEVION_JOB_CARD (root)
                 : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      WevionJobCard *card = at_find_card (child, job_id);
      if (card)
        return card;
    }
  return NULL;
}
