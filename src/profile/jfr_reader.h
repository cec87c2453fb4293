#ifndef PJ_PROFILE_JFR_READER_H
#define PJ_PROFILE_JFR_READER_H

/*
 * A streaming reader for JDK Flight Recorder files (spec: jfr-format.md).
 *
 * The reader works in place over a caller-owned buffer. It loads one chunk at
 * a time (header, metadata, all constant pools) and then hands out events one
 * by one; nothing per event is allocated or kept. Memory is proportional to
 * the chunk's metadata and constant-pool index, never to the number of
 * events. Constant-pool entries are indexed by position and decoded only
 * when asked for.
 *
 * Everything in the file is untrusted: lengths, counts, offsets and type ids
 * are checked before use, and a malformed chunk ends reading with an error
 * that names the byte offset (from the start of the file) and the problem.
 * A last chunk that is cut short or still being written is skipped with a
 * warning when earlier chunks were complete.
 *
 * Typical use:
 *
 *	jfr_reader *r = jfr_reader_new(data, len);
 *	while ((rc = jfr_reader_next_chunk(r)) > 0) {
 *		int32_t sample = jfr_reader_class(r, "jdk.ExecutionSample");
 *		int32_t stack = jfr_reader_field(r, sample, "stackTrace");
 *		jfr_event ev;
 *		while ((rc = jfr_reader_next_event(r, &ev)) > 0) {
 *			if (ev.cls != sample)
 *				continue;
 *			jfr_value v[16];
 *			if (!jfr_reader_decode(r, ev.cls, ev.body, ev.end, v, 16, NULL))
 *				break;
 *			... v[stack].u is the stack trace's pool key ...
 *		}
 *		if (rc < 0)
 *			break;
 *	}
 *	if (rc < 0) fprintf(stderr, "%s\n", jfr_reader_error(r));
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jfr_reader jfr_reader;

typedef struct jfr_chunk_info {
	size_t offset; /* of the chunk header in the file */
	uint64_t size; /* header included */
	uint16_t major, minor;
	int64_t start_nanos; /* wall clock, ns since the Unix epoch */
	int64_t duration_nanos;
	int64_t start_ticks;
	int64_t ticks_per_second;
	bool compressed; /* integers are varints (flag bit 0); else fixed width */
} jfr_chunk_info;

typedef struct jfr_event {
	int32_t cls; /* class index in this chunk, or -1 for a type id the metadata lacks */
	uint64_t type_id;
	size_t offset; /* of the record (its size field) */
	size_t body; /* of the first field */
	size_t end; /* one past the record */
} jfr_event;

/*
 * One decoded field. Integers (sign-agnostic: an `int` -1 arrives as
 * 0xFFFFFFFF), booleans, bytes, raw float/double bits and pool keys are in
 * `u`. For strings, inline structs and arrays `pos` is where the value starts
 * (an array's first element; `u` is then its element count).
 */
typedef struct jfr_value {
	uint64_t u;
	size_t pos;
} jfr_value;

typedef struct jfr_str {
	const char *ptr; /* not NUL-terminated; see jfr_reader_string() for lifetime */
	size_t len;
	bool null;
} jfr_str;

/* Unit of a field's jdk.jfr.Timespan annotation. */
typedef enum jfr_timespan {
	JFR_TIMESPAN_NONE,
	JFR_TIMESPAN_TICKS,
	JFR_TIMESPAN_NANOSECONDS,
	JFR_TIMESPAN_MICROSECONDS,
	JFR_TIMESPAN_MILLISECONDS,
	JFR_TIMESPAN_SECONDS,
} jfr_timespan;

/* `data` must outlive the reader. */
jfr_reader *jfr_reader_new(const uint8_t *data, size_t len);
void jfr_reader_free(jfr_reader *r);

/*
 * Loads the next chunk: 1 = loaded, 0 = no more chunks, -1 = error. Events of
 * the previous chunk and everything looked up in it become invalid.
 */
int jfr_reader_next_chunk(jfr_reader *r);
const jfr_chunk_info *jfr_reader_chunk(const jfr_reader *r);
size_t jfr_reader_chunk_count(const jfr_reader *r); /* chunks loaded so far */

/* The error after a -1 / false return ("offset N: what"), or NULL. */
const char *jfr_reader_error(const jfr_reader *r);
/* A non-fatal problem (incomplete last chunk, trailing bytes), or NULL. */
const char *jfr_reader_warning(const jfr_reader *r);

/* Classes and fields of the current chunk's metadata. -1 = absent. */
int32_t jfr_reader_class(const jfr_reader *r, const char *name);
size_t jfr_reader_class_count(const jfr_reader *r);
const char *jfr_reader_class_name(const jfr_reader *r, int32_t cls);
const char *jfr_reader_class_super(const jfr_reader *r, int32_t cls); /* NULL if none */
size_t jfr_reader_field_count(const jfr_reader *r, int32_t cls);
int32_t jfr_reader_field(const jfr_reader *r, int32_t cls, const char *name);
const char *jfr_reader_field_name(const jfr_reader *r, int32_t cls, int32_t field);
/* Class index of the field's type (the element type for arrays), or -1. */
int32_t jfr_reader_field_type(const jfr_reader *r, int32_t cls, int32_t field);
bool jfr_reader_field_is_array(const jfr_reader *r, int32_t cls, int32_t field);
bool jfr_reader_field_is_cpool(const jfr_reader *r, int32_t cls, int32_t field);
jfr_timespan jfr_reader_field_timespan(const jfr_reader *r, int32_t cls, int32_t field);

/*
 * Next event record of the current chunk (metadata and checkpoint records are
 * skipped): 1 = *ev filled, 0 = end of chunk, -1 = error.
 */
int jfr_reader_next_event(jfr_reader *r, jfr_event *ev);

/*
 * Decodes one instance of class `cls` starting at `pos` (no further than
 * `end`): field i goes to out[i] for i < nout. With `next`, the remaining
 * fields are skipped (validated) and *next receives the position after the
 * instance; without it decoding stops once out[nout - 1] is known, and an
 * array there is not walked, so asking for a prefix of the fields is cheap.
 * For a primitive class (a pool of java.lang.String, say) the value is
 * out[0]. Returns false with an error set when the bytes do not fit the
 * declared layout.
 */
bool jfr_reader_decode(jfr_reader *r, int32_t cls, size_t pos, size_t end, jfr_value *out,
	size_t nout, size_t *next);

/*
 * jfr_reader_decode() without `next`, for callers that read only some of the
 * first `nout` fields: bit i of `want` (i < 64) asks for field i; the others
 * may be stepped over without being decoded, leaving out[i] unspecified.
 * Faster for classes of varint fields (events); same results and errors.
 */
bool jfr_reader_decode_some(jfr_reader *r, int32_t cls, size_t pos, size_t end, uint64_t want, jfr_value *out,
	size_t nout);

/*
 * Decodes `count` consecutive instances of class `cls` (an array's elements,
 * see jfr_value.pos/u), keeping the first `nout` fields of each as integers:
 * field i of element j goes to out[j * nout + i]. Much cheaper per element
 * than jfr_reader_decode() for classes of varint fields (stack frames).
 * *next (if not NULL) receives the position after the last element.
 */
bool jfr_reader_decode_many(jfr_reader *r, int32_t cls, size_t pos, size_t end, uint64_t count, size_t nout,
	uint64_t *out, size_t *next);

/*
 * Batch event scan: the fast way to visit the events of a few classes.
 *
 * jfr_reader_scan_select() picks a class of the current chunk and up to
 * JFR_SCAN_SLOTS of its fields, in an order of the caller's choosing. When
 * the class is all varints (a compressed chunk's events of integers and pool
 * keys) the selection is compiled into a plan: how many varints to step over
 * before each kept field and where to put it. jfr_reader_scan() then walks
 * the records, steps over the others by their size prefix without decoding
 * them, and decodes the kept fields of the selected ones: out[i].v[k] is
 * field fields[k] (0 where fields[k] < 0). Events of a class that has no
 * plan (strings, arrays, fixed-width integers) come back with `decoded`
 * false, for jfr_reader_decode_some() over body..end. Values and errors
 * are exactly those of jfr_reader_next_event() and
 * jfr_reader_decode_some(), which serve the last bytes of a chunk and any
 * record that does not fit its plan: such a record is the first of its
 * batch, so that a caller which decodes each batch's undecoded events
 * before asking for the next batch meets the errors in file order
 * (tests/unit/jfr_scan_check.h checks all of this differentially).
 */
#define JFR_SCAN_SLOTS 4
#define JFR_SCAN_CLASSES 32

typedef struct jfr_scanned {
	uint64_t v[JFR_SCAN_SLOTS];
	size_t body, end;
	uint32_t tag; /* as given to jfr_reader_scan_select() */
	bool decoded; /* v holds the kept fields; else decode body..end */
} jfr_scanned;

/*
 * Selects class `cls` for jfr_reader_scan() in this chunk: its first `nout`
 * fields are decoded (validated), those named in fields[] kept. False if
 * JFR_SCAN_CLASSES are already selected, a field is named twice or is not
 * below `nout`, or the class has fewer than `nout` fields.
 */
bool jfr_reader_scan_select(jfr_reader *r, int32_t cls, uint32_t tag, const int32_t fields[JFR_SCAN_SLOTS],
	size_t nout);

/*
 * Up to `max` (> 0) further events of the selected classes: the number
 * stored, 0 at the end of the chunk, -1 on error.
 */
int jfr_reader_scan(jfr_reader *r, jfr_scanned *out, size_t max);

/* How many entries the pool of class `cls` has in this chunk. */
size_t jfr_reader_pool_count(const jfr_reader *r, int32_t cls);

/*
 * Position of the value stored under `key` in the pool of class `cls`, merged
 * over all checkpoints of the chunk. False if there is no such entry.
 */
bool jfr_reader_pool(const jfr_reader *r, int32_t cls, uint64_t key, size_t *pos);

/*
 * Decodes the string value at `pos` (any of the six encodings; pool references
 * are resolved). UTF-8 payloads point into the file; Latin-1 and UTF-16 ones
 * are converted into a scratch buffer that the next call reuses. Returns false
 * with an error set on malformed bytes.
 */
bool jfr_reader_string(jfr_reader *r, size_t pos, jfr_str *out);

/* Converts a duration in `unit` to nanoseconds using the chunk's clock. */
int64_t jfr_reader_to_nanos(const jfr_reader *r, int64_t value, jfr_timespan unit);

#endif
