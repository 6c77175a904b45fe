/* fuzz-headers.c: the request headers the hub reads itself: Range (wevion_hub_parse_range) and
 * If-None-Match (wevion_hub_etag_matches). The first two bytes pick the file size, the rest is the
 * header value.
 * Invariants: an accepted range lies inside the file (start ≤ end < size) and is never also
 * "unsatisfiable"; "bytes=0-" of a non-empty file is all of it; an If-None-Match that is the ETag
 * itself, its weak form, "*" or a list holding it matches, and one that does not contain the ETag's
 * text nor a "*" never does. */
#include "config.h"

#include "fuzz-common.h"
#include "wevion-hub-parse.h"

static const char etag[] = "\"00000000deadbeef0123456789abcdef-42\"";

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *header = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *weak = NULL;
  gsize file_size, start = G_MAXSIZE, end = G_MAXSIZE;
  gboolean unsatisfiable = TRUE, ok;

  fuzz_init ();
  if (size < 2)
    return 0;
  /* 0, small sizes, and a few large ones */
  file_size = data[0] == 0xff ? G_MAXSIZE / (data[1] + 1u) : (gsize) data[0] * 256 + data[1];
  header = fuzz_strndup (data + 2, size - 2);

  ok = wevion_hub_parse_range (header, file_size, &start, &end, &unsatisfiable);
  if (ok)
    {
      FUZZ_CHECK (!unsatisfiable);
      FUZZ_CHECK (file_size > 0);
      FUZZ_CHECK (start <= end && end < file_size);
    }
  if (unsatisfiable)
    FUZZ_CHECK (!ok);
  if (file_size > 0)
    {
      FUZZ_CHECK (wevion_hub_parse_range ("bytes=0-", file_size, &start, &end, &unsatisfiable));
      FUZZ_CHECK (start == 0 && end == file_size - 1);
    }

  if (!strstr (header, etag + 1) && !strchr (header, '*'))
    FUZZ_CHECK (!wevion_hub_etag_matches (header, etag));
  listed = g_strdup_printf ("%s, %s", header, etag);
  weak = g_strdup_printf ("W/%s", etag);
  FUZZ_CHECK (wevion_hub_etag_matches (listed, etag));
  FUZZ_CHECK (wevion_hub_etag_matches (weak, etag));
  FUZZ_CHECK (wevion_hub_etag_matches (etag, etag));
  FUZZ_CHECK (wevion_hub_etag_matches ("*", etag));
  FUZZ_CHECK (!wevion_hub_etag_matches (NULL, etag));
  return 0;
}
