/*
 * demangle_names [-f]: reads one symbol a line on stdin and prints, for each, a line
 * "1<TAB>name" when ag_demangle claimed it or "0<TAB>symbol" when it did not. With -f the
 * name is the complete c++filt-style text (ag_demangle_full) instead of the cut one.
 * The oracle test (tests/integration/agent_demangle.sh) compares it with c++filt.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "demangle.h"

int main(int argc, char **argv)
{
	bool full = argc > 1 && strcmp(argv[1], "-f") == 0;
	static char line[8192], out[8192];
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		bool ok = full ? ag_demangle_full(line, out, sizeof out) : ag_demangle(line, out, sizeof out);
		if (printf("%d\t%s\n", ok ? 1 : 0, out) < 0)
			return 1;
	}
	return ferror(stdin) || fflush(stdout) != 0 ? 1 : 0;
}
