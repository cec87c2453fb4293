/*
 * Writes one closed window as a complete, standalone JFR recording (one
 * chunk: metadata, settings, events, one checkpoint with every pool), first
 * to a temporary name beside `path` and then renamed over it, so a reader
 * never sees half a file.
 */
#ifndef AG_JFR_WRITER_H
#define AG_JFR_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "storage.h"

typedef struct ag_jfr_settings {
	const char *engine; /* the CPU engine actually used, NULL if none */
	const char *event; /* the requested CPU event, NULL if none */
	long interval, wall, alloc, lock; /* < 0 = off */
	bool park; /* jdk.ThreadPark recorded (lock >= 0 and the park hook works) */
	int jstackdepth;
	const char *cstack; /* "fp" or "no" */
} ag_jfr_settings;

bool ag_jfr_write(const char *path, ag_window *w, const ag_jfr_settings *s, char *err,
	size_t errlen);

#endif
