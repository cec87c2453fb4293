#ifndef PJ_COMPONENTS_PYROSCOPE_JAVA_H
#define PJ_COMPONENTS_PYROSCOPE_JAVA_H

/*
 * pyroscope.java: profiles every target JVM with the embedded agent and
 * forwards the profiles (docs/components/pyroscope.java.md). What the files
 * share is in pyroscope_java_internal.h.
 */

#include "runtime/component.h"

extern const pj_component_type pj_pyroscope_java_type;

#endif
