/*
 * The standard library namespace (spec section 4) and the builtins that are
 * not about strings or JSON: sys, coalesce, array, convert, constants, file.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/alloc.h"
#include "syntax/eval.h"
#include "syntax/internal.h"
#include "syntax/stdlib.h"

static _Thread_local pj_blame pj_current_blame;

void pj_blame_reset(void)
{
	memset(&pj_current_blame, 0, sizeof(pj_current_blame));
}

void pj_blame_arg(size_t arg)
{
	pj_current_blame = (pj_blame){.set = true, .arg = arg};
}

void pj_blame_elem(size_t arg, size_t elem)
{
	pj_current_blame = (pj_blame){.set = true, .arg = arg, .has_elem = true, .elem = elem};
}

pj_blame pj_blame_get(void)
{
	return pj_current_blame;
}

bool pj_check_arity(size_t nargs, size_t want, bool variadic, char **err)
{
	if (variadic && nargs < want) {
		*err = pj_asprintf("expected at least %zu args, got %zu", want, nargs);
		return false;
	}
	if (!variadic && nargs != want) {
		*err = pj_asprintf("expected %zu args, got %zu", want, nargs);
		return false;
	}
	return true;
}

pj_value *pj_arg_string(const pj_value *arg, size_t index, char **err)
{
	pj_value *s = pj_convert_string(arg, err);
	if (!s)
		pj_blame_arg(index);
	return s;
}

pj_value *pj_arg_string_list(const pj_value *arg, size_t index, char **err)
{
	if (pj_value_kind(arg) == PJ_NULL)
		return pj_array_new(0);
	if (pj_value_kind(arg) != PJ_ARRAY) {
		*err = pj_asprintf("should be array, got %s", pj_value_type_name(arg));
		pj_blame_arg(index);
		return NULL;
	}
	size_t n = pj_array_len(arg);
	pj_value *out = pj_array_new(n);
	for (size_t i = 0; i < n; i++) {
		pj_value *s = pj_convert_string(pj_array_get(arg, i), err);
		if (!s) {
			pj_blame_elem(index, i);
			pj_value_unref(out);
			return NULL;
		}
		pj_array_push(out, s);
	}
	return out;
}

static PJ_BUILTIN(pj_std_env)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *name = pj_arg_string(args[0], 0, err);
	if (!name)
		return NULL;
	const char *v = getenv(pj_value_str(name, NULL));
	pj_value_unref(name);
	return pj_cstring(v ? v : "");
}

/* Go's reflect.Value.IsZero plus coalesce's own rule that empty arrays and objects are skipped. */
static bool pj_is_zero(const pj_value *v)
{
	size_t len;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		return true;
	case PJ_BOOL:
		return !pj_value_bool(v);
	case PJ_NUMBER:
		if (pj_value_numkind(v) == PJ_NUM_FLOAT) {
			double f = pj_value_float(v);
			uint64_t bits;
			memcpy(&bits, &f, sizeof(bits));
			return bits == 0; /* -0.0 is not Go's zero value */
		}
		return pj_value_uint(v) == 0;
	case PJ_STRING:
	case PJ_SECRET:
		pj_value_str(v, &len);
		return len == 0;
	case PJ_ARRAY:
		return pj_array_len(v) == 0;
	case PJ_OBJECT:
		return pj_object_len(v) == 0;
	default:
		return false;
	}
}

static PJ_BUILTIN(pj_std_coalesce)
{
	(void)err;
	if (nargs == 0)
		return pj_null();
	for (size_t i = 0; i < nargs; i++) {
		if (!pj_is_zero(args[i]))
			return pj_value_ref(args[i]);
	}
	return pj_value_ref(args[nargs - 1]);
}

static PJ_BUILTIN(pj_std_concat)
{
	size_t total = 0;
	for (size_t i = 0; i < nargs; i++) {
		if (pj_value_kind(args[i]) != PJ_ARRAY) {
			*err = pj_asprintf("should be array, got %s", pj_value_type_name(args[i]));
			pj_blame_arg(i);
			return NULL;
		}
		total += pj_array_len(args[i]);
	}
	if (nargs == 1)
		return pj_value_ref(args[0]);
	pj_value *out = pj_array_new(total);
	for (size_t i = 0; i < nargs; i++) {
		for (size_t j = 0; j < pj_array_len(args[i]); j++)
			pj_array_push(out, pj_value_ref(pj_array_get(args[i], j)));
	}
	return out;
}

static PJ_BUILTIN(pj_std_nonsensitive)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *secret = pj_convert_secret(args[0], err);
	if (!secret) {
		pj_blame_arg(0);
		return NULL;
	}
	size_t len;
	const char *s = pj_value_str(secret, &len);
	pj_value *out = pj_string(s, len);
	pj_value_unref(secret);
	return out;
}

/* Go's path.Clean on the joined text: no empty, "." or resolvable ".." elements. */
static void pj_clean_path(pj_buf *out, const char *p, size_t len)
{
	bool rooted = len && p[0] == '/';
	size_t base = rooted ? 1 : 0; /* ".." may not climb above here */
	if (rooted)
		pj_buf_putc(out, '/');
	size_t i = 0;
	while (i < len) {
		while (i < len && p[i] == '/')
			i++;
		size_t start = i;
		while (i < len && p[i] != '/')
			i++;
		size_t n = i - start;
		if (n == 0 || (n == 1 && p[start] == '.'))
			continue;
		if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
			if (out->len > base) {
				/* Drop the last element unless it is itself an unresolvable "..". */
				char *last = memrchr(out->data + base, '/', out->len - base);
				size_t from = last ? (size_t)(last - out->data) + 1 : base;
				if (!(out->len - from == 2 && memcmp(out->data + from, "..", 2) == 0)) {
					out->len = last ? (size_t)(last - out->data) : base;
					out->data[out->len] = '\0';
					continue;
				}
			} else if (rooted) {
				continue;
			}
		}
		if (out->len > base)
			pj_buf_putc(out, '/');
		pj_buf_append(out, p + start, n);
	}
	if (out->len == 0)
		pj_buf_putc(out, '.');
}

static PJ_BUILTIN(pj_std_path_join)
{
	pj_buf joined = PJ_BUF_INIT;
	for (size_t i = 0; i < nargs; i++) {
		pj_value *s = pj_arg_string(args[i], i, err);
		if (!s) {
			pj_buf_free(&joined);
			return NULL;
		}
		size_t len;
		const char *t = pj_value_str(s, &len);
		if (len) {
			if (joined.len)
				pj_buf_putc(&joined, '/');
			pj_buf_append(&joined, t, len);
		}
		pj_value_unref(s);
	}
	if (joined.len == 0)
		return pj_string("", 0);
	pj_buf clean = PJ_BUF_INIT;
	pj_clean_path(&clean, joined.data, joined.len);
	pj_buf_free(&joined);
	size_t n = clean.len;
	return pj_string_take(pj_buf_detach(&clean), n);
}

static const char *pj_go_arch(const char *machine)
{
	static const char *const map[][2] = {
		{"x86_64", "amd64"}, {"aarch64", "arm64"}, {"arm64", "arm64"}, {"i386", "386"},
		{"i486", "386"}, {"i586", "386"}, {"i686", "386"}, {"armv6l", "arm"}, {"armv7l", "arm"},
		{"armv8l", "arm"}, {"ppc64le", "ppc64le"}, {"ppc64", "ppc64"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"}, {"mips64", "mips64"}, {"loongarch64", "loong64"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i][0], machine) == 0)
			return map[i][1];
	}
	return machine;
}

/* Alloy prints its version as vX.Y.Z, or v0.0.0 when none was built in. */
static pj_value *pj_normalized_version(const char *version)
{
	while (*version == ' ')
		version++;
	if (*version == 'v')
		version++;
	if (!*version)
		return pj_cstring("v0.0.0");
	return pj_string_take(pj_asprintf("v%s", version), strlen(version) + 1);
}

static pj_value *pj_constants(void)
{
	pj_value *c = pj_object_new();
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	struct utsname u;
	const char *arch = uname(&u) == 0 ? pj_go_arch(u.machine) : "unknown";
	pj_object_set(c, "hostname", pj_cstring(host));
	pj_object_set(c, "os", pj_cstring("linux"));
	pj_object_set(c, "arch", pj_cstring(arch));
#ifdef PJ_VERSION
	pj_object_set(c, "version", pj_normalized_version(PJ_VERSION));
#else
	pj_object_set(c, "version", pj_normalized_version(""));
#endif
	return c;
}

typedef struct pj_stdlib_entry {
	const char *ns; /* NULL for the root */
	const char *name;
	pj_builtin_fn fn;
} pj_stdlib_entry;

static const pj_stdlib_entry pj_stdlib_entries[] = {
	{"sys", "env", pj_std_env},
	{"convert", "nonsensitive", pj_std_nonsensitive},
	{"array", "concat", pj_std_concat},
	{"encoding", "from_json", pj_std_from_json},
	{"encoding", "to_json", pj_std_to_json},
	{"encoding", "from_base64", pj_std_from_base64},
	{"encoding", "from_URLbase64", pj_std_from_urlbase64},
	{"encoding", "to_base64", pj_std_to_base64},
	{"encoding", "to_URLbase64", pj_std_to_urlbase64},
	{"encoding", "url_encode", pj_std_url_encode},
	{"encoding", "url_decode", pj_std_url_decode},
	{"file", "path_join", pj_std_path_join},
	{"string", "format", pj_std_format},
	{"string", "join", pj_std_join},
	{"string", "replace", pj_std_replace},
	{"string", "split", pj_std_split},
	{"string", "to_lower", pj_std_to_lower},
	{"string", "to_upper", pj_std_to_upper},
	{"string", "trim", pj_std_trim},
	{"string", "trim_prefix", pj_std_trim_prefix},
	{"string", "trim_suffix", pj_std_trim_suffix},
	{"string", "trim_space", pj_std_trim_space},
	{NULL, "coalesce", pj_std_coalesce},
	/* Deprecated root-level names, kept because old configs use them. */
	{NULL, "env", pj_std_env},
	{NULL, "nonsensitive", pj_std_nonsensitive},
	{NULL, "concat", pj_std_concat},
	{NULL, "json_decode", pj_std_from_json},
	{NULL, "base64_decode", pj_std_from_base64},
	{NULL, "format", pj_std_format},
	{NULL, "join", pj_std_join},
	{NULL, "replace", pj_std_replace},
	{NULL, "split", pj_std_split},
	{NULL, "to_lower", pj_std_to_lower},
	{NULL, "to_upper", pj_std_to_upper},
	{NULL, "trim", pj_std_trim},
	{NULL, "trim_prefix", pj_std_trim_prefix},
	{NULL, "trim_suffix", pj_std_trim_suffix},
	{NULL, "trim_space", pj_std_trim_space},
};

static pj_value *pj_stdlib_value;
static pthread_once_t pj_stdlib_once = PTHREAD_ONCE_INIT;

static void pj_stdlib_build(void)
{
	pj_value *root = pj_object_new();
	pj_object_set(root, "constants", pj_constants());
	for (size_t i = 0; i < sizeof(pj_stdlib_entries) / sizeof(pj_stdlib_entries[0]); i++) {
		const pj_stdlib_entry *e = &pj_stdlib_entries[i];
		pj_value *target = root;
		char *full = e->ns ? pj_asprintf("%s.%s", e->ns, e->name) : pj_strdup(e->name);
		if (e->ns) {
			target = (pj_value *)pj_object_get(root, e->ns);
			if (!target) {
				target = pj_object_new();
				pj_object_set(root, e->ns, target);
			}
		}
		pj_object_set(target, e->name, pj_function(full, e->fn));
		free(full);
	}
	pj_stdlib_value = root;
}

const pj_value *pj_stdlib(void)
{
	if (pthread_once(&pj_stdlib_once, pj_stdlib_build) != 0)
		abort();
	return pj_stdlib_value;
}

bool pj_stdlib_deprecated(const char *name)
{
	for (size_t i = 0; i < sizeof(pj_stdlib_entries) / sizeof(pj_stdlib_entries[0]); i++) {
		const pj_stdlib_entry *e = &pj_stdlib_entries[i];
		if (!e->ns && strcmp(e->name, name) == 0)
			return strcmp(name, "coalesce") != 0;
	}
	return false;
}
