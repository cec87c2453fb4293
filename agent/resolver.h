/*
 * Resolves the names of freshly sampled methods a few times a second, so
 * that a dump minutes later finds them cached instead of asking JVMTI about
 * jmethodIDs whose classes may have been unloaded meanwhile (a crash in
 * GetMethodDeclaringClass on JDK 8-17, JDK-8268364).
 */
#ifndef AG_RESOLVER_H
#define AG_RESOLVER_H

#include <stdbool.h>

bool ag_resolver_start(void);
void ag_resolver_stop(void);

#endif
