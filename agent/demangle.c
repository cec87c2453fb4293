/*
 * A demangler for Itanium C++ ABI symbol names (the scheme GCC and Clang use on Linux), written
 * for the agent, which must not depend on libstdc++'s __cxa_demangle.
 *
 * Output. The text is what GNU c++filt (binutils, default options) prints for the symbol, then
 * cut the way async-profiler names native frames: find the last ')' and drop everything from
 * the '(' that balances it. So "void G1CMTask::process_grey_task_entry<true>(bool) [clone
 * .cold]" becomes "void G1CMTask::process_grey_task_entry<true>"; data names and "vtable for
 * Foo" (no ')') stay whole; "guard variable for f()::x" becomes "guard variable for f". The
 * cut works on the finished text, so it is exactly that rule, whatever declarators the name
 * contains ("void (*A::f())()" becomes "void (*A::f())").
 *
 * Two passes over bounded arrays on the stack: a recursive-descent parser builds a tree of
 * nodes (substitutions point back at earlier nodes, so it is a DAG), then a printer walks it
 * into a text buffer. Template parameters stay unresolved until printing, where they name the
 * arguments of the function template being printed, as in c++filt (which matters when a
 * substitution made inside one template is used inside another). Limits keep hostile input
 * cheap: input length (1024), nodes (768), substitutions (256), recursion depth of both passes
 * (64), printer steps and output length (4096). Hitting any of them, or meeting a construct
 * this file does not implement, makes the function return false with the symbol copied
 * unchanged: it never guesses. Real names need a fifth of those limits.
 *
 * Supported grammar (names from the ABI's <mangled-name> grammar):
 *   _Z <encoding> [.clone-suffix]...   ".cold", ".part.0", ".isra.0", ".constprop.0",... on
 *                                      functions print as " [clone .part.0]"
 *   <encoding>      function (name + bare-function-type, with the return type when the name
 *                   is a template other than a ctor/dtor/conversion), data name, special name
 *   <special-name>  TV TT TI TS (vtable, VTT, typeinfo, typeinfo name), TH TW (TLS init /
 *                   wrapper), Th Tv Tc (thunks), TC (construction vtable), GV (guard
 *                   variable), GTt (transaction clone)
 *   <name>          nested N [r][V][K][R|O] ... E, unscoped, St, local Z <encoding> E name
 *                   [discriminator] and Z...Es (string literal), L (internal linkage)
 *   <unqualified>   source names (_GLOBAL__N -> (anonymous namespace)), operators including
 *                   cv (conversion), li (literal operator), ctors C1-C5, dtors D0 D1 D2 D4 D5
 *                   (named after the last source name outside template arguments, as c++filt
 *                   does), unnamed types Ut[n]_, closures Ul<types>E[n]_, ABI tags B<name>
 *   <substitution>  S_, S<seq>_, St, Sa, Sb, Ss, Si, So, Sd (printed in full, as c++filt does)
 *   <type>          builtins (incl. Dn Da Dc Dd De Df Dh Di Ds Du DF<n>_), u vendor types,
 *                   r V K qualifiers, P R O, F...E function types (with R/O ref-qualifier and
 *                   Do noexcept), A<n>_ / A_ / A<T_>_ arrays, M pointer to member, T_ / T<n>_
 *                   template parameters (also with template args), Dp pack expansions
 *                   (expanded element by element), class names
 *   <template-args> I...E with types, L literals (integer types, bool, nullptr, L_Z), J packs,
 *                   X...E expressions limited to template parameters, literals and unary &
 * c++filt's printing habits reproduced: "> >" between closing brackets (but ">>" after a
 * dropped empty pack), reference collapsing through template parameters and substitutions,
 * a qualifier the operand already has printed once, "&A::f" versus "&(f())" for addresses.
 * Not supported (false): decltype, most expressions, vector types, default-argument scopes,
 * member-initializer closures, reference temporaries, forward template references, and
 * malformed names c++filt renders in its own odd ways (repeated or out-of-order qualifiers,
 * references to references, qualifiers on data names, member pointers to member pointers).
 *
 * Checked by tests/integration/agent_demangle.sh against c++filt on every libjvm symbol of JDK
 * 17 and 25 plus libstdc++'s (124k names: all but 2 claimed, which c++filt cannot demangle
 * either, and none different) and on a seeded mutant of each.
 */
#include "demangle.h"

#include <stdint.h>
#include <string.h>

#define DM_MAX_IN 1024      /* longer symbols are not demangled */
#define DM_MAX_NODES 768
#define DM_MAX_SUBS 256
#define DM_MAX_DEPTH 64     /* parser and printer recursion */
#define DM_MAX_TEXT 4096    /* c++filt text before the cut */
#define DM_MAX_STEPS 200000 /* printer node visits */

enum {
	K_NAME,     /* s,len */
	K_CTOR,     /* s,len: a constructor name */
	K_DTOR,     /* a: ~a */
	K_CONV,     /* a: operator <type> */
	K_NESTED,   /* a::b */
	K_TEMPLATE, /* a<b...> */
	K_LIST,     /* a, then b (next cell or -1) */
	K_PACK,     /* a: list of the pack's elements (or -1) */
	K_PACKEXP,  /* a... */
	K_QUAL,     /* a with cv flags */
	K_PTR,      /* a* */
	K_LREF,     /* a& */
	K_RREF,     /* a&& */
	K_PTRMEM,   /* b a::* (a class, b member type) */
	K_FUNC,     /* a return type (or -1), b parameter list (or -1); flags ref-qual/noexcept */
	K_ARRAY,    /* a element, s,len dimension or b its template parameter */
	K_ENC,      /* a name, b K_FUNC or -1, flags method qualifiers, num 1 = hide return */
	K_SPECIAL,  /* s,len text then a */
	K_CTORVT,   /* construction vtable: b-in-a */
	K_LOCAL,    /* a::b */
	K_CLONE,    /* a [clone s] */
	K_ABI,      /* a[abi:s] */
	K_LAMBDA,   /* {lambda(a)#num} */
	K_UNNAMED,  /* {unnamed type#num} */
	K_LIT,      /* a type, s,len digits, flags 1 = negative */
	K_LITENC,   /* a encoding */
	K_ADDR,     /* &(a) */
	K_TPARAM,   /* template parameter num, resolved while printing */
};

/* qualifier flags */
#define Q_CONST 1
#define Q_VOLATILE 2
#define Q_RESTRICT 4
#define Q_LREF 8
#define Q_RREF 16
#define Q_NOEXCEPT 32
/* K_NAME flags */
#define NAME_STD 1 /* the namespace St stands for */

typedef struct dm_node {
	const char *s;
	uint16_t len;
	uint8_t kind, flags;
	int16_t a, b;
	uint16_t num;
} dm_node;

typedef struct dm_parser {
	const char *p, *end;
	int nn, ns, depth;
	int targs; /* K_LIST of the template args T_ refers to, or -1 */
	/* The last source name read outside template arguments: the name c++filt gives a
	   constructor or destructor (also after an operator name, as in "A::operator<::A"). */
	const char *last_name;
	size_t last_len;
	dm_node nodes[DM_MAX_NODES];
	int16_t subs[DM_MAX_SUBS];
} dm_parser;

#define FAIL (-1)

static int mk(dm_parser *P, int kind, int a, int b)
{
	if (P->nn >= DM_MAX_NODES)
		return FAIL;
	dm_node *n = &P->nodes[P->nn];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->a = (int16_t)a;
	n->b = (int16_t)b;
	return P->nn++;
}

static int mk_text(dm_parser *P, int kind, const char *s, size_t len)
{
	int n = mk(P, kind, -1, -1);
	if (n != FAIL) {
		P->nodes[n].s = s;
		P->nodes[n].len = (uint16_t)len;
	}
	return n;
}

static int mk_str(dm_parser *P, const char *s)
{
	return mk_text(P, K_NAME, s, strlen(s));
}

static bool add_sub(dm_parser *P, int node)
{
	if (node == FAIL || P->ns >= DM_MAX_SUBS)
		return false;
	P->subs[P->ns++] = (int16_t)node;
	return true;
}

static inline char peek(const dm_parser *P)
{
	return P->p < P->end ? *P->p : '\0';
}

static inline char peek2(const dm_parser *P)
{
	return P->p + 1 < P->end ? P->p[1] : '\0';
}

static inline bool eat(dm_parser *P, char c)
{
	if (peek(P) == c) {
		P->p++;
		return true;
	}
	return false;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* <number>: decimal, at most 9 digits; *out < 0 never. */
static bool parse_number(dm_parser *P, long *out)
{
	if (!is_digit(peek(P)))
		return false;
	long v = 0;
	int digits = 0;
	while (is_digit(peek(P))) {
		if (++digits > 9)
			return false;
		v = v * 10 + (*P->p++ - '0');
	}
	*out = v;
	return true;
}

/* [<number>] _ as used by Ut, Ul, T and S: returns 0 for "_", n+1 for "<n>_". */
static bool parse_opt_number_(dm_parser *P, long *out)
{
	long v = 0;
	if (eat(P, '_')) {
		*out = 0;
		return true;
	}
	if (!parse_number(P, &v) || !eat(P, '_'))
		return false;
	*out = v + 1;
	return true;
}

/* <seq-id> _ in base 36: "_" -> 0, "<id>_" -> id+1. */
static bool parse_seq_(dm_parser *P, long *out)
{
	long v = 0;
	if (eat(P, '_')) {
		*out = 0;
		return true;
	}
	int digits = 0;
	for (;;) {
		char c = peek(P);
		int d;
		if (is_digit(c))
			d = c - '0';
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else
			break;
		if (++digits > 5)
			return false;
		v = v * 36 + d;
		P->p++;
	}
	if (digits == 0 || !eat(P, '_'))
		return false;
	*out = v + 1;
	return true;
}

/* discriminator: _ <digit> | __ <number> _ (ignored in the output). Read the way c++filt
   reads it, which also takes "_", "_12" and "__5" and refuses "__5_". */
static bool skip_discriminator(dm_parser *P)
{
	if (!eat(P, '_'))
		return true;
	bool two = eat(P, '_');
	if (peek(P) == 'n')
		return false;
	long v = 0;
	int digits = 0;
	while (is_digit(peek(P))) {
		if (++digits > 9)
			return false;
		v = v * 10 + (*P->p++ - '0');
	}
	if (two && v >= 10)
		return eat(P, '_');
	return true;
}

static int parse_type(dm_parser *P);
static int parse_name(dm_parser *P);
static int parse_name_q(dm_parser *P, unsigned *quals);
static int parse_encoding(dm_parser *P, bool local, bool hide_ret);
static int parse_template_args(dm_parser *P);

static bool enter(dm_parser *P)
{
	return ++P->depth <= DM_MAX_DEPTH;
}

static int leave(dm_parser *P, int r)
{
	P->depth--;
	return r;
}

static int parse_source_name(dm_parser *P)
{
	long len;
	if (!parse_number(P, &len) || len <= 0 || len > P->end - P->p)
		return FAIL;
	const char *s = P->p;
	P->p += len;
	P->last_name = s;
	P->last_len = (size_t)len;
	if (len >= 10 && memcmp(s, "_GLOBAL_", 8) == 0 && (s[8] == '.' || s[8] == '_' || s[8] == '$') &&
	    s[9] == 'N')
		return mk_str(P, "(anonymous namespace)");
	return mk_text(P, K_NAME, s, (size_t)len);
}

static const struct {
	char code[3];
	const char *text;
} operators[] = {
	{"nw", "operator new"}, {"na", "operator new[]"}, {"dl", "operator delete"},
	{"da", "operator delete[]"}, {"aw", "operator co_await"}, {"ps", "operator+"},
	{"ng", "operator-"}, {"ad", "operator&"}, {"de", "operator*"}, {"co", "operator~"},
	{"pl", "operator+"}, {"mi", "operator-"}, {"ml", "operator*"}, {"dv", "operator/"},
	{"rm", "operator%"}, {"an", "operator&"}, {"or", "operator|"}, {"eo", "operator^"},
	{"aS", "operator="}, {"pL", "operator+="}, {"mI", "operator-="}, {"mL", "operator*="},
	{"dV", "operator/="}, {"rM", "operator%="}, {"aN", "operator&="}, {"oR", "operator|="},
	{"eO", "operator^="}, {"ls", "operator<<"}, {"rs", "operator>>"}, {"lS", "operator<<="},
	{"rS", "operator>>="}, {"eq", "operator=="}, {"ne", "operator!="}, {"lt", "operator<"},
	{"gt", "operator>"}, {"le", "operator<="}, {"ge", "operator>="}, {"ss", "operator<=>"},
	{"nt", "operator!"}, {"aa", "operator&&"}, {"oo", "operator||"}, {"pp", "operator++"},
	{"mm", "operator--"}, {"cm", "operator,"}, {"pm", "operator->*"}, {"pt", "operator->"},
	{"cl", "operator()"}, {"ix", "operator[]"}, {"qu", "operator?"},
};

/* Ul <types> E [<number>] _ : a closure type */
static int parse_lambda(dm_parser *P)
{
	int head = -1, tail = -1;
	bool only_void = false;
	int count = 0;
	while (peek(P) != 'E') {
		if (peek(P) == '\0')
			return FAIL;
		bool v = peek(P) == 'v';
		int t = parse_type(P);
		if (t == FAIL)
			return FAIL;
		only_void = (count == 0 && v);
		count++;
		int cell = mk(P, K_LIST, t, -1);
		if (cell == FAIL)
			return FAIL;
		if (tail < 0)
			head = cell;
		else
			P->nodes[tail].b = (int16_t)cell;
		tail = cell;
	}
	P->p++;
	long n;
	if (!parse_opt_number_(P, &n))
		return FAIL;
	int r = mk(P, K_LAMBDA, (count == 1 && only_void) ? -1 : head, -1);
	if (r != FAIL)
		P->nodes[r].num = (uint16_t)(n + 1);
	return r;
}

/* <unqualified-name> [<abi-tags>] (no ctor/dtor: nested names handle those). */
static int parse_unqualified(dm_parser *P)
{
	int r = FAIL;
	char c;
	if (eat(P, 'L')) {
		/* internal linkage: L <source-name>, the L not printed */
		if (!is_digit(peek(P)))
			return FAIL;
		r = parse_source_name(P);
		if (r == FAIL)
			return FAIL;
		c = '\0';
	} else {
		c = peek(P);
	}
	if (r != FAIL) {
		/* done */
	} else if (is_digit(c)) {
		r = parse_source_name(P);
	} else if (c == 'U' && peek2(P) == 't') {
		P->p += 2;
		long n;
		if (!parse_opt_number_(P, &n))
			return FAIL;
		r = mk(P, K_UNNAMED, -1, -1);
		if (r != FAIL)
			P->nodes[r].num = (uint16_t)(n + 1);
	} else if (c == 'U' && peek2(P) == 'l') {
		P->p += 2;
		r = parse_lambda(P);
	} else if (c == 'c' && peek2(P) == 'v') {
		P->p += 2;
		int t = parse_type(P);
		if (t == FAIL)
			return FAIL;
		r = mk(P, K_CONV, t, -1);
	} else if (c == 'l' && peek2(P) == 'i') {
		P->p += 2;
		int n = parse_source_name(P);
		if (n == FAIL)
			return FAIL;
		int op = mk_str(P, "operator\"\" ");
		r = op == FAIL ? FAIL : mk(P, K_NESTED, op, n);
		if (r != FAIL)
			P->nodes[r].flags = 1; /* no "::" */
	} else if (is_lower(c)) {
		for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
			if (operators[i].code[0] == c && operators[i].code[1] == peek2(P)) {
				P->p += 2;
				r = mk_str(P, operators[i].text);
				break;
			}
		}
	}
	while (r != FAIL && peek(P) == 'B') {
		P->p++;
		long len;
		if (!parse_number(P, &len) || len <= 0 || len > P->end - P->p)
			return FAIL;
		r = mk(P, K_ABI, r, -1);
		if (r == FAIL)
			return FAIL;
		P->nodes[r].s = P->p;
		P->nodes[r].len = (uint16_t)len;
		P->p += len;
	}
	return r;
}

/* The name a constructor or destructor of `prefix` prints: the last source name read. */
static int ctor_name(dm_parser *P, int prefix)
{
	if (prefix < 0 || !P->last_name)
		return FAIL;
	const dm_node *n = &P->nodes[prefix];
	if ((n->kind == K_NAME && (n->flags & NAME_STD)) || n->kind == K_CTOR || n->kind == K_DTOR)
		return FAIL; /* "std" is no class; nor is a constructor */
	return mk_text(P, K_CTOR, P->last_name, P->last_len);
}

static const struct {
	char code;
	const char *text;
	uint16_t ctor; /* offset of the class name in text */
} std_subs[] = {
	{'a', "std::allocator", 5},
	{'b', "std::basic_string", 5},
	{'s', "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", 5},
	{'i', "std::basic_istream<char, std::char_traits<char> >", 5},
	{'o', "std::basic_ostream<char, std::char_traits<char> >", 5},
	{'d', "std::basic_iostream<char, std::char_traits<char> >", 5},
};

/* S... substitution (not St): returns the node it names. */
static int parse_substitution(dm_parser *P)
{
	if (!eat(P, 'S'))
		return FAIL;
	char c = peek(P);
	if (is_lower(c)) {
		for (size_t i = 0; i < sizeof std_subs / sizeof std_subs[0]; i++) {
			if (std_subs[i].code == c) {
				P->p++;
				int r = mk_str(P, std_subs[i].text);
				if (r != FAIL)
					P->nodes[r].num = std_subs[i].ctor;
				P->last_name = std_subs[i].text + std_subs[i].ctor;
				P->last_len = strcspn(P->last_name, "<");
				return r;
			}
		}
		return FAIL;
	}
	long id;
	if (!parse_seq_(P, &id) || id >= P->ns)
		return FAIL;
	return P->subs[id];
}

static int parse_template_param(dm_parser *P)
{
	if (!eat(P, 'T'))
		return FAIL;
	long idx;
	/* c++filt resolves a parameter against the template whose function it is printing, not
	   the one it was mangled in; so does print(). Parsing only insists on some template. */
	if (!parse_opt_number_(P, &idx) || P->targs < 0 || idx > 1000)
		return FAIL;
	int r = mk(P, K_TPARAM, -1, -1);
	if (r != FAIL)
		P->nodes[r].num = (uint16_t)idx;
	return r;
}

/* N [<CV-qualifiers>] [<ref-qualifier>] <prefix> <unqualified-name> E; *quals gets them */
static int parse_nested(dm_parser *P, unsigned *quals)
{
	if (!eat(P, 'N'))
		return FAIL;
	unsigned q = 0;
	if (eat(P, 'r'))
		q |= Q_RESTRICT;
	if (eat(P, 'V'))
		q |= Q_VOLATILE;
	if (eat(P, 'K'))
		q |= Q_CONST;
	if (peek(P) == 'r' || peek(P) == 'V' || peek(P) == 'K')
		return FAIL; /* qualifiers out of order: c++filt reads them differently */
	if (eat(P, 'R'))
		q |= Q_LREF;
	else if (eat(P, 'O'))
		q |= Q_RREF;
	*quals = q;
	int cur = -1;
	bool bare = false; /* the last component was a substitution or template parameter */
	for (;;) {
		char c = peek(P);
		if (c == 'E') {
			if (cur < 0 || bare)
				return FAIL; /* c++filt rejects N S_ E and N E */
			P->p++;
			break;
		}
		bare = (c == 'S' || c == 'T');
		int comp;
		if (c == 'S' && peek2(P) == 't') {
			P->p += 2;
			if (cur >= 0)
				return FAIL;
			cur = mk_str(P, "std");
			if (cur == FAIL)
				return FAIL;
			P->nodes[cur].flags = NAME_STD;
			continue;
		} else if (c == 'S') {
			if (cur >= 0)
				return FAIL;
			cur = parse_substitution(P);
			if (cur == FAIL)
				return FAIL;
			continue;
		} else if (c == 'I') {
			if (cur < 0)
				return FAIL;
			int args = parse_template_args(P);
			if (args == FAIL)
				return FAIL;
			cur = mk(P, K_TEMPLATE, cur, args);
			if (cur == FAIL)
				return FAIL;
			if (peek(P) != 'E' && !add_sub(P, cur))
				return FAIL;
			continue;
		} else if (c == 'T') {
			if (cur >= 0)
				return FAIL;
			cur = parse_template_param(P);
			if (cur == FAIL || !add_sub(P, cur))
				return FAIL;
			continue;
		} else if (c == 'C' && ((peek2(P) >= '1' && peek2(P) <= '5') || peek2(P) == 'I')) {
			if (peek2(P) == 'I')
				return FAIL; /* inheriting constructors */
			P->p += 2;
			comp = ctor_name(P, cur);
			if (comp == FAIL || peek(P) == 'B')
				return FAIL;
		} else if (c == 'D' && strchr("01245", peek2(P)) && peek2(P) != '\0') {
			P->p += 2;
			int n = ctor_name(P, cur);
			comp = n == FAIL ? FAIL : mk(P, K_DTOR, n, -1);
			if (comp == FAIL)
				return FAIL;
		} else if (c == 'M' || c == 'D' || c == '\0') {
			return FAIL; /* member-initializer closures, decltype prefixes */
		} else {
			comp = parse_unqualified(P);
			if (comp == FAIL)
				return FAIL;
		}
		cur = cur < 0 ? comp : mk(P, K_NESTED, cur, comp);
		if (cur == FAIL)
			return FAIL;
		if (peek(P) != 'E' && !add_sub(P, cur))
			return FAIL;
	}
	return cur;
}

/* Z <encoding> E <entity name> [<discriminator>] | Z <encoding> E s [<discriminator>] */
static int parse_local(dm_parser *P, unsigned *quals)
{
	if (!eat(P, 'Z'))
		return FAIL;
	int enc = parse_encoding(P, true, true);
	if (enc == FAIL || !eat(P, 'E'))
		return FAIL;
	int ent;
	if (eat(P, 's')) {
		ent = mk_str(P, "string literal");
	} else if (peek(P) == 'd') {
		return FAIL;
	} else {
		ent = parse_name_q(P, quals); /* the entity's qualifiers are the function's */
	}
	if (ent == FAIL || !skip_discriminator(P))
		return FAIL;
	return mk(P, K_LOCAL, enc, ent);
}

static int parse_name_q(dm_parser *P, unsigned *quals)
{
	*quals = 0;
	char c = peek(P);
	if (c == 'N')
		return parse_nested(P, quals);
	if (c == 'Z')
		return parse_local(P, quals);
	int r;
	if (c == 'S' && peek2(P) == 't') {
		P->p += 2;
		int std = mk_str(P, "std");
		int u = parse_unqualified(P);
		if (std == FAIL || u == FAIL)
			return FAIL;
		r = mk(P, K_NESTED, std, u);
	} else if (c == 'S') {
		r = parse_substitution(P);
		if (r == FAIL || peek(P) != 'I')
			return FAIL;
		int args = parse_template_args(P);
		return args == FAIL ? FAIL : mk(P, K_TEMPLATE, r, args);
	} else {
		r = parse_unqualified(P);
	}
	if (r == FAIL)
		return FAIL;
	if (peek(P) == 'I') {
		if (!add_sub(P, r))
			return FAIL;
		int args = parse_template_args(P);
		if (args == FAIL)
			return FAIL;
		r = mk(P, K_TEMPLATE, r, args);
	}
	return r;
}

static int parse_name(dm_parser *P)
{
	unsigned q;
	return parse_name_q(P, &q);
}

/* A name that is not a function's: method qualifiers make no sense on it. */
static int parse_data_name(dm_parser *P)
{
	unsigned q;
	int r = parse_name_q(P, &q);
	return q ? FAIL : r;
}

/* The parameter types of a function encoding, up to 'E', '.' or (when stop_at_end) the end of
   the input, as a K_LIST in *out: -1 for the single "v". Returns 0, or FAIL. */
static int parse_type_list(dm_parser *P, bool stop_at_end, int *out)
{
	int head = -1, tail = -1, count = 0;
	bool first_void = false;
	for (;;) {
		char c = peek(P);
		if (c == 'E' || c == '.' || c == '\0') {
			if (c == '\0' && !stop_at_end)
				return FAIL;
			break;
		}
		if (count == 0)
			first_void = c == 'v';
		int t;
		if (c == 'z') {
			P->p++;
			t = mk_str(P, "...");
		} else {
			t = parse_type(P);
		}
		if (t == FAIL)
			return FAIL;
		int cell = mk(P, K_LIST, t, -1);
		if (cell == FAIL)
			return FAIL;
		if (tail < 0)
			head = cell;
		else
			P->nodes[tail].b = (int16_t)cell;
		tail = cell;
		count++;
	}
	if (count == 0)
		return FAIL;
	*out = (count == 1 && first_void) ? -1 : head;
	return 0;
}

/* F [Y] <return type> <parameter types> [<ref-qualifier>] E */
static int parse_function_type(dm_parser *P)
{
	if (!eat(P, 'F'))
		return FAIL;
	eat(P, 'Y');
	int ret = parse_type(P);
	if (ret == FAIL)
		return FAIL;
	int head = -1, tail = -1, count = 0;
	bool first_void = false;
	unsigned flags = 0;
	for (;;) {
		char c = peek(P);
		if (c == 'E')
			break;
		if ((c == 'R' || c == 'O') && peek2(P) == 'E') {
			flags |= c == 'R' ? Q_LREF : Q_RREF;
			P->p++;
			break;
		}
		if (c == '\0')
			return FAIL;
		if (count == 0)
			first_void = c == 'v';
		int t;
		if (c == 'z') {
			P->p++;
			t = mk_str(P, "...");
		} else {
			t = parse_type(P);
		}
		if (t == FAIL)
			return FAIL;
		int cell = mk(P, K_LIST, t, -1);
		if (cell == FAIL)
			return FAIL;
		if (tail < 0)
			head = cell;
		else
			P->nodes[tail].b = (int16_t)cell;
		tail = cell;
		count++;
	}
	P->p++;
	if (count == 0)
		return FAIL;
	int f = mk(P, K_FUNC, ret, (count == 1 && first_void) ? -1 : head);
	if (f != FAIL)
		P->nodes[f].flags = (uint8_t)flags;
	return f;
}

static const struct {
	char code;
	const char *text;
} builtins[] = {
	{'v', "void"}, {'w', "wchar_t"}, {'b', "bool"}, {'c', "char"}, {'a', "signed char"},
	{'h', "unsigned char"}, {'s', "short"}, {'t', "unsigned short"}, {'i', "int"},
	{'j', "unsigned int"}, {'l', "long"}, {'m', "unsigned long"}, {'x', "long long"},
	{'y', "unsigned long long"}, {'n', "__int128"}, {'o', "unsigned __int128"},
	{'f', "float"}, {'d', "double"}, {'e', "long double"}, {'g', "__float128"},
};

static const struct {
	char code;
	const char *text;
} builtins_d[] = {
	{'d', "decimal64"}, {'e', "decimal128"}, {'f', "decimal32"}, {'h', "half"},
	{'i', "char32_t"}, {'s', "char16_t"}, {'u', "char8_t"}, {'a', "auto"},
	{'c', "decltype(auto)"}, {'n', "decltype(nullptr)"},
};

static int builtin_type(dm_parser *P)
{
	char c = peek(P);
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
		if (builtins[i].code == c) {
			P->p++;
			int r = mk_str(P, builtins[i].text);
			if (r != FAIL)
				P->nodes[r].num = (uint16_t)(c + 1); /* the code, for literals */
			return r;
		}
	}
	if (c == 'D') {
		char d = peek2(P);
		for (size_t i = 0; i < sizeof builtins_d / sizeof builtins_d[0]; i++) {
			if (builtins_d[i].code == d) {
				P->p += 2;
				return mk_str(P, builtins_d[i].text);
			}
		}
	}
	return FAIL;
}

static int parse_type_inner(dm_parser *P)
{
	char c = peek(P);
	int r, t;
	switch (c) {
	case 'r':
	case 'V':
	case 'K': {
		unsigned q = 0;
		if (eat(P, 'r'))
			q |= Q_RESTRICT;
		if (eat(P, 'V'))
			q |= Q_VOLATILE;
		if (eat(P, 'K'))
			q |= Q_CONST;
		if (peek(P) == 'r' || peek(P) == 'V' || peek(P) == 'K')
			return FAIL; /* repeated or out of order: no compiler writes that */
		/* qualifiers on a function type (of a member function) make one candidate, the
		   unqualified function type is none */
		t = peek(P) == 'F' ? parse_function_type(P) : parse_type(P);
		if (t == FAIL)
			return FAIL;
		r = mk(P, K_QUAL, t, -1);
		if (r != FAIL)
			P->nodes[r].flags = (uint8_t)q;
		break;
	}
	case 'P':
	case 'R':
	case 'O':
		P->p++;
		if (c != 'P' && (peek(P) == 'R' || peek(P) == 'O'))
			return FAIL; /* a reference to a reference is never mangled */
		t = parse_type(P);
		if (t == FAIL)
			return FAIL;
		r = mk(P, c == 'P' ? K_PTR : c == 'R' ? K_LREF : K_RREF, t, -1);
		break;
	case 'F':
		r = parse_function_type(P);
		break;
	case 'A': {
		/* A <number> _ <type>, A _ <type>, or A <template param> _ <type> */
		P->p++;
		const char *d = P->p;
		long n;
		int dim = -1;
		if (peek(P) == 'T') {
			dim = parse_template_param(P);
			if (dim == FAIL)
				return FAIL;
		} else if (peek(P) != '_' && !parse_number(P, &n)) {
			return FAIL; /* expression dimensions are not supported */
		}
		size_t dl = (size_t)(P->p - d);
		if (!eat(P, '_'))
			return FAIL;
		t = parse_type(P);
		if (t == FAIL)
			return FAIL;
		r = mk(P, K_ARRAY, t, dim);
		if (r != FAIL) {
			P->nodes[r].s = d;
			P->nodes[r].len = (uint16_t)dl;
		}
		break;
	}
	case 'M': {
		P->p++;
		int cls = parse_type(P);
		if (cls == FAIL)
			return FAIL;
		int ck = P->nodes[cls].kind;
		if (ck != K_NAME && ck != K_NESTED && ck != K_TEMPLATE && ck != K_TPARAM && ck != K_LOCAL &&
		    ck != K_ABI)
			return FAIL; /* the class of a member pointer is a class */
		t = parse_type(P);
		if (t == FAIL)
			return FAIL;
		int tk = P->nodes[t].kind == K_QUAL ? P->nodes[P->nodes[t].a].kind : P->nodes[t].kind;
		if (tk == K_PTRMEM)
			return FAIL; /* member pointer to member pointer: c++filt's layout not reproduced */
		r = mk(P, K_PTRMEM, cls, t);
		break;
	}
	case 'T':
		r = parse_template_param(P);
		if (r == FAIL)
			return FAIL;
		if (peek(P) == 'I') {
			if (!add_sub(P, r))
				return FAIL;
			int args = parse_template_args(P);
			if (args == FAIL)
				return FAIL;
			r = mk(P, K_TEMPLATE, r, args);
		}
		break;
	case 'S':
		if (peek2(P) == 't') {
			r = parse_name(P);
			break;
		}
		r = parse_substitution(P);
		if (r == FAIL)
			return FAIL;
		if (peek(P) != 'I')
			return r; /* a substitution is not a new candidate */
		{
			int args = parse_template_args(P);
			if (args == FAIL)
				return FAIL;
			r = mk(P, K_TEMPLATE, r, args);
		}
		break;
	case 'N': {
		unsigned q;
		r = parse_name_q(P, &q);
		if (q)
			return FAIL; /* method qualifiers on a type name */
		break;
	}
	case 'Z':
		r = parse_name(P);
		break;
	case 'u':
		P->p++;
		r = parse_source_name(P);
		break;
	case 'D':
		switch (peek2(P)) {
		case 'p':
			P->p += 2;
			t = parse_type(P);
			if (t == FAIL)
				return FAIL;
			r = mk(P, K_PACKEXP, t, -1);
			break;
		case 'o':
			P->p += 2;
			if (peek(P) != 'F')
				return FAIL;
			r = parse_function_type(P);
			if (r != FAIL)
				P->nodes[r].flags |= Q_NOEXCEPT;
			break;
		case 'F': {
			P->p += 2;
			const char *d = P->p;
			long n;
			if (!parse_number(P, &n) || !eat(P, '_'))
				return FAIL;
			/* c++filt prints _Float<n> */
			int nm = mk_str(P, "_Float");
			int num = mk_text(P, K_NAME, d, (size_t)(P->p - 1 - d));
			if (nm == FAIL || num == FAIL)
				return FAIL;
			r = mk(P, K_NESTED, nm, num);
			if (r != FAIL)
				P->nodes[r].flags = 1;
			return r; /* builtin: no candidate */
		}
		default:
			return builtin_type(P);
		}
		break;
	default:
		if (is_digit(c)) {
			r = parse_name(P);
			break;
		}
		return builtin_type(P); /* builtins are not candidates */
	}
	if (r == FAIL || !add_sub(P, r))
		return FAIL;
	return r;
}

static int parse_type(dm_parser *P)
{
	if (!enter(P))
		return FAIL;
	return leave(P, parse_type_inner(P));
}

/* L <type> <value> E | L _Z <encoding> E (after the 'L') */
static int parse_literal(dm_parser *P)
{
	if (!eat(P, 'L'))
		return FAIL;
	if (peek(P) == '_' && peek2(P) == 'Z') {
		P->p += 2;
		int enc = parse_encoding(P, true, false);
		if (enc == FAIL || !eat(P, 'E'))
			return FAIL;
		return mk(P, K_LITENC, enc, -1);
	}
	int t = parse_type(P);
	if (t == FAIL)
		return FAIL;
	char tc = P->nodes[t].kind == K_NAME && P->nodes[t].num ? (char)(P->nodes[t].num - 1) : 0;
	if (tc == 'f' || tc == 'd' || tc == 'e' || tc == 'g')
		return FAIL; /* floating literals: not supported */
	bool neg = eat(P, 'n');
	const char *d = P->p;
	while (is_digit(peek(P)))
		P->p++;
	if (P->p == d || P->p - d > 40 || !eat(P, 'E'))
		return FAIL;
	int r = mk(P, K_LIT, t, -1);
	if (r != FAIL) {
		P->nodes[r].s = d;
		P->nodes[r].len = (uint16_t)(P->p - 1 - d);
		P->nodes[r].flags = neg;
	}
	return r;
}

/* X <expression> E, limited to what template arguments of real symbols use. */
static int parse_expression(dm_parser *P)
{
	if (!enter(P))
		return FAIL;
	int r = FAIL;
	char c = peek(P);
	if (c == 'L') {
		r = parse_literal(P);
	} else if (c == 'T') {
		r = parse_template_param(P);
	} else if (c == 'a' && peek2(P) == 'd') {
		P->p += 2;
		int e = parse_expression(P);
		r = e == FAIL ? FAIL : mk(P, K_ADDR, e, -1);
	}
	return leave(P, r);
}

static int parse_template_arg(dm_parser *P)
{
	char c = peek(P);
	if (c == 'L')
		return parse_literal(P);
	if (c == 'X') {
		P->p++;
		int e = parse_expression(P);
		if (e == FAIL || !eat(P, 'E'))
			return FAIL;
		return e;
	}
	if (c == 'J') {
		P->p++;
		int head = -1, tail = -1;
		while (!eat(P, 'E')) {
			if (peek(P) == '\0')
				return FAIL;
			int a = parse_template_arg(P);
			int cell = a == FAIL ? FAIL : mk(P, K_LIST, a, -1);
			if (cell == FAIL)
				return FAIL;
			if (tail < 0)
				head = cell;
			else
				P->nodes[tail].b = (int16_t)cell;
			tail = cell;
		}
		return mk(P, K_PACK, head, -1);
	}
	return parse_type(P);
}

static int parse_template_args(dm_parser *P)
{
	if (!enter(P))
		return FAIL;
	if (!eat(P, 'I'))
		return leave(P, FAIL);
	const char *saved_name = P->last_name;
	size_t saved_len = P->last_len;
	int head = -1, tail = -1;
	while (!eat(P, 'E')) {
		if (peek(P) == '\0')
			return leave(P, FAIL);
		int a = parse_template_arg(P);
		int cell = a == FAIL ? FAIL : mk(P, K_LIST, a, -1);
		if (cell == FAIL)
			return leave(P, FAIL);
		if (tail < 0)
			head = cell;
		else
			P->nodes[tail].b = (int16_t)cell;
		tail = cell;
	}
	if (head < 0)
		head = mk(P, K_LIST, -1, -1); /* I E: an empty list, printed <> */
	P->last_name = saved_name;
	P->last_len = saved_len;
	return leave(P, head);
}

/* Whether the function named `name` mangles its return type: templates other than
   constructors, destructors and conversion operators. */
static bool has_return_type(const dm_parser *P, int name)
{
	const dm_node *n = &P->nodes[name];
	if (n->kind == K_LOCAL)
		return has_return_type(P, n->b);
	if (n->kind != K_TEMPLATE)
		return false;
	int inner = n->a;
	for (;;) {
		n = &P->nodes[inner];
		if (n->kind == K_NESTED && !n->flags)
			inner = n->b;
		else if (n->kind == K_ABI)
			inner = n->a;
		else
			break;
	}
	return n->kind != K_CTOR && n->kind != K_DTOR && n->kind != K_CONV;
}

static int special_name(dm_parser *P)
{
	const char *text;
	int inner;
	if (eat(P, 'G')) {
		if (eat(P, 'V')) {
			text = "guard variable for ";
			inner = parse_data_name(P);
		} else if (peek(P) == 'T' && peek2(P) == 't') {
			P->p += 2;
			text = "transaction clone for ";
			inner = parse_encoding(P, false, false);
		} else {
			return FAIL;
		}
	} else if (eat(P, 'T')) {
		char c = *P->p++;
		switch (c) {
		case 'V': text = "vtable for "; inner = parse_type(P); break;
		case 'T': text = "VTT for "; inner = parse_type(P); break;
		case 'I': text = "typeinfo for "; inner = parse_type(P); break;
		case 'S': text = "typeinfo name for "; inner = parse_type(P); break;
		case 'H': text = "TLS init function for "; inner = parse_data_name(P); break;
		case 'W': text = "TLS wrapper function for "; inner = parse_data_name(P); break;
		case 'h':
		case 'v':
		case 'c': {
			long n;
			int offsets = c == 'c' ? 2 : 1;
			for (int i = 0; i < offsets; i++) {
				char k = i == 0 && c != 'c' ? c : *P->p++;
				if (k == 'h') {
					eat(P, 'n');
					if (!parse_number(P, &n) || !eat(P, '_'))
						return FAIL;
				} else if (k == 'v') {
					for (int j = 0; j < 2; j++) {
						eat(P, 'n');
						if (!parse_number(P, &n) || !eat(P, '_'))
							return FAIL;
					}
				} else {
					return FAIL;
				}
			}
			text = c == 'h' ? "non-virtual thunk to " : c == 'v' ? "virtual thunk to "
									: "covariant return thunk to ";
			inner = parse_encoding(P, false, false);
			break;
		}
		case 'C': {
			int derived = parse_type(P);
			long n;
			if (derived == FAIL || !parse_number(P, &n) || !eat(P, '_'))
				return FAIL;
			int base = parse_type(P);
			if (base == FAIL)
				return FAIL;
			return mk(P, K_CTORVT, derived, base);
		}
		default:
			return FAIL;
		}
	} else {
		return FAIL;
	}
	if (inner == FAIL)
		return FAIL;
	int r = mk(P, K_SPECIAL, inner, -1);
	if (r != FAIL) {
		P->nodes[r].s = text;
		P->nodes[r].len = (uint16_t)strlen(text);
	}
	return r;
}

/* <encoding>; `local` for one inside Z...E or L_Z...E, whose parameters end at 'E';
   `hide_ret` when c++filt does not print its return type (the function of a local name). */
static int parse_encoding(dm_parser *P, bool local, bool hide_ret)
{
	if (!enter(P))
		return FAIL;
	char c = peek(P);
	if ((c == 'T' && peek2(P) != '_' && !is_digit(peek2(P))) || (c == 'G' && !local))
		return leave(P, special_name(P));
	unsigned quals = 0;
	int saved_targs = P->targs;
	int name = parse_name_q(P, &quals);
	if (name == FAIL)
		return leave(P, FAIL);
	c = peek(P);
	if (c == '\0' || c == 'E' || c == '.') {
		P->targs = saved_targs;
		if (quals)
			return leave(P, FAIL); /* a data name with method qualifiers */
		if (c == 'E' && !local)
			return leave(P, FAIL);
		return leave(P, name); /* a data name */
	}
	const dm_node *nn = &P->nodes[name];
	if (nn->kind == K_TEMPLATE)
		P->targs = nn->b;
	int ret = -1;
	if (has_return_type(P, name)) {
		ret = parse_type(P);
		if (ret == FAIL)
			return leave(P, FAIL);
	}
	int params;
	if (parse_type_list(P, !local, &params) != 0)
		return leave(P, FAIL);
	int f = mk(P, K_FUNC, ret, params);
	int e = f == FAIL ? FAIL : mk(P, K_ENC, name, f);
	if (e != FAIL) {
		P->nodes[e].flags = (uint8_t)quals;
		P->nodes[e].num = hide_ret;
	}
	return leave(P, e);
}

/* ---------------- printing ---------------- */

typedef struct dm_out {
	char *buf;
	size_t len, cap;
	long steps;
	int depth;
	bool bad;
	char lastc; /* last character appended; dropping an empty pack's ", " keeps it ' ', as
		       c++filt does (it then prints "A<B<C>>" with no space) */
	const dm_parser *P;
	int pack_index; /* element of an argument pack a pack expansion is printing, or -1 */
	int nscope;     /* template argument lists in scope, innermost last */
	int16_t scope[DM_MAX_DEPTH + 2];
} dm_out;

/* The argument template parameter n names, `level` scopes out from the innermost; -1 when
   there is none (c++filt fails then too). */
static int tparam_arg(const dm_out *o, int n, int level)
{
	const dm_parser *P = o->P;
	if (level >= o->nscope)
		return -1;
	int cell = o->scope[o->nscope - 1 - level];
	for (unsigned i = P->nodes[n].num; i > 0 && cell >= 0; i--)
		cell = P->nodes[cell].b;
	if (cell < 0 || P->nodes[cell].a < 0)
		return -1;
	int arg = P->nodes[cell].a;
	if (P->nodes[arg].kind != K_PACK)
		return arg;
	if (o->pack_index < 0)
		return -1; /* a pack outside an expansion */
	cell = P->nodes[arg].a;
	for (int i = o->pack_index; i > 0 && cell >= 0; i--)
		cell = P->nodes[cell].b;
	return cell >= 0 ? P->nodes[cell].a : -1;
}

/* The length of the first argument pack a template parameter inside n stands for (searched
   as c++filt does: not into names, literals or nested expansions), or -1 when there is none.
   *budget bounds the search. */
static int pack_length(const dm_out *o, int n, int depth, long *budget)
{
	const dm_parser *P = o->P;
	if (n < 0 || depth > DM_MAX_DEPTH || --*budget < 0)
		return -1;
	const dm_node *x = &P->nodes[n];
	switch (x->kind) {
	case K_TPARAM: {
		if (o->nscope == 0)
			return -1;
		int cell = o->scope[o->nscope - 1];
		for (unsigned i = x->num; i > 0 && cell >= 0; i--)
			cell = P->nodes[cell].b;
		if (cell < 0 || P->nodes[cell].a < 0 || P->nodes[P->nodes[cell].a].kind != K_PACK)
			return -1;
		int len = 0;
		for (cell = P->nodes[P->nodes[cell].a].a; cell >= 0; cell = P->nodes[cell].b)
			len++;
		return len;
	}
	case K_PACKEXP:
	case K_NAME:
	case K_CTOR:
	case K_LAMBDA:
	case K_UNNAMED:
	case K_ABI:
	case K_LIT:
		return -1;
	default: {
		int r = x->a >= 0 ? pack_length(o, x->a, depth + 1, budget) : -1;
		if (r < 0 && x->b >= 0 && x->kind != K_ARRAY)
			r = pack_length(o, x->b, depth + 1, budget);
		else if (r < 0 && x->kind == K_ARRAY && x->b >= 0)
			r = pack_length(o, x->b, depth + 1, budget);
		return r;
	}
	}
}

/* n with template parameters replaced by their arguments, each one scope further out. */
static int resolved(const dm_out *o, int n)
{
	for (int level = 0; n >= 0 && o->P->nodes[n].kind == K_TPARAM; level++)
		n = tparam_arg(o, n, level);
	return n;
}

/* Calls fn on the argument of template parameter n, in the scope outside the one that
   resolved it (an argument is written in terms of the enclosing template). */
static void print_tparam(dm_out *o, int n, void (*fn)(dm_out *, int))
{
	int arg = tparam_arg(o, n, 0);
	if (arg < 0) {
		o->bad = true;
		return;
	}
	int saved = o->nscope;
	o->nscope--;
	fn(o, arg);
	o->nscope = saved;
}

static void put(dm_out *o, const char *s, size_t n)
{
	if (o->bad)
		return;
	if (o->len + n >= o->cap) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	if (n)
		o->lastc = s[n - 1];
}

static void puts_(dm_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static char last(const dm_out *o)
{
	return o->lastc;
}

static void print(dm_out *o, int n);
static void print_left(dm_out *o, int n);
static void print_right(dm_out *o, int n);
static bool returns_declarator(const dm_out *o, int n);

/* Items joined by ", ". As in c++filt, the separators before a run of items that print
   nothing (empty packs) at the end are dropped, not those before one in the middle. */
static void print_list(dm_out *o, int cell)
{
	const dm_parser *P = o->P;
	size_t keep = o->len;
	for (bool first = true; cell >= 0 && !o->bad; cell = P->nodes[cell].b, first = false) {
		const dm_node *c = &P->nodes[cell];
		if (!first)
			puts_(o, ", ");
		size_t before = o->len;
		if (c->a >= 0)
			print(o, c->a);
		if (first || o->len != before)
			keep = o->len;
	}
	if (!o->bad)
		o->len = keep; /* lastc stays what it was, as c++filt's does */
}

static void print_quals(dm_out *o, unsigned q)
{
	if (q & Q_CONST)
		puts_(o, " const");
	if (q & Q_VOLATILE)
		puts_(o, " volatile");
	if (q & Q_RESTRICT)
		puts_(o, " restrict");
	if (q & Q_LREF)
		puts_(o, " &");
	if (q & Q_RREF)
		puts_(o, " &&");
}

/* The type a declarator applies to, looking through a cv-qualified function type. */
static int decl_kind(const dm_out *o, int n)
{
	const dm_parser *P = o->P;
	n = resolved(o, n);
	if (n < 0)
		return K_NAME;
	const dm_node *x = &P->nodes[n];
	if (x->kind == K_QUAL) {
		int k = decl_kind(o, x->a);
		if (k == K_FUNC || k == K_ARRAY)
			return k;
	}
	return x->kind;
}

static bool enter_print(dm_out *o)
{
	if (++o->depth > DM_MAX_DEPTH || ++o->steps > DM_MAX_STEPS) {
		o->bad = true;
		return false;
	}
	return true;
}

/* Reference collapsing, the way c++filt does it when a reference's operand is a template
   parameter or a substitution standing for a reference: "T&&" with T = "U&" prints "U&", "T&" with T = "U&&"
   prints "U&". Returns a node to print in place of the reference (in the current scope,
   like c++filt), or -1 after updating *kind and *inner for the reference to print. */
static int collapse(dm_out *o, int *kind, int *inner)
{
	const dm_parser *P = o->P;
	if (*kind != K_LREF && *kind != K_RREF)
		return -1;
	int a = *inner;
	if (P->nodes[a].kind == K_TPARAM) {
		a = tparam_arg(o, a, 0);
		if (a < 0) {
			o->bad = true;
			return -1;
		}
	}
	int ak = P->nodes[a].kind;
	if (ak == K_LREF || ak == *kind)
		return a;
	if (ak == K_RREF) {
		*kind = K_LREF;
		*inner = P->nodes[a].a;
	}
	return -1;
}

/* The part of a type before the declarator name. */
static void print_left(dm_out *o, int n)
{
	const dm_parser *P = o->P;
	if (o->bad || !enter_print(o))
		return;
	const dm_node *x = &P->nodes[n];
	switch (x->kind) {
	case K_TPARAM:
		print_tparam(o, n, print_left);
		break;
	case K_PTR:
	case K_LREF:
	case K_RREF:
	case K_PTRMEM: {
		int kind = x->kind, inner = kind == K_PTRMEM ? x->b : x->a;
		int c = collapse(o, &kind, &inner);
		if (c >= 0) {
			print_left(o, c);
			break;
		}
		int k = decl_kind(o, inner);
		print_left(o, inner);
		if (k == K_FUNC && returns_declarator(o, inner))
			puts_(o, "("); /* "void (*(*)(int))(char)" */
		else if (k == K_FUNC || k == K_ARRAY)
			puts_(o, " (");
		else if (kind == K_PTRMEM)
			puts_(o, " ");
		if (kind == K_PTRMEM) {
			print(o, x->a);
			puts_(o, "::*");
		} else {
			puts_(o, kind == K_PTR ? "*" : kind == K_LREF ? "&" : "&&");
		}
		break;
	}
	case K_QUAL: {
		/* a qualifier the operand (a substitution or template argument) has already is
		   printed once */
		int a = x->a, pop = 0;
		if (P->nodes[a].kind == K_TPARAM) {
			a = tparam_arg(o, a, 0);
			pop = 1;
		}
		if (a >= 0 && P->nodes[a].kind == K_QUAL && P->nodes[P->nodes[a].a].kind != K_FUNC) {
			int saved = o->nscope;
			o->nscope -= pop;
			print_left(o, P->nodes[a].a);
			print_quals(o, P->nodes[a].flags & ~x->flags);
			o->nscope = saved;
			print_quals(o, x->flags);
			break;
		}
		print_left(o, x->a);
		if (P->nodes[x->a].kind != K_FUNC)
			print_quals(o, x->flags);
		break;
	}
	case K_FUNC:
		if (x->a >= 0)
			print_left(o, x->a);
		break;
	case K_ARRAY:
		print_left(o, x->a);
		break;
	default:
		print(o, n);
		break;
	}
	o->depth--;
}

/* The part of a type after the declarator name. */
static void print_right(dm_out *o, int n)
{
	const dm_parser *P = o->P;
	if (o->bad || !enter_print(o))
		return;
	const dm_node *x = &P->nodes[n];
	switch (x->kind) {
	case K_TPARAM:
		print_tparam(o, n, print_right);
		break;
	case K_PTR:
	case K_LREF:
	case K_RREF:
	case K_PTRMEM: {
		int kind = x->kind, inner = kind == K_PTRMEM ? x->b : x->a;
		int c = collapse(o, &kind, &inner);
		if (c >= 0) {
			print_right(o, c);
			break;
		}
		int k = decl_kind(o, inner);
		if (k == K_FUNC)
			puts_(o, ")");
		else if (k == K_ARRAY)
			puts_(o, ") ");
		print_right(o, inner);
		break;
	}
	case K_QUAL:
		print_right(o, x->a);
		if (P->nodes[x->a].kind == K_FUNC)
			print_quals(o, x->flags);
		break;
	case K_FUNC:
		puts_(o, "(");
		print_list(o, x->b);
		puts_(o, ")");
		print_quals(o, x->flags & (Q_LREF | Q_RREF));
		if (x->flags & Q_NOEXCEPT)
			puts_(o, " noexcept");
		if (x->a >= 0)
			print_right(o, x->a);
		break;
	case K_ARRAY:
		puts_(o, "[");
		if (x->b >= 0)
			print(o, x->b);
		else
			put(o, x->s, x->len);
		puts_(o, "]");
		print_right(o, x->a);
		break;
	default:
		break;
	}
	o->depth--;
}

/* Whether n is a pointer, reference or member pointer to a function or array, which print
   around the name they declare: "void (*name)(int)". */
static bool paren_declarator(const dm_out *o, int n)
{
	const dm_parser *P = o->P;
	n = resolved(o, n);
	if (n < 0)
		return false;
	const dm_node *r = &P->nodes[n];
	if (r->kind != K_PTR && r->kind != K_LREF && r->kind != K_RREF && r->kind != K_PTRMEM)
		return false;
	int k = decl_kind(o, r->kind == K_PTRMEM ? r->b : r->a);
	return k == K_FUNC || k == K_ARRAY;
}

/* Whether the function type n returns such a declarator (then no space goes before its
   parameters: "void (*(int))(char)"). */
static bool returns_declarator(const dm_out *o, int n)
{
	const dm_parser *P = o->P;
	n = resolved(o, n);
	if (n >= 0 && P->nodes[n].kind == K_QUAL)
		n = resolved(o, P->nodes[n].a);
	return n >= 0 && P->nodes[n].kind == K_FUNC && P->nodes[n].a >= 0 &&
	       paren_declarator(o, P->nodes[n].a);
}

static void print_type(dm_out *o, int n)
{
	int k = decl_kind(o, n);
	print_left(o, n);
	if (k == K_ARRAY || (k == K_FUNC && !returns_declarator(o, n)))
		puts_(o, " ");
	print_right(o, n);
}

static void print_literal(dm_out *o, const dm_node *x)
{
	const dm_node *t = &o->P->nodes[x->a];
	char code = t->kind == K_NAME && t->num ? (char)(t->num - 1) : 0;
	const char *suffix = NULL;
	switch (code) {
	case 'i': suffix = ""; break;
	case 'j': suffix = "u"; break;
	case 'l': suffix = "l"; break;
	case 'm': suffix = "ul"; break;
	case 'x': suffix = "ll"; break;
	case 'y': suffix = "ull"; break;
	case 'b':
		if (x->len == 1 && !x->flags && (x->s[0] == '0' || x->s[0] == '1')) {
			puts_(o, x->s[0] == '1' ? "true" : "false");
			return;
		}
		break;
	default: break;
	}
	if (!suffix) {
		puts_(o, "(");
		print_type(o, x->a);
		puts_(o, ")");
	}
	if (x->flags)
		puts_(o, "-");
	put(o, x->s, x->len);
	if (suffix)
		puts_(o, suffix);
}

static void print_num(dm_out *o, unsigned v)
{
	char tmp[12];
	int i = (int)sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	put(o, tmp + i, sizeof tmp - (size_t)i);
}

static void print(dm_out *o, int n)
{
	const dm_parser *P = o->P;
	if (o->bad || !enter_print(o))
		return;
	const dm_node *x = &P->nodes[n];
	switch (x->kind) {
	case K_NAME:
	case K_CTOR:
		put(o, x->s, x->len);
		break;
	case K_TPARAM:
		print_tparam(o, n, print);
		break;
	case K_DTOR:
		puts_(o, "~");
		print(o, x->a);
		break;
	case K_CONV:
		puts_(o, "operator ");
		print_type(o, x->a);
		break;
	case K_NESTED:
		print(o, x->a);
		if (!x->flags)
			puts_(o, "::");
		print(o, x->b);
		break;
	case K_TEMPLATE:
		print(o, x->a);
		if (last(o) == '<')
			puts_(o, " ");
		puts_(o, "<");
		print_list(o, x->b);
		if (last(o) == '>')
			puts_(o, " ");
		puts_(o, ">");
		break;
	case K_LIST:
		print_list(o, n);
		break;
	case K_PACK:
		print_list(o, x->a);
		break;
	case K_PACKEXP: {
		/* T... prints T once for each element of the pack T names, comma-separated */
		long budget = 10000;
		int len = pack_length(o, x->a, 0, &budget);
		if (len < 0) {
			o->bad = true; /* no pack to expand: c++filt's rendering is not reproduced */
			break;
		}
		int saved = o->pack_index;
		for (int i = 0; i < len && !o->bad; i++) {
			o->pack_index = i;
			print_type(o, x->a);
			if (i + 1 < len)
				puts_(o, ", ");
		}
		o->pack_index = saved;
		break;
	}
	case K_QUAL:
	case K_PTR:
	case K_LREF:
	case K_RREF:
	case K_PTRMEM:
	case K_FUNC:
	case K_ARRAY:
		print_type(o, n);
		break;
	case K_ENC: {
		/* a function template's parameters name its own arguments while it prints */
		int scope_name = x->a;
		if (P->nodes[scope_name].kind == K_LOCAL)
			scope_name = P->nodes[scope_name].b;
		bool push = P->nodes[scope_name].kind == K_TEMPLATE;
		int16_t saved_entry = o->scope[o->nscope];
		if (push) {
			if (o->nscope >= DM_MAX_DEPTH) {
				o->bad = true;
				break;
			}
			o->scope[o->nscope++] = P->nodes[scope_name].b;
		}
		const dm_node *f = &P->nodes[x->b];
		bool ret = f->a >= 0 && !x->num;
		if (ret) {
			int k = decl_kind(o, f->a);
			print_left(o, f->a);
			if (!paren_declarator(o, f->a) || k == K_FUNC)
				puts_(o, " ");
		}
		print(o, x->a);
		puts_(o, "(");
		print_list(o, f->b);
		puts_(o, ")");
		print_quals(o, x->flags);
		if (ret)
			print_right(o, f->a);
		if (push)
			o->scope[--o->nscope] = saved_entry;
		break;
	}
	case K_SPECIAL:
		put(o, x->s, x->len);
		print(o, x->a);
		break;
	case K_CTORVT:
		puts_(o, "construction vtable for ");
		print(o, x->b);
		puts_(o, "-in-");
		print(o, x->a);
		break;
	case K_LOCAL:
		print(o, x->a);
		puts_(o, "::");
		print(o, x->b);
		break;
	case K_CLONE:
		print(o, x->a);
		puts_(o, " [clone ");
		put(o, x->s, x->len);
		puts_(o, "]");
		break;
	case K_ABI:
		print(o, x->a);
		puts_(o, "[abi:");
		put(o, x->s, x->len);
		puts_(o, "]");
		break;
	case K_LAMBDA:
		puts_(o, "{lambda(");
		print_list(o, x->a);
		puts_(o, ")#");
		print_num(o, x->num);
		puts_(o, "}");
		break;
	case K_UNNAMED:
		puts_(o, "{unnamed type#");
		print_num(o, x->num);
		puts_(o, "}");
		break;
	case K_LIT:
		print_literal(o, x);
		break;
	case K_LITENC:
		print(o, x->a);
		break;
	case K_ADDR: {
		/* c++filt: "&A::f" for the address of a non-template, unqualified member function
		   or of a plain or qualified data name, "&(<full encoding>)" otherwise */
		const dm_node *e = &P->nodes[x->a];
		int target = e->kind == K_LITENC ? e->a : x->a;
		const dm_node *t = &P->nodes[target];
		int plain = -1;
		if (t->kind == K_ENC && !t->flags && P->nodes[t->b].a < 0 &&
		    P->nodes[t->a].kind == K_NESTED && !P->nodes[t->a].flags)
			plain = t->a;
		else if (t->kind == K_NAME || (t->kind == K_NESTED && !t->flags))
			plain = target;
		if (plain >= 0) {
			puts_(o, "&");
			print(o, plain);
			break;
		}
		puts_(o, "&(");
		print(o, x->a);
		puts_(o, ")");
		break;
	}
	default:
		o->bad = true;
		break;
	}
	o->depth--;
}

/* _Z <encoding> { . <clone suffix> } : the complete c++filt text into text[cap]. */
static bool demangle_text(dm_parser *P, const char *sym, char *text, size_t cap, size_t *len)
{
	size_t n = strnlen(sym, DM_MAX_IN + 1);
	if (n < 3 || n > DM_MAX_IN || sym[0] != '_' || sym[1] != 'Z')
		return false;
	P->p = sym + 2;
	P->end = sym + n;
	P->nn = P->ns = P->depth = 0;
	P->targs = -1;
	P->last_name = NULL;
	P->last_len = 0;
	int root = parse_encoding(P, false, false);
	if (root == FAIL)
		return false;
	/* clone suffixes: only functions have them */
	while (P->p < P->end && *P->p == '.') {
		char c = peek2(P);
		if (P->nodes[root].kind != K_ENC && !(P->nodes[root].kind == K_CLONE))
			return false;
		if (!(is_lower(c) || c == '_' || is_digit(c)))
			return false;
		const char *s = P->p;
		P->p += 2;
		while (is_lower(peek(P)) || peek(P) == '_')
			P->p++;
		while (peek(P) == '.' && is_digit(peek2(P))) {
			P->p += 2;
			while (is_digit(peek(P)))
				P->p++;
		}
		root = mk(P, K_CLONE, root, -1);
		if (root == FAIL)
			return false;
		P->nodes[root].s = s;
		P->nodes[root].len = (uint16_t)(P->p - s);
	}
	if (P->p != P->end)
		return false;
	dm_out o = {.buf = text, .cap = cap, .P = P, .pack_index = -1};
	print(&o, root);
	if (o.bad)
		return false;
	text[o.len] = '\0';
	*len = o.len;
	return true;
}

static void copy_out(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static bool demangle(const char *sym, char *out, size_t cap, bool cut)
{
	dm_parser P;
	char text[DM_MAX_TEXT];
	size_t len = 0;
	if (!sym) {
		copy_out(out, cap, "", 0);
		return false;
	}
	if (!demangle_text(&P, sym, text, sizeof text, &len)) {
		copy_out(out, cap, sym, strlen(sym));
		return false;
	}
	if (cut) {
		/* the '(' balancing the last ')' */
		size_t i = len;
		while (i > 0 && text[i - 1] != ')')
			i--;
		if (i > 0) {
			int level = 0;
			size_t j = i;
			while (j > 0) {
				char c = text[--j];
				if (c == ')')
					level++;
				else if (c == '(' && --level == 0)
					break;
			}
			if (level == 0)
				len = j;
		}
	}
	copy_out(out, cap, text, len);
	return true;
}

bool ag_demangle(const char *sym, char *out, size_t cap)
{
	return demangle(sym, out, cap, true);
}

bool ag_demangle_full(const char *sym, char *out, size_t cap)
{
	return demangle(sym, out, cap, false);
}
