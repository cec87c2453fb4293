/*
 * pyrojava convert: JFR recording -> pprof files (one per profile type) or
 * collapsed text, using the same conversion pyroscope.java applies before
 * pushing. Useful to inspect what would be sent, and to compare with
 * Grafana's jfr-parser outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "cli/commands.h"
#include "profile/gunzip.h"
#include "profile/jfr_pprof.h"
#include "profile/pprof.h"

/* Refuse to inflate a recording beyond this: protects against gzip bombs. */
#define CONVERT_MAX_RECORDING ((size_t)4 << 30)

typedef struct convert_args {
	bool collapsed;
	const char *out_dir;
	const char *input;
	jfr_convert_options opts;
} convert_args;

static const char convert_usage[] =
	"usage: pyrojava convert [--format pprof|collapsed] [--sample-rate HZ] [--per-thread]\n"
	"                        [--truncated-frame] [-o DIR] RECORDING.jfr[.gz]\n"
	"\n"
	"Converts a JFR recording the way pyroscope.java does before pushing.\n"
	"  --format pprof       one gzipped pprof per profile type, written to DIR as\n"
	"                       <metric>.<first sample type>.pb.gz (default)\n"
	"  --format collapsed   folded stacks on stdout, each profile after a line\n"
	"                       '# <metric> <type>/<unit>...'\n"
	"  --sample-rate HZ     CPU/wall sampling rate; one sample = 1e9/HZ ns (default 100)\n"
	"  --per-thread         add the thread name as the root frame of every stack\n"
	"  --truncated-frame    add a [truncated] root frame to stacks the recorder cut\n"
	"  -o DIR               output directory for pprof files (default .; created if missing)\n";

static int convert_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "pyrojava convert: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", convert_usage);
	return 2;
}

/* "--name=value" or "--name value"; returns the value or NULL when this is not the option. */
static const char *convert_option(const char *name, int argc, char **argv, int *i)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static bool convert_parse_rate(const char *s, int64_t *rate)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 1000000000)
		return false;
	*rate = v;
	return true;
}

/* Returns -1 when parsing succeeded, else the exit status. */
static int convert_parse(int argc, char **argv, convert_args *a)
{
	const char *format = "pprof";
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(convert_usage, stdout);
			return 0;
		} else if ((v = convert_option("--format", argc, argv, &i))) {
			format = v;
		} else if ((v = convert_option("--sample-rate", argc, argv, &i))) {
			if (!convert_parse_rate(v, &a->opts.sample_rate))
				return convert_bad_usage("--sample-rate needs a whole number of Hz in 1..1000000000, got \"%s\"", v);
		} else if ((v = convert_option("-o", argc, argv, &i))) {
			if (!*v)
				return convert_bad_usage("%s needs a directory", "-o");
			a->out_dir = v;
		} else if (strcmp(argv[i], "--per-thread") == 0) {
			a->opts.per_thread = true;
		} else if (strcmp(argv[i], "--truncated-frame") == 0) {
			a->opts.truncated_frame = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return convert_bad_usage("unknown option \"%s\"", argv[i]);
		} else if (a->input) {
			return convert_bad_usage("only one recording can be converted at a time (extra \"%s\")", argv[i]);
		} else {
			a->input = argv[i];
		}
	}
	if (strcmp(format, "collapsed") == 0)
		a->collapsed = true;
	else if (strcmp(format, "pprof") != 0)
		return convert_bad_usage("--format must be pprof or collapsed, got \"%s\"", format);
	if (!a->input)
		return convert_bad_usage("%s", "missing RECORDING.jfr argument");
	if (a->collapsed && a->out_dir)
		return convert_bad_usage("%s", "-o only applies to --format pprof (collapsed text goes to stdout)");
	return -1;
}

static bool convert_read_file(const char *path, pj_buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return false;
	}
	int err = pj_read_fd(fd, out, SIZE_MAX);
	close(fd);
	errno = err;
	return err == 0;
}

/* Reads the recording, inflating it when it starts with the gzip magic. */
static bool convert_load(const char *path, pj_buf *jfr)
{
	pj_buf raw = PJ_BUF_INIT;
	if (!convert_read_file(path, &raw)) {
		fprintf(stderr, "pyrojava convert: cannot read %s: %s\n", path, strerror(errno));
		pj_buf_free(&raw);
		return false;
	}
	if (!gunzip_is_gzip((const uint8_t *)raw.data, raw.len)) {
		*jfr = raw;
		return true;
	}
	char *err = NULL;
	bool ok = gunzip_buf((const uint8_t *)raw.data, raw.len, CONVERT_MAX_RECORDING, jfr, &err);
	if (!ok) {
		fprintf(stderr, "pyrojava convert: %s: %s\n", path, err);
		free(err);
	}
	pj_buf_free(&raw);
	return ok;
}

static int convert_write_collapsed(const jfr_profiles *p)
{
	pj_buf text = PJ_BUF_INIT;
	for (size_t i = 0; i < p->count; i++) {
		const jfr_profile *prof = &p->items[i];
		pj_buf_printf(&text, "# %s", prof->metric);
		for (size_t t = 0; t < prof->nsample_types; t++)
			pj_buf_printf(&text, " %s/%s", prof->sample_types[t], prof->sample_units[t]);
		pj_buf_putc(&text, '\n');
		size_t before = text.len;
		pprof_write_collapsed(prof->builder, &text);
		if (text.len > before)
			pj_buf_putc(&text, '\n');
	}
	bool ok = fwrite(text.data ? text.data : "", 1, text.len, stdout) == text.len && fflush(stdout) == 0;
	pj_buf_free(&text);
	if (!ok) {
		fprintf(stderr, "pyrojava convert: cannot write to stdout: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static bool convert_write_file(const char *path, const pj_buf *data)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data->data, 1, data->len, f) == data->len;
	if (fclose(f) != 0)
		ok = false;
	return ok;
}

static int convert_write_pprof(const jfr_profiles *p, const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "pyrojava convert: cannot create directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < p->count; i++) {
		const jfr_profile *prof = &p->items[i];
		char *path = pj_asprintf("%s/%s.%s.pb.gz", dir, prof->metric, prof->sample_types[0]);
		pj_buf gz = PJ_BUF_INIT;
		bool ok = pprof_encode_gzip(prof->builder, &gz);
		if (!ok)
			fprintf(stderr, "pyrojava convert: cannot compress %s\n", path);
		else if (!(ok = convert_write_file(path, &gz)))
			fprintf(stderr, "pyrojava convert: cannot write %s: %s\n", path, strerror(errno));
		else
			printf("%s\n", path);
		pj_buf_free(&gz);
		free(path);
		if (!ok)
			return 1;
	}
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	convert_args a = {.opts = JFR_CONVERT_OPTIONS_INIT};
	int rc = convert_parse(argc, argv, &a);
	if (rc >= 0)
		return rc;
	pj_buf jfr = PJ_BUF_INIT;
	if (!convert_load(a.input, &jfr))
		return 1;
	jfr_profiles profiles;
	char *err = NULL;
	if (!jfr_convert((const uint8_t *)jfr.data, jfr.len, &a.opts, &profiles, &err)) {
		fprintf(stderr, "pyrojava convert: %s: %s\n", a.input, err);
		free(err);
		pj_buf_free(&jfr);
		return 1;
	}
	pj_buf_free(&jfr);
	if (profiles.warning)
		fprintf(stderr, "pyrojava convert: %s: warning: %s\n", a.input, profiles.warning);
	if (profiles.count == 0)
		fprintf(stderr, "pyrojava convert: %s: no profiling events in the recording\n", a.input);
	rc = a.collapsed ? convert_write_collapsed(&profiles) : convert_write_pprof(&profiles, a.out_dir ? a.out_dir : ".");
	jfr_profiles_free(&profiles);
	return rc;
}
