/* test-link-expiry.c: when a completed job's signed result links lapse, the card and the details
 * pane say so (parsing the URLs' own expiry, the wording, and against a real wevion-hub started
 * with a short --url-ttl), under Xvfb. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "app-test-utils.h"
#include "results-test-utils.h"
#include "wevion-format.h"
#include "wevion-job-card.h"
#include "wevion-job-details.h"
#include "wevion-resources.h"

static gint64
expiry_of (const char *url)
{
  g_autoptr (GDateTime) time = wevion_url_dup_expiry (url);

  return time ? g_date_time_to_unix (time) : -1;
}

static void
test_url_expiry (void)
{
  /* wevion-hub, S3 signature 2, CloudFront: seconds since the epoch */
  g_assert_cmpint (expiry_of ("http://127.0.0.1:1/files/j/a.png?expires=1795000000&sig=ab"), ==, 1795000000);
  g_assert_cmpint (expiry_of ("https://b.s3.amazonaws.com/k?AWSAccessKeyId=A&Expires=1795000001&Signature=x"),
                   ==, 1795000001);
  /* S3 signature 4: X-Amz-Date plus X-Amz-Expires (2026-11-29 06:42:00 UTC + 3600 s) */
  g_assert_cmpint (expiry_of ("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                              "&X-Amz-Date=20261129T064200Z&X-Amz-Expires=3600&X-Amz-Signature=ff"),
                   ==, 1795934520 + 3600);
  /* Google Cloud Storage */
  g_assert_cmpint (
      expiry_of ("https://storage.googleapis.com/b/o?X-Goog-Date=20261129T064200Z&X-Goog-Expires=60&x=1"), ==,
      1795934520 + 60);
  /* Azure: an ISO 8601 end, percent-encoded */
  g_assert_cmpint (
      expiry_of ("https://a.blob.core.windows.net/c/b?sv=2022&se=2026-11-29T07%3A42%3A00Z&sig=x"), ==,
      1795934520 + 3600);
  /* nothing to say: a Drive link, no query, junk, a fragment only */
  g_assert_cmpint (expiry_of ("https://drive.google.com/file/d/abc/view?usp=sharing"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png?expires=soon"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png?expires=-5"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png?X-Amz-Date=yesterday&X-Amz-Expires=60"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png#?expires=1"), ==, -1);
  g_assert_cmpint (expiry_of ("https://example.com/a.png?notexpires=1795000000"), ==, -1);
  g_assert_cmpint (expiry_of (NULL), ==, -1);
}

static void
test_wording (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 11, 29, 6, 0, 0);
  const struct
  {
    double seconds;
    const char *text;
    gboolean expired;
  } cases[] = {
    { 40 * 60 + 30, "Link expires in 40 min", FALSE },
    { 30, "Link expires in less than a minute", FALSE },
    { 3 * 3600 + 5, "Link expires in 3 h", FALSE },
    { 47 * 3600, "Link expires in 47 h", FALSE },
    { 7 * 86400, "Link expires in 7 days", FALSE },
    { 0, "Link expired — downloading fetches a fresh one", TRUE },
    { -3600, "Link expired — downloading fetches a fresh one", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GDateTime) expires = g_date_time_add_seconds (now, cases[i].seconds);
      gboolean expired = !cases[i].expired;
      g_autofree char *text = wevion_job_format_link_expiry (expires, now, &expired);
      g_autofree char *tip = wevion_job_format_link_expiry_tooltip (expires, now);
      g_autofree char *exact = wevion_format_exact_time (expires);

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpint (expired, ==, cases[i].expired);
      /* the exact time is in the tooltip */
      g_assert_nonnull (strstr (tip, exact));
    }
}

/* result_expires_at and the URLs' own expiry: the earliest wins; a Drive-like link has none */
static void
test_job_links (void)
{
  g_autoptr (WevionJob) job = wevion_job_new ("j1", WEVION_JOB_TYPE_IMAGE, "flux_2_pro", "fox");
  g_autoptr (GDateTime) field = g_date_time_new_from_unix_utc (1795000500);
  g_autoptr (GDateTime) got = NULL;
  const char *signed_urls[] = { "https://h/a?expires=1795000900", "https://h/b?expires=1795000300", NULL };
  const char *drive[] = { "https://drive.google.com/file/d/abc/view", NULL };

  g_assert_null (wevion_job_dup_links_expire_at (job));
  g_object_set (job, "result-urls", drive, NULL);
  g_assert_null (wevion_job_dup_links_expire_at (job));
  g_object_set (job, "result-expires-at", field, NULL);
  got = wevion_job_dup_links_expire_at (job);
  g_assert_cmpint (g_date_time_to_unix (got), ==, 1795000500);
  g_clear_pointer (&got, g_date_time_unref);
  g_object_set (job, "result-urls", signed_urls, NULL);
  got = wevion_job_dup_links_expire_at (job);
  g_assert_cmpint (g_date_time_to_unix (got), ==, 1795000300);
}

static GtkLabel *
visible_label (GtkWidget *root, const char *text)
{
  GtkWidget *label = at_find_label (root, text);

  return label && gtk_widget_get_visible (label) ? GTK_LABEL (label) : NULL;
}

/* a hub whose signed URLs live 4 s: the card and the details pane count down, then say the
 * links expired (the window's tick notifies "elapsed"; so does this test) */
static void
test_hub_card_and_details (void)
{
  const char *args[] = { "--url-ttl", "4", NULL };
  RtHub *hub = rt_hub_start (NULL, args);
  g_autoptr (WevionClient) client = rt_client (hub);
  g_autoptr (WevionJob) job
      = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo", "[ok] a lapsing fox", NULL, NULL);
  g_autoptr (WevionJob) fresh = NULL;
  g_autoptr (GDateTime) expires = NULL;
  g_autoptr (GDateTime) url_expires = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *card = wevion_job_card_new ();
  GtkWidget *details = g_object_new (WEVION_TYPE_JOB_DETAILS, NULL);
  GtkLabel *label;

  g_assert_cmpint (wevion_job_get_status (job), ==, WEVION_JOB_STATUS_COMPLETED);
  /* the hub signs a fresh URL on every GET: take one now, so its 4 s start here */
  fresh = rt_get_job (client, wevion_job_get_id (job));
  expires = wevion_job_dup_links_expire_at (fresh);
  g_assert_nonnull (expires);
  g_assert_nonnull (wevion_job_get_result_expires_at (fresh));
  url_expires = wevion_url_dup_expiry (wevion_job_get_result_urls (fresh)[0]);
  g_assert_nonnull (url_expires);
  g_assert_cmpint (g_date_time_to_unix (url_expires), ==,
                   g_date_time_to_unix (wevion_job_get_result_expires_at (fresh)));

  gtk_box_append (GTK_BOX (box), card);
  gtk_box_append (GTK_BOX (box), details);
  gtk_widget_set_vexpand (details, TRUE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 900);
  wevion_job_card_set_job (WEVION_JOB_CARD (card), fresh);
  wevion_job_details_set_job (WEVION_JOB_DETAILS (details), fresh);
  gtk_window_present (GTK_WINDOW (window));
  AT_WAIT (gtk_widget_get_mapped (card) && gtk_widget_get_width (window) > 0
               && gtk_widget_get_width (card) > 0,
           30);

  /* before: counting down (the text depends on how long the hub took; "less than a minute") */
  if (g_get_real_time () / G_USEC_PER_SEC + 1 < g_date_time_to_unix (expires))
    {
      label = visible_label (card, "Link expires in");
      g_assert_nonnull (label);
      g_assert_nonnull (visible_label (details, "Link expires in"));
      g_assert_nonnull (at_find_label (details, "Result Links"));
    }
  g_free (at_screenshot (window, "link-expiry-before"));

  /* after: expired, with the next step */
  AT_WAIT (g_get_real_time () / G_USEC_PER_SEC > g_date_time_to_unix (expires), 30);
  g_object_notify (G_OBJECT (fresh), "elapsed");
  at_spin (50);
  label = visible_label (card, "Link expired — downloading fetches a fresh one");
  g_assert_nonnull (label);
  g_assert_null (visible_label (card, "Link expires in"));
  label = visible_label (details, "Link expired — downloading fetches a fresh one");
  g_assert_nonnull (label);
  {
    /* the exact time in the tooltip */
    g_autofree char *exact = wevion_format_exact_time (expires);
    const char *tip = gtk_widget_get_tooltip_text (GTK_WIDGET (label));

    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "expired on"));
    g_assert_nonnull (strstr (tip, exact));
  }
  g_free (at_screenshot (window, "link-expiry-after"));

  /* links that lapse in an hour: the details pane says so, the card keeps quiet (only the quarter
   * of an hour before and the hour after they lapse are worth a line in a long list) */
  {
    g_autoptr (WevionJob) copy = rt_get_job (client, wevion_job_get_id (job));
    const char *plain[] = { "http://127.0.0.1:9/files/plain.png", NULL }; /* no expiry of its own */
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr (GDateTime) hour = g_date_time_add_minutes (now, 60);

    g_object_set (copy, "result-urls", plain, "result-expires-at", hour, NULL);
    wevion_job_card_set_job (WEVION_JOB_CARD (card), copy);
    wevion_job_details_set_job (WEVION_JOB_DETAILS (details), copy);
    at_spin (50);
    g_assert_null (visible_label (card, "Link expire"));
    g_assert_nonnull (visible_label (details, "Link expires in"));
  }

  /* a failed job shows no link line */
  {
    g_autoptr (WevionJob) failed = rt_submit_and_wait (client, WEVION_JOB_TYPE_IMAGE, "sdxl_turbo",
                                                       "a failing fox [fail]", NULL, NULL);

    g_assert_cmpint (wevion_job_get_status (failed), ==, WEVION_JOB_STATUS_FAILED);
    wevion_job_card_set_job (WEVION_JOB_CARD (card), failed);
    wevion_job_details_set_job (WEVION_JOB_DETAILS (details), failed);
    at_spin (50);
    g_assert_null (visible_label (card, "Link expire"));
    g_assert_null (at_find_label (details, "Result Links"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  rt_hub_stop (hub);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_assert_nonnull (wevion_get_resource ());
  adw_init ();
  g_test_add_func ("/results/link-expiry/url", test_url_expiry);
  g_test_add_func ("/results/link-expiry/wording", test_wording);
  g_test_add_func ("/results/link-expiry/job", test_job_links);
  g_test_add_func ("/results/link-expiry/hub-card-and-details", test_hub_card_and_details);
  return g_test_run ();
}
