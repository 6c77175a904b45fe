/* wevion-format.c */
#include "config.h"

#include <glib/gi18n.h>

#include "wevion-format.h"

char *
wevion_format_relative_time (GDateTime *time, GDateTime *now)
{
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GDateTime) local_now = NULL;
  GTimeSpan diff;
  gint64 minutes, hours, days;

  if (time == NULL)
    return g_strdup ("");

  diff = g_date_time_difference (now, time);
  if (diff < 60 * G_TIME_SPAN_SECOND)
    return g_strdup (_ ("just now"));

  minutes = diff / G_TIME_SPAN_MINUTE;
  if (minutes < 60)
    return g_strdup_printf (ngettext ("%d min ago", "%d min ago", (int) minutes), (int) minutes);

  hours = diff / G_TIME_SPAN_HOUR;
  if (hours < 24)
    return g_strdup_printf (ngettext ("%d h ago", "%d h ago", (int) hours), (int) hours);

  local = g_date_time_to_local (time);
  local_now = g_date_time_to_local (now);
  days = diff / G_TIME_SPAN_DAY;
  if (days < 2 && g_date_time_get_day_of_year (local_now) != g_date_time_get_day_of_year (local))
    return g_strdup (_ ("yesterday"));
  if (days < 7)
    return g_strdup_printf (ngettext ("%d day ago", "%d days ago", (int) days), (int) days);
  if (g_date_time_get_year (local) == g_date_time_get_year (local_now))
    /* Translators: a date in this year, e.g. "12 Nov"; see g_date_time_format() */
    return g_date_time_format (local, _ ("%-d %b"));
  /* Translators: a date in another year, e.g. "12 Nov 2025"; see g_date_time_format() */
  return g_date_time_format (local, _ ("%-d %b %Y"));
}

char *
wevion_format_exact_time (GDateTime *time)
{
  g_autoptr (GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (time);
  /* Translators: an exact time for tooltips and details; see g_date_time_format() */
  return g_date_time_format (local, _ ("%A, %-d %B %Y, %H:%M:%S"));
}

char *
wevion_format_duration (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup ("");
  if (seconds < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_ ("%d s"), (int) seconds);
  if (seconds < 3600)
    {
      int s = (int) (seconds % 60);

      if (s == 0)
        return g_strdup_printf (_ ("%d min"), (int) (seconds / 60));
      /* Translators: a duration in minutes and seconds */
      return g_strdup_printf (_ ("%d min %d s"), (int) (seconds / 60), s);
    }
  /* Translators: a duration in hours and minutes */
  return g_strdup_printf (_ ("%d h %d min"), (int) (seconds / 3600), (int) ((seconds % 3600) / 60));
}

char *
wevion_format_clock (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 3600)
    return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600), (int) ((seconds % 3600) / 60),
                          (int) (seconds % 60));
}
