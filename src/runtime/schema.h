#ifndef PJ_RUNTIME_SCHEMA_H
#define PJ_RUNTIME_SCHEMA_H

/*
 * Argument and export schemas of components and config blocks, and the
 * decoder that turns a block body into an arguments value (spec 3.2, 3.4).
 *
 * Decoded arguments are one immutable pj_value object per body: attributes
 * converted to their declared types, nested blocks as objects (single) or
 * arrays of objects (repeated). Keeping them as plain values makes "did the
 * arguments change" a single pj_value_equal call. Durations are stored as
 * int64 nanoseconds; the schema remembers they are durations so the API JSON
 * can show Go's "1m0s" form.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/value.h"

typedef enum pj_type_kind {
	PJ_TYPE_ANY, /* kept as evaluated */
	PJ_TYPE_STRING,
	PJ_TYPE_INT, /* number, stored as a signed integer */
	PJ_TYPE_UINT,
	PJ_TYPE_FLOAT,
	PJ_TYPE_BOOL,
	PJ_TYPE_DURATION, /* Go duration text, stored as int64 nanoseconds */
	PJ_TYPE_SECRET,
	PJ_TYPE_LIST, /* list(elem) */
	PJ_TYPE_MAP, /* map(elem): an object */
	PJ_TYPE_CAPSULE, /* a capsule whose type name is `capsule` */
	PJ_TYPE_TARGETS, /* list(map(string)) with discovery.Target's conversion rules */
} pj_type_kind;

typedef struct pj_type {
	pj_type_kind kind;
	const struct pj_type *elem; /* LIST and MAP */
	const char *capsule; /* CAPSULE: e.g. "pyroscope.Appendable" */
} pj_type;

/* Ready-made scalar types. Composite ones are declared where used:
 *   static const pj_type receivers = {PJ_TYPE_LIST, &pj_type_receiver, NULL}; */
extern const pj_type pj_type_any, pj_type_string, pj_type_int, pj_type_uint, pj_type_float,
	pj_type_bool, pj_type_duration, pj_type_secret, pj_type_targets, pj_type_string_map,
	pj_type_string_list;

/*
 * A value check that runs after conversion, like a Go UnmarshalText: its
 * error is reported on the attribute's expression as `<expr> <err>`.
 * Return false and set *err (heap) to reject.
 */
typedef bool (*pj_value_check)(const pj_value *v, char **err);

typedef struct pj_attr_schema {
	const char *name;
	const pj_type *type;
	const char *def; /* default as Alloy expression text ("\"60s\"", "true", "[]"); NULL: none */
	bool required;
	pj_value_check check; /* may be NULL */
} pj_attr_schema;

typedef struct pj_schema pj_schema;

enum {
	PJ_BLOCK_REQUIRED = 1 << 0,
	PJ_BLOCK_REPEATED = 1 << 1, /* decoded as an array of objects, in source order */
	PJ_BLOCK_NULLABLE = 1 << 2, /* single block absent -> null (a Go pointer field); else defaults */
	PJ_BLOCK_LABELED = 1 << 3, /* needs a non-empty label, stored under key "label" */
	/*
	 * Errors without a position from inside the block (its validate hook,
	 * a missing required attribute) are positioned over the block, so a
	 * bad `rule` among many is pointed at rather than the whole component.
	 */
	PJ_BLOCK_POSITION_ERRORS = 1 << 4,
};

typedef struct pj_block_schema {
	const char *name;
	const pj_schema *body;
	unsigned flags;
} pj_block_schema;

/*
 * Validation after a body is decoded (Go's Validate()). The error is not
 * positioned; the runtime wraps it ("decoding configuration: ...").
 */
typedef bool (*pj_body_validate)(const pj_value *body, char **err);

struct pj_schema {
	const pj_attr_schema *attrs; /* terminated by an entry with name == NULL */
	const pj_block_schema *blocks; /* terminated by name == NULL; may be NULL */
	pj_body_validate validate; /* may be NULL */
};

/*
 * A decode failure: either positioned (span in the decoded source) or not
 * (missing required attribute, validation), which the loader wraps and
 * positions over the whole component block (spec 6).
 */
typedef struct pj_decode_error {
	bool positioned;
	const pj_source *src;
	pj_span span;
	char *message; /* heap */
} pj_decode_error;

void pj_decode_error_clear(pj_decode_error *e);

/*
 * Decodes `body` against `schema` in `scope` (see pj_eval). Returns a new
 * object value, or NULL with *err filled. Defaults are applied first, then
 * statements in source order; the first error stops decoding.
 */
pj_value *pj_decode_body(const pj_schema *schema, const pj_body *body, const pj_value *scope,
	const pj_source *src, pj_decode_error *err);

/* The object holding only the defaults of schema (what an absent single block decodes to). */
pj_value *pj_schema_defaults(const pj_schema *schema);

/* The zero value of a type, as Go would have it before anything is set (null, "", 0, false). */
pj_value *pj_type_zero(const pj_type *type);

/* An exports object with every attribute of schema at its zero value. */
pj_value *pj_schema_zero(const pj_schema *schema);

/*
 * Where inside a value a conversion failed: a chain of array indexes and
 * object keys (borrowed from the value). Deeper chains are cut at the limit.
 */
#define PJ_VALUE_PATH_MAX 16
typedef struct pj_value_path {
	struct {
		const char *key; /* NULL: array index */
		size_t index;
	} steps[PJ_VALUE_PATH_MAX];
	size_t len;
} pj_value_path;

/* Appends the accessor text of path: ".name" for fields (unquoted, as Alloy), "[2]" for elements. */
void pj_value_path_write(pj_buf *out, const pj_value_path *path);

/*
 * Converts a value to a type (spec 3.2). On failure returns NULL, fills
 * *path with the failing element and sets *err (heap) to the problem, e.g.
 * "should be number, got string".
 */
pj_value *pj_convert_to_type(const pj_type *type, const pj_value *v, pj_value_path *path, char **err);

/*
 * Reading decoded arguments in component code. Missing keys and other kinds
 * give the zero value, which cannot happen for keys the schema declares.
 */
const char *pj_arg_str(const pj_value *args, const char *key); /* strings and secrets; "" */
int64_t pj_arg_int(const pj_value *args, const char *key); /* also durations (ns) */
uint64_t pj_arg_uint(const pj_value *args, const char *key);
double pj_arg_float(const pj_value *args, const char *key);
bool pj_arg_bool(const pj_value *args, const char *key);

/* Lookup helpers for component code: schema entries by name. */
const pj_attr_schema *pj_schema_attr(const pj_schema *schema, const char *name);
const pj_block_schema *pj_schema_block(const pj_schema *schema, const char *name);

#endif
