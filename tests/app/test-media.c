/* test-media.c: video and speech results play in the details pane. wevion-hub renders videos as
 * WebM (VP8), which GTK's GStreamer media backend plays, or, with --video-format apng (or a job's
 * settings.format), as animated PNGs, which WevionApngStream decodes (no media backend needed);
 * speech goes through GTK's media backend when the system has one. Under Xvfb against a real
 * wevion-hub started with --video-format apng, with one job that asks for WebM. */
#include "config.h"

#include <string.h>

#include "app-test-utils.h"
#include "core-test-hub.h"
#include "core-test-utils.h"
#include "wevion-apng-stream.h"
#include "wevion-application.h"
#include "wevion-job-details.h"
#include "wevion-window.h"

static WtHub *hub; /* --video-format apng */
static char *video_id, *tts_id, *webm_id;
static GBytes *video_bytes;

typedef struct
{
  gpointer result;
  GError *error;
  gboolean done;
} Wait;

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = wevion_client_submit_finish (WEVION_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
got_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = wevion_client_get_job_finish (WEVION_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = wevion_fetch_bytes_finish (result, &wait->error);
  wait->done = TRUE;
}

/* submits a job and waits until the hub has finished it */
static WevionJob *
make_job (WevionClient *client, WevionJobType type, const char *provider, const char *prompt,
          const char *format)
{
  g_autoptr (JsonObject) settings = json_object_new ();
  Wait wait = { 0 };
  g_autofree char *id = NULL;

  json_object_set_int_member (settings, "seconds", 1);
  if (type == WEVION_JOB_TYPE_VIDEO)
    {
      json_object_set_int_member (settings, "width", 96);
      json_object_set_int_member (settings, "height", 64);
    }
  if (format)
    json_object_set_string_member (settings, "format", format);
  wevion_client_submit_async (client, type, provider, prompt, settings, NULL, NULL, submitted_cb, &wait);
  AT_WAIT (wait.done, 20);
  g_assert_no_error (wait.error);
  id = wait.result;
  for (int i = 0; i < 200; i++)
    {
      WevionJob *job;

      wait = (Wait){ 0 };
      wevion_client_get_job_async (client, id, NULL, got_cb, &wait);
      AT_WAIT (wait.done, 20);
      g_assert_no_error (wait.error);
      job = wait.result;
      if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
        return job;
      g_assert_cmpint (wevion_job_get_status (job), !=, WEVION_JOB_STATUS_FAILED);
      g_object_unref (job);
      at_spin (100);
    }
  g_assert_not_reached ();
}

static GBytes *
fetch (const char *url)
{
  Wait wait = { 0 };

  wevion_fetch_bytes_async (url, 64 * 1024 * 1024, NULL, fetched_cb, &wait);
  AT_WAIT (wait.done, 20);
  g_assert_no_error (wait.error);
  return wait.result;
}

static guint8 *
pixels (GdkTexture *texture)
{
  gsize stride = (gsize) gdk_texture_get_width (texture) * 4;
  guint8 *data = g_malloc (stride * gdk_texture_get_height (texture));

  gdk_texture_download (texture, data, stride);
  return data;
}

static void
test_decode (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WevionApngStream) stream = wevion_apng_stream_new (video_bytes, 256 * 1024 * 1024, &error);
  GtkMediaStream *media;
  g_autofree guint8 *first = NULL, *middle = NULL;
  gsize size = 96 * 64 * 4;

  g_assert_no_error (error);
  media = GTK_MEDIA_STREAM (stream);
  /* one second at the hub's eight frames a second */
  g_assert_cmpuint (wevion_apng_stream_get_n_frames (stream), ==, 8);
  g_assert_true (gtk_media_stream_is_prepared (media));
  g_assert_true (gtk_media_stream_has_video (media));
  g_assert_false (gtk_media_stream_has_audio (media));
  g_assert_true (gtk_media_stream_is_seekable (media));
  g_assert_cmpint (gtk_media_stream_get_duration (media), ==, G_USEC_PER_SEC);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (stream)), ==, 96);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (stream)), ==, 64);

  /* the frames move: the hub turns its drawing a little each frame */
  first = pixels (wevion_apng_stream_get_frame (stream, 0));
  middle = pixels (wevion_apng_stream_get_frame (stream, 4));
  g_assert_cmpint (memcmp (first, middle, size), !=, 0);
  /* and they are real pictures, not empty canvases: most pixels are opaque */
  {
    guint opaque = 0;
    for (gsize i = 3; i < size; i += 4)
      opaque += first[i] == 0xff;
    g_assert_cmpuint (opaque, >, 96 * 64 * 9 / 10);
  }

  /* seeking lands on the frame shown at that time */
  gtk_media_stream_seek (media, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (wevion_apng_stream_get_current_frame (stream), ==, 4);
  g_assert_cmpint (gtk_media_stream_get_timestamp (media), ==, G_USEC_PER_SEC / 2);
  gtk_media_stream_seek (media, 0);
  g_assert_cmpuint (wevion_apng_stream_get_current_frame (stream), ==, 0);

  /* playing without loop runs to the end and stops there */
  gtk_media_stream_set_loop (media, FALSE);
  gtk_media_stream_play (media);
  g_assert_true (gtk_media_stream_get_playing (media));
  AT_WAIT (gtk_media_stream_get_ended (media), 10);
  g_assert_false (gtk_media_stream_get_playing (media));
  g_assert_cmpuint (wevion_apng_stream_get_current_frame (stream), ==, 7);
  g_assert_cmpint (gtk_media_stream_get_timestamp (media), ==, G_USEC_PER_SEC);
  /* play again after the end starts over */
  gtk_media_stream_play (media);
  g_assert_true (gtk_media_stream_get_playing (media));
  g_assert_cmpuint (wevion_apng_stream_get_current_frame (stream), ==, 0);
  gtk_media_stream_pause (media);
}

static void
test_bad_input (void)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (video_bytes, &size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) half = g_bytes_new_from_bytes (video_bytes, 0, size / 2);
  g_autoptr (GBytes) gif = g_bytes_new_static ("GIF89a\x01\0\x01\0\0\0\0;", 14);
  g_autoptr (GBytes) damaged = NULL;
  g_autoptr (GBytes) still = NULL;
  WevionApngStream *stream;

  /* a download cut short */
  stream = wevion_apng_stream_new (half, 256 * 1024 * 1024, &error);
  g_assert_null (stream);
  g_assert_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID);
  g_test_message ("cut short: %s", error->message);
  g_clear_error (&error);

  /* cut exactly between two chunks (its IEND missing): not a shorter animation */
  {
    g_autoptr (GBytes) no_end = g_bytes_new_from_bytes (video_bytes, 0, size - 12);

    g_assert_null (wevion_apng_stream_new (no_end, 256 * 1024 * 1024, &error));
    g_assert_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* not a PNG at all */
  g_assert_false (wevion_apng_is_png (gif));
  g_assert_null (wevion_apng_stream_new (gif, 256 * 1024 * 1024, &error));
  g_assert_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID);
  g_clear_error (&error);

  /* damaged image data in the last frame: its compressed stream zeroed (no valid zlib header) */
  {
    guint8 *copy = g_memdup2 (data, size);
    gsize at = 0;

    for (gsize i = 8; i + 8 <= size; i++)
      if (memcmp (copy + i + 4, "fdAT", 4) == 0)
        at = i;
    g_assert_cmpuint (at, >, 0);
    {
      guint32 len = ((guint32) copy[at] << 24) | ((guint32) copy[at + 1] << 16)
                    | ((guint32) copy[at + 2] << 8) | copy[at + 3];
      g_assert_cmpuint (at + 12 + len, <=, size);
      memset (copy + at + 8 + 4, 0, len - 4); /* after the sequence number */
    }
    damaged = g_bytes_new_take (copy, size);
  }
  g_assert_null (wevion_apng_stream_new (damaged, 256 * 1024 * 1024, &error));
  g_assert_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_INVALID);
  g_test_message ("damaged: %s", error->message);
  g_clear_error (&error);

  /* more frames than the memory budget allows */
  g_assert_null (wevion_apng_stream_new (video_bytes, 96 * 64 * 4 * 4, &error));
  g_assert_error (error, WEVION_APNG_ERROR, WEVION_APNG_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* a plain PNG is a still: one frame, nothing to play */
  {
    g_autoptr (WevionApngStream) apng = wevion_apng_stream_new (video_bytes, 256 * 1024 * 1024, NULL);
    still = gdk_texture_save_to_png_bytes (wevion_apng_stream_get_frame (apng, 3));
  }
  stream = wevion_apng_stream_new (still, 256 * 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wevion_apng_stream_get_n_frames (stream), ==, 1);
  g_assert_false (gtk_media_stream_is_seekable (GTK_MEDIA_STREAM (stream)));
  g_assert_cmpint (gtk_media_stream_get_duration (GTK_MEDIA_STREAM (stream)), ==, 0);
  gtk_media_stream_play (GTK_MEDIA_STREAM (stream));
  g_assert_false (gtk_media_stream_get_playing (GTK_MEDIA_STREAM (stream)));
  g_assert_finalize_object (stream);
}

/* the GtkMediaControls below @root that drive @media (GtkVideo has controls of its own) */
static GtkWidget *
controls_for (GtkWidget *root, GtkMediaStream *media)
{
  if (GTK_IS_MEDIA_CONTROLS (root)
      && gtk_media_controls_get_media_stream (GTK_MEDIA_CONTROLS (root)) == media)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = controls_for (child, media);
      if (found)
        return found;
    }
  return NULL;
}

/* A WebM from the hub plays in the details pane through GTK's GStreamer media backend. */
static void
check_webm (WevionApplication *app, WevionWindow *window, WevionJobDetails *details)
{
  GtkMediaStream *media;
  gint64 before;
  g_autofree char *cached = NULL;
  g_autofree char *head = NULL;
  gsize head_len = 0;

  AT_WAIT (wevion_job_store_lookup (wevion_application_get_store (app), webm_id) != NULL, 30);
  wevion_window_show_job (window, webm_id);
  AT_WAIT (wevion_job_details_get_media (details) != NULL, 20);
  media = wevion_job_details_get_media (details);
  /* not an animated PNG: GTK's media backend reads the kept file */
  g_assert_false (WEVION_IS_APNG_STREAM (media));
  g_assert_true (GTK_IS_MEDIA_FILE (media));
  AT_WAIT (gtk_media_stream_is_prepared (media) || gtk_media_stream_get_error (media) != NULL, 30);
  if (gtk_media_stream_get_error (media))
    g_error ("the WebM does not play: %s", gtk_media_stream_get_error (media)->message);
  g_assert_true (gtk_media_stream_has_video (media));
  g_assert_false (gtk_media_stream_has_audio (media));
  /* one second asked; the hub makes videos of 2–4 s */
  g_assert_cmpint (gtk_media_stream_get_duration (media), >=, G_USEC_PER_SEC * 18 / 10);
  g_assert_cmpint (gtk_media_stream_get_duration (media), <=, G_USEC_PER_SEC * 22 / 10);
  g_assert_true (gtk_widget_get_mapped (at_find_widget (GTK_WIDGET (details), GTK_TYPE_VIDEO)));
  {
    GtkWidget *message = at_find_label (GTK_WIDGET (details), "cannot be played here");

    g_assert_true (message == NULL || !gtk_widget_get_mapped (message));
  }
  /* it plays by itself, looping, and its time moves */
  AT_WAIT (gtk_media_stream_get_playing (media), 10);
  g_assert_true (gtk_media_stream_get_loop (media));
  before = gtk_media_stream_get_timestamp (media);
  AT_WAIT (gtk_media_stream_get_timestamp (media) != before, 10);
  AT_WAIT (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (media)) == 96, 10);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (media)), ==, 64);
  g_free (at_screenshot (GTK_WIDGET (window), "details-webm"));
  /* kept for playing offline: the hub's bytes, a WebM */
  {
    g_autofree char *name = g_compute_checksum_for_string (G_CHECKSUM_SHA1, webm_id, -1);
    cached = g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "media", name, NULL);
    g_assert_true (g_file_get_contents (cached, &head, &head_len, NULL));
    g_assert_cmpuint (head_len, >, 4);
    g_assert_cmpmem (head, 4, "\x1a\x45\xdf\xa3", 4);
  }
  gtk_media_stream_pause (media);
}

static void
test_details_pane (void)
{
  g_autoptr (WevionApplication) app = wevion_application_new ();
  WevionWindow *window;
  WevionJobDetails *details;
  GtkMediaStream *media;
  gint64 before;
  g_autofree char *cached = NULL;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)), 20);
  AT_WAIT (wevion_job_store_lookup (wevion_application_get_store (app), video_id) != NULL, 30);
  AT_WAIT (wevion_job_store_lookup (wevion_application_get_store (app), tts_id) != NULL, 30);
  details = WEVION_JOB_DETAILS (at_find_widget (GTK_WIDGET (window), WEVION_TYPE_JOB_DETAILS));
  g_assert_nonnull (details);

  /* the video plays by itself, looping, with GtkVideo's controls */
  wevion_window_show_job (window, video_id);
  AT_WAIT (wevion_job_details_get_media (details) != NULL, 20);
  media = wevion_job_details_get_media (details);
  g_assert_true (WEVION_IS_APNG_STREAM (media));
  g_assert_true (gtk_widget_get_mapped (at_find_widget (GTK_WIDGET (details), GTK_TYPE_VIDEO)));
  AT_WAIT (gtk_media_stream_get_playing (media), 10);
  g_assert_true (gtk_media_stream_get_loop (media));
  before = gtk_media_stream_get_timestamp (media);
  AT_WAIT (gtk_media_stream_get_timestamp (media) != before, 10);
  g_free (at_screenshot (GTK_WIDGET (window), "details-video"));
  /* kept for playing offline */
  {
    g_autofree char *name = g_compute_checksum_for_string (G_CHECKSUM_SHA1, video_id, -1);
    cached = g_build_filename (g_get_user_cache_dir (), "wevion-jobs", "media", name, NULL);
    g_assert_true (g_file_test (cached, G_FILE_TEST_IS_REGULAR));
  }

  /* another job stops it */
  g_object_ref (media);
  wevion_window_show_job (window, tts_id);
  g_assert_false (gtk_media_stream_get_playing (media));
  g_object_unref (media);

  /* speech: media controls on GTK's backend, or words saying why it cannot play */
  AT_WAIT (wevion_job_details_get_media (details) != NULL, 20);
  media = wevion_job_details_get_media (details);
  g_assert_true (GTK_IS_MEDIA_FILE (media));
  AT_WAIT (gtk_media_stream_is_prepared (media) || gtk_media_stream_get_error (media) != NULL, 20);
  at_spin (50);
  if (gtk_media_stream_get_error (media))
    {
      g_test_message ("speech cannot play here: %s", gtk_media_stream_get_error (media)->message);
      g_assert_nonnull (at_find_label (GTK_WIDGET (details), "cannot be played here"));
    }
  else
    {
      g_assert_nonnull (controls_for (GTK_WIDGET (details), media));
      g_assert_true (gtk_widget_get_mapped (controls_for (GTK_WIDGET (details), media)));
      g_assert_true (gtk_media_stream_has_audio (media));
      /* one second of speech, as asked */
      g_assert_cmpint (gtk_media_stream_get_duration (media), >=, G_USEC_PER_SEC * 9 / 10);
      g_assert_cmpint (gtk_media_stream_get_duration (media), <=, G_USEC_PER_SEC * 11 / 10);
    }
  g_free (at_screenshot (GTK_WIDGET (window), "details-speech"));

  check_webm (app, window, details);

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr (WevionClient) client = NULL;
  g_autoptr (WevionJob) video = NULL;
  g_autoptr (WevionJob) tts = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  dir = wt_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1100x760", TRUE);
  hub = wt_hub_start ("--speed", "200", "--video-format", "apng", NULL);
  g_setenv ("WEVION_SERVER_URL", hub->url, TRUE);
  g_setenv ("WEVION_TOKEN", "demo-token", TRUE);

  client = wt_hub_client (hub, "demo-token");
  video = make_job (client, WEVION_JOB_TYPE_VIDEO, "veo_3", "A paper kite over the harbour [ok]", NULL);
  tts = make_job (client, WEVION_JOB_TYPE_TTS, "elevenlabs_v2", "Welcome to the spring sale [ok]", NULL);
  video_id = g_strdup (wevion_job_get_id (video));
  tts_id = g_strdup (wevion_job_get_id (tts));
  video_bytes = fetch (wevion_job_get_result_urls (video)[0]);
  g_assert_nonnull (strstr (wevion_job_get_result_urls (video)[0], "/result-1.apng?"));
  {
    g_autoptr (WevionJob) webm
        = make_job (client, WEVION_JOB_TYPE_VIDEO, "kling_2", "A lantern drifting at dusk [ok]", "webm");

    webm_id = g_strdup (wevion_job_get_id (webm));
    g_assert_nonnull (strstr (wevion_job_get_result_urls (webm)[0], "/result-1.webm?"));
  }

  g_test_add_func ("/media/apng/decode-and-play", test_decode);
  g_test_add_func ("/media/apng/bad-input", test_bad_input);
  g_test_add_func ("/media/details-pane", test_details_pane);
  status = g_test_run ();

  g_bytes_unref (video_bytes);
  g_free (video_id);
  g_free (tts_id);
  g_free (webm_id);
  wt_hub_stop (hub);
  wt_rmdir (dir);
  return status;
}
