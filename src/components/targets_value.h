#ifndef PJ_COMPONENTS_TARGETS_VALUE_H
#define PJ_COMPONENTS_TARGETS_VALUE_H

/*
 * The one bridge between discovery targets as configuration values
 * (list(map(string)), what `targets`, `join` and `output` hold) and the
 * engines' pj_targets. Conversion rules and messages are those of
 * pj_type_targets (spec 3.2): numbers and bools become text, a secret or a
 * null label value is refused with Alloy's target::ConvertFrom messages.
 * An empty value means an absent label, so it does not survive the trip.
 *
 * Profile series labels (runtime/receiver.h) are a different type on purpose:
 * they travel with samples to pyroscope.write and never become targets here.
 */

#include <stdbool.h>

#include "relabel/labels.h"
#include "syntax/value.h"

/*
 * Appends the targets in v to out. null is an empty list. Returns false and
 * sets *err (caller frees) when v is not a valid target list; out is then
 * left as it was.
 */
bool pj_targets_from_value(const pj_value *v, pj_targets *out, char **err);

/* A new array of objects, one per target, keys in label order. */
pj_value *pj_targets_to_value(const pj_targets *t);

#endif
