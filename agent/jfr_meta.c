#include "jfr_meta.h"

#include <stdbool.h>
#include <stdio.h>

#include "bytes.h"

/*
 * The metadata record: async-profiler's type ids and field orders (spec
 * jfr-format.md 6.1-6.4), restricted to the events this agent writes plus
 * every type that consumers insist on (7.3).
 */

typedef struct field_desc {
	const char *name;
	int type;
	bool cp, array;
	int ann; /* annotation type id, 0 = none */
	const char *ann_value;
} field_desc;

typedef struct class_desc {
	const char *name;
	int id;
	const char *super;
	bool simple;
	const char *label; /* events only */
	field_desc fields[8];
} class_desc;

#define EVENT "jdk.jfr.Event"
#define ANNOTATION "java.lang.annotation.Annotation"
#define START_TIME {"startTime", AG_T_LONG, false, false, AG_T_TIMESTAMP, "TICKS"}
#define DURATION {"duration", AG_T_LONG, false, false, AG_T_TIMESPAN, "TICKS"}
#define CP(n, t) {n, t, true, false, 0, NULL}
#define PLAIN(n, t) {n, t, false, false, 0, NULL}
#define BYTES(n) {n, AG_T_LONG, false, false, AG_T_DATA_AMOUNT, "BYTES"}

static const class_desc classes[] = {
	{"boolean", AG_T_BOOLEAN, NULL, false, NULL, {{0}}},
	{"char", AG_T_CHAR, NULL, false, NULL, {{0}}},
	{"float", AG_T_FLOAT, NULL, false, NULL, {{0}}},
	{"double", AG_T_DOUBLE, NULL, false, NULL, {{0}}},
	{"byte", AG_T_BYTE, NULL, false, NULL, {{0}}},
	{"short", AG_T_SHORT, NULL, false, NULL, {{0}}},
	{"int", AG_T_INT, NULL, false, NULL, {{0}}},
	{"long", AG_T_LONG, NULL, false, NULL, {{0}}},
	{"java.lang.String", AG_T_STRING, NULL, false, NULL, {{0}}},
	{"java.lang.Class", AG_T_CLASS, NULL, false, NULL,
		{CP("classLoader", AG_T_CLASS_LOADER), CP("name", AG_T_SYMBOL), CP("package", AG_T_PACKAGE),
			PLAIN("modifiers", AG_T_INT)}},
	{"java.lang.Thread", AG_T_THREAD, NULL, false, NULL,
		{PLAIN("osName", AG_T_STRING), PLAIN("osThreadId", AG_T_LONG), PLAIN("javaName", AG_T_STRING),
			PLAIN("javaThreadId", AG_T_LONG)}},
	{"jdk.types.ClassLoader", AG_T_CLASS_LOADER, NULL, false, NULL,
		{CP("type", AG_T_CLASS), CP("name", AG_T_SYMBOL)}},
	{"jdk.types.FrameType", AG_T_FRAME_TYPE, NULL, true, NULL, {PLAIN("description", AG_T_STRING)}},
	{"jdk.types.ThreadState", AG_T_THREAD_STATE, NULL, true, NULL, {PLAIN("name", AG_T_STRING)}},
	{"jdk.types.StackTrace", AG_T_STACK_TRACE, NULL, false, NULL,
		{PLAIN("truncated", AG_T_BOOLEAN), {"frames", AG_T_STACK_FRAME, false, true, 0, NULL}}},
	{"jdk.types.StackFrame", AG_T_STACK_FRAME, NULL, false, NULL,
		{CP("method", AG_T_METHOD), PLAIN("lineNumber", AG_T_INT), PLAIN("bytecodeIndex", AG_T_INT),
			CP("type", AG_T_FRAME_TYPE)}},
	{"jdk.types.Method", AG_T_METHOD, NULL, false, NULL,
		{CP("type", AG_T_CLASS), CP("name", AG_T_SYMBOL), CP("descriptor", AG_T_SYMBOL),
			PLAIN("modifiers", AG_T_INT), PLAIN("hidden", AG_T_BOOLEAN)}},
	{"jdk.types.Package", AG_T_PACKAGE, NULL, false, NULL, {CP("name", AG_T_SYMBOL)}},
	{"jdk.types.Symbol", AG_T_SYMBOL, NULL, true, NULL, {PLAIN("string", AG_T_STRING)}},
	{"jdk.ExecutionSample", AG_T_EXECUTION_SAMPLE, EVENT, false, "Method Profiling Sample",
		{START_TIME, CP("sampledThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("state", AG_T_THREAD_STATE)}},
	{"jdk.ObjectAllocationInNewTLAB", AG_T_ALLOC_IN_TLAB, EVENT, false, "Allocation in new TLAB",
		{START_TIME, CP("eventThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("objectClass", AG_T_CLASS), BYTES("allocationSize"), BYTES("tlabSize")}},
	{"jdk.ObjectAllocationOutsideTLAB", AG_T_ALLOC_OUTSIDE_TLAB, EVENT, false,
		"Allocation outside TLAB",
		{START_TIME, CP("eventThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("objectClass", AG_T_CLASS), BYTES("allocationSize")}},
	{"jdk.JavaMonitorEnter", AG_T_MONITOR_ENTER, EVENT, false, "Java Monitor Blocked",
		{START_TIME, DURATION, CP("eventThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("monitorClass", AG_T_CLASS), CP("previousOwner", AG_T_THREAD),
			{"address", AG_T_LONG, false, false, AG_T_MEMORY_ADDRESS, NULL}}},
	/* The JDK's field list: timeout in ns, until in ms since the epoch, Long.MIN_VALUE when unset. */
	{"jdk.ThreadPark", AG_T_THREAD_PARK, EVENT, false, "Java Thread Park",
		{START_TIME, DURATION, CP("eventThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("parkedClass", AG_T_CLASS),
			{"timeout", AG_T_LONG, false, false, AG_T_TIMESPAN, "NANOSECONDS"},
			{"until", AG_T_LONG, false, false, AG_T_TIMESTAMP, "MILLISECONDS_SINCE_EPOCH"},
			{"address", AG_T_LONG, false, false, AG_T_MEMORY_ADDRESS, NULL}}},
	{"jdk.ActiveSetting", AG_T_ACTIVE_SETTING, EVENT, false, "Recording Setting",
		{START_TIME, PLAIN("id", AG_T_LONG), PLAIN("name", AG_T_STRING), PLAIN("value", AG_T_STRING)}},
	{"profiler.WallClockSample", AG_T_WALL_SAMPLE, EVENT, false, "Wall Clock Sample",
		{START_TIME, CP("sampledThread", AG_T_THREAD), CP("stackTrace", AG_T_STACK_TRACE),
			CP("state", AG_T_THREAD_STATE), PLAIN("samples", AG_T_INT),
			{"timeSpan", AG_T_LONG, false, false, AG_T_TIMESPAN, "TICKS"}}},
	{"jdk.jfr.Label", AG_T_LABEL, ANNOTATION, false, NULL, {PLAIN("value", AG_T_STRING)}},
	{"jdk.jfr.Timestamp", AG_T_TIMESTAMP, ANNOTATION, false, NULL, {PLAIN("value", AG_T_STRING)}},
	{"jdk.jfr.Timespan", AG_T_TIMESPAN, ANNOTATION, false, NULL, {PLAIN("value", AG_T_STRING)}},
	{"jdk.jfr.DataAmount", AG_T_DATA_AMOUNT, ANNOTATION, false, NULL, {PLAIN("value", AG_T_STRING)}},
	{"jdk.jfr.MemoryAddress", AG_T_MEMORY_ADDRESS, ANNOTATION, false, NULL, {{0}}},
};

/* Element writer: names and attribute strings go through the string table. */
typedef struct meta_out {
	ag_buf *tree;
	ag_intern *strings;
} meta_out;

static void str_ref(meta_out *o, const char *s)
{
	ag_buf_varint(o->tree, ag_intern_str(o->strings, s) - 1);
}

static void attrs(meta_out *o, int n, const char *const *kv)
{
	ag_buf_varint(o->tree, (uint64_t)n);
	for (int i = 0; i < 2 * n; i++)
		str_ref(o, kv[i]);
}

static void annotation(meta_out *o, int type, const char *value)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", type);
	str_ref(o, "annotation");
	const char *kv[] = {"class", id, "value", value};
	attrs(o, value ? 2 : 1, kv);
	ag_buf_varint(o->tree, 0);
}

static void field(meta_out *o, const field_desc *f)
{
	char type[16];
	snprintf(type, sizeof(type), "%d", f->type);
	const char *kv[8] = {"name", f->name, "class", type};
	int n = 2;
	/* Absent means false: the JDK reads any constantPool attribute as true. */
	if (f->cp) {
		kv[2 * n] = "constantPool";
		kv[2 * n + 1] = "true";
		n++;
	}
	if (f->array) {
		kv[2 * n] = "dimension";
		kv[2 * n + 1] = "1";
		n++;
	}
	str_ref(o, "field");
	attrs(o, n, kv);
	ag_buf_varint(o->tree, f->ann ? 1 : 0);
	if (f->ann)
		annotation(o, f->ann, f->ann_value);
}

static void class_element(meta_out *o, const class_desc *c)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", c->id);
	const char *kv[8] = {"name", c->name, "id", id};
	int n = 2;
	if (c->super) {
		kv[2 * n] = "superType";
		kv[2 * n + 1] = c->super;
		n++;
	}
	if (c->simple) {
		kv[2 * n] = "simpleType";
		kv[2 * n + 1] = "true";
		n++;
	}
	str_ref(o, "class");
	attrs(o, n, kv);
	int nfields = 0;
	while (nfields < 8 && c->fields[nfields].name)
		nfields++;
	ag_buf_varint(o->tree, (uint64_t)(nfields + (c->label ? 1 : 0)));
	if (c->label)
		annotation(o, AG_T_LABEL, c->label);
	for (int i = 0; i < nfields; i++)
		field(o, &c->fields[i]);
}

void ag_jfr_metadata(ag_buf *out, uint64_t start_ticks)
{
	ag_buf tree = {0};
	ag_intern strings = {0};
	meta_out o = {&tree, &strings};
	size_t nclasses = sizeof(classes) / sizeof(classes[0]);

	str_ref(&o, "root");
	attrs(&o, 0, NULL);
	ag_buf_varint(&tree, 2);
	str_ref(&o, "metadata");
	attrs(&o, 0, NULL);
	ag_buf_varint(&tree, nclasses);
	for (size_t i = 0; i < nclasses; i++)
		class_element(&o, &classes[i]);
	/* The JDK refuses metadata without a region element. */
	str_ref(&o, "region");
	const char *region[] = {"locale", "en_US", "gmtOffset", "0"};
	attrs(&o, 2, region);
	ag_buf_varint(&tree, 0);

	size_t start = out->len;
	ag_buf_put(out, "\0\0\0\0\0", 5);
	ag_buf_varint(out, 0); /* record type: metadata */
	ag_buf_varint(out, start_ticks);
	ag_buf_varint(out, 0); /* duration */
	ag_buf_varint(out, 0x7fffffff); /* metadata id */
	ag_buf_varint(out, strings.count);
	for (uint32_t id = 1; id <= strings.count; id++)
		ag_buf_string(out, ag_intern_key(&strings, id));
	ag_buf_put(out, tree.data, tree.len);
	ag_buf_patch_varint5(out, start, (uint32_t)(out->len - start));
	if (tree.failed || strings.failed)
		out->failed = true;
	ag_buf_free(&tree);
	ag_intern_free(&strings);
}
