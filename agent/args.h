/*
 * The agent option string: async-profiler's comma-separated `key[=value]`
 * list (spec jvm-agent-and-attach.md C.1/C.2). Parsing is pure: no JVM, no
 * globals, so the unit tests compile this file on its own.
 */
#ifndef AG_ARGS_H
#define AG_ARGS_H

#include <stdbool.h>

typedef enum ag_action {
	AG_ACTION_NONE,
	AG_ACTION_START,
	AG_ACTION_RESUME,
	AG_ACTION_STOP,
	AG_ACTION_DUMP,
	AG_ACTION_CHECK,
	AG_ACTION_STATUS,
	AG_ACTION_VERSION,
} ag_action;

typedef enum ag_output {
	AG_OUTPUT_NONE,
	AG_OUTPUT_TEXT,
	AG_OUTPUT_COLLAPSED,
	AG_OUTPUT_FLAMEGRAPH,
	AG_OUTPUT_TREE,
	AG_OUTPUT_JFR,
} ag_output;

/* Unit tables of async-profiler's parseUnits (spec C.1). */
typedef enum ag_units {
	AG_UNITS_NANOS,
	AG_UNITS_BYTES,
	AG_UNITS_SECONDS,
	AG_UNITS_UNIVERSAL,
} ag_units;

#define AG_DEFAULT_INTERVAL 10000000L /* 10 ms of CPU time */
#define AG_DEFAULT_WALL_INTERVAL 50000000L
#define AG_DEFAULT_ALLOC 524287L
#define AG_DEFAULT_LOCK 10000L
#define AG_DEFAULT_JSTACKDEPTH 2048

typedef struct ag_args {
	char *buf; /* owned copy of the option string; the pointers below point into it */
	char *file_buf; /* owned expansion of a file= pattern */
	ag_action action;
	ag_output output;
	const char *event; /* the CPU-type event (cpu, itimer, wall, ...), NULL if none */
	long interval; /* 0 = the engine's default */
	long wall; /* wall-clock interval next to a CPU event; -1 = off */
	long alloc; /* -1 = off */
	long lock; /* -1 = off */
	long timeout; /* seconds until auto-stop; 0 = none */
	int jstackdepth;
	const char *file; /* with %p, %t and %{VAR} expanded */
	const char *log;
	const char *loglevel;
	const char *cstack; /* native stack walking: "no" = off; anything else walks frame pointers */
	bool threads;
	bool quiet;
	bool force; /* start even on JDK updates with known AsyncGetCallTrace crashes */
	const char *unknown; /* first unknown key, reported as a warning */
	const char *error; /* async-profiler's message for the first malformed option */
} ag_args;

/*
 * Parses `options` (NULL = empty). Returns false with args->error set when an
 * option is malformed; every option is still read so that `log=` applies to
 * the error. `now` (seconds since the epoch) anchors `timeout=hh:mm:ss`.
 */
bool ag_args_parse(ag_args *args, const char *options, long now);
void ag_args_free(ag_args *args);

/* async-profiler's parseUnits: -1 when the number or its suffix is invalid. */
long ag_parse_units(const char *s, ag_units units);

/* Seconds from `now` until a `timeout=` value: N[smhd] or wall-clock hh:mm[:ss]. */
long ag_parse_timeout(const char *s, long now);

#endif
