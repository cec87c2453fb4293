/*
 * pyrojava: the command line. Each subcommand lives in its own cmd_<name>.c and
 * is listed in the table below; main() only dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/commands.h"

static const pj_command pj_commands[] = {
	{"convert", "convert a JFR recording to pprof or collapsed text", cmd_convert},
	{"fmt", "format a configuration file", cmd_fmt},
	{"version", "print the version", cmd_version},
	{"attach", "run a HotSpot attach operation in a JVM", cmd_attach},
	{"run", "run the components of a configuration", cmd_run},
	{"validate", "check a configuration without running it", cmd_validate},
	{"targets", "print the targets the discovery components of a configuration find", cmd_targets},
};

static void pj_usage(FILE *out)
{
	fprintf(out, "usage: pyrojava <command> [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(pj_commands) / sizeof(pj_commands[0]); i++)
		fprintf(out, "  %-10s %s\n", pj_commands[i].name, pj_commands[i].summary);
	fprintf(out, "\nRun 'pyrojava <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	pj_alloc_policy();
	if (argc < 2) {
		pj_usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0)
		name = "version";
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		pj_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(pj_commands) / sizeof(pj_commands[0]); i++) {
		if (strcmp(pj_commands[i].name, name) == 0)
			return pj_commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "pyrojava: unknown command \"%s\"\n\n", name);
	pj_usage(stderr);
	return 2;
}
