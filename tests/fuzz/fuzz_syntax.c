/*
 * Fuzzes the Alloy front end: scan, parse and print diagnostics for any
 * input; for inputs that parse cleanly, the formatted text must parse
 * cleanly too and formatting it again must change nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/printer.h"

static pj_file *parse(const char *text, size_t len, pj_diags *diags)
{
	return pj_parse(pj_source_new("fuzz.alloy", text, len), diags);
}

static void walk_exprs(const pj_body *body)
{
	for (size_t i = 0; i < body->len; i++) {
		const pj_stmt *s = body->stmts[i];
		if (s->kind == PJ_STMT_BLOCK) {
			walk_exprs(&s->body);
			continue;
		}
		free(pj_expr_text(s->value));
	}
}

static void check_format(pj_file *file)
{
	char *once = pj_format_file(file);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *again = parse(once, strlen(once), &diags);
	if (diags.len) {
		fprintf(stderr, "formatted output does not parse: %s\n---\n%s---\n", diags.items[0].message, once);
		abort();
	}
	char *twice = pj_format_file(again);
	if (strcmp(once, twice) != 0) {
		fprintf(stderr, "format is not a fixed point\n--- once\n%s--- twice\n%s---\n", once, twice);
		abort();
	}
	free(once);
	free(twice);
	pj_diags_free(&diags);
	pj_file_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *file = parse((const char *)data, size, &diags);
	if (diags.len) {
		/* Binary input yields an error per byte; printing a few covers the printer. */
		pj_diags some = diags;
		if (some.len > 16)
			some.len = 16;
		FILE *sink = fopen("/dev/null", "w");
		if (sink) {
			pj_diags_print(&some, sink, true);
			pj_diags_print_brief(&some, sink);
			fclose(sink);
		}
	} else {
		walk_exprs(&file->body);
		check_format(file);
	}
	pj_diags_free(&diags);
	pj_file_free(file);
	return 0;
}
