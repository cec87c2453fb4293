#ifndef PJ_COMPONENTS_PUSH_PROTO_H
#define PJ_COMPONENTS_PUSH_PROTO_H

/*
 * The Pyroscope push API as pyroscope.write sends it and
 * pyroscope.receive_http accepts it: a Connect unary
 * push.v1.PusherService/Push call whose body is a bare PushRequest
 * (spec pyroscope-push-and-pprof.md sections 2 and 4).
 *
 *   PushRequest      { repeated RawProfileSeries series = 1; }
 *   RawProfileSeries { repeated LabelPair labels = 1; repeated RawSample samples = 2; }
 *   LabelPair        { string name = 1; string value = 2; }
 *   RawSample        { bytes raw_profile = 1; string ID = 2; }
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "runtime/receiver.h"
#include "syntax/value.h"

#define PJ_PUSH_PATH "/push.v1.PusherService/Push"
#define PJ_PUSH_CONTENT_TYPE "application/proto"

/*
 * Alloy's checks on a profile's labels before anything is sent: at least one,
 * no duplicate names, valid UTF-8 values, names other than __name__ made of
 * [A-Za-z0-9_.]. False + *err ("invalid labels in profile: ...") otherwise.
 */
bool pj_push_labels_check(const pj_label *labels, size_t n, char **err);

/*
 * The labels as they go on the wire: names starting with "__" are dropped
 * except __name__ and __delta__, then each external label (an object of
 * strings, or NULL) overwrites or, when empty, removes the label of that
 * name; the result is sorted by name. Returns a heap array (free() it) whose
 * strings are borrowed from labels and external.
 */
pj_label *pj_push_labels_prepare(const pj_label *labels, size_t n, const pj_value *external,
	size_t *out_n);

/* Appends a PushRequest with one series holding labels and samples. */
void pj_push_encode(const pj_label *labels, size_t nlabels, const pj_raw_sample *samples,
	size_t nsamples, pj_buf *out);

/* One decoded series; every string is NUL-terminated and valid only during the callback. */
typedef struct pj_push_series {
	pj_label *labels;
	size_t nlabels;
	pj_raw_sample *samples;
	size_t nsamples;
} pj_push_series;

typedef bool (*pj_push_series_fn)(void *ctx, const pj_push_series *series, char **err);

/*
 * Decodes a PushRequest and calls fn once per series, in order. Stops at the
 * first malformed field or failing callback: false + *err (heap).
 */
bool pj_push_decode(const void *data, size_t len, pj_push_series_fn fn, void *ctx, char **err);

#endif
