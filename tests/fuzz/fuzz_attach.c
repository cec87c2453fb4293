/*
 * Fuzzes what the attach client parses from outside: the JVM's reply, the
 * `load` reply body and /proc texts of a process that may be hostile (a
 * container can name itself anything). The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jvm/attach_proto.h"
#include "jvm/proc_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	/* The /proc parsers take NUL-terminated text, as pj_proc_read returns it. */
	char *copy = malloc(len + 1);
	if (!copy)
		return 0;
	memcpy(copy, text, len);
	copy[len] = '\0';
	int status, rc;
	size_t off;
	pj_proc_status st;
	unsigned long long start;
	char path[64];
	switch (data[0] % 5) {
	case 0:
		if (pj_attach_parse_reply(text, len, &status, &off) == 0 && off > len)
			abort();
		break;
	case 1:
		pj_attach_parse_load_body(text, len, &rc);
		pj_attach_parse_version(text, len);
		break;
	case 2:
		pj_proc_parse_status(copy, &st);
		pj_proc_parse_start_time(copy, &start);
		break;
	case 3:
		pj_proc_maps_find(copy, "libjvm", path, sizeof(path));
		break;
	default:
		pj_proc_attach_disabled(text, len, text, len);
		break;
	}
	free(copy);
	return 0;
}
