/*
 * The few perf_event ABI definitions the cpu engine needs. Declared here
 * because musl-gcc builds see no kernel headers; the layout is the kernel's
 * first (64-byte) perf_event_attr, which every kernel accepts.
 */
#ifndef AG_PERF_H
#define AG_PERF_H

#include <stdint.h>
#include <sys/ioctl.h>

typedef struct ag_perf_attr {
	uint32_t type;
	uint32_t size;
	uint64_t config;
	uint64_t sample_period;
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t disabled : 1, inherit : 1, pinned : 1, exclusive : 1, exclude_user : 1,
		exclude_kernel : 1, exclude_hv : 1, rest : 57;
	uint32_t wakeup_events;
	uint32_t bp_type;
	uint64_t bp_addr;
} ag_perf_attr;

_Static_assert(sizeof(ag_perf_attr) == 64, "the kernel's PERF_ATTR_SIZE_VER0");

#define AG_PERF_TYPE_SOFTWARE 1
#define AG_PERF_COUNT_SW_CPU_CLOCK 0
#define AG_PERF_FLAG_FD_CLOEXEC (1UL << 3)
#define AG_PERF_IOC_REFRESH _IO('$', 2)
#define AG_PERF_IOC_RESET _IO('$', 3)

#endif
