#include "base/base64.h"

#include <stdint.h>

const char pj_base64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char pj_base64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void pj_base64_encode(pj_buf *out, const void *data, size_t len, const char *alphabet)
{
	const unsigned char *s = data;
	if (len == 0)
		return;
	pj_buf_reserve(out, (len + 2) / 3 * 4);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		char q[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
		if (i + 1 >= len)
			q[2] = '=';
		if (i + 2 >= len)
			q[3] = '=';
		pj_buf_append(out, q, 4);
	}
}
