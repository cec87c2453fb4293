#ifndef PJ_COMPONENTS_REGISTRY_H
#define PJ_COMPONENTS_REGISTRY_H

/* Registers every built-in component type (the one place a new component is listed). */

#include <stdbool.h>

#include "runtime/component.h"

/* False if a name was already taken. */
bool pj_components_register_all(pj_registry *r);

#endif
