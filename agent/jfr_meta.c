#include "jfr_meta.h"

#include <stdbool.h>
#include <stdio.h>

#include "bytes.h"

/*
 * The metadata record: async-profiler's type ids and field orders (spec
 * jfr-format.md 6.1-6.4), restricted to the events this agent writes plus
 * every type that consumers insist on (7.3).
 *
 * Every event, type and field carries the annotations the JDK's recorder
 * puts on its own definition of it (spec 4.5): a Label everywhere, a
 * Category on events, and on numbers what they are (a point in time, a
 * duration and its unit, an amount of bytes, unsigned, an address). The JDK
 * tools format a value by these only when the annotation's own type is
 * marked jdk.jfr.ContentType, so the annotation types carry that mark too;
 * without it `jfr print` shows raw Durations and Long.MIN_VALUE ("unset")
 * as a huge negative time instead of N/A.
 *
 * The numbers written (jfr_writer.c) are in the units declared here: ticks
 * are CLOCK_MONOTONIC nanoseconds (header: 1e9 ticks per second), so
 * durations are TICKS; a park's timeout is the nanoseconds given to
 * Unsafe.park, its `until` the epoch milliseconds given to it.
 */

/* One annotation: its type and its argument (NULL = none). */
typedef struct ann_desc {
	int type;
	const char *value;
} ann_desc;

typedef struct field_desc {
	const char *name;
	int type;
	bool cp, array;
	const char *label;
	ann_desc meaning[2]; /* what the number is; type 0 ends the list */
} field_desc;

typedef struct class_desc {
	const char *name;
	int id;
	const char *super;
	bool simple;
	bool content_type; /* an annotation type that gives a value its unit or meaning */
	const char *label;
	const char *category[2]; /* events: the JDK's grouping, outermost first */
	field_desc fields[8];
} class_desc;

#define EVENT "jdk.jfr.Event"
#define ANNOTATION "java.lang.annotation.Annotation"
#define FIELD(n, t, l) {.name = (n), .type = (t), .label = (l)}
#define CP(n, t, l) {.name = (n), .type = (t), .cp = true, .label = (l)}
#define WITH(n, t, l, ...) {.name = (n), .type = (t), .label = (l), .meaning = {__VA_ARGS__}}
#define START_TIME WITH("startTime", AG_T_LONG, "Start Time", {AG_T_TIMESTAMP, "TICKS"})
#define DURATION WITH("duration", AG_T_LONG, "Duration", {AG_T_TIMESPAN, "TICKS"})
#define BYTES(n, l) WITH(n, AG_T_LONG, l, {AG_T_UNSIGNED, NULL}, {AG_T_DATA_AMOUNT, "BYTES"})
#define ADDRESS(l) WITH("address", AG_T_LONG, l, {AG_T_UNSIGNED, NULL}, {AG_T_MEMORY_ADDRESS, NULL})
#define EVENT_THREAD CP("eventThread", AG_T_THREAD, "Event Thread")
#define STACK_TRACE CP("stackTrace", AG_T_STACK_TRACE, "Stack Trace")
#define PRIMITIVE(n, i) {.name = (n), .id = (i)}
#define TYPE(n, i, l, ...) {.name = (n), .id = (i), .label = (l), .fields = {__VA_ARGS__}}
#define SIMPLE(n, i, l, ...) {.name = (n), .id = (i), .simple = true, .label = (l), .fields = {__VA_ARGS__}}
#define EVENT_TYPE(n, i, l, cat, ...) \
	{.name = (n), .id = (i), .super = EVENT, .label = (l), .category = cat, .fields = {__VA_ARGS__}}
#define PROFILING {"Java Virtual Machine", "Profiling"}
#define APPLICATION {"Java Application"}
/* An annotation type; `unit` ones are marked ContentType. */
#define ANNOTATION_TYPE(n, i, unit, l, ...) \
	{.name = (n), .id = (i), .super = ANNOTATION, .content_type = (unit), .label = (l), \
		.fields = {__VA_ARGS__}}
#define VALUE FIELD("value", AG_T_STRING, NULL)

static const class_desc classes[] = {
	PRIMITIVE("boolean", AG_T_BOOLEAN),
	PRIMITIVE("char", AG_T_CHAR),
	PRIMITIVE("float", AG_T_FLOAT),
	PRIMITIVE("double", AG_T_DOUBLE),
	PRIMITIVE("byte", AG_T_BYTE),
	PRIMITIVE("short", AG_T_SHORT),
	PRIMITIVE("int", AG_T_INT),
	PRIMITIVE("long", AG_T_LONG),
	PRIMITIVE("java.lang.String", AG_T_STRING),
	TYPE("java.lang.Class", AG_T_CLASS, "Java Class", CP("classLoader", AG_T_CLASS_LOADER, "Class Loader"),
		CP("name", AG_T_SYMBOL, "Name"), CP("package", AG_T_PACKAGE, "Package"),
		FIELD("modifiers", AG_T_INT, "Access Modifiers")),
	TYPE("java.lang.Thread", AG_T_THREAD, "Thread", FIELD("osName", AG_T_STRING, "OS Thread Name"),
		FIELD("osThreadId", AG_T_LONG, "OS Thread Id"), FIELD("javaName", AG_T_STRING, "Java Thread Name"),
		FIELD("javaThreadId", AG_T_LONG, "Java Thread Id")),
	TYPE("jdk.types.ClassLoader", AG_T_CLASS_LOADER, "Java Class Loader", CP("type", AG_T_CLASS, "Type"),
		CP("name", AG_T_SYMBOL, "Name")),
	SIMPLE("jdk.types.FrameType", AG_T_FRAME_TYPE, "Frame type", FIELD("description", AG_T_STRING, "Description")),
	SIMPLE("jdk.types.ThreadState", AG_T_THREAD_STATE, "Java Thread State", FIELD("name", AG_T_STRING, "Name")),
	TYPE("jdk.types.StackTrace", AG_T_STACK_TRACE, "Stacktrace", FIELD("truncated", AG_T_BOOLEAN, "Truncated"),
		{.name = "frames", .type = AG_T_STACK_FRAME, .array = true, .label = "Stack Frames"}),
	TYPE("jdk.types.StackFrame", AG_T_STACK_FRAME, NULL, CP("method", AG_T_METHOD, "Java Method"),
		FIELD("lineNumber", AG_T_INT, "Line Number"), FIELD("bytecodeIndex", AG_T_INT, "Bytecode Index"),
		CP("type", AG_T_FRAME_TYPE, "Frame Type")),
	TYPE("jdk.types.Method", AG_T_METHOD, "Java Method", CP("type", AG_T_CLASS, "Type"),
		CP("name", AG_T_SYMBOL, "Name"), CP("descriptor", AG_T_SYMBOL, "Descriptor"),
		FIELD("modifiers", AG_T_INT, "Access Modifiers"), FIELD("hidden", AG_T_BOOLEAN, "Hidden")),
	TYPE("jdk.types.Package", AG_T_PACKAGE, "Package", CP("name", AG_T_SYMBOL, "Name")),
	SIMPLE("jdk.types.Symbol", AG_T_SYMBOL, "Symbol", FIELD("string", AG_T_STRING, "String")),
	EVENT_TYPE("jdk.ExecutionSample", AG_T_EXECUTION_SAMPLE, "Method Profiling Sample", PROFILING, START_TIME,
		CP("sampledThread", AG_T_THREAD, "Thread"), STACK_TRACE, CP("state", AG_T_THREAD_STATE, "Thread State")),
	/* tlabSize: as async-profiler, the bytes the sample stands for. */
	EVENT_TYPE("jdk.ObjectAllocationInNewTLAB", AG_T_ALLOC_IN_TLAB, "Allocation in new TLAB", APPLICATION,
		START_TIME, EVENT_THREAD, STACK_TRACE, CP("objectClass", AG_T_CLASS, "Object Class"),
		BYTES("allocationSize", "Allocation Size"), BYTES("tlabSize", "TLAB Size")),
	EVENT_TYPE("jdk.ObjectAllocationOutsideTLAB", AG_T_ALLOC_OUTSIDE_TLAB, "Allocation outside TLAB", APPLICATION,
		START_TIME, EVENT_THREAD, STACK_TRACE, CP("objectClass", AG_T_CLASS, "Object Class"),
		BYTES("allocationSize", "Allocation Size")),
	EVENT_TYPE("jdk.JavaMonitorEnter", AG_T_MONITOR_ENTER, "Java Monitor Blocked", APPLICATION, START_TIME,
		DURATION, EVENT_THREAD, STACK_TRACE, CP("monitorClass", AG_T_CLASS, "Monitor Class"),
		CP("previousOwner", AG_T_THREAD, "Previous Monitor Owner"), ADDRESS("Monitor Address")),
	/* The JDK's field list: timeout in ns, until in ms since the epoch, Long.MIN_VALUE when unset. */
	EVENT_TYPE("jdk.ThreadPark", AG_T_THREAD_PARK, "Java Thread Park", APPLICATION, START_TIME, DURATION,
		EVENT_THREAD, STACK_TRACE, CP("parkedClass", AG_T_CLASS, "Class Parked On"),
		WITH("timeout", AG_T_LONG, "Park Timeout", {AG_T_TIMESPAN, "NANOSECONDS"}),
		WITH("until", AG_T_LONG, "Park Until", {AG_T_TIMESTAMP, "MILLISECONDS_SINCE_EPOCH"}),
		ADDRESS("Address of Object Parked")),
	EVENT_TYPE("jdk.ActiveSetting", AG_T_ACTIVE_SETTING, "Recording Setting", {"Flight Recorder"}, START_TIME,
		FIELD("id", AG_T_LONG, "Event Id"), FIELD("name", AG_T_STRING, "Setting Name"),
		FIELD("value", AG_T_STRING, "Setting Value")),
	/* samples: wall ticks folded into the record; timeSpan: the time they cover (0: one tick). */
	EVENT_TYPE("profiler.WallClockSample", AG_T_WALL_SAMPLE, "Wall Clock Sample", PROFILING, START_TIME,
		CP("sampledThread", AG_T_THREAD, "Thread"), STACK_TRACE, CP("state", AG_T_THREAD_STATE, "Thread State"),
		FIELD("samples", AG_T_INT, "Samples"),
		WITH("timeSpan", AG_T_LONG, "Time Span", {AG_T_TIMESPAN, "TICKS"})),
	ANNOTATION_TYPE("jdk.jfr.Label", AG_T_LABEL, false, NULL, VALUE),
	ANNOTATION_TYPE("jdk.jfr.Category", AG_T_CATEGORY, false, NULL,
		{.name = "value", .type = AG_T_STRING, .array = true}),
	ANNOTATION_TYPE("jdk.jfr.ContentType", AG_T_CONTENT_TYPE, false, "Content Type"),
	ANNOTATION_TYPE("jdk.jfr.Timestamp", AG_T_TIMESTAMP, true, "Timestamp", VALUE),
	ANNOTATION_TYPE("jdk.jfr.Timespan", AG_T_TIMESPAN, true, "Timespan", VALUE),
	ANNOTATION_TYPE("jdk.jfr.DataAmount", AG_T_DATA_AMOUNT, true, "Data Amount", VALUE),
	ANNOTATION_TYPE("jdk.jfr.MemoryAddress", AG_T_MEMORY_ADDRESS, true, "Memory Address"),
	ANNOTATION_TYPE("jdk.jfr.Unsigned", AG_T_UNSIGNED, true, "Unsigned Value"),
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

/* An annotation element; an array argument (Category's) goes as value-0, value-1. */
static void annotation_values(meta_out *o, int type, const char *const *values, int nvalues, bool array)
{
	static const char *const array_keys[] = {"value-0", "value-1"};
	char id[16];
	snprintf(id, sizeof(id), "%d", type);
	const char *kv[6] = {"class", id};
	int n = 1;
	for (int i = 0; i < nvalues && i < 2; i++, n++) {
		kv[2 * n] = array ? array_keys[i] : "value";
		kv[2 * n + 1] = values[i];
	}
	str_ref(o, "annotation");
	attrs(o, n, kv);
	ag_buf_varint(o->tree, 0);
}

static void annotation(meta_out *o, int type, const char *value)
{
	annotation_values(o, type, &value, value ? 1 : 0, false);
}

static int count_meaning(const field_desc *f)
{
	int n = 0;
	while (n < 2 && f->meaning[n].type)
		n++;
	return n;
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
	int nmeaning = count_meaning(f);
	ag_buf_varint(o->tree, (uint64_t)(nmeaning + (f->label ? 1 : 0)));
	if (f->label)
		annotation(o, AG_T_LABEL, f->label);
	for (int i = 0; i < nmeaning; i++)
		annotation(o, f->meaning[i].type, f->meaning[i].value);
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
	int ncategory = c->category[1] ? 2 : c->category[0] ? 1 : 0;
	int nann = (c->content_type ? 1 : 0) + (ncategory ? 1 : 0) + (c->label ? 1 : 0);
	ag_buf_varint(o->tree, (uint64_t)(nann + nfields));
	if (c->content_type)
		annotation(o, AG_T_CONTENT_TYPE, NULL);
	if (ncategory)
		annotation_values(o, AG_T_CATEGORY, c->category, ncategory, true);
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
