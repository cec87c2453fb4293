#ifndef PJ_PROFILE_JFR_STACKS_H
#define PJ_PROFILE_JFR_STACKS_H

/*
 * Resolving JFR stack traces, methods, threads and thread states of one chunk
 * into pprof locations (used by jfr_pprof.c). Frame names are
 * "<class>.<method>" from the normalised symbols (jfr_symbols.h); everything
 * resolved is cached until the next jfr_stacks_bind().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/u64map.h"
#include "profile/jfr_reader.h"
#include "profile/pprof.h"

enum { JFR_STATE_UNKNOWN, JFR_STATE_SLEEPING, JFR_STATE_RUNNABLE, JFR_STATE_OTHER };

#define JFR_MAX_KINDS 12

/*
 * A method as named across the whole conversion: its class and method name
 * symbols as written (raw, before normalisation: the frame name is a
 * function of these two texts only). Pool keys belong to their chunk, the
 * texts do not, so a method seen again in a later chunk finds its entry
 * and its pprof functions without normalising and interning its name again.
 */
typedef struct jfr_method_entry {
	uint64_t hash;
	const char *class_text, *method_text; /* into the recording, or copied into `texts` */
	uint32_t class_len, method_len;
} jfr_method_entry;

/* (method key, line) -> location id of one profile kind; loc 0 = empty slot. */
typedef struct jfr_loc_slot {
	uint64_t method;
	uint32_t line;
	uint32_t loc; /* JFR_LOC_DROPPED for a frame whose method or class is missing */
} jfr_loc_slot;

typedef struct jfr_loc_cache {
	jfr_loc_slot *slots;
	size_t cap, count;
} jfr_loc_cache;

typedef struct jfr_stacks {
	const uint8_t *data;
	size_t data_len;
	jfr_reader *r;
	size_t chunk_end;
	int32_t trace_cls, frame_cls, method_cls, class_cls, thread_cls, state_cls, string_cls, symbol_cls;
	int32_t symbol_string; /* field of the Symbol class holding its text */
	bool symbol_direct; /* that field is the first, an inline string: a Symbol entry starts with its text */
	int32_t trace_truncated, trace_frames, frame_method, frame_line;
	int32_t method_type, method_name, class_name, thread_java, thread_os, state_name;
	size_t frame_nout; /* frame fields to decode: up to method and lineNumber */
	/* Per chunk: (method key, 0) -> method entry index + 1, or
	 * JFR_LOC_DROPPED for a frame that is dropped: the location table's
	 * compact slots serve for both. */
	jfr_loc_cache methods;
	jfr_loc_cache locations[JFR_MAX_KINDS];
	pj_u64map states; /* state key -> JFR_STATE_* */
	int8_t small_states[64]; /* the same for keys < 64; -1 = not yet */
	/* For the whole conversion: method entries by their texts (an
	 * open-addressing index of entry index + 1, at most half full), and
	 * per profile kind each entry's pprof function id (0 = not yet). */
	jfr_method_entry *entries;
	size_t nentries, entries_cap;
	uint32_t *entry_index;
	size_t entry_mask;
	uint32_t *functions[JFR_MAX_KINDS];
	size_t functions_cap[JFR_MAX_KINDS];
	pj_arena texts; /* names not stored as UTF-8 in the recording, converted */
	pj_buf tmp;
} jfr_stacks;

/* data, len: the recording, which outlives the conversion (names point into it). */
void jfr_stacks_init(jfr_stacks *s, const uint8_t *data, size_t len);
/* Looks up this chunk's classes and fields; drops everything cached. */
void jfr_stacks_bind(jfr_stacks *s, jfr_reader *r);
/* Frees what was cached for the current chunk (its stacks are all resolved). */
void jfr_stacks_release(jfr_stacks *s);
void jfr_stacks_free(jfr_stacks *s);

/*
 * Appends the location ids (leaf first) of stack trace `key` to *locs,
 * interned in builder b (profile `kind`, < JFR_MAX_KINDS). With `thread`, a root frame
 * names that thread; with `truncated_frame`, a cut stack gets a "[truncated]"
 * frame at its root end. Returns 1, 0 if the stack trace is not in the pool,
 * or -1 on a decoding error (reported by the reader).
 */
int jfr_stacks_resolve(jfr_stacks *s, pprof_builder *b, int kind, uint64_t key, const uint64_t *thread,
	bool truncated_frame, uint64_t **locs, size_t *nlocs, size_t *cap);

/* JFR_STATE_* of a ThreadState key (UNKNOWN if not in the pool), or -1 on error. */
int jfr_stacks_state_lookup(jfr_stacks *s, uint64_t key);

/* The same, inline for the keys already seen below 64 (every event's, in practice). */
static inline int jfr_stacks_state(jfr_stacks *s, uint64_t key)
{
	if (key < 64 && s->small_states[key] >= 0)
		return s->small_states[key];
	return jfr_stacks_state_lookup(s, key);
}

#endif
