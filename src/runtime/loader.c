/*
 * From parsed files to a component graph (spec 5.1-5.3): classify top-level
 * blocks, check names and IDs, resolve references into edges and reject
 * cycles. Nothing here touches running components.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hmap.h"
#include "runtime/controller_internal.h"
#include "syntax/eval.h"

/* Config and service blocks Alloy knows but pyrojava does not implement (spec 5.1). */
static const char *const pj_unsupported_blocks[] = {
	"declare", "tracing", "argument", "export", "foreach", "import.file", "import.string",
	"import.http", "import.git", "http", "remotecfg", "livedebugging", NULL,
};

static bool pj_is_unsupported(const char *name)
{
	for (size_t i = 0; pj_unsupported_blocks[i]; i++) {
		if (strcmp(pj_unsupported_blocks[i], name) == 0)
			return true;
	}
	return false;
}

static pj_span pj_span_len(uint32_t start, size_t len)
{
	pj_span s = {start, start + (uint32_t)(len ? len : 1)};
	return s;
}

typedef struct pj_loader {
	const pj_registry *reg;
	pj_graph *g;
	pj_diags *diags;
	pj_hmap ids; /* id -> index + 1 into g->items; 0 never stored */
	pj_hmap first; /* id -> the block that declared it first (for messages) */
	pj_hmap first_src;
} pj_loader;

static char *pj_block_pos(const pj_source *src, const pj_stmt *stmt)
{
	pj_linecol lc = pj_source_linecol(src, stmt->span.start);
	return pj_asprintf("%s:%d:%d", src->name, lc.line, lc.col);
}

/* Records the first block with this ID; reports a later one (Alloy's blockAlreadyDefined). */
static bool pj_claim_id(pj_loader *l, const char *id, const pj_source *src, const pj_stmt *stmt)
{
	size_t len = strlen(id);
	const pj_stmt *orig = pj_hmap_get(&l->first, id, len);
	if (orig) {
		char *pos = pj_block_pos(pj_hmap_get(&l->first_src, id, len), orig);
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, pj_span_len(stmt->name_span.start, len),
			"block %s already declared at %s", id, pos);
		free(pos);
		return false;
	}
	pj_hmap_put(&l->first, id, len, (void *)stmt);
	pj_hmap_put(&l->first_src, id, len, (void *)src);
	return true;
}

/* Alloy checks the ID first, then the type, then the label (populateComponentNodes). */
static void pj_add_component(pj_loader *l, const pj_source *src, const pj_stmt *stmt)
{
	bool labeled = stmt->label && stmt->label[0];
	char *id = labeled ? pj_asprintf("%s.%s", stmt->name, stmt->label) : pj_strdup(stmt->name);
	pj_span name = pj_span_len(stmt->name_span.start, strlen(stmt->name));
	const pj_component_type *type = NULL;
	if (!pj_claim_id(l, id, src, stmt))
		goto reject;
	type = pj_registry_find(l->reg, stmt->name);
	if (!type) {
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, name, "cannot find the definition of component name \"%s\"",
			stmt->name);
		goto reject;
	}
	if (!labeled) {
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, name, "component \"%s\" must have a label", stmt->name);
		goto reject;
	}
	pj_graph *g = l->g;
	g->items = pj_grow(g->items, &g->cap, g->len + 1, sizeof(*g->items));
	pj_pending *p = &g->items[g->len++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->type = type;
	p->block = stmt;
	p->src = src;
	pj_hmap_put(&l->ids, id, strlen(id), (void *)(uintptr_t)g->len);
	return;
reject:
	free(id);
}

static void pj_add_logging(pj_loader *l, const pj_source *src, const pj_stmt *stmt)
{
	if (stmt->label && stmt->label[0]) {
		pj_span s = {stmt->name_span.start, stmt->lcurly.start + 1};
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, s, "block \"logging\" does not support specifying labels");
		return;
	}
	if (!pj_claim_id(l, "logging", src, stmt))
		return;
	l->g->logging = stmt;
	l->g->logging_src = src;
}

static void pj_add_stmt(pj_loader *l, const pj_source *src, const pj_stmt *stmt)
{
	if (stmt->kind == PJ_STMT_ATTR) {
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, stmt->span, "unrecognized attribute %s", stmt->name);
		return;
	}
	if (strcmp(stmt->name, "logging") == 0) {
		pj_add_logging(l, src, stmt);
		return;
	}
	if (pj_is_unsupported(stmt->name)) {
		pj_diags_add(l->diags, PJ_SEV_ERROR, src, pj_span_len(stmt->name_span.start, strlen(stmt->name)),
			"block \"%s\" is not supported by pyrojava", stmt->name);
		return;
	}
	pj_add_component(l, src, stmt);
}

static void pj_add_dep(pj_pending *p, size_t index, bool capsule)
{
	for (size_t i = 0; i < p->ndeps; i++) {
		if (p->deps[i].index == index) {
			p->deps[i].capsule = p->deps[i].capsule || capsule;
			return;
		}
	}
	p->deps = pj_grow(p->deps, &p->deps_cap, p->ndeps + 1, sizeof(*p->deps));
	p->deps[p->ndeps].index = index;
	p->deps[p->ndeps].capsule = capsule;
	p->ndeps++;
}

/* Whether `field` of the target's exports is a receiver-like capsule (or a list of them). */
static bool pj_export_is_capsule(const pj_component_type *type, const char *field, size_t len)
{
	for (const pj_attr_schema *a = type->exports ? type->exports->attrs : NULL; a && a->name; a++) {
		if (strlen(a->name) != len || memcmp(a->name, field, len) != 0)
			continue;
		const pj_type *t = a->type;
		while (t->kind == PJ_TYPE_LIST)
			t = t->elem;
		return t->kind == PJ_TYPE_CAPSULE;
	}
	return false;
}

static bool pj_in_root_scope(const char *name, size_t len)
{
	char *first = pj_strndup(name, len);
	bool found = strcmp(first, "module_path") == 0 || pj_object_get(pj_stdlib(), first) != NULL;
	free(first);
	return found;
}

/* Matches a reference chain against component IDs by growing prefixes (Alloy's resolveTraversal). */
static void pj_resolve_ref(pj_loader *l, size_t from, const pj_ref *ref)
{
	const char *path = ref->path;
	size_t plen = strlen(path);
	for (size_t end = 0; end <= plen; end++) {
		if (end < plen && path[end] != '.')
			continue;
		size_t idx = (uintptr_t)pj_hmap_get(&l->ids, path, end);
		if (!idx)
			continue;
		const char *field = end < plen ? path + end + 1 : "";
		size_t flen = strcspn(field, ".");
		pj_add_dep(&l->g->items[from], idx - 1, pj_export_is_capsule(l->g->items[idx - 1].type, field, flen));
		return;
	}
	if (pj_in_root_scope(path, strcspn(path, ".")))
		return;
	/* Alloy positions this from the chain's start to the first column of its last name. */
	const char *last = strrchr(path, '.');
	size_t last_len = last ? strlen(last + 1) : plen;
	pj_span span = ref->span;
	if (span.end > span.start + last_len)
		span.end = span.end - (uint32_t)last_len + 1;
	pj_diags_add(l->diags, PJ_SEV_ERROR, l->g->items[from].src, span,
		"component \"%s\" does not exist or is out of scope", path);
}

static void pj_wire_edges(pj_loader *l)
{
	for (size_t i = 0; i < l->g->len; i++) {
		pj_refs refs = {0};
		pj_collect_body_refs(&l->g->items[i].block->body, &refs);
		for (size_t r = 0; r < refs.len; r++)
			pj_resolve_ref(l, i, &refs.items[r]);
		pj_refs_free(&refs);
	}
}

/* Tarjan's strongly connected components, iterative over an explicit stack. */
typedef struct pj_tarjan {
	const pj_graph *g;
	size_t *index, *low, *stack;
	bool *on_stack;
	size_t next, sp;
	pj_diags *diags;
} pj_tarjan;

static int pj_cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pj_report_cycle(pj_tarjan *t, size_t root)
{
	size_t start = t->sp;
	while (t->stack[start - 1] != root)
		start--;
	start--;
	size_t n = t->sp - start;
	const char **ids = pj_malloc(n * sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		t->on_stack[t->stack[start + i]] = false;
		ids[i] = t->g->items[t->stack[start + i]].id;
	}
	t->sp = start;
	if (n > 1) {
		/* Member order is not meaningful in Alloy (map order); sort for stable output. */
		qsort(ids, n, sizeof(*ids), pj_cmp_ids);
		pj_buf b = PJ_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			pj_buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
		pj_span none = {0, 0};
		pj_diags_add(t->diags, PJ_SEV_ERROR, NULL, none, "cycle: %s", pj_buf_cstr(&b));
		pj_buf_free(&b);
	}
	free(ids);
}

static void pj_strongconnect(pj_tarjan *t, size_t v)
{
	t->index[v] = t->low[v] = ++t->next;
	t->stack[t->sp++] = v;
	t->on_stack[v] = true;
	const pj_pending *p = &t->g->items[v];
	for (size_t i = 0; i < p->ndeps; i++) {
		size_t w = p->deps[i].index;
		if (!t->index[w]) {
			pj_strongconnect(t, w);
			if (t->low[w] < t->low[v])
				t->low[v] = t->low[w];
		} else if (t->on_stack[w] && t->index[w] < t->low[v]) {
			t->low[v] = t->index[w];
		}
	}
	if (t->low[v] == t->index[v])
		pj_report_cycle(t, v);
}

static void pj_check_cycles(const pj_graph *g, pj_diags *diags)
{
	size_t n = g->len;
	pj_tarjan t = {g, pj_calloc(n + 1, sizeof(size_t)), pj_calloc(n + 1, sizeof(size_t)),
		pj_calloc(n + 1, sizeof(size_t)), pj_calloc(n + 1, sizeof(bool)), 0, 0, diags};
	for (size_t v = 0; v < n; v++) {
		if (!t.index[v])
			pj_strongconnect(&t, v);
	}
	free(t.index);
	free(t.low);
	free(t.stack);
	free(t.on_stack);
	pj_span none = {0, 0};
	for (size_t v = 0; v < n; v++) {
		for (size_t i = 0; i < g->items[v].ndeps; i++) {
			if (g->items[v].deps[i].index == v)
				pj_diags_add(diags, PJ_SEV_ERROR, NULL, none, "self reference: %s", g->items[v].id);
		}
	}
}

bool pj_graph_build(const pj_registry *reg, pj_file **files, size_t nfiles, pj_graph *g, pj_diags *diags)
{
	memset(g, 0, sizeof(*g));
	pj_diags local = PJ_DIAGS_INIT;
	pj_loader l = {reg, g, &local, PJ_HMAP_INIT, PJ_HMAP_INIT, PJ_HMAP_INIT};
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f]->body.len; i++)
			pj_add_stmt(&l, files[f]->src, files[f]->body.stmts[i]);
	}
	pj_wire_edges(&l);
	pj_check_cycles(g, &local);
	pj_hmap_free(&l.ids);
	pj_hmap_free(&l.first);
	pj_hmap_free(&l.first_src);
	bool ok = !pj_diags_has_errors(&local);
	pj_diags_move(diags, &local);
	pj_diags_free(&local);
	return ok;
}

void pj_graph_free(pj_graph *g)
{
	for (size_t i = 0; i < g->len; i++) {
		free(g->items[i].id);
		free(g->items[i].deps);
	}
	free(g->items);
	memset(g, 0, sizeof(*g));
}

/* A node is ready when every dependency (other than itself) is in an earlier wave. */
static bool pj_ready(const pj_graph *g, const bool *done, size_t v)
{
	for (size_t i = 0; i < g->items[v].ndeps; i++) {
		size_t d = g->items[v].deps[i].index;
		if (d != v && !done[d])
			return false;
	}
	return true;
}

size_t *pj_graph_order(const pj_graph *g)
{
	size_t n = g->len, k = 0;
	size_t *order = pj_malloc((n ? n : 1) * sizeof(size_t));
	bool *done = pj_calloc(n ? n : 1, sizeof(bool));
	/* Waves, like Alloy's walk from the leaves: everything ready now, in configuration order. */
	while (k < n) {
		size_t wave_start = k;
		for (size_t v = 0; v < n; v++) {
			if (!done[v] && pj_ready(g, done, v))
				order[k++] = v;
		}
		if (k == wave_start) { /* only with a cycle, which pj_graph_build rejects */
			for (size_t v = 0; v < n; v++) {
				if (!done[v])
					order[k++] = v;
			}
		}
		for (size_t i = wave_start; i < k; i++)
			done[order[i]] = true;
	}
	free(done);
	return order;
}
