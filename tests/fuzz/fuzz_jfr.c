/*
 * libFuzzer harness for the JFR reader and the JFR -> pprof conversion: any
 * input must give a result or an error, never a crash, a hang or a leak.
 * Besides jfr_convert() it walks every event and decodes every string field,
 * so reader paths the conversion does not need are covered too, and checks
 * that the conversion's fast path, jfr_reader_scan(), sees exactly the
 * events, values and errors of that walk (a difference aborts).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "profile/jfr_pprof.h"
#include "profile/jfr_reader.h"
#include "../unit/jfr_scan_check.h"

#define FUZZ_FIELDS 32

static void fuzz_event_strings(jfr_reader *r, const jfr_event *ev)
{
	jfr_value v[FUZZ_FIELDS];
	if (!jfr_reader_decode(r, ev->cls, ev->body, ev->end, v, FUZZ_FIELDS, NULL))
		return;
	int32_t string_cls = jfr_reader_class(r, "java.lang.String");
	size_t n = jfr_reader_field_count(r, ev->cls);
	for (size_t i = 0; i < n && i < FUZZ_FIELDS; i++) {
		jfr_str s;
		int32_t f = (int32_t)i;
		if (jfr_reader_field_type(r, ev->cls, f) == string_cls && !jfr_reader_field_is_array(r, ev->cls, f) &&
			!jfr_reader_field_is_cpool(r, ev->cls, f) && !jfr_reader_string(r, v[i].pos, &s))
			return;
	}
}

static void fuzz_walk(const uint8_t *data, size_t size)
{
	jfr_reader *r = jfr_reader_new(data, size);
	int rc;
	while ((rc = jfr_reader_next_chunk(r)) > 0) {
		jfr_event ev;
		while ((rc = jfr_reader_next_event(r, &ev)) > 0) {
			if (ev.cls >= 0)
				fuzz_event_strings(r, &ev);
		}
		if (rc < 0)
			break;
	}
	jfr_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_walk(data, size);
	jfr_scan_check check;
	if (!jfr_scan_agrees(data, size, &check)) {
		fprintf(stderr, "fuzz_jfr: jfr_reader_scan() disagrees with the record walk: %s\n", check.why);
		abort();
	}
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.per_thread = size & 1;
	o.truncated_frame = true;
	jfr_profiles out;
	char *err;
	if (!jfr_convert(data, size, &o, &out, &err)) {
		free(err);
		return 0;
	}
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < out.count; i++)
		pprof_write_collapsed(out.items[i].builder, &b);
	pj_buf_free(&b);
	jfr_profiles_free(&out);
	return 0;
}
