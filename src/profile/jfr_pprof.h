#ifndef PJ_PROFILE_JFR_PPROF_H
#define PJ_PROFILE_JFR_PPROF_H

/*
 * JFR -> pprof conversion, the mapping Grafana's jfr-parser applies for
 * Pyroscope and Alloy (spec: jfr-format.md section 9; docs/jfr-conversion.md
 * lists the event -> profile table and the few places where we deliberately
 * differ because jfr-parser is wrong).
 *
 * One JFR recording yields up to nine profiles, one per sample type:
 *
 *	metric       sample types (type/unit)                                 from
 *	process_cpu  cpu/nanoseconds                                          jdk.ExecutionSample (+ RUNNABLE wall samples when event=wall)
 *	wall         wall/nanoseconds                                         profiler.WallClockSample, ExecutionSample when event=wall
 *	memory       alloc_in_new_tlab_objects/count alloc_in_new_tlab_bytes/bytes   jdk.ObjectAllocationInNewTLAB
 *	memory       alloc_outside_tlab_objects/count alloc_outside_tlab_bytes/bytes jdk.ObjectAllocationOutsideTLAB
 *	memory       alloc_sample_objects/count alloc_sample_bytes/bytes      jdk.ObjectAllocationSample
 *	memory       live/count                                               profiler.LiveObject
 *	memory       malloc_objects/count malloc_bytes/bytes                  profiler.Malloc
 *	mutex        contentions/count delay/nanoseconds                      jdk.JavaMonitorEnter
 *	block        contentions/count delay/nanoseconds                      jdk.ThreadPark
 *
 * Usage:
 *
 *	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
 *	o.start_nanos = start; o.end_nanos = end;
 *	jfr_profiles out;
 *	char *err;
 *	if (!jfr_convert(data, len, &o, &out, &err)) { log(err); free(err); return; }
 *	for (size_t i = 0; i < out.count; i++)
 *		pprof_encode(out.items[i].builder, &buf);  // send as __name__ = out.items[i].metric
 *	jfr_profiles_free(&out);
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/pprof.h"

typedef struct jfr_convert_options {
	/* Sampling rate of CPU and wall samples in Hz: each such sample is worth
	 * 1e9 / sample_rate nanoseconds (integer division; 0 gives 0). */
	int64_t sample_rate;
	/* The profiling window: becomes time_nanos and duration_nanos (end - start). */
	int64_t start_nanos;
	int64_t end_nanos;
	/* Add a root frame naming the sampled thread to every stack, so one
	 * flame graph splits by thread. */
	bool per_thread;
	/* Add a "[truncated]" frame at the root end of stacks the recorder cut. */
	bool truncated_frame;
} jfr_convert_options;

#define JFR_CONVERT_OPTIONS_INIT {100, 0, 0, false, false}

typedef struct jfr_profile {
	const char *metric; /* __name__: process_cpu, wall, memory, mutex or block */
	/* "<metric>_<type>__<unit>[ <type>__<unit>]", the order key of the list and
	 * the name Grafana's test data uses, e.g. "memory_live__count". */
	const char *name;
	size_t nsample_types;
	const char *sample_types[2];
	const char *sample_units[2];
	const char *period_type; /* NULL for malloc */
	const char *period_unit;
	pprof_builder *builder; /* owned by the jfr_profiles */
} jfr_profile;

typedef struct jfr_profiles {
	jfr_profile *items; /* sorted by name (bytewise) */
	size_t count;
	/* Value of the recording's last "event" setting (async-profiler's -e
	 * argument, e.g. "itimer", "cpu", "wall"), or NULL: Alloy sends it as the
	 * jfr_event label. */
	char *event;
	/* A non-fatal problem, e.g. an incomplete last chunk that was skipped; NULL if none. */
	char *warning;
	size_t chunks; /* complete chunks converted */
} jfr_profiles;

/*
 * Converts a whole recording. Returns false with *err (heap string: "jfr:
 * offset N: what", free() it) if the file is malformed; *out is then empty.
 * On success *out holds one profile per sample type that had events (a
 * recording with none gives count 0) and must be released with
 * jfr_profiles_free().
 */
bool jfr_convert(const uint8_t *data, size_t len, const jfr_convert_options *opts, jfr_profiles *out,
	char **err);
void jfr_profiles_free(jfr_profiles *p);

#endif
