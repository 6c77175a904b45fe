/* wevion-core.h: libwevion-core, the app's model and network, with no GTK in it. */
#pragma once

#include "wevion-cache.h"
#include "wevion-client.h"
#include "wevion-enums.h"
#include "wevion-job-store.h"
#include "wevion-job.h"
#include "wevion-json.h"
#include "wevion-money.h"
#include "wevion-fetch.h"
#include "wevion-poller.h"
#include "wevion-downloader.h"
#include "wevion-costs.h"

G_BEGIN_DECLS

/* Makes the core's translations available; call once from main(). */
void wevion_core_init_i18n (void);

G_END_DECLS
