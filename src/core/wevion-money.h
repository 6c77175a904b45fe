/* wevion-money.h: money from integer cents, never through floating point. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "$0.25", "$1,234.50", "−$3.00" */
char *wevion_format_cents (gint64 cents);

G_END_DECLS
