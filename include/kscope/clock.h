/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clock of latencies measured in hooks: a stamp at entry, a stamp at
 * exit, the ns between them.
 *
 * On x86, while the kernel trusts the TSC (it has not marked it
 * unstable: it does so when the CPUs' TSCs are not synchronized, when a
 * TSC without a constant rate changes frequency or one that stops in
 * idle would, and when its clocksource watchdog sees it drift), a stamp
 * is the TSC read in program order, and kscope_clock_ns() scales a
 * difference by a multiplier from tsc_khz. One instruction a stamp,
 * where ktime_get_ns() takes the timekeeper's seqcount and calls the
 * clocksource's read through a retpoline. Otherwise a stamp is
 * ktime_get_ns(). kscope_core chooses at load (its clock parameter) and
 * checks every second that the kernel still trusts the TSC, else falls
 * back to ktime_get_ns() for good; kscope_clock_source() names the clock
 * in use.
 *
 * A stamp is not a time of day: two stamps are compared only through
 * kscope_clock_ns(), which gives 0 for an end before its start (a call
 * that moved CPU) and for a pair the fallback split (bit 63 marks a
 * ktime_get_ns() stamp; a TSC or a ktime_get_ns() reading reaches it
 * only after centuries).
 */
#ifndef _KSCOPE_CLOCK_H
#define _KSCOPE_CLOCK_H

#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#ifdef CONFIG_X86_TSC
#include <asm/tsc.h>
#endif

struct kscope_clock {
	bool tsc;	/* stamps are TSC cycles */
	u32 mult;	/* ns = cycles * mult >> shift */
	u32 shift;
};

extern struct kscope_clock kscope_clock;

#define KSCOPE_CLOCK_KTIME	BIT_ULL(63)

/* ns in @cycles TSC cycles, of any span */
u64 kscope_clock_long_ns(u64 cycles);

static __always_inline u64 kscope_clock_stamp(void)
{
#ifdef CONFIG_X86_TSC
	if (likely(READ_ONCE(kscope_clock.tsc)))
		return rdtsc_ordered() & ~KSCOPE_CLOCK_KTIME;
#endif
	return ktime_get_ns() | KSCOPE_CLOCK_KTIME;
}

/* ns from stamp @start to stamp @end; 0 for an end before its start */
static __always_inline u64 kscope_clock_ns(u64 start, u64 end)
{
	if (unlikely(end <= start || ((start ^ end) & KSCOPE_CLOCK_KTIME)))
		return 0;
#ifdef CONFIG_X86_TSC
	if (likely(!(end & KSCOPE_CLOCK_KTIME))) {
		u64 cycles = end - start;

		/*
		 * Under 2^32 cycles (a second or more at any TSC rate) the
		 * product fits 64 bits. Longer spans take the 128-bit
		 * multiply, out of line: inlined, its spill would make
		 * every caller realign its stack.
		 */
		if (likely(cycles <= U32_MAX))
			return (cycles * kscope_clock.mult) >> kscope_clock.shift;
		return kscope_clock_long_ns(cycles);
	}
#endif
	return end - start;
}

/* "tsc" or "ktime" */
const char *kscope_clock_source(void);

#endif /* _KSCOPE_CLOCK_H */
