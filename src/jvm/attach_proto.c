/* HotSpot attach request encoding and reply parsing; see attach_proto.h. */
#include "jvm/attach_proto.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

const char pj_attach_getversion_request[] = "1\0getversion\0options\0\0";
/* The literal's own terminating NUL ends the third (empty) argument. */
const size_t pj_attach_getversion_request_len = sizeof(pj_attach_getversion_request);

bool pj_attach_needs_v2(const char *const *args, size_t nargs)
{
	for (size_t i = 0; i < nargs; i++)
		if (args[i] && strlen(args[i]) > PJ_ATTACH_V1_MAX_ARG)
			return true;
	return false;
}

static void put_string(pj_buf *out, const char *s)
{
	pj_buf_append(out, s ? s : "", s ? strlen(s) + 1 : 1);
}

static int encode_v1(pj_buf *out, const char *cmd, const char *const *args, size_t nargs)
{
	if (strlen(cmd) > PJ_ATTACH_V1_MAX_NAME)
		return -E2BIG;
	for (size_t i = 0; i < nargs; i++)
		if (args[i] && strlen(args[i]) > PJ_ATTACH_V1_MAX_ARG)
			return -E2BIG;
	put_string(out, "1");
	put_string(out, cmd);
	for (size_t i = 0; i < PJ_ATTACH_MAX_ARGS; i++)
		put_string(out, i < nargs ? args[i] : NULL);
	return 0;
}

static int encode_v2(pj_buf *out, const char *cmd, const char *const *args, size_t nargs)
{
	size_t size = strlen(cmd) + 1;
	for (size_t i = 0; i < nargs; i++)
		size += (args[i] ? strlen(args[i]) : 0) + 1;
	/* The version and size strings are part of the request HotSpot caps. */
	if (size > PJ_ATTACH_V2_MAX_REQUEST - 16)
		return -E2BIG;
	put_string(out, "2");
	pj_buf_printf(out, "%zu", size);
	pj_buf_putc(out, '\0');
	put_string(out, cmd);
	for (size_t i = 0; i < nargs; i++)
		put_string(out, args[i]);
	return 0;
}

int pj_attach_encode(pj_buf *out, int version, const char *cmd, const char *const *args,
		     size_t nargs)
{
	if (nargs > PJ_ATTACH_MAX_ARGS || !cmd || !*cmd)
		return -EINVAL;
	if (version == 1)
		return encode_v1(out, cmd, args, nargs);
	if (version == 2)
		return encode_v2(out, cmd, args, nargs);
	return -EINVAL;
}

/* Parses an optionally negative decimal int at s[0..len); returns chars used, 0 if none. */
static size_t parse_int(const char *s, size_t len, int *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	size_t digits = i;
	long long v = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return 0;
		i++;
	}
	if (i == digits)
		return 0;
	*out = (int)(neg ? -v : v);
	return i;
}

int pj_attach_parse_reply(const char *reply, size_t len, int *status, size_t *body_offset)
{
	size_t n = parse_int(reply, len, status);
	if (n == 0)
		return -1;
	if (n == len) {
		*body_offset = len;
		return 0;
	}
	if (reply[n] != '\n')
		return -1;
	*body_offset = n + 1;
	return 0;
}

/* True when s[0..len) is only an int and optional trailing whitespace. */
static bool is_number_line(const char *s, size_t len, int *out)
{
	size_t n = parse_int(s, len, out);
	if (n == 0)
		return false;
	for (; n < len; n++)
		if (s[n] != '\n' && s[n] != '\r' && s[n] != ' ')
			return false;
	return true;
}

bool pj_attach_parse_load_body(const char *body, size_t len, int *agent_rc)
{
	static const char prefix[] = "return code: ";
	const size_t plen = sizeof(prefix) - 1;
	if (len >= plen && memcmp(body, prefix, plen) == 0)
		return is_number_line(body + plen, len - plen, agent_rc);
	return is_number_line(body, len, agent_rc);
}

int pj_attach_parse_version(const char *reply, size_t len)
{
	int status, version;
	size_t off;
	if (pj_attach_parse_reply(reply, len, &status, &off) != 0 || status != 0)
		return 1;
	if (parse_int(reply + off, len - off, &version) == 0 || version < 2)
		return 1;
	return version;
}
