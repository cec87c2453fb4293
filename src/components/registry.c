/* The list of built-in components. */
#include "components/registry.h"

#include "components/discovery_process.h"
#include "components/discovery_relabel.h"
#include "components/pyroscope_file.h"
#include "components/pyroscope_java.h"
#include "components/pyroscope_receive_http.h"
#include "components/pyroscope_write.h"

bool pj_components_register_all(pj_registry *r)
{
	static const pj_component_type *const types[] = {
		&pj_discovery_process_type,
		&pj_discovery_relabel_type,
		&pj_pyroscope_write_type,
		&pj_pyroscope_receive_http_type,
		&pj_pyroscope_file_type,
		&pj_pyroscope_java_type,
	};
	bool ok = true;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		ok &= pj_registry_add(r, types[i]);
	return ok;
}
