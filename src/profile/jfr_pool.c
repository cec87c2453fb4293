/*
 * Constant pools: checkpoint records (type 1) chained newest to oldest by
 * their delta field. Entries are indexed, not decoded: the index maps
 * (class, key) to where the value starts, and values are decoded on demand.
 */
#include "profile/jfr_internal.h"

#include <stdlib.h>

#include "base/alloc.h"

#define JFR_POOL_PRESIZE (1u << 20)

static inline size_t jfr_pool_hash(uint64_t key, size_t mask)
{
	key ^= key >> 31;
	key *= 0x9E3779B97F4A7C15ULL;
	return (size_t)(key >> 29) & mask;
}

static jfr_pool_slot *jfr_pool_find(const jfr_pool_index *x, uint64_t key)
{
	size_t mask = x->cap - 1;
	for (size_t i = jfr_pool_hash(key, mask);; i = (i + 1) & mask) {
		jfr_pool_slot *s = &x->slots[i];
		if (!s->pos || s->key == key)
			return s;
	}
}

/* Makes room for `need` entries at a load of at most 3/4. */
static void jfr_pool_reserve(jfr_pool_index *x, uint64_t need)
{
	if (need * 4 <= (uint64_t)x->cap * 3)
		return;
	jfr_pool_index old = *x;
	x->cap = old.cap ? old.cap : 64;
	while (need * 4 > (uint64_t)x->cap * 3)
		x->cap *= 2;
	x->slots = pj_calloc(x->cap, sizeof(*x->slots));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].pos)
			*jfr_pool_find(x, old.slots[i].key) = old.slots[i];
	}
	free(old.slots);
}

static void jfr_pool_put(jfr_pool_index *x, uint64_t key, uint64_t pos)
{
	jfr_pool_reserve(x, x->count + 1);
	jfr_pool_slot *s = jfr_pool_find(x, key);
	x->count += !s->pos;
	s->key = key;
	s->pos = pos;
}

static bool jfr_load_pool(jfr_reader *r, size_t *pos, size_t end)
{
	size_t at = *pos;
	uint64_t type_id, count, key;
	if (!jfr_read_long(r, pos, end, &type_id) || !jfr_read_int(r, pos, end, &count))
		return false;
	int32_t cls = jfr_class_by_id(r, type_id);
	if (cls < 0)
		return jfr_fail(r, at, "constant pool of undeclared type %llu", (unsigned long long)type_id);
	if (count > (end - *pos) / 2)
		return jfr_fail(r, at, "constant pool count %llu does not fit the checkpoint",
			(unsigned long long)count);
	const jfr_class *c = &r->classes[cls];
	/* Sized once from the declared count rather than doubled and rehashed
	 * on the way: stack trace and method pools run to tens of thousands of
	 * entries per chunk. Capped, since the count is not yet proven. */
	jfr_pool_reserve(&r->pools[cls], r->pools[cls].count + (count < JFR_POOL_PRESIZE ? count : JFR_POOL_PRESIZE));
	for (uint64_t i = 0; i < count; i++) {
		if (!jfr_read_long(r, pos, end, &key))
			return false;
		size_t value = *pos;
		if (!jfr_skip_value(r, pos, end, c->prim, cls, 0))
			return false;
		/* Walking newest to oldest and overwriting keeps the oldest
		 * definition of a duplicate key, as the JDK's reader does. */
		jfr_pool_put(&r->pools[cls], key, value);
	}
	return true;
}

/* Parses one checkpoint at pos; *delta receives its link to the previous one. */
static bool jfr_load_checkpoint(jfr_reader *r, size_t pos, int64_t *delta)
{
	size_t start = pos;
	uint64_t size, type, v, npools;
	uint8_t mask = 0;
	if (!jfr_read_int(r, &pos, r->chunk_end, &size) || !jfr_read_long(r, &pos, r->chunk_end, &type))
		return false;
	if (type != 1)
		return jfr_fail(r, start, "constant pool offset points at a record of type %llu",
			(unsigned long long)type);
	if (size > r->chunk_end - start || size < pos - start)
		return jfr_fail(r, start, "checkpoint size %llu does not fit the chunk", (unsigned long long)size);
	size_t end = start + (size_t)size;
	if (!jfr_read_long(r, &pos, end, &v) || !jfr_read_long(r, &pos, end, &v) ||
		!jfr_read_long(r, &pos, end, &v) || !jfr_read_u8(r, &pos, end, &mask) ||
		!jfr_read_int(r, &pos, end, &npools))
		return false;
	*delta = (int64_t)v;
	for (uint64_t i = 0; i < npools; i++) {
		if (!jfr_load_pool(r, &pos, end))
			return false;
	}
	return true;
}

bool jfr_load_pools(jfr_reader *r, size_t pos)
{
	r->pools = pj_calloc(r->nclasses, sizeof(*r->pools));
	size_t first = r->chunk.offset + JFR_HEADER_SIZE;
	for (;;) {
		int64_t delta = 0;
		if (!jfr_load_checkpoint(r, pos, &delta))
			return false;
		if (delta == 0)
			return true;
		/* Each step must go back inside the chunk, so the walk ends. */
		if (delta > 0 || 0 - (uint64_t)delta > pos - first)
			return jfr_fail(r, pos, "checkpoint delta %lld leaves the chunk or does not go back",
				(long long)delta);
		pos -= (size_t)(0 - (uint64_t)delta);
	}
}

void jfr_free_pools(jfr_reader *r)
{
	for (size_t i = 0; r->pools && i < r->nclasses; i++)
		free(r->pools[i].slots);
	free(r->pools);
	r->pools = NULL;
}

bool jfr_reader_pool(const jfr_reader *r, int32_t cls, uint64_t key, size_t *pos)
{
	if (cls < 0 || (size_t)cls >= r->nclasses || !r->pools || !r->pools[cls].count)
		return false;
	const jfr_pool_slot *s = jfr_pool_find(&r->pools[cls], key);
	if (!s->pos)
		return false;
	*pos = (size_t)s->pos;
	return true;
}

size_t jfr_reader_pool_count(const jfr_reader *r, int32_t cls)
{
	if (cls < 0 || (size_t)cls >= r->nclasses || !r->pools)
		return 0;
	return r->pools[cls].count;
}
