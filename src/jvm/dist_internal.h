#ifndef PJ_JVM_DIST_INTERNAL_H
#define PJ_JVM_DIST_INTERNAL_H

#include "jvm/dist.h"

struct pj_dist {
	bool official;
	struct {
		char *lib_path; /* NULL: no build for this libc */
		uint8_t *lib_data;
		size_t lib_len;
	} flavour[2]; /* indexed by pj_libc */
};

#endif
