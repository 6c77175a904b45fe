/* wevion-costs.c */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wevion-costs.h"
#include "wevion-money.h"

#define MAX_PAGES 1000

struct _WevionCosts
{
  GObject parent_instance;

  char *month;
  gboolean utc;
  gint64 total_cents;
  guint n_completed;
  guint n_failed;
  guint n_pages;
  GPtrArray *jobs;
  GArray *by_type;     /* WevionCostsGroup */
  GArray *by_provider; /* WevionCostsGroup */
  GArray *by_day;      /* WevionCostsGroup */
  WevionBillingMatch billing;
  gint64 billing_debit;
};

G_DEFINE_FINAL_TYPE (WevionCosts, wevion_costs, G_TYPE_OBJECT)

static void
group_clear (gpointer data)
{
  WevionCostsGroup *g = data;

  g_free (g->name);
}

static void
wevion_costs_finalize (GObject *object)
{
  WevionCosts *self = WEVION_COSTS (object);

  g_free (self->month);
  g_ptr_array_unref (self->jobs);
  g_array_unref (self->by_type);
  g_array_unref (self->by_provider);
  g_array_unref (self->by_day);
  G_OBJECT_CLASS (wevion_costs_parent_class)->finalize (object);
}

static void
wevion_costs_class_init (WevionCostsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wevion_costs_finalize;
}

static GArray *
groups_new (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (WevionCostsGroup));

  g_array_set_clear_func (a, group_clear);
  return a;
}

static void
wevion_costs_init (WevionCosts *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_type = groups_new ();
  self->by_provider = groups_new ();
  self->by_day = groups_new ();
}

/* ---- months --------------------------------------------------------------------------------- */

static gboolean
parse_month (const char *month, int *y, int *m)
{
  if (month == NULL || strlen (month) != 7 || month[4] != '-')
    return FALSE;
  for (int i = 0; i < 7; i++)
    if (i != 4 && !g_ascii_isdigit (month[i]))
      return FALSE;
  *y = atoi (month);
  *m = atoi (month + 5);
  return *y >= 1970 && *y <= 9998 && *m >= 1 && *m <= 12;
}

gboolean
wevion_costs_month_range (const char *month, gboolean utc, GDateTime **from, GDateTime **to)
{
  g_autoptr (GTimeZone) tz = utc ? g_time_zone_new_utc () : g_time_zone_new_local ();
  int y, m;

  if (!parse_month (month, &y, &m))
    return FALSE;
  *from = g_date_time_new (tz, y, m, 1, 0, 0, 0);
  *to = m == 12 ? g_date_time_new (tz, y + 1, 1, 1, 0, 0, 0) : g_date_time_new (tz, y, m + 1, 1, 0, 0, 0);
  return *from && *to;
}

char *
wevion_costs_month_current (gboolean utc)
{
  g_autoptr (GDateTime) now = utc ? g_date_time_new_now_utc () : g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m");
}

char *
wevion_costs_month_shift (const char *month, int delta)
{
  int y, m, index;

  if (!parse_month (month, &y, &m))
    return NULL;
  index = y * 12 + (m - 1) + delta;
  return g_strdup_printf ("%04d-%02d", index / 12, index % 12 + 1);
}

char *
wevion_costs_month_title (const char *month)
{
  g_autoptr (GDateTime) from = NULL;
  g_autoptr (GDateTime) to = NULL;

  if (!wevion_costs_month_range (month, TRUE, &from, &to))
    return g_strdup (month ? month : "");
  /* TRANSLATORS: a month and its year, as in "November 2026" (strftime) */
  return g_date_time_format (from, _ ("%OB %Y"));
}

/* ---- the roll-up ---------------------------------------------------------------------------- */

static WevionCostsGroup *
group_for (GArray *groups, const char *name)
{
  WevionCostsGroup g = { 0 };

  for (guint i = 0; i < groups->len; i++)
    if (g_str_equal (g_array_index (groups, WevionCostsGroup, i).name, name))
      return &g_array_index (groups, WevionCostsGroup, i);
  g.name = g_strdup (name);
  g_array_append_val (groups, g);
  return &g_array_index (groups, WevionCostsGroup, groups->len - 1);
}

static void
group_add (WevionCostsGroup *g, gboolean completed, gint64 cents)
{
  if (completed)
    {
      g->cents += cents;
      g->n_completed++;
    }
  else
    g->n_failed++;
}

static int
group_by_cost (gconstpointer a, gconstpointer b)
{
  const WevionCostsGroup *ga = a, *gb = b;

  if (ga->cents != gb->cents)
    return ga->cents > gb->cents ? -1 : 1;
  if (ga->n_completed != gb->n_completed)
    return ga->n_completed > gb->n_completed ? -1 : 1;
  return g_strcmp0 (ga->name, gb->name);
}

static int
job_by_created (gconstpointer a, gconstpointer b)
{
  WevionJob *ja = *(WevionJob **) a;
  WevionJob *jb = *(WevionJob **) b;
  int c = g_date_time_compare (wevion_job_get_created_at (ja), wevion_job_get_created_at (jb));

  return c ? c : g_strcmp0 (wevion_job_get_id (ja), wevion_job_get_id (jb));
}

WevionCosts *
wevion_costs_new_from_jobs (const char *month, gboolean utc, GPtrArray *jobs)
{
  g_autoptr (WevionCosts) self = NULL;
  g_autoptr (GDateTime) from = NULL;
  g_autoptr (GDateTime) to = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  int days;

  if (!wevion_costs_month_range (month, utc, &from, &to))
    return NULL;
  self = g_object_new (WEVION_TYPE_COSTS, NULL);
  self->month = g_strdup (month);
  self->utc = utc;
  {
    g_autoptr (GDateTime) last = g_date_time_add_days (to, -1);

    days = g_date_time_get_day_of_month (last);
  }
  for (int d = 1; d <= days; d++)
    {
      WevionCostsGroup g = { g_strdup_printf ("%d", d), 0, 0, 0 };

      g_array_append_val (self->by_day, g);
    }

  for (guint i = 0; jobs && i < jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);
      GDateTime *created = wevion_job_get_created_at (job);
      WevionJobStatus status = wevion_job_get_status (job);
      gboolean completed = status == WEVION_JOB_STATUS_COMPLETED;
      gint64 cents;

      if (created == NULL || (!completed && status != WEVION_JOB_STATUS_FAILED))
        continue;
      if (g_date_time_compare (created, from) < 0 || g_date_time_compare (created, to) >= 0)
        continue;
      if (!g_hash_table_add (seen, (gpointer) wevion_job_get_id (job)))
        continue; /* a row seen twice across pages counts once */
      cents = completed ? MAX (wevion_job_get_cost_cents (job), 0) : 0;
      if (completed)
        {
          self->n_completed++;
          self->total_cents += cents;
        }
      else
        self->n_failed++;
      group_add (group_for (self->by_type, wevion_job_get_type_name (job)), completed, cents);
      group_add (group_for (self->by_provider, wevion_job_get_provider (job)), completed, cents);
      {
        g_autoptr (GTimeZone) tz = utc ? g_time_zone_new_utc () : g_time_zone_new_local ();
        g_autoptr (GDateTime) in_tz = g_date_time_to_timezone (created, tz);
        int day = g_date_time_get_day_of_month (in_tz);

        if (day >= 1 && day <= days)
          group_add (&g_array_index (self->by_day, WevionCostsGroup, day - 1), completed, cents);
      }
      g_ptr_array_add (self->jobs, g_object_ref (job));
    }
  g_array_sort (self->by_type, group_by_cost);
  g_array_sort (self->by_provider, group_by_cost);
  g_ptr_array_sort (self->jobs, job_by_created);
  return g_steal_pointer (&self);
}

/* ---- fetching ------------------------------------------------------------------------------- */

typedef struct
{
  WevionClient *client;
  char *month;
  gboolean utc;
  WevionListQuery *query;
  GPtrArray *jobs;
  GHashTable *cursors;
  guint pages;
  WevionCosts *costs;
} FetchData;

static void
fetch_data_free (FetchData *f)
{
  g_clear_object (&f->client);
  g_free (f->month);
  g_clear_pointer (&f->query, wevion_list_query_free);
  g_ptr_array_unref (f->jobs);
  g_hash_table_unref (f->cursors);
  g_clear_object (&f->costs);
  g_free (f);
}

static void
billing_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *f = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gint64 debit = 0;
  int n = 0;

  if (wevion_client_billing_finish (WEVION_CLIENT (source), result, &debit, &n, &error))
    wevion_costs_set_billing (
        f->costs, debit == f->costs->total_cents ? WEVION_BILLING_MATCHES : WEVION_BILLING_DIFFERS, debit);
  else if (g_error_matches (error, WEVION_CLIENT_ERROR, WEVION_CLIENT_ERROR_UNSUPPORTED))
    wevion_costs_set_billing (f->costs, WEVION_BILLING_UNSUPPORTED, 0);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  else
    g_debug ("Billing for %s: %s", f->month, error->message);
  g_task_return_pointer (task, g_steal_pointer (&f->costs), g_object_unref);
}

static void fetch_page (GTask *task);

static void
list_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *f = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *next = NULL;
  gboolean filtered = FALSE;
  g_autoptr (GPtrArray) page
      = wevion_client_list_finish (WEVION_CLIENT (source), result, &next, &filtered, &error);

  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  f->pages++;
  g_ptr_array_extend_and_steal (f->jobs, g_steal_pointer (&page));
  /* a bare array (no cursor) is the whole list; stop on a cursor seen before */
  if (next && *next && f->pages < MAX_PAGES && g_hash_table_add (f->cursors, g_strdup (next)))
    {
      g_free (f->query->cursor);
      f->query->cursor = g_steal_pointer (&next);
      fetch_page (g_steal_pointer (&task));
      return;
    }
  f->costs = wevion_costs_new_from_jobs (f->month, f->utc, f->jobs);
  f->costs->n_pages = f->pages;
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    wevion_client_billing_async (f->client, f->month, cancellable, billing_cb, g_steal_pointer (&task));
  }
}

static void
fetch_page (GTask *task)
{
  FetchData *f = g_task_get_task_data (task);

  wevion_client_list_async (f->client, f->query, g_task_get_cancellable (task), list_cb, task);
}

void
wevion_costs_fetch_async (WevionClient *client, const char *month, gboolean utc, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  FetchData *f;
  GDateTime *from = NULL, *to = NULL;

  g_return_if_fail (WEVION_IS_CLIENT (client));
  g_task_set_source_tag (task, wevion_costs_fetch_async);
  if (!wevion_costs_month_range (month, utc, &from, &to))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a month (YYYY-MM)"), month ? month : "");
      return;
    }
  f = g_new0 (FetchData, 1);
  f->client = g_object_ref (client);
  f->month = g_strdup (month);
  f->utc = utc;
  f->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  f->cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->query = wevion_list_query_new ();
  f->query->status = g_strdup ("completed,failed");
  f->query->since = from;
  f->query->until = to;
  f->query->limit = 500;
  if (g_getenv ("WEVION_COSTS_PAGE_SIZE")) /* tests: several pages */
    f->query->limit = CLAMP (atoi (g_getenv ("WEVION_COSTS_PAGE_SIZE")), 1, 500);
  f->query->include_archived = TRUE; /* archived jobs were still billed */
  g_task_set_task_data (task, f, (GDestroyNotify) fetch_data_free);
  fetch_page (g_steal_pointer (&task));
}

WevionCosts *
wevion_costs_fetch_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- accessors ------------------------------------------------------------------------------ */

const char *
wevion_costs_get_month (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  return self->month;
}

gboolean
wevion_costs_get_utc (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), FALSE);
  return self->utc;
}

gint64
wevion_costs_get_total_cents (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->total_cents;
}

guint
wevion_costs_get_n_completed (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->n_completed;
}

guint
wevion_costs_get_n_failed (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->n_failed;
}

GPtrArray *
wevion_costs_get_jobs (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  return self->jobs;
}

const WevionCostsGroup *
wevion_costs_get_by_type (WevionCosts *self, guint *n_groups)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  *n_groups = self->by_type->len;
  return (const WevionCostsGroup *) self->by_type->data;
}

const WevionCostsGroup *
wevion_costs_get_by_provider (WevionCosts *self, guint *n_groups)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  *n_groups = self->by_provider->len;
  return (const WevionCostsGroup *) self->by_provider->data;
}

const WevionCostsGroup *
wevion_costs_get_by_day (WevionCosts *self, guint *n_days)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  *n_days = self->by_day->len;
  return (const WevionCostsGroup *) self->by_day->data;
}

guint
wevion_costs_get_n_pages (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->n_pages;
}

void
wevion_costs_set_billing (WevionCosts *self, WevionBillingMatch match, gint64 debit_cents)
{
  g_return_if_fail (WEVION_IS_COSTS (self));
  self->billing = match;
  self->billing_debit = debit_cents;
}

WevionBillingMatch
wevion_costs_get_billing_match (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), WEVION_BILLING_UNKNOWN);
  return self->billing;
}

gint64
wevion_costs_get_billing_debit (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->billing_debit;
}

gint64
wevion_costs_get_billing_difference (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), 0);
  return self->total_cents - self->billing_debit;
}

char *
wevion_costs_describe_billing (WevionCosts *self)
{
  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  switch (self->billing)
    {
    case WEVION_BILLING_MATCHES: return g_strdup (_ ("Matches billing"));
    case WEVION_BILLING_DIFFERS:
      {
        gint64 diff = self->total_cents - self->billing_debit;
        g_autofree char *amount = wevion_format_cents (diff < 0 ? -diff : diff);
        g_autofree char *debit = wevion_format_cents (self->billing_debit);

        /* TRANSLATORS: "Differs by $1.20 from billing ($12.00)" */
        return g_strdup_printf (_ ("Differs by %s from billing (%s)"), amount, debit);
      }
    case WEVION_BILLING_UNSUPPORTED: return g_strdup (_ ("The server does not report billing"));
    case WEVION_BILLING_UNKNOWN:
    default: return g_strdup (_ ("Billing could not be checked"));
    }
}

char *
wevion_costs_describe_counts (WevionCosts *self)
{
  g_autofree char *completed = NULL;
  g_autofree char *failed = NULL;

  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  completed = g_strdup_printf (ngettext ("%u completed job", "%u completed jobs", self->n_completed),
                               self->n_completed);
  if (self->n_failed == 0)
    return g_steal_pointer (&completed);
  failed
      = g_strdup_printf (ngettext ("%u failed (free)", "%u failed (free)", self->n_failed), self->n_failed);
  return g_strdup_printf ("%s · %s", completed, failed);
}

static void
csv_field (GString *out, const char *value, gboolean last)
{
  const char *v = value ? value : "";
  gboolean quote = strpbrk (v, ",\"\r\n") != NULL;
  /* a leading =, +, - or @ would run as a formula in a spreadsheet */
  gboolean formula = strchr ("=+-@", v[0]) != NULL && v[0] != '\0';

  if (quote || formula)
    {
      g_string_append_c (out, '"');
      if (formula)
        g_string_append_c (out, '\'');
      for (const char *p = v; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, v);
  g_string_append (out, last ? "\r\n" : ",");
}

static char *
iso (GDateTime *t)
{
  return t ? g_date_time_format_iso8601 (t) : g_strdup ("");
}

char *
wevion_costs_to_csv (WevionCosts *self)
{
  GString *out = g_string_new ("id,created,completed,type,provider,status,cost_cents,cost_dollars\r\n");

  g_return_val_if_fail (WEVION_IS_COSTS (self), NULL);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      WevionJob *job = g_ptr_array_index (self->jobs, i);
      gboolean completed = wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED;
      gint64 cents = completed ? MAX (wevion_job_get_cost_cents (job), 0) : 0;
      g_autofree char *created = iso (wevion_job_get_created_at (job));
      g_autofree char *done = iso (wevion_job_get_completed_at (job));
      g_autofree char *c = g_strdup_printf ("%" G_GINT64_FORMAT, cents);
      g_autofree char *d = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", cents / 100, (int) (cents % 100));

      csv_field (out, wevion_job_get_id (job), FALSE);
      csv_field (out, created, FALSE);
      csv_field (out, done, FALSE);
      csv_field (out, wevion_job_get_type_name (job), FALSE);
      csv_field (out, wevion_job_get_provider (job), FALSE);
      csv_field (out, wevion_job_get_status_name (job), FALSE);
      csv_field (out, c, FALSE);
      csv_field (out, d, TRUE);
    }
  return g_string_free (out, FALSE);
}
