/* wevion-thumbnails.c */
#include "config.h"

#include <glib/gstdio.h>

#include "wevion-core.h"
#include "wevion-thumbnails.h"

struct _WevionThumbnails
{
  GObject parent_instance;

  char *cache_dir;
  guint max_memory;
  GHashTable *memory; /* key → GList link in lru */
  GQueue lru;         /* of Entry, most recent at head */
};

typedef struct
{
  char *key;
  GdkTexture *texture;
} Entry;

G_DEFINE_FINAL_TYPE (WevionThumbnails, wevion_thumbnails, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void
remember (WevionThumbnails *self, const char *key, GdkTexture *texture)
{
  GList *link = g_hash_table_lookup (self->memory, key);
  Entry *entry;

  if (link)
    {
      entry = link->data;
      g_set_object (&entry->texture, texture);
      g_queue_unlink (&self->lru, link);
      g_queue_push_head_link (&self->lru, link);
      return;
    }
  entry = g_new0 (Entry, 1);
  entry->key = g_strdup (key);
  entry->texture = g_object_ref (texture);
  g_queue_push_head (&self->lru, entry);
  g_hash_table_insert (self->memory, entry->key, self->lru.head);

  while (self->lru.length > self->max_memory)
    {
      Entry *old = g_queue_pop_tail (&self->lru);
      g_hash_table_remove (self->memory, old->key);
      entry_free (old);
    }
}

GdkTexture *
wevion_thumbnails_peek (WevionThumbnails *self, const char *key)
{
  GList *link;

  g_return_val_if_fail (WEVION_IS_THUMBNAILS (self), NULL);
  link = g_hash_table_lookup (self->memory, key);
  if (link == NULL)
    return NULL;
  g_queue_unlink (&self->lru, link);
  g_queue_push_head_link (&self->lru, link);
  return ((Entry *) link->data)->texture;
}

guint
wevion_thumbnails_get_n_in_memory (WevionThumbnails *self)
{
  return self->lru.length;
}

static char *
disk_path (WevionThumbnails *self, const char *key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (hash, ".img", NULL);

  return g_build_filename (self->cache_dir, name, NULL);
}

typedef struct
{
  char *key;
  char *url;
  char *path;
  gsize max_bytes;
  GBytes *bytes; /* fetched, to write to disk */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->key);
  g_free (data->url);
  g_free (data->path);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data);
}

/* In a worker thread: read from disk or decode fetched bytes (and save them). */
static void
decode_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GdkTexture *texture;

  if (data->bytes)
    {
      g_autofree char *dir = g_path_get_dirname (data->path);

      bytes = g_bytes_ref (data->bytes);
      /* the disk cache is best effort: a full disk only costs a refetch */
      if (g_mkdir_with_parents (dir, 0700) == 0)
        g_file_set_contents (data->path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
    }
  else
    {
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (data->path, &contents, &len, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      bytes = g_bytes_new_take (contents, len);
    }

  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      if (data->bytes == NULL)
        g_unlink (data->path); /* a damaged cache file: forget it */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, texture, g_object_unref);
}

static void
fetch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  data->bytes = wevion_fetch_bytes_finish (result, &error);
  if (data->bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_run_in_thread (task, decode_thread);
}

static void
disk_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr (GTask) inner = G_TASK (g_object_ref (result));
  g_autoptr (GError) error = NULL;
  GdkTexture *texture = g_task_propagate_pointer (inner, &error);

  if (texture)
    {
      g_task_return_pointer (task, texture, g_object_unref);
      return;
    }
  if (data->url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    wevion_fetch_bytes_async (data->url, data->max_bytes, cancellable, fetch_cb, g_steal_pointer (&task));
  }
}

static void
loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WevionThumbnails *self = WEVION_THUMBNAILS (source);
  g_autoptr (GTask) outer = user_data;
  g_autoptr (GError) error = NULL;
  GdkTexture *texture = g_task_propagate_pointer (G_TASK (result), &error);

  if (texture == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  remember (self, ((LoadData *) g_task_get_task_data (G_TASK (result)))->key, texture);
  g_task_return_pointer (outer, texture, g_object_unref);
}

void
wevion_thumbnails_load_async (WevionThumbnails *self, const char *key, const char *url, gsize max_bytes,
                              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) outer = NULL;
  GTask *inner;
  LoadData *data;
  GdkTexture *texture;

  g_return_if_fail (WEVION_IS_THUMBNAILS (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, wevion_thumbnails_load_async);

  texture = wevion_thumbnails_peek (self, key);
  if (texture)
    {
      g_task_return_pointer (outer, g_object_ref (texture), g_object_unref);
      return;
    }

  /* inner: disk, then network, then decode; outer: remember in memory and return */
  inner = g_task_new (self, cancellable, loaded_cb, g_steal_pointer (&outer));
  data = g_new0 (LoadData, 1);
  data->key = g_strdup (key);
  data->url = g_strdup (url);
  data->path = disk_path (self, key);
  data->max_bytes = max_bytes;
  g_task_set_task_data (inner, data, (GDestroyNotify) load_data_free);

  if (g_file_test (data->path, G_FILE_TEST_IS_REGULAR))
    {
      GTask *disk = g_task_new (self, cancellable, disk_cb, inner);
      LoadData *disk_data = g_new0 (LoadData, 1);

      disk_data->path = g_strdup (data->path);
      g_task_set_task_data (disk, disk_data, (GDestroyNotify) load_data_free);
      g_task_run_in_thread (disk, decode_thread);
      g_object_unref (disk);
      return;
    }
  if (url == NULL)
    {
      g_task_return_new_error (inner, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no picture for %s", key);
      g_object_unref (inner);
      return;
    }
  wevion_fetch_bytes_async (url, max_bytes, cancellable, fetch_cb, inner);
}

GdkTexture *
wevion_thumbnails_load_finish (WevionThumbnails *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wevion_thumbnails_finalize (GObject *object)
{
  WevionThumbnails *self = WEVION_THUMBNAILS (object);

  g_hash_table_destroy (self->memory);
  g_queue_clear_full (&self->lru, (GDestroyNotify) entry_free);
  g_free (self->cache_dir);
  G_OBJECT_CLASS (wevion_thumbnails_parent_class)->finalize (object);
}

static void
wevion_thumbnails_class_init (WevionThumbnailsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wevion_thumbnails_finalize;
}

static void
wevion_thumbnails_init (WevionThumbnails *self)
{
  self->memory = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->lru);
}

WevionThumbnails *
wevion_thumbnails_new (const char *cache_dir, guint max_memory)
{
  WevionThumbnails *self = g_object_new (WEVION_TYPE_THUMBNAILS, NULL);

  self->cache_dir = cache_dir ? g_strdup (cache_dir)
                              : g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "thumbnails", NULL);
  self->max_memory = MAX (1, max_memory);
  return self;
}
