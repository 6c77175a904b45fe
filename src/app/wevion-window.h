/* wevion-window.h: the Jobs panel window. */
#pragma once

#include <adwaita.h>

#include "wevion-application.h"

G_BEGIN_DECLS

#define WEVION_TYPE_WINDOW (wevion_window_get_type ())
G_DECLARE_FINAL_TYPE (WevionWindow, wevion_window, WEVION, WINDOW, AdwApplicationWindow)

typedef enum {
  WEVION_VIEW_ACTIVE,
  WEVION_VIEW_COMPLETED,
  WEVION_VIEW_FAILED,
  WEVION_VIEW_ALL,
} WevionView;

WevionWindow *wevion_window_new (WevionApplication *app);
void wevion_window_add_toast (WevionWindow *self, AdwToast *toast);
/* Selects the job and shows its details (a page of its own on narrow windows). */
void wevion_window_show_job (WevionWindow *self, const char *job_id);
/* Opens the New Generation dialog, pre-filled from @job when given (Edit & Resubmit). */
void wevion_window_new_generation (WevionWindow *self, WevionJob *job);
void wevion_window_set_view (WevionWindow *self, WevionView view);
/* Shows just the jobs with these ids, whatever their status (a summary notification's "5 jobs
 * completed, 1 failed"), until the user picks a view or clears the filters. */
void wevion_window_show_only_jobs (WevionWindow *self, const char *const *ids);
/* For tests: the model the list view shows, after every filter */
GListModel *wevion_window_get_visible_jobs (WevionWindow *self);
void wevion_window_set_search_text (WevionWindow *self, const char *text);
void wevion_window_set_type_filter (WevionWindow *self, WevionJobType type);
/* 0 any time, 1 today, 2 last 7 days, 3 last 30 days, 4 this month (5 asks for a custom range) */
void wevion_window_set_date_filter (WevionWindow *self, guint range);
/* Jobs submitted from @first_day to @last_day, both whole local days */
void wevion_window_set_custom_range (WevionWindow *self, GDateTime *first_day, GDateTime *last_day);
/* For tests: the list's page ("list", "empty", "no-match"), the main page ("welcome", "loading",
 * "panel"), the job in the details pane, whether the connection banner shows, a view's count */
const char *wevion_window_get_list_page (WevionWindow *self);
const char *wevion_window_get_main_page (WevionWindow *self);
WevionJob *wevion_window_get_details_job (WevionWindow *self);
GtkWidget *wevion_window_get_details_widget (WevionWindow *self);
GtkWidget *wevion_window_get_list_view (WevionWindow *self);
gboolean wevion_window_get_banner_revealed (WevionWindow *self);
const char *wevion_window_get_banner_text (WevionWindow *self);
const char *wevion_window_get_count_text (WevionWindow *self, WevionView view);
/* Reflects the connection state (welcome, loading, panel) */
void wevion_window_update_connection (WevionWindow *self);

G_END_DECLS
