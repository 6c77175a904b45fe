/* fuzz-signed-url.c: a result-file URL "/files/ID/NAME?expires=E&sig=HEX" as the hub's files route
 * reads it: wevion_hub_parse_file_path() on the path, soup_form_decode() on the query,
 * wevion_hub_signer_check() on both.
 * Invariants: the signature in the input (which was never made with this run's secret) is never
 * accepted; a signature the signer made for the same path and expiry is accepted (OK or EXPIRED by
 * the clock), also in upper case, and rejected as soon as one of its characters, its length, the
 * path or the expiry changes; the signer's own URL decodes back to its parts; an accepted file path
 * names a file inside the job's folder. */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-hub-parse.h"

#define NOW G_GINT64_CONSTANT (1764374400)

static WevionHubSigner *
signer (void)
{
  static WevionHubSigner *s = NULL;

  if (s == NULL)
    s = wevion_hub_signer_new (3600);
  return s;
}

static void
check_file_path (const char *path)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *full = NULL;
  g_autofree char *canonical = NULL;

  if (!wevion_hub_parse_file_path (path, &id, &name))
    return;
  FUZZ_CHECK (*id && *name);
  FUZZ_CHECK (!strchr (id, '/') && !strchr (name, '/') && !strchr (id, '\\') && !strchr (name, '\\'));
  FUZZ_CHECK (!g_str_equal (id, ".") && !g_str_equal (id, "..") && !g_str_equal (name, ".")
              && !g_str_equal (name, ".."));
  /* the file the server opens stays two levels under its root */
  full = g_build_filename ("/srv/hub/jobs", id, name, NULL);
  canonical = g_canonicalize_filename (full, NULL);
  FUZZ_CHECK (g_str_has_prefix (canonical, "/srv/hub/jobs/"));
  FUZZ_CHECK (strchr (canonical + strlen ("/srv/hub/jobs/"), '/') != NULL);
}

/* @sig: what the signer made for @path and @expires; every modification is refused */
static void
check_genuine (const char *path, const char *expires, gint64 exp, const char *sig, const uint8_t *data,
               size_t size)
{
  WevionHubSigner *s = signer ();
  WevionHubSignCheck want = exp < NOW ? WEVION_HUB_SIGN_EXPIRED : WEVION_HUB_SIGN_OK;
  g_autofree char *upper = g_ascii_strup (sig, -1);
  g_autofree char *longer = g_strconcat (sig, "0", NULL);
  g_autofree char *shorter = g_strndup (sig, strlen (sig) - 1);
  g_autofree char *other_path = g_strconcat (path, "x", NULL);
  g_autofree char *other_exp = g_strdup_printf ("%" G_GINT64_FORMAT, exp + 1);
  gsize n = strlen (sig);

  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, sig, NOW) == want);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, upper, NOW) == want);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, longer, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, shorter, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, "", NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, other_path, expires, sig, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, other_exp, sig, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, NULL, sig, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, NULL, NOW) == WEVION_HUB_SIGN_BAD);
  /* one character changed, where and to what the input says (and a few fixed ones) */
  for (size_t i = 0; i < MIN (size, (size_t) 8) + 3; i++)
    {
      g_autofree char *bad = g_strdup (sig);
      gsize at = i < 3 ? (i * 31) % n : data[i - 3] % n;
      char c = i < 3 ? "0f\x01"[i] : (char) (data[(i - 3 + 1) % size] ? data[(i - 3 + 1) % size] : 'x');

      bad[at] = c;
      if (g_ascii_tolower (c) == sig[at])
        continue;
      FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, bad, NOW) == WEVION_HUB_SIGN_BAD);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  WevionHubSigner *s;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autofree char *signed_path = NULL;
  g_autofree char *expires_text = NULL;
  g_autoptr (GHashTable) query = NULL;
  g_autoptr (GHashTable) back = NULL;
  const char *expires, *sig, *mark;
  gint64 exp;
  char *end = NULL;

  fuzz_init ();
  s = signer ();
  text = fuzz_strndup (data, size);
  mark = strchr (text, '?');
  path = mark ? g_strndup (text, mark - text) : g_strdup (text);
  query = mark ? soup_form_decode (mark + 1) : NULL;
  expires = query ? g_hash_table_lookup (query, "expires") : NULL;
  sig = query ? g_hash_table_lookup (query, "sig") : NULL;

  check_file_path (path);

  /* a signature from the input was never made with this run's secret */
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, sig, NOW) == WEVION_HUB_SIGN_BAD);
  FUZZ_CHECK (wevion_hub_signer_check (s, path, expires, sig, 0) == WEVION_HUB_SIGN_BAD);

  /* the genuine signature for this path and expiry */
  exp = expires ? g_ascii_strtoll (expires, &end, 10) : 0;
  if (expires == NULL || end == NULL || *end != '\0' || exp <= 0 || exp == G_MAXINT64)
    exp = NOW - 1800 + (gint64) (g_str_hash (text) % 3600);
  expires_text = g_strdup_printf ("%" G_GINT64_FORMAT, exp);
  signed_path = wevion_hub_signer_sign_path (s, path, exp);
  FUZZ_CHECK (g_str_has_prefix (signed_path, path));
  mark = signed_path + strlen (path);
  FUZZ_CHECK (*mark == '?');
  back = soup_form_decode (mark + 1);
  FUZZ_CHECK (back != NULL);
  FUZZ_CHECK (g_strcmp0 (g_hash_table_lookup (back, "expires"), expires_text) == 0);
  sig = g_hash_table_lookup (back, "sig");
  FUZZ_CHECK (sig != NULL && strlen (sig) == 64);
  check_genuine (path, expires_text, exp, sig, data, size);
  return 0;
}
