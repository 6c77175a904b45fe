/* wevion-money.c */
#include "config.h"

#include <string.h>

#include "wevion-money.h"

char *
wevion_format_cents (gint64 cents)
{
  GString *out = g_string_new (NULL);
  guint64 magnitude = cents < 0 ? (guint64) (-(cents + 1)) + 1 : (guint64) cents;
  g_autofree char *dollars = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude / 100);
  gsize len = strlen (dollars);

  if (cents < 0)
    g_string_append (out, "−");
  g_string_append_c (out, '$');
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, dollars[i]);
    }
  g_string_append_printf (out, ".%02u", (guint) (magnitude % 100));
  return g_string_free (out, FALSE);
}
