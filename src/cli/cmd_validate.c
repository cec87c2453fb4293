/* `pyrojava validate PATH`: load a configuration without building or running anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/load.h"

static int pj_validate_usage(FILE *out, int status)
{
	fprintf(out, "usage: pyrojava validate PATH\n\n"
		     "Checks a configuration file, or a directory of *.alloy files: syntax,\n"
		     "component names, references, cycles and component arguments.\n");
	return status;
}

int cmd_validate(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return pj_validate_usage(stdout, 0);
	if (argc != 2 || argv[1][0] == '-')
		return pj_validate_usage(stderr, 2);
	const char *path = argv[1];
	pj_registry *reg = pj_builtin_registry();
	char *module_path = pj_cli_module_path(path);
	pj_controller_options opts = {.registry = reg, .validate_only = true, .module_path = module_path};
	pj_controller *ctl = pj_controller_new(&opts);
	pj_diags diags = PJ_DIAGS_INIT;
	bool ok = pj_cli_load(ctl, path, &diags);
	if (!ok)
		pj_cli_print_load_failure(&diags);
	pj_diags_free(&diags);
	pj_controller_free(ctl);
	free(module_path);
	pj_registry_free(reg);
	return ok ? 0 : 1;
}
