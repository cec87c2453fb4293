/* Receiver capsules: reference counting and fan-out. */
#include "runtime/receiver.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

static void pj_appendable_retain_ptr(void *ptr)
{
	pj_appendable_ref(ptr);
}

static void pj_appendable_release_ptr(void *ptr)
{
	pj_appendable_unref(ptr);
}

const pj_capsule_type pj_appendable_capsule = {
	PJ_APPENDABLE_TYPE,
	pj_appendable_retain_ptr,
	pj_appendable_release_ptr,
};

const pj_type pj_type_receiver = {PJ_TYPE_CAPSULE, NULL, PJ_APPENDABLE_TYPE};
const pj_type pj_type_receiver_list = {PJ_TYPE_LIST, &pj_type_receiver, NULL};

void pj_appendable_init(pj_appendable *a)
{
	atomic_init(&a->refs, 1);
}

void pj_appendable_ref(pj_appendable *a)
{
	atomic_fetch_add(&a->refs, 1);
}

void pj_appendable_unref(pj_appendable *a)
{
	if (a && atomic_fetch_sub(&a->refs, 1) == 1 && a->release)
		a->release(a);
}

pj_value *pj_appendable_value(pj_appendable *a)
{
	return pj_capsule(&pj_appendable_capsule, a);
}

pj_appendable *pj_appendable_from(const pj_value *v)
{
	if (!v || pj_value_kind(v) != PJ_CAPSULE || pj_capsule_type_of(v) != &pj_appendable_capsule)
		return NULL;
	return pj_capsule_ptr(v);
}

bool pj_appendable_append_all(const pj_value *receivers, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples, char **err)
{
	pj_buf errors = PJ_BUF_INIT;
	size_t n = receivers && pj_value_kind(receivers) == PJ_ARRAY ? pj_array_len(receivers) : 0;
	for (size_t i = 0; i < n; i++) {
		pj_appendable *a = pj_appendable_from(pj_array_get(receivers, i));
		char *e = NULL;
		if (!a || a->append(a, labels, nlabels, samples, nsamples, &e))
			continue;
		if (errors.len)
			pj_buf_puts(&errors, "; ");
		pj_buf_puts(&errors, e ? e : "append failed");
		free(e);
	}
	if (errors.len == 0)
		return true;
	*err = pj_buf_detach(&errors);
	return false;
}
