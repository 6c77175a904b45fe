/* wevion-filter-model.h: the jobs a filter lets through, found in steps between frames.
 *
 * Like GtkFilterListModel in incremental mode, with two differences that matter on GTK 4.8,
 * whose list view keeps about 200 rows alive: a new filter shows its first matches at once (they
 * are looked for before refilter returns), and the rows near the top are revealed a few per step
 * instead of a hundred at a time, so no frame has to build and measure more than a screenful. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WEVION_TYPE_FILTER_MODEL (wevion_filter_model_get_type ())
G_DECLARE_FINAL_TYPE (WevionFilterModel, wevion_filter_model, WEVION, FILTER_MODEL, GObject)

typedef gboolean (*WevionFilterModelFunc) (gpointer item, gpointer user_data);

WevionFilterModel *wevion_filter_model_new (GListModel *source, WevionFilterModelFunc func,
                                            gpointer user_data);

/* The filter changed: LESS_STRICT keeps what is shown and adds what now matches; anything else
 * starts over. */
void wevion_filter_model_refilter (WevionFilterModel *self, GtkFilterChange change);

/* Items not examined or not revealed yet; 0 when the model shows every match. */
guint wevion_filter_model_get_pending (WevionFilterModel *self);

/* How many rows fill the list's height: a new filter shows that many at once, then as many more
 * per frame near the top (16 until told). */
void wevion_filter_model_set_screenful (WevionFilterModel *self, guint rows);

/* Examine and reveal everything now (for tests and callers that need the whole answer). */
void wevion_filter_model_finish (WevionFilterModel *self);

G_END_DECLS
