/*
 * Agent messages, async-profiler style: "[LEVEL] text" lines to the `log=`
 * file of the current command, or the JVM's standard output without one.
 */
#ifndef AG_LOG_H
#define AG_LOG_H

typedef enum ag_level {
	AG_LOG_TRACE,
	AG_LOG_DEBUG,
	AG_LOG_INFO,
	AG_LOG_WARN,
	AG_LOG_ERROR,
	AG_LOG_NONE,
} ag_level;

/* Directs messages to `path` (NULL = stdout) until ag_log_close(). */
void ag_log_open(const char *path, const char *level);
void ag_log_close(void);
void ag_log(ag_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
