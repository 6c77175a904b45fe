/* security-test-utils.h: raw HTTP over a socket (requests a well-behaved client would never send),
 * and what a process holds in memory. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint status; /* 0 when no status line came back */
  char *head;   /* status line and headers */
  GBytes *body; /* everything after the blank line */
} StRaw;

void st_raw_free (StRaw *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StRaw, st_raw_free)

/* Host and port of an http:// URL */
void st_url_host_port (const char *url, char **host, guint16 *port);
/* A connection to @host:@port (blocking I/O with a 30 s socket timeout) */
GSocketConnection *st_connect (const char *host, guint16 port);
/* Sends @request (bytes as given: the path is not normalised) and reads until the server closes. */
StRaw *st_raw_request (const char *url, const char *request, gsize len);
/* VmRSS of process @pid in KiB */
gint64 st_rss_kib (const char *pid);
/* TRUE when @haystack (@len bytes) contains @needle */
gboolean st_contains (const void *haystack, gsize len, const char *needle);
/* Every regular file under @dir whose contents hold @needle (NULL-terminated array of paths) */
GStrv st_files_containing (const char *dir, const char *needle);

G_END_DECLS
