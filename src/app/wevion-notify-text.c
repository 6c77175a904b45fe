/* wevion-notify-text.c: the words of job notifications and the hold decision (GLib only). */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-format.h"
#include "wevion-notify-text.h"

char *
wevion_notify_excerpt (const char *text, int max_chars)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean space = FALSE;
  int n = 0;

  if (text == NULL)
    return g_strdup ("");
  /* whitespace and control characters collapse into single spaces */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = out->len > 0;
          continue;
        }
      if (n >= max_chars)
        {
          /* one character too many: the last one gives way to the ellipsis */
          const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);
          g_string_truncate (out, last ? (gsize) (last - out->str) : 0);
          g_string_append (out, "…");
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          space = FALSE;
          if (++n >= max_chars)
            continue;
        }
      g_string_append_unichar (out, c);
      n++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

const char *
wevion_notify_summary (WevionJobType type, gboolean completed)
{
  if (completed)
    switch (type)
      {
      case WEVION_JOB_TYPE_IMAGE: return _ ("Image ready");
      case WEVION_JOB_TYPE_VIDEO: return _ ("Video ready");
      case WEVION_JOB_TYPE_AVATAR: return _ ("Avatar ready");
      case WEVION_JOB_TYPE_TTS: return _ ("Speech ready");
      case WEVION_JOB_TYPE_COMPOSITE: return _ ("Composite ready");
      case WEVION_JOB_TYPE_UNKNOWN:
      default: return _ ("Generation ready");
      }
  switch (type)
    {
    case WEVION_JOB_TYPE_IMAGE: return _ ("Image failed");
    case WEVION_JOB_TYPE_VIDEO: return _ ("Video failed");
    case WEVION_JOB_TYPE_AVATAR: return _ ("Avatar failed");
    case WEVION_JOB_TYPE_TTS: return _ ("Speech failed");
    case WEVION_JOB_TYPE_COMPOSITE: return _ ("Composite failed");
    case WEVION_JOB_TYPE_UNKNOWN:
    default: return _ ("Generation failed");
    }
}

const char *
wevion_notify_summary_for_job (WevionJob *job)
{
  return wevion_notify_summary (wevion_job_get_job_type (job),
                                wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED);
}

char *
wevion_notify_failure_text (const char *error_message)
{
  g_autofree char *stripped = g_strstrip (g_strdup (error_message ? error_message : ""));

  if (*stripped == '\0')
    return g_strdup (_ ("The provider reported no details. This is usually an upstream issue; retry once."));
  return g_steal_pointer (&stripped);
}

char *
wevion_notify_quoted_excerpt (const char *prompt)
{
  g_autofree char *excerpt = wevion_notify_excerpt (prompt, WEVION_NOTIFY_EXCERPT_CHARS);
  g_autofree char *escaped = g_markup_escape_text (excerpt, -1);

  /* Translators: a prompt quoted in a notification */
  return g_strdup_printf (_ ("“%s”"), escaped);
}

char *
wevion_notify_body (WevionJob *job)
{
  const char *provider_text = wevion_job_get_provider (job);
  g_autofree char *provider = g_markup_escape_text (provider_text ? provider_text : "", -1);
  g_autofree char *prompt = wevion_notify_quoted_excerpt (wevion_job_get_prompt (job));

  if (wevion_job_get_status (job) == WEVION_JOB_STATUS_COMPLETED)
    {
      g_autoptr (GString) facts = g_string_new (provider);
      gint64 duration = wevion_job_get_duration (job);
      g_autofree char *cost = wevion_format_cents (wevion_job_get_cost_cents (job));

      if (duration >= 0)
        {
          g_autofree char *text = wevion_format_duration (duration);
          g_string_append_printf (facts, " · %s", text);
        }
      g_string_append_printf (facts, " · %s", cost);
      return g_strdup_printf ("%s\n%s", prompt, facts->str);
    }
  {
    g_autofree char *failure = wevion_notify_failure_text (wevion_job_get_error_message (job));
    g_autofree char *escaped = g_markup_escape_text (failure, -1);

    return g_strdup_printf ("%s\n%s · %s", escaped, provider, prompt);
  }
}

char *
wevion_notify_burst_summary (guint n_completed, guint n_failed)
{
  if (n_failed == 0)
    return g_strdup_printf (ngettext ("%u job completed", "%u jobs completed", n_completed), n_completed);
  if (n_completed == 0)
    return g_strdup_printf (ngettext ("%u job failed", "%u jobs failed", n_failed), n_failed);
  {
    g_autofree char *done
        = g_strdup_printf (ngettext ("%u job completed", "%u jobs completed", n_completed), n_completed);
    /* Translators: the second half of "5 jobs completed, 1 failed" */
    g_autofree char *failed = g_strdup_printf (ngettext ("%u failed", "%u failed", n_failed), n_failed);

    /* Translators: "5 jobs completed" and "1 failed" */
    return g_strdup_printf (_ ("%s, %s"), done, failed);
  }
}

char *
wevion_notify_burst_body (GPtrArray *jobs)
{
  g_autoptr (GString) body = g_string_new (NULL);
  guint listed = MIN (jobs->len, (guint) WEVION_NOTIFY_BURST_LISTED);

  for (guint i = 0; i < listed; i++)
    {
      WevionJob *job = g_ptr_array_index (jobs, i);
      g_autofree char *prompt = wevion_notify_quoted_excerpt (wevion_job_get_prompt (job));
      g_autofree char *what = g_markup_escape_text (wevion_notify_summary_for_job (job), -1);

      g_string_append_printf (body, "%s%s %s", i ? "\n" : "", what, prompt);
    }
  if (jobs->len > listed)
    {
      guint more = jobs->len - listed;
      g_string_append_c (body, '\n');
      g_string_append_printf (body, ngettext ("and %u more", "and %u more", more), more);
    }
  return g_string_free (g_steal_pointer (&body), FALSE);
}

gboolean
wevion_notify_hold_wanted (const WevionHoldState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  if (state->run_in_background || state->n_work > 0 || state->n_batched > 0)
    return TRUE;
  /* active jobs are worth staying for only while something watches them */
  if (state->n_active > 0 && !state->poller_stopped)
    return TRUE;
  /* our notifications' buttons need this process, for a while */
  return state->n_open > 0 && !state->linger_over;
}
