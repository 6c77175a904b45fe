/* wevion-downloader.h: streams result files to disk, resumable, never with API credentials. */
#pragma once

#include <gio/gio.h>

#include "wevion-client.h"
#include "wevion-job.h"

G_BEGIN_DECLS

#define WEVION_DOWNLOAD_ERROR (wevion_download_error_quark ())
typedef enum {
  WEVION_DOWNLOAD_ERROR_MOVED,      /* 404, or 403 after fresh URLs: "The file may have moved or its Drive
                                     * permissions changed" → offer the Drive folder */
  WEVION_DOWNLOAD_ERROR_HTML,       /* the link answered with a web page, not a file → offer the browser */
  WEVION_DOWNLOAD_ERROR_HTTP,       /* any other error status */
  WEVION_DOWNLOAD_ERROR_NETWORK,    /* the connection failed or kept dropping */
  WEVION_DOWNLOAD_ERROR_INCOMPLETE, /* the length or checksum did not match */
  WEVION_DOWNLOAD_ERROR_DISK_FULL,  /* no space left (or the file size limit) */
  WEVION_DOWNLOAD_ERROR_PERMISSION, /* the folder cannot be written */
  WEVION_DOWNLOAD_ERROR_WRITE,      /* any other error writing the file */
  WEVION_DOWNLOAD_ERROR_NO_RESULT,  /* the job has no such result */
} WevionDownloadError;

GQuark wevion_download_error_quark (void);

/* A sentence for a person, with the next step, for an error of this domain. */
const char *wevion_download_error_get_advice (const GError *error);

typedef enum {
  WEVION_DOWNLOAD_STATE_WAITING,
  WEVION_DOWNLOAD_STATE_RUNNING,
  WEVION_DOWNLOAD_STATE_DONE,
  WEVION_DOWNLOAD_STATE_FAILED,
  WEVION_DOWNLOAD_STATE_CANCELED,
} WevionDownloadState;

GType wevion_download_state_get_type (void);
#define WEVION_TYPE_DOWNLOAD_STATE (wevion_download_state_get_type ())

/* ---- one download --------------------------------------------------------------------------- */

#define WEVION_TYPE_DOWNLOAD (wevion_download_get_type ())
G_DECLARE_FINAL_TYPE (WevionDownload, wevion_download, WEVION, DOWNLOAD, GObject)

/* Properties (read-only, notified on the main context at most ~10 times a second):
 * "job-id", "index", "url" (the URL in use; changes after a refresh), "folder", "state",
 * "bytes" (received so far, int64), "total" (int64, -1 while unknown), "rate" (bytes per second),
 * "seconds-left" (int, -1 while unknown), "path" (the final file once DONE), "attempts" (requests
 * made), "resumed" (how many times a Range request continued a partial file), "restarted" (how
 * many times a server answered 200 to a Range request and the file started over), "refreshed"
 * (TRUE after the job was fetched again for fresh URLs). */
const char *wevion_download_get_job_id (WevionDownload *self);
guint wevion_download_get_index (WevionDownload *self);
const char *wevion_download_get_url (WevionDownload *self);
const char *wevion_download_get_folder (WevionDownload *self);
WevionDownloadState wevion_download_get_state (WevionDownload *self);
gint64 wevion_download_get_bytes (WevionDownload *self);
gint64 wevion_download_get_total (WevionDownload *self);
double wevion_download_get_rate (WevionDownload *self);
int wevion_download_get_seconds_left (WevionDownload *self);
const char *wevion_download_get_path (WevionDownload *self);
guint wevion_download_get_attempts (WevionDownload *self);
guint wevion_download_get_resumed (WevionDownload *self);
guint wevion_download_get_restarted (WevionDownload *self);
gboolean wevion_download_get_refreshed (WevionDownload *self);

/* ---- the downloader ------------------------------------------------------------------------- */

#define WEVION_TYPE_DOWNLOADER (wevion_downloader_get_type ())
G_DECLARE_FINAL_TYPE (WevionDownloader, wevion_downloader, WEVION, DOWNLOADER, GObject)

/* @client (nullable) is used only to GET a job again for fresh result URLs after a 403; the
 * result hosts themselves get requests with no Authorization header and no cookies.
 * Properties: "n-active" (downloads running), "bytes" and "total" (sums over the running
 * downloads; total -1 while one is unknown), "client". */
WevionDownloader *wevion_downloader_new (WevionClient *client);
void wevion_downloader_set_client (WevionDownloader *self, WevionClient *client);
guint wevion_downloader_get_n_active (WevionDownloader *self);
gint64 wevion_downloader_get_bytes (WevionDownloader *self);
gint64 wevion_downloader_get_total (WevionDownloader *self);
/* 0..1 over the running downloads, -1 when unknown */
double wevion_downloader_get_fraction (WevionDownloader *self);

/* Test only: the pause before trying again after a dropped connection (default 300 ms). */
void wevion_downloader_set_retry_delay (WevionDownloader *self, guint ms);

/* Downloads result @index of @job into @folder (created if needed). Returns the download object
 * (transfer none, owned by the task) to watch progress. Writes ".NAME.XXXXXX.part" in @folder and
 * renames it to a name that does not exist yet only when complete; on any failure nothing is left
 * behind. */
WevionDownload *wevion_downloader_download_async (WevionDownloader *self, WevionJob *job, guint index,
                                                  const char *folder, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
/* Returns the path of the saved file. */
char *wevion_downloader_download_finish (WevionDownloader *self, GAsyncResult *result, GError **error);

/* All results of @job, one after the other; returns the saved paths (GStrv). Stops at the first
 * error (files already saved stay). */
void wevion_downloader_download_all_async (WevionDownloader *self, WevionJob *job, const char *folder,
                                           GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
char **wevion_downloader_download_all_finish (WevionDownloader *self, GAsyncResult *result, GError **error);

/* ---- helpers (pure functions) ---------------------------------------------------------------- */

/* A safe file name: no path separators, no "..", no control characters, at most @max_bytes
 * (about 200) bytes keeping the extension, valid UTF-8, never empty ("download"). */
char *wevion_download_sanitize_filename (const char *name, gsize max_bytes);
/* The file name for a result: Content-Disposition's filename (may be NULL), else the last segment
 * of the URL path, sanitized. */
char *wevion_download_filename_for (const char *content_disposition, const char *url);
/* @folder/@name, or "@folder/stem (N).ext" for the first N that does not exist. */
char *wevion_download_unique_path (const char *folder, const char *name);
/* The folder for a job: @setting when non-empty, else the XDG Pictures (image), Videos (video,
 * avatar), Music (tts) or Download (composite) folder, falling back to Downloads then home; with
 * @per_job a sub-folder named after the job id. */
char *wevion_download_folder_for (WevionJob *job, const char *setting, gboolean per_job);

/* The Campaign Creator address: @template with {server} (without its trailing slash), {id} and
 * {url} (both percent-encoded) replaced. */
char *wevion_campaign_uri_build (const char *template_, const char *server, const char *job_id,
                                 const char *url);

G_END_DECLS
