/* wevion-hub.c: the hub's life cycle: options, db, worker, server. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <sys/random.h>

#include "wevion-hub-private.h"

void
wevion_hub_secure_random (guint8 *buf, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = getrandom (buf + done, len - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("getrandom: %s", g_strerror (errno)); /* no secure randomness: better not run */
      done += n;
    }
}

char *
wevion_hub_new_folder_id (void)
{
  guint8 bytes[16];
  GString *s = g_string_new ("folder-");

  wevion_hub_secure_random (bytes, sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (s, "%02x", bytes[i]);
  return g_string_free (s, FALSE);
}

static void
user_free (WevionHubUser *u)
{
  g_free (u->name);
  g_free (u->token);
  g_free (u);
}

static gboolean
add_user (WevionHub *hub, const char *spec, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 3);
  WevionHubUser *u;
  gint64 limit = -1;

  if (g_strv_length (parts) < 2 || *parts[0] == '\0' || *parts[1] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--user takes NAME:TOKEN[:CREDIT_CENTS], not “%s”", spec);
      return FALSE;
    }
  if (parts[2] && !g_ascii_string_to_signed (parts[2], 10, 0, G_MAXINT64, &limit, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--user %s: the credit limit must be cents", parts[0]);
      return FALSE;
    }
  u = g_new0 (WevionHubUser, 1);
  u->name = g_strdup (parts[0]);
  u->token = g_strdup (parts[1]);
  u->credit_limit_cents = limit;
  g_hash_table_replace (hub->users, u->token, u);
  return TRUE;
}

WevionHub *
wevion_hub_new (const WevionHubOptions *options, GError **error)
{
  WevionHub *hub = g_new0 (WevionHub, 1);
  g_autofree char *db_path = NULL;

  hub->options = *options;
  hub->options.listen = g_strdup (options->listen ? options->listen : "127.0.0.1");
  hub->options.users = NULL;
  hub->options.db_path = NULL;
  hub->options.data_dir = NULL;
  hub->options.faults = NULL;
  if (hub->options.speed <= 0)
    hub->options.speed = 1.0;
  if (hub->options.workers <= 0)
    hub->options.workers = 2;
  if (hub->options.url_ttl <= 0)
    hub->options.url_ttl = 3600;
  if (hub->options.read_timeout <= 0)
    hub->options.read_timeout = 20;
  if (hub->options.idle_timeout <= 0)
    hub->options.idle_timeout = 60;
  if (hub->options.max_result_mb <= 0)
    hub->options.max_result_mb = 16;
  hub->video_format = hub->options.video_apng ? WEVION_HUB_VIDEO_APNG : WEVION_HUB_VIDEO_WEBM;
  g_queue_init (&hub->pending);
  hub->rand = options->seed >= 0 ? g_rand_new_with_seed ((guint32) options->seed) : g_rand_new ();
  hub->fault_rand = g_rand_new ();
  hub->signer = wevion_hub_signer_new (hub->options.url_ttl);
  hub->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) user_free);
  wevion_hub_faults_clear (&hub->faults);

  if (!add_user (hub, "demo:demo-token", error))
    goto fail;
  for (guint i = 0; options->users && options->users[i]; i++)
    if (!add_user (hub, options->users[i], error))
      goto fail;
  if (options->faults && !wevion_hub_faults_parse (&hub->faults, options->faults, error))
    {
      g_prefix_error (error, "--faults: ");
      goto fail;
    }

  if (options->db_path)
    db_path = g_strdup (options->db_path);
  else
    {
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "wevion-hub", NULL);

      g_mkdir_with_parents (dir, 0755);
      db_path = g_build_filename (dir, "hub.db", NULL);
    }
  hub->db = wevion_hub_db_open (db_path, error);
  if (hub->db == NULL)
    goto fail;

  if (options->data_dir)
    hub->data_dir = g_strdup (options->data_dir);
  else if (g_str_equal (db_path, ":memory:"))
    {
      hub->tmp_dir = g_dir_make_tmp ("wevion-hub-XXXXXX", error);
      if (hub->tmp_dir == NULL)
        goto fail;
      hub->data_dir = g_strdup (hub->tmp_dir);
    }
  else
    {
      g_autofree char *dir = g_path_get_dirname (db_path);

      hub->data_dir = g_build_filename (dir, "files", NULL);
    }
  if (g_mkdir_with_parents (hub->data_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create the data dir %s", hub->data_dir);
      goto fail;
    }

  if (options->fill > 0)
    {
      wevion_hub_demo_fill (hub, (guint) options->fill);
      return hub;
    }
  if (options->demo && wevion_hub_db_count (hub->db) == 0)
    wevion_hub_demo_seed (hub);
  if (!wevion_hub_server_setup (hub, error))
    goto fail;
  wevion_hub_worker_start (hub);
  if (options->demo)
    wevion_hub_demo_start_trickle (hub);
  return hub;

fail:
  wevion_hub_free (hub);
  return NULL;
}

gboolean
wevion_hub_listen (WevionHub *hub, GError **error)
{
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (hub->options.listen);
  g_autoptr (GSocketAddress) sa = NULL;
  GSList *uris;

  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--listen takes an IP address, not “%s”",
                   hub->options.listen);
      return FALSE;
    }
  sa = g_inet_socket_address_new (addr, (guint16) hub->options.port);
  if (!soup_server_listen (hub->server, sa, 0, error))
    return FALSE;
  uris = soup_server_get_uris (hub->server);
  if (uris)
    {
      GUri *uri = uris->data;
      g_autofree char *host = g_inet_address_to_string (addr);

      hub->port = (guint16) g_uri_get_port (uri);
      if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
        hub->base_url = g_strdup_printf ("http://[%s]:%u", host, hub->port);
      else
        hub->base_url = g_strdup_printf ("http://%s:%u", host, hub->port);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return hub->base_url != NULL;
}

const char *
wevion_hub_get_url (WevionHub *hub)
{
  return hub->base_url;
}

gint64
wevion_hub_max_result_bytes (WevionHub *hub)
{
  return (gint64) hub->options.max_result_mb * 1024 * 1024;
}

void
wevion_hub_shutdown (WevionHub *hub)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_clear_handle_id (&hub->trickle_id, g_source_remove);
  wevion_hub_worker_stop (hub);
  /* stop accepting at once: new connections are refused (SoupListener's watch gives up when its
   * socket is closed; soup_server_disconnect below closes it again, harmlessly) */
  if (hub->server)
    {
      GSList *listeners = soup_server_get_listeners (hub->server);

      for (GSList *l = listeners; l; l = l->next)
        g_socket_close (l->data, NULL);
      g_slist_free (listeners);
    }
  /* requests on connections already open now get 503 (see api_cb); answers and renders in flight
   * finish, then the connections close (soup_server_disconnect would cut the in-flight ones) and
   * the db closes */
  while (hub->n_background > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (hub->server)
    soup_server_disconnect (hub->server);
  g_clear_pointer (&hub->db, wevion_hub_db_close);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

void
wevion_hub_free (WevionHub *hub)
{
  if (hub == NULL)
    return;
  g_clear_handle_id (&hub->trickle_id, g_source_remove);
  g_clear_object (&hub->server);
  g_clear_pointer (&hub->running, g_hash_table_unref);
  g_queue_clear_full (&hub->pending, g_free);
  g_clear_pointer (&hub->db, wevion_hub_db_close);
  g_clear_pointer (&hub->signer, wevion_hub_signer_free);
  g_clear_pointer (&hub->users, g_hash_table_unref);
  g_clear_pointer (&hub->stats, g_hash_table_unref);
  g_clear_pointer (&hub->sign_cache, g_hash_table_unref);
  g_clear_pointer (&hub->wire_cache, g_hash_table_unref);
  g_clear_pointer (&hub->rand, g_rand_free);
  g_clear_pointer (&hub->fault_rand, g_rand_free);
  if (hub->tmp_dir)
    remove_tree (hub->tmp_dir);
  g_free (hub->tmp_dir);
  g_free (hub->data_dir);
  g_free (hub->base_url);
  g_free (hub->options.listen);
  g_free (hub);
}
