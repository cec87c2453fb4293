#ifndef PJ_SYNTAX_STDLIB_H
#define PJ_SYNTAX_STDLIB_H

/* The standard library's builtins, by file. Private to src/syntax. */

#include "syntax/value.h"

#define PJ_BUILTIN(name) pj_value *name(pj_value *const *args, size_t nargs, char **err)

/* stdlib_string.c */
PJ_BUILTIN(pj_std_join);
PJ_BUILTIN(pj_std_replace);
PJ_BUILTIN(pj_std_split);
PJ_BUILTIN(pj_std_to_lower);
PJ_BUILTIN(pj_std_to_upper);
PJ_BUILTIN(pj_std_trim);
PJ_BUILTIN(pj_std_trim_prefix);
PJ_BUILTIN(pj_std_trim_suffix);
PJ_BUILTIN(pj_std_trim_space);

/* stdlib_format.c */
PJ_BUILTIN(pj_std_format);

/* stdlib_encoding.c */
PJ_BUILTIN(pj_std_from_base64);
PJ_BUILTIN(pj_std_from_urlbase64);
PJ_BUILTIN(pj_std_to_base64);
PJ_BUILTIN(pj_std_to_urlbase64);
PJ_BUILTIN(pj_std_url_encode);
PJ_BUILTIN(pj_std_url_decode);

/* stdlib_json.c */
PJ_BUILTIN(pj_std_from_json);
PJ_BUILTIN(pj_std_to_json);

#endif
