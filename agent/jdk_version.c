#include "jdk_version.h"

#include <stdio.h>
#include <string.h>

bool ag_jdk_agct_unsafe(const char *v)
{
	int major = 0, minor = 0, update = 0;
	if (strncmp(v, "1.8.0_", 6) == 0)
		return sscanf(v + 6, "%d", &update) != 1 || update < 352;
	if (sscanf(v, "%d.%d.%d", &major, &minor, &update) < 1)
		return false;
	if (major == 11)
		return minor == 0 && update < 17;
	if (major == 17)
		return minor == 0 && update < 5;
	return major < 18;
}
