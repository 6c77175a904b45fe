/* wevion-core.c */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "wevion-core.h"

void
wevion_core_init_i18n (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
