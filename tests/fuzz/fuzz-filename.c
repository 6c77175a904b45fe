/* fuzz-filename.c: the name a download is saved under. Input: a Content-Disposition header value,
 * a newline, a result URL. The header goes through libsoup's parser as the downloader's does, then
 * wevion_download_filename_for(); the raw text also goes straight to
 * wevion_download_sanitize_filename() with a bound the input picks.
 * Invariants for every name: not empty, valid UTF-8, no '/' or '\\', not "." or "..", no leading
 * or trailing dot or space, no control or bidi-override characters, at most the bound in bytes, a
 * fixed point of the sanitizer, and joined to a folder it stays directly inside it. */
#include "config.h"

#include <libsoup/soup.h>

#include "fuzz-common.h"
#include "wevion-core.h"

static gboolean
is_forbidden (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x200e || c == 0x200f
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

static void
check_name (const char *name, gsize max_bytes)
{
  g_autofree char *again = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *dir = NULL;
  gsize len;

  FUZZ_CHECK (name != NULL);
  len = strlen (name);
  FUZZ_CHECK (len > 0);
  FUZZ_CHECK (len <= max_bytes);
  FUZZ_CHECK (g_utf8_validate (name, -1, NULL));
  FUZZ_CHECK (!strchr (name, '/') && !strchr (name, '\\'));
  FUZZ_CHECK (!g_str_equal (name, ".") && !g_str_equal (name, ".."));
  FUZZ_CHECK (name[0] != '.' && name[0] != ' ');
  FUZZ_CHECK (name[len - 1] != '.' && name[len - 1] != ' ');
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    FUZZ_CHECK (!is_forbidden (g_utf8_get_char (p)));
  again = wevion_download_sanitize_filename (name, max_bytes);
  FUZZ_CHECK (g_str_equal (again, name));
  joined = g_build_filename ("/fuzz-downloads", name, NULL);
  dir = g_path_get_dirname (joined);
  FUZZ_CHECK (g_str_equal (dir, "/fuzz-downloads"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const gsize bounds[] = { 16, 24, 40, 64, 200, 255 };
  g_autofree char *text = fuzz_strndup (data, size);
  g_autofree char *header = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *from_headers = NULL;
  g_autofree char *from_raw = NULL;
  g_autofree char *disposition = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (GHashTable) params = NULL;
  const char *url = NULL;
  char *nl;
  gsize bound;

  fuzz_init ();
  nl = memchr (text, '\n', size);
  if (nl)
    {
      *nl = '\0';
      url = nl + 1;
    }
  raw = g_strdup (text);

  /* what the HTTP parser hands over: one line, no NUL, CR or LF */
  header = g_strdup (text);
  g_strdelimit (header, "\r", ' ');
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_append (headers, "Content-Disposition", header);
  if (soup_message_headers_get_content_disposition (headers, &disposition, &params))
    from_headers = wevion_download_filename_for (g_hash_table_lookup (params, "filename"), url);
  else
    from_headers = wevion_download_filename_for (NULL, url);
  check_name (from_headers, 200);

  bound = bounds[size % G_N_ELEMENTS (bounds)];
  from_raw = wevion_download_sanitize_filename (raw, bound);
  check_name (from_raw, bound);
  return 0;
}
