/*
 * The class file the park hook defines in the boot loader is written byte
 * by byte: walk it as a JVM would (constant pool, methods, attributes) and
 * check that it ends where its length says, that `bind` is a private static
 * native ()V and that `run` invokes exactly that method.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine.h"

typedef struct reader {
	const uint8_t *p;
	size_t len, at;
} reader;

static unsigned u1(reader *r)
{
	assert_true(r->at + 1 <= r->len);
	return r->p[r->at++];
}

static unsigned u2(reader *r)
{
	unsigned hi = u1(r);
	return hi << 8 | u1(r);
}

static uint32_t u4(reader *r)
{
	uint32_t hi = u2(r);
	return hi << 16 | u2(r);
}

typedef struct cp_entry {
	unsigned tag, a, b;
	const char *utf8;
	size_t utf8_len;
} cp_entry;

static bool utf8_is(const cp_entry *cp, unsigned i, const char *s)
{
	return cp[i].tag == 1 && cp[i].utf8_len == strlen(s) && memcmp(cp[i].utf8, s, cp[i].utf8_len) == 0;
}

static void test_binder_class_is_well_formed(void **state)
{
	(void)state;
	const char *name = "pyrojava/agent/ParkBinder7f00deadbeef";
	uint8_t bytes[256];
	size_t len = ag_park_binder_class(name, bytes);
	assert_true(len > 0 && len <= sizeof(bytes));
	reader r = {bytes, len, 0};
	assert_int_equal(u4(&r), 0xcafebabe);
	assert_int_equal(u2(&r), 0);
	assert_int_equal(u2(&r), 52);
	unsigned count = u2(&r);
	cp_entry cp[16] = {{0}};
	assert_true(count <= 16);
	for (unsigned i = 1; i < count; i++) {
		cp[i].tag = u1(&r);
		switch (cp[i].tag) {
		case 1:
			cp[i].utf8_len = u2(&r);
			assert_true(r.at + cp[i].utf8_len <= len);
			cp[i].utf8 = (const char *)bytes + r.at;
			r.at += cp[i].utf8_len;
			break;
		case 7:
			cp[i].a = u2(&r);
			break;
		case 10:
		case 12:
			cp[i].a = u2(&r);
			cp[i].b = u2(&r);
			break;
		default:
			fail_msg("constant %u has tag %u", i, cp[i].tag);
		}
	}
	u2(&r); /* access */
	unsigned this_cls = u2(&r), super_cls = u2(&r);
	assert_int_equal(cp[this_cls].tag, 7);
	assert_true(utf8_is(cp, cp[this_cls].a, name));
	assert_true(utf8_is(cp, cp[super_cls].a, "java/lang/Object"));
	assert_int_equal(u2(&r), 0); /* interfaces */
	assert_int_equal(u2(&r), 0); /* fields */
	unsigned methods = u2(&r);
	assert_int_equal(methods, 2);
	unsigned bind_name = 0;
	for (unsigned m = 0; m < methods; m++) {
		unsigned access = u2(&r), mname = u2(&r), desc = u2(&r), attrs = u2(&r);
		assert_true(utf8_is(cp, desc, "()V"));
		if (utf8_is(cp, mname, "bind")) {
			assert_int_equal(access, 0x010a); /* private static native */
			assert_int_equal(attrs, 0);
			bind_name = mname;
			continue;
		}
		assert_true(utf8_is(cp, mname, "run"));
		assert_int_equal(access & 0x0108, 0x0008); /* static, not native */
		assert_int_equal(attrs, 1);
		assert_true(utf8_is(cp, u2(&r), "Code"));
		size_t end = r.at + 4;
		end += u4(&r);
		u2(&r), u2(&r); /* max_stack, max_locals */
		assert_int_equal(u4(&r), 4);
		assert_int_equal(u1(&r), 0xb8); /* invokestatic */
		unsigned ref = u2(&r);
		assert_int_equal(u1(&r), 0xb1); /* return */
		assert_int_equal(cp[ref].tag, 10);
		assert_int_equal(cp[ref].a, this_cls);
		assert_int_equal(cp[cp[ref].b].tag, 12);
		assert_true(utf8_is(cp, cp[cp[ref].b].a, "bind"));
		assert_int_equal(u2(&r), 0); /* exception table */
		assert_int_equal(u2(&r), 0); /* attributes */
		assert_int_equal(r.at, end);
	}
	assert_int_not_equal(bind_name, 0);
	assert_int_equal(u2(&r), 0); /* class attributes */
	assert_int_equal(r.at, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binder_class_is_well_formed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
