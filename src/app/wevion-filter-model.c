/* wevion-filter-model.c: see the header.
 *
 * The model keeps `matches`, the ascending source positions of every match found so far, and
 * shows a prefix of it (`n_shown` items). A scan walks the source from `scan_pos` in steps run at
 * idle priority, between frames. After a new filter the prefix grows by a few rows per step until
 * it is longer than what GTK 4.8's list view keeps alive (~200 rows); after that, whatever a step
 * finds is shown at once, since rows that far down cost nothing until scrolled to. A less strict
 * filter keeps everything shown (it all still matches) and examines only the rest. */
#include "config.h"

#include "wevion-filter-model.h"

/* matches looked for before refilter returns, and rows revealed per step near the top, unless the
 * list says how many rows a screenful is (wevion_filter_model_set_screenful) */
#define FIRST_ROWS 16
/* at most this many source items are examined before refilter returns */
#define FIRST_EXAMINED 16384
/* source items examined per step */
#define STEP_EXAMINED 4096
/* one reveal per frame near the top */
#define FRAME_MS 16
/* beyond this many shown rows, everything found is shown at once */
#define ROW_BUDGET 256

struct _WevionFilterModel
{
  GObject parent_instance;

  GListModel *source;
  WevionFilterModelFunc func;
  gpointer user_data;

  GArray *matches; /* guint source positions, ascending */
  guint n_shown;   /* the model shows matches[0 .. n_shown) */

  gboolean scanning;
  gboolean less_strict; /* the scan only adds: positions already in matches are skipped */
  guint scan_pos;       /* the next source position to examine */
  guint step_id;
  gboolean paced; /* step_id is a timeout at the frame rate, not an idle */
  guint batch;    /* rows revealed at once near the top */
};

enum { PROP_0, PROP_PENDING, N_PROPS };

static GParamSpec *properties[N_PROPS];

static GType
model_get_item_type (GListModel *list)
{
  WevionFilterModel *self = WEVION_FILTER_MODEL (list);

  return g_list_model_get_item_type (self->source);
}

static guint
model_get_n_items (GListModel *list)
{
  return WEVION_FILTER_MODEL (list)->n_shown;
}

static gpointer
model_get_item (GListModel *list, guint position)
{
  WevionFilterModel *self = WEVION_FILTER_MODEL (list);

  if (position >= self->n_shown)
    return NULL;
  return g_list_model_get_item (self->source, g_array_index (self->matches, guint, position));
}

static void
wevion_filter_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = model_get_item_type;
  iface->get_n_items = model_get_n_items;
  iface->get_item = model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (WevionFilterModel, wevion_filter_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, wevion_filter_model_list_model_init))

/* the first index of matches whose position is >= pos */
static guint
lower_bound (GArray *matches, guint pos)
{
  guint lo = 0, hi = matches->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (matches, guint, mid) < pos)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static gboolean
matches_item (WevionFilterModel *self, guint pos)
{
  g_autoptr (GObject) item = g_list_model_get_item (self->source, pos);

  return item != NULL && self->func (item, self->user_data);
}

guint
wevion_filter_model_get_pending (WevionFilterModel *self)
{
  guint n_source;

  g_return_val_if_fail (WEVION_IS_FILTER_MODEL (self), 0);

  if (!self->scanning)
    return 0;
  n_source = g_list_model_get_n_items (self->source);
  return n_source - MIN (self->scan_pos, n_source) + (self->matches->len - self->n_shown);
}

static gboolean step_cb (gpointer user_data);

static void
stop_scan (WevionFilterModel *self)
{
  g_clear_handle_id (&self->step_id, g_source_remove);
  self->scanning = FALSE;
  self->less_strict = FALSE;
}

/* Near the top of a new answer, a step reveals rows and so builds widgets: one step per frame
 * (a timeout at the frame rate). Everywhere else steps run whenever the main loop is idle. */
static gboolean
revealing_rows (WevionFilterModel *self)
{
  return self->scanning && !self->less_strict && self->n_shown < ROW_BUDGET;
}

static void
schedule_step (WevionFilterModel *self)
{
  if (self->step_id != 0)
    return;
  self->paced = revealing_rows (self);
  if (self->paced)
    self->step_id = g_timeout_add (FRAME_MS, step_cb, self);
  else
    self->step_id = g_idle_add (step_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->step_id), "[wevion] filter step");
}

/* Examines up to max_examined source items (stopping early once `enough` unshown matches wait)
 * and records the matches; in less strict mode, new matches are merged in and shown at once.
 * Returns FALSE when the scan has reached the end of the source. */
static gboolean
examine (WevionFilterModel *self, guint max_examined, guint enough)
{
  guint n_source = g_list_model_get_n_items (self->source);
  guint end = self->scan_pos + MIN (max_examined, n_source - MIN (self->scan_pos, n_source));

  if (!self->less_strict)
    {
      /* every match so far lies before scan_pos: new ones are appended */
      for (; self->scan_pos < end && self->matches->len - self->n_shown < enough; self->scan_pos++)
        if (matches_item (self, self->scan_pos))
          g_array_append_val (self->matches, self->scan_pos);
    }
  else
    {
      guint idx = lower_bound (self->matches, self->scan_pos);
      guint first_new = G_MAXUINT, last_new = 0, n_new = 0;

      for (; self->scan_pos < end; self->scan_pos++)
        {
          while (idx < self->matches->len && g_array_index (self->matches, guint, idx) < self->scan_pos)
            idx++;
          if (idx < self->matches->len && g_array_index (self->matches, guint, idx) == self->scan_pos)
            continue; /* shown already, and still a match */
          if (!matches_item (self, self->scan_pos))
            continue;
          g_array_insert_val (self->matches, idx, self->scan_pos);
          first_new = MIN (first_new, idx);
          last_new = idx;
          n_new++;
          idx++;
        }
      if (n_new > 0)
        {
          guint span = last_new - first_new + 1;

          self->n_shown = self->matches->len;
          g_list_model_items_changed (G_LIST_MODEL (self), first_new, span - n_new, span);
        }
    }
  return self->scan_pos < n_source;
}

/* Shows up to `most` of the matches found but not shown yet. */
static void
reveal (WevionFilterModel *self, guint most)
{
  guint before = self->n_shown;
  guint n = MIN (most, self->matches->len - self->n_shown);

  if (n == 0)
    return;
  self->n_shown += n;
  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, n);
}

static gboolean
step_cb (gpointer user_data)
{
  WevionFilterModel *self = user_data;
  gboolean more;

  if (revealing_rows (self))
    {
      /* find what the next reveal needs, show a few rows */
      more = examine (self, STEP_EXAMINED, self->batch);
      reveal (self, self->batch);
    }
  else
    {
      more = examine (self, STEP_EXAMINED, G_MAXUINT);
      reveal (self, G_MAXUINT);
    }
  if (!more && self->n_shown == self->matches->len)
    {
      self->step_id = 0;
      stop_scan (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
      return G_SOURCE_REMOVE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
  if (self->paced != revealing_rows (self))
    {
      /* past the top rows: no more pacing */
      self->step_id = 0;
      schedule_step (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
wevion_filter_model_refilter (WevionFilterModel *self, GtkFilterChange change)
{
  guint old_shown;

  g_return_if_fail (WEVION_IS_FILTER_MODEL (self));

  g_clear_handle_id (&self->step_id, g_source_remove);
  if (change == GTK_FILTER_CHANGE_LESS_STRICT)
    {
      /* what is shown (and found) still matches: show the rest of what was found, then look at
       * every other item */
      reveal (self, G_MAXUINT);
      self->scanning = TRUE;
      self->less_strict = TRUE;
      self->scan_pos = 0;
      schedule_step (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
      return;
    }

  /* start over: find the first screenful now, so the list answers the keystroke at once */
  old_shown = self->n_shown;
  g_array_set_size (self->matches, 0);
  self->n_shown = 0;
  self->scanning = TRUE;
  self->less_strict = FALSE;
  self->scan_pos = 0;
  examine (self, FIRST_EXAMINED, self->batch);
  self->n_shown = MIN (self->batch, self->matches->len);
  if (old_shown > 0 || self->n_shown > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_shown, self->n_shown);
  schedule_step (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

void
wevion_filter_model_finish (WevionFilterModel *self)
{
  g_return_if_fail (WEVION_IS_FILTER_MODEL (self));

  /* step_cb runs here by hand, not as a source: no source may stay behind */
  g_clear_handle_id (&self->step_id, g_source_remove);
  while (self->scanning)
    {
      step_cb (self);
      g_clear_handle_id (&self->step_id, g_source_remove);
    }
}

static void
source_items_changed_cb (GListModel *source, guint pos, guint removed, guint added, WevionFilterModel *self)
{
  guint first = lower_bound (self->matches, pos);
  guint last = lower_bound (self->matches, pos + removed);
  guint shown_removed = first < self->n_shown ? MIN (last, self->n_shown) - first : 0;
  gboolean examined = !self->scanning || pos < self->scan_pos;
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  guint shown_added = 0;

  /* the removed items' matches go; those after them move */
  g_array_remove_range (self->matches, first, last - first);
  self->n_shown -= shown_removed;
  for (guint i = first; i < self->matches->len; i++)
    g_array_index (self->matches, guint, i) += added - removed;

  /* items added where the scan has been are examined now; the scan meets the others */
  if (self->scanning && self->scan_pos > pos)
    self->scan_pos = self->scan_pos >= pos + removed ? self->scan_pos + added - removed : pos + added;
  if (examined)
    for (guint p = pos; p < pos + added; p++)
      if (matches_item (self, p))
        g_array_append_val (found, p);
  if (found->len > 0)
    {
      g_array_insert_vals (self->matches, first, found->data, found->len);
      /* in the middle of what is shown (or with nothing held back) they show at once */
      if (first < self->n_shown || !self->scanning || self->less_strict
          || self->n_shown == self->matches->len - found->len)
        {
          shown_added = found->len;
          self->n_shown += found->len;
        }
    }
  if (shown_removed > 0 || shown_added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), MIN (first, self->n_shown), shown_removed, shown_added);
  if (self->scanning)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

WevionFilterModel *
wevion_filter_model_new (GListModel *source, WevionFilterModelFunc func, gpointer user_data)
{
  WevionFilterModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (WEVION_TYPE_FILTER_MODEL, NULL);
  self->source = g_object_ref (source);
  self->func = func;
  self->user_data = user_data;
  g_signal_connect_object (source, "items-changed", G_CALLBACK (source_items_changed_cb), self, 0);
  /* like any new filter: the first screenful now, the rest in steps */
  wevion_filter_model_refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
  return self;
}

static void
wevion_filter_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionFilterModel *self = WEVION_FILTER_MODEL (object);

  switch (prop_id)
    {
    case PROP_PENDING: g_value_set_uint (value, wevion_filter_model_get_pending (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_filter_model_dispose (GObject *object)
{
  WevionFilterModel *self = WEVION_FILTER_MODEL (object);

  stop_scan (self);
  if (self->source)
    g_signal_handlers_disconnect_by_func (self->source, source_items_changed_cb, self);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (wevion_filter_model_parent_class)->dispose (object);
}

static void
wevion_filter_model_finalize (GObject *object)
{
  WevionFilterModel *self = WEVION_FILTER_MODEL (object);

  g_array_unref (self->matches);
  G_OBJECT_CLASS (wevion_filter_model_parent_class)->finalize (object);
}

static void
wevion_filter_model_class_init (WevionFilterModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wevion_filter_model_get_property;
  object_class->dispose = wevion_filter_model_dispose;
  object_class->finalize = wevion_filter_model_finalize;

  properties[PROP_PENDING]
      = g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wevion_filter_model_init (WevionFilterModel *self)
{
  self->matches = g_array_new (FALSE, FALSE, sizeof (guint));
  self->batch = FIRST_ROWS;
}

void
wevion_filter_model_set_screenful (WevionFilterModel *self, guint rows)
{
  g_return_if_fail (WEVION_IS_FILTER_MODEL (self));

  /* a screenful at once is what a keystroke needs; more rows would only cost widgets */
  self->batch = CLAMP (rows, 4, 64);
}
