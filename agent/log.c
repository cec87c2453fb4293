#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL = stdout */
static ag_level log_level = AG_LOG_INFO;

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "NONE"};

static void set_level(const char *name)
{
	for (int i = 0; i <= AG_LOG_NONE; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			log_level = (ag_level)i;
			return;
		}
	}
}

void ag_log_open(const char *path, const char *level)
{
	pthread_mutex_lock(&log_lock);
	if (level)
		set_level(level);
	if (log_file)
		fclose(log_file);
	log_file = path ? fopen(path, "a") : NULL;
	pthread_mutex_unlock(&log_lock);
}

void ag_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void ag_log(ag_level level, const char *fmt, ...)
{
	pthread_mutex_lock(&log_lock);
	if (level >= log_level && level < AG_LOG_NONE) {
		FILE *out = log_file ? log_file : stdout;
		va_list ap;
		va_start(ap, fmt);
		fprintf(out, "[%s] ", level_names[level]);
		vfprintf(out, fmt, ap);
		fputc('\n', out);
		fflush(out);
		va_end(ap);
	}
	pthread_mutex_unlock(&log_lock);
}
