// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks' latency clock (include/kscope/clock.h): chosen at load by
 * the clock parameter; a deferrable work checks every second that the
 * kernel still trusts the TSC, and falls back to ktime_get_ns() for good
 * when it does not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/clocksource.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <kscope/clock.h>
#include "internal.h"

struct kscope_clock kscope_clock __read_mostly;
EXPORT_SYMBOL_GPL(kscope_clock);

/* the clock asked for at load; once loaded, the parameter reads the one in use */
static char clock[16] = "auto";
static bool kscope_clock_chosen;

static int kscope_clock_param_set(const char *val, const struct kernel_param *kp)
{
	if (strscpy(clock, val, sizeof(clock)) < 0)
		return -EINVAL;
	strim(clock);
	return 0;
}

static int kscope_clock_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(kscope_clock_chosen) ?
			  kscope_clock_source() : clock);
}

static const struct kernel_param_ops kscope_clock_param_ops = {
	.set = kscope_clock_param_set,
	.get = kscope_clock_param_get,
};
module_param_cb(clock, &kscope_clock_param_ops, NULL, 0444);
MODULE_PARM_DESC(clock, "hooks' latency clock: auto (the TSC while the kernel trusts it, else ktime), tsc or ktime; after load, the one in use");

/* Why the TSC will not do, or NULL. */
static const char *kscope_clock_tsc_unusable(void)
{
#ifdef CONFIG_X86_TSC
	if (!boot_cpu_has(X86_FEATURE_TSC) || !tsc_khz)
		return "no TSC";
	if (check_tsc_unstable())
		return "the kernel marked the TSC unstable";
	return NULL;
#else
	return "not x86";
#endif
}

static void kscope_clock_check(struct work_struct *work);
static DECLARE_DEFERRABLE_WORK(kscope_clock_work, kscope_clock_check);

static void kscope_clock_check(struct work_struct *work)
{
	const char *why = kscope_clock_tsc_unusable();

	if (!why) {
		schedule_delayed_work(&kscope_clock_work, HZ);
		return;
	}
	WRITE_ONCE(kscope_clock.tsc, false);
	pr_warn("%s: hook clock now ktime (latencies of calls in flight read 0)\n",
		why);
}

int kscope_clock_init(void)
{
	const char *why = kscope_clock_tsc_unusable();
	bool want_tsc;

	if (!strcmp(clock, "auto")) {
		want_tsc = !why;
	} else if (!strcmp(clock, "tsc")) {
		if (why) {
			pr_err("clock=tsc: %s\n", why);
			return -EINVAL;
		}
		want_tsc = true;
	} else if (!strcmp(clock, "ktime")) {
		want_tsc = false;
	} else {
		pr_err("clock=%s: not auto, tsc or ktime\n", clock);
		return -EINVAL;
	}
#ifdef CONFIG_X86_TSC
	if (want_tsc) {
		/* cycles per ms to ns per ms; mul_u64_u32_shr() takes any span */
		clocks_calc_mult_shift(&kscope_clock.mult, &kscope_clock.shift,
				       tsc_khz, NSEC_PER_MSEC, 0);
		kscope_clock.tsc = true;
		schedule_delayed_work(&kscope_clock_work, HZ);
	}
#endif
	WRITE_ONCE(kscope_clock_chosen, true);
	return 0;
}

void kscope_clock_exit(void)
{
	cancel_delayed_work_sync(&kscope_clock_work);
}

const char *kscope_clock_source(void)
{
	return READ_ONCE(kscope_clock.tsc) ? "tsc" : "ktime";
}
EXPORT_SYMBOL_GPL(kscope_clock_source);

/* called from hook handlers: not traceable or probeable itself */
u64 notrace kscope_clock_long_ns(u64 cycles)
{
	return mul_u64_u32_shr(cycles, kscope_clock.mult, kscope_clock.shift);
}
EXPORT_SYMBOL_GPL(kscope_clock_long_ns);
NOKPROBE_SYMBOL(kscope_clock_long_ns);
