/* hub-test-utils.h: start a real wevion-hub over loopback and talk to it with SoupSession. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core-test-hub.h"

G_BEGIN_DECLS

typedef struct
{
  WtHub *wt; /* the shared starter's handle; the fields below are borrowed from it */
  GSubprocess *proc;
  char *url;
  char *dir; /* temp dir holding the db */
  char *db;
  gboolean own_dir;
} HubProc;

/* Starts wevion-hub --port 0 --db DIR/hub.db --speed 100 plus @args (NULL-terminated), waits for
 * its listening line. @dir NULL makes a fresh temp dir. */
HubProc *hub_start (const char *dir, const char *const *args);
/* SIGTERM, waits, asserts exit status 0; removes the temp dir when it made it. */
void hub_stop (HubProc *hub);
/* kill -9, waits; keeps the dir */
void hub_kill (HubProc *hub);
void hub_free (HubProc *hub);

typedef struct
{
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  GError *error;
} HubReply;

void hub_reply_free (HubReply *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubReply, hub_reply_free)

SoupSession *hub_session (void);
/* @token NULL sends no Authorization; @content_type NULL means application/json when @body */
HubReply *hub_request (SoupSession *s, const char *method, const char *url, const char *token,
                       const char *body, const char *content_type, const char *const *extra_headers);
HubReply *hub_get (SoupSession *s, HubProc *hub, const char *path, const char *token);
HubReply *hub_post (SoupSession *s, HubProc *hub, const char *path, const char *token, const char *body);
/* The body as JSON (asserts it parses) */
JsonNode *hub_reply_json (HubReply *r);
const char *hub_reply_text (HubReply *r);
/* POST generate/{type}; asserts 202; returns the job id */
char *hub_submit (SoupSession *s, HubProc *hub, const char *token, const char *type, const char *provider,
                  const char *prompt, const char *settings_json);
/* GETs the job until its status is @status or terminal (deadline 30 s); returns the row */
JsonObject *hub_wait_job (SoupSession *s, HubProc *hub, const char *token, const char *id,
                          const char *status);
void hub_assert_error (HubReply *r, guint status, const char *code);

G_END_DECLS
