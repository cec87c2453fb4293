#ifndef PJ_JVM_ATTACH_PROTO_H
#define PJ_JVM_ATTACH_PROTO_H

/*
 * The bytes of the HotSpot attach protocol, without any I/O: request
 * encoding, status-line and `load` reply parsing, and the protocol version
 * probe. See spec sections A.4 to A.8.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define PJ_ATTACH_MAX_ARGS 3
/* HotSpot's limits for protocol version 1. */
#define PJ_ATTACH_V1_MAX_NAME 16
#define PJ_ATTACH_V1_MAX_ARG 1024
/* HotSpot caps a whole v2 request at 256 KiB. */
#define PJ_ATTACH_V2_MAX_REQUEST (256 * 1024)

/* The v1 request asking a JDK 24+ JVM which protocol version it speaks. */
extern const char pj_attach_getversion_request[];
extern const size_t pj_attach_getversion_request_len;

/* True when an argument is too long for protocol v1 (needs v2, JDK 24+). */
bool pj_attach_needs_v2(const char *const *args, size_t nargs);

/*
 * Appends a request to out. v1: "1" NUL cmd NUL and exactly three arguments,
 * absent ones empty. v2: "2" NUL size NUL cmd NUL and the given arguments,
 * size counting the command and argument bytes including their NULs.
 * Returns 0, or -E2BIG when a limit of that version is exceeded (v1: name over
 * 16 or argument over 1024 bytes; v2: request over 256 KiB), -EINVAL for more
 * than three arguments or an unknown version.
 */
int pj_attach_encode(pj_buf *out, int version, const char *cmd, const char *const *args,
		     size_t nargs);

/*
 * Splits a reply into its status line and body: "<int>\n<body>". A reply that
 * is only a number (no newline) is accepted too. Returns 0 with *status and
 * *body_offset set, or -1 when the reply does not start with a decimal status.
 */
int pj_attach_parse_reply(const char *reply, size_t len, int *status, size_t *body_offset);

/*
 * Interprets a `load` reply body that came with status 0. JDK 9+ says
 * "return code: N", JDK 8 a bare "N"; JDK 21+ reports a failed load with
 * status 0 and an error text ("<lib> was not loaded.", "Agent_OnAttach is not
 * available ..."). Returns true with *agent_rc = N for the first two, false
 * for anything else (the body is then the JVM's error message).
 */
bool pj_attach_parse_load_body(const char *body, size_t len, int *agent_rc);

/*
 * The protocol version a reply to the getversion request announces: 2 for
 * "0\n2 streaming", 1 when the JVM answers anything else (JDK <= 23 says
 * "-1\nOperation getversion not recognized!").
 */
int pj_attach_parse_version(const char *reply, size_t len);

#endif
