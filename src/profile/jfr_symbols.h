#ifndef PJ_PROFILE_JFR_SYMBOLS_H
#define PJ_PROFILE_JFR_SYMBOLS_H

/*
 * Normalisation of JVM symbol names, as Grafana's jfr-parser applies it to
 * every Symbol before building frame names, so that classes the JVM generates
 * afresh in each run (lambdas, reflection accessors, CGLIB proxies) and
 * native libraries unpacked under random temporary names merge into one
 * frame across recordings:
 *
 *	jdk/internal/reflect/GeneratedMethodAccessor<digits>   -> ...GeneratedMethodAccessor_
 *	<X>$$Lambda[$][digits](.|/)[0x]<hex>, <X>$$Lambda<digits> -> <X>$$Lambda_
 *	<X>$$EnhancerBySpringCGLIB$$<anything>                   -> <X>$$EnhancerBySpringCGLIB$$_
 *	[./tmp/]libzstd-jni-<a>.<b>.<c>-<digits>.so[ (deleted)]  -> libzstd-jni-_.so
 *	Amazon Corretto Crypto Provider temporary libraries        -> libamazonCorrettoCryptoProvider_.so
 *	one libasyncProfiler-<platform>-17b9a1d8...92.so build     -> libasyncProfiler-_.so
 */

#include <stddef.h>

#include "base/buf.h"

/* Appends the normalised form of s[0..n) to out. */
void jfr_normalize_symbol(const char *s, size_t n, pj_buf *out);

#endif
