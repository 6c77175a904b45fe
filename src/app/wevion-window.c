/* wevion-window.c: the Jobs panel: status views, filters, the list of cards and the details. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "wevion-apng-stream.h"
#include "wevion-costs-page.h"
#include "wevion-filter-model.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"
#include "wevion-new-job-dialog.h"
#include "wevion-preferences-window.h"
#include "wevion-window.h"

#define PAGE_SIZE 100
#define SEARCH_DELAY_MS 250
#define MEDIA_MAX_BYTES (64 * 1024 * 1024)   /* a result fetched for playing */
#define MEDIA_MAX_MEMORY (256 * 1024 * 1024) /* an animation's decoded frames */

struct _WevionWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkStack *main_stack;
  AdwEntryRow *server_row;
  AdwPasswordEntryRow *token_row;
  GtkLabel *welcome_error;
  GtkButton *connect_button;
  AdwLeaflet *leaflet;
  GtkWidget *costs_page;        /* issue 6: shown instead of the list and details */
  GtkWidget *details_separator; /* issue 6 */
  AdwHeaderBar *sidebar_header;
  GtkListBox *sidebar;
  AdwHeaderBar *list_header;
  GtkButton *list_back_button;
  AdwWindowTitle *list_title;
  GtkBox *banner_slot;
  GtkBox *filter_bar;
  GtkSearchEntry *search_entry;
  GtkDropDown *type_dropdown;
  GtkDropDown *date_dropdown;
  GtkStack *list_stack;
  GtkScrolledWindow *list_scroller;
  GtkListView *list_view;
  AdwHeaderBar *details_header;
  GtkButton *details_back_button;
  AdwWindowTitle *details_title;
  WevionJobDetails *details;

  /* state */
  WevionApplication *app;
  WevionJobStore *store;
  WevionFilterModel *filtered;
  GtkMultiSelection *selection;
  GtkLabel *count_labels[4];
  GtkWidget *banner;      /* AdwBanner (libadwaita ≥ 1.3) or our own revealer */
  GtkLabel *banner_label; /* only for our own banner */
  GtkButton *banner_button;
  char *banner_action;

  WevionView view;
  WevionJobType type_filter;
  GDateTime *since;
  GDateTime *until;  /* exclusive; only for a custom range */
  guint date_choice; /* the date dropdown's row before "Custom Range…" was picked */
  gboolean picking_range;
  char *search_folded;
  GHashTable *only_ids; /* issue 7: just these jobs (a summary notification's); NULL: no such filter */
  guint search_timeout;
  guint tick_id;
  guint ticks;

  GCancellable *browse_cancellable;
  char *browse_cursor;
  gboolean browse_loading;
  gboolean connecting;
  GCancellable *preview_cancellable;
  GPtrArray *spare_cards; /* cards whose rows GTK threw away, for the next rows */
  guint prefilled;
  guint prefill_id;
};

/* a little more than the ~200 rows GTK 4.8's list view keeps alive */
#define MAX_SPARE_CARDS 256

G_DEFINE_FINAL_TYPE (WevionWindow, wevion_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *const view_names[] = { "active", "completed", "failed", "all" };

/* ---- filtering --------------------------------------------------------------------------- */

static GQuark
card_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wevion-pooled-card");
  return quark;
}

static const char *
folded_prompt (WevionJob *job)
{
  static GQuark quark;
  const char *folded;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wevion-folded-prompt");
  folded = g_object_get_qdata (G_OBJECT (job), quark);
  if (folded == NULL)
    {
      char *value = g_utf8_casefold (wevion_job_get_prompt (job) ? wevion_job_get_prompt (job) : "", -1);
      g_object_set_qdata_full (G_OBJECT (job), quark, value, g_free);
      folded = value;
    }
  return folded;
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  WevionWindow *self = user_data;
  WevionJob *job = item;
  WevionJobStatus status = wevion_job_get_status (job);

  if (wevion_job_store_is_hidden (self->store, wevion_job_get_id (job)))
    return FALSE;
  if (self->only_ids && !g_hash_table_contains (self->only_ids, wevion_job_get_id (job)))
    return FALSE;
  switch (self->view)
    {
    case WEVION_VIEW_ACTIVE:
      if (!wevion_job_status_is_active (status))
        return FALSE;
      break;
    case WEVION_VIEW_COMPLETED:
      if (status != WEVION_JOB_STATUS_COMPLETED)
        return FALSE;
      break;
    case WEVION_VIEW_FAILED:
      if (status != WEVION_JOB_STATUS_FAILED)
        return FALSE;
      break;
    case WEVION_VIEW_ALL:
    default: break;
    }
  if (self->type_filter != WEVION_JOB_TYPE_UNKNOWN && wevion_job_get_job_type (job) != self->type_filter)
    return FALSE;
  if (self->since)
    {
      GDateTime *created = wevion_job_get_created_at (job);
      if (created == NULL || g_date_time_compare (created, self->since) < 0)
        return FALSE;
      if (self->until && g_date_time_compare (created, self->until) >= 0)
        return FALSE;
    }
  if (self->search_folded && *self->search_folded
      && strstr (folded_prompt (job), self->search_folded) == NULL)
    return FALSE;
  return TRUE;
}

static gboolean
filters_active (WevionWindow *self)
{
  return self->type_filter != WEVION_JOB_TYPE_UNKNOWN || self->since != NULL
         || (self->search_folded && *self->search_folded) || self->only_ids != NULL;
}

static void
update_list_page (WevionWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  const char *page = "list";

  /* still filtering: no verdict on emptiness yet */
  if (n == 0 && wevion_filter_model_get_pending (self->filtered) > 0)
    return;
  if (n == 0)
    page = (filters_active (self) || self->view != WEVION_VIEW_ALL)
                   && g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0
               ? "no-match"
               : "empty";
  if (n == 0 && !filters_active (self) && self->view == WEVION_VIEW_ACTIVE
      && g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    page = "no-match";
  gtk_stack_set_visible_child_name (self->list_stack, page);

  {
    g_autofree char *subtitle = g_strdup_printf (ngettext ("%u job", "%u jobs", n), n);
    adw_window_title_set_subtitle (self->list_title, subtitle);
  }
}

static void
refilter (WevionWindow *self)
{
  /* a new answer shows a screenful at once: as many cards as the list's height holds, and one more
   * for the partly visible one at the bottom */
  int height = gtk_widget_get_height (GTK_WIDGET (self->list_view));
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
  int row_height = row ? gtk_widget_get_height (row) : 0;

  if (height > 0)
    wevion_filter_model_set_screenful (self->filtered, height / MAX (row_height, 48) + 2);
  wevion_filter_model_refilter (self->filtered, GTK_FILTER_CHANGE_DIFFERENT);
  update_list_page (self);
}

/* ---- browsing pages from the server (filters sent to it when it supports them) ----------- */

static WevionListQuery *
browse_query (WevionWindow *self)
{
  WevionListQuery *query = wevion_list_query_new ();

  query->limit = PAGE_SIZE;
  switch (self->view)
    {
    case WEVION_VIEW_ACTIVE: query->status = g_strdup ("pending,processing"); break;
    case WEVION_VIEW_COMPLETED: query->status = g_strdup ("completed"); break;
    case WEVION_VIEW_FAILED: query->status = g_strdup ("failed"); break;
    case WEVION_VIEW_ALL:
    default: break;
    }
  if (self->type_filter != WEVION_JOB_TYPE_UNKNOWN)
    query->type = g_strdup (wevion_job_type_to_string (self->type_filter));
  if (self->since)
    query->since = g_date_time_ref (self->since);
  if (self->until)
    query->until = g_date_time_ref (self->until);
  if (self->search_folded && *self->search_folded)
    query->q = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  query->cursor = g_strdup (self->browse_cursor);
  return query;
}

static void scrolled_cb (WevionWindow *self, GtkAdjustment *adjustment);

static gboolean
check_scroll_idle (gpointer user_data)
{
  WevionWindow *self = user_data;

  if (self->list_scroller)
    scrolled_cb (self, gtk_scrolled_window_get_vadjustment (self->list_scroller));
  return G_SOURCE_REMOVE;
}

static void
browse_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  gboolean server_filtered = FALSE;

  jobs = wevion_client_list_finish (WEVION_CLIENT (source), result, &cursor, &server_filtered, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->browse_loading = FALSE;
  if (jobs == NULL)
    {
      /* the poller's banner tells about the connection; nothing is lost from the list */
      g_debug ("Loading a page of jobs failed: %s", error->message);
      return;
    }
  g_free (self->browse_cursor);
  self->browse_cursor = g_steal_pointer (&cursor);
  wevion_job_store_merge (self->store, jobs);
  update_list_page (self);
  /* still at the end (or the page did not fill the view): the next page follows */
  if (self->browse_cursor)
    g_idle_add_full (G_PRIORITY_LOW, check_scroll_idle, g_object_ref (self), g_object_unref);
}

static void
browse (WevionWindow *self, gboolean reset)
{
  WevionClient *client = wevion_application_get_client (self->app);
  g_autoptr (WevionListQuery) query = NULL;

  if (client == NULL)
    return;
  if (reset)
    {
      g_cancellable_cancel (self->browse_cancellable);
      g_clear_object (&self->browse_cancellable);
      g_clear_pointer (&self->browse_cursor, g_free);
      self->browse_loading = FALSE;
    }
  else if (self->browse_loading || self->browse_cursor == NULL)
    return;

  self->browse_cancellable = self->browse_cancellable ? self->browse_cancellable : g_cancellable_new ();
  self->browse_loading = TRUE;
  query = browse_query (self);
  wevion_client_list_async (client, query, self->browse_cancellable, browse_cb, g_object_ref (self));
}

static void
scrolled_cb (WevionWindow *self, GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  /* only a laid-out, visible list can be near its end */
  if (upper > 0 && gtk_widget_get_mapped (GTK_WIDGET (self->list_view)) && value + page >= upper - 600)
    browse (self, FALSE);
}

/* ---- sidebar ----------------------------------------------------------------------------- */

static GtkWidget *
sidebar_row (WevionWindow *self, WevionView view, const char *icon, const char *title)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *count = gtk_label_new ("0");

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, view_names[view]);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, count,
                                  NULL, -1);
  self->count_labels[view] = GTK_LABEL (count);
  gtk_list_box_append (self->sidebar, row);
  return row;
}

static void
update_counts (WevionWindow *self)
{
  guint counts[4];
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint hidden = wevion_job_store_get_n_hidden (self->store);

  counts[WEVION_VIEW_ACTIVE] = wevion_job_store_get_n_active (self->store);
  counts[WEVION_VIEW_COMPLETED] = wevion_job_store_get_n_completed (self->store);
  counts[WEVION_VIEW_FAILED] = wevion_job_store_get_n_failed (self->store);
  counts[WEVION_VIEW_ALL] = total > hidden ? total - hidden : 0;
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", counts[i]);
      gtk_label_set_label (self->count_labels[i], text);
    }
}

static const char *
view_title (WevionView view)
{
  switch (view)
    {
    case WEVION_VIEW_ACTIVE: return _ ("Active");
    case WEVION_VIEW_COMPLETED: return _ ("Completed");
    case WEVION_VIEW_FAILED: return _ ("Failed");
    case WEVION_VIEW_ALL:
    default: return _ ("All Jobs");
    }
}

/* issue 6: the Costs row (under the status views) shows the costs page in place of list + details */
static gboolean
is_costs_row (GtkListBoxRow *row)
{
  return row && g_str_equal (gtk_widget_get_name (GTK_WIDGET (row)), "costs");
}

static void
set_costs_mode (WevionWindow *self, gboolean costs)
{
  gtk_widget_set_visible (self->costs_page, costs);
  gtk_widget_set_visible (adw_leaflet_get_child_by_name (self->leaflet, "list"), !costs);
  gtk_widget_set_visible (self->details_separator, !costs);
  gtk_widget_set_visible (adw_leaflet_get_child_by_name (self->leaflet, "details"), !costs);
}

static void
costs_row_add (WevionWindow *self)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (_ ("Costs"));

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("x-office-spreadsheet-symbolic"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_header (GTK_LIST_BOX_ROW (row), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_widget_set_name (row, "costs");
  gtk_list_box_append (self->sidebar, row);
}

static void
sidebar_selected_cb (WevionWindow *self, GtkListBoxRow *row, GtkListBox *box)
{
  gboolean only_ended;

  if (row == NULL)
    return;
  /* a view picked by hand ends wevion_window_show_only_jobs () */
  only_ended = self->only_ids != NULL;
  g_clear_pointer (&self->only_ids, g_hash_table_unref);
  set_costs_mode (self, is_costs_row (row));
  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    if (g_str_equal (gtk_widget_get_name (GTK_WIDGET (row)), view_names[i]))
      {
        if (self->view != (WevionView) i || only_ended)
          {
            self->view = (WevionView) i;
            adw_window_title_set_title (self->list_title, view_title (self->view));
            g_settings_set_string (wevion_application_get_settings (self->app), "last-view", view_names[i]);
            refilter (self);
            browse (self, TRUE);
          }
        break;
      }
}

static void
sidebar_activated_cb (WevionWindow *self, GtkListBoxRow *row, GtkListBox *box)
{
  adw_leaflet_set_visible_child_name (self->leaflet, is_costs_row (row) ? "costs" : "list");
}

void
wevion_window_set_view (WevionWindow *self, WevionView view)
{
  GtkListBoxRow *row;

  g_return_if_fail (WEVION_IS_WINDOW (self));
  row = gtk_list_box_get_row_at_index (self->sidebar, (int) view);
  gtk_list_box_select_row (self->sidebar, row);
}

/* issue 7: the jobs a summary notification named, all views together, until the user picks a view
 * in the sidebar (every row, "All Jobs" too, is unselected meanwhile) or clears the filters */
void
wevion_window_show_only_jobs (WevionWindow *self, const char *const *ids)
{
  g_return_if_fail (WEVION_IS_WINDOW (self));
  g_return_if_fail (ids != NULL);

  gtk_list_box_unselect_all (self->sidebar);
  set_costs_mode (self, FALSE);
  g_clear_pointer (&self->only_ids, g_hash_table_unref);
  self->only_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; ids[i]; i++)
    g_hash_table_add (self->only_ids, g_strdup (ids[i]));
  self->view = WEVION_VIEW_ALL;
  adw_window_title_set_title (self->list_title, _ ("Just Finished"));
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  refilter (self);
}

/* ---- the list ---------------------------------------------------------------------------- */

static gboolean
is_visual (WevionJob *job)
{
  WevionJobType type = wevion_job_get_job_type (job);

  return type == WEVION_JOB_TYPE_IMAGE || type == WEVION_JOB_TYPE_AVATAR || type == WEVION_JOB_TYPE_COMPOSITE
         || type == WEVION_JOB_TYPE_VIDEO;
}

typedef struct
{
  GWeakRef card;
  WevionJob *job;
} ThumbRequest;

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ThumbRequest *request = user_data;
  g_autoptr (GdkTexture) texture = wevion_thumbnails_load_finish (WEVION_THUMBNAILS (source), result, NULL);
  g_autoptr (WevionJobCard) card = g_weak_ref_get (&request->card);

  /* the card may have been rebound to another job while we fetched */
  if (texture && card && wevion_job_card_get_job (card) == request->job)
    wevion_job_card_set_thumbnail (card, GDK_PAINTABLE (texture));
  g_weak_ref_clear (&request->card);
  g_object_unref (request->job);
  g_free (request);
}

static void
request_thumbnail (WevionWindow *self, WevionJobCard *card, WevionJob *job)
{
  WevionThumbnails *thumbnails = wevion_application_get_thumbnails (self->app);
  const char *url = wevion_job_get_thumbnail_url (job);
  GdkTexture *texture;
  ThumbRequest *request;

  if (wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED || !is_visual (job))
    return;
  texture = wevion_thumbnails_peek (thumbnails, wevion_job_get_id (job));
  if (texture)
    {
      wevion_job_card_set_thumbnail (card, GDK_PAINTABLE (texture));
      return;
    }
  if (url == NULL)
    return;
  request = g_new0 (ThumbRequest, 1);
  g_weak_ref_init (&request->card, card);
  request->job = g_object_ref (job);
  wevion_thumbnails_load_async (thumbnails, wevion_job_get_id (job), url, 4 * 1024 * 1024, NULL, thumbnail_cb,
                                request);
}

static void
job_status_changed_cb (WevionJobCard *card, GParamSpec *pspec, WevionJob *job)
{
  WevionWindow *self = WEVION_WINDOW (gtk_widget_get_root (GTK_WIDGET (card)));

  if (self && WEVION_IS_WINDOW (self) && wevion_job_card_get_job (card) == job)
    request_thumbnail (self, card, job);
}

static void
factory_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, WevionWindow *self)
{
  GtkWidget *card;

  /* GTK 4.8's list view keeps about 200 rows alive and throws them all away when a search
   * empties the list; building a card from its template costs far more than binding one, so
   * cards outlive their rows and wait in a pool for the next row that needs one. */
  if (self->spare_cards->len > 0)
    card = g_ptr_array_steal_index_fast (self->spare_cards, self->spare_cards->len - 1);
  else
    card = g_object_ref_sink (wevion_job_card_new ());
  g_object_set_qdata_full (G_OBJECT (item), card_quark (), card, g_object_unref);
  gtk_list_item_set_child (item, card);
}

/* A few spare cards made while the app is idle, so that even the first search finds rows ready
 * (the rows GTK throws away only reach the pool after the new ones are built). */
#define PREFILLED_CARDS 16

static gboolean
prefill_cards_cb (gpointer user_data)
{
  WevionWindow *self = user_data;

  if (self->spare_cards == NULL || self->prefilled >= PREFILLED_CARDS)
    {
      self->prefill_id = 0;
      return G_SOURCE_REMOVE;
    }
  g_ptr_array_add (self->spare_cards, g_object_ref_sink (wevion_job_card_new ()));
  self->prefilled++;
  return G_SOURCE_CONTINUE;
}

static void
factory_teardown_cb (GtkSignalListItemFactory *factory, GtkListItem *item, WevionWindow *self)
{
  GtkWidget *card = g_object_steal_qdata (G_OBJECT (item), card_quark ());

  if (card == NULL)
    return;
  if (gtk_list_item_get_child (item) == card)
    gtk_list_item_set_child (item, NULL);
  if (self->spare_cards && self->spare_cards->len < MAX_SPARE_CARDS && gtk_widget_get_parent (card) == NULL)
    g_ptr_array_add (self->spare_cards, card);
  else
    g_object_unref (card);
}

static void
factory_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, WevionWindow *self)
{
  WevionJobCard *card = WEVION_JOB_CARD (gtk_list_item_get_child (item));
  WevionJob *job = gtk_list_item_get_item (item);

  wevion_job_card_set_job (card, job);
  request_thumbnail (self, card, job);
  /* a job that completes while visible gets its thumbnail then */
  g_signal_connect_object (job, "notify::status", G_CALLBACK (job_status_changed_cb), card,
                           G_CONNECT_SWAPPED);
}

static void
factory_unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, WevionWindow *self)
{
  WevionJobCard *card = WEVION_JOB_CARD (gtk_list_item_get_child (item));
  WevionJob *job = gtk_list_item_get_item (item);

  if (job)
    g_signal_handlers_disconnect_by_func (job, job_status_changed_cb, card);
  wevion_job_card_set_job (card, NULL);
}

static gboolean
tick_cb (gpointer user_data)
{
  WevionWindow *self = user_data;

  /* relative times ("2 min ago") on finished jobs change slowly: refresh the live cards now and then */
  if (++self->ticks % 30 == 0)
    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_view)); row;
         row = gtk_widget_get_next_sibling (row))
      {
        GtkWidget *card = gtk_widget_get_first_child (row);
        WevionJob *job
            = card && WEVION_IS_JOB_CARD (card) ? wevion_job_card_get_job (WEVION_JOB_CARD (card)) : NULL;
        if (job)
          g_object_notify (G_OBJECT (job), "elapsed");
      }
  return G_SOURCE_CONTINUE;
}

/* ---- details ----------------------------------------------------------------------------- */

static void
preview_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = wevion_thumbnails_load_finish (WEVION_THUMBNAILS (source), result, &error);

  if (texture)
    wevion_job_details_set_preview (self->details, GDK_PAINTABLE (texture));
}

/* Playable results (video, speech) are kept in the cache folder, so they play again offline */
static char *
media_cache_path (WevionJob *job)
{
  g_autofree char *name = g_compute_checksum_for_string (G_CHECKSUM_SHA1, wevion_job_get_id (job), -1);

  return g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "media", name, NULL);
}

typedef struct
{
  char *job_id;
  char *path;
  GBytes *bytes; /* fetched, to keep at @path; NULL: play what is kept there */
} MediaWork;

static void
media_work_free (MediaWork *work)
{
  g_free (work->job_id);
  g_free (work->path);
  g_clear_pointer (&work->bytes, g_bytes_unref);
  g_free (work);
}

/* Off the main loop: keep the fetched result (or read the kept one) and decode an animation, which
 * can take a while for a long one. Returns the animation, or NULL when the file is for GTK's media
 * backend (it reads the file itself). */
static void
media_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  MediaWork *work = data;
  GError *error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (work->bytes)
    {
      g_autofree char *dir = g_path_get_dirname (work->path);

      bytes = g_bytes_ref (work->bytes);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
          return;
        }
      if (!g_file_set_contents (work->path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    {
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (work->path, &contents, &length, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      bytes = g_bytes_new_take (contents, length);
    }
  /* wevion-hub renders videos as animated PNGs, which GTK's media backends do not play */
  if (wevion_apng_is_png (bytes))
    {
      WevionApngStream *stream = wevion_apng_stream_new (bytes, MEDIA_MAX_MEMORY, &error);

      if (stream == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, stream, g_object_unref);
      return;
    }
  g_task_return_pointer (task, NULL, NULL);
}

static void fetch_media (WevionWindow *self, WevionJob *job);

static void
media_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WevionWindow *self = WEVION_WINDOW (source);
  MediaWork *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GtkMediaStream) stream = g_task_propagate_pointer (G_TASK (result), &error);
  WevionJob *job = wevion_job_details_get_job (self->details);

  if (job == NULL || g_strcmp0 (wevion_job_get_id (job), work->job_id) != 0)
    return; /* another job is shown now */
  if (error)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("The result cannot be played: %s", error->message);
      /* nothing kept that plays: fetch it afresh */
      if (work->bytes == NULL)
        fetch_media (self, job);
      return;
    }
  if (stream == NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (work->path);
      stream = gtk_media_file_new_for_file (file);
    }
  wevion_job_details_set_media (self->details, stream);
}

/* @bytes NULL: play what is kept for @job */
static void
prepare_media (WevionWindow *self, WevionJob *job, GBytes *bytes)
{
  g_autoptr (GTask) task = g_task_new (self, self->preview_cancellable, media_ready_cb, NULL);
  MediaWork *work = g_new0 (MediaWork, 1);

  work->job_id = g_strdup (wevion_job_get_id (job));
  work->path = media_cache_path (job);
  work->bytes = bytes ? g_bytes_ref (bytes) : NULL;
  g_task_set_task_data (task, work, (GDestroyNotify) media_work_free);
  g_task_run_in_thread (task, media_thread);
}

static void
media_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = wevion_fetch_bytes_finish (result, &error);
  WevionJob *job = wevion_job_details_get_job (self->details);

  if (bytes == NULL || job == NULL)
    {
      /* the thumbnail (or the type's icon) stays; the files list still offers Open */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("The result could not be loaded for playing: %s", error ? error->message : "no job");
      return;
    }
  prepare_media (self, job, bytes);
}

static void
fetch_media (WevionWindow *self, WevionJob *job)
{
  const char *const *urls = wevion_job_get_result_urls (job);
  guint index = wevion_job_details_get_selected_result (self->details);

  if (urls == NULL || urls[0] == NULL)
    return;
  if (index >= g_strv_length ((char **) urls))
    index = 0;
  wevion_fetch_bytes_async (urls[index], MEDIA_MAX_BYTES, self->preview_cancellable, media_cb,
                            g_object_ref (self));
}

static void
load_media (WevionWindow *self, WevionJob *job)
{
  g_autofree char *path = media_cache_path (job);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    prepare_media (self, job, NULL); /* played before: no network needed */
  else
    fetch_media (self, job);
}

static void
show_details (WevionWindow *self, WevionJob *job)
{
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  wevion_job_details_set_job (self->details, job);
  adw_window_title_set_title (self->details_title,
                              job ? wevion_job_type_get_label (wevion_job_get_job_type (job)) : "");
  adw_window_title_set_subtitle (self->details_title, job ? wevion_job_get_provider (job) : "");

  if (job && wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED && is_visual (job))
    {
      WevionThumbnails *thumbnails = wevion_application_get_thumbnails (self->app);
      const char *const *urls = wevion_job_get_result_urls (job);
      WevionJobType type = wevion_job_get_job_type (job);
      /* images preview themselves; other visual kinds show their thumbnail */
      const char *url
          = type == WEVION_JOB_TYPE_VIDEO || urls[0] == NULL ? wevion_job_get_thumbnail_url (job) : urls[0];
      g_autofree char *key = g_strconcat (wevion_job_get_id (job), "/preview", NULL);

      if (url)
        {
          self->preview_cancellable = g_cancellable_new ();
          wevion_thumbnails_load_async (thumbnails, key, url, 32 * 1024 * 1024, self->preview_cancellable,
                                        preview_cb, g_object_ref (self));
        }
    }
  if (job && wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED
      && (wevion_job_get_job_type (job) == WEVION_JOB_TYPE_VIDEO
          || wevion_job_get_job_type (job) == WEVION_JOB_TYPE_TTS))
    {
      if (self->preview_cancellable == NULL)
        self->preview_cancellable = g_cancellable_new ();
      load_media (self, job);
    }
}

static void
selection_changed_cb (WevionWindow *self, guint position, guint n_items, GtkSelectionModel *model)
{
  g_autoptr (GtkBitset) selected = gtk_selection_model_get_selection (model);
  guint n = (guint) gtk_bitset_get_size (selected);

  if (n == 1)
    {
      g_autoptr (WevionJob) job
          = g_list_model_get_item (G_LIST_MODEL (model), gtk_bitset_get_nth (selected, 0));
      show_details (self, job);
    }
  wevion_job_details_set_n_selected (self->details, n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-prompt", n == 1);
}

static void
list_activated_cb (WevionWindow *self, guint position, GtkListView *view)
{
  g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  show_details (self, job);
  adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

void
wevion_window_show_job (WevionWindow *self, const char *job_id)
{
  WevionJob *job;
  guint n;

  g_return_if_fail (WEVION_IS_WINDOW (self));
  job = wevion_job_store_lookup (self->store, job_id);
  if (job == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_ ("That job is not in the panel any more")));
      return;
    }
  if (gtk_widget_get_visible (self->costs_page)) /* issue 6: leave the costs page */
    wevion_window_set_view (self, self->view);
  /* make sure the current filters show it */
  if (!filter_func (job, self))
    {
      self->type_filter = WEVION_JOB_TYPE_UNKNOWN;
      g_clear_pointer (&self->since, g_date_time_unref);
      g_clear_pointer (&self->until, g_date_time_unref);
      gtk_drop_down_set_selected (self->type_dropdown, 0);
      gtk_drop_down_set_selected (self->date_dropdown, 0);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      g_clear_pointer (&self->search_folded, g_free);
      wevion_window_set_view (self, WEVION_VIEW_ALL);
      refilter (self);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) item = g_list_model_get_item (G_LIST_MODEL (self->selection), i);
      if (item == job)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          break;
        }
    }
  show_details (self, job);
  adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

GListModel *
wevion_window_get_visible_jobs (WevionWindow *self)
{
  g_return_val_if_fail (WEVION_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/* ---- filters ----------------------------------------------------------------------------- */

static gboolean
search_timeout_cb (gpointer user_data)
{
  WevionWindow *self = user_data;

  self->search_timeout = 0;
  browse (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (WevionWindow *self, GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_autofree char *old = g_steal_pointer (&self->search_folded);

  self->search_folded = *text ? g_utf8_casefold (text, -1) : NULL;
  if (g_strcmp0 (old, self->search_folded) == 0)
    return;
  /* Shortening the search (or clearing it) only lets more jobs in: the list keeps what it shows
   * and adds the rest as the filter finds them, instead of starting over. */
  if (old && (self->search_folded == NULL || strstr (old, self->search_folded) != NULL))
    {
      wevion_filter_model_refilter (self->filtered, GTK_FILTER_CHANGE_LESS_STRICT);
      update_list_page (self);
    }
  else
    refilter (self);
  /* ask the server for older matches once typing pauses */
  g_clear_handle_id (&self->search_timeout, g_source_remove);
  self->search_timeout = g_timeout_add (SEARCH_DELAY_MS, search_timeout_cb, self);
}

void
wevion_window_set_search_text (WevionWindow *self, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  search_changed_cb (self, self->search_entry);
}

static void
type_changed_cb (WevionWindow *self, GParamSpec *pspec, GtkDropDown *dropdown)
{
  /* the dropdown's rows follow the enum: All, Image, Video, Avatar, Speech, Composite */
  self->type_filter = (WevionJobType) gtk_drop_down_get_selected (dropdown);
  if (self->type_filter > WEVION_JOB_TYPE_LAST)
    self->type_filter = WEVION_JOB_TYPE_UNKNOWN;
  refilter (self);
  browse (self, TRUE);
}

void
wevion_window_set_type_filter (WevionWindow *self, WevionJobType type)
{
  gtk_drop_down_set_selected (self->type_dropdown, (guint) type);
}

static GDateTime *
local_midnight (GDateTime *time)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (time);

  return g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                                g_date_time_get_day_of_month (local), 0, 0, 0);
}

#define DATE_CUSTOM 5

void
wevion_window_set_custom_range (WevionWindow *self, GDateTime *first_day, GDateTime *last_day)
{
  g_autoptr (GDateTime) last = local_midnight (last_day);

  g_clear_pointer (&self->since, g_date_time_unref);
  g_clear_pointer (&self->until, g_date_time_unref);
  self->since = local_midnight (first_day);
  self->until = g_date_time_add_days (last, 1);
  if (g_date_time_compare (self->since, self->until) >= 0)
    {
      /* picked backwards: take the days the other way round */
      GDateTime *swap = g_date_time_add_days (self->since, 1);
      g_date_time_unref (self->since);
      self->since = g_date_time_add_days (self->until, -1);
      g_date_time_unref (self->until);
      self->until = swap;
    }
  {
    g_autofree char *from = g_date_time_format (self->since, _ ("%-d %b %Y"));
    g_autoptr (GDateTime) end = g_date_time_add_days (self->until, -1);
    g_autofree char *to = g_date_time_format (end, _ ("%-d %b %Y"));
    /* Translators: a custom date range, e.g. "1 Nov 2026 – 12 Nov 2026" */
    g_autofree char *tip = g_strdup_printf (_ ("%s – %s"), from, to);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->date_dropdown), tip);
  }
  self->date_choice = DATE_CUSTOM;
  if (gtk_drop_down_get_selected (self->date_dropdown) != DATE_CUSTOM)
    {
      self->picking_range = TRUE; /* selecting the row must not open the dialog again */
      gtk_drop_down_set_selected (self->date_dropdown, DATE_CUSTOM);
      self->picking_range = FALSE;
    }
  refilter (self);
  browse (self, TRUE);
}

typedef struct
{
  WevionWindow *self;
  GtkCalendar *from;
  GtkCalendar *to;
  gboolean applied;
} RangeDialog;

static void
range_apply_cb (GtkWidget *button, RangeDialog *range)
{
  g_autoptr (GDateTime) from = gtk_calendar_get_date (range->from);
  g_autoptr (GDateTime) to = gtk_calendar_get_date (range->to);

  range->applied = TRUE;
  wevion_window_set_custom_range (range->self, from, to);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (button)));
}

static void
range_destroyed_cb (GtkWidget *dialog, RangeDialog *range)
{
  WevionWindow *self = range->self;

  /* canceled: back to what was chosen before */
  if (!range->applied && self->date_choice != DATE_CUSTOM)
    gtk_drop_down_set_selected (self->date_dropdown, self->date_choice);
  g_object_unref (self);
  g_free (range);
}

static GtkWidget *
calendar_column (const char *title, GtkCalendar **calendar, GDateTime *date)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  *calendar = GTK_CALENDAR (gtk_calendar_new ());
  gtk_calendar_select_day (*calendar, date);
  gtk_accessible_update_property (GTK_ACCESSIBLE (*calendar), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*calendar));
  return box;
}

static void
pick_custom_range (WevionWindow *self)
{
  RangeDialog *range = g_new0 (RangeDialog, 1);
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_ ("_Cancel"));
  GtkWidget *apply = gtk_button_new_with_mnemonic (_ ("_Show Jobs"));
  GtkWidget *calendars = gtk_flow_box_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) week = g_date_time_add_days (now, -6);

  range->self = g_object_ref (self);
  gtk_window_set_title (GTK_WINDOW (dialog), _ ("Jobs Submitted Between"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_resizable (GTK_WINDOW (dialog), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_widget_add_css_class (apply, "suggested-action");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), dialog);
  g_signal_connect (apply, "clicked", G_CALLBACK (range_apply_cb), range);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), apply);
  gtk_box_append (GTK_BOX (content), header);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (calendars), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (calendars), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (calendars), 24);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (calendars), 18);
  gtk_widget_set_margin_top (calendars, 18);
  gtk_widget_set_margin_bottom (calendars, 18);
  gtk_widget_set_margin_start (calendars, 18);
  gtk_widget_set_margin_end (calendars, 18);
  gtk_flow_box_append (GTK_FLOW_BOX (calendars),
                       calendar_column (_ ("From"), &range->from, self->since ? self->since : week));
  {
    g_autoptr (GDateTime) last = self->until ? g_date_time_add_days (self->until, -1) : g_date_time_ref (now);
    gtk_flow_box_append (GTK_FLOW_BOX (calendars), calendar_column (_ ("To"), &range->to, last));
  }
  gtk_box_append (GTK_BOX (content), calendars);
  adw_window_set_content (ADW_WINDOW (dialog), content);
  g_signal_connect (dialog, "destroy", G_CALLBACK (range_destroyed_cb), range);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
date_changed_cb (WevionWindow *self, GParamSpec *pspec, GtkDropDown *dropdown)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) midnight = local_midnight (now);
  guint choice = gtk_drop_down_get_selected (dropdown);

  if (choice == DATE_CUSTOM)
    {
      if (!self->picking_range)
        pick_custom_range (self);
      return;
    }
  self->date_choice = choice;
  gtk_widget_set_tooltip_text (GTK_WIDGET (dropdown), _ ("Filter by Date"));
  g_clear_pointer (&self->since, g_date_time_unref);
  g_clear_pointer (&self->until, g_date_time_unref);
  switch (choice)
    {
    case 1: self->since = g_date_time_ref (midnight); break;
    case 2: self->since = g_date_time_add_days (midnight, -6); break;
    case 3: self->since = g_date_time_add_days (midnight, -29); break;
    case 4:
      self->since
          = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0);
      break;
    default: break;
    }
  refilter (self);
  browse (self, TRUE);
}

void
wevion_window_set_date_filter (WevionWindow *self, guint range)
{
  gtk_drop_down_set_selected (self->date_dropdown, range);
}

/* ---- banner: offline, server errors, token refused ---------------------------------------- */

static void
banner_clicked_cb (WevionWindow *self)
{
  if (self->banner_action)
    gtk_widget_activate_action (GTK_WIDGET (self), self->banner_action, NULL);
}

static void
create_banner (WevionWindow *self)
{
#if ADW_CHECK_VERSION(1, 3, 0)
  self->banner = adw_banner_new ("");
  g_signal_connect_swapped (self->banner, "button-clicked", G_CALLBACK (banner_clicked_cb), self);
#else
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *clamp = adw_clamp_new ();

  self->banner = gtk_revealer_new ();
  gtk_widget_add_css_class (box, "wevion-banner");
  self->banner_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->banner_label, TRUE);
  gtk_label_set_xalign (self->banner_label, 0.5);
  gtk_widget_set_hexpand (GTK_WIDGET (self->banner_label), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->banner_label));
  self->banner_button = GTK_BUTTON (gtk_button_new ());
  gtk_button_set_use_underline (self->banner_button, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->banner_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->banner_button, "clicked", G_CALLBACK (banner_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->banner_button));
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1000);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_revealer_set_child (GTK_REVEALER (self->banner), clamp);
  gtk_revealer_set_transition_type (GTK_REVEALER (self->banner), GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
#endif
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->banner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Connection status"), -1);
  gtk_box_append (self->banner_slot, self->banner);
}

static void
set_banner (WevionWindow *self, const char *text, const char *button, const char *action)
{
  g_free (self->banner_action);
  self->banner_action = g_strdup (action);
#if ADW_CHECK_VERSION(1, 3, 0)
  if (text)
    {
      /* AdwBanner titles are markup; the text may quote the server */
      g_autofree char *escaped = g_markup_escape_text (text, -1);

      adw_banner_set_title (ADW_BANNER (self->banner), escaped);
      adw_banner_set_button_label (ADW_BANNER (self->banner), button);
    }
  adw_banner_set_revealed (ADW_BANNER (self->banner), text != NULL);
#else
  if (text)
    {
      gtk_label_set_label (self->banner_label, text);
      gtk_button_set_label (self->banner_button, button);
      gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button != NULL);
    }
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner), text != NULL);
#endif
}

static void
poller_state_cb (WevionWindow *self)
{
  WevionPoller *poller = wevion_application_get_poller (self->app);
  const GError *error;
  g_autofree char *text = NULL;

  if (poller == NULL)
    {
      set_banner (self, NULL, NULL, NULL);
      return;
    }
  error = wevion_poller_get_last_error (poller);
  switch (wevion_poller_get_state (poller))
    {
    case WEVION_POLLER_STATE_BACKING_OFF:
    case WEVION_POLLER_STATE_OFFLINE:
      {
        g_autofree char *what = error ? wevion_application_describe_error (error)
                                      : g_strdup (_ ("The Creative Hub cannot be reached."));
        int next = wevion_poller_get_next_poll_in (poller);
        if (wevion_poller_get_state (poller) == WEVION_POLLER_STATE_OFFLINE)
          text = g_strdup_printf (
              _ ("You are offline. The list shows what was known; it updates when the network is back."));
        else if (next > 0)
          text = g_strdup_printf (
              ngettext ("%s Trying again in %d second.", "%s Trying again in %d seconds.", next), what, next);
        else
          text = g_strdup (what);
        set_banner (self, text, _ ("_Retry Now"), "win.refresh");
      }
      break;
    case WEVION_POLLER_STATE_UNAUTHORIZED:
      set_banner (self, _ ("The server refused the API token. It may have been revoked."),
                  _ ("_Sign In Again"), "win.sign-in-again");
      break;
    case WEVION_POLLER_STATE_IDLE:
    case WEVION_POLLER_STATE_POLLING:
    default: set_banner (self, NULL, NULL, NULL); break;
    }
}

/* ---- connection: welcome, loading, panel --------------------------------------------------- */

void
wevion_window_update_connection (WevionWindow *self)
{
  WevionPoller *poller;

  switch (wevion_application_get_connection (self->app))
    {
    case WEVION_CONNECTION_NONE:
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
      if (wevion_application_get_server_url (self->app)
          && !*gtk_editable_get_text (GTK_EDITABLE (self->server_row)))
        gtk_editable_set_text (GTK_EDITABLE (self->server_row),
                               wevion_application_get_server_url (self->app));
      break;
    case WEVION_CONNECTION_CONNECTING:
      if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0 && !self->connecting)
        gtk_stack_set_visible_child_name (self->main_stack, "loading");
      else if (!self->connecting)
        gtk_stack_set_visible_child_name (self->main_stack, "panel");
      break;
    case WEVION_CONNECTION_READY:
    default:
      gtk_stack_set_visible_child_name (self->main_stack, "panel");
      poller = wevion_application_get_poller (self->app);
      if (poller)
        {
          g_signal_handlers_disconnect_by_func (poller, poller_state_cb, self);
          g_signal_connect_object (poller, "notify::state", G_CALLBACK (poller_state_cb), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (poller, "notify::next-poll-in", G_CALLBACK (poller_state_cb), self,
                                   G_CONNECT_SWAPPED);
          poller_state_cb (self);
        }
      browse (self, TRUE);
      break;
    }
}

/* On the welcome page nothing retries by itself: say what to check. */
static char *
welcome_error_text (const GError *error)
{
  const char *hint = NULL;

  if (error->domain == WEVION_CLIENT_ERROR)
    switch (error->code)
      {
      case WEVION_CLIENT_ERROR_NETWORK:
      case WEVION_CLIENT_ERROR_TIMEOUT: hint = _ ("Check the address and that the server is running."); break;
      case WEVION_CLIENT_ERROR_UNAUTHORIZED:
        hint = _ ("Check the token, or create a new one in Wevion.");
        break;
      case WEVION_CLIENT_ERROR_TLS: hint = _ ("The server’s certificate could not be trusted."); break;
      case WEVION_CLIENT_ERROR_NOT_FOUND:
      case WEVION_CLIENT_ERROR_INVALID_RESPONSE:
        hint = _ ("Check that the address is the Creative Hub’s.");
        break;
      default: break;
      }
  return hint ? g_strdup_printf ("%s. %s", error->message, hint) : g_strdup (error->message);
}

static void
connect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WevionWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  self->connecting = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), TRUE);
  if (!wevion_application_connect_finish (WEVION_APPLICATION (source), result, &error))
    {
      g_autofree char *text = welcome_error_text (error);
      gtk_label_set_label (self->welcome_error, text);
      gtk_widget_set_visible (GTK_WIDGET (self->welcome_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->welcome_error), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  wevion_window_update_connection (self);
}

static void
connect_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  g_autofree char *server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (*server == '\0' || *token == '\0')
    {
      gtk_label_set_label (self->welcome_error, _ ("Enter the server address and your API token."));
      gtk_widget_set_visible (GTK_WIDGET (self->welcome_error), TRUE);
      return;
    }
  self->connecting = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), FALSE);
  gtk_label_set_label (self->welcome_error, "");
  wevion_application_connect_async (self->app, server, token, NULL, connect_cb, g_object_ref (self));
}

static void
sign_in_again_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);

  wevion_application_sign_out (self->app);
  wevion_window_update_connection (self);
}

/* ---- window actions ---------------------------------------------------------------------- */

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  WevionPoller *poller = wevion_application_get_poller (self->app);

  if (poller)
    wevion_poller_poll_now (poller);
  browse (self, TRUE);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
clear_filters_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->type_dropdown, 0);
  gtk_drop_down_set_selected (self->date_dropdown, 0);
  wevion_window_set_view (self, WEVION_VIEW_ALL);
}

static void
show_sidebar_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_leaflet_set_visible_child_name (WEVION_WINDOW (widget)->leaflet, "sidebar");
}

static void
show_list_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_leaflet_set_visible_child_name (WEVION_WINDOW (widget)->leaflet, "list");
}

static void
preferences_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  GtkWidget *preferences = wevion_preferences_window_new (self->app);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
new_generation_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  wevion_window_new_generation (WEVION_WINDOW (widget), NULL);
}

void
wevion_window_new_generation (WevionWindow *self, WevionJob *job)
{
  GtkWidget *dialog;

  g_return_if_fail (WEVION_IS_WINDOW (self));
  if (wevion_application_get_client (self->app) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_ ("Connect to a Creative Hub first")));
      return;
    }
  dialog = wevion_new_job_dialog_new (self->app, job);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_prompt_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  WevionJob *job = wevion_job_details_get_job (self->details);

  if (job == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), wevion_job_get_prompt (job));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_ ("Prompt copied")));
}

static GPtrArray *
selected_jobs (WevionWindow *self)
{
  g_autoptr (GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = (guint) gtk_bitset_get_size (set);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (jobs,
                     g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_nth (set, i)));
  return jobs;
}

static void
bulk_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  g_autoptr (GPtrArray) jobs = selected_jobs (self);
  const char *app_action = NULL;

  if (g_str_equal (action_name, "win.download-selected"))
    app_action = "app.download-job";
  else if (g_str_equal (action_name, "win.retry-selected"))
    app_action = "app.retry-job";
  else if (g_str_equal (action_name, "win.hide-selected"))
    app_action = "app.hide-job";
  g_return_if_fail (app_action != NULL);

  for (guint i = 0; i < jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);
      if (g_str_equal (app_action, "app.download-job")
          && wevion_job_get_status (job) != WEVION_JOB_STATUS_COMPLETED)
        continue;
      if (g_str_equal (app_action, "app.retry-job") && !wevion_job_get_is_retryable (job))
        continue;
      gtk_widget_activate_action (widget, app_action, "s", wevion_job_get_id (job));
    }
}

static void
hide_focused_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  g_autoptr (GPtrArray) jobs = selected_jobs (self);

  for (guint i = 0; i < jobs->len; i++)
    gtk_widget_activate_action (widget, "app.hide-job", "s", wevion_job_get_id (g_ptr_array_index (jobs, i)));
}

static void
job_shortcut_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  WevionWindow *self = WEVION_WINDOW (widget);
  WevionJob *job = wevion_job_details_get_job (self->details);

  if (job == NULL)
    return;
  if (g_str_equal (action_name, "win.download-focused")
      && wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
    gtk_widget_activate_action (widget, "app.download-job", "s", wevion_job_get_id (job));
  else if (g_str_equal (action_name, "win.retry-focused") && wevion_job_get_is_retryable (job))
    gtk_widget_activate_action (widget, "app.retry-job", "s", wevion_job_get_id (job));
}

/* ---- life cycle -------------------------------------------------------------------------- */

static void
folded_cb (WevionWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_widget_set_visible (GTK_WIDGET (self->list_back_button), folded);
  gtk_widget_set_visible (GTK_WIDGET (self->details_back_button), folded);
  adw_header_bar_set_show_end_title_buttons (self->sidebar_header, folded);
  adw_header_bar_set_show_start_title_buttons (self->list_header, folded);
  adw_header_bar_set_show_end_title_buttons (self->list_header, folded);
  adw_header_bar_set_show_start_title_buttons (self->details_header, folded);
  /* narrow: the filters go under the search entry, and a click opens the job's page */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->filter_bar),
                                  folded ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_list_view_set_single_click_activate (self->list_view, folded);
  wevion_costs_page_set_narrow (WEVION_COSTS_PAGE (self->costs_page), folded); /* issue 6 */
}

static void
store_changed_cb (WevionWindow *self)
{
  update_counts (self);
  update_list_page (self);
}

static void
setup (WevionWindow *self, WevionApplication *app)
{
  GtkListItemFactory *factory;
  GSettings *settings;
  g_autofree char *last_view = NULL;
  const char *size;

  self->app = app;
  self->store = g_object_ref (wevion_application_get_store (self->app));
  settings = wevion_application_get_settings (self->app);

  /* sidebar: status views with live counts */
  sidebar_row (self, WEVION_VIEW_ACTIVE, "emblem-synchronizing-symbolic", _ ("Active"));
  sidebar_row (self, WEVION_VIEW_COMPLETED, "object-select-symbolic", _ ("Completed"));
  sidebar_row (self, WEVION_VIEW_FAILED, "dialog-warning-symbolic", _ ("Failed"));
  sidebar_row (self, WEVION_VIEW_ALL, "view-list-symbolic", _ ("All Jobs"));
  costs_row_add (self); /* issue 6 */

  /* store → filter → selection → list view */
  self->filtered = wevion_filter_model_new (G_LIST_MODEL (self->store), filter_func, self);
  /* long histories filter in steps between frames: typing never waits for the whole list */
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind_cb), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (factory_teardown_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_enable_rubberband (self->list_view, TRUE);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->list_view, "activate", G_CALLBACK (list_activated_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->list_scroller), "value-changed",
                            G_CALLBACK (scrolled_cb), self);
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "hidden-changed", G_CALLBACK (refilter), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_list_page), self);
  g_signal_connect_swapped (self->filtered, "notify::pending", G_CALLBACK (update_list_page), self);

  create_banner (self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (folded_cb), self);
  folded_cb (self);

  /* the view and window size the user left */
  last_view = g_settings_get_string (settings, "last-view");
  self->view = WEVION_VIEW_ALL;
  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    if (g_str_equal (last_view, view_names[i]))
      self->view = (WevionView) i;
  adw_window_title_set_title (self->list_title, view_title (self->view));
  gtk_list_box_select_row (self->sidebar, gtk_list_box_get_row_at_index (self->sidebar, (int) self->view));
  g_signal_connect_swapped (self->sidebar, "row-selected", G_CALLBACK (sidebar_selected_cb), self);
  g_signal_connect_swapped (self->sidebar, "row-activated", G_CALLBACK (sidebar_activated_cb), self);

  size = g_getenv ("WEVION_WINDOW_SIZE");
  if (size && strchr (size, 'x'))
    gtk_window_set_default_size (GTK_WINDOW (self), atoi (size), atoi (strchr (size, 'x') + 1));
  else
    {
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  update_counts (self);
  refilter (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-prompt", FALSE);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  self->prefill_id = g_idle_add_full (G_PRIORITY_LOW, prefill_cards_cb, self, NULL);
  wevion_window_update_connection (self);
}

static gboolean
wevion_window_close_request (GtkWindow *window)
{
  WevionWindow *self = WEVION_WINDOW (window);
  GSettings *settings = wevion_application_get_settings (self->app);
  int width, height;

  if (g_getenv ("WEVION_WINDOW_SIZE") == NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (wevion_window_parent_class)->close_request (window);
}

static void
wevion_window_dispose (GObject *object)
{
  WevionWindow *self = WEVION_WINDOW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->prefill_id, g_source_remove);
  g_clear_handle_id (&self->search_timeout, g_source_remove);
  g_cancellable_cancel (self->browse_cancellable);
  g_clear_object (&self->browse_cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  if (self->list_view)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_pointer (&self->spare_cards, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), WEVION_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->store);
  g_clear_pointer (&self->since, g_date_time_unref);
  g_clear_pointer (&self->until, g_date_time_unref);
  g_clear_pointer (&self->search_folded, g_free);
  g_clear_pointer (&self->only_ids, g_hash_table_unref);
  g_clear_pointer (&self->browse_cursor, g_free);
  g_clear_pointer (&self->banner_action, g_free);
  G_OBJECT_CLASS (wevion_window_parent_class)->dispose (object);
}

static void
wevion_window_class_init (WevionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wevion_window_dispose;
  window_class->close_request = wevion_window_close_request;

  g_type_ensure (WEVION_TYPE_JOB_DETAILS);
  g_type_ensure (WEVION_TYPE_COSTS_PAGE); /* issue 6 */

  gtk_widget_class_set_template_from_resource (widget_class, "/com/wevion/Jobs/wevion-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, welcome_error);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, costs_page);        /* issue 6 */
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, details_separator); /* issue 6 */
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_header);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_back_button);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, banner_slot);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, type_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, date_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_scroller);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, details_header);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, details_back_button);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, details_title);
  gtk_widget_class_bind_template_child (widget_class, WevionWindow, details);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, date_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in-again", NULL, sign_in_again_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "win.new-generation", NULL, new_generation_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.copy-prompt", NULL, copy_prompt_action);
  gtk_widget_class_install_action (widget_class, "win.download-selected", NULL, bulk_action);
  gtk_widget_class_install_action (widget_class, "win.retry-selected", NULL, bulk_action);
  gtk_widget_class_install_action (widget_class, "win.hide-selected", NULL, bulk_action);
  gtk_widget_class_install_action (widget_class, "win.hide-focused", NULL, hide_focused_action);
  gtk_widget_class_install_action (widget_class, "win.download-focused", NULL, job_shortcut_action);
  gtk_widget_class_install_action (widget_class, "win.retry-focused", NULL, job_shortcut_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.hide-focused", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.download-focused",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.retry-focused", NULL);
}

static void
wevion_window_init (WevionWindow *self)
{
  self->view = WEVION_VIEW_ALL;
  self->spare_cards = g_ptr_array_new_full (MAX_SPARE_CARDS, g_object_unref); /* never grows mid-search */
  gtk_widget_init_template (GTK_WIDGET (self));
}

WevionWindow *
wevion_window_new (WevionApplication *app)
{
  WevionWindow *self = g_object_new (WEVION_TYPE_WINDOW, NULL);

  setup (self, app);
  gtk_window_set_application (GTK_WINDOW (self), GTK_APPLICATION (app));
  return self;
}

void
wevion_window_add_toast (WevionWindow *self, AdwToast *toast)
{
  g_return_if_fail (WEVION_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
wevion_window_get_list_page (WevionWindow *self)
{
  return gtk_stack_get_visible_child_name (self->list_stack);
}

const char *
wevion_window_get_main_page (WevionWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

WevionJob *
wevion_window_get_details_job (WevionWindow *self)
{
  return wevion_job_details_get_job (self->details);
}

GtkWidget *
wevion_window_get_details_widget (WevionWindow *self)
{
  return GTK_WIDGET (self->details);
}

GtkWidget *
wevion_window_get_list_view (WevionWindow *self)
{
  return GTK_WIDGET (self->list_view);
}

gboolean
wevion_window_get_banner_revealed (WevionWindow *self)
{
#if ADW_CHECK_VERSION(1, 3, 0)
  return adw_banner_get_revealed (ADW_BANNER (self->banner));
#else
  return gtk_revealer_get_reveal_child (GTK_REVEALER (self->banner));
#endif
}

const char *
wevion_window_get_banner_text (WevionWindow *self)
{
#if ADW_CHECK_VERSION(1, 3, 0)
  return adw_banner_get_title (ADW_BANNER (self->banner));
#else
  return gtk_label_get_label (self->banner_label);
#endif
}

const char *
wevion_window_get_count_text (WevionWindow *self, WevionView view)
{
  return gtk_label_get_label (self->count_labels[view]);
}
