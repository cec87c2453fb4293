/*
 * `pyrojava targets [--json] PATH`: evaluates the discovery part of a
 * configuration once and prints what every discovery component exports, so
 * a user can see at which stage a process is lost. discovery.process scans
 * once while it is built; every other discovery component is evaluated as in
 * `run`; components outside discovery are decoded (so references resolve)
 * but never built into anything that runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "components/targets_table.h"
#include "components/discovery_process.h"
#include "components/targets_value.h"
#include "runtime/controller.h"

static int targets_usage(FILE *out, int status)
{
	fprintf(out, "usage: pyrojava targets [--json] PATH\n\n"
		     "Evaluates the discovery components of a configuration once (discovery.process\n"
		     "scans /proc one time) and prints the targets each of them exports, in\n"
		     "configuration order. Other components are checked but not started.\n\n"
		     "flags:\n"
		     "  --json  print a JSON array instead of tables\n");
	return status;
}

static bool is_discovery(const char *name)
{
	return strncmp(name, "discovery.", 10) == 0;
}

static void *inert_build(pj_component *self, const pj_value *args, char **err)
{
	(void)self, (void)args, (void)err;
	static int token;
	return &token;
}

static bool inert_update(void *state, const pj_value *args, char **err)
{
	(void)state, (void)args, (void)err;
	return true;
}

static void inert_destroy(void *state)
{
	(void)state;
}

typedef struct targets_registry {
	pj_registry *reg;
	pj_component_type *inert; /* copies of the non-discovery types */
	size_t ninert, cap;
} targets_registry;

/* discovery.process scans once; other discovery types as they are; the rest decode only. */
static void add_type(const pj_component_type *t, void *ctx)
{
	targets_registry *tr = ctx;
	if (strcmp(t->name, pj_discovery_process_type.name) == 0) {
		pj_registry_add(tr->reg, &pj_discovery_process_once_type);
		return;
	}
	if (is_discovery(t->name)) {
		pj_registry_add(tr->reg, t);
		return;
	}
	tr->inert[tr->ninert] = (pj_component_type){
		.name = t->name, .args = t->args, .exports = t->exports,
		.build = inert_build, .update = inert_update, .destroy = inert_destroy,
	};
	pj_registry_add(tr->reg, &tr->inert[tr->ninert++]);
}

static void count_type(const pj_component_type *t, void *ctx)
{
	(void)t;
	((targets_registry *)ctx)->cap++;
}

static void targets_registry_init(targets_registry *tr, const pj_registry *builtin)
{
	memset(tr, 0, sizeof(*tr));
	pj_registry_each(builtin, count_type, tr);
	tr->inert = pj_calloc(tr->cap ? tr->cap : 1, sizeof(*tr->inert));
	tr->reg = pj_registry_new();
	pj_registry_each(builtin, add_type, tr);
}

/* The IDs of the discovery components, in configuration order. */
static char **discovery_ids(pj_file **files, size_t nfiles, size_t *n)
{
	char **ids = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t f = 0; f < nfiles; f++) {
		const pj_body *body = &files[f]->body;
		for (size_t i = 0; i < body->len; i++) {
			const pj_stmt *st = body->stmts[i];
			if (st->kind != PJ_STMT_BLOCK || !is_discovery(st->name) || !st->label)
				continue;
			ids = pj_grow(ids, &cap, *n + 1, sizeof(*ids));
			ids[(*n)++] = pj_asprintf("%s.%s", st->name, st->label);
		}
	}
	return ids;
}

/* One discovery component's result: the export holding targets, and how many came in. */
typedef struct stage {
	const char *id;
	const char *export_name;
	pj_value *targets; /* owned */
	long input; /* -1: the component takes no `targets` */
} stage;

static const char *targets_attr(const pj_schema *s)
{
	for (const pj_attr_schema *a = s ? s->attrs : NULL; a && a->name; a++) {
		if (a->type->kind == PJ_TYPE_TARGETS)
			return a->name;
	}
	return NULL;
}

static bool read_stage(pj_controller *ctl, const pj_registry *reg, const char *id, stage *st)
{
	const char *dot = strrchr(id, '.');
	char *name = pj_asprintf("%.*s", (int)(dot - id), id);
	const pj_component_type *t = pj_registry_find(reg, name);
	free(name);
	st->id = id;
	st->export_name = t ? targets_attr(t->exports) : NULL;
	st->targets = NULL;
	st->input = -1;
	if (!st->export_name)
		return false;
	pj_value *exports = pj_controller_exports(ctl, id);
	const pj_value *v = exports ? pj_object_get(exports, st->export_name) : NULL;
	st->targets = v && pj_value_kind(v) == PJ_ARRAY ? pj_value_ref(v) : pj_array_new(0);
	if (exports)
		pj_value_unref(exports);
	pj_value *args = pj_controller_args(ctl, id);
	const pj_value *in = args && t->args && pj_schema_attr(t->args, "targets") ? pj_object_get(args, "targets") : NULL;
	if (in)
		st->input = pj_value_kind(in) == PJ_ARRAY ? (long)pj_array_len(in) : 0;
	if (args)
		pj_value_unref(args);
	return true;
}

static void print_json(const stage *stages, size_t n)
{
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		pj_buf_printf(&b, "%s\n  {\"component\": ", i ? "," : "");
		pj_value *id = pj_cstring(stages[i].id);
		pj_value_write_json(&b, id);
		pj_value_unref(id);
		pj_buf_printf(&b, ", \"export\": \"%s\"", stages[i].export_name);
		if (stages[i].input >= 0)
			pj_buf_printf(&b, ", \"input_targets\": %ld", stages[i].input);
		pj_buf_puts(&b, ", \"targets\": ");
		pj_value_write_json(&b, stages[i].targets);
		pj_buf_puts(&b, "}");
	}
	pj_buf_puts(&b, n ? "\n]\n" : "]\n");
	fwrite(b.data, 1, b.len, stdout);
	pj_buf_free(&b);
}

static void print_tables(const stage *stages, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pj_targets t = PJ_TARGETS_INIT;
		char *err = NULL;
		if (!pj_targets_from_value(stages[i].targets, &t, &err))
			free(err);
		pj_buf b = PJ_BUF_INIT;
		pj_buf_printf(&b, "%s%s.%s: ", i ? "\n" : "", stages[i].id, stages[i].export_name);
		if (stages[i].input >= 0)
			pj_buf_printf(&b, "%zu of %ld targets\n", t.len, stages[i].input);
		else
			pj_buf_printf(&b, "%zu target%s\n", t.len, t.len == 1 ? "" : "s");
		pj_targets_table(&t, &b);
		fwrite(b.data, 1, b.len, stdout);
		pj_buf_free(&b);
		pj_targets_free(&t);
	}
}

/* Loads the parsed files (taking them) with discovery-only behaviour and prints the stages. */
static int targets_show(const char *path, pj_file **files, size_t nfiles, bool json)
{
	size_t nids;
	char **ids = discovery_ids(files, nfiles, &nids);
	pj_registry *builtin = pj_builtin_registry();
	targets_registry tr;
	targets_registry_init(&tr, builtin);
	char *module_path = pj_cli_module_path(path);
	pj_controller_options opts = {
		.registry = tr.reg, .manual_flush = true, .module_path = module_path, .configure_logger = true,
	};
	pj_controller *ctl = pj_controller_new(&opts);
	pj_diags diags = PJ_DIAGS_INIT;
	int status = 0;
	if (!pj_controller_load(ctl, files, nfiles, &diags)) {
		pj_cli_print_load_failure(&diags);
		status = 1;
	} else {
		pj_controller_flush(ctl);
		stage *stages = pj_calloc(nids ? nids : 1, sizeof(*stages));
		size_t n = 0;
		for (size_t i = 0; i < nids; i++)
			n += read_stage(ctl, tr.reg, ids[i], &stages[n]);
		if (json)
			print_json(stages, n);
		else
			print_tables(stages, n);
		for (size_t i = 0; i < n; i++)
			pj_value_unref(stages[i].targets);
		free(stages);
	}
	pj_diags_free(&diags);
	pj_controller_free(ctl);
	free(module_path);
	pj_registry_free(tr.reg);
	free(tr.inert);
	pj_registry_free(builtin);
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return status;
}

int cmd_targets(int argc, char **argv)
{
	bool json = false;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return targets_usage(stdout, 0);
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (argv[i][0] == '-' || path)
			return targets_usage(stderr, 2);
		else
			path = argv[i];
	}
	if (!path)
		return targets_usage(stderr, 2);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file **files = NULL;
	size_t nfiles = 0;
	if (!pj_config_read(path, &files, &nfiles, &diags)) {
		pj_cli_print_load_failure(&diags);
		for (size_t i = 0; i < nfiles; i++)
			pj_file_free(files[i]);
		free(files);
		pj_diags_free(&diags);
		return 1;
	}
	pj_diags_free(&diags);
	return targets_show(path, files, nfiles, json);
}
