/* faults-test-utils.c */
#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "faults-test-utils.h"
#include "wevion-application.h"

void
ft_init (int *argc, char ***argv)
{
  g_autofree char *interval = g_strdup_printf ("%d", FT_INTERVAL_MS);

  g_setenv ("WEVION_POLL_INTERVAL_MS", interval, TRUE);
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE); /* the base monitor: the network is up */
  g_test_init (argc, argv, NULL);
}

static void
transition_cb (WevionJob *job, WevionJobStatus from, WevionJobStatus to, FtRig *rig)
{
  g_autofree char *key = g_strdup_printf ("%s %d>%d", wevion_job_get_id (job), from, to);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (rig->transitions, key));

  g_hash_table_replace (rig->transitions, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
  rig->transitions_total++;
}

static void
connect_all (FtRig *rig)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (rig->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (rig->store), i);

      if (g_hash_table_contains (rig->connected, job))
        continue;
      g_hash_table_add (rig->connected, g_object_ref (job));
      g_signal_connect (job, "transition", G_CALLBACK (transition_cb), rig);
    }
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, FtRig *rig)
{
  if (added)
    connect_all (rig);
}

static void
ticks_cb (WevionPoller *poller, GParamSpec *pspec, FtRig *rig)
{
  const GError *error = wevion_poller_get_last_error (poller);

  if (error == NULL)
    return;
  rig->failed_ticks++;
  g_ptr_array_add (rig->messages, g_strdup (error->message));
}

FtRig *
ft_rig_new (WevionClient *client, const char *cache_path)
{
  FtRig *rig = g_new0 (FtRig, 1);

  rig->client = g_object_ref (client);
  rig->store = wevion_job_store_new ();
  rig->transitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rig->connected = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  rig->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (rig->store, "items-changed", G_CALLBACK (items_changed_cb), rig);
  if (cache_path)
    {
      g_autoptr (GError) error = NULL;

      rig->cache = wevion_cache_new (cache_path, &error);
      g_assert_no_error (error);
      wevion_cache_load (rig->cache, rig->store);
      wevion_cache_attach (rig->cache, rig->store);
      connect_all (rig);
    }
  rig->poller = wevion_poller_new (client, rig->store);
  g_signal_connect (rig->poller, "notify::ticks", G_CALLBACK (ticks_cb), rig);
  return rig;
}

static gboolean
not_busy (gpointer data)
{
  gboolean busy;

  g_object_get (data, "busy", &busy, NULL);
  return !busy;
}

void
ft_rig_free (FtRig *rig)
{
  GHashTableIter iter;
  gpointer key;

  wevion_poller_stop (rig->poller);
  g_assert_true (wt_wait_until (not_busy, rig->poller, 60));
  g_signal_handlers_disconnect_by_data (rig->poller, rig);
  g_assert_finalize_object (rig->poller);
  if (rig->cache)
    {
      wevion_cache_flush (rig->cache);
      g_assert_finalize_object (rig->cache);
    }
  g_hash_table_iter_init (&iter, rig->connected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_signal_handlers_disconnect_by_data (key, rig);
  g_hash_table_unref (rig->connected);
  g_signal_handlers_disconnect_by_data (rig->store, rig);
  g_assert_finalize_object (rig->store);
  g_assert_finalize_object (rig->client);
  g_hash_table_unref (rig->transitions);
  g_ptr_array_unref (rig->messages);
  g_free (rig);
}

typedef struct
{
  FtRig *rig;
  guint target;
  const char *const *ids;
} Wait;

static gboolean
failed_reached (gpointer data)
{
  Wait *w = data;

  return w->rig->failed_ticks >= w->target;
}

void
ft_wait_failed_ticks (FtRig *rig, guint n)
{
  Wait w = { rig, rig->failed_ticks + n, NULL };

  if (!wt_wait_until (failed_reached, &w, 60))
    g_error ("timed out waiting for %u failed ticks (saw %u)", n, rig->failed_ticks - (w.target - n));
}

static gboolean
all_terminal (gpointer data)
{
  Wait *w = data;

  for (guint i = 0; w->ids[i]; i++)
    {
      WevionJob *job = wevion_job_store_lookup (w->rig->store, w->ids[i]);

      if (job == NULL || !wevion_job_get_is_terminal (job))
        return FALSE;
    }
  return TRUE;
}

void
ft_wait_terminal (FtRig *rig, const char *const *ids)
{
  Wait w = { rig, 0, ids };

  if (!wt_wait_until (all_terminal, &w, 90))
    g_error ("timed out waiting for the jobs to end");
}

static gboolean
all_known (gpointer data)
{
  Wait *w = data;

  for (guint i = 0; w->ids[i]; i++)
    if (wevion_job_store_lookup (w->rig->store, w->ids[i]) == NULL)
      return FALSE;
  return TRUE;
}

void
ft_wait_known (FtRig *rig, const char *const *ids)
{
  Wait w = { rig, 0, ids };

  if (!wt_wait_until (all_known, &w, 60))
    g_error ("timed out waiting for the jobs to be known");
}

static gboolean
idle_cond (gpointer data)
{
  FtRig *rig = data;

  return not_busy (rig->poller) && wevion_poller_get_state (rig->poller) == WEVION_POLLER_STATE_IDLE
         && wevion_poller_get_last_error (rig->poller) == NULL;
}

void
ft_wait_idle (FtRig *rig)
{
  if (!wt_wait_until (idle_cond, rig, 60))
    g_error ("timed out waiting for the poller to be idle (state %d)", wevion_poller_get_state (rig->poller));
}

GHashTable *
ft_snapshot (FtRig *rig)
{
  GHashTable *snap = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (rig->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WevionJob) job = g_list_model_get_item (G_LIST_MODEL (rig->store), i);

      g_hash_table_insert (snap, g_strdup (wevion_job_get_id (job)),
                           GINT_TO_POINTER (wevion_job_get_status (job)));
    }
  return snap;
}

void
ft_assert_unchanged (FtRig *rig, GHashTable *before)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      WevionJob *job = wevion_job_store_lookup (rig->store, key);

      if (job == NULL)
        g_error ("job %s was lost", (char *) key);
      g_assert_cmpint (wevion_job_get_status (job), ==, GPOINTER_TO_INT (value));
    }
}

guint
ft_transition_count (FtRig *rig, const char *id, WevionJobStatus from, WevionJobStatus to)
{
  g_autofree char *key = g_strdup_printf ("%s %d>%d", id, from, to);

  return GPOINTER_TO_UINT (g_hash_table_lookup (rig->transitions, key));
}

void
ft_assert_transitions_once (FtRig *rig)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, rig->transitions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *arrow = strrchr (key, ' ');
      int from = -1, to = -1;

      if (GPOINTER_TO_UINT (value) != 1)
        g_error ("transition %s arrived %u times", (char *) key, GPOINTER_TO_UINT (value));
      g_assert_nonnull (arrow);
      g_assert_cmpint (sscanf (arrow + 1, "%d>%d", &from, &to), ==, 2);
      g_assert_cmpint (to, >, from); /* forward only */
    }
}

char *
ft_banner_text (WevionPoller *poller)
{
  const GError *error = wevion_poller_get_last_error (poller);
  g_autofree char *what = NULL;
  int next;

  switch (wevion_poller_get_state (poller))
    {
    case WEVION_POLLER_STATE_BACKING_OFF:
    case WEVION_POLLER_STATE_OFFLINE:
      /* as wevion-window.c's poller_state_cb puts it */
      what = error ? wevion_application_describe_error (error)
                   : g_strdup ("The Creative Hub cannot be reached.");
      next = wevion_poller_get_next_poll_in (poller);
      if (wevion_poller_get_state (poller) == WEVION_POLLER_STATE_OFFLINE)
        return g_strdup (
            "You are offline. The list shows what was known; it updates when the network is back.");
      if (next > 0)
        return g_strdup_printf ("%s Trying again in %d %s.", what, next, next == 1 ? "second" : "seconds");
      return g_steal_pointer (&what);
    case WEVION_POLLER_STATE_UNAUTHORIZED:
      return g_strdup ("The server refused the API token. It may have been revoked.");
    case WEVION_POLLER_STATE_IDLE:
    case WEVION_POLLER_STATE_POLLING:
    default: return NULL;
    }
}

void
ft_assert_banner (FtRig *rig, const char *first_word, ...)
{
  g_autofree char *text = ft_banner_text (rig->poller);
  va_list ap;

  if (text == NULL)
    g_error ("no banner shows (poller state %d)", wevion_poller_get_state (rig->poller));
  g_test_message ("banner: %s", text);
  /* sentences joined cleanly */
  g_assert_null (strstr (text, "?."));
  g_assert_null (strstr (text, ".."));
  va_start (ap, first_word);
  for (const char *word = first_word; word; word = va_arg (ap, const char *))
    if (strstr (text, word) == NULL)
      g_error ("the banner “%s” does not say “%s”", text, word);
  va_end (ap);
}

char *
ft_hub_kill9 (WtHub *hub, guint *port)
{
  g_autoptr (GUri) uri = g_uri_parse (hub->url, G_URI_FLAGS_NONE, NULL);
  char *dir;

  g_assert_nonnull (uri);
  if (port)
    *port = (guint) g_uri_get_port (uri);
  g_subprocess_send_signal (hub->process, SIGKILL);
  g_assert_true (g_subprocess_wait (hub->process, NULL, NULL));
  g_assert_false (g_subprocess_get_if_exited (hub->process));
  g_object_unref (hub->process);
  dir = hub->dir;
  g_free (hub->url);
  g_free (hub);
  return dir;
}

WtHub *
ft_hub_restart (const char *dir, guint port, const char *first_extra, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *files = g_build_filename (dir, "files", NULL);
  va_list ap;

  g_ptr_array_add (args, g_strdup ("--port"));
  g_ptr_array_add (args, g_strdup_printf ("%u", port));
  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (files));
  va_start (ap, first_extra);
  for (const char *arg = first_extra; arg; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return wt_hub_start_in (dir, (const char *const *) args->pdata);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

char *
ft_submit (WevionClient *client, const char *prompt)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  char *id;

  wevion_client_submit_async (client, WEVION_JOB_TYPE_IMAGE, "flux_2_pro", prompt, NULL, NULL, NULL,
                              result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  id = wevion_client_submit_finish (client, result, &error);
  g_assert_no_error (error);
  return id;
}
