/*
 * Symbol normalisation (see jfr_symbols.h). Each rule is an anchored pattern
 * matched by hand; the rules apply in order, each to the previous result.
 */
#include "profile/jfr_symbols.h"

#include <stdbool.h>
#include <string.h>

typedef struct jfr_cursor {
	const char *s;
	size_t n, i;
} jfr_cursor;

static bool jfr_lit(jfr_cursor *c, const char *lit)
{
	size_t k = strlen(lit);
	if (c->n - c->i < k || memcmp(c->s + c->i, lit, k) != 0)
		return false;
	c->i += k;
	return true;
}

static bool jfr_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool jfr_is_hex(char ch)
{
	return jfr_is_digit(ch) || (ch >= 'a' && ch <= 'f');
}

/* Consumes a run of chars matching `pred`; returns its length. */
static size_t jfr_run(jfr_cursor *c, bool (*pred)(char))
{
	size_t start = c->i;
	while (c->i < c->n && pred(c->s[c->i]))
		c->i++;
	return c->i - start;
}

static bool jfr_at_end(const jfr_cursor *c)
{
	return c->i == c->n;
}

/* `(\.?/tmp/)?` at the start, then the rest must match. */
static void jfr_skip_tmp(jfr_cursor *c)
{
	if (!jfr_lit(c, "/tmp/"))
		jfr_lit(c, "./tmp/");
}

/* `( \(deleted\))?$` */
static bool jfr_deleted_end(jfr_cursor *c)
{
	jfr_lit(c, " (deleted)");
	return jfr_at_end(c);
}

/*
 * Position of the last occurrence of mark[0..k) in s[1..n) (the patterns need
 * a character before it). Both marks start with '$', which most symbols lack.
 */
static bool jfr_last(const char *s, size_t n, const char *mark, size_t k, size_t *at)
{
	bool found = false;
	const char *end = s + n;
	for (const char *p = n > 1 ? memchr(s + 1, '$', n - 1) : NULL; p; p = memchr(p + 1, '$', (size_t)(end - p - 1))) {
		if ((size_t)(end - p) >= k && memcmp(p, mark, k) == 0) {
			*at = (size_t)(p - s);
			found = true;
		}
		if (end - p <= 1)
			break;
	}
	return found;
}

static bool jfr_match_accessor(const char *s, size_t n, size_t *keep)
{
	jfr_cursor c = {s, n, 0};
	if (!jfr_lit(&c, "jdk/internal/reflect/GeneratedMethodAccessor"))
		return false;
	*keep = c.i;
	return jfr_run(&c, jfr_is_digit) > 0 && jfr_at_end(&c);
}

/* `^(.+\$\$Lambda)(\$?\d*[./](0x)?[\da-f]+|\d+)$`; only the last "$$Lambda"
 * can match since the tail's alphabet has no 'L'. */
static bool jfr_match_lambda(const char *s, size_t n, size_t *keep)
{
	static const char mark[] = "$$Lambda";
	const size_t k = sizeof(mark) - 1;
	size_t at;
	if (!jfr_last(s, n, mark, k, &at))
		return false;
	*keep = at + k;
	jfr_cursor c = {s, n, at + k};
	if (jfr_run(&c, jfr_is_digit) > 0 && jfr_at_end(&c))
		return true;
	c.i = at + k;
	jfr_lit(&c, "$");
	jfr_run(&c, jfr_is_digit);
	if (c.i >= n || (s[c.i] != '.' && s[c.i] != '/'))
		return false;
	c.i++;
	size_t tail = c.i;
	if (jfr_lit(&c, "0x") && jfr_run(&c, jfr_is_hex) > 0 && jfr_at_end(&c))
		return true;
	c.i = tail;
	return jfr_run(&c, jfr_is_hex) > 0 && jfr_at_end(&c);
}

static bool jfr_version_part(jfr_cursor *c, const char *sep)
{
	return jfr_run(c, jfr_is_digit) > 0 && jfr_lit(c, sep);
}

static bool jfr_match_zstd(const char *s, size_t n)
{
	jfr_cursor c = {s, n, 0};
	jfr_skip_tmp(&c);
	return jfr_lit(&c, "libzstd-jni-") && jfr_version_part(&c, ".") && jfr_version_part(&c, ".") &&
	       jfr_version_part(&c, "-") && jfr_version_part(&c, ".so") && jfr_deleted_end(&c);
}

static bool jfr_match_corretto(const char *s, size_t n)
{
	jfr_cursor c = {s, n, 0};
	jfr_skip_tmp(&c);
	jfr_lit(&c, "lib");
	if (!jfr_lit(&c, "amazonCorrettoCryptoProvider"))
		return false;
	jfr_lit(&c, "NativeLibraries.");
	size_t start = c.i;
	while (c.i < n && c.i - start < 16 && jfr_is_hex(s[c.i]))
		c.i++;
	if (c.i - start != 16)
		return false;
	if (!jfr_lit(&c, "/libcrypto"))
		jfr_lit(&c, "/libamazonCorrettoCryptoProvider");
	return jfr_lit(&c, ".so") && jfr_deleted_end(&c);
}

static bool jfr_match_async_profiler(const char *s, size_t n)
{
	static const char *platforms[] = {"linux-arm64-", "linux-musl-x64-", "linux-x64-", "macos-"};
	jfr_cursor c = {s, n, 0};
	jfr_skip_tmp(&c);
	if (!jfr_lit(&c, "libasyncProfiler-"))
		return false;
	size_t at = c.i;
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		c.i = at;
		if (jfr_lit(&c, platforms[i]) && jfr_lit(&c, "17b9a1d8156277a98ccc871afa9a8f69215f92.so"))
			return jfr_deleted_end(&c);
	}
	return false;
}

/* `^(.+\$\$EnhancerBySpringCGLIB\$\$).*$`: returns the length to keep. */
static bool jfr_match_cglib(const char *s, size_t n, size_t *keep)
{
	static const char mark[] = "$$EnhancerBySpringCGLIB$$";
	const size_t k = sizeof(mark) - 1;
	size_t at;
	if (!jfr_last(s, n, mark, k, &at))
		return false;
	*keep = at + k;
	return true;
}

void jfr_normalize_symbol(const char *s, size_t n, pj_buf *out)
{
	size_t start = out->len, keep;
	if (jfr_match_accessor(s, n, &keep) || jfr_match_lambda(s, n, &keep)) {
		pj_buf_append(out, s, keep);
		pj_buf_putc(out, '_');
	} else {
		pj_buf_append(out, s, n);
	}
	if (out->len == start)
		return;
	if (jfr_match_cglib(out->data + start, out->len - start, &keep)) {
		out->len = start + keep;
		pj_buf_putc(out, '_');
		return; /* ends in "_": none of the library rules can match */
	}
	const char *r = out->data + start;
	size_t rn = out->len - start;
	const char *lib = NULL;
	if (jfr_match_zstd(r, rn))
		lib = "libzstd-jni-_.so";
	else if (jfr_match_corretto(r, rn))
		lib = "libamazonCorrettoCryptoProvider_.so";
	else if (jfr_match_async_profiler(r, rn))
		lib = "libasyncProfiler-_.so";
	if (lib) {
		out->len = start;
		pj_buf_puts(out, lib);
	}
}
