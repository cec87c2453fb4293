#include "syntax/scanner.h"

#include <string.h>

#include "base/unicode.h"
#include "base/utf8.h"

#define PJ_EOF (-1)
#define PJ_BOM 0xFEFF

static void pj_scan_error(pj_scanner *s, size_t off, const char *msg)
{
	s->nerrors++;
	if (!s->diags)
		return;
	pj_span at = {(uint32_t)off, (uint32_t)off};
	pj_diags_add(s->diags, PJ_SEV_ERROR, s->src, at, "%s", msg);
}

/* Reads the next character into s->ch, reporting bytes that can never be valid. */
static void pj_next(pj_scanner *s)
{
	if (s->roff >= s->len) {
		s->off = s->len;
		s->ch = PJ_EOF;
		return;
	}
	s->off = s->roff;
	int32_t r = s->in[s->roff];
	size_t width = 1;
	if (r == 0) {
		pj_scan_error(s, s->off, "illegal character NUL");
	} else if (r >= 0x80) {
		r = pj_utf8_decode((const char *)s->in + s->roff, s->len - s->roff, &width);
		if (r == PJ_RUNE_ERROR && width == 1)
			pj_scan_error(s, s->off, "illegal UTF-8 encoding");
		else if (r == PJ_BOM && s->off > 0)
			pj_scan_error(s, s->off, "illegal byte order mark");
	}
	s->roff += width;
	s->ch = r;
}

static int pj_peek(const pj_scanner *s)
{
	return s->roff < s->len ? s->in[s->roff] : 0;
}

void pj_scanner_init(pj_scanner *s, const pj_source *src, pj_diags *diags, bool comments)
{
	memset(s, 0, sizeof(*s));
	s->src = src;
	s->in = (const unsigned char *)src->text;
	s->len = src->len;
	s->diags = diags;
	s->comments = comments;
	pj_next(s);
	if (s->ch == PJ_BOM)
		pj_next(s);
}

static int32_t pj_lower(int32_t ch)
{
	return ('a' - 'A') | ch;
}

static bool pj_is_decimal(int32_t ch)
{
	return ch >= '0' && ch <= '9';
}

static bool pj_is_letter(int32_t ch)
{
	return (pj_lower(ch) >= 'a' && pj_lower(ch) <= 'z') || ch == '_' ||
	       (ch >= 0x80 && pj_unicode_is_letter(ch));
}

static bool pj_is_digit(int32_t ch)
{
	return pj_is_decimal(ch) || (ch >= 0x80 && pj_unicode_is_digit(ch));
}

static void pj_skip_whitespace(pj_scanner *s)
{
	while (s->ch == ' ' || s->ch == '\t' || s->ch == '\r' || (s->ch == '\n' && !s->insert_term))
		pj_next(s);
}

static void pj_scan_identifier(pj_scanner *s)
{
	while (pj_is_letter(s->ch) || pj_is_digit(s->ch))
		pj_next(s);
}

static int pj_digits(pj_scanner *s)
{
	int n = 0;
	for (; pj_is_decimal(s->ch); n++)
		pj_next(s);
	return n;
}

static pj_tok pj_scan_number(pj_scanner *s)
{
	size_t start = s->off;
	pj_tok tok = PJ_TOK_NUMBER;
	if (s->ch != '.')
		pj_digits(s);
	if (s->ch == '.') {
		tok = PJ_TOK_FLOAT;
		pj_next(s);
		pj_digits(s);
	}
	if (pj_lower(s->ch) == 'e') {
		tok = PJ_TOK_FLOAT;
		pj_next(s);
		if (s->ch == '+' || s->ch == '-')
			pj_next(s);
		if (pj_digits(s) == 0)
			pj_scan_error(s, start, "exponent has no digits");
	}
	return tok;
}

static int pj_digit_val(int32_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (pj_lower(ch) >= 'a' && pj_lower(ch) <= 'f')
		return pj_lower(ch) - 'a' + 10;
	return 16;
}

/* Checks one escape after a backslash; on error stops before the offending character. */
static void pj_scan_escape(pj_scanner *s)
{
	size_t start = s->off;
	int n;
	uint32_t base, max;
	switch (s->ch) {
	case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\': case '"':
		pj_next(s);
		return;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		n = 3, base = 8, max = 255;
		break;
	case 'x':
		pj_next(s);
		n = 2, base = 16, max = 255;
		break;
	case 'u':
		pj_next(s);
		n = 4, base = 16, max = PJ_RUNE_MAX;
		break;
	case 'U':
		pj_next(s);
		n = 8, base = 16, max = PJ_RUNE_MAX;
		break;
	default:
		pj_scan_error(s, start, s->ch == PJ_EOF ? "escape sequence not terminated" : "unknown escape sequence");
		return;
	}
	uint32_t x = 0;
	for (; n > 0; n--) {
		uint32_t d = (uint32_t)pj_digit_val(s->ch);
		if (d >= base) {
			if (s->ch == PJ_EOF) {
				pj_scan_error(s, start, "escape sequence not terminated");
				return;
			}
			char u[32], msg[96];
			pj_unicode_format(s->ch, u);
			snprintf(msg, sizeof(msg), "illegal character %s in escape sequence", u);
			pj_scan_error(s, start, msg);
			return;
		}
		x = x * base + d;
		pj_next(s);
	}
	if (x > max || (x >= 0xD800 && x < 0xE000))
		pj_scan_error(s, start, "escape sequence is invalid Unicode code point");
}

/* The opening quote is consumed; start is its offset. */
static void pj_scan_string(pj_scanner *s, size_t start, int32_t until, bool escape, bool multiline)
{
	for (;;) {
		int32_t ch = s->ch;
		if ((!multiline && ch == '\n') || ch == PJ_EOF) {
			pj_scan_error(s, start, "string literal not terminated");
			return;
		}
		pj_next(s);
		if (ch == until)
			return;
		if (escape && ch == '\\')
			pj_scan_escape(s);
	}
}

/* The first '/' is consumed and s->ch is the second character ('/' or '*'). */
static void pj_scan_comment(pj_scanner *s, size_t start)
{
	if (s->ch == '/') {
		while (s->ch != '\n' && s->ch != PJ_EOF)
			pj_next(s);
		return;
	}
	pj_next(s);
	while (s->ch != PJ_EOF) {
		int32_t ch = s->ch;
		pj_next(s);
		if (ch == '*' && s->ch == '/') {
			pj_next(s);
			return;
		}
	}
	pj_scan_error(s, start, "block comment not terminated");
}

static void pj_rewind(pj_scanner *s, size_t slash)
{
	s->ch = '/';
	s->off = slash;
	s->roff = slash + 1;
}

/*
 * With a terminator pending, a comment counts as the line end if it runs to
 * the end of the line (or EOF), possibly after more comments. Looks ahead
 * without consuming; the first '/' is at slash and already consumed.
 */
static bool pj_find_line_end(pj_scanner *s, size_t slash)
{
	bool found = false;
	while (s->ch == '/' || s->ch == '*') {
		if (s->ch == '/') {
			found = true;
			break;
		}
		pj_next(s);
		bool newline = false;
		while (s->ch != PJ_EOF) {
			int32_t ch = s->ch;
			if (ch == '\n') {
				newline = true;
				break;
			}
			pj_next(s);
			if (ch == '*' && s->ch == '/') {
				pj_next(s);
				break;
			}
		}
		if (newline) {
			found = true;
			break;
		}
		pj_skip_whitespace(s);
		if (s->ch == PJ_EOF || s->ch == '\n') {
			found = true;
			break;
		}
		if (s->ch != '/')
			break;
		pj_next(s);
	}
	pj_rewind(s, slash);
	pj_next(s);
	return found;
}

static pj_tok pj_switch2(pj_scanner *s, pj_tok one, pj_tok two, int32_t second)
{
	if (s->ch != second)
		return one;
	pj_next(s);
	return two;
}

static pj_tok pj_scan_keyword(const pj_scanner *s, size_t start)
{
	size_t n = s->off - start;
	const char *t = (const char *)s->in + start;
	if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 5 && memcmp(t, "false", 5) == 0))
		return PJ_TOK_BOOL;
	if (n == 4 && memcmp(t, "null", 4) == 0)
		return PJ_TOK_NULL;
	return PJ_TOK_IDENT;
}

/* Tokens after which a line end terminates the statement (spec 1.6). */
static bool pj_ends_statement(pj_tok tok)
{
	switch (tok) {
	case PJ_TOK_IDENT: case PJ_TOK_BOOL: case PJ_TOK_NULL: case PJ_TOK_NUMBER: case PJ_TOK_FLOAT:
	case PJ_TOK_STRING: case PJ_TOK_RPAREN: case PJ_TOK_RBRACK: case PJ_TOK_RCURLY:
		return true;
	default:
		return false;
	}
}

static pj_tok pj_scan_operator(pj_scanner *s, int32_t ch, size_t start)
{
	switch (ch) {
	case '|':
		if (s->ch != '|')
			pj_scan_error(s, s->off, "missing second | in ||");
		else
			pj_next(s);
		return PJ_TOK_OR;
	case '&':
		if (s->ch != '&')
			pj_scan_error(s, s->off, "missing second & in &&");
		else
			pj_next(s);
		return PJ_TOK_AND;
	case '!': return pj_switch2(s, PJ_TOK_NOT, PJ_TOK_NEQ, '=');
	case '=': return pj_switch2(s, PJ_TOK_ASSIGN, PJ_TOK_EQ, '=');
	case '<': return pj_switch2(s, PJ_TOK_LT, PJ_TOK_LTE, '=');
	case '>': return pj_switch2(s, PJ_TOK_GT, PJ_TOK_GTE, '=');
	case '+': return PJ_TOK_ADD;
	case '-': return PJ_TOK_SUB;
	case '*': return PJ_TOK_MUL;
	case '/': return PJ_TOK_DIV;
	case '%': return PJ_TOK_MOD;
	case '^': return PJ_TOK_POW;
	case '{': return PJ_TOK_LCURLY;
	case '}': return PJ_TOK_RCURLY;
	case '(': return PJ_TOK_LPAREN;
	case ')': return PJ_TOK_RPAREN;
	case '[': return PJ_TOK_LBRACK;
	case ']': return PJ_TOK_RBRACK;
	case ',': return PJ_TOK_COMMA;
	case '.': return PJ_TOK_DOT;
	default:
		break;
	}
	/* The BOM case was already reported when it was read. */
	if (ch != PJ_BOM) {
		char u[32], msg[96];
		pj_unicode_format(ch, u);
		snprintf(msg, sizeof(msg), "illegal character %s", u);
		pj_scan_error(s, start, msg);
	}
	return PJ_TOK_ILLEGAL;
}

static pj_token pj_make(pj_tok tok, size_t start, size_t end)
{
	pj_token t = {tok, {(uint32_t)start, (uint32_t)end}};
	return t;
}

pj_token pj_scanner_next(pj_scanner *s)
{
	for (;;) {
		pj_skip_whitespace(s);
		size_t start = s->off;
		int32_t ch = s->ch;
		pj_tok tok;
		bool insert = false;

		if (pj_is_letter(ch)) {
			pj_scan_identifier(s);
			tok = pj_scan_keyword(s, start);
			insert = true;
		} else if (pj_is_decimal(ch) || (ch == '.' && pj_is_decimal(pj_peek(s)))) {
			tok = pj_scan_number(s);
			insert = true;
		} else {
			pj_next(s);
			switch (ch) {
			case PJ_EOF:
				if (s->insert_term) {
					s->insert_term = false;
					return pj_make(PJ_TOK_TERMINATOR, start, start);
				}
				return pj_make(PJ_TOK_EOF, start, start);
			case '\n':
				/* Only reached with a terminator pending: other newlines are whitespace. */
				s->insert_term = false;
				return pj_make(PJ_TOK_TERMINATOR, start, start + 1);
			case '\'':
				pj_scan_error(s, start, "illegal single-quoted string; use double quotes");
				pj_scan_string(s, start, '\'', true, false);
				tok = PJ_TOK_ILLEGAL;
				insert = true;
				break;
			case '"':
				pj_scan_string(s, start, '"', true, false);
				tok = PJ_TOK_STRING;
				insert = true;
				break;
			case '`':
				pj_scan_string(s, start, '`', false, true);
				tok = PJ_TOK_STRING;
				insert = true;
				break;
			case '/':
				if (s->ch != '/' && s->ch != '*') {
					tok = PJ_TOK_DIV;
					break;
				}
				if (s->insert_term && pj_find_line_end(s, start)) {
					pj_rewind(s, start);
					s->insert_term = false;
					return pj_make(PJ_TOK_TERMINATOR, start, start);
				}
				pj_scan_comment(s, start);
				if (!s->comments) {
					s->insert_term = false;
					continue;
				}
				tok = PJ_TOK_COMMENT;
				break;
			default:
				tok = pj_scan_operator(s, ch, start);
				insert = tok == PJ_TOK_ILLEGAL ? s->insert_term : pj_ends_statement(tok);
				break;
			}
		}
		s->insert_term = insert;
		return pj_make(tok, start, s->off);
	}
}

bool pj_scanner_is_identifier(const char *text, size_t len)
{
	pj_source src = {.name = "", .text = (char *)text, .len = len};
	pj_scanner s;
	pj_scanner_init(&s, &src, NULL, false);
	pj_token t = pj_scanner_next(&s);
	return t.tok == PJ_TOK_IDENT && t.span.start == 0 && t.span.end == len;
}
