#include "threads.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sampler.h"
#include "vm.h"

typedef struct java_thread {
	void *jt;
	int64_t id;
	char *name;
} java_thread;

struct ag_threads {
	java_thread *list;
	size_t n;
};

/*
 * Names of Java threads that ended while profiling: they are gone from
 * GetAllThreads by the time the window is written.
 */
#define ENDED_CAP 4096
typedef struct ended_thread {
	uint32_t tid;
	int64_t id;
	char name[64];
} ended_thread;
static pthread_mutex_t ended_lock = PTHREAD_MUTEX_INITIALIZER;
static ended_thread ended[ENDED_CAP];
static size_t ended_next;

void ag_threads_note_ending(JNIEnv *jni, jthread thread)
{
	jvmtiThreadInfo info;
	memset(&info, 0, sizeof(info));
	if ((*ag_jvm.jvmti)->GetThreadInfo(ag_jvm.jvmti, thread, &info) != JVMTI_ERROR_NONE)
		return;
	int64_t id = ag_jvm.java_tid ? (*jni)->GetLongField(jni, thread, ag_jvm.java_tid) : 0;
	pthread_mutex_lock(&ended_lock);
	ended_thread *e = &ended[ended_next++ % ENDED_CAP];
	e->tid = ag_gettid();
	e->id = id;
	snprintf(e->name, sizeof(e->name), "%s", info.name ? info.name : "");
	pthread_mutex_unlock(&ended_lock);
	(*ag_jvm.jvmti)->Deallocate(ag_jvm.jvmti, (unsigned char *)info.name);
	(*jni)->DeleteLocalRef(jni, info.thread_group);
	(*jni)->DeleteLocalRef(jni, info.context_class_loader);
}

/* The latest ended thread with `tid` (tids are reused). */
static bool ended_lookup(uint32_t tid, ag_thread_info *out)
{
	bool found = false;
	pthread_mutex_lock(&ended_lock);
	size_t n = ended_next < ENDED_CAP ? ended_next : ENDED_CAP;
	for (size_t k = 0; k < n && !found; k++) {
		const ended_thread *e = &ended[(ended_next - 1 - k) % ENDED_CAP];
		if (e->tid == tid) {
			snprintf(out->name, sizeof(out->name), "%s", e->name);
			out->java_id = e->id;
			out->java = true;
			found = true;
		}
	}
	pthread_mutex_unlock(&ended_lock);
	return found;
}

static void add_thread(ag_threads *t, JNIEnv *jni, jthread thread)
{
	jvmtiThreadInfo info;
	memset(&info, 0, sizeof(info));
	if ((*ag_jvm.jvmti)->GetThreadInfo(ag_jvm.jvmti, thread, &info) != JVMTI_ERROR_NONE)
		return;
	java_thread *e = &t->list[t->n];
	e->jt = ag_vm_java_thread(jni, thread);
	e->id = ag_jvm.java_tid ? (*jni)->GetLongField(jni, thread, ag_jvm.java_tid) : 0;
	e->name = info.name ? strdup(info.name) : NULL;
	(*ag_jvm.jvmti)->Deallocate(ag_jvm.jvmti, (unsigned char *)info.name);
	(*jni)->DeleteLocalRef(jni, info.thread_group);
	(*jni)->DeleteLocalRef(jni, info.context_class_loader);
	if (e->jt && e->name)
		t->n++;
	else
		free(e->name);
}

ag_threads *ag_threads_snapshot(void)
{
	ag_threads *t = calloc(1, sizeof(*t));
	JNIEnv *jni = ag_vm_jni();
	if (!t || !jni)
		return t;
	jint n = 0;
	jthread *threads = NULL;
	if ((*ag_jvm.jvmti)->GetAllThreads(ag_jvm.jvmti, &n, &threads) != JVMTI_ERROR_NONE)
		return t;
	ag_vm_expect_local_refs(jni, n);
	t->list = calloc((size_t)n + 1, sizeof(*t->list));
	for (jint i = 0; i < n; i++) {
		if (t->list)
			add_thread(t, jni, threads[i]);
		(*jni)->DeleteLocalRef(jni, threads[i]);
	}
	(*ag_jvm.jvmti)->Deallocate(ag_jvm.jvmti, (unsigned char *)threads);
	return t;
}

static bool read_comm(uint32_t tid, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%u/comm", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return true;
}

void ag_threads_lookup(const ag_threads *t, uint32_t tid, ag_thread_info *out)
{
	memset(out, 0, sizeof(*out));
	void *jt = ag_sampler_thread_of(tid);
	for (size_t i = 0; t && jt && i < t->n; i++) {
		if (t->list[i].jt == jt) {
			snprintf(out->name, sizeof(out->name), "%s", t->list[i].name);
			out->java_id = t->list[i].id;
			out->java = true;
			return;
		}
	}
	if (ended_lookup(tid, out))
		return;
	if (!read_comm(tid, out->name, sizeof(out->name)))
		snprintf(out->name, sizeof(out->name), "[tid=%u]", tid);
}

void ag_threads_free(ag_threads *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->list[i].name);
	free(t->list);
	free(t);
}
