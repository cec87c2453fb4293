#ifndef PJ_COMPONENTS_PYROSCOPE_RECEIVE_HTTP_H
#define PJ_COMPONENTS_PYROSCOPE_RECEIVE_HTTP_H

/* pyroscope.receive_http: accepts pushed profiles on its own HTTP server (docs/pyroscope.receive_http.md). */

#include "runtime/component.h"

extern const pj_component_type pj_pyroscope_receive_http_type;

#endif
