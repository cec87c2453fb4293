#ifndef PJ_RUNTIME_RECEIVER_H
#define PJ_RUNTIME_RECEIVER_H

/*
 * Profile receivers: what `forward_to` lists hold. A receiver is a capsule
 * value of type "pyroscope.Appendable" (Alloy's docs call it
 * ProfilesReceiver) wrapping a pj_appendable owned by the exporting
 * component, e.g. pyroscope.write's `receiver` export.
 *
 * The owner embeds a pj_appendable in its own struct, fills in append and
 * release, and exports pj_appendable_value(). Each capsule holds a reference;
 * release runs when the last one goes, so a sender that still holds an old
 * receiver value after an update can keep appending safely.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/schema.h"
#include "syntax/value.h"

#define PJ_APPENDABLE_TYPE "pyroscope.Appendable"

/* One series label. */
typedef struct pj_label {
	const char *name;
	const char *value;
} pj_label;

/* One profile of a series: a pprof Profile message (gzipped or not) and its ID. */
typedef struct pj_raw_sample {
	const void *data;
	size_t len;
	const char *id; /* may be NULL or "" */
} pj_raw_sample;

typedef struct pj_appendable pj_appendable;

struct pj_appendable {
	/*
	 * Delivers one series: labels (any order, not deduplicated) and one or
	 * more samples. Called from any thread, possibly concurrently; blocks
	 * until delivered or failed. false + *err (heap) on failure. The data is
	 * borrowed for the duration of the call.
	 */
	bool (*append)(pj_appendable *self, const pj_label *labels, size_t nlabels,
		const pj_raw_sample *samples, size_t nsamples, char **err);
	/* Called once when the last reference is dropped; frees the owner's struct. */
	void (*release)(pj_appendable *self);
	atomic_int refs; /* set by pj_appendable_init */
};

/* The capsule type of receivers, for schemas: list(capsule("pyroscope.Appendable")). */
extern const pj_capsule_type pj_appendable_capsule;
extern const pj_type pj_type_receiver;
extern const pj_type pj_type_receiver_list;

/* Starts the owner's reference (1). */
void pj_appendable_init(pj_appendable *a);
void pj_appendable_ref(pj_appendable *a);
void pj_appendable_unref(pj_appendable *a);

/* A new capsule value holding a reference to a. */
pj_value *pj_appendable_value(pj_appendable *a);
/* The receiver inside a capsule value, or NULL if v is not one (borrowed). */
pj_appendable *pj_appendable_from(const pj_value *v);

/* Appends to every receiver in a list value; returns false if any failed (errors joined by "; "). */
bool pj_appendable_append_all(const pj_value *receivers, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples, char **err);

#endif
