#ifndef PJ_RUNTIME_LOG_H
#define PJ_RUNTIME_LOG_H

/*
 * The process logger. Lines look like Alloy's so the same log pipelines and
 * greps work:
 *
 *   ts=2026-11-26T07:00:00.123456789Z level=info msg="profiling target" component_path=/ component_id=pyroscope.java.jvms pid=4242
 *
 * or, with format "json", one object per line with the same keys in the same
 * order. Every function is thread-safe; the level and format can change at any
 * time (the `logging` block is re-applied on every reload).
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "base/buf.h"

typedef enum pj_log_level {
	PJ_LOG_DEBUG,
	PJ_LOG_INFO,
	PJ_LOG_WARN,
	PJ_LOG_ERROR,
} pj_log_level;

typedef enum pj_log_format {
	PJ_LOG_LOGFMT,
	PJ_LOG_JSON,
} pj_log_format;

/*
 * Parses a `logging` block value. An empty string means the default (info,
 * logfmt). On failure returns false and sets *err (caller frees) to Alloy's
 * message: `unrecognized log level "x"` / `unrecognized log format "x"`.
 */
bool pj_log_parse_level(const char *s, pj_log_level *out, char **err);
bool pj_log_parse_format(const char *s, pj_log_format *out, char **err);
const char *pj_log_level_name(pj_log_level level);

/* Applies a new level and format; lines already written are not affected. */
void pj_log_configure(pj_log_level level, pj_log_format format);
/* Redirects output (NULL = stderr). The stream is not closed by the logger. */
void pj_log_set_output(FILE *out);
/* Replaces the clock used for `ts` (NULL = CLOCK_REALTIME); for tests. */
void pj_log_set_clock(void (*now)(struct timespec *ts));
bool pj_log_enabled(pj_log_level level);

/*
 * Logs `msg` with optional key/value pairs given as const char * arguments and
 * terminated by NULL. `component_id` (or NULL) adds component_path=/ and
 * component_id=<id> the way Alloy tags a component's logs. A NULL value prints
 * as an empty string.
 */
void pj_log(pj_log_level level, const char *component_id, const char *msg, ...)
	__attribute__((sentinel));
void pj_log_v(pj_log_level level, const char *component_id, const char *msg, va_list kv);

/*
 * Builder for lines whose values need formatting:
 *   pj_log_entry e;
 *   pj_log_begin(&e, PJ_LOG_WARN, id, "failed to profile");
 *   pj_log_kvf(&e, "pid", "%d", pid);
 *   pj_log_end(&e);
 * A disabled level makes every call after begin a no-op.
 */
typedef struct pj_log_entry {
	pj_log_level level;
	bool enabled;
	const char *component_id;
	const char *msg;
	pj_buf kv; /* NUL-separated key, value, key, value... */
} pj_log_entry;

void pj_log_begin(pj_log_entry *e, pj_log_level level, const char *component_id, const char *msg);
void pj_log_kv(pj_log_entry *e, const char *key, const char *value);
void pj_log_kvf(pj_log_entry *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pj_log_end(pj_log_entry *e);

/*
 * Log once per cause. A loop that fails every few seconds for the same reason
 * (a dead target, an unreachable server) should say so once, and again only
 * when the reason changes or after it has recovered in between.
 *
 * `key` names the thing that fails ("pid 4242", an endpoint URL); `cause` is
 * the error text. Keys live until cleared, so clear them when the thing goes
 * away (a target that disappears) as well as when it recovers.
 */
typedef struct pj_log_once pj_log_once;

pj_log_once *pj_log_once_new(void);
void pj_log_once_free(pj_log_once *o);
/* True when `cause` differs from the last one recorded for `key` (and records it). */
bool pj_log_once_should(pj_log_once *o, const char *key, const char *cause);
/* Forgets `key`; true if it had a recorded failure (callers may log the recovery). */
bool pj_log_once_clear(pj_log_once *o, const char *key);
/*
 * Logs `msg` with err=<cause> plus the NULL-terminated key/value pairs, if
 * pj_log_once_should() says so. Returns whether it logged.
 */
bool pj_log_once_log(pj_log_once *o, const char *key, const char *cause, pj_log_level level,
		     const char *component_id, const char *msg, ...) __attribute__((sentinel));

#endif
