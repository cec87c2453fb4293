/*
 * JDK updates on which AsyncGetCallTrace is known to crash the JVM (the
 * floor Datadog's profiler enforces: 8u352, 11.0.17, 17.0.5; 18+ is fine).
 * Pure string logic, unit-tested on its own.
 */
#ifndef AG_JDK_VERSION_H
#define AG_JDK_VERSION_H

#include <stdbool.h>

/* `version` is java.version ("17.0.15", "1.8.0_352", "25"); unknown formats are trusted. */
bool ag_jdk_agct_unsafe(const char *version);

#endif
