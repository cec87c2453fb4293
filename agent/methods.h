/*
 * Names of sampled methods, resolved through JVMTI after sampling (never in
 * a signal handler) and cached for the life of the process so each
 * jmethodID is asked about once.
 */
#ifndef AG_METHODS_H
#define AG_METHODS_H

#include <jvmti.h>
#include <stdbool.h>

typedef struct ag_method {
	char *cls; /* internal form: java/util/ArrayList, [I */
	char *name;
	char *sig;
	jint modifiers;
	jvmtiLineNumberEntry *lines; /* sorted by start_location */
	jint nlines;
} ag_method;

/* Resolved method, or NULL when the id is stale or unknown. */
const ag_method *ag_method_get(jmethodID id);
/* Source line of `bci` in `m`; 0 without a line table. */
int ag_method_line(const ag_method *m, int bci);
/* Interned class name for a class reference (alloc/lock events), NULL on failure. */
const char *ag_class_name(jclass klass);

#endif
