/* test-security-ui.c: the app under Xvfb against a hostile server whose every word is markup-like.
 * Prompts, providers, error messages, unknown statuses and file names hold "<b>x</b> <a href=…>"
 * and "&amp;": every label must show them literally (gtk_label_get_text), no Pango markup warning
 * may be printed, and the token must appear in no log line, no result-host request and no file
 * under the XDG dirs or key in GSettings.
 *
 * The server is an in-process SoupServer: wevion-hub only produces well-formed providers and its
 * own error texts, and "the server is hostile" is the threat under test. */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "app-test-utils.h"
#include "core-test-utils.h"
#include "security-test-utils.h"
#include "wevion-application.h"
#include "wevion-costs-page.h"
#include "wevion-job-details.h"
#include "wevion-preferences-window.h"
#include "wevion-window.h"

#define TOKEN "ui-secret-token-5d1e9"
#define PREFIX "/api/v1/creative-hub/generate"
#define EVIL_PROMPT "<b>x</b> <a href=\"y\">z</a> &amp; prompt"
#define EVIL_PROVIDER "<i>prov</i> &amp; <a href=\"y\">co</a>"
#define EVIL_ERROR "<b>boom</b> <a href=\"y\">z</a> &amp; error"
#define EVIL_STATUS "<u>odd</u>&amp;"
#define EVIL_FILE "<b>x</b> <a href=\"y\"> &amp;.png"
#define EVIL_FILE_ESCAPED "%3Cb%3Ex%3C%2Fb%3E%20%3Ca%20href%3D%22y%22%3E%20%26amp%3B.png"

static SoupServer *server;
static char *base;
static gboolean fail_all;
static guint file_requests, file_requests_with_auth;
static GString *logged;
static GString *markup_warnings;
static WevionApplication *app;
static WevionWindow *window;

/* ---- the hostile server -------------------------------------------------------------------- */

static char *
row (const char *id, const char *status, const char *provider, const char *prompt, const char *error_message,
     const char *result_url)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gboolean ended = g_str_equal (status, "completed") || g_str_equal (status, "failed");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, "<b>user</b>");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "image");
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  json_builder_set_member_name (b, "provider");
  json_builder_add_string_value (b, provider);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, prompt);
  json_builder_set_member_name (b, "settings");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "<b>style</b>");
  json_builder_add_string_value (b, "<i>noir</i> &amp;");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "result_urls");
  json_builder_begin_array (b);
  if (result_url)
    json_builder_add_string_value (b, result_url);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "error_message");
  if (error_message)
    json_builder_add_string_value (b, error_message);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "cost_cents");
  json_builder_add_int_value (b, g_str_equal (status, "completed") ? 25 : 0);
  json_builder_set_member_name (b, "drive_folder_id");
  json_builder_add_string_value (b, "<b>folder</b>");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, "2026-11-28T10:00:00Z");
  json_builder_set_member_name (b, "completed_at");
  if (ended)
    json_builder_add_string_value (b, "2026-11-28T10:00:30Z");
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

static char *
row_for (const char *id)
{
  g_autofree char *file_url = g_strconcat (base, "/files/j-done/" EVIL_FILE_ESCAPED, NULL);

  if (g_str_equal (id, "j-failed"))
    return row (id, "failed", EVIL_PROVIDER, EVIL_PROMPT " failed", EVIL_ERROR, NULL);
  if (g_str_equal (id, "j-done"))
    return row (id, "completed", "flux_2_pro", EVIL_PROMPT " done", NULL, file_url);
  if (g_str_equal (id, "j-odd"))
    return row (id, EVIL_STATUS, "flux_2_pro", EVIL_PROMPT " odd", NULL, NULL);
  if (g_str_equal (id, "j-pending"))
    return row (id, "pending", "flux_2_pro", "plain pending prompt", NULL, NULL);
  return NULL;
}

static void
send_json (SoupServerMessage *msg, guint status, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handler (SoupServer *srv, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const char *auth
      = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *evil_error = NULL;

  if (g_str_has_prefix (path, "/files/"))
    {
      file_requests++;
      if (auth)
        file_requests_with_auth++;
      send_json (msg, 404, "{}");
      return;
    }
  if (g_strcmp0 (auth, "Bearer " TOKEN) != 0)
    {
      send_json (msg, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"no\"}}");
      return;
    }
  {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) n = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "error");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "code");
    json_builder_add_string_value (b, "invalid_request");
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, EVIL_ERROR);
    json_builder_end_object (b);
    json_builder_end_object (b);
    n = json_builder_get_root (b);
    evil_error = json_to_string (n, FALSE);
  }
  if (fail_all)
    {
      send_json (msg, 400, evil_error);
      return;
    }
  if (g_str_equal (path, PREFIX "/jobs"))
    {
      const char *ids[] = { "j-failed", "j-done", "j-odd", "j-pending" };
      g_autoptr (GString) body = g_string_new ("{\"jobs\":[");

      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        {
          g_autofree char *r = row_for (ids[i]);

          g_string_append_printf (body, "%s%s", i ? "," : "", r);
        }
      g_string_append (body, "],\"next_cursor\":null}");
      send_json (msg, 200, body->str);
      return;
    }
  if (g_str_has_prefix (path, PREFIX "/jobs/"))
    {
      g_autofree char *r = row_for (path + strlen (PREFIX "/jobs/"));

      if (r)
        send_json (msg, 200, r);
      else
        send_json (msg, 400, evil_error);
      return;
    }
  send_json (msg, 400, evil_error);
}

/* ---- logs ---------------------------------------------------------------------------------- */

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      {
        const char *text = fields[i].value;

        g_string_append (logged, text);
        g_string_append_c (logged, '\n');
        if ((level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) && strstr (text, "markup"))
          g_string_append_printf (markup_warnings, "%s\n", text);
      }
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

/* ---- labels -------------------------------------------------------------------------------- */

static void
collect_texts (GtkWidget *root, GString *out)
{
  if (GTK_IS_LABEL (root))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (root)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, out);
}

static void
assert_shows_literally (GtkWidget *root, const char *text)
{
  g_autoptr (GString) texts = g_string_new (NULL);

  collect_texts (root, texts);
  if (strstr (texts->str, text) == NULL)
    g_test_message ("labels:\n%s", texts->str);
  g_assert_nonnull (strstr (texts->str, text));
}

static gboolean
shows (GtkWidget *root, const char *text)
{
  g_autoptr (GString) texts = g_string_new (NULL);

  collect_texts (root, texts);
  return strstr (texts->str, text) != NULL;
}

static void
show_job (const char *id)
{
  wevion_window_show_job (window, id);
  AT_WAIT (wevion_window_get_details_job (window)
               && g_str_equal (wevion_job_get_id (wevion_window_get_details_job (window)), id),
           20);
  at_spin (200);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void
test_cards_and_details (void)
{
  WevionJobStore *store = wevion_application_get_store (app);
  GtkWidget *details = wevion_window_get_details_widget (window);

  AT_WAIT (g_list_model_get_n_items (G_LIST_MODEL (store)) >= 4, 30);
  wevion_window_set_view (window, WEVION_VIEW_ALL);
  at_spin (300);
  /* the cards */
  AT_WAIT (shows (GTK_WIDGET (window), EVIL_PROMPT " failed"), 20);
  assert_shows_literally (GTK_WIDGET (window), EVIL_PROMPT " done");
  assert_shows_literally (GTK_WIDGET (window), EVIL_PROVIDER);

  /* a failed job's details: prompt, provider, the server's error message, settings */
  show_job ("j-failed");
  assert_shows_literally (details, EVIL_PROMPT " failed");
  assert_shows_literally (details, EVIL_PROVIDER);
  assert_shows_literally (details, EVIL_ERROR);
  assert_shows_literally (details, "<b>style</b>");
  assert_shows_literally (details, "<i>noir</i> &amp;");
  at_screenshot (GTK_WIDGET (window), "security-markup-failed");

  /* a completed job's file names */
  show_job ("j-done");
  assert_shows_literally (details, EVIL_FILE);

  /* a status the app does not know is shown as the server said it, not parsed */
  show_job ("j-odd");
  assert_shows_literally (details, EVIL_STATUS);
  assert_shows_literally (details, EVIL_PROMPT " odd");
}

static void
test_errors (void)
{
  GtkWidget *overlay = at_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY);

  g_assert_nonnull (overlay);
  fail_all = TRUE;
  /* a toast quoting the server (cancel refused with a 400 whose message is markup) */
  g_action_group_activate_action (G_ACTION_GROUP (app), "cancel-job", g_variant_new_string ("j-pending"));
  AT_WAIT (shows (overlay, EVIL_ERROR), 30);
  /* the banner quoting the server (the list answers 400 with a markup message) */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh", NULL);
  AT_WAIT (wevion_window_get_banner_revealed (window), 60);
  g_test_message ("banner: %s", wevion_window_get_banner_text (window));
  AT_WAIT (strstr (wevion_window_get_banner_text (window), EVIL_ERROR) != NULL, 60);
  AT_WAIT (shows (GTK_WIDGET (window), wevion_window_get_banner_text (window)), 30);
  at_screenshot (GTK_WIDGET (window), "security-markup-banner");

  /* the Costs page's error status page (its description is markup) */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (WevionClient) client = wevion_client_new (base, TOKEN, &error);
    GtkWidget *win = gtk_window_new ();
    GtkWidget *page = wevion_costs_page_new ();

    g_assert_no_error (error);
    wevion_costs_page_set_client (WEVION_COSTS_PAGE (page), client, base);
    wevion_costs_page_set_month (WEVION_COSTS_PAGE (page), "2026-11");
    gtk_window_set_default_size (GTK_WINDOW (win), 800, 700);
    gtk_window_set_child (GTK_WINDOW (win), page);
    gtk_window_present (GTK_WINDOW (win));
    AT_WAIT (shows (win, EVIL_ERROR), 60);
    gtk_window_destroy (GTK_WINDOW (win));
  }
  fail_all = FALSE;
}

/* Preferences show the server address and the download folder: user text, not markup */
static void
test_preferences (void)
{
  GSettings *settings = wevion_application_get_settings (app);
  const char *folder = "/tmp/R&D <b>x</b> &amp; <a href=\"y\">";
  g_autofree char *old = g_settings_get_string (settings, "download-folder");
  GtkWidget *prefs;

  g_settings_set_string (settings, "download-folder", folder);
  prefs = wevion_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  AT_WAIT (gtk_widget_get_mapped (prefs), 20);
  at_spin (200);
  assert_shows_literally (prefs, folder);
  assert_shows_literally (prefs, base);
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_settings_set_string (settings, "download-folder", old);
}

static void
test_no_markup_warnings_no_token (void)
{
  const char *dirs[] = { g_get_user_config_dir (), g_get_user_data_dir (), g_get_user_cache_dir () };
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;

  g_test_message ("markup warnings: %s", markup_warnings->str);
  g_assert_cmpuint (markup_warnings->len, ==, 0);
  /* debug logging was on all along, through 401-free requests, 4xx, 5xx and result fetches */
  g_assert_cmpuint (logged->len, >, 1000);
  g_assert_null (strstr (logged->str, TOKEN));
  /* result hosts never get the API token (here: the same host, still no credentials) */
  g_test_message ("%u result-host requests", file_requests);
  g_assert_cmpuint (file_requests_with_auth, ==, 0);
  /* nothing on disk and nothing in GSettings holds it */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_auto (GStrv) found = st_files_containing (dirs[i], TOKEN);

      for (guint j = 0; found[j]; j++)
        g_test_message ("token found in %s", found[j]);
      g_assert_cmpuint (g_strv_length (found), ==, 0);
    }
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    {
      g_autoptr (GVariant) v = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (v, FALSE);

      g_assert_null (strstr (text, TOKEN));
    }
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr (GError) error = NULL;
  GSList *uris;
  int status;

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  logged = g_string_new (NULL);
  markup_warnings = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);

  dir = wt_tmpdir ();
  {
    const char *sub[] = { "config", "data", "cache" };
    const char *var[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME" };

    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *p = g_build_filename (dir, sub[i], NULL);

        g_mkdir_with_parents (p, 0700);
        g_setenv (var[i], p, TRUE);
      }
  }
  g_setenv ("WEVION_POLL_INTERVAL_MS", "300", TRUE);
  g_setenv ("WEVION_WINDOW_SIZE", "1280x800", TRUE);
  g_setenv ("WEVION_OPEN_URI_LOG", "/dev/null", TRUE);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  if (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_setenv ("WEVION_SERVER_URL", base, TRUE);
  g_setenv ("WEVION_TOKEN", TOKEN, TRUE);
  app = wevion_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = WEVION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  AT_WAIT (gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0, 20);

  g_test_add_func ("/security/ui/markup-cards-and-details", test_cards_and_details);
  g_test_add_func ("/security/ui/markup-toast-banner-status-page", test_errors);
  g_test_add_func ("/security/ui/markup-preferences", test_preferences);
  g_test_add_func ("/security/ui/no-markup-warnings-no-token", test_no_markup_warnings_no_token);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  at_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
  soup_server_disconnect (server);
  g_object_unref (server);
  wt_rmdir (dir);
  return status;
}
