/*
 * Fuzzes the log line writer and the metrics number format with arbitrary
 * bytes: whatever a process command line or an error text holds, a log line
 * must stay one line of valid UTF-8 without raw control characters, and a
 * metric value must read back as the same number.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/goquote.h"
#include "base/utf8.h"
#include "runtime/log.h"
#include "runtime/metrics.h"

static void fixed_clock(struct timespec *ts)
{
	ts->tv_sec = 1795676400;
	ts->tv_nsec = 1;
}

static void check_line(const char *line, size_t len)
{
	if (len == 0 || line[len - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < len;) {
		int32_t r;
		size_t n = pj_utf8_rune(line + i, len - 1 - i, &r);
		if (n == 0 || r < 0x20)
			abort();
		i += n;
	}
}

static void check_float(const uint8_t *data, size_t size)
{
	double v;
	if (size < sizeof(v))
		return;
	memcpy(&v, data, sizeof(v));
	pj_buf b = PJ_BUF_INIT;
	pj_metrics_format_float(&b, v);
	const char *s = pj_buf_cstr(&b);
	double back = strcmp(s, "+Inf") == 0 ? INFINITY : strtod(s, NULL);
	if (!isnan(v) && back != v)
		abort();
	pj_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	check_float(data + 1, size - 1);
	/* First byte: format; the rest splits at the first NUL into key and value. */
	char *key = pj_strndup((const char *)data + 1, size - 1);
	size_t klen = strlen(key);
	char *value = pj_strndup((const char *)data + 1 + klen + (klen < size - 1),
				 size - 1 - klen - (klen < size - 1));
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	if (f == NULL)
		abort();
	pj_log_set_output(f);
	pj_log_set_clock(fixed_clock);
	pj_log_configure(PJ_LOG_DEBUG, data[0] & 1 ? PJ_LOG_JSON : PJ_LOG_LOGFMT);
	pj_log(PJ_LOG_INFO, value, value, key, value, NULL);
	pj_log_set_output(NULL);
	fclose(f);
	check_line(out, out_len);
	free(out);
	free(key);
	free(value);
	return 0;
}
