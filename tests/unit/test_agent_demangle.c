/*
 * The agent's Itanium C++ demangler: hand-checked names for each construct it supports (the
 * expectations are GNU c++filt's output, cut at the '(' balancing the last ')'), the complete
 * text for a few, truncation to small buffers, names it must leave alone, and hostile input
 * that must come back unchanged. tests/integration/agent_demangle.sh compares it with c++filt
 * over every libjvm symbol.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"

typedef struct dcase {
	const char *sym, *want;
} dcase;

static const dcase cases[] = {
	/* the frames the brief quotes */
	{"_ZN6Thread8call_runEv", "Thread::call_run"},
	{"_ZN8G1CMTask23process_grey_task_entryILb1EEEv16G1TaskQueueEntry",
	 "void G1CMTask::process_grey_task_entry<true>"},
	{"_ZN21OopOopIterateDispatchI14G1CMOopClosureE5Table15oop_oop_iterateI13InstanceKlass9narrowOopEEvPS0_P7oopDescP5Klass",
	 "void OopOopIterateDispatch<G1CMOopClosure>::Table::oop_oop_iterate<InstanceKlass, narrowOop>"},
	/* clones: the suffix goes with the parameters */
	{"_ZNK7nmethod15log_new_nmethodEv.part.0", "nmethod::log_new_nmethod"},
	{"_ZN9xmlStream10write_textEPKcm.cold", "xmlStream::write_text"},
	{"_ZN1A1fEv.part.0.constprop.1", "A::f"},
	/* special names */
	{"_ZTV15CLDToOopClosure", "vtable for CLDToOopClosure"},
	{"_ZTI6Thread", "typeinfo for Thread"},
	{"_ZTS6Thread", "typeinfo name for Thread"},
	{"_ZTT1A", "VTT for A"},
	{"_ZTC1A0_1B", "construction vtable for B-in-A"},
	{"_ZTH1x", "TLS init function for x"},
	{"_ZTW1x", "TLS wrapper function for x"},
	{"_ZThn8_N1A1fEv", "non-virtual thunk to A::f"},
	{"_ZGVZ1fvE1x", "guard variable for f"}, /* "guard variable for f()::x", cut */
	{"_ZGTtNKSt13bad_exception4whatEv", "transaction clone for std::bad_exception::what"},
	/* local names, closures, unnamed types, anonymous namespaces, ABI tags */
	{"_ZZN1A1fEvENKUlvE_clEv", "A::f()::{lambda()#1}::operator()"},
	{"_ZZ1fvE1x_0", "f"},
	{"_ZZ1fvEs", "f"},
	{"_ZN12_GLOBAL__N_11fEv", "(anonymous namespace)::f"},
	{"_ZN1A1fB5cxx11Ev", "A::f[abi:cxx11]"},
	{"_Z1fIN1AUt_EEvv", "void f<A::{unnamed type#1}>"},
	{"_Z1fIN1AUlicE0_EEvv", "void f<A::{lambda(int, char)#2}>"},
	/* operators, ctors, dtors */
	{"_ZNK1AcvbEv", "A::operator bool"},
	{"_ZN1AclEv", "A::operator()"},
	{"_ZN1AltIiEEvv", "void A::operator< <int>"},
	{"_ZN1AaSERKS_", "A::operator="},
	{"_Zdlm", "operator delete"},
	{"_ZN1AIiEC2Ev", "A<int>::A"},
	{"_ZN1AIiED0Ev", "A<int>::~A"},
	{"_ZN5Outer5InnerC1ERKS0_", "Outer::Inner::Inner"},
	/* a constructor is named after the last source name outside template arguments */
	{"_ZN1AltC1Ev", "A::operator<::A"},
	{"_ZN1AI1BEC1Ev", "A<B>::A"},
	{"_ZN1A1BIS_EC1Ev", "A::B<A>::B"},
	{"_ZNSaI1BEC1Ev", "std::allocator<B>::allocator"},
	/* std abbreviations (c++filt prints them in full) */
	{"_ZNSsC1Ev", "std::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string"},
	{"_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back"},
	{"_ZNSo5writeEPKcl", "std::basic_ostream<char, std::char_traits<char> >::write"},
	{"_ZNSdD0Ev", "std::basic_iostream<char, std::char_traits<char> >::~basic_iostream"},
	{"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE6appendEPKcm",
	 "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::append"},
	/* template arguments: types, declarators, literals, packs */
	{"_Z1fIPFviEEvv", "void f<void (*)(int)>"},
	{"_Z1fIA10_iEvv", "void f<int [10]>"},
	{"_Z1fIPA10_iEvv", "void f<int (*) [10]>"},
	{"_Z1fIM1AKFvvEEvv", "void f<void (A::*)() const>"},
	{"_Z1fIM1AiEvv", "void f<int A::*>"},
	{"_Z1fIVKiEvv", "void f<int const volatile>"},
	{"_Z1fILc65EEvv", "void f<(char)65>"},
	{"_Z1fILin5EEvv", "void f<-5>"},
	{"_Z1fILj5EEvv", "void f<5u>"},
	{"_Z1fIJicEEvv", "void f<int, char>"},
	{"_ZN1AIXadL_ZN1B1fEvEEE1gEv", "A<&B::f>::g"},
	{"_Z18get_header_versionILi256EEvRAT__c", "void get_header_version<256>"},
	/* template parameters and return types */
	{"_ZN1AIiE1fIcEEvT_", "void A<int>::f<char>"},
	{"_Z3fooIiEvT_S0_", "void foo<int>"},
	{"_ZN1AIiE1fIcEEPFvvEv", "void (*A<int>::f<char>())"}, /* c++filt: void (*A<int>::f<char>())() */
	/* qualifiers and parameters */
	{"_ZNKR1A1fEv", "A::f"},
	{"_ZN1A1fEz", "A::f"},
	{"_Z1fPDoFvvE", "f"},
	{"_ZL3barv", "bar"},
	/* data names keep their whole text */
	{"_ZN1A1xE", "A::x"},
	{"_ZL1x", "x"},
};

static void test_table(void **state)
{
	(void)state;
	char out[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(out, 'x', sizeof out);
		bool ok = ag_demangle(cases[i].sym, out, sizeof out);
		if (!ok || strcmp(out, cases[i].want) != 0)
			print_error("%s: got %d \"%s\", want \"%s\"\n", cases[i].sym, ok, out, cases[i].want);
		assert_true(ok);
		assert_string_equal(out, cases[i].want);
	}
}

/* The complete text (before the cut) for constructs whose printing is inside-out. */
static void test_full_text(void **state)
{
	(void)state;
	static const dcase full[] = {
		{"_ZN1AIiE1fIcEEPFvvEv", "void (*A<int>::f<char>())()"},
		{"_Z1fIiEPA3_iv", "int (*f<int>()) [3]"},
		{"_ZGVZ1fvE1x", "guard variable for f()::x"},
		{"_ZN9xmlStream10write_textEPKcm.cold", "xmlStream::write_text(char const*, unsigned long) [clone .cold]"},
		{"_ZNKR1A1fEv", "A::f() const &"},
		{"_Z1fPDoFvvE", "f(void (*)() noexcept)"},
		{"_Z1fIiJEEvv", "void f<int>()"},
		{"_Z1fIJEiEvv", "void f<, int>()"},
		{"_Z1fIiJEcEvv", "void f<int, , char>()"},
		/* qualifiers of a function in a local name, declarators returning declarators */
		{"_ZZN1A1fEvENKUlvE_clEv", "A::f()::{lambda()#1}::operator()() const"},
		{"_ZZN1A1fEvENO1B1gEv", "A::f()::B::g() &&"},
		{"_Z1fPFPKcvE", "f(char const* (*)())"},
		{"_Z1fPFPFvvEvE", "f(void (*(*)())())"},
		{"_Z1fRFPA3_cvE", "f(char (*(&)()) [3])"},
		{"_Z1fPA3_PFvvE", "f(void (* (*) [3])())"},
		{"_ZZ1fvE1x__12_", "f()::x"},
		{"_Z1fIJEJEiEvv", "void f<, , int>()"},
		{"_ZN24EventMarkWithLogFunctionIXadL_ZN6Events3logEP6ThreadPKczEEEC2ES4_z",
		 "EventMarkWithLogFunction<&Events::log>::EventMarkWithLogFunction(char const*, ...)"},
		{"_Z1fIXadL_Z1gvEEEvv", "void f<&(g())>()"},
		/* reference collapsing, pack expansions, qualifiers the argument already has */
		{"_Z1fIRiEvOT_", "void f<int&>(int&)"},
		{"_Z1fIOiEvRT_", "void f<int&&>(int&)"},
		{"_Z1fIJicEEvDpOT_", "void f<int, char>(int&&, char&&)"},
		{"_Z1fIJEEvDpT_", "void f<>()"},
		{"_Z1fIKiEvRKT_", "void f<int const>(int const&)"},
		{"_Z1fIA3_cEvRKT_", "void f<char [3]>(char const (&) [3])"},
		{"_Z1fRK1AS1_", "f(A const&, A const&)"},
		/* K before F: only the qualified function type is a substitution candidate */
		{"_Z1gM1AKFvvES1_", "g(void (A::*)() const, void (A::*)() const)"},
		/* after a dropped empty pack c++filt writes ">>" */
		{"_Z1fI1AIiEJEEvv", "void f<A<int>>()"},
		{"_Z1fI1AIiJEEEvv", "void f<A<int> >()"},
	};
	char out[512];
	for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
		assert_true(ag_demangle_full(full[i].sym, out, sizeof out));
		assert_string_equal(out, full[i].want);
	}
}

static void test_truncation(void **state)
{
	(void)state;
	const char *sym = "_ZN8G1CMTask23process_grey_task_entryILb1EEEv16G1TaskQueueEntry";
	const char *want = "void G1CMTask::process_grey_task_entry<true>";
	char out[64];
	for (size_t cap = 1; cap <= strlen(want) + 1; cap++) {
		memset(out, '#', sizeof out);
		assert_true(ag_demangle(sym, out, cap));
		assert_int_equal(strlen(out), cap - 1);
		assert_memory_equal(out, want, cap - 1);
		assert_int_equal(out[cap], '#'); /* nothing written past cap */
	}
	/* cap 0 writes nothing */
	out[0] = '#';
	assert_true(ag_demangle(sym, out, 0));
	assert_int_equal(out[0], '#');
	/* unchanged names truncate too */
	assert_false(ag_demangle("start_thread", out, 6));
	assert_string_equal(out, "start");
}

static void test_not_mangled(void **state)
{
	(void)state;
	static const char *plain[] = {
		"start_thread", "clone3", "_GLOBAL__sub_I_foo.cpp", "__libc_start_main", "", "_Z", "_", "Z1fv",
		"_ZERO", "_ZN1AC1Ev_garbage", "_ZL1x.lto_priv.0", /* clone suffixes only follow functions */
		"_ZGRN14AsyncLogWriter4NoneE_", "_Z1fDTcl1gT_EE", /* reference temporaries, decltype */
		/* malformed in ways c++filt rejects or renders oddly: refused rather than guessed */
		"_ZN8OSThreadD3Ev", "_ZNStD2Ev", "_ZN1ALdeEv", "_Z1fNS_E", "_ZNK10MemBarNode4hashE",
		"_Z1fVVi", "_Z1fROi", "_Z1fNrK1AE", "_Z1fM1AM1Bi", "_Z1fDpi", "_ZNKrs1aEv",
		"_ZZ1fvE1x__1_", "_ZGVNr1A1xE", "_Z1fMFvvEi",
	};
	char out[128];
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		assert_false(ag_demangle(plain[i], out, sizeof out));
		assert_string_equal(out, plain[i]);
	}
	assert_false(ag_demangle(NULL, out, sizeof out));
	assert_string_equal(out, "");
}

/* A symbol made of `prefix`, `mid` repeated n times and `suffix`, on the heap. */
static char *repeat(const char *prefix, const char *mid, size_t n, const char *suffix)
{
	size_t len = strlen(prefix) + strlen(mid) * n + strlen(suffix) + 1;
	char *s = malloc(len);
	assert_non_null(s);
	strcpy(s, prefix);
	char *p = s + strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		memcpy(p, mid, strlen(mid));
		p += strlen(mid);
	}
	strcpy(p, suffix);
	return s;
}

static void expect_unchanged(const char *sym)
{
	static char out[65536];
	assert_false(ag_demangle(sym, out, sizeof out));
	assert_string_equal(out, sym);
}

static void test_hostile(void **state)
{
	(void)state;
	char *s, out[512];
	/* deep nesting, long and within the length limit */
	s = repeat("_Z", "N", 10000, "1aE");
	expect_unchanged(s);
	free(s);
	s = repeat("_Z1fI", "P", 500, "iEvv");
	expect_unchanged(s);
	free(s);
	s = repeat("_Z1fI", "1AI", 300, "iEvv");
	expect_unchanged(s);
	free(s);
	/* a substitution chain whose printing doubles at each step: bounded output */
	{
		char buf[1100];
		size_t n = (size_t)snprintf(buf, sizeof buf, "_Z1f1A");
		const char *seq = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
		for (int i = 0; i <= 36 && n + 16 < sizeof buf; i++) {
			/* each new type is a function type over the two previous candidates */
			if (i == 0)
				n += (size_t)snprintf(buf + n, sizeof buf - n, "FS_S_E");
			else
				n += (size_t)snprintf(buf + n, sizeof buf - n, "FS%c_S%c_E", seq[i - 1], seq[i - 1]);
		}
		expect_unchanged(buf);
		/* while its first steps demangle */
		assert_true(ag_demangle("_Z1f1AFS_S_EFS0_S0_E", out, sizeof out));
		assert_string_equal(out, "f");
	}
	/* huge and out-of-range substitution and template indexes */
	expect_unchanged("_Z1fS99999999999999_");
	expect_unchanged("_Z1fSZZZZZZ_");
	expect_unchanged("_Z1fS5_");
	expect_unchanged("_Z1fIiEvT99999999999_");
	expect_unchanged("_Z1fIiEvT5_");
	expect_unchanged("_Z1fT_");
	/* lengths beyond the input */
	expect_unchanged("_Z999999999999f");
	expect_unchanged("_Z4ab");
	expect_unchanged("_ZN1AB999EEv");
	/* truncated symbols, every prefix of real ones */
	static const char *real[] = {
		"_ZN21OopOopIterateDispatchI14G1CMOopClosureE5Table15oop_oop_iterateI13InstanceKlass9narrowOopEEvPS0_P7oopDescP5Klass",
		"_ZZN1A1fEvENKUlvE_clEv",
		"_ZN24EventMarkWithLogFunctionIXadL_ZN6Events3logEP6ThreadPKczEEEC2ES4_z",
	};
	char buf[256];
	for (size_t r = 0; r < sizeof real / sizeof real[0]; r++) {
		size_t len = strlen(real[r]);
		for (size_t cut = 0; cut < len; cut++) {
			memcpy(buf, real[r], cut);
			buf[cut] = '\0';
			/* a prefix may happen to be a valid shorter name; it must never crash and an
			   unclaimed one comes back unchanged */
			if (!ag_demangle(buf, out, sizeof out))
				assert_string_equal(out, buf);
		}
	}
	/* very long input is refused */
	s = repeat("_Z1fI", "i", 5000, "Evv");
	expect_unchanged(s);
	free(s);
}

/* Names nested as deep as the limits allow, and deeper, demangled on a thread whose stack is
   small: the recursion is bounded, so none may overflow it. */
static void *deep_names(void *arg)
{
	int *claimed = arg;
	static const char *const shapes[][3] = {
		{"_Z1fI", "1AI", "iE"},  /* templates in templates: closed by E below */
		{"_Z1fI", "P", "iEvv"},  /* pointer chains */
		{"_Z1fI", "PF", "vE"},   /* pointers to functions returning pointers to functions */
		{"_Z", "N1A", "1bEv"},   /* nested names */
		{"_Z", "Z1fvE", "1xv"},  /* local names in local names */
		{"_Z1fIiEv", "RK", "T_"}, /* references to const */
	};
	char sym[1100], out[256];
	for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
		for (int depth = 1; depth <= 200; depth++) {
			size_t n = (size_t)snprintf(sym, sizeof sym, "%s", shapes[sh][0]);
			for (int i = 0; i < depth && n + 8 < sizeof sym; i++)
				n += (size_t)snprintf(sym + n, sizeof sym - n, "%s", shapes[sh][1]);
			n += (size_t)snprintf(sym + n, sizeof sym - n, "%s", shapes[sh][2]);
			if (sh == 0 || sh == 2) {
				for (int i = 0; i < depth && n + 8 < sizeof sym; i++)
					sym[n++] = 'E';
				n += (size_t)snprintf(sym + n, sizeof sym - n, "%s", sh == 0 ? "Evv" : "Evv");
			}
			if (ag_demangle(sym, out, sizeof out))
				(*claimed)++;
		}
	}
	return NULL;
}

static void test_small_stack(void **state)
{
	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	size_t stack = 1024 * 1024; /* ASan's redzones make frames several times larger */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	size_t stack = 1024 * 1024;
#else
	size_t stack = 96 * 1024;
#endif
#else
	size_t stack = 96 * 1024;
#endif
	pthread_attr_t attr;
	pthread_t t;
	int claimed = 0;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, stack), 0);
	assert_int_equal(pthread_create(&t, &attr, deep_names, &claimed), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pthread_attr_destroy(&attr), 0);
	assert_true(claimed > 50); /* the shallower ones demangle: the deep paths ran */
}

/* No shared state: threads demangling at the same time all get the right names. */
static void *table_loop(void *arg)
{
	int *bad = arg;
	char out[512];
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			if (!ag_demangle(cases[i].sym, out, sizeof out) || strcmp(out, cases[i].want) != 0)
				(*bad)++;
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	int bad[4] = {0};
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, table_loop, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(bad[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_full_text),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_not_mangled),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_small_stack),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
