/* Shared by `run` and `validate`: the component registry and loading a path. */
#include "cli/load.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/registry.h"

/* The component list lives in src/components/registry.c. */
pj_registry *pj_builtin_registry(void)
{
	pj_registry *r = pj_registry_new();
	pj_components_register_all(r);
	return r;
}

/* examples/local-default.alloy, embedded by src/CMakeLists.txt. */
extern const char pj_default_config_start[];
extern const char pj_default_config_end[];

const char *pj_cli_default_config(size_t *len)
{
	*len = (size_t)(pj_default_config_end - pj_default_config_start);
	return pj_default_config_start;
}

char *pj_cli_module_path(const char *path)
{
	struct stat st;
	if (!path)
		return pj_strdup(".");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return pj_strdup(path);
	char *copy = pj_strdup(path);
	char *dir = pj_strdup(dirname(copy));
	free(copy);
	return dir;
}

bool pj_cli_load(pj_controller *ctl, const char *path, pj_diags *diags)
{
	pj_file **files = NULL;
	size_t nfiles = 0;
	if (!path) {
		size_t len;
		const char *text = pj_cli_default_config(&len);
		pj_diags parse = PJ_DIAGS_INIT;
		files = pj_calloc(1, sizeof(*files));
		files[0] = pj_parse(pj_source_new(PJ_CLI_DEFAULT_NAME, text, len), &parse);
		bool bad = pj_diags_has_errors(&parse);
		pj_diags_move(diags, &parse);
		if (bad) {
			pj_file_free(files[0]);
			free(files);
			return false;
		}
		return pj_controller_load(ctl, files, 1, diags);
	}
	if (!pj_config_read(path, &files, &nfiles, diags)) {
		for (size_t i = 0; i < nfiles; i++)
			pj_file_free(files[i]);
		free(files);
		return false;
	}
	return pj_controller_load(ctl, files, nfiles, diags);
}

void pj_cli_print_load_failure(const pj_diags *diags)
{
	bool color = isatty(STDERR_FILENO);
	pj_diags_print(diags, stderr, color);
	fprintf(stderr, "\n%s could not perform the initial load successfully\n",
		color ? "\033[1;31mError:\033[0m" : "Error:");
}

char *pj_cli_diags_text(const pj_diags *diags)
{
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < diags->len; i++) {
		char *pos = pj_diag_position(&diags->items[i]);
		pj_buf_printf(&b, "%s%s: %s", i ? "\n" : "", pos, diags->items[i].message);
		free(pos);
	}
	return pj_buf_detach(&b);
}
