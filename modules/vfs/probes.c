// SPDX-License-Identifier: GPL-2.0
/*
 * Where kscope_vfs looks. The VFS has no tracepoints for these calls, so
 * each operation is an entry/exit hook of the core (include/kscope/hook.h:
 * an fprobe where the kernel has it, else a kretprobe) on the VFS entry
 * point the kernel really has; its entry handler records the start time
 * and what the call is about (in the call's data), the exit handler
 * accounts the result. vfs_read and vfs_write, the calls a small-I/O loop
 * makes, have handlers of their own that do only what those two need.
 * The clock is the core's hook clock (include/kscope/clock.h): the TSC
 * where the kernel trusts it, else ktime_get_ns().
 *
 *   read   vfs_read          write  vfs_write       open   vfs_open
 *   fsync  the fsync/fdatasync syscalls, do_fsync, vfs_fsync,
 *          vfs_fsync_range (see below)
 *   create vfs_create (mknod) and opens that created the file
 *   unlink vfs_unlink        rename vfs_rename      mkdir  vfs_mkdir
 *   rmdir  vfs_rmdir
 *
 * An open that created its file (FMODE_CREATED, set by the lookup before
 * vfs_open) counts as a create too; it has no latency of its own, since
 * the filesystem's ->create ran before vfs_open.
 *
 * fsync(2) and fdatasync(2) reach the filesystem through do_fsync ->
 * vfs_fsync -> vfs_fsync_range, but the compiler inlines these into one
 * another differently on every kernel: 6.1 keeps vfs_fsync_range out of
 * line for fsync(2) only (fdatasync's constant datasync folds it into the
 * syscall), 7.2 folds both into do_fsync. Other callers enter lower: the
 * loop driver at vfs_fsync, msync and io_uring at vfs_fsync_range. So the
 * two syscalls' entry points (their wrappers, __x64_sys_*, take the user
 * registers) and the three functions are all probed, and each fsync is
 * counted once, by the outermost probe the task entered: that probe keeps
 * the task in fsync_tasks until it returns, and the inner ones step aside.
 * The arguments are read
 * from the registers, so a target the compiler cloned with changed
 * arguments (.isra.N, .constprop.N) is not attached, and says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <kscope/clock.h>
#include <kscope/compat-vfs.h>
#include <kscope/hook.h>
#include <kscope/resolve.h>

#include "internal.h"

static unsigned int maxactive = 256;
module_param(maxactive, uint, 0444);
MODULE_PARM_DESC(maxactive, "calls in flight per probe, 16..4096 (default 256); more are counted in nmissed");

static char *mech = "auto";
module_param(mech, charp, 0444);
MODULE_PARM_DESC(mech, "entry/exit hooks: auto (fprobe where the kernel has it, else kretprobe), fprobe, kretprobe, direct (ftrace direct calls: cheapest; kscope_core stays in use until calls in flight at unload return)");

static const struct kscope_field slow_fields[] = {
	{ .name = "op", .kind = KSCOPE_FIELD_STR, .size = 8 },
	{ .name = "fs", .kind = KSCOPE_FIELD_STR, .size = VFS_FS_NAME },
	{ .name = "file", .kind = KSCOPE_FIELD_STR, .size = VFS_FILE_NAME },
	{ .name = "bytes", .kind = KSCOPE_FIELD_U64 },
	{ .name = "offset", .kind = KSCOPE_FIELD_S64 },
	{ .name = "latency_us", .kind = KSCOPE_FIELD_U64 },
	{ .name = "ret", .kind = KSCOPE_FIELD_S64 },
};

struct ev_slow {
	char op[8];
	char fs[VFS_FS_NAME];
	char file[VFS_FILE_NAME];
	u64 bytes;
	s64 offset;
	u64 latency_us;
	s64 ret;
};

const struct kscope_event_desc vfs_events[VE_NR_EVENTS] = {
	[VE_SLOW] = KSCOPE_EVENT("slow", slow_fields, struct ev_slow),
};

/* What the entry handler leaves for the return handler. */
struct vfs_call {
	u64 start;
	const struct dentry *dentry;
	const struct super_block *sb;
	unsigned long ino;
	u64 bytes;
	s64 offset;
	int fsync_slot;
	bool created;
	/* mkdir: the name at entry, for a vfs_mkdir that fails (see below) */
	char name[VFS_FILE_NAME];
};

/* how the entry handler finds the file of an fsync */
enum vfs_fsync_args { FSYNC_FD, FSYNC_FILE, FSYNC_RANGE, FSYNC_SYSCALL };

struct vfs_target {
	const char *sym;
	unsigned int op;
	enum vfs_fsync_args fsync;
	bool required;
	bool attached;
	atomic_long_t untracked;	/* fsyncs with no free fsync_tasks slot */
	struct kscope_hook hook;
};

/* tasks inside a counted fsync; a task writes only its own slot */
#define VFS_FSYNC_TASKS 128
static struct task_struct *fsync_tasks[VFS_FSYNC_TASKS];

static bool fsync_nested(void)
{
	unsigned int i;

	for (i = 0; i < VFS_FSYNC_TASKS; i++)
		if (READ_ONCE(fsync_tasks[i]) == current)
			return true;
	return false;
}

static int fsync_claim(void)
{
	unsigned int i;

	for (i = 0; i < VFS_FSYNC_TASKS; i++)
		if (!READ_ONCE(fsync_tasks[i]) &&
		    !cmpxchg(&fsync_tasks[i], NULL, current))
			return i;
	return -1;
}

static void fsync_release(int slot)
{
	if (slot >= 0)
		WRITE_ONCE(fsync_tasks[slot], NULL);
}

/*
 * The name may change under a concurrent rename: an inline name is then
 * garbled at worst, an external one stays readable until an RCU grace
 * period has passed, and the probes run with preemption off.
 */
void vfs_dentry_name(const struct dentry *d, char *buf, size_t len)
{
	const unsigned char *name;

	if (!d) {
		strscpy(buf, "?", len);
		return;
	}
	rcu_read_lock();
	name = READ_ONCE(d->d_name.name);
	strscpy(buf, name, len);
	rcu_read_unlock();
}

static void call_from_file(struct vfs_call *c, const struct file *f)
{
	const struct inode *inode = file_inode(f);

	c->dentry = f->f_path.dentry;
	c->sb = inode->i_sb;
	c->ino = inode->i_ino;
}

static void call_from_dentry(struct vfs_call *c, const struct dentry *d)
{
	const struct inode *inode = d_inode(d);

	c->dentry = d;
	c->sb = d->d_sb;
	c->ino = inode ? inode->i_ino : 0;
}

/*
 * do_fsync(fd, datasync), inside the syscalls, holds the file (fdget)
 * until it returns, and a last fput from a task is deferred to its return
 * to user space: the dentry stays valid for the return handler without a
 * reference of ours, which an unregistration with calls in flight would
 * leak.
 */
static int fsync_entry(struct vfs_call *c, enum vfs_fsync_args how,
		       const struct kscope_hook_regs *regs)
{
	struct pt_regs *uregs;
	unsigned long fd;
	struct file *f;

	if (how != FSYNC_FD && how != FSYNC_SYSCALL) {
		call_from_file(c, (const struct file *)
			       kscope_hook_arg(regs, 0));
		c->offset = how == FSYNC_RANGE ? kscope_hook_arg(regs, 1) : 0;
		return 0;
	}
	fd = kscope_hook_arg(regs, 0);
	if (how == FSYNC_SYSCALL) {
		/* the wrapper's argument: the registers of the call */
		uregs = (struct pt_regs *)fd;
		fd = regs_get_kernel_argument(uregs, 0);
	}
	f = fget(fd);
	if (!f)
		return -EBADF;
	call_from_file(c, f);
	c->offset = 0;
	fput(f);
	return 0;
}

static struct vfs_target *target_of(struct kscope_hook *h)
{
	return container_of(h, struct vfs_target, hook);
}

/* the module is going, or the pid filter leaves this task out */
static bool vfs_skip(void)
{
	u32 pid = READ_ONCE(vfs_pid);

	return !READ_ONCE(vfs_registered) ||
	       (pid && task_tgid_nr(current) != pid);
}

static int vfs_entry(struct kscope_hook *h, const struct kscope_hook_regs *regs,
		     void *data)
{
	struct vfs_call *c = data;
	struct vfs_target *t = target_of(h);
	unsigned int op = t->op;
	const struct renamedata *rd;
	const struct path *path;
	const struct file *f;

	if (vfs_skip())
		return 1;	/* no return handler for this call */
	c->bytes = 0;
	c->offset = -1;
	c->created = false;
	c->fsync_slot = -1;
	switch (op) {
	case KSCOPE_VFS_OP_FSYNC:
		if (fsync_nested())
			return 1;	/* an outer probe counts this one */
		c->fsync_slot = fsync_claim();
		if (c->fsync_slot < 0) {
			atomic_long_inc(&t->untracked);
			return 1;
		}
		if (fsync_entry(c, t->fsync, regs)) {
			fsync_release(c->fsync_slot);
			return 1;	/* bad fd: never reaches the VFS */
		}
		break;
	case KSCOPE_VFS_OP_OPEN:
		path = (const struct path *)kscope_hook_arg(regs, 0);
		f = (const struct file *)kscope_hook_arg(regs, 1);
		call_from_dentry(c, path->dentry);
		c->created = f->f_mode & FMODE_CREATED;
		break;
	case KSCOPE_VFS_OP_CREATE:
		call_from_dentry(c, (const struct dentry *)
				 kscope_hook_arg(regs,
							  KSCOPE_VFS_CREATE_DENTRY_ARG));
		break;
	case KSCOPE_VFS_OP_RENAME:
		rd = (const struct renamedata *)kscope_hook_arg(regs, 0);
		call_from_dentry(c, rd->old_dentry);
		break;
	case KSCOPE_VFS_OP_MKDIR:
		call_from_dentry(c, (const struct dentry *)
				 kscope_hook_arg(regs, 2));
		vfs_dentry_name(c->dentry, c->name, sizeof(c->name));
		break;
	default:	/* unlink, rmdir: (idmap, dir, dentry, ...) */
		call_from_dentry(c, (const struct dentry *)
				 kscope_hook_arg(regs, 2));
		break;
	}
	c->start = kscope_clock_stamp();
	return 0;
}

/* vfs_read and vfs_write: (file, buf, count, pos) */
static int vfs_rw_entry(struct kscope_hook *h,
			const struct kscope_hook_regs *regs, void *data)
{
	struct vfs_call *c = data;
	const struct file *f;
	const loff_t *pos;
	size_t count;

	if (vfs_skip())
		return 1;
	/* read all before writing @c, which might alias @regs */
	f = (const struct file *)kscope_hook_arg(regs, 0);
	count = kscope_hook_arg(regs, 2);
	pos = (const loff_t *)kscope_hook_arg(regs, 3);
	call_from_file(c, f);
	c->bytes = count;
	c->offset = pos ? *pos : -1;
	c->start = kscope_clock_stamp();
	return 0;
}

static s64 call_ret(unsigned int op, const struct kscope_hook_regs *regs)
{
	unsigned long rv = kscope_hook_ret(regs);

	switch (op) {
	case KSCOPE_VFS_OP_MKDIR:
		return KSCOPE_VFS_MKDIR_RET(rv);
	default:
		return (int)rv;
	}
}

/*
 * The dentry the operation left valid. Where vfs_mkdir consumes the
 * dentry it is given (6.15 on), that one may be freed by the time it
 * returns: the new directory is the dentry it returns, and a failed
 * mkdir has none (its name was copied at entry).
 */
static const struct dentry *ret_dentry(unsigned int op,
				       const struct vfs_call *c,
				       const struct kscope_hook_regs *regs)
{
	if (op == KSCOPE_VFS_OP_MKDIR)
		return kscope_vfs_mkdir_dentry(c->dentry,
					       kscope_hook_ret(regs));
	return c->dentry;
}

static noinline void emit_slow(const struct vfs_op_rec *r, const struct vfs_call *c)
{
	struct ev_slow ev = { };

	strscpy(ev.op, vfs_op_names[r->op], sizeof(ev.op));
	strscpy(ev.fs, vfs_fs_name(r->fs), sizeof(ev.fs));
	if (r->op == KSCOPE_VFS_OP_MKDIR && !r->dentry)
		strscpy(ev.file, c->name, sizeof(ev.file));
	else
		vfs_dentry_name(r->dentry, ev.file, sizeof(ev.file));
	ev.bytes = c->bytes;
	ev.offset = c->offset;
	ev.latency_us = div_u64(r->lat_ns, NSEC_PER_USEC);
	ev.ret = r->ret;
	kscope_emit_typed(&vfs_src, VE_SLOW, &ev);
}

/*
 * The source's counters for one call, on every exit path. Bytes move
 * only in a read or write: the others pass 0.
 */
static __always_inline void vfs_count_call(unsigned int op, s64 ret,
					   u64 bytes)
{
	kscope_count(&vfs_src, VC_READS + op);
	if (ret < 0)
		kscope_count(&vfs_src, VC_ERRORS);
	else if (bytes)
		kscope_count_add(&vfs_src, op == KSCOPE_VFS_OP_READ ?
				 VC_READ_BYTES : VC_WRITE_BYTES, bytes);
}

/* every operation but read and write (vfs_rw_return()) */
static void account(struct vfs_op_rec *r, bool timed)
{
	vfs_count_call(r->op, r->ret, 0);
	vfs_stats_account(r, timed);
	if (READ_ONCE(vfs_top_on))
		vfs_top_account(r);
}

/* what every exit accounts, and the slow event */
static void vfs_done(struct vfs_op_rec *r, const struct vfs_call *c, u64 now)
{
	u64 slow = READ_ONCE(vfs_slow_ns);

	r->lat_ns = kscope_clock_ns(c->start, now);
	r->fs = -1;	/* vfs_stats_account() looks it up */
	r->sb = c->sb;
	r->ino = c->ino;
	r->offset = c->offset;
	account(r, true);
	if (slow && r->lat_ns >= slow && kscope_listening()) {
		kscope_count(&vfs_src, VC_SLOW);
		emit_slow(r, c);
	}
}

static void vfs_return(struct kscope_hook *h,
		       const struct kscope_hook_regs *regs, void *data)
{
	const struct vfs_call *c = data;
	u64 now = kscope_clock_stamp();
	struct vfs_op_rec r;

	/* entered before the module's exit began: count nothing more */
	if (!READ_ONCE(vfs_registered))
		goto out;
	r.op = target_of(h)->op;
	r.ret = call_ret(r.op, regs);
	r.dentry = ret_dentry(r.op, c, regs);
	r.bytes = 0;
	vfs_done(&r, c, now);
	if (c->created && !r.ret) {
		r.op = KSCOPE_VFS_OP_CREATE;
		r.lat_ns = 0;
		account(&r, false);
	}
out:
	fsync_release(c->fsync_slot);
}

/*
 * A read or write that the top tables want, or a slow one: the record
 * the general path builds, out of the small-I/O path.
 */
static noinline void vfs_rw_rare(const struct vfs_call *c, unsigned int op,
				 s64 ret, u64 lat_ns, int fs, u64 slow)
{
	struct vfs_op_rec r = {
		.op = op, .fs = fs, .lat_ns = lat_ns, .ret = ret,
		.bytes = ret > 0 ? ret : 0, .offset = c->offset,
		.dentry = c->dentry, .ino = c->ino, .sb = c->sb,
	};

	if (READ_ONCE(vfs_top_on))
		vfs_top_account(&r);
	if (slow && lat_ns >= slow && kscope_listening()) {
		kscope_count(&vfs_src, VC_SLOW);
		emit_slow(&r, c);
	}
}

/*
 * The small-I/O path, so kept lean: what account() and vfs_done() do
 * for a read or write, from scalars; a record only where the top tables
 * or a slow event need one. Each of the two has its own handler, so
 * that @op is a constant here.
 */
static __always_inline void vfs_rw_return(const struct kscope_hook_regs *regs,
					  const struct vfs_call *c,
					  unsigned int op)
{
	u64 now = kscope_clock_stamp();
	struct vfs_fs *fs;
	u64 lat, slow;
	s64 ret;

	if (!READ_ONCE(vfs_registered))
		return;
	ret = (long)kscope_hook_ret(regs);	/* ssize_t */
	lat = kscope_clock_ns(c->start, now);
	vfs_count_call(op, ret, ret > 0 ? ret : 0);
	fs = vfs_fs_of(c->sb);
	vfs_stats_add(fs, op, ret > 0 ? ret : 0, ret < 0, true, lat);
	slow = READ_ONCE(vfs_slow_ns);
	if (unlikely(READ_ONCE(vfs_top_on) || (slow && lat >= slow)))
		vfs_rw_rare(c, op, ret, lat, fs->idx, slow);
}

static void vfs_read_return(struct kscope_hook *h,
			    const struct kscope_hook_regs *regs, void *data)
{
	vfs_rw_return(regs, data, KSCOPE_VFS_OP_READ);
}

static void vfs_write_return(struct kscope_hook *h,
			     const struct kscope_hook_regs *regs, void *data)
{
	vfs_rw_return(regs, data, KSCOPE_VFS_OP_WRITE);
}

#define TARGET(s, o, req) { .sym = s, .op = KSCOPE_VFS_OP_##o, .required = req }
#define FSYNC_TARGET(s, how) { .sym = s, .op = KSCOPE_VFS_OP_FSYNC, .fsync = how }
static struct vfs_target vfs_targets[] = {
	TARGET("vfs_read", READ, true),
	TARGET("vfs_write", WRITE, true),
	TARGET("vfs_open", OPEN, true),
	FSYNC_TARGET("__x64_sys_fsync", FSYNC_SYSCALL),
	FSYNC_TARGET("__x64_sys_fdatasync", FSYNC_SYSCALL),
	FSYNC_TARGET("do_fsync", FSYNC_FD),
	FSYNC_TARGET("vfs_fsync", FSYNC_FILE),
	FSYNC_TARGET("vfs_fsync_range", FSYNC_RANGE),
	TARGET("vfs_create", CREATE, false),
	TARGET("vfs_unlink", UNLINK, false),
	TARGET("vfs_rename", RENAME, false),
	TARGET("vfs_mkdir", MKDIR, false),
	TARGET("vfs_rmdir", RMDIR, false),
};

/* Is @sym on this kernel only as a compiler clone? Names the clone. */
static bool find_clone(const char *sym, char *buf, size_t len)
{
	return !kscope_resolve(sym, 0, buf, len, NULL) && strcmp(buf, sym);
}

void vfs_probes_detach(void)
{
	struct kscope_hook *hooks[ARRAY_SIZE(vfs_targets)];
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(vfs_targets); i++)
		if (vfs_targets[i].attached)
			hooks[n++] = &vfs_targets[i].hook;
	/* no handler runs after this */
	kscope_hooks_detach(hooks, n);
	for (i = 0; i < ARRAY_SIZE(vfs_targets); i++)
		vfs_targets[i].attached = false;
}

/*
 * The attach line: each mechanism's name (plural) before the targets it
 * hooks, in the targets' order: "fprobes vfs_read vfs_write ...", and on
 * a kernel that could hook some only by kretprobe, "... kretprobes x".
 */
int vfs_probes_attach(char *attach, size_t len)
{
	enum kscope_hook_mech last = KSCOPE_HOOK_NONE;
	char missing[192] = "", clone[KSYM_NAME_LEN];
	unsigned int i, flags;
	struct vfs_target *t;
	size_t off = 0;
	int ret;

	if (maxactive < 16 || maxactive > 4096) {
		pr_err("maxactive=%u out of range 16..4096\n", maxactive);
		return -EINVAL;
	}
	/* every target takes at most six arguments: direct calls may serve */
	if (kscope_hook_mech_param(mech, &flags))
		return -EINVAL;
	memset(fsync_tasks, 0, sizeof(fsync_tasks));
	*attach = 0;
	for (i = 0; i < ARRAY_SIZE(vfs_targets); i++) {
		t = &vfs_targets[i];
		t->hook.sym = t->sym;
		if (t->op == KSCOPE_VFS_OP_READ) {
			t->hook.entry = vfs_rw_entry;
			t->hook.exit = vfs_read_return;
		} else if (t->op == KSCOPE_VFS_OP_WRITE) {
			t->hook.entry = vfs_rw_entry;
			t->hook.exit = vfs_write_return;
		} else {
			t->hook.entry = vfs_entry;
			t->hook.exit = vfs_return;
		}
		t->hook.data_size = sizeof(struct vfs_call);
		t->hook.maxactive = maxactive;
		atomic_long_set(&t->untracked, 0);
		ret = kscope_hook_attach(&t->hook, flags);
		if (!ret) {
			t->attached = true;
			if (t->hook.mech != last)
				off += scnprintf(attach + off, len - off,
						 "%s%ss", off ? " " : "",
						 kscope_hook_mech_name(t->hook.mech));
			last = t->hook.mech;
			off += scnprintf(attach + off, len - off, " %s", t->sym);
			continue;
		}
		if (ret == -ENOENT && find_clone(t->sym, clone, sizeof(clone)))
			pr_err("%s is only %s on this kernel (arguments may differ): not attached\n",
			       t->sym, clone);
		else if (t->required || ret != -ENOENT)
			pr_err("cannot hook %s (mech=%s): %d%s\n", t->sym, mech,
			       ret, ret == -ENOENT ?
			       " (no such symbol on this kernel)" : "");
		else
			pr_info("%s: no such symbol on this kernel, not attached\n",
				t->sym);
		if (t->required)
			goto detach;
		strlcat(missing, " ", sizeof(missing));
		strlcat(missing, t->sym, sizeof(missing));
	}
	if (*missing)
		scnprintf(attach + off, len - off, "; not attached:%s", missing);
	return 0;

detach:
	vfs_probes_detach();
	return ret ?: -ENOENT;
}

/*
 * "symbol attached nmissed" per target; an fsync that found no free
 * fsync_tasks slot counts as missed by its probe.
 */
static int kprobes_show(struct seq_file *m, void *v)
{
	const struct vfs_target *t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfs_targets); i++) {
		t = &vfs_targets[i];
		seq_printf(m, "%s %u %lu\n", t->sym, t->attached,
			   t->attached ? kscope_hook_nmissed(&t->hook) +
					 atomic_long_read(&t->untracked) : 0UL);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kprobes);

void vfs_probes_debugfs(struct dentry *dir)
{
	debugfs_create_file("kprobes", 0444, dir, NULL, &kprobes_fops);
}
