/* main.c: wevion-hub, a local Creative Hub server. */
#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "wevion-hub-render.h"
#include "wevion-hub.h"

static gboolean
quit_cb (gpointer data)
{
  /* keep the source: a second signal during shutdown must not kill us half-way */
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  WevionHubOptions o = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *listen = NULL, *db = NULL, *data_dir = NULL, *faults = NULL, *video_format = NULL;
  g_auto (GStrv) users = NULL;
  gint64 seed = -1, url_ttl = 3600;
  double speed = 1.0;
  int port = 8080, workers = 2, fill = 0, rate_limit = 0, read_timeout = 20, idle_timeout = 60;
  int max_result_mb = 16;
  gboolean demo = FALSE, minimal = FALSE;
  WevionHub *hub;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (0 picks a free one; default 8080)", "N" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address to listen on (default 127.0.0.1)", "ADDR" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      "SQLite database (default $XDG_DATA_HOME/wevion-hub/hub.db; :memory: allowed)", "PATH" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where result files go (default: files/ beside the db; a temporary dir for :memory:)", "DIR" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
      "Seed ~60 jobs for user demo over the last 45 days (empty db only) and keep submitting new ones",
      NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed: reproducible demo data and worker outcomes",
      "N" },
    { "minimal", 0, 0, G_OPTION_ARG_NONE, &minimal,
      "Seed contract only: bare-array list of all jobs, no query parameters, ETags, cancel, billing or ext "
      "fields",
      NULL },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, "Divide every provider latency by F (tests use 100)", "F" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, "Jobs processed at once (default 2)", "N" },
    { "url-ttl", 0, 0, G_OPTION_ARG_INT64, &url_ttl, "Lifetime of signed result URLs (default 3600)",
      "SECONDS" },
    { "user", 'u', 0, G_OPTION_ARG_STRING_ARRAY, &users,
      "Add a user (repeatable); optional monthly credit limit in cents. Default user: demo:demo-token",
      "NAME:TOKEN[:CENTS]" },
    { "faults", 0, 0, G_OPTION_ARG_STRING, &faults,
      "Inject faults, e.g. 'rate=0.2:500,0.1:429;latency=2000;malformed=0.05;truncate=0.05;"
      "drop-download=0.3;stall-queue;retry-after=3' (also POST /admin/faults)",
      "SPEC" },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &rate_limit,
      "API requests per second per user before 429 (0: off)", "N" },
    { "read-timeout", 0, 0, G_OPTION_ARG_INT, &read_timeout,
      "Seconds a client has to send a whole request before it is dropped (default 20)", "SECONDS" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Seconds a kept-alive connection may wait for its next request (default 60)", "SECONDS" },
    { "video-format", 0, 0, G_OPTION_ARG_STRING, &video_format,
      "Video results as webm (VP8, needs GStreamer's vp8enc and webmmux; the default) or apng", "webm|apng" },
    { "max-result-mb", 0, 0, G_OPTION_ARG_INT, &max_result_mb,
      "Largest result file in MiB: bounds settings.seconds of speech (default 16)", "N" },
    { "fill", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &fill, "Fill the db with N jobs and exit", "N" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— a local Creative Hub server");
  g_option_context_set_summary (
      context,
      "Serves the Creative Hub jobs API (/api/v1/creative-hub) with a simulated worker that writes real\n"
      "result files (PNG, WAV, WebM video), signed download URLs and a few HTML pages.\n"
      "When ready it prints “wevion-hub listening on http://ADDR:PORT” on stdout.");
  g_option_context_set_description (
      context,
      "Providers: image flux_2_pro (25¢), sdxl_turbo (4¢); video veo_3 (150¢), kling_2 (90¢);\n"
      "avatar heygen_v3 (60¢); tts elevenlabs_v2 (3¢); composite wevion_compose (10¢); per result, ±8%.\n\n"
      "Test hooks in the prompt: [fail] transient provider error, [empty-error] failure with an empty\n"
      "error_message, [timeout] a timeout failure, [hold] stays processing until canceled, [ok] never fails\n"
      "at random. Blocklisted words (content moderation): gore, nsfw, nude, beheading, massacre.\n\n"
      "Settings (others are kept as given): width, height (64–2048), count (1–4), seconds (video 1–60;\n"
      "speech 1–86400 within --max-result-mb), format (video: webm or apng), voice (tts: a name);\n"
      "a wrong type or range is 400 invalid_settings.\n"
      "Admin (loopback only): POST /admin/faults (body = SPEC), GET /admin/stats.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wevion-hub: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || workers < 1 || workers > 64 || speed <= 0 || url_ttl < 1 || read_timeout < 1
      || idle_timeout < 1 || max_result_mb < 1 || max_result_mb > 4000
      || (video_format && !g_str_equal (video_format, "webm") && !g_str_equal (video_format, "apng")))
    {
      g_printerr ("wevion-hub: --port 0–65535, --workers 1–64, --speed > 0, --url-ttl ≥ 1, --read-timeout ≥ "
                  "1, --idle-timeout ≥ 1, --max-result-mb 1–4000, --video-format webm or apng\n");
      return 2;
    }

  o.port = port;
  o.listen = listen;
  o.db_path = db;
  o.data_dir = data_dir;
  o.demo = demo;
  o.seed = seed;
  o.minimal = minimal;
  o.speed = speed;
  o.workers = workers;
  o.url_ttl = url_ttl;
  o.users = users;
  o.faults = faults;
  o.fill = fill;
  o.rate_limit = rate_limit;
  o.read_timeout = read_timeout;
  o.idle_timeout = idle_timeout;
  o.video_apng = g_strcmp0 (video_format, "apng") == 0;
  o.max_result_mb = max_result_mb;

  hub = wevion_hub_new (&o, &error);
  if (hub == NULL)
    {
      g_printerr ("wevion-hub: %s\n", error->message);
      return 1;
    }
  if (fill > 0)
    {
      g_printerr ("wevion-hub: filled the db with %d jobs\n", fill);
      wevion_hub_free (hub);
      wevion_hub_render_shutdown ();
      return 0;
    }
  if (!wevion_hub_listen (hub, &error))
    {
      g_printerr ("wevion-hub: cannot listen: %s\n", error->message);
      wevion_hub_free (hub);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  printf ("wevion-hub listening on %s\n", wevion_hub_get_url (hub));
  fflush (stdout);
  g_main_loop_run (loop);

  g_printerr ("wevion-hub: shutting down\n");
  wevion_hub_shutdown (hub);
  wevion_hub_free (hub);
  wevion_hub_render_shutdown ();
  return 0;
}
