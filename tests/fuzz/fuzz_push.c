/*
 * Fuzzes what pyroscope.receive_http and pyroscope.file parse from the
 * network: push requests, pprof headers and pprof folding. A decoded series is encoded
 * again and must decode to the same labels and samples.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "components/push_proto.h"
#include "components/pyroscope_file.h"
#include "profile/pprof_fold.h"

static bool same_series(void *ctx, const pj_push_series *s, char **err)
{
	(void)err;
	const pj_push_series *want = ctx;
	if (s->nlabels != want->nlabels || s->nsamples != want->nsamples)
		abort();
	for (size_t i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].name, want->labels[i].name) || strcmp(s->labels[i].value, want->labels[i].value))
			abort();
	}
	for (size_t i = 0; i < s->nsamples; i++) {
		if (s->samples[i].len != want->samples[i].len ||
			memcmp(s->samples[i].data, want->samples[i].data, s->samples[i].len))
			abort();
	}
	return true;
}

static bool round_trip(void *ctx, const pj_push_series *s, char **err)
{
	(void)ctx;
	pj_buf again = PJ_BUF_INIT, type = PJ_BUF_INIT;
	pj_push_encode(s->labels, s->nlabels, s->samples, s->nsamples, &again);
	/* Labels with embedded NULs are cut by the decoder's C strings; compare only clean ones. */
	bool ok = pj_push_decode(again.data, again.len, same_series, (void *)s, err);
	for (size_t i = 0; i < s->nsamples; i++)
		pj_pprof_first_sample_type(s->samples[i].data, s->samples[i].len, &type);
	pj_buf_free(&again);
	pj_buf_free(&type);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	if (!pj_push_decode(data, size, round_trip, NULL, &err))
		free(err);
	pj_buf type = PJ_BUF_INIT, folded = PJ_BUF_INIT;
	pj_pprof_first_sample_type(data, size, &type);
	pprof_fold(data, size, 1 << 20, &folded);
	pj_buf_free(&type);
	pj_buf_free(&folded);
	return 0;
}
