#ifndef PJ_COMPONENTS_DISCOVERY_RELABEL_H
#define PJ_COMPONENTS_DISCOVERY_RELABEL_H

/*
 * discovery.relabel: rewrites `targets` with its `rule` blocks (spec 9) and
 * exports the survivors as `output`, plus the compiled rules as `rules`
 * (docs/discovery.relabel.md). Pure: everything happens in build and update.
 */

#include "relabel/relabel.h"
#include "runtime/component.h"
#include "syntax/value.h"

extern const pj_component_type pj_discovery_relabel_type;

/* The capsule type of the `rules` export; its payload is a relabel_rules (referenced). */
extern const pj_capsule_type pj_relabel_rules_capsule;

/* The rules inside a `rules` export value, or NULL when v is not one. Borrowed. */
const relabel_rules *pj_relabel_rules_of(const pj_value *v);

#endif
