/* hub-test-utils.c */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "hub-test-utils.h"

HubProc *
hub_start (const char *dir, const char *const *args)
{
  HubProc *hub = g_new0 (HubProc, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  gboolean has_speed = FALSE;

  for (guint i = 0; args && args[i]; i++)
    {
      has_speed |= g_str_equal (args[i], "--speed");
      g_ptr_array_add (argv, (gpointer) args[i]);
    }
  if (!has_speed)
    {
      g_ptr_array_add (argv, "--speed");
      g_ptr_array_add (argv, "100");
    }
  g_ptr_array_add (argv, NULL);
  /* the one hub starter of the suite (tests/core/core-test-hub.c) */
  hub->wt = wt_hub_start_in (dir, (const char *const *) argv->pdata);
  hub->proc = hub->wt->process;
  hub->url = hub->wt->url;
  hub->dir = hub->wt->dir;
  hub->own_dir = hub->wt->own_dir;
  hub->db = g_build_filename (hub->dir, "hub.db", NULL);
  g_assert_true (g_str_has_prefix (hub->url, "http://127.0.0.1:"));
  return hub;
}

void
hub_free (HubProc *hub)
{
  /* stops the process if it still runs, removes the dir when the hub owns it (tests that restart
   * a hub on the same db hand the dir over with own_dir) */
  hub->wt->own_dir = hub->own_dir;
  wt_hub_stop (hub->wt);
  g_free (hub->db);
  g_free (hub);
}

void
hub_stop (HubProc *hub)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (hub->proc, SIGTERM);
  g_subprocess_wait (hub->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (hub->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (hub->proc), ==, 0);
  hub_free (hub);
}

void
hub_kill (HubProc *hub)
{
  g_subprocess_force_exit (hub->proc);
  g_subprocess_wait (hub->proc, NULL, NULL);
}

void
hub_reply_free (HubReply *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_error (&r->error);
  g_free (r);
}

SoupSession *
hub_session (void)
{
  return soup_session_new_with_options ("timeout", 30, NULL);
}

HubReply *
hub_request (SoupSession *s, const char *method, const char *url, const char *token, const char *body,
             const char *content_type, const char *const *extra_headers)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  HubReply *r = g_new0 (HubReply, 1);

  g_assert_nonnull (msg);
  if (token)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type ? content_type : "application/json", bytes);
    }
  for (guint i = 0; extra_headers && extra_headers[i] && extra_headers[i + 1]; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), extra_headers[i],
                                  extra_headers[i + 1]);
  r->body = soup_session_send_and_read (s, msg, NULL, &r->error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

HubReply *
hub_get (SoupSession *s, HubProc *hub, const char *path, const char *token)
{
  g_autofree char *url = g_strconcat (hub->url, path, NULL);

  return hub_request (s, "GET", url, token, NULL, NULL, NULL);
}

HubReply *
hub_post (SoupSession *s, HubProc *hub, const char *path, const char *token, const char *body)
{
  g_autofree char *url = g_strconcat (hub->url, path, NULL);

  return hub_request (s, "POST", url, token, body ? body : "", NULL, NULL);
}

const char *
hub_reply_text (HubReply *r)
{
  /* GBytes from libsoup are not NUL-terminated; keep a terminated copy on the reply */
  gsize len = 0;
  const char *data;
  GBytes *copy;
  char *text;

  g_assert_no_error (r->error);
  data = g_bytes_get_data (r->body, &len);
  text = g_malloc (len + 1);
  if (len)
    memcpy (text, data, len);
  text[len] = '\0';
  copy = g_bytes_new_take (text, len + 1);
  g_bytes_unref (r->body);
  r->body = copy;
  return text;
}

JsonNode *
hub_reply_json (HubReply *r)
{
  g_autoptr (GError) error = NULL;
  const char *text = hub_reply_text (r);
  JsonNode *node = json_from_string (text, &error);

  if (error)
    g_test_message ("body: %s", text);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

char *
hub_submit (SoupSession *s, HubProc *hub, const char *token, const char *type, const char *provider,
            const char *prompt, const char *settings_json)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/creative-hub/generate/%s", type);
  g_autoptr (HubReply) r = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonObject *o;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "provider");
  json_builder_add_string_value (b, provider);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, prompt);
  if (settings_json)
    {
      json_builder_set_member_name (b, "settings");
      json_builder_add_value (b, json_from_string (settings_json, NULL));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  r = hub_post (s, hub, path, token, body);
  g_assert_no_error (r->error);
  if (r->status != 202)
    g_test_message ("submit answered %u: %s", r->status, hub_reply_text (r));
  g_assert_cmpuint (r->status, ==, 202);
  answer = hub_reply_json (r);
  o = json_node_get_object (answer);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "pending");
  return g_strdup (json_object_get_string_member (o, "job_id"));
}

JsonObject *
hub_wait_job (SoupSession *s, HubProc *hub, const char *token, const char *id, const char *status)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_autofree char *path = g_strdup_printf ("/api/v1/creative-hub/generate/jobs/%s", id);

  while (TRUE)
    {
      g_autoptr (HubReply) r = hub_get (s, hub, path, token);
      g_autoptr (JsonNode) node = NULL;
      JsonObject *o;
      const char *st;

      g_assert_cmpuint (r->status, ==, 200);
      node = hub_reply_json (r);
      o = json_node_get_object (node);
      st = json_object_get_string_member (o, "status");
      if (g_str_equal (st, status) || g_str_equal (st, "completed") || g_str_equal (st, "failed")
          || g_get_monotonic_time () > deadline)
        return json_object_ref (o);
      g_usleep (20000);
    }
}

void
hub_assert_error (HubReply *r, guint status, const char *code)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *err;

  g_assert_no_error (r->error);
  if (r->status != status)
    g_test_message ("expected %u, got %u: %s", status, r->status, hub_reply_text (r));
  g_assert_cmpuint (r->status, ==, status);
  node = hub_reply_json (r);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  err = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_nonnull (err);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (err, "message"));
}
