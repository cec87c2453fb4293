/* Inflates arbitrary input the way `pyrojava convert` does with a gzipped recording. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "profile/gunzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pj_buf out = PJ_BUF_INIT;
	char *err = NULL;
	bool ok = gunzip_buf(data, size, 1 << 20, &out, &err);
	if (ok == (err != NULL) || out.len > (1 << 20))
		abort();
	free(err);
	pj_buf_free(&out);
	return 0;
}
