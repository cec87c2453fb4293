/* JFR type ids (async-profiler's numbering) and the metadata record. */
#ifndef AG_JFR_META_H
#define AG_JFR_META_H

#include <stdint.h>

#include "bytes.h"

enum {
	AG_T_BOOLEAN = 4,
	AG_T_CHAR,
	AG_T_FLOAT,
	AG_T_DOUBLE,
	AG_T_BYTE,
	AG_T_SHORT,
	AG_T_INT,
	AG_T_LONG,
	AG_T_STRING = 20,
	AG_T_CLASS,
	AG_T_THREAD,
	AG_T_CLASS_LOADER,
	AG_T_FRAME_TYPE,
	AG_T_THREAD_STATE,
	AG_T_STACK_TRACE,
	AG_T_STACK_FRAME,
	AG_T_METHOD,
	AG_T_PACKAGE = 30,
	AG_T_SYMBOL,
	AG_T_EXECUTION_SAMPLE = 101,
	AG_T_ALLOC_IN_TLAB,
	AG_T_ALLOC_OUTSIDE_TLAB,
	AG_T_MONITOR_ENTER,
	AG_T_THREAD_PARK,
	AG_T_ACTIVE_RECORDING = 107,
	AG_T_ACTIVE_SETTING,
	AG_T_WALL_SAMPLE = 119,
	AG_T_LABEL = 201,
	AG_T_CATEGORY,
	AG_T_CONTENT_TYPE,
	AG_T_TIMESTAMP,
	AG_T_TIMESPAN,
	AG_T_DATA_AMOUNT,
	AG_T_MEMORY_ADDRESS,
	AG_T_UNSIGNED,
};

/* Appends the metadata record (type 0). */
void ag_jfr_metadata(ag_buf *out, uint64_t start_ticks);

#endif
