#include <stdio.h>

#include "cli/commands.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("pyrojava version %s\n", PJ_VERSION);
	return 0;
}
