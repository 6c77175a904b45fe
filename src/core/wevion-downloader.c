/* wevion-downloader.c
 *
 * Each request runs in a worker thread with its own credential-free SoupSession (sync API): the
 * body is read in 256 KiB chunks and written with write(2) to ".NAME.part" beside the final file,
 * so memory stays flat whatever the file size. The main context drives the attempts: a dropped
 * connection resumes with Range + If-Range, a 403 fetches the job again once for fresh URLs, and
 * progress is published from a 100 ms timer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "wevion-downloader.h"

#define CHUNK_SIZE (256 * 1024)
#define MAX_FAILURES 8
#define MAX_NAME_BYTES 200

G_DEFINE_QUARK (wevion - download - error - quark, wevion_download_error)

G_DEFINE_ENUM_TYPE (WevionDownloadState, wevion_download_state,
                    G_DEFINE_ENUM_VALUE (WEVION_DOWNLOAD_STATE_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (WEVION_DOWNLOAD_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (WEVION_DOWNLOAD_STATE_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (WEVION_DOWNLOAD_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (WEVION_DOWNLOAD_STATE_CANCELED, "canceled"))

const char *
wevion_download_error_get_advice (const GError *error)
{
  if (error == NULL)
    return NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _ ("The download was canceled.");
  if (error->domain != WEVION_DOWNLOAD_ERROR)
    return _ ("Try again later.");
  switch ((WevionDownloadError) error->code)
    {
    case WEVION_DOWNLOAD_ERROR_MOVED:
      return _ ("The file may have moved or its Drive permissions changed. Check the Drive folder.");
    case WEVION_DOWNLOAD_ERROR_HTML:
      return _ ("The link opens a web page instead of the file. Open it in the browser to save the file.");
    case WEVION_DOWNLOAD_ERROR_HTTP: return _ ("The file host refused the download. Try again later.");
    case WEVION_DOWNLOAD_ERROR_NETWORK:
      return _ ("The connection kept dropping. Check your connection and try again.");
    case WEVION_DOWNLOAD_ERROR_INCOMPLETE: return _ ("The file arrived damaged. Try again.");
    case WEVION_DOWNLOAD_ERROR_DISK_FULL:
      return _ ("The disk is full. Free some space or choose another download folder.");
    case WEVION_DOWNLOAD_ERROR_PERMISSION:
      return _ ("The download folder cannot be written. Choose another folder in Preferences.");
    case WEVION_DOWNLOAD_ERROR_WRITE: return _ ("The file could not be written. Check the download folder.");
    case WEVION_DOWNLOAD_ERROR_NO_RESULT: return _ ("This job has no result file.");
    default: return _ ("Try again later.");
    }
}

/* ---- WevionDownload ------------------------------------------------------------------------ */

struct _WevionDownload
{
  GObject parent_instance;

  WevionDownloader *owner; /* unowned; alive while the download runs */
  char *job_id;
  guint index;
  char *url;
  char *folder;
  WevionDownloadState state;
  gint64 bytes;
  gint64 total;
  double rate;
  int seconds_left;
  char *path;
  guint attempts;
  guint resumed;
  guint restarted;
  gboolean refreshed;

  /* written by the worker thread */
  GMutex lock;
  gint64 t_bytes;
  gint64 t_total;

  guint publish_id;
  gint64 rate_time;
  gint64 rate_bytes;
};

enum {
  DL_PROP_0,
  DL_PROP_JOB_ID,
  DL_PROP_INDEX,
  DL_PROP_URL,
  DL_PROP_FOLDER,
  DL_PROP_STATE,
  DL_PROP_BYTES,
  DL_PROP_TOTAL,
  DL_PROP_RATE,
  DL_PROP_SECONDS_LEFT,
  DL_PROP_PATH,
  DL_PROP_ATTEMPTS,
  DL_PROP_RESUMED,
  DL_PROP_RESTARTED,
  DL_PROP_REFRESHED,
  DL_N_PROPS
};

static GParamSpec *dl_properties[DL_N_PROPS];

G_DEFINE_FINAL_TYPE (WevionDownload, wevion_download, G_TYPE_OBJECT)

static void
wevion_download_finalize (GObject *object)
{
  WevionDownload *self = WEVION_DOWNLOAD (object);

  g_clear_handle_id (&self->publish_id, g_source_remove);
  g_free (self->job_id);
  g_free (self->url);
  g_free (self->folder);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (wevion_download_parent_class)->finalize (object);
}

static void
wevion_download_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionDownload *self = WEVION_DOWNLOAD (object);

  switch (prop_id)
    {
    case DL_PROP_JOB_ID: g_value_set_string (value, self->job_id); break;
    case DL_PROP_INDEX: g_value_set_uint (value, self->index); break;
    case DL_PROP_URL: g_value_set_string (value, self->url); break;
    case DL_PROP_FOLDER: g_value_set_string (value, self->folder); break;
    case DL_PROP_STATE: g_value_set_enum (value, self->state); break;
    case DL_PROP_BYTES: g_value_set_int64 (value, self->bytes); break;
    case DL_PROP_TOTAL: g_value_set_int64 (value, self->total); break;
    case DL_PROP_RATE: g_value_set_double (value, self->rate); break;
    case DL_PROP_SECONDS_LEFT: g_value_set_int (value, self->seconds_left); break;
    case DL_PROP_PATH: g_value_set_string (value, self->path); break;
    case DL_PROP_ATTEMPTS: g_value_set_uint (value, self->attempts); break;
    case DL_PROP_RESUMED: g_value_set_uint (value, self->resumed); break;
    case DL_PROP_RESTARTED: g_value_set_uint (value, self->restarted); break;
    case DL_PROP_REFRESHED: g_value_set_boolean (value, self->refreshed); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_download_class_init (WevionDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = wevion_download_finalize;
  object_class->get_property = wevion_download_get_property;

  dl_properties[DL_PROP_JOB_ID] = g_param_spec_string ("job-id", NULL, NULL, NULL, flags);
  dl_properties[DL_PROP_INDEX] = g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0, flags);
  dl_properties[DL_PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  dl_properties[DL_PROP_FOLDER] = g_param_spec_string ("folder", NULL, NULL, NULL, flags);
  dl_properties[DL_PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, WEVION_TYPE_DOWNLOAD_STATE,
                                                    WEVION_DOWNLOAD_STATE_WAITING, flags);
  dl_properties[DL_PROP_BYTES] = g_param_spec_int64 ("bytes", NULL, NULL, 0, G_MAXINT64, 0, flags);
  dl_properties[DL_PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1, flags);
  dl_properties[DL_PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  dl_properties[DL_PROP_SECONDS_LEFT]
      = g_param_spec_int ("seconds-left", NULL, NULL, -1, G_MAXINT, -1, flags);
  dl_properties[DL_PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  dl_properties[DL_PROP_ATTEMPTS] = g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  dl_properties[DL_PROP_RESUMED] = g_param_spec_uint ("resumed", NULL, NULL, 0, G_MAXUINT, 0, flags);
  dl_properties[DL_PROP_RESTARTED] = g_param_spec_uint ("restarted", NULL, NULL, 0, G_MAXUINT, 0, flags);
  dl_properties[DL_PROP_REFRESHED] = g_param_spec_boolean ("refreshed", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, DL_N_PROPS, dl_properties);
}

static void
wevion_download_init (WevionDownload *self)
{
  g_mutex_init (&self->lock);
  self->total = -1;
  self->t_total = -1;
  self->seconds_left = -1;
}

const char *
wevion_download_get_job_id (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), NULL);
  return self->job_id;
}

guint
wevion_download_get_index (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->index;
}

const char *
wevion_download_get_url (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), NULL);
  return self->url;
}

const char *
wevion_download_get_folder (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), NULL);
  return self->folder;
}

WevionDownloadState
wevion_download_get_state (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), WEVION_DOWNLOAD_STATE_WAITING);
  return self->state;
}

gint64
wevion_download_get_bytes (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->bytes;
}

gint64
wevion_download_get_total (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), -1);
  return self->total;
}

double
wevion_download_get_rate (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->rate;
}

int
wevion_download_get_seconds_left (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), -1);
  return self->seconds_left;
}

const char *
wevion_download_get_path (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), NULL);
  return self->path;
}

guint
wevion_download_get_attempts (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->attempts;
}

guint
wevion_download_get_resumed (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->resumed;
}

guint
wevion_download_get_restarted (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), 0);
  return self->restarted;
}

gboolean
wevion_download_get_refreshed (WevionDownload *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOAD (self), FALSE);
  return self->refreshed;
}

static void
download_set_state (WevionDownload *self, WevionDownloadState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_STATE]);
}

static void
download_set_url (WevionDownload *self, const char *url)
{
  if (g_strcmp0 (self->url, url) == 0)
    return;
  g_free (self->url);
  self->url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_URL]);
}

static void
download_bump (WevionDownload *self, guint *counter, int prop)
{
  (*counter)++;
  g_object_notify_by_pspec (G_OBJECT (self), dl_properties[prop]);
}

/* ---- WevionDownloader ---------------------------------------------------------------------- */

struct _WevionDownloader
{
  GObject parent_instance;

  WevionClient *client;
  GPtrArray *active; /* WevionDownload */
  gint64 bytes;
  gint64 total;
  guint retry_delay_ms;
};

enum { PROP_0, PROP_CLIENT, PROP_N_ACTIVE, PROP_BYTES, PROP_TOTAL, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WevionDownloader, wevion_downloader, G_TYPE_OBJECT)

static void
downloader_update (WevionDownloader *self)
{
  gint64 bytes = 0, total = 0;

  for (guint i = 0; i < self->active->len; i++)
    {
      WevionDownload *d = g_ptr_array_index (self->active, i);

      bytes += d->bytes;
      if (d->total < 0 || total < 0)
        total = -1;
      else
        total += d->total;
    }
  if (self->active->len == 0)
    total = 0;
  if (bytes != self->bytes)
    {
      self->bytes = bytes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES]);
    }
  if (total != self->total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
}

static void
wevion_downloader_dispose (GObject *object)
{
  WevionDownloader *self = WEVION_DOWNLOADER (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (wevion_downloader_parent_class)->dispose (object);
}

static void
wevion_downloader_finalize (GObject *object)
{
  WevionDownloader *self = WEVION_DOWNLOADER (object);

  g_ptr_array_unref (self->active);
  G_OBJECT_CLASS (wevion_downloader_parent_class)->finalize (object);
}

static void
wevion_downloader_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WevionDownloader *self = WEVION_DOWNLOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_N_ACTIVE: g_value_set_uint (value, self->active->len); break;
    case PROP_BYTES: g_value_set_int64 (value, self->bytes); break;
    case PROP_TOTAL: g_value_set_int64 (value, self->total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_downloader_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WevionDownloader *self = WEVION_DOWNLOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT: wevion_downloader_set_client (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wevion_downloader_class_init (WevionDownloaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = wevion_downloader_dispose;
  object_class->finalize = wevion_downloader_finalize;
  object_class->get_property = wevion_downloader_get_property;
  object_class->set_property = wevion_downloader_set_property;

  properties[PROP_CLIENT]
      = g_param_spec_object ("client", NULL, NULL, WEVION_TYPE_CLIENT,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ACTIVE] = g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BYTES] = g_param_spec_int64 ("bytes", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wevion_downloader_init (WevionDownloader *self)
{
  self->active = g_ptr_array_new_with_free_func (g_object_unref);
  self->retry_delay_ms = 300;
}

WevionDownloader *
wevion_downloader_new (WevionClient *client)
{
  return g_object_new (WEVION_TYPE_DOWNLOADER, "client", client, NULL);
}

void
wevion_downloader_set_client (WevionDownloader *self, WevionClient *client)
{
  g_return_if_fail (WEVION_IS_DOWNLOADER (self));
  if (g_set_object (&self->client, client))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

guint
wevion_downloader_get_n_active (WevionDownloader *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOADER (self), 0);
  return self->active->len;
}

gint64
wevion_downloader_get_bytes (WevionDownloader *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOADER (self), 0);
  return self->bytes;
}

gint64
wevion_downloader_get_total (WevionDownloader *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOADER (self), 0);
  return self->total;
}

double
wevion_downloader_get_fraction (WevionDownloader *self)
{
  g_return_val_if_fail (WEVION_IS_DOWNLOADER (self), -1);
  if (self->total <= 0)
    return -1;
  return CLAMP ((double) self->bytes / (double) self->total, 0.0, 1.0);
}

void
wevion_downloader_set_retry_delay (WevionDownloader *self, guint ms)
{
  g_return_if_fail (WEVION_IS_DOWNLOADER (self));
  self->retry_delay_ms = ms;
}

/* ---- progress ------------------------------------------------------------------------------ */

static void
publish (WevionDownload *self)
{
  gint64 bytes, total, now = g_get_monotonic_time ();
  int left = -1;

  g_mutex_lock (&self->lock);
  bytes = self->t_bytes;
  total = self->t_total;
  g_mutex_unlock (&self->lock);

  if (self->rate_time == 0 || bytes < self->rate_bytes)
    {
      self->rate_time = now;
      self->rate_bytes = bytes;
    }
  else if (now - self->rate_time >= 250000)
    {
      double sample = (double) (bytes - self->rate_bytes) * G_USEC_PER_SEC / (double) (now - self->rate_time);

      /* exponential smoothing so the time left does not jump about */
      self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * sample : sample;
      self->rate_time = now;
      self->rate_bytes = bytes;
      g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_RATE]);
    }
  if (total >= 0 && self->rate > 1)
    left = (int) MIN ((double) (total - bytes) / self->rate + 0.5, (double) G_MAXINT);

  g_object_freeze_notify (G_OBJECT (self));
  if (bytes != self->bytes)
    {
      self->bytes = bytes;
      g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_BYTES]);
    }
  if (total != self->total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_TOTAL]);
    }
  if (left != self->seconds_left)
    {
      self->seconds_left = left;
      g_object_notify_by_pspec (G_OBJECT (self), dl_properties[DL_PROP_SECONDS_LEFT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (self->owner)
    downloader_update (self->owner);
}

static gboolean
publish_cb (gpointer user_data)
{
  publish (user_data);
  return G_SOURCE_CONTINUE;
}

/* ---- one request, in a worker thread ------------------------------------------------------- */

typedef enum {
  OUTCOME_DONE,
  OUTCOME_DROPPED, /* the connection failed or ended early: try again (resuming) */
  OUTCOME_EXPIRED, /* 403 */
  OUTCOME_ERROR,   /* give up with state->error */
} Outcome;

typedef struct
{
  WevionDownloader *downloader;
  WevionDownload *download;
  WevionJob *job;
  char *url; /* copied for the thread */
  char *folder;
  char *name;      /* chosen from the first answer's headers */
  char *part_path; /* folder/.name.part once created */
  char *etag;
  char *last_modified;
  char *sha256; /* expected, lower-case hex, when the server gave one */
  gint64 have;  /* bytes in the part file */
  gint64 total; /* -1 while unknown */
  guint failures;
  Outcome outcome;
  GError *error;
  /* counters reported back to the main context */
  gboolean did_resume;
  gboolean did_restart;
  char *final_path;
  guint retry_id;
} State;

static void
state_free (State *s)
{
  if (s->part_path)
    g_unlink (s->part_path); /* nothing half-written is left behind */
  g_clear_handle_id (&s->retry_id, g_source_remove);
  g_clear_object (&s->downloader);
  g_clear_object (&s->download);
  g_clear_object (&s->job);
  g_free (s->url);
  g_free (s->folder);
  g_free (s->name);
  g_free (s->part_path);
  g_free (s->etag);
  g_free (s->last_modified);
  g_free (s->sha256);
  g_free (s->final_path);
  g_clear_error (&s->error);
  g_free (s);
}

static void
set_progress (State *s)
{
  g_mutex_lock (&s->download->lock);
  s->download->t_bytes = s->have;
  s->download->t_total = s->total;
  g_mutex_unlock (&s->download->lock);
}

static Outcome fail (State *s, WevionDownloadError code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static Outcome
fail (State *s, WevionDownloadError code, const char *format, ...)
{
  va_list args;

  g_clear_error (&s->error);
  va_start (args, format);
  s->error = g_error_new_valist (WEVION_DOWNLOAD_ERROR, code, format, args);
  va_end (args);
  return OUTCOME_ERROR;
}

static Outcome
fail_errno (State *s, int err, const char *what)
{
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return fail (s, WEVION_DOWNLOAD_ERROR_DISK_FULL, _ ("The disk is full: %s could not be saved"), s->name);
  if (err == EACCES || err == EPERM || err == EROFS)
    return fail (s, WEVION_DOWNLOAD_ERROR_PERMISSION, _ ("No permission to write in %s"), s->folder);
  g_debug ("Download of %s: %s failed: %s", s->name, what, g_strerror (err));
  return fail (s, WEVION_DOWNLOAD_ERROR_WRITE, _ ("Could not save %s: %s"), s->name, g_strerror (err));
}

/* "sha-256=BASE64" in Digest / Repr-Digest ("sha-256=:BASE64:"), or X-Checksum-Sha256 (hex) */
static char *
expected_sha256 (SoupMessageHeaders *headers)
{
  const char *hex = soup_message_headers_get_one (headers, "X-Checksum-Sha256");
  const char *names[] = { "Repr-Digest", "Digest" };

  if (hex && strlen (hex) == 64)
    return g_ascii_strdown (hex, -1);
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      const char *value = soup_message_headers_get_list (headers, names[n]);
      g_auto (GStrv) parts = value ? g_strsplit (value, ",", -1) : NULL;

      for (guint i = 0; parts && parts[i]; i++)
        {
          char *p = g_strstrip (parts[i]);

          if (g_ascii_strncasecmp (p, "sha-256=", 8) == 0)
            {
              g_autofree char *b64 = g_strdup (p + 8);
              gsize len = 0;
              g_autofree guchar *raw = NULL;
              GString *out;

              g_strdelimit (b64, ":", ' ');
              g_strstrip (b64);
              raw = g_base64_decode (b64, &len);
              if (len != 32)
                continue;
              out = g_string_new (NULL);
              for (gsize k = 0; k < len; k++)
                g_string_append_printf (out, "%02x", raw[k]);
              return g_string_free (out, FALSE);
            }
        }
    }
  return NULL;
}

static gboolean
file_sha256_matches (const char *path, const char *expected)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (CHUNK_SIZE);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    return FALSE;
  while ((n = read (fd, buf, CHUNK_SIZE)) > 0)
    g_checksum_update (sum, buf, n);
  close (fd);
  return n == 0 && g_ascii_strcasecmp (g_checksum_get_string (sum), expected) == 0;
}

/* Links the part file to a name that does not exist yet (never overwrites). */
static Outcome
finish_file (State *s)
{
  for (int tries = 0; tries < 1000; tries++)
    {
      g_autofree char *path = wevion_download_unique_path (s->folder, s->name);

      if (link (s->part_path, path) == 0)
        {
          g_unlink (s->part_path);
          g_clear_pointer (&s->part_path, g_free);
          s->final_path = g_steal_pointer (&path);
          return OUTCOME_DONE;
        }
      if (errno == EEXIST)
        continue; /* someone took the name meanwhile */
      if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP || errno == EMLINK || errno == EXDEV)
        {
          /* a file system without hard links: check, then rename */
          if (g_file_test (path, G_FILE_TEST_EXISTS))
            continue;
          if (g_rename (s->part_path, path) != 0)
            return fail_errno (s, errno, "save");
          g_clear_pointer (&s->part_path, g_free);
          s->final_path = g_steal_pointer (&path);
          return OUTCOME_DONE;
        }
      return fail_errno (s, errno, "save");
    }
  return fail (s, WEVION_DOWNLOAD_ERROR_WRITE, _ ("Could not find a free name for %s"), s->name);
}

static gboolean
parse_content_range (const char *value, gint64 *start, gint64 *size)
{
  guint64 a, b, n;

  /* "bytes A-B/N" */
  if (value == NULL
      || sscanf (value, "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, &a, &b, &n)
             != 3)
    return FALSE;
  *start = a;
  *size = n;
  return b < n && a <= b;
}

static Outcome
attempt (State *s, GCancellable *cancellable)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guchar *buf = NULL;
  SoupMessageHeaders *res;
  gboolean ranged = FALSE;
  guint status;
  int fd = -1;
  gssize n;

  /* A session of its own, with nothing that could add credentials or decode the body. */
  session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60, "user-agent",
                                           PACKAGE_NAME "/" PACKAGE_VERSION, NULL);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_COOKIE_JAR);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_AUTH_MANAGER);

  msg = soup_message_new (SOUP_METHOD_GET, s->url);
  if (msg == NULL)
    return fail (s, WEVION_DOWNLOAD_ERROR_HTTP, _ ("Not a web address: %s"), s->url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept-Encoding", "identity");
  if (s->have > 0 && (s->etag || s->last_modified))
    {
      g_autofree char *range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", s->have);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Range", range);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "If-Range",
                                    s->etag ? s->etag : s->last_modified);
      ranged = TRUE;
    }

  in = soup_session_send (session, msg, cancellable, &error);
  if (in == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          s->error = g_steal_pointer (&error);
          return OUTCOME_ERROR;
        }
      g_clear_error (&s->error);
      s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NETWORK, "%s", error->message);
      return OUTCOME_DROPPED;
    }
  status = soup_message_get_status (msg);
  res = soup_message_get_response_headers (msg);

  if (status == SOUP_STATUS_FORBIDDEN)
    return OUTCOME_EXPIRED;
  if (status == SOUP_STATUS_NOT_FOUND || status == 410)
    return fail (s, WEVION_DOWNLOAD_ERROR_MOVED,
                 _ ("The file may have moved or its Drive permissions changed (HTTP %u)"), status);
  if (status == 416 && ranged)
    {
      /* the partial file no longer fits the file: start over */
      s->have = 0;
      g_clear_pointer (&s->etag, g_free);
      g_clear_pointer (&s->last_modified, g_free);
      fail (s, WEVION_DOWNLOAD_ERROR_INCOMPLETE, "%s", _ ("The file changed on the server"));
      return OUTCOME_DROPPED;
    }
  if (status != SOUP_STATUS_OK && !(status == SOUP_STATUS_PARTIAL_CONTENT && ranged))
    return fail (s, WEVION_DOWNLOAD_ERROR_HTTP, _ ("The file host answered HTTP %u"), status);
  {
    const char *type = soup_message_headers_get_content_type (res, NULL);

    if (type
        && (g_ascii_strcasecmp (type, "text/html") == 0
            || g_ascii_strcasecmp (type, "application/xhtml+xml") == 0))
      return fail (s, WEVION_DOWNLOAD_ERROR_HTML, _ ("The link opens a web page, not a file"));
  }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      gint64 start = -1, size = -1;

      if (!parse_content_range (soup_message_headers_get_one (res, "Content-Range"), &start, &size)
          || start != s->have || (s->total >= 0 && size != s->total))
        {
          /* not the range we asked for: forget the part and start over */
          s->have = 0;
          g_clear_pointer (&s->etag, g_free);
          g_clear_pointer (&s->last_modified, g_free);
          g_clear_error (&s->error);
          s->error
              = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_INCOMPLETE, "unexpected range");
          return OUTCOME_DROPPED;
        }
      s->total = size;
      s->did_resume = TRUE;
      fd = g_open (s->part_path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
      if (fd < 0)
        return fail_errno (s, errno, "write");
    }
  else
    {
      goffset length = soup_message_headers_get_encoding (res) == SOUP_ENCODING_CONTENT_LENGTH
                           ? soup_message_headers_get_content_length (res)
                           : -1;

      if (s->have > 0 || ranged)
        s->did_restart = TRUE; /* a Range the server ignored (or a changed file): from the start */
      s->have = 0;
      s->total = length;
      g_free (s->etag);
      s->etag = g_strdup (soup_message_headers_get_one (res, "ETag"));
      g_free (s->last_modified);
      s->last_modified = g_strdup (soup_message_headers_get_one (res, "Last-Modified"));
      g_free (s->sha256);
      s->sha256 = expected_sha256 (res);
      if (s->name == NULL)
        {
          GUri *uri = soup_message_get_uri (msg);
          g_autofree char *disposition_name = NULL;
          g_autoptr (GHashTable) params = NULL;
          g_autofree char *uri_str = g_uri_to_string (uri);

          if (soup_message_headers_get_content_disposition (res, NULL, &params))
            disposition_name = g_strdup (g_hash_table_lookup (params, "filename"));
          s->name = wevion_download_filename_for (disposition_name, uri_str);
        }
      if (g_mkdir_with_parents (s->folder, 0755) != 0)
        return fail_errno (s, errno, "create");
      if (s->part_path)
        fd = g_open (s->part_path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0); /* ours: start it over */
      else
        {
          /* ".NAME.XXXXXX.part": unique, so two downloads of the same name never share one */
          g_autofree char *part = g_strdup_printf (".%s.XXXXXX.part", s->name);

          s->part_path = g_build_filename (s->folder, part, NULL);
          fd = g_mkstemp_full (s->part_path, O_WRONLY | O_CLOEXEC, 0644);
        }
      if (fd < 0)
        {
          int err = errno;

          g_clear_pointer (&s->part_path, g_free); /* not ours */
          return fail_errno (s, err, "create");
        }
    }
  set_progress (s);

  buf = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      gssize done = 0;

      n = g_input_stream_read (in, buf, CHUNK_SIZE, cancellable, &error);
      if (n <= 0)
        break;
      while (done < n)
        {
          gssize w = write (fd, buf + done, n - done);

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int err = errno;

              close (fd);
              return fail_errno (s, err, "write");
            }
          done += w;
        }
      s->have += n;
      set_progress (s);
    }
  if (close (fd) != 0)
    return fail_errno (s, errno, "write");
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&s->error);
          s->error = g_steal_pointer (&error);
          return OUTCOME_ERROR;
        }
      g_clear_error (&s->error);
      s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NETWORK, "%s", error->message);
      return OUTCOME_DROPPED;
    }
  if (s->total >= 0 && s->have != s->total)
    {
      g_autofree char *have = g_format_size ((guint64) s->have);
      g_autofree char *total = g_format_size ((guint64) s->total);

      g_clear_error (&s->error);
      /* Translators: sizes, e.g. "The connection ended after 1.2 MB of 3.4 MB" */
      s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_INCOMPLETE,
                              _ ("The connection ended after %s of %s"), have, total);
      return OUTCOME_DROPPED;
    }
  if (s->sha256 && !file_sha256_matches (s->part_path, s->sha256))
    return fail (s, WEVION_DOWNLOAD_ERROR_INCOMPLETE, _ ("%s arrived damaged (checksum mismatch)"), s->name);
  return finish_file (s);
}

static void
attempt_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  State *s = task_data;

  s->outcome = attempt (s, cancellable);
  g_task_return_boolean (task, TRUE);
}

/* ---- the main-context driver ---------------------------------------------------------------- */

static void run_attempt (GTask *task);

static void
finish_task (GTask *task)
{
  State *s = g_task_get_task_data (task);
  WevionDownload *d = s->download;
  WevionDownloader *self = s->downloader;

  publish (d);
  g_clear_handle_id (&d->publish_id, g_source_remove);
  if (s->outcome == OUTCOME_DONE)
    {
      d->path = g_strdup (s->final_path);
      g_object_notify_by_pspec (G_OBJECT (d), dl_properties[DL_PROP_PATH]);
      download_set_state (d, WEVION_DOWNLOAD_STATE_DONE);
    }
  else
    download_set_state (d, g_error_matches (s->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                               ? WEVION_DOWNLOAD_STATE_CANCELED
                               : WEVION_DOWNLOAD_STATE_FAILED);
  d->owner = NULL;
  g_ptr_array_remove (self->active, d);
  downloader_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);

  if (s->outcome == OUTCOME_DONE)
    g_task_return_pointer (task, g_strdup (s->final_path), g_free);
  else
    {
      if (s->part_path)
        {
          g_unlink (s->part_path);
          g_clear_pointer (&s->part_path, g_free);
        }
      g_task_return_error (task, g_steal_pointer (&s->error));
    }
}

static void
refreshed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  State *s = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionJob) fresh = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &error);
  const char *const *urls = fresh ? wevion_job_get_result_urls (fresh) : NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      s->outcome = OUTCOME_ERROR;
      g_clear_error (&s->error);
      s->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The download was canceled"));
      finish_task (task);
      return;
    }
  if (urls == NULL || s->download->index >= g_strv_length ((char **) urls))
    {
      s->outcome = OUTCOME_ERROR;
      g_clear_error (&s->error);
      s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED,
                              _ ("The file may have moved or its Drive permissions changed (%s)"),
                              error ? error->message : _ ("the job has no such result any more"));
      finish_task (task);
      return;
    }
  g_free (s->url);
  s->url = g_strdup (urls[s->download->index]);
  download_set_url (s->download, s->url);
  run_attempt (g_steal_pointer (&task));
}

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;
  State *s = g_task_get_task_data (task);

  s->retry_id = 0;
  run_attempt (task);
  return G_SOURCE_REMOVE;
}

static void
attempt_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  State *s = g_task_get_task_data (task);
  WevionDownload *d = s->download;

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (s->did_resume)
    download_bump (d, &d->resumed, DL_PROP_RESUMED);
  if (s->did_restart)
    download_bump (d, &d->restarted, DL_PROP_RESTARTED);
  s->did_resume = s->did_restart = FALSE;
  publish (d);

  switch (s->outcome)
    {
    case OUTCOME_DONE:
    case OUTCOME_ERROR: finish_task (task); return;
    case OUTCOME_EXPIRED:
      if (d->refreshed || s->downloader->client == NULL || s->job == NULL)
        {
          s->outcome = OUTCOME_ERROR;
          g_clear_error (&s->error);
          s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_MOVED, "%s",
                                  _ ("The file may have moved or its Drive permissions changed (HTTP 403)"));
          finish_task (task);
          return;
        }
      d->refreshed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (d), dl_properties[DL_PROP_REFRESHED]);
      {
        GCancellable *cancellable = g_task_get_cancellable (task);

        wevion_client_get_job_async (s->downloader->client, wevion_job_get_id (s->job), cancellable,
                                     refreshed_cb, g_steal_pointer (&task));
      }
      return;
    case OUTCOME_DROPPED:
      if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        {
          g_clear_error (&s->error);
          s->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The download was canceled"));
        }
      if (++s->failures >= MAX_FAILURES && !g_error_matches (s->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *last = g_strdup (s->error ? s->error->message : "");

          g_clear_error (&s->error);
          s->error = g_error_new (WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NETWORK,
                                  _ ("The connection kept dropping (%s)"), last);
        }
      if (s->failures >= MAX_FAILURES || g_error_matches (s->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          s->outcome = OUTCOME_ERROR;
          finish_task (task);
          return;
        }
      s->retry_id
          = g_timeout_add (s->downloader->retry_delay_ms * s->failures, retry_cb, g_steal_pointer (&task));
      return;
    default: g_assert_not_reached ();
    }
}

static void
run_attempt (GTask *task)
{
  State *s = g_task_get_task_data (task);
  g_autoptr (GTask) inner = g_task_new (NULL, g_task_get_cancellable (task), attempt_done_cb, task);

  download_set_state (s->download, WEVION_DOWNLOAD_STATE_RUNNING);
  download_bump (s->download, &s->download->attempts, DL_PROP_ATTEMPTS);
  g_task_set_task_data (inner, s, NULL);
  g_task_run_in_thread (inner, attempt_thread);
}

WevionDownload *
wevion_downloader_download_async (WevionDownloader *self, WevionJob *job, guint index, const char *folder,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  const char *const *urls;
  State *s;
  WevionDownload *d;

  g_return_val_if_fail (WEVION_IS_DOWNLOADER (self), NULL);
  g_return_val_if_fail (WEVION_IS_JOB (job), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_downloader_download_async);
  d = g_object_new (WEVION_TYPE_DOWNLOAD, NULL);
  d->job_id = g_strdup (wevion_job_get_id (job));
  d->index = index;
  d->folder = g_strdup (folder);
  s = g_new0 (State, 1);
  s->downloader = g_object_ref (self);
  s->download = d;
  s->job = g_object_ref (job);
  s->folder = g_strdup (folder);
  s->total = -1;
  g_task_set_task_data (task, s, (GDestroyNotify) state_free);

  urls = wevion_job_get_result_urls (job);
  if (urls == NULL || index >= g_strv_length ((char **) urls))
    {
      d->state = WEVION_DOWNLOAD_STATE_FAILED;
      g_task_return_new_error (task, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NO_RESULT, "%s",
                               _ ("This job has no result file"));
      return d;
    }
  s->url = g_strdup (urls[index]);
  d->url = g_strdup (s->url);
  d->owner = self;
  g_ptr_array_add (self->active, g_object_ref (d));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
  d->publish_id = g_timeout_add (100, publish_cb, d);
  run_attempt (g_steal_pointer (&task));
  return d;
}

char *
wevion_downloader_download_finish (WevionDownloader *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- download all --------------------------------------------------------------------------- */

typedef struct
{
  WevionJob *job;
  char *folder;
  guint next;
  GPtrArray *paths;
} AllData;

static void
all_data_free (AllData *a)
{
  g_clear_object (&a->job);
  g_free (a->folder);
  g_ptr_array_unref (a->paths);
  g_free (a);
}

static void all_next (GTask *task);

static void
all_one_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AllData *a = g_task_get_task_data (task);
  GError *error = NULL;
  char *path = wevion_downloader_download_finish (WEVION_DOWNLOADER (source), result, &error);

  if (path == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (a->paths, path);
  all_next (g_steal_pointer (&task));
}

static void
all_next (GTask *task)
{
  AllData *a = g_task_get_task_data (task);

  if (a->next >= wevion_job_get_n_result_urls (a->job))
    {
      g_ptr_array_add (a->paths, NULL);
      g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&a->paths), FALSE),
                             (GDestroyNotify) g_strfreev);
      a->paths = g_ptr_array_new ();
      g_object_unref (task);
      return;
    }
  wevion_downloader_download_async (g_task_get_source_object (task), a->job, a->next++, a->folder,
                                    g_task_get_cancellable (task), all_one_cb, task);
}

void
wevion_downloader_download_all_async (WevionDownloader *self, WevionJob *job, const char *folder,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  AllData *a;

  g_return_if_fail (WEVION_IS_DOWNLOADER (self));
  g_return_if_fail (WEVION_IS_JOB (job));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wevion_downloader_download_all_async);
  a = g_new0 (AllData, 1);
  a->job = g_object_ref (job);
  a->folder = g_strdup (folder);
  a->paths = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, a, (GDestroyNotify) all_data_free);
  if (wevion_job_get_n_result_urls (job) == 0)
    {
      g_task_return_new_error (task, WEVION_DOWNLOAD_ERROR, WEVION_DOWNLOAD_ERROR_NO_RESULT, "%s",
                               _ ("This job has no result file"));
      return;
    }
  all_next (g_steal_pointer (&task));
}

char **
wevion_downloader_download_all_finish (WevionDownloader *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- helpers -------------------------------------------------------------------------------- */

static gboolean
is_bad_char (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '/' || c == '\\' || c == 0x200e
         || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* the longest prefix of @s that is at most @max bytes and ends on a character boundary */
static gsize
utf8_prefix (const char *s, gsize max)
{
  const char *p = s;
  const char *last = s;

  while (*p && (gsize) (p - s) <= max)
    {
      last = p;
      p = g_utf8_next_char (p);
    }
  if (*p == '\0' && (gsize) (p - s) <= max)
    return p - s;
  return last - s;
}

char *
wevion_download_sanitize_filename (const char *name, gsize max_bytes)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *base;
  const char *dot;
  char *stripped;

  if (max_bytes < 16)
    max_bytes = 16;
  if (name == NULL)
    name = "";
  valid = g_utf8_make_valid (name, -1);
  /* the last path component only: "../../etc/passwd" → "passwd", "a/b" → "b" */
  base = valid;
  for (const char *p = valid; *p; p++)
    if ((*p == '/' || *p == '\\') && p[1] != '\0')
      base = p + 1;
  for (const char *p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_bad_char (c))
        continue;
      g_string_append_unichar (out, c);
    }
  /* no leading dots or spaces (no hidden files, no "..", no ".part" clashes), no trailing ones */
  stripped = out->str;
  while (*stripped == '.' || *stripped == ' ')
    stripped++;
  g_string_erase (out, 0, stripped - out->str);
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    g_string_assign (out, "download");

  if (out->len > max_bytes)
    {
      g_autofree char *ext = NULL;
      gsize keep;

      dot = strrchr (out->str, '.');
      /* an extension longer than half the room is dropped: otherwise "download" + it could
       * exceed @max_bytes (found by fuzzing) */
      if (dot && strlen (dot) <= 16 && strlen (dot) <= max_bytes / 2 && dot != out->str)
        ext = g_strdup (dot);
      else
        ext = g_strdup ("");
      keep = utf8_prefix (out->str, max_bytes - strlen (ext));
      g_string_truncate (out, keep);
      while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
        g_string_truncate (out, out->len - 1);
      if (out->len == 0)
        g_string_assign (out, "download");
      g_string_append (out, ext);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
wevion_download_filename_for (const char *content_disposition, const char *url)
{
  g_autofree char *from_url = NULL;

  if (content_disposition && *content_disposition)
    return wevion_download_sanitize_filename (content_disposition, MAX_NAME_BYTES);
  if (url)
    {
      g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
      const char *path = uri ? g_uri_get_path (uri) : NULL;
      const char *slash = path ? strrchr (path, '/') : NULL;

      if (slash && slash[1])
        from_url = g_uri_unescape_string (slash + 1, NULL);
    }
  return wevion_download_sanitize_filename (from_url, MAX_NAME_BYTES);
}

char *
wevion_download_unique_path (const char *folder, const char *name)
{
  g_autofree char *stem = NULL;
  const char *dot = strrchr (name, '.');
  const char *ext;
  char *path = g_build_filename (folder, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    return path;
  g_free (path);
  if (dot == NULL || dot == name)
    dot = name + strlen (name);
  stem = g_strndup (name, dot - name);
  ext = dot;
  for (guint n = 1;; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s (%u)%s", stem, n, ext);

      path = g_build_filename (folder, candidate, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        return path;
      g_free (path);
    }
}

char *
wevion_download_folder_for (WevionJob *job, const char *setting, gboolean per_job)
{
  g_autofree char *base = NULL;

  if (setting && *setting)
    base = g_strdup (setting);
  else
    {
      GUserDirectory dir;
      const char *path;

      switch (job ? wevion_job_get_job_type (job) : WEVION_JOB_TYPE_UNKNOWN)
        {
        case WEVION_JOB_TYPE_IMAGE: dir = G_USER_DIRECTORY_PICTURES; break;
        case WEVION_JOB_TYPE_VIDEO:
        case WEVION_JOB_TYPE_AVATAR: dir = G_USER_DIRECTORY_VIDEOS; break;
        case WEVION_JOB_TYPE_TTS: dir = G_USER_DIRECTORY_MUSIC; break;
        case WEVION_JOB_TYPE_COMPOSITE:
        case WEVION_JOB_TYPE_UNKNOWN:
        default: dir = G_USER_DIRECTORY_DOWNLOAD; break;
        }
      path = g_get_user_special_dir (dir);
      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
        path = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
        path = g_get_home_dir ();
      base = g_strdup (path);
    }
  if (per_job && job)
    {
      g_autofree char *sub = wevion_download_sanitize_filename (wevion_job_get_id (job), MAX_NAME_BYTES);

      return g_build_filename (base, sub, NULL);
    }
  return g_steal_pointer (&base);
}

char *
wevion_campaign_uri_build (const char *template_, const char *server, const char *job_id, const char *url)
{
  g_autofree char *id = g_uri_escape_string (job_id ? job_id : "", NULL, FALSE);
  g_autofree char *escaped_url = g_uri_escape_string (url ? url : "", NULL, FALSE);
  g_autoptr (GString) out = g_string_new (template_ ? template_ : "");
  g_autofree char *trimmed = g_strdup (server ? server : "");
  gsize len = strlen (trimmed);

  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  /* {url} and {id} first: a server address cannot smuggle in a placeholder */
  g_string_replace (out, "{url}", escaped_url, 0);
  g_string_replace (out, "{id}", id, 0);
  g_string_replace (out, "{server}", trimmed, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
