#ifndef PJ_SYNTAX_VALUE_H
#define PJ_SYNTAX_VALUE_H

/*
 * Alloy values (spec section 3): immutable, reference-counted, shared freely
 * between the evaluator, the runtime and components. A function that returns
 * a pj_value * gives the caller one reference; release it with pj_value_unref.
 * Functions taking a const pj_value * borrow it.
 *
 * Reference counts are atomic so exports can be read by other threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef enum pj_kind {
	PJ_NULL,
	PJ_BOOL,
	PJ_NUMBER,
	PJ_STRING,
	PJ_ARRAY,
	PJ_OBJECT,
	PJ_FUNCTION,
	PJ_CAPSULE,
	PJ_SECRET, /* a string shown as (secret); a capsule to the language */
} pj_kind;

typedef enum pj_numkind {
	PJ_NUM_UINT, /* order matters: arithmetic uses the widest of uint < int < float */
	PJ_NUM_INT,
	PJ_NUM_FLOAT,
} pj_numkind;

typedef struct pj_value pj_value;

/* A built-in function. Returns NULL and sets *err (caller frees) on failure. */
typedef pj_value *(*pj_builtin_fn)(pj_value *const *args, size_t nargs, char **err);

/* What a capsule carries: a type name for messages and hooks for its payload. */
typedef struct pj_capsule_type {
	const char *name; /* e.g. "pyroscope.Appendable" */
	void (*retain)(void *ptr); /* may be NULL */
	void (*release)(void *ptr); /* may be NULL */
} pj_capsule_type;

/* Constructors (each returns a new reference). */
pj_value *pj_null(void); /* a shared singleton */
pj_value *pj_bool(bool b);
pj_value *pj_int(int64_t i);
pj_value *pj_uint(uint64_t u);
pj_value *pj_float(double f);
pj_value *pj_string(const char *s, size_t len);
pj_value *pj_cstring(const char *s);
pj_value *pj_string_take(char *s, size_t len); /* takes ownership of a heap string */
pj_value *pj_secret(const char *s, size_t len);
pj_value *pj_function(const char *name, pj_builtin_fn fn);
pj_value *pj_capsule(const pj_capsule_type *type, void *ptr); /* retains ptr; released when freed */

/* Arrays and objects are built mutable and then shared; never mutate a shared one. */
pj_value *pj_array_new(size_t cap);
void pj_array_push(pj_value *array, pj_value *elem); /* takes the reference */
pj_value *pj_object_new(void);
void pj_object_set(pj_value *object, const char *key, pj_value *v); /* takes the reference; replaces */

pj_value *pj_value_ref(const pj_value *v);
void pj_value_unref(pj_value *v);

/* Accessors. */
pj_kind pj_value_kind(const pj_value *v);
/* Alloy's type name for messages: null number string bool array object function capsule. */
const char *pj_value_type_name(const pj_value *v);
bool pj_value_bool(const pj_value *v);
pj_numkind pj_value_numkind(const pj_value *v);
int64_t pj_value_int(const pj_value *v); /* any number, converted as Go would */
uint64_t pj_value_uint(const pj_value *v);
double pj_value_float(const pj_value *v);
/* Strings and secrets: bytes and length (may contain NUL). */
const char *pj_value_str(const pj_value *v, size_t *len);
size_t pj_array_len(const pj_value *v);
const pj_value *pj_array_get(const pj_value *v, size_t i);
size_t pj_object_len(const pj_value *v);
/* Keys in insertion order. */
const char *pj_object_key(const pj_value *v, size_t i);
const pj_value *pj_object_value(const pj_value *v, size_t i);
const pj_value *pj_object_get(const pj_value *v, const char *key); /* NULL if absent */
const char *pj_function_name(const pj_value *v);
pj_builtin_fn pj_function_fn(const pj_value *v);
const pj_capsule_type *pj_capsule_type_of(const pj_value *v);
void *pj_capsule_ptr(const pj_value *v);

/* Deep equality as Alloy's == (3 == 3.0; functions never equal; capsules by pointer). */
bool pj_value_equal(const pj_value *a, const pj_value *b);

/*
 * Alloy syntax for a value, as the formatter and error texts write it:
 * "str", 42, [1, 2], {a = 1}, (secret), capsule("name"), function.
 */
void pj_value_write(pj_buf *out, const pj_value *v);
/* JSON (spec 12.4 uses its own shape; this is plain JSON of the data). */
void pj_value_write_json(pj_buf *out, const pj_value *v);
/*
 * Parses JSON text as encoding.from_json does (numbers become floats, objects
 * keep their member order). NULL with *err (caller frees) on invalid JSON.
 */
pj_value *pj_json_parse(const char *text, size_t len, char **err);
/* A number as Go's encoding/json writes it; false for NaN and infinities, which JSON cannot carry. */
bool pj_json_number(pj_buf *out, const pj_value *v);

/*
 * Assignment conversions (spec 3.2). Each returns a new reference to the
 * converted value, or NULL with *err set (caller frees) to the message Alloy
 * gives, without the expression prefix (e.g. "should be string, got number").
 */
pj_value *pj_convert_string(const pj_value *v, char **err); /* number -> decimal text */
pj_value *pj_convert_number(const pj_value *v, char **err); /* string -> number */
pj_value *pj_convert_secret(const pj_value *v, char **err); /* string|secret -> secret */

/* Go's time.ParseDuration; returns false and sets *err (caller frees) on failure. */
bool pj_parse_duration(const char *s, size_t len, int64_t *ns, char **err);
/* Go's Duration.String(): "1m0s", "500ms", "0s". */
void pj_format_duration(pj_buf *out, int64_t ns);

#endif
