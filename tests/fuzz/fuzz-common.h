/* fuzz-common.h: what every harness shares. A harness defines LLVMFuzzerTestOneInput(); built with
 * clang -fsanitize=fuzzer it is a libFuzzer target (build-aux/fuzz.sh), built with gcc and
 * fuzz-replay.c it is a test that replays its corpus. An invariant that does not hold aborts, which
 * both count as a failure. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* An invariant: never compiled out (unlike g_assert with G_DISABLE_ASSERT). */
#define FUZZ_CHECK(cond)                                                                                     \
  G_STMT_START                                                                                               \
  {                                                                                                          \
    if (G_UNLIKELY (!(cond)))                                                                                \
      {                                                                                                      \
        fprintf (stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                        \
        abort ();                                                                                            \
      }                                                                                                      \
  }                                                                                                          \
  G_STMT_END

static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  /* criticals (a g_return_if_fail that fired) and errors are bugs; the rest is noise here */
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
}

/* The input as a NUL-terminated string (it may hold NULs itself). */
static inline char *
fuzz_strndup (const uint8_t *data, size_t size)
{
  char *s = g_malloc (size + 1);

  if (size)
    memcpy (s, data, size);
  s[size] = '\0';
  return s;
}
