/* wevion-hub-faults.c: parsing and drawing injected faults. */
#include "config.h"

#include <gio/gio.h>

#include "wevion-hub-faults.h"

void
wevion_hub_faults_clear (WevionHubFaults *faults)
{
  *faults = (WevionHubFaults){ 0 };
  faults->retry_after = 2;
}

static gboolean
parse_probability (const char *text, double *out, GError **error)
{
  char *end = NULL;
  double p = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(p >= 0.0 && p <= 1.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a probability between 0 and 1", text);
      return FALSE;
    }
  *out = p;
  return TRUE;
}

static gboolean
parse_uint (const char *text, guint max, guint *out, GError **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &v, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a number from 0 to %u", text,
                   max);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

gboolean
wevion_hub_faults_parse (WevionHubFaults *faults, const char *spec, GError **error)
{
  WevionHubFaults f;
  g_auto (GStrv) clauses = NULL;

  wevion_hub_faults_clear (&f);
  if (spec == NULL)
    spec = "";
  clauses = g_strsplit (spec, ";", -1);
  for (guint i = 0; clauses[i]; i++)
    {
      g_autofree char *clause = g_strstrip (g_strdup (clauses[i]));
      char *eq;
      const char *key, *value;

      if (*clause == '\0' || g_str_equal (clause, "none"))
        continue;
      eq = strchr (clause, '=');
      if (eq)
        *eq = '\0';
      key = g_strstrip (clause);
      value = eq ? g_strstrip (eq + 1) : NULL;

      if (g_str_equal (key, "stall-queue"))
        {
          f.stall_queue = value == NULL || g_str_equal (value, "1") || g_str_equal (value, "true");
          continue;
        }
      if (value == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "fault “%s” needs a value", key);
          return FALSE;
        }
      if (g_str_equal (key, "rate"))
        {
          g_auto (GStrv) items = g_strsplit (value, ",", -1);

          for (guint j = 0; items[j]; j++)
            {
              char *colon = strchr (items[j], ':');
              WevionHubFaultRate r;

              if (colon == NULL || f.n_rates == WEVION_HUB_FAULTS_MAX_RATES)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "rate entries are P:STATUS, at most %d of them", WEVION_HUB_FAULTS_MAX_RATES);
                  return FALSE;
                }
              *colon = '\0';
              if (!parse_probability (g_strstrip (items[j]), &r.probability, error)
                  || !parse_uint (g_strstrip (colon + 1), 599, &r.status, error))
                return FALSE;
              if (r.status != 429 && r.status < 500)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "rate status %u: only 429 and 5xx are injected", r.status);
                  return FALSE;
                }
              f.rates[f.n_rates++] = r;
            }
        }
      else if (g_str_equal (key, "latency"))
        {
          if (!parse_uint (value, 600000, &f.latency_ms, error))
            return FALSE;
        }
      else if (g_str_equal (key, "retry-after"))
        {
          if (!parse_uint (value, 86400, &f.retry_after, error))
            return FALSE;
        }
      else if (g_str_equal (key, "malformed"))
        {
          if (!parse_probability (value, &f.malformed, error))
            return FALSE;
        }
      else if (g_str_equal (key, "truncate"))
        {
          if (!parse_probability (value, &f.truncate, error))
            return FALSE;
        }
      else if (g_str_equal (key, "drop-download"))
        {
          if (!parse_probability (value, &f.drop_download, error))
            return FALSE;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown fault “%s”", key);
          return FALSE;
        }
    }
  *faults = f;
  return TRUE;
}

char *
wevion_hub_faults_to_string (const WevionHubFaults *faults)
{
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (faults->n_rates)
    {
      g_string_append (s, "rate=");
      for (guint i = 0; i < faults->n_rates; i++)
        g_string_append_printf (s, "%s%s:%u", i ? "," : "",
                                g_ascii_dtostr (buf, sizeof buf, faults->rates[i].probability),
                                faults->rates[i].status);
      g_string_append_c (s, ';');
    }
  if (faults->latency_ms)
    g_string_append_printf (s, "latency=%u;", faults->latency_ms);
  if (faults->malformed > 0)
    g_string_append_printf (s, "malformed=%s;", g_ascii_dtostr (buf, sizeof buf, faults->malformed));
  if (faults->truncate > 0)
    g_string_append_printf (s, "truncate=%s;", g_ascii_dtostr (buf, sizeof buf, faults->truncate));
  if (faults->drop_download > 0)
    g_string_append_printf (s, "drop-download=%s;", g_ascii_dtostr (buf, sizeof buf, faults->drop_download));
  if (faults->stall_queue)
    g_string_append (s, "stall-queue;");
  if (faults->retry_after != 2)
    g_string_append_printf (s, "retry-after=%u;", faults->retry_after);
  if (s->len && s->str[s->len - 1] == ';')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

guint
wevion_hub_faults_pick_status (const WevionHubFaults *faults, GRand *rand)
{
  double x;

  if (faults->n_rates == 0)
    return 0;
  x = g_rand_double (rand);
  for (guint i = 0; i < faults->n_rates; i++)
    {
      if (x < faults->rates[i].probability)
        return faults->rates[i].status;
      x -= faults->rates[i].probability;
    }
  return 0;
}
