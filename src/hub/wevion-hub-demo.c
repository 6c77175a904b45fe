/* wevion-hub-demo.c: --demo history (about 60 jobs over 45 days, every state, type and provider),
 * a trickle of new submissions, and the benchmark's --fill. Result files of seeded rows are
 * rendered lazily on their first download, so seeding takes well under a second. */
#include "config.h"

#include "wevion-hub-private.h"
#include "wevion-hub-render.h"

/* prompts that suit each type (a voice-over is not a video), in the order of enum WevionJobType */
static const char *const image_prompts[] = {
  "A lighthouse on a cliff at sunset, cinematic lighting",
  "Flat-lay of summer skincare products on pastel paper",
  "Isometric city block made of cardboard, soft shadows",
  "Product hero shot of wireless earbuds on black marble",
  "Minimalist poster of a mountain, Bauhaus style",
  "Coffee cup steam forming the word MONDAY",
  "Emoji test 🎨🚀 — “quotes”, 'apostrophes' and <b>tags</b>",
  NULL,
};
static const char *const video_prompts[] = {
  "Our new running shoe splashing through a puddle, slow motion",
  "Drone shot over autumn forest with a winding road",
  "Close-up of raindrops on a neon-lit window, Tokyo night",
  "Timelapse of a latte being poured, top-down",
  NULL,
};
static const char *const avatar_prompts[] = {
  "Friendly presenter explaining the spring sale in 20 seconds",
  "Cheerful avatar greeting new subscribers in Spanish",
  "Support agent walking through the returns policy",
  NULL,
};
static const char *const tts_prompts[] = {
  "Voice-over: “Welcome to Wevion — your creative hub.”",
  "Podcast intro jingle narration, warm and upbeat",
  "Read the store opening hours in a calm voice",
  NULL,
};
static const char *const composite_prompts[] = {
  "Banner: 30% off everything <this weekend only> & free shipping",
  "Collage of user photos for the anniversary campaign",
  "Newsletter header with the autumn collection",
  NULL,
};

static const char *
pick_prompt (WevionHub *hub, const char *type)
{
  const char *const *list = g_str_equal (type, "video")       ? video_prompts
                            : g_str_equal (type, "avatar")    ? avatar_prompts
                            : g_str_equal (type, "tts")       ? tts_prompts
                            : g_str_equal (type, "composite") ? composite_prompts
                                                              : image_prompts;

  return list[g_rand_int_range (hub->rand, 0, (int) g_strv_length ((char **) list))];
}

static const char *const blocked_prompts[] = {
  "Zombie movie poster with gore everywhere",
  "NSFW beach party flyer",
};

typedef struct
{
  const char *type;
  const char *provider;
} Pick;

static const Pick picks[] = {
  { "image", "flux_2_pro" },
  { "image", "sdxl_turbo" },
  { "video", "veo_3" },
  { "video", "kling_2" },
  { "avatar", "heygen_v3" },
  { "tts", "elevenlabs_v2" },
  { "composite", "wevion_compose" },
};

static WevionJob *
make_job (WevionHub *hub, const Pick *pick, const char *prompt, GDateTime *created, JsonObject *metadata)
{
  g_autofree char *id = wevion_hub_new_id (hub);
  g_autoptr (JsonObject) settings = json_object_new ();
  g_autoptr (JsonObject) meta = metadata ? json_object_ref (metadata) : json_object_new ();
  WevionJobType type = wevion_job_type_from_string (pick->type);

  if (type == WEVION_JOB_TYPE_IMAGE)
    {
      static const int sizes[][2] = { { 1024, 1024 }, { 1536, 1024 }, { 768, 1344 } };
      int k = g_rand_int_range (hub->rand, 0, 3);

      json_object_set_int_member (settings, "width", sizes[k][0]);
      json_object_set_int_member (settings, "height", sizes[k][1]);
      json_object_set_int_member (settings, "count", g_rand_int_range (hub->rand, 1, 5));
      json_object_set_string_member (settings, "style", k == 0 ? "photographic" : "illustration");
    }
  else if (type == WEVION_JOB_TYPE_TTS)
    {
      json_object_set_string_member (settings, "voice", "Rachel");
      json_object_set_int_member (settings, "seconds", g_rand_int_range (hub->rand, 2, 9));
    }
  else if (type == WEVION_JOB_TYPE_VIDEO)
    {
      json_object_set_int_member (settings, "seconds", g_rand_int_range (hub->rand, 2, 6));
      json_object_set_string_member (settings, "aspect", "16:9");
    }
  else if (type == WEVION_JOB_TYPE_AVATAR)
    json_object_set_string_member (settings, "language", "en");
  else
    json_object_set_string_member (settings, "layout", "banner");

  return g_object_new (WEVION_TYPE_JOB, "id", id, "user-id", "demo", "type-name", pick->type, "status-name",
                       "pending", "provider", pick->provider, "prompt", prompt, "settings", settings,
                       "metadata", meta, "created-at", created, "updated-at", created, "progress", 0, NULL);
}

/* the format of seeded videos (rendered on their first download): WebM when GStreamer can make it */
static WevionHubVideoFormat
seeded_video (WevionHub *hub, JsonObject *settings)
{
  WevionHubVideoFormat format = wevion_hub_render_video_format (settings, hub->video_format);

  if (format == WEVION_HUB_VIDEO_WEBM && !wevion_hub_render_webm_available ())
    return WEVION_HUB_VIDEO_APNG;
  return format;
}

static void
complete (WevionHub *hub, WevionJob *job, GDateTime *created, gint64 secs)
{
  g_autoptr (GDateTime) started = g_date_time_add_seconds (created, 2 + g_rand_int_range (hub->rand, 0, 20));
  g_autoptr (GDateTime) done = g_date_time_add_seconds (started, secs);
  int count = wevion_hub_render_count (wevion_job_get_settings (job));
  g_auto (GStrv) names = wevion_hub_render_result_names (wevion_job_get_job_type (job), count,
                                                         seeded_video (hub, wevion_job_get_settings (job)));
  const WevionHubProvider *p
      = wevion_hub_provider_lookup (wevion_job_get_job_type (job), wevion_job_get_provider (job));
  g_autoptr (JsonObject) meta = wevion_hub_copy_object (wevion_job_get_metadata (job));
  g_autofree char *folder = wevion_hub_new_folder_id ();

  json_object_set_string_member (meta, "thumbnail_url", WEVION_HUB_THUMBNAIL_NAME);
  g_object_set (job, "status-name", "completed", "started-at", started, "completed-at", done, "updated-at",
                done, "progress", 100, "result-urls", names, "cost-cents",
                wevion_hub_price_for (hub, p, count), "drive-folder-id", folder, "metadata", meta, NULL);
}

static void
fail (WevionJob *job, GDateTime *created, const char *code, const char *message, gboolean retryable)
{
  g_autoptr (GDateTime) started = g_date_time_add_seconds (created, 3);
  g_autoptr (GDateTime) done = g_date_time_add_seconds (started, 9);

  g_object_set (job, "status-name", "failed", "started-at", started, "completed-at", done, "updated-at", done,
                "progress", 40, "error-code", code, "error-message", message, "retryable-hint",
                retryable ? 1 : 0, "cost-cents", (gint64) 0, NULL);
}

void
wevion_hub_demo_seed (WevionHub *hub)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GError) error = NULL;
  const int n = 60;

  if (!wevion_hub_db_begin (hub->db, &error))
    {
      g_warning ("Demo: %s", error->message);
      return;
    }
  for (int i = 0; i < n; i++)
    {
      /* oldest first: i = 0 is 45 days ago, the last ones are minutes old */
      double age_days = 45.0 * (n - 1 - i) / (n - 1);
      g_autoptr (GDateTime) created = NULL;
      const Pick *pick = &picks[i % G_N_ELEMENTS (picks)];
      const char *prompt = pick_prompt (hub, pick->type);
      g_autoptr (WevionJob) job = NULL;
      g_autoptr (WevionJob) retry = NULL;

      if (i >= n - 3)
        /* the newest few stay active: submitted minutes ago, and the worker picks them up */
        created = g_date_time_add_seconds (now, -60.0 * (n - i) - g_rand_int_range (hub->rand, 0, 60));
      else
        created = g_date_time_add_seconds (now, -(age_days * 86400.0) - 120
                                                    - g_rand_int_range (hub->rand, 0, 3600));
      if (i % 13 == 5)
        prompt = blocked_prompts[i % 2];
      job = make_job (hub, pick, prompt, created, NULL);

      if (i >= n - 3)
        {
          /* the newest few stay active: the worker picks them up */
        }
      /* the one-off cases first: a pattern below must not swallow them (40 % 11 == 7 once did) */
      else if (i == 20)
        fail (job, created, "provider_error", "", TRUE); /* the seed's rare empty error_message */
      else if (i == 33)
        fail (job, created, "timeout", "The provider did not answer in time.", TRUE);
      else if (i == 40)
        fail (job, created, "canceled", "Canceled by the user.", FALSE);
      else if (i % 13 == 5)
        fail (job, created, "content_moderation",
              "The prompt was rejected by content moderation. Edit the prompt and submit it again.", FALSE);
      else if (i % 11 == 7)
        {
          g_autoptr (JsonObject) meta = json_object_new ();
          g_autoptr (GDateTime) later = g_date_time_add_minutes (created, 4);

          fail (job, created, "provider_error", "The provider had a temporary error (503 from upstream).",
                TRUE);
          /* its retry, which succeeded */
          json_object_set_string_member (meta, "retry_of", wevion_job_get_id (job));
          retry = make_job (hub, pick, prompt, later, meta);
          complete (hub, retry, later, 8 + g_rand_int_range (hub->rand, 0, 60));
        }
      else
        complete (hub, job, created, 5 + g_rand_int_range (hub->rand, 0, 120));

      if (age_days > 30 && wevion_job_get_is_terminal (job))
        g_object_set (job, "archived", TRUE, NULL);
      if (!wevion_hub_db_save (hub->db, job, &error)
          || (retry && !wevion_hub_db_save (hub->db, retry, &error)))
        {
          g_warning ("Demo: %s", error->message);
          break;
        }
    }
  wevion_hub_db_commit (hub->db, NULL);
  g_message ("Demo: seeded %" G_GINT64_FORMAT " jobs", wevion_hub_db_count (hub->db));
}

static gboolean
trickle_cb (gpointer data)
{
  WevionHub *hub = data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  const Pick *pick = &picks[g_rand_int_range (hub->rand, 0, G_N_ELEMENTS (picks))];
  g_autoptr (WevionJob) job = make_job (hub, pick, pick_prompt (hub, pick->type), now, NULL);
  g_autoptr (GError) error = NULL;

  if (wevion_hub_db_save (hub->db, job, &error))
    wevion_hub_worker_enqueue (hub, wevion_job_get_id (job));
  else
    g_warning ("Demo: %s", error->message);
  hub->trickle_id = g_timeout_add_seconds (20 + g_rand_int_range (hub->rand, 0, 21), trickle_cb, hub);
  return G_SOURCE_REMOVE;
}

void
wevion_hub_demo_start_trickle (WevionHub *hub)
{
  hub->trickle_id = g_timeout_add_seconds (20 + g_rand_int_range (hub->rand, 0, 21), trickle_cb, hub);
}

void
wevion_hub_demo_fill (WevionHub *hub, guint n)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GError) error = NULL;

  if (!wevion_hub_db_begin (hub->db, &error))
    {
      g_warning ("Fill: %s", error->message);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GDateTime) created = g_date_time_add_seconds (now, -(double) (n - i) * 60.0);
      const Pick *pick = &picks[i % G_N_ELEMENTS (picks)];
      g_autoptr (WevionJob) job = make_job (hub, pick, pick_prompt (hub, pick->type), created, NULL);

      if (i % 10 == 3)
        fail (job, created, "provider_error", "The provider had a temporary error (503 from upstream).",
              TRUE);
      else
        complete (hub, job, created, 30);
      if (!wevion_hub_db_save (hub->db, job, &error))
        {
          g_warning ("Fill: %s", error->message);
          break;
        }
    }
  wevion_hub_db_commit (hub->db, NULL);
}
