#ifndef PJ_CLI_COMMANDS_H
#define PJ_CLI_COMMANDS_H

/*
 * Subcommands. Each gets argv with argv[0] = the command name and returns the
 * process exit status.
 */

typedef struct pj_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} pj_command;

int cmd_convert(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_targets(int argc, char **argv);

#endif
