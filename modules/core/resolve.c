// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol resolver (include/kscope/resolve.h): one for all modules.
 *
 * register_kprobe() takes the first symbol of a name, which is wrong twice:
 * a plain name whose function the compiler renamed (foo.isra.0,
 * foo.constprop.0, foo.part.0, foo.cold, foo.llvm.123) is "not found", and
 * a name two static functions share silently picks one. Seeing both needs
 * the list of names. What is exported to modules, on 6.1, 6.12 and 7.2:
 *
 *  - kallsyms_lookup_name(), kallsyms_on_each_symbol(),
 *    kallsyms_on_each_match_symbol() and module_kallsyms_on_each_symbol():
 *    none (unexported since 5.7). Reaching them through a kprobe's address
 *    (what kscope_probe did) calls an unexported function.
 *  - register_kprobe()/kprobe_lookup_name() on guessed names: a yes/no per
 *    guess, no listing: neither duplicates nor .llvm.<hash> or .isra.7
 *    can be guessed.
 *  - /proc/kallsyms, opened with filp_open() (exported): the whole list,
 *    vmlinux and modules. kernel_read() refuses it (-EINVAL and a
 *    "kernel read not supported" log line: kallsyms' proc_ops have
 *    .proc_read = seq_read, no read_iter, on 6.1, 6.12 and 7.2), but
 *    seq_read() is only seq_read_iter() (exported) over the user's buffer
 *    on the file's seq_file (file->private_data, set up by kallsyms_open()
 *    through seq_open_private()), so seq_read_iter() over a kernel buffer
 *    reads it, checked to be a seq_file of this file first. Only the
 *    addresses depend on the reader: kallsyms_open() caches
 *    kallsyms_show_value(file->f_cred) (the opener's: a module's init or
 *    a netlink request runs with its caller's credentials, a workqueue
 *    with init's), so without CAP_SYSLOG, or with kptr_restrict=2, they
 *    read as 0; the names are always there.
 *
 * So this resolver reads /proc/kallsyms and uses names only (counts of a
 * name, not of its addresses, which is also what /proc/kallsyms shows a
 * user). Reading and indexing it costs 0.75-0.83 s in a 6.12 TCG guest
 * (166k symbols; the kallsyms walk through kallsyms_on_each_symbol() took
 * ~0.2 s; the first build logs its time), so it is done once into an
 * index that lives until a module comes or goes (a module notifier bumps
 * a generation), and an exact name is then one binary search (1000 adds
 * in tests/probe/50-many: 17 s, the index built once). The index: 62-bit
 * hashes of every name with two flag bits (a function; in a kscope
 * module), sorted (8 bytes a symbol: 1.3 MB for 166k), and the clones'
 * names with the hash of their base name. The
 * kernel's own generated symbols ([bpf], [__builtin__*]: kprobe and
 * ftrace pages, BPF programs) come and go without a notifier and are
 * left out. A module's init code is listed until its next module event.
 * Without /proc (a chroot without it, a kernel thread without a root),
 * names are used as given and register_kprobe() decides.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/uio.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <kscope/compat-probe.h>
#include <kscope/kscope.h>
#include <kscope/resolve.h>
#include "internal.h"

#define KSYM_F_TEXT	0x1ULL
#define KSYM_F_KSCOPE	0x2ULL
#define KSYM_FLAGS	(KSYM_F_TEXT | KSYM_F_KSCOPE)
#define KSYM_CHUNK	(64 * 1024)
#define KSYM_LIST_LEN	80	/* an extack message's length */

struct ksym_clone {
	u64 base;		/* hash of the name up to its first '.' */
	u32 off;		/* of the full name in the blob */
	bool cold;
};

struct ksym_index {
	u64 *syms;		/* hash | KSYM_F_*, sorted */
	unsigned int nr, max;
	struct ksym_clone *clones;	/* sorted by base */
	unsigned int nr_clones, max_clones;
	char *blob;
	size_t blob_len, blob_max;
	int gen;
};

static DEFINE_MUTEX(resolve_lock);
static struct ksym_index *ksym_ix;	/* under resolve_lock */
static int ksym_failed_gen = -1;	/* no index for this generation */
static atomic_t resolve_gen = ATOMIC_INIT(0);
static bool index_told;

/* FNV-1a over the first @len bytes, the low two bits for the flags */
static u64 ksym_hash(const char *s, size_t len)
{
	u64 h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= (u8)*s++;
		h *= 0x100000001b3ULL;
	}
	return h & ~KSYM_FLAGS;
}

/* Is @s (from the '.' after a base name) a chain of clone suffixes? */
static bool clone_suffix(const char *s, bool *cold)
{
	static const char * const words[] = {
		"isra", "constprop", "part", "llvm", "cold",
	};
	unsigned int i;
	size_t len;

	*cold = false;
	if (!*s)
		return false;
	while (*s) {
		if (*s++ != '.')
			return false;
		for (i = 0; i < ARRAY_SIZE(words); i++) {
			len = strlen(words[i]);
			if (!strncmp(s, words[i], len) &&
			    (!s[len] || s[len] == '.'))
				break;
		}
		if (i == ARRAY_SIZE(words))
			return false;
		s += len;
		if (!strcmp(words[i], "cold")) {
			*cold = true;
			if (s[0] != '.' || !isdigit(s[1]))
				continue;
		} else if (s[0] != '.' || !isdigit(s[1])) {
			return false;
		}
		for (s++; isdigit(*s); s++)
			;
	}
	return true;
}

static void index_free(struct ksym_index *ix)
{
	if (!ix)
		return;
	kvfree(ix->syms);
	kvfree(ix->clones);
	kvfree(ix->blob);
	kfree(ix);
}

/* grow *@p (@size bytes an element) to hold @need, doubling */
static int grow(void **p, unsigned int *max, unsigned int need, size_t size)
{
	unsigned int n = max(*max ? *max * 2 : 4096U, need);
	void *q;

	if (need <= *max)
		return 0;
	q = kvmalloc_array(n, size, GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	if (*p)
		memcpy(q, *p, (size_t)*max * size);
	kvfree(*p);
	*p = q;
	*max = n;
	return 0;
}

/* one line of /proc/kallsyms: "addr type name" or "addr type name\t[mod]" */
static int index_line(struct ksym_index *ix, char *line)
{
	char *type, *name, *mod, *dot;
	u64 flags = 0;
	bool cold;
	size_t len;
	int ret;

	type = strchr(line, ' ');
	if (!type || !type[1] || type[2] != ' ')
		return 0;
	name = type + 3;
	mod = strchr(name, '\t');
	if (mod) {
		*mod++ = '\0';
		if (!strncmp(mod, "[bpf]", 5) || !strncmp(mod, "[__builtin__", 12))
			return 0;
		if (!strncmp(mod, "[kscope_", 8))
			flags |= KSYM_F_KSCOPE;
	}
	if (strchr("tTwW", type[1]))
		flags |= KSYM_F_TEXT;
	ret = grow((void **)&ix->syms, &ix->max, ix->nr + 1, sizeof(u64));
	if (ret)
		return ret;
	len = strlen(name);
	ix->syms[ix->nr++] = ksym_hash(name, len) | flags;

	dot = strchr(name, '.');
	if (!(flags & KSYM_F_TEXT) || !dot || dot == name ||
	    !clone_suffix(dot, &cold))
		return 0;
	ret = grow((void **)&ix->clones, &ix->max_clones, ix->nr_clones + 1,
		   sizeof(*ix->clones));
	if (ret)
		return ret;
	while (ix->blob_len + len + 1 > ix->blob_max) {
		unsigned int m = ix->blob_max;

		ret = grow((void **)&ix->blob, &m, ix->blob_len + len + 1, 1);
		if (ret)
			return ret;
		ix->blob_max = m;
	}
	ix->clones[ix->nr_clones++] = (struct ksym_clone){
		.base = ksym_hash(name, dot - name),
		.off = ix->blob_len,
		.cold = cold,
	};
	memcpy(ix->blob + ix->blob_len, name, len + 1);
	ix->blob_len += len + 1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a & ~KSYM_FLAGS, y = *(const u64 *)b & ~KSYM_FLAGS;

	return x < y ? -1 : x > y;
}

static int cmp_clone(const void *a, const void *b)
{
	const struct ksym_clone *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* kernel_read() for a seq_file whose file has no read_iter */
static ssize_t ksym_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct seq_file *m = f->private_data;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	if (!m || m->file != f)
		return -EOPNOTSUPP;
	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = *pos;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	ret = seq_read_iter(&kiocb, &iter);
	if (ret > 0)
		*pos = kiocb.ki_pos;
	return ret;
}

static struct ksym_index *index_build(void)
{
	struct ksym_index *ix;
	size_t have = 0, n;
	struct file *f;
	char *buf, *p, *nl;
	loff_t pos = 0;
	ssize_t got;
	u64 t0 = ktime_get_ns();
	int ret = -ENOMEM;

	ix = kzalloc(sizeof(*ix), GFP_KERNEL);
	buf = kvmalloc(KSYM_CHUNK + 1, GFP_KERNEL);
	if (!ix || !buf)
		goto free;
	ix->gen = atomic_read(&resolve_gen);
	f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto free;
	}
	for (;;) {
		got = ksym_read(f, buf + have, KSYM_CHUNK - have, &pos);
		if (got < 0) {
			ret = got;
			goto close;
		}
		have += got;
		buf[have] = '\0';
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			ret = index_line(ix, p);
			if (ret)
				goto close;
		}
		n = buf + have - p;
		if (!got || n == KSYM_CHUNK)	/* the end, or a line too long */
			break;
		memmove(buf, p, n);
		have = n;
	}
	filp_close(f, NULL);
	kvfree(buf);
	sort(ix->syms, ix->nr, sizeof(u64), cmp_u64, NULL);
	sort(ix->clones, ix->nr_clones, sizeof(*ix->clones), cmp_clone, NULL);
	if (!index_told)
		pr_info("symbol index: %u symbols, %u clones, %llu ms\n",
			ix->nr, ix->nr_clones,
			(ktime_get_ns() - t0) / NSEC_PER_MSEC);
	else
		pr_debug("symbol index: %u symbols, %u clones, %llu ms\n",
			 ix->nr, ix->nr_clones,
			 (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	index_told = true;
	return ix;

close:
	filp_close(f, NULL);
free:
	kvfree(buf);
	index_free(ix);
	if (!index_told)
		pr_info("no symbol index (/proc/kallsyms: %d): names used as given\n",
			ret);
	index_told = true;
	return ERR_PTR(ret);
}

/* the current index, or NULL: names are used as given */
static struct ksym_index *index_get(void)
{
	struct ksym_index *ix;
	int gen;

	lockdep_assert_held(&resolve_lock);
	gen = atomic_read(&resolve_gen);
	if (ksym_ix && ksym_ix->gen == gen)
		return ksym_ix;
	index_free(ksym_ix);
	ksym_ix = NULL;
	if (ksym_failed_gen == gen)
		return NULL;
	ix = index_build();
	if (IS_ERR(ix))
		ksym_failed_gen = gen;
	else
		ksym_ix = ix;
	return ksym_ix;
}

/* entries of hash @h: the first's index, their number in *@n */
static unsigned int index_find(struct ksym_index *ix, u64 h, unsigned int *n)
{
	unsigned int lo = 0, hi = ix->nr, mid, first;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((ix->syms[mid] & ~KSYM_FLAGS) < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < ix->nr && (ix->syms[lo] & ~KSYM_FLAGS) == h)
		lo++;
	*n = lo - first;
	return first;
}

static bool name_ok(const char *s)
{
	if (!*s || strnlen(s, KSYM_NAME_LEN) == KSYM_NAME_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '_' && *s != '.' && *s != '$')
			return false;
	return true;
}

static bool is_clone_of(struct ksym_index *ix, unsigned int i,
			const char *name, size_t nlen, bool cold)
{
	const char *c = ix->blob + ix->clones[i].off;

	return ix->clones[i].cold == cold && !strncmp(c, name, nlen) &&
	       c[nlen] == '.';
}

/*
 * "a, b, c": the clones of @name that are (not) .cold, each name once (one
 * static inline function cloned in several files), as many as fit
 */
static void clone_list(struct ksym_index *ix, unsigned int first,
		       unsigned int n, const char *name, bool cold,
		       char *buf, size_t len)
{
	size_t nlen = strlen(name), off = 0;
	unsigned int i, j;
	const char *c;

	buf[0] = '\0';
	for (i = first; i < first + n && off < len; i++) {
		if (!is_clone_of(ix, i, name, nlen, cold))
			continue;
		c = ix->blob + ix->clones[i].off;
		for (j = first; j < i; j++)
			if (is_clone_of(ix, j, name, nlen, cold) &&
			    !strcmp(c, ix->blob + ix->clones[j].off))
				break;
		if (j == i)
			off += scnprintf(buf + off, len - off, "%s%s",
					 off ? ", " : "", c);
	}
}

/* the clones of @name: the first's index, their number in *@n */
static unsigned int clone_find(struct ksym_index *ix, u64 base, unsigned int *n)
{
	unsigned int lo = 0, hi = ix->nr_clones, mid, first;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->clones[mid].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < ix->nr_clones && ix->clones[lo].base == base)
		lo++;
	*n = lo - first;
	return first;
}

static int resolve_clone(struct ksym_index *ix, const char *name, char *out,
			 size_t outlen, bool *in_kscope,
			 struct netlink_ext_ack *extack)
{
	unsigned int first, n, i, warm = 0, cold = 0, e, k;
	size_t nlen = strlen(name);
	const char *pick = NULL, *c;
	char list[KSYM_LIST_LEN];
	bool want_cold;

	first = clone_find(ix, ksym_hash(name, nlen), &n);
	for (i = first; i < first + n; i++) {
		c = ix->blob + ix->clones[i].off;
		if (strncmp(c, name, nlen) || c[nlen] != '.')
			continue;
		if (ix->clones[i].cold)
			cold++;
		else
			warm++;
	}
	if (!warm && !cold) {
		KSCOPE_PROBE_ERR(extack, "symbol %s not found on this kernel",
				 name);
		return -ENOENT;
	}
	want_cold = !warm;
	if ((warm ?: cold) > 1) {
		clone_list(ix, first, n, name, want_cold, list, sizeof(list));
		KSCOPE_PROBE_ERR(extack, "symbol %s is ambiguous: %u functions: %s",
				 name, warm ?: cold, list);
		return -ENOTUNIQ;
	}
	for (i = first; i < first + n && !pick; i++) {
		c = ix->blob + ix->clones[i].off;
		if (ix->clones[i].cold == want_cold && !strncmp(c, name, nlen) &&
		    c[nlen] == '.')
			pick = c;
	}
	if (strscpy(out, pick, outlen) < 0) {
		KSCOPE_PROBE_ERR(extack, "symbol %s: its clone's name is too long",
				 name);
		return -ENAMETOOLONG;
	}
	/* its module, from its own entry */
	e = index_find(ix, ksym_hash(pick, strlen(pick)), &k);
	*in_kscope = k && (ix->syms[e] & KSYM_F_KSCOPE);
	return 0;
}

int kscope_resolve(const char *name, unsigned int flags, char *out,
		   size_t outlen, struct netlink_ext_ack *extack)
{
	unsigned int first, n, i, text = 0;
	struct ksym_index *ix;
	bool in_kscope = false;
	const char *why;
	int ret = 0;

	if (!name_ok(name)) {
		KSCOPE_PROBE_ERR(extack, "'%.64s' is not a symbol name", name);
		return -EINVAL;
	}
	if (strscpy(out, name, outlen) < 0) {
		KSCOPE_PROBE_ERR(extack, "symbol %.64s: name too long", name);
		return -ENAMETOOLONG;
	}
	mutex_lock(&resolve_lock);
	ix = index_get();
	if (!ix)
		goto unlock;	/* as given */
	first = index_find(ix, ksym_hash(name, strlen(name)), &n);
	for (i = first; i < first + n; i++) {
		if (!(ix->syms[i] & KSYM_F_TEXT))
			continue;
		text++;
		in_kscope |= ix->syms[i] & KSYM_F_KSCOPE;
	}
	if (text > 1) {
		KSCOPE_PROBE_ERR(extack,
				 "symbol %s is ambiguous: %u functions have that name",
				 name, text);
		ret = -ENOTUNIQ;
	} else if (!n) {
		ret = resolve_clone(ix, name, out, outlen, &in_kscope, extack);
	}
	/* else: one function, or data, which register_kprobe() refuses */
unlock:
	mutex_unlock(&resolve_lock);
	if (ret || !(flags & KSCOPE_RESOLVE_EVENTS))
		return ret;
	why = in_kscope ? "kscope's own code" : kscope_deny_reason(out, 0);
	if (why) {
		KSCOPE_PROBE_ERR(extack, "no --events on %s: %s", out, why);
		return -EDEADLK;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(kscope_resolve);

static int resolve_module_event(struct notifier_block *nb, unsigned long state,
				void *data)
{
	/* symbols come (COMING), init code goes (LIVE), all go (GOING) */
	atomic_inc(&resolve_gen);
	return NOTIFY_DONE;
}

static struct notifier_block resolve_nb = {
	.notifier_call = resolve_module_event,
};

int kscope_resolve_init(void)
{
	return register_module_notifier(&resolve_nb);
}

void kscope_resolve_exit(void)
{
	unregister_module_notifier(&resolve_nb);
	index_free(ksym_ix);
	ksym_ix = NULL;
}
