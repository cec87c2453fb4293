/* Reading a configuration path: one file, or a directory of *.alloy files (spec 12.1). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "runtime/controller_internal.h"

static int pj_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool pj_has_alloy_suffix(const char *name)
{
	size_t len = strlen(name);
	return len > 6 && strcmp(name + len - 6, ".alloy") == 0;
}

/* The regular *.alloy files directly inside dir, joined to dir as given, sorted by name. */
static char **pj_list_dir(const char *dir, size_t *n, pj_diags *diags)
{
	DIR *d = opendir(dir);
	pj_span none = {0, 0};
	if (!d) {
		pj_diags_add(diags, PJ_SEV_ERROR, NULL, none, "reading directory %s: %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t len = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!pj_has_alloy_suffix(e->d_name))
			continue;
		names = pj_grow(names, &cap, len + 1, sizeof(*names));
		names[len++] = pj_strdup(e->d_name);
	}
	closedir(d);
	if (len)
		qsort(names, len, sizeof(*names), pj_cmp_names);
	size_t dlen = strlen(dir);
	bool slash = dlen > 0 && dir[dlen - 1] == '/';
	size_t kept = 0;
	for (size_t i = 0; i < len; i++) {
		char *full = pj_asprintf("%s%s%s", dir, slash ? "" : "/", names[i]);
		free(names[i]);
		struct stat st;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		names[kept++] = full;
	}
	*n = kept;
	return names;
}

static void pj_read_one(const char *path, pj_file ***files, size_t *nfiles, size_t *cap, pj_diags *diags)
{
	char *err = NULL;
	pj_source *src = pj_source_read(path, &err);
	if (!src) {
		pj_span none = {0, 0};
		pj_diags_add(diags, PJ_SEV_ERROR, NULL, none, "%s", err ? err : "cannot read configuration");
		free(err);
		return;
	}
	pj_file *file = pj_parse(src, diags);
	*files = pj_grow(*files, cap, *nfiles + 1, sizeof(**files));
	(*files)[(*nfiles)++] = file;
}

bool pj_config_read(const char *path, pj_file ***files, size_t *nfiles, pj_diags *diags)
{
	pj_diags local = PJ_DIAGS_INIT;
	size_t cap = *nfiles;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = 0;
		char **paths = pj_list_dir(path, &n, &local);
		for (size_t i = 0; i < n; i++) {
			pj_read_one(paths[i], files, nfiles, &cap, &local);
			free(paths[i]);
		}
		free(paths);
	} else {
		pj_read_one(path, files, nfiles, &cap, &local);
	}
	bool ok = !pj_diags_has_errors(&local);
	pj_diags_move(diags, &local);
	pj_diags_free(&local);
	return ok;
}
