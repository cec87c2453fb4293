#include "methods.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "vm.h"

typedef struct cache_slot {
	jmethodID id;
	ag_method *m; /* NULL: resolution failed */
} cache_slot;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_slot *slots;
static size_t nslots, used;
static ag_intern class_names;

static char *jvmti_strdup(char *s)
{
	char *copy = s ? strdup(s) : NULL;
	if (s)
		(*ag_jvm.jvmti)->Deallocate(ag_jvm.jvmti, (unsigned char *)s);
	return copy;
}

/* "Ljava/lang/String;" -> "java/lang/String"; array descriptors stay as they are. */
static char *class_internal_name(char *sig)
{
	size_t n = strlen(sig);
	if (n >= 2 && sig[0] == 'L' && sig[n - 1] == ';') {
		memmove(sig, sig + 1, n - 2);
		sig[n - 2] = '\0';
	}
	return sig;
}

static char *class_signature(jclass klass)
{
	char *sig = NULL;
	if ((*ag_jvm.jvmti)->GetClassSignature(ag_jvm.jvmti, klass, &sig, NULL) != JVMTI_ERROR_NONE)
		return NULL;
	char *copy = jvmti_strdup(sig);
	return copy ? class_internal_name(copy) : NULL;
}

static void free_method(ag_method *m)
{
	if (!m)
		return;
	free(m->cls);
	free(m->name);
	free(m->sig);
	free(m->lines);
	free(m);
}

static int compare_lines(const void *a, const void *b)
{
	jlocation x = ((const jvmtiLineNumberEntry *)a)->start_location;
	jlocation y = ((const jvmtiLineNumberEntry *)b)->start_location;
	return x < y ? -1 : x > y;
}

static void load_lines(jvmtiEnv *jvmti, jmethodID id, ag_method *m)
{
	jvmtiLineNumberEntry *lines = NULL;
	jint n = 0;
	if ((*jvmti)->GetLineNumberTable(jvmti, id, &n, &lines) != JVMTI_ERROR_NONE || n <= 0)
		return;
	m->lines = malloc(sizeof(*lines) * (size_t)n);
	if (m->lines) {
		memcpy(m->lines, lines, sizeof(*lines) * (size_t)n);
		m->nlines = n;
		qsort(m->lines, (size_t)n, sizeof(*lines), compare_lines);
	}
	(*jvmti)->Deallocate(jvmti, (unsigned char *)lines);
}

static ag_method *resolve(jmethodID id)
{
	jvmtiEnv *jvmti = ag_jvm.jvmti;
	ag_method *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	char *name = NULL, *sig = NULL;
	jclass klass = NULL;
	if ((*jvmti)->GetMethodName(jvmti, id, &name, &sig, NULL) != JVMTI_ERROR_NONE ||
		(*jvmti)->GetMethodDeclaringClass(jvmti, id, &klass) != JVMTI_ERROR_NONE) {
		jvmti_strdup(name);
		jvmti_strdup(sig);
		free(m);
		return NULL;
	}
	m->name = jvmti_strdup(name);
	m->sig = jvmti_strdup(sig);
	m->cls = class_signature(klass);
	JNIEnv *jni = ag_vm_jni();
	if (jni)
		(*jni)->DeleteLocalRef(jni, klass);
	(*jvmti)->GetMethodModifiers(jvmti, id, &m->modifiers);
	load_lines(jvmti, id, m);
	if (!m->name || !m->sig || !m->cls) {
		free_method(m);
		return NULL;
	}
	return m;
}

static size_t slot_of(jmethodID id, size_t n)
{
	uint64_t v = (uint64_t)(uintptr_t)id;
	v ^= v >> 31;
	v *= 0x9e3779b97f4a7c15ull;
	return (size_t)(v >> 20) & (n - 1);
}

static bool grow(void)
{
	size_t n = nslots ? nslots * 2 : 4096;
	cache_slot *s = calloc(n, sizeof(*s));
	if (!s)
		return false;
	for (size_t i = 0; i < nslots; i++) {
		if (!slots[i].id)
			continue;
		size_t j = slot_of(slots[i].id, n);
		while (s[j].id)
			j = (j + 1) & (n - 1);
		s[j] = slots[i];
	}
	free(slots);
	slots = s;
	nslots = n;
	return true;
}

const ag_method *ag_method_get(jmethodID id)
{
	if (!id)
		return NULL;
	pthread_mutex_lock(&cache_lock);
	ag_method *found = NULL;
	if ((used + 1) * 2 > nslots && !grow()) {
		pthread_mutex_unlock(&cache_lock);
		return NULL;
	}
	size_t i = slot_of(id, nslots);
	while (slots[i].id && slots[i].id != id)
		i = (i + 1) & (nslots - 1);
	if (slots[i].id) {
		found = slots[i].m;
	} else {
		found = resolve(id);
		slots[i] = (cache_slot){id, found};
		used++;
	}
	pthread_mutex_unlock(&cache_lock);
	return found;
}

int ag_method_line(const ag_method *m, int bci)
{
	int line = 0;
	for (jint i = 0; i < m->nlines && m->lines[i].start_location <= bci; i++)
		line = m->lines[i].line_number;
	return line;
}

const char *ag_class_name(jclass klass)
{
	char *name = class_signature(klass);
	if (!name)
		return NULL;
	pthread_mutex_lock(&cache_lock);
	uint32_t id = ag_intern_str(&class_names, name);
	const char *interned = ag_intern_key(&class_names, id);
	pthread_mutex_unlock(&cache_lock);
	free(name);
	return interned;
}
