/* Unit tests for the controller: evaluation order, export propagation, reloads, health, JSON (spec 5.4, 5.5, 12.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/controller.h"
#include "runtime/receiver.h"

/* Every build/update/stop/destroy, as "build test.pass.a" lines, for order assertions. */
static char events[4096];

static void event(const char *what, const char *id)
{
	size_t len = strlen(events);
	snprintf(events + len, sizeof(events) - len, "%s %s\n", what, id);
}

typedef struct instance {
	pj_component *self;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool fail_run;
	pj_appendable receiver; /* test.sink only */
	char received[256];
} instance;

static instance *instances[16];
static size_t ninstances;

static instance *find(const char *id)
{
	for (size_t i = 0; i < ninstances; i++) {
		if (strcmp(pj_component_id(instances[i]->self), id) == 0)
			return instances[i];
	}
	return NULL;
}

/* test.pass: exports `out` = `input`; `fail_run = true` makes run return an error. */
static const pj_attr_schema pass_attrs[] = {
	{"input", &pj_type_any, NULL, true, NULL},
	{"fail_run", &pj_type_bool, "false", false, NULL},
	{"interval", &pj_type_duration, "\"1m\"", false, NULL},
	{"token", &pj_type_secret, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema pass_args = {pass_attrs, NULL, NULL};
static const pj_attr_schema pass_export_attrs[] = {
	{"out", &pj_type_any, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema pass_exports = {pass_export_attrs, NULL, NULL};

static void pass_publish(instance *in, const pj_value *args)
{
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "out", pj_value_ref(pj_object_get(args, "input")));
	pj_component_export(in->self, exports);
}

static void *pass_build(pj_component *self, const pj_value *args, char **err)
{
	const pj_value *input = pj_object_get(args, "input");
	size_t len;
	if (pj_value_kind(input) == PJ_STRING && strcmp(pj_value_str(input, &len), "refuse") == 0) {
		*err = strdup("refused");
		return NULL;
	}
	instance *in = calloc(1, sizeof(*in));
	in->self = self;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv, NULL);
	in->fail_run = pj_value_bool(pj_object_get(args, "fail_run"));
	instances[ninstances++] = in;
	event("build", pj_component_id(self));
	pass_publish(in, args);
	return in;
}

static bool pass_update(void *state, const pj_value *args, char **err)
{
	(void)err;
	instance *in = state;
	event("update", pj_component_id(in->self));
	pass_publish(in, args);
	return true;
}

static bool pass_run(void *state, char **err)
{
	instance *in = state;
	if (in->fail_run) {
		*err = strdup("boom");
		return false;
	}
	pthread_mutex_lock(&in->mu);
	while (!in->stop)
		pthread_cond_wait(&in->cv, &in->mu);
	pthread_mutex_unlock(&in->mu);
	return true;
}

static void pass_stop(void *state)
{
	instance *in = state;
	event("stop", pj_component_id(in->self));
	pthread_mutex_lock(&in->mu);
	in->stop = true;
	pthread_cond_signal(&in->cv);
	pthread_mutex_unlock(&in->mu);
}

static void pass_destroy(void *state)
{
	instance *in = state;
	event("destroy", pj_component_id(in->self));
	for (size_t i = 0; i < ninstances; i++) {
		if (instances[i] == in) {
			instances[i] = instances[--ninstances];
			break;
		}
	}
	pthread_mutex_destroy(&in->mu);
	pthread_cond_destroy(&in->cv);
	free(in);
}

static const pj_component_type pass_type = {
	.name = "test.pass", .args = &pass_args, .exports = &pass_exports,
	.build = pass_build, .update = pass_update, .run = pass_run, .stop = pass_stop, .destroy = pass_destroy,
};

/* test.sink: exports a receiver that records what it was given. */
static const pj_attr_schema sink_attrs[] = {{NULL, NULL, NULL, false, NULL}};
static const pj_schema sink_args = {sink_attrs, NULL, NULL};
static const pj_attr_schema sink_export_attrs[] = {
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema sink_exports = {sink_export_attrs, NULL, NULL};

static bool sink_append(pj_appendable *self, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples, char **err)
{
	(void)err;
	instance *in = (instance *)((char *)self - offsetof(instance, receiver));
	size_t len = strlen(in->received);
	for (size_t i = 0; i < nlabels; i++)
		len += snprintf(in->received + len, sizeof(in->received) - len, "%s=%s ", labels[i].name, labels[i].value);
	for (size_t i = 0; i < nsamples; i++)
		snprintf(in->received + len, sizeof(in->received) - len, "[%.*s]", (int)samples[i].len,
			(const char *)samples[i].data);
	return true;
}

/* The receiver outlives the component while senders still hold it: the last reference frees. */
static void sink_release(pj_appendable *self)
{
	free((char *)self - offsetof(instance, receiver));
}

static void *sink_build(pj_component *self, const pj_value *args, char **err)
{
	(void)args;
	(void)err;
	instance *in = calloc(1, sizeof(*in));
	in->self = self;
	in->receiver.append = sink_append;
	in->receiver.release = sink_release;
	pj_appendable_init(&in->receiver);
	instances[ninstances++] = in;
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "receiver", pj_appendable_value(&in->receiver));
	pj_component_export(self, exports);
	return in;
}

static void sink_destroy(void *state)
{
	instance *in = state;
	for (size_t i = 0; i < ninstances; i++) {
		if (instances[i] == in) {
			instances[i] = instances[--ninstances];
			break;
		}
	}
	pj_appendable_unref(&in->receiver);
}

static const pj_component_type sink_type = {
	.name = "test.sink", .args = &sink_args, .exports = &sink_exports,
	.build = sink_build, .destroy = sink_destroy,
};

/* test.send: takes forward_to, keeps its arguments for the test to read. */
static const pj_attr_schema send_attrs[] = {
	{"forward_to", &pj_type_receiver_list, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema send_args = {send_attrs, NULL, NULL};

static void *send_build(pj_component *self, const pj_value *args, char **err)
{
	(void)args;
	(void)err;
	event("build", pj_component_id(self));
	return self;
}

static const pj_component_type send_type = {
	.name = "test.send", .args = &send_args, .build = send_build,
};

/* Stand-ins with the shapes of the spec 5.4 pipeline; they only record being built. */
static void *record_build(pj_component *self, const pj_value *args, char **err)
{
	(void)args;
	(void)err;
	event("build", pj_component_id(self));
	return self;
}

static const pj_attr_schema any_targets_attrs[] = {
	{"targets", &pj_type_targets, NULL, false, NULL},
	{"refresh_interval", &pj_type_duration, "\"60s\"", false, NULL},
	{"forward_to", &pj_type_receiver_list, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_attr_schema rule_attrs[] = {
	{"source_labels", &pj_type_string_list, NULL, false, NULL},
	{"regex", &pj_type_string, NULL, false, NULL},
	{"action", &pj_type_string, NULL, false, NULL},
	{"target_label", &pj_type_string, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema rule_schema = {rule_attrs, NULL, NULL};
static const pj_attr_schema url_attrs[] = {
	{"url", &pj_type_string, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema url_schema = {url_attrs, NULL, NULL};
static const pj_block_schema pipeline_blocks[] = {
	{"rule", &rule_schema, PJ_BLOCK_REPEATED},
	{"endpoint", &url_schema, PJ_BLOCK_REPEATED},
	{NULL, NULL, 0},
};
static const pj_schema pipeline_args = {any_targets_attrs, pipeline_blocks, NULL};
static const pj_attr_schema pipeline_export_attrs[] = {
	{"targets", &pj_type_targets, NULL, false, NULL},
	{"output", &pj_type_targets, NULL, false, NULL},
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema pipeline_exports = {pipeline_export_attrs, NULL, NULL};
static const pj_component_type pipeline_types[] = {
	{.name = "discovery.process", .args = &pipeline_args, .exports = &pipeline_exports, .build = record_build},
	{.name = "discovery.relabel", .args = &pipeline_args, .exports = &pipeline_exports, .build = record_build},
	{.name = "pyroscope.write", .args = &pipeline_args, .exports = &pipeline_exports, .build = record_build},
	{.name = "pyroscope.java", .args = &pipeline_args, .exports = &pipeline_exports, .build = record_build},
};

typedef struct fixture {
	pj_registry *reg;
	pj_controller *ctl;
} fixture;

static bool apply(fixture *f, const char *text, pj_diags *diags)
{
	pj_diags parse_diags = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &parse_diags);
	assert_false(pj_diags_has_errors(&parse_diags));
	pj_diags_free(&parse_diags);
	return pj_controller_load(f->ctl, files, 1, diags);
}

static fixture start(const char *text)
{
	events[0] = '\0';
	fixture f;
	f.reg = pj_registry_new();
	pj_registry_add(f.reg, &pass_type);
	pj_registry_add(f.reg, &sink_type);
	pj_registry_add(f.reg, &send_type);
	for (size_t i = 0; i < sizeof(pipeline_types) / sizeof(pipeline_types[0]); i++)
		pj_registry_add(f.reg, &pipeline_types[i]);
	pj_controller_options opts = {.registry = f.reg, .manual_flush = true};
	f.ctl = pj_controller_new(&opts);
	pj_diags diags = PJ_DIAGS_INIT;
	bool ok = apply(&f, text, &diags);
	if (!ok)
		pj_diags_print(&diags, stderr, false);
	assert_true(ok);
	pj_diags_free(&diags);
	pj_controller_flush(f.ctl);
	return f;
}

static void finish(fixture *f)
{
	pj_controller_free(f->ctl);
	pj_registry_free(f->reg);
	assert_int_equal(ninstances, 0);
}

static int64_t input_of(fixture *f, const char *id)
{
	pj_value *args = pj_controller_args(f->ctl, id);
	assert_non_null(args);
	int64_t v = pj_value_int(pj_object_get(args, "input"));
	pj_value_unref(args);
	return v;
}

static void publish_int(const char *id, int64_t v)
{
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "out", pj_int(v));
	pj_component_export(find(id)->self, exports);
}

static const char *chain =
	"test.pass \"c\" {\n  input = test.pass.b.out\n}\n"
	"test.pass \"b\" {\n  input = test.pass.a.out\n}\n"
	"test.pass \"a\" {\n  input = 1\n}\n"
	"test.pass \"other\" {\n  input = 7\n}\n";

static void test_evaluates_in_dependency_order(void **state)
{
	(void)state;
	fixture f = start(chain);
	assert_string_equal(events, "build test.pass.a\nbuild test.pass.other\nbuild test.pass.b\nbuild test.pass.c\n");
	assert_int_equal(input_of(&f, "test.pass.c"), 1);
	finish(&f);
}

/* The example chain of spec 5.4: {process, write} -> relabel -> java. */
static void test_spec_pipeline_order(void **state)
{
	(void)state;
	fixture f = start("discovery.process \"local\" {\n  refresh_interval = \"30s\"\n}\n\n"
			  "discovery.relabel \"java\" {\n  targets = discovery.process.local.targets\n"
			  "  rule {\n    source_labels = [\"__meta_process_exe\"]\n    regex         = \".*/java\"\n"
			  "    action        = \"keep\"\n  }\n"
			  "  rule {\n    source_labels = [\"__meta_process_commandline\"]\n"
			  "    regex         = \".*-Dservice=([A-Za-z0-9_-]+).*\"\n    target_label  = \"service_name\"\n  }\n}\n\n"
			  "pyroscope.write \"backend\" {\n  endpoint {\n    url = \"http://pyroscope.example:4040\"\n  }\n}\n\n"
			  "pyroscope.java \"jvms\" {\n  targets    = discovery.relabel.java.output\n"
			  "  forward_to = [pyroscope.write.backend.receiver]\n}\n");
	assert_string_equal(events, "build discovery.process.local\nbuild pyroscope.write.backend\n"
				    "build discovery.relabel.java\nbuild pyroscope.java.jvms\n");
	pj_buf json = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(f.ctl, "discovery.relabel.java", &json));
	assert_non_null(strstr(pj_buf_cstr(&json), "\"referencesTo\":[\"discovery.process.local\"],"
						     "\"referencedBy\":[\"pyroscope.java.jvms\"],"
						     "\"dataFlowEdgesTo\":[\"pyroscope.java.jvms\"]"));
	assert_non_null(strstr(pj_buf_cstr(&json), "{\"name\":\"rule\",\"type\":\"block\",\"body\":["
						     "{\"name\":\"source_labels\",\"type\":\"attr\",\"value\":{\"type\":\"array\","
						     "\"value\":[{\"type\":\"string\",\"value\":\"__meta_process_exe\"}]}},"
						     "{\"name\":\"regex\",\"type\":\"attr\",\"value\":{\"type\":\"string\","
						     "\"value\":\".*/java\"}},"
						     "{\"name\":\"action\",\"type\":\"attr\",\"value\":{\"type\":\"string\","
						     "\"value\":\"keep\"}}]}"));
	pj_buf_reset(&json);
	assert_true(pj_controller_component_json(f.ctl, "pyroscope.java.jvms", &json));
	assert_non_null(strstr(pj_buf_cstr(&json), "\"referencesTo\":[\"discovery.relabel.java\",\"pyroscope.write.backend\"],"
						     "\"referencedBy\":[],\"dataFlowEdgesTo\":[\"pyroscope.write.backend\"]"));
	pj_buf_free(&json);
	finish(&f);
}

static void test_export_change_updates_dependants(void **state)
{
	(void)state;
	fixture f = start(chain);
	events[0] = '\0';
	publish_int("test.pass.a", 2);
	pj_controller_flush(f.ctl);
	/* b is updated, re-publishes, and the cascade reaches c; `other` is untouched. */
	assert_string_equal(events, "update test.pass.b\nupdate test.pass.c\n");
	assert_int_equal(input_of(&f, "test.pass.c"), 2);
	finish(&f);
}

static void test_equal_exports_do_nothing(void **state)
{
	(void)state;
	fixture f = start(chain);
	events[0] = '\0';
	publish_int("test.pass.a", 1);
	pj_controller_flush(f.ctl);
	assert_string_equal(events, "");
	finish(&f);
}

static void test_failed_component_keeps_cached_exports(void **state)
{
	(void)state;
	fixture f = start(chain);
	pj_diags diags = PJ_DIAGS_INIT;
	events[0] = '\0';
	/* b now fails to decode; c is still evaluated and sees b's last exports. */
	const char *broken =
		"test.pass \"c\" {\n  input = test.pass.b.out\n}\n"
		"test.pass \"b\" {\n  input = test.pass.a.out\n  fail_run = \"yes\"\n}\n"
		"test.pass \"a\" {\n  input = 1\n}\n";
	assert_false(apply(&f, broken, &diags));
	assert_int_equal(diags.len, 1);
	assert_string_equal(diags.items[0].message, "\"yes\" should be bool, got string");
	pj_diags_free(&diags);
	/* Never started, so there is nothing to stop. */
	assert_string_equal(events, "destroy test.pass.other\n");
	assert_int_equal(input_of(&f, "test.pass.c"), 1);
	pj_health h = {0};
	assert_true(pj_controller_health(f.ctl, "test.pass.b", &h));
	assert_int_equal(h.state, PJ_HEALTH_UNHEALTHY);
	assert_string_equal(h.message, "component evaluation failed: \"yes\" should be bool, got string");
	pj_health_clear(&h);
	pj_buf names = PJ_BUF_INIT;
	assert_false(pj_controller_healthy(f.ctl, &names));
	assert_string_equal(pj_buf_cstr(&names), "test.pass");
	pj_buf_free(&names);
	finish(&f);
}

static void test_broken_reload_keeps_graph(void **state)
{
	(void)state;
	fixture f = start(chain);
	pj_diags diags = PJ_DIAGS_INIT;
	events[0] = '\0';
	assert_false(apply(&f, "nope.x \"a\" {\n}\n", &diags));
	pj_diags_free(&diags);
	assert_string_equal(events, "");
	assert_int_equal(input_of(&f, "test.pass.c"), 1);

	/* A good reload updates changed components in place and builds new ones. */
	assert_true(apply(&f, "test.pass \"a\" {\n  input = 5\n}\ntest.pass \"new\" {\n  input = test.pass.a.out\n}\n",
		&diags));
	assert_string_equal(events, "destroy test.pass.c\ndestroy test.pass.b\ndestroy test.pass.other\n"
				    "update test.pass.a\nbuild test.pass.new\n");
	assert_int_equal(input_of(&f, "test.pass.new"), 5);
	pj_diags_free(&diags);
	finish(&f);
}

static void test_build_failure_is_wrapped(void **state)
{
	(void)state;
	fixture f = start("test.pass \"a\" {\n  input = 1\n}\n");
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(apply(&f, "test.pass \"a\" {\n  input = 1\n}\ntest.pass \"z\" {\n  input = \"refuse\"\n}\n", &diags));
	assert_int_equal(diags.len, 1);
	assert_string_equal(diags.items[0].message, "Failed to build component: building component: refused");
	char *pos = pj_diag_position(&diags.items[0]);
	assert_string_equal(pos, "main.alloy:4:1");
	free(pos);
	pj_diags_free(&diags);
	finish(&f);
}

static void test_health_follows_run(void **state)
{
	(void)state;
	fixture f = start("test.pass \"ok\" {\n  input = 1\n}\ntest.pass \"bad\" {\n  input = 1\n  fail_run = true\n}\n");
	pj_health h = {0};
	assert_true(pj_controller_health(f.ctl, "test.pass.ok", &h));
	assert_int_equal(h.state, PJ_HEALTH_UNKNOWN);
	pj_controller_start(f.ctl);
	assert_true(pj_controller_health(f.ctl, "test.pass.ok", &h));
	assert_int_equal(h.state, PJ_HEALTH_HEALTHY);
	assert_string_equal(h.message, "started component");
	pj_controller_stop(f.ctl);
	assert_true(pj_controller_health(f.ctl, "test.pass.ok", &h));
	assert_int_equal(h.state, PJ_HEALTH_EXITED);
	assert_string_equal(h.message, "component shut down cleanly");
	assert_true(pj_controller_health(f.ctl, "test.pass.bad", &h));
	assert_int_equal(h.state, PJ_HEALTH_EXITED);
	assert_string_equal(h.message, "component shut down with error: boom");
	assert_false(pj_controller_health(f.ctl, "test.pass.none", &h));
	pj_health_clear(&h);
	finish(&f);
}

static void test_health_merge_order(void **state)
{
	(void)state;
	pj_health a = {PJ_HEALTH_HEALTHY, NULL, 5}, b = {PJ_HEALTH_UNKNOWN, NULL, 1};
	assert_true(pj_health_worse(&b, &a));
	b.state = PJ_HEALTH_UNHEALTHY;
	a.state = PJ_HEALTH_EXITED;
	assert_true(pj_health_worse(&a, &b));
	b.state = PJ_HEALTH_EXITED;
	assert_true(pj_health_worse(&a, &b)); /* tie: the newer one */
	assert_string_equal(pj_health_state_name(PJ_HEALTH_UNHEALTHY), "unhealthy");
}

static void test_receivers_flow_to_their_owner(void **state)
{
	(void)state;
	fixture f = start("test.send \"s\" {\n  forward_to = [test.sink.w.receiver]\n}\ntest.sink \"w\" {\n}\n");
	assert_string_equal(events, "build test.send.s\n");
	pj_value *args = pj_controller_args(f.ctl, "test.send.s");
	pj_label labels[] = {{"service_name", "app"}};
	pj_raw_sample sample = {"pprof", 5, NULL};
	char *err = NULL;
	assert_true(pj_appendable_append_all(pj_object_get(args, "forward_to"), labels, 1, &sample, 1, &err));
	pj_value_unref(args);
	assert_string_equal(find("test.sink.w")->received, "service_name=app [pprof]");

	pj_buf json = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(f.ctl, "test.send.s", &json));
	assert_non_null(strstr(pj_buf_cstr(&json), "\"referencesTo\":[\"test.sink.w\"],\"referencedBy\":[],"
						     "\"dataFlowEdgesTo\":[\"test.sink.w\"]"));
	assert_non_null(strstr(pj_buf_cstr(&json), "{\"type\":\"array\",\"value\":[{\"type\":\"capsule\","
						     "\"value\":\"capsule(\\\"pyroscope.Appendable\\\")\"}]}"));
	pj_buf_free(&json);
	finish(&f);
}

static void test_component_json(void **state)
{
	(void)state;
	fixture f = start("test.pass \"a\" {\n  input = {b = 1, a = \"x\"}\n  interval = \"90s\"\n  token = \"hunter2\"\n}\n"
			  "test.pass \"b\" {\n  input = test.pass.a.out\n}\n");
	pj_buf json = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(f.ctl, "test.pass.a", &json));
	const char *s = pj_buf_cstr(&json);
	const char *head =
		"{\"name\":\"test.pass\",\"type\":\"block\",\"localID\":\"test.pass.a\",\"moduleID\":\"\",\"label\":\"a\","
		"\"referencesTo\":[],\"referencedBy\":[\"test.pass.b\"],\"dataFlowEdgesTo\":[\"test.pass.b\"],"
		"\"original\":\"\",\"health\":{\"state\":\"unknown\",\"message\":\"component created\",\"updatedTime\":\"";
	assert_memory_equal(s, head, strlen(head));
	const char *args =
		"\"arguments\":[{\"name\":\"input\",\"type\":\"attr\",\"value\":{\"type\":\"object\",\"value\":["
		"{\"key\":\"a\",\"value\":{\"type\":\"string\",\"value\":\"x\"}},"
		"{\"key\":\"b\",\"value\":{\"type\":\"number\",\"value\":1}}]}},"
		"{\"name\":\"interval\",\"type\":\"attr\",\"value\":{\"type\":\"string\",\"value\":\"1m30s\"}},"
		"{\"name\":\"token\",\"type\":\"attr\",\"value\":{\"type\":\"capsule\",\"value\":\"(secret)\"}}],"
		"\"exports\":[{\"name\":\"out\",\"type\":\"attr\",\"value\":{\"type\":\"object\",\"value\":[";
	assert_non_null(strstr(s, args));
	assert_non_null(strstr(s, "\"debugInfo\":[],\"liveDebuggingEnabled\":false}"));
	assert_null(strstr(s, "hunter2"));
	pj_buf_reset(&json);

	pj_controller_components_json(f.ctl, &json);
	s = pj_buf_cstr(&json);
	assert_int_equal(s[0], '[');
	assert_non_null(strstr(s, "\"localID\":\"test.pass.b\""));
	assert_non_null(strstr(s, "\"arguments\":[],\"exports\":[],\"debugInfo\":[]"));
	pj_buf_reset(&json);

	assert_false(pj_controller_component_json(f.ctl, "test.pass.zzz", &json));
	pj_buf_free(&json);
	finish(&f);
}

static void test_metrics(void **state)
{
	(void)state;
	events[0] = '\0';
	pj_registry *reg = pj_registry_new();
	pj_registry_add(reg, &pass_type);
	pj_metrics *metrics = pj_metrics_new();
	pj_controller_options opts = {.registry = reg, .manual_flush = true, .metrics = metrics};
	pj_controller *ctl = pj_controller_new(&opts);
	fixture f = {reg, ctl};
	pj_diags diags = PJ_DIAGS_INIT;
	assert_true(apply(&f, chain, &diags));
	pj_controller_start(ctl);

	instance *a = find("test.pass.a");
	assert_ptr_equal(pj_component_metrics(a->self), metrics);
	const char *const *labels = pj_component_metric_labels(a->self);
	assert_string_equal(labels[0], "component_path");
	assert_string_equal(labels[1], "/");
	assert_string_equal(labels[2], "component_id");
	assert_string_equal(labels[3], "test.pass.a");
	assert_null(labels[4]);

	pj_buf text = PJ_BUF_INIT;
	pj_metrics_write_text(metrics, &text);
	assert_non_null(strstr(pj_buf_cstr(&text), "alloy_component_controller_running_components{controller_id=\"\","
						    "controller_path=\"/\",health_type=\"healthy\"} 4\n"));
	assert_non_null(strstr(pj_buf_cstr(&text), "alloy_component_evaluation_seconds_count{controller_id=\"\","
						    "controller_path=\"/\"} 4\n"));
	pj_buf_free(&text);
	finish(&f);
	/* The controller unregistered its metrics, so nothing points at it any more. */
	pj_metrics_write_text(metrics, &text);
	assert_null(strstr(pj_buf_cstr(&text), "alloy_component_controller_running_components"));
	pj_buf_free(&text);
	pj_metrics_free(metrics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluates_in_dependency_order),
		cmocka_unit_test(test_spec_pipeline_order),
		cmocka_unit_test(test_export_change_updates_dependants),
		cmocka_unit_test(test_equal_exports_do_nothing),
		cmocka_unit_test(test_failed_component_keeps_cached_exports),
		cmocka_unit_test(test_broken_reload_keeps_graph),
		cmocka_unit_test(test_build_failure_is_wrapped),
		cmocka_unit_test(test_health_follows_run),
		cmocka_unit_test(test_health_merge_order),
		cmocka_unit_test(test_receivers_flow_to_their_owner),
		cmocka_unit_test(test_component_json),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
