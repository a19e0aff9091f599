// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/kscope/<source>/: read-only views of a source, in
 * plain "name value" lines. Control never goes through debugfs, so a
 * locked-down kernel keeps working read-only.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "internal.h"

static struct dentry *kscope_debugfs_root;

static int counters_show(struct seq_file *m, void *v)
{
	struct kscope_source *src = m->private;
	unsigned int i;

	for (i = 0; i < kscope_nr_all_counters(src); i++)
		seq_printf(m, "%s %llu\n", kscope_counter_name(src, i),
			   kscope_counter_sum(src, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int percpu_show(struct seq_file *m, void *v)
{
	struct kscope_source *src = m->private;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < kscope_nr_all_counters(src); i++)
			seq_printf(m, "cpu%d.%s %llu\n", cpu,
				   kscope_counter_name(src, i),
				   kscope_counter_cpu(src, i, cpu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(percpu);

/* One line per counter: its name and kind, "counter" or "gauge". */
static int kinds_show(struct seq_file *m, void *v)
{
	struct kscope_source *src = m->private;
	unsigned int i;

	for (i = 0; i < kscope_nr_all_counters(src); i++)
		seq_printf(m, "%s %s\n", kscope_counter_name(src, i),
			   kscope_counter_kind_names[kscope_counter_kind(src, i)]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kinds);

static int attach_show(struct seq_file *m, void *v)
{
	struct kscope_source *src = m->private;

	seq_printf(m, "%s\n", src->attach);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(attach);

/* One line per event type: its name, then field:kind pairs. */
static int events_show(struct seq_file *m, void *v)
{
	struct kscope_source *src = m->private;
	unsigned int i, j;

	for (i = 0; i < src->nr_events; i++) {
		const struct kscope_event_desc *ev = &src->events[i];

		seq_puts(m, ev->name);
		for (j = 0; j < ev->nr_fields; j++)
			seq_printf(m, " %s:%s", ev->fields[j].name,
				   kscope_field_kind_names[ev->fields[j].kind]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(events);

void kscope_debugfs_add(struct kscope_source *src)
{
	src->dir = debugfs_create_dir(src->name, kscope_debugfs_root);
	debugfs_create_file("counters", 0444, src->dir, src, &counters_fops);
	debugfs_create_file("percpu", 0444, src->dir, src, &percpu_fops);
	debugfs_create_file("kinds", 0444, src->dir, src, &kinds_fops);
	debugfs_create_file("attach", 0444, src->dir, src, &attach_fops);
	debugfs_create_file("events", 0444, src->dir, src, &events_fops);
}

void kscope_debugfs_del(struct kscope_source *src)
{
	/* waits for readers in flight */
	debugfs_remove(src->dir);
	src->dir = NULL;
}

int kscope_debugfs_init(void)
{
	/* no debugfs (or locked down) is fine: netlink still works */
	kscope_debugfs_root = debugfs_create_dir("kscope", NULL);
	return 0;
}

void kscope_debugfs_exit(void)
{
	debugfs_remove(kscope_debugfs_root);
}
