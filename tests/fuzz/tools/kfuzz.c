// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz: a small coverage-guided fuzzer of kscope's interfaces, the method
 * of syzkaller at kscope's scale (syzkaller itself cannot be installed here).
 *
 *   kfuzz --ko-dir DIR [--seed S] [--seconds N] [--out DIR] [--blind]
 *         [--until-execs N --until-loads M]
 *         [--load-every MS | --load-share F] [--no-loads] [--list]
 *   kfuzz --ko-dir DIR --replay FILE     (re-run a saved reproducer)
 *
 * Coverage: /sys/kernel/debug/kcov in KCOV_TRACE_PC mode on the one thread
 * that sends every request and loads every module. Only PCs inside the
 * kscope modules count: the instrumented call sites of each module are
 * read from its .ko (the relocations to __sanitizer_cov_trace_pc), placed
 * at the section addresses of /sys/module/<mod>/sections/, and a PC is a
 * site's return address. KCOV reports PCs less the kernel's KASLR offset,
 * which /proc/kallsyms gives back (_text). Without kcov (a Debian kernel)
 * kfuzz runs blind: the same inputs, no feedback (--blind forces it).
 *
 * Inputs:
 *  - generic netlink requests to the "kscope" family: the ops and every
 *    attribute's type and range come from the family's own policy dump
 *    (CTRL_CMD_GETPOLICY); seeds are the requests the reader sends; an
 *    input is mutated around the edges (boundary values, wrong lengths,
 *    missing, duplicated and foreign attributes, nesting flags, truncation,
 *    trailing bytes, header fields); an input that reaches a new kscope
 *    site joins the corpus;
 *  - sequences: a kscope_blk device added with random parameters, short
 *    I/O on it (write, read back, compare), set, read, delete; a probe
 *    added, hit, read and deleted; a reader that falls behind (its
 *    buffer at the minimum under a burst of events); while a reader socket
 *    is subscribed to the events group;
 *  - module parameters: every module (from its .modinfo parmtype= lines)
 *    reloaded with random and boundary values; each load must succeed, or
 *    fail with EINVAL after a log line, leaving nothing registered.
 *
 * The kernel log (/dev/kmsg) is read after every input; on a kernel report
 * (the patterns scripts/guest-run fails on) the last inputs are saved under
 * OUT/crashes/<n>/ (report.txt, inputs.txt for --replay) and kfuzz stops
 * with exit 3. Findings that are no kernel report (a load failing with
 * another errno, leaving a module or source behind, a blk read-back that
 * differs) are printed as "finding:" lines and make the exit status 1.
 *
 * A run ends after --seconds, or once it made --until-execs requests and
 * --until-loads module loads (then loads keep pace with requests);
 * otherwise loads take at most --load-share of the time (0.3), or come
 * every --load-every ms.
 *
 * The last lines on stdout are the run's figures, "name value" pairs that
 * tests/fuzz/10-kcov.sh reads.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <pthread.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kcov.h>
#include <linux/netlink.h>
#include <linux/kscope.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN4(x) (((x) + 3) & ~3)

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	/* xorshift64*: reproducible from --seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(int pct)
{
	return (int)rnd(100) < pct;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "kfuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* ------------------------------------------------------------ modules */

#define MAX_MODS	16
#define MAX_SECS	16
#define MAX_PARAMS	8

struct ksec {
	char name[64];
	uint32_t *sites;	/* return-address offsets in the section */
	int nsites;
	uint64_t addr;		/* when loaded, 0 when not (or not mapped) */
	uint64_t size;
	char **fn;		/* the function each site is in */
};

struct kmod {
	char name[64];		/* kscope_blk */
	char path[512];
	const char *source;	/* "blk", NULL for the core */
	struct ksec secs[MAX_SECS];
	int nsecs;
	int nsites;		/* instrumented sites outside .init */
	int site_base;		/* index of its first site in hit[] */
	char params[MAX_PARAMS][64];
	char ptypes[MAX_PARAMS][16];
	int nparams;
	int loaded_by_us;
};

static struct kmod mods[MAX_MODS];
static int nmods;
static int core_idx = -1;
static unsigned char *hit;	/* one byte per site, all modules */
static int total_sites;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc(n + 1);
	if (!d || fread(d, 1, n, f) != (size_t)n) {
		fclose(f);
		free(d);
		return NULL;
	}
	d[n] = 0;
	fclose(f);
	if (len)
		*len = n;
	return d;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sites and parameters of one .ko, from its ELF sections. */
static void read_ko(struct kmod *m)
{
	size_t len;
	char *d = slurp(m->path, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)d;
	Elf64_Shdr *sh;
	const char *shstr, *str = NULL;
	Elf64_Sym *sym = NULL;
	size_t nsym = 0, i, j;
	uint32_t covsym = 0;

	if (!d || len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		die("%s: not a 64-bit ELF file", m->path);
	sh = (Elf64_Shdr *)(d + eh->e_shoff);
	shstr = d + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_SYMTAB) {
			sym = (Elf64_Sym *)(d + sh[i].sh_offset);
			nsym = sh[i].sh_size / sizeof(*sym);
			str = d + sh[sh[i].sh_link].sh_offset;
		}
		if (!strcmp(shstr + sh[i].sh_name, ".modinfo")) {
			const char *p = d + sh[i].sh_offset;
			const char *end = p + sh[i].sh_size;

			for (; p < end; p += strlen(p) + 1) {
				const char *c;

				if (strncmp(p, "parmtype=", 9) || m->nparams >= MAX_PARAMS)
					continue;
				c = strchr(p + 9, ':');
				if (!c)
					continue;
				snprintf(m->params[m->nparams], 64, "%.*s",
					 (int)(c - p - 9), p + 9);
				snprintf(m->ptypes[m->nparams], 16, "%s", c + 1);
				m->nparams++;
			}
		}
	}
	for (i = 0; sym && i < nsym; i++)
		if (!strcmp(str + sym[i].st_name, "__sanitizer_cov_trace_pc"))
			covsym = i;
	for (i = 0; covsym && i < eh->e_shnum; i++) {
		Elf64_Shdr *t;
		Elf64_Rela *r;
		struct ksec *s;
		const char *tn;

		if (sh[i].sh_type != SHT_RELA || sh[i].sh_info >= eh->e_shnum)
			continue;
		t = &sh[sh[i].sh_info];
		tn = shstr + t->sh_name;
		if (!(t->sh_flags & SHF_EXECINSTR) || !strncmp(tn, ".init", 5) ||
		    m->nsecs >= MAX_SECS)
			continue;
		s = &m->secs[m->nsecs];
		r = (Elf64_Rela *)(d + sh[i].sh_offset);
		s->sites = calloc(sh[i].sh_size / sizeof(*r) + 1, sizeof(uint32_t));
		for (j = 0; j < sh[i].sh_size / sizeof(*r); j++) {
			if (ELF64_R_SYM(r[j].r_info) != covsym)
				continue;
			/* the call's operand is at r_offset: it returns 4 bytes on */
			s->sites[s->nsites++] = r[j].r_offset + 4;
		}
		if (!s->nsites)
			continue;
		qsort(s->sites, s->nsites, sizeof(uint32_t), cmp_u32);
		/* for the coverage report: the function of every site */
		s->fn = calloc(s->nsites, sizeof(char *));
		for (j = 0; sym && j < nsym; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC ||
			    sym[j].st_shndx != sh[i].sh_info)
				continue;
			for (int k = 0; k < s->nsites; k++)
				if (s->sites[k] > sym[j].st_value &&
				    s->sites[k] <= sym[j].st_value + sym[j].st_size)
					s->fn[k] = strdup(str + sym[j].st_name);
		}
		snprintf(s->name, sizeof(s->name), "%s", tn);
		s->size = t->sh_size;
		m->nsites += s->nsites;
		m->nsecs++;
	}
	free(d);
}

static const char *mod_source(const char *name)
{
	if (!strncmp(name, "kscope_", 7) && strcmp(name, "kscope_core"))
		return strdup(name + 7);
	return NULL;
}

static void find_kos(const char *dir, int testgen)
{
	DIR *dd = opendir(dir);
	struct dirent *e;

	if (!dd)
		return;
	while ((e = readdir(dd))) {
		char p[512];
		size_t l = strlen(e->d_name);
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			find_kos(p, testgen);
			continue;
		}
		if (l < 4 || strcmp(e->d_name + l - 3, ".ko") ||
		    strncmp(e->d_name, "kscope_", 7) || nmods >= MAX_MODS)
			continue;
		if (!testgen && !strcmp(e->d_name, "kscope_testgen.ko"))
			continue;
		snprintf(mods[nmods].name, 64, "%.*s", (int)l - 3, e->d_name);
		snprintf(mods[nmods].path, sizeof(mods[nmods].path), "%s", p);
		mods[nmods].source = mod_source(mods[nmods].name);
		nmods++;
	}
	closedir(dd);
}

static int mod_loaded(const struct kmod *m)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/module/%.63s", m->name);
	return access(p, F_OK) == 0;
}

/* ------------------------------------------------------------ coverage */

/*
 * Every loaded section with sites, as a table from offset to site index
 * (-1: no site there): a PC is placed in O(1), and a request that runs
 * long loops (a symbol lookup) returns thousands of PCs.
 */
struct secmap {
	uint64_t start, end;
	int32_t *idx;
};

static struct secmap smap[MAX_MODS * MAX_SECS];
static int nsmap, last_sec;
static uint64_t *kcov_area;
static int kcov_fd = -1;
static unsigned long kcov_words = 1 << 20;	/* the core indexes every symbol at load */
static uint64_t kaslr;
static int cov_new_sites;

/* Where every loaded module's instrumented sites are now. */
static void map_sites(void)
{
	int i, j, k;

	for (i = 0; i < nsmap; i++)
		free(smap[i].idx);
	nsmap = 0;
	last_sec = 0;
	for (i = 0; i < nmods; i++) {
		struct kmod *m = &mods[i];
		int idx = m->site_base;

		for (j = 0; j < m->nsecs; j++) {
			struct ksec *s = &m->secs[j];
			struct secmap *sm = &smap[nsmap];
			char p[256];
			FILE *f;

			s->addr = 0;
			snprintf(p, sizeof(p), "/sys/module/%.63s/sections/%.63s",
				 m->name, s->name);
			f = fopen(p, "r");
			if (f) {
				if (fscanf(f, "%" SCNx64, &s->addr) != 1)
					s->addr = 0;
				fclose(f);
			}
			if (!s->addr) {
				idx += s->nsites;
				continue;
			}
			sm->start = s->addr;
			sm->end = s->addr + s->size + 8;
			sm->idx = malloc((s->size + 8) * sizeof(int32_t));
			memset(sm->idx, 0xff, (s->size + 8) * sizeof(int32_t));
			for (k = 0; k < s->nsites; k++, idx++)
				if (s->sites[k] < s->size + 8)
					sm->idx[s->sites[k]] = idx;
			nsmap++;
		}
	}
}

static void kcov_open(int blind)
{
	FILE *f;
	char line[256];

	if (blind)
		return;
	kcov_fd = open("/sys/kernel/debug/kcov", O_RDWR);
	if (kcov_fd < 0)
		return;
	if (ioctl(kcov_fd, KCOV_INIT_TRACE, kcov_words))
		die("KCOV_INIT_TRACE: %s", strerror(errno));
	kcov_area = mmap(NULL, kcov_words * sizeof(uint64_t),
			 PROT_READ | PROT_WRITE, MAP_SHARED, kcov_fd, 0);
	if (kcov_area == MAP_FAILED)
		die("kcov mmap: %s", strerror(errno));
	if (ioctl(kcov_fd, KCOV_ENABLE, KCOV_TRACE_PC))
		die("KCOV_ENABLE: %s", strerror(errno));
	/* kcov reports a PC less kaslr_offset(): _text less its link address */
	f = fopen("/proc/kallsyms", "r");
	while (f && fgets(line, sizeof(line), f)) {
		uint64_t a;
		char t, name[128];

		if (sscanf(line, "%" SCNx64 " %c %127s", &a, &t, name) == 3 &&
		    !strcmp(name, "_text")) {
			if (a)
				kaslr = a - 0xffffffff81000000ULL;
			break;
		}
	}
	if (f)
		fclose(f);
}

static void cov_reset(void)
{
	if (kcov_area)
		__atomic_store_n(&kcov_area[0], 0, __ATOMIC_RELAXED);
}

/* The sites among PCs [from, to) of @area; returns how many were new. */
static int cov_scan(const uint64_t *area, uint64_t from, uint64_t to)
{
	uint64_t i;
	int fresh = 0;

	for (i = from; i < to; i++) {
		uint64_t pc = area[i + 1] + kaslr;
		struct secmap *sm = &smap[last_sec];
		int32_t x;

		if (pc < sm->start || pc >= sm->end) {
			int k;

			for (k = 0; k < nsmap; k++)
				if (pc >= smap[k].start && pc < smap[k].end)
					break;
			if (k == nsmap)
				continue;
			last_sec = k;
			sm = &smap[k];
		}
		x = sm->idx[pc - sm->start];
		if (x >= 0 && !hit[x]) {
			hit[x] = 1;
			fresh++;
		}
	}
	return fresh;
}

/*
 * Remote coverage. The events a request causes are delivered by the core's
 * flush worker, a kworker, which the thread's own kcov does not follow. A
 * second thread owns a kcov in remote mode (KCOV_REMOTE_ENABLE with a
 * common handle) and sends VERSION_GET every 200 ms, so also soon after
 * every reload of kscope_core: the core hands that thread's handle to its
 * flush worker (kscope_chan_kcov_note(), modules/core/channel.c), whose PCs
 * the kernel appends to kcov_rarea when each flush ends.
 */
static uint64_t *kcov_rarea;
static int kcov_rfd = -1;
static const unsigned long kcov_rwords = 1 << 16;
static uint64_t kcov_rseen;
static int kcov_rstate;		/* 1 enabled, -errno when refused */
static int fam_id = -1, grp_id = -1;

static void *kcov_remote_owner(void *arg)
{
	struct kcov_remote_arg ra = {
		.trace_mode = KCOV_TRACE_PC,
		.area_size = kcov_rwords,
		.num_handles = 0,
		.common_handle = kcov_remote_handle(KCOV_SUBSYSTEM_COMMON,
						    getpid() & KCOV_INSTANCE_MASK),
	};
	char req[64];
	int s;

	(void)arg;
	if (ioctl(kcov_rfd, KCOV_REMOTE_ENABLE, &ra)) {
		__atomic_store_n(&kcov_rstate, -errno, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&kcov_rstate, 1, __ATOMIC_RELEASE);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	for (;;) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(req);
		struct genlmsghdr *g;
		int id = __atomic_load_n(&fam_id, __ATOMIC_RELAXED);

		if (s >= 0 && id > 0) {
			h->nlmsg_type = id;
			h->nlmsg_flags = NLM_F_REQUEST;
			g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
			g->cmd = KSCOPE_CMD_VERSION_GET;
			g->version = 1;
			send(s, h, h->nlmsg_len, 0);
			while (recv(s, req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC) > 0)
				;
		}
		usleep(200 * 1000);
	}
	return NULL;
}

static void kcov_remote_open(void)
{
	pthread_t t;
	int i;

	kcov_rfd = open("/sys/kernel/debug/kcov", O_RDWR);
	if (kcov_rfd < 0 || ioctl(kcov_rfd, KCOV_INIT_TRACE, kcov_rwords))
		goto err_close;
	kcov_rarea = mmap(NULL, kcov_rwords * sizeof(uint64_t),
			  PROT_READ | PROT_WRITE, MAP_SHARED, kcov_rfd, 0);
	if (kcov_rarea == MAP_FAILED)
		goto err_close;
	if (pthread_create(&t, NULL, kcov_remote_owner, NULL))
		goto err_unmap;
	pthread_detach(t);
	for (i = 0; i < 500 && !__atomic_load_n(&kcov_rstate, __ATOMIC_ACQUIRE); i++)
		usleep(10 * 1000);
	if (__atomic_load_n(&kcov_rstate, __ATOMIC_ACQUIRE) == 1)
		return;
	fprintf(stderr, "kfuzz: no remote coverage (KCOV_REMOTE_ENABLE: %s): the flush worker is not counted\n",
		strerror(-kcov_rstate));
	/* the thread is gone or never ran: the mapping is not written */
	kcov_rarea = NULL;
	return;

err_unmap:
	munmap(kcov_rarea, kcov_rwords * sizeof(uint64_t));
	kcov_rarea = NULL;
err_close:
	fprintf(stderr, "kfuzz: no remote coverage: %s\n", strerror(errno));
	if (kcov_rfd >= 0)
		close(kcov_rfd);
	kcov_rfd = -1;
}

/* Sites hit since cov_reset(), and by the flush worker since the last
 * call; returns how many were new. */
static int cov_collect(void)
{
	uint64_t n;
	int fresh;

	if (!kcov_area)
		return 0;
	n = __atomic_load_n(&kcov_area[0], __ATOMIC_RELAXED);
	if (n >= kcov_words)
		n = kcov_words - 1;
	fresh = cov_scan(kcov_area, 0, n);
	if (kcov_rarea) {
		n = __atomic_load_n(&kcov_rarea[0], __ATOMIC_RELAXED);
		if (n >= kcov_rwords)
			n = kcov_rwords - 1;
		if (n > kcov_rseen)
			fresh += cov_scan(kcov_rarea, kcov_rseen, n);
		kcov_rseen = n;
		/* the kernel appends: start over before the area fills (a
		 * flush that ends meanwhile may be lost, never misread) */
		if (n > kcov_rwords / 2) {
			__atomic_store_n(&kcov_rarea[0], 0, __ATOMIC_RELAXED);
			kcov_rseen = 0;
		}
	}
	cov_new_sites += fresh;
	return fresh;
}

static int cov_total(void)
{
	int i, n = 0;

	for (i = 0; i < total_sites; i++)
		n += hit[i];
	return n;
}

/* ------------------------------------------------------------ kernel log */

static int kmsg_fd = -1;
static regex_t report_re;
static char report[8192];
static int report_len;
static int kmsg_lines;		/* lines seen since kmsg_mark() */
static char kmsg_match[64];	/* count lines that mention this */
static int kmsg_matched;

static void kmsg_open(void)
{
	/* the patterns scripts/guest-run fails a run on */
	const char *pat = "WARNING:|BUG:|Oops|KFENCE:|general protection fault|"
		"Kernel panic|UBSAN:|possible circular locking|"
		"possible recursive locking|Call Trace:|soft lockup|hung_task|"
		"blocked for more than|inconsistent lock state|irq lock inversion|"
		"sleeping function called from invalid context|suspicious RCU usage";

	if (regcomp(&report_re, pat, REG_EXTENDED | REG_NOSUB))
		die("regcomp");
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* Reads what the kernel logged since the last call; 1 on a report. */
static int kmsg_poll(void)
{
	char rec[2048];
	int found = 0;
	ssize_t n;

	while (kmsg_fd >= 0) {
		char *msg;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: go on from the next */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		kmsg_lines++;
		if (kmsg_match[0] && strstr(msg, kmsg_match))
			kmsg_matched++;
		if (!regexec(&report_re, msg, 0, NULL, 0))
			found = 1;
		if (found || report_len) {
			int l = snprintf(report + report_len,
					 sizeof(report) - report_len, "%s", msg);

			if (l > 0 && report_len + l < (int)sizeof(report))
				report_len += l;
		}
	}
	return found || report_len;
}

/* ------------------------------------------------------------ netlink */

static struct mnl_socket *nl, *rd;
static uint32_t nl_seq = 100;
static char rbuf[1 << 16];
static char reply[1 << 16];	/* first reply message of the last request */
static int reply_len;

#define MAX_POL		64
#define MAX_ATTR	64

struct pattr {
	uint8_t kind;		/* NL_ATTR_TYPE_*, 0: not in the policy */
	uint8_t has_s, has_u, has_min_len, has_max_len, has_mask;
	int64_t smin, smax;
	uint64_t umin, umax, mask;
	uint32_t lmin, lmax;
	int nest;		/* policy index of a nest, -1 */
};

struct pol {
	int maxtype;
	struct pattr a[MAX_ATTR];
};

struct op {
	int present;
	uint32_t flags;
	int do_pol, dump_pol;
};

static struct pol pols[MAX_POL];
static struct op ops[32];

static void nl_open_sockets(void)
{
	int one = 1, big = 4 << 20;

	nl = mnl_socket_open(NETLINK_GENERIC);
	rd = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || !rd || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(rd, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket: %s", strerror(errno));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	setsockopt(mnl_socket_get_fd(rd), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
	{
		struct timeval tv = { .tv_sec = 20 };

		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
			   sizeof(tv));
	}
}

/*
 * Sends @h and reads until its ACK, error or dump end: returns 0 or a
 * positive errno, -1 when no answer came (ETIMEDOUT of the socket).
 * The first non-error reply is kept in reply[].
 */
static int nl_talk(struct nlmsghdr *h, size_t len)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = h->nlmsg_seq;
	int n;

	reply_len = 0;
	if (mnl_socket_sendto(nl, h, len) < 0)
		return errno;
	for (;;) {
		struct nlmsghdr *r;

		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return errno == EAGAIN ? -1 : errno;
		for (r = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(r, n);
		     r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_seq != seq || r->nlmsg_pid != portid)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(r);

				return -e->error;
			}
			if (r->nlmsg_type == NLMSG_DONE)
				return 0;
			if (!reply_len && r->nlmsg_len <= sizeof(reply)) {
				memcpy(reply, r, r->nlmsg_len);
				reply_len = r->nlmsg_len;
			}
		}
	}
}

static void nl_drain(struct mnl_socket *s)
{
	while (recv(mnl_socket_get_fd(s), rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;
}

struct famcb {
	int id, grp;
};

static int fam_attr(const struct nlattr *a, void *data)
{
	struct famcb *f = data;
	struct nlattr *g, *x;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		f->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_OPS:
		mnl_attr_for_each_nested(g, a) {
			int id = -1;
			uint32_t fl = 0;

			mnl_attr_for_each_nested(x, g) {
				if (mnl_attr_get_type(x) == CTRL_ATTR_OP_ID)
					id = mnl_attr_get_u32(x);
				else if (mnl_attr_get_type(x) == CTRL_ATTR_OP_FLAGS)
					fl = mnl_attr_get_u32(x);
			}
			if (id >= 0 && id < (int)ARRAY_SIZE(ops)) {
				ops[id].present = 1;
				ops[id].flags = fl;
			}
		}
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(g, a) {
			const char *name = NULL;
			int id = -1;

			mnl_attr_for_each_nested(x, g) {
				if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(x);
				else if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(x);
			}
			if (name && !strcmp(name, KSCOPE_MCGRP_EVENTS))
				f->grp = id;
		}
		break;
	}
	return MNL_CB_OK;
}

static void put_ctrl_hdr(struct nlmsghdr *h, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++nl_seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
}

/* Family id, ops and events group: after every load of kscope_core. */
static int resolve_family(void)
{
	char req[256];
	struct nlmsghdr *h = mnl_nlmsg_put_header(req);
	struct famcb f = { -1, -1 };
	int ret;

	memset(ops, 0, sizeof(ops));
	put_ctrl_hdr(h, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(h, CTRL_ATTR_FAMILY_NAME, KSCOPE_GENL_NAME);
	ret = nl_talk(h, h->nlmsg_len);
	if (ret || !reply_len)
		return -1;
	mnl_attr_parse((struct nlmsghdr *)reply, sizeof(struct genlmsghdr),
		       fam_attr, &f);
	fam_id = f.id;
	grp_id = f.grp;
	if (grp_id >= 0 &&
	    mnl_socket_setsockopt(rd, NETLINK_ADD_MEMBERSHIP, &grp_id,
				  sizeof(grp_id)) < 0)
		fprintf(stderr, "kfuzz: cannot join the events group: %s\n",
			strerror(errno));
	return fam_id;
}

static void pol_attr(struct pattr *p, const struct nlattr *nest)
{
	struct nlattr *x;

	p->nest = -1;
	mnl_attr_for_each_nested(x, nest) {
		switch (mnl_attr_get_type(x)) {
		case NL_POLICY_TYPE_ATTR_TYPE:
			p->kind = mnl_attr_get_u32(x);
			break;
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
			p->smin = (int64_t)mnl_attr_get_u64(x);
			p->has_s = 1;
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
			p->smax = (int64_t)mnl_attr_get_u64(x);
			p->has_s = 1;
			break;
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
			p->umin = mnl_attr_get_u64(x);
			p->has_u = 1;
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
			p->umax = mnl_attr_get_u64(x);
			p->has_u = 1;
			break;
		case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
			p->lmin = mnl_attr_get_u32(x);
			p->has_min_len = 1;
			break;
		case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
			p->lmax = mnl_attr_get_u32(x);
			p->has_max_len = 1;
			break;
		case NL_POLICY_TYPE_ATTR_POLICY_IDX:
			p->nest = mnl_attr_get_u32(x);
			break;
		case NL_POLICY_TYPE_ATTR_MASK:
			p->mask = mnl_attr_get_u64(x);
			p->has_mask = 1;
			break;
		}
	}
}

static int pol_cb(const struct nlmsghdr *h, void *data)
{
	struct nlattr *a, *x, *y;

	(void)data;
	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_OP_POLICY) {
			mnl_attr_for_each_nested(x, a) {
				int cmd = mnl_attr_get_type(x);

				if (cmd >= (int)ARRAY_SIZE(ops))
					continue;
				ops[cmd].do_pol = ops[cmd].dump_pol = -1;
				mnl_attr_for_each_nested(y, x) {
					if (mnl_attr_get_type(y) == CTRL_ATTR_POLICY_DO)
						ops[cmd].do_pol = mnl_attr_get_u32(y);
					else if (mnl_attr_get_type(y) == CTRL_ATTR_POLICY_DUMP)
						ops[cmd].dump_pol = mnl_attr_get_u32(y);
				}
			}
		} else if (mnl_attr_get_type(a) == CTRL_ATTR_POLICY) {
			mnl_attr_for_each_nested(x, a) {
				int pi = mnl_attr_get_type(x);

				if (pi >= MAX_POL)
					continue;
				mnl_attr_for_each_nested(y, x) {
					int t = mnl_attr_get_type(y);

					if (t >= MAX_ATTR)
						continue;
					pol_attr(&pols[pi].a[t], y);
					if (t > pols[pi].maxtype)
						pols[pi].maxtype = t;
				}
			}
		}
	}
	return MNL_CB_OK;
}

/* Every op's policy, nested ones included, from the family itself. */
static int dump_policy(void)
{
	char req[256];
	struct nlmsghdr *h = mnl_nlmsg_put_header(req);
	unsigned int portid = mnl_socket_get_portid(nl);
	int n, ret, i;

	memset(pols, 0, sizeof(pols));
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		ops[i].do_pol = ops[i].dump_pol = -1;
	put_ctrl_hdr(h, CTRL_CMD_GETPOLICY, NLM_F_DUMP);
	mnl_attr_put_u16(h, CTRL_ATTR_FAMILY_ID, fam_id);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(rbuf, n, h->nlmsg_seq, portid, pol_cb, NULL);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ inputs */

#define MAX_IN		4096

struct input {
	uint8_t cmd, version, reserved, dump;
	uint16_t len;
	uint8_t d[MAX_IN];	/* the attributes */
};

static const char * const src_names[] = {
	"testgen", "tcp", "blk", "net", "vfs", "mem", "sched", "probe",
};

static const char * const blk_names[] = {
	"fz0", "fz1", "fz2", "a", "x_1", "abcdefghij0123456789",
	"abcdefghij0123456789x", "Bad!", "", "fz0 ",
};

static const char * const symbols[] = {
	"vfs_read", "vfs_write", "do_sys_openat2", "__x64_sys_getpid",
	"kfuzz_no_such_function", "kscope_emit", "ktime_get", "_raw_spin_lock",
	"ksys_read.isra.0", "", "vfs_", "security_file_open", "do_nanosleep",
};

/*
 * Names from this kernel's /proc/kallsyms that take the resolver's other
 * paths: the bases of compiler clones (foo of foo.isra.0, foo.cold), which
 * resolve to their one clone or fail as ambiguous with the list, and names
 * that several text symbols share. Read once; picked beside symbols[].
 */
#define MAX_KSYMS	64
static char *ksym_pick[2 * MAX_KSYMS];
static int nksym_clone, nksym_dup;

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h | 1;
}

static void kallsyms_names(void)
{
	static const char * const sfx[] = { ".isra.", ".constprop.", ".part.",
					     ".cold", ".llvm." };
	const unsigned int tsize = 1 << 19;
	uint64_t *seen = calloc(tsize, sizeof(*seen));
	char line[512], name[256];
	unsigned long nth = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && seen && fgets(line, sizeof(line), f)) {
		char t, *dot;
		unsigned int j, k;
		uint64_t h;

		if (sscanf(line, "%*s %c %255s", &t, name) != 2 ||
		    (t != 't' && t != 'T'))
			continue;
		nth++;
		for (k = 0; k < ARRAY_SIZE(sfx); k++) {
			dot = strstr(name, sfx[k]);
			if (!dot || dot == name)
				continue;
			/* every 97th clone, spread over the kernel */
			if (nksym_clone < MAX_KSYMS && nth % 97 == 0) {
				*dot = 0;
				ksym_pick[nksym_clone++] = strdup(name);
			}
			break;
		}
		if (k < ARRAY_SIZE(sfx) || strchr(name, '.'))
			continue;
		h = fnv1a(name);
		for (j = h & (tsize - 1); seen[j] && seen[j] != h; j = (j + 1) & (tsize - 1))
			;
		if (!seen[j])
			seen[j] = h;
		else if (nksym_dup < MAX_KSYMS && nth % 7 == 0)
			ksym_pick[MAX_KSYMS + nksym_dup++] = strdup(name);
	}
	if (f)
		fclose(f);
	free(seen);
}

static const char *pick_symbol(void)
{
	int r = rnd(4);

	if (r == 1 && nksym_clone)
		return ksym_pick[rnd(nksym_clone)];
	if (r == 2 && nksym_dup)
		return ksym_pick[MAX_KSYMS + rnd(nksym_dup)];
	return symbols[rnd(ARRAY_SIZE(symbols))];
}

static const char * const ifnames[] = {
	"lo", "kfuzz0", "abcdefghijklmno", "", "lo ",
};

static const char * const comms[] = {
	"kfuzz", "sh", "", "abcdefghijklmno", "kworker/0:1",
};

static void put_attr(struct input *in, uint16_t type, const void *p, int len)
{
	struct nlattr *a;

	if (in->len + ALIGN4(NLA_HDRLEN + len) > MAX_IN)
		return;
	a = (struct nlattr *)(in->d + in->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(in->d + in->len + NLA_HDRLEN, p, len);
	memset(in->d + in->len + NLA_HDRLEN + len, 0,
	       ALIGN4(NLA_HDRLEN + len) - NLA_HDRLEN - len);
	in->len += ALIGN4(NLA_HDRLEN + len);
}

static void put_u8(struct input *in, uint16_t t, uint8_t v) { put_attr(in, t, &v, 1); }
static void put_u16(struct input *in, uint16_t t, uint16_t v) { put_attr(in, t, &v, 2); }
static void put_u32(struct input *in, uint16_t t, uint32_t v) { put_attr(in, t, &v, 4); }
static void put_u64(struct input *in, uint16_t t, uint64_t v) { put_attr(in, t, &v, 8); }
static void put_str(struct input *in, uint16_t t, const char *s)
{
	put_attr(in, t, s, strlen(s) + 1);
}

static int nest_start(struct input *in, uint16_t t)
{
	int off = in->len;

	put_attr(in, t | NLA_F_NESTED, NULL, 0);
	return off;
}

static void nest_end(struct input *in, int off)
{
	((struct nlattr *)(in->d + off))->nla_len = in->len - off;
}

static void in_init(struct input *in, uint8_t cmd, int dump)
{
	memset(in, 0, offsetof(struct input, d));
	in->cmd = cmd;
	in->version = KSCOPE_GENL_VERSION;
	in->dump = dump;
}

static int ctl_attr_of(const char *src)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(src_names); i++)
		if (!strcmp(src, src_names[i]))
			return KSCOPE_A_CTL_TESTGEN + i;
	return KSCOPE_A_CTL_TESTGEN;
}

/* CTL or CTL_GET for @src; returns the nest's offset (end it) */
static int in_ctl(struct input *in, int get, const char *src)
{
	in_init(in, get ? KSCOPE_CMD_CTL_GET : KSCOPE_CMD_CTL, 0);
	put_str(in, KSCOPE_A_SOURCE, src);
	return nest_start(in, ctl_attr_of(src));
}

/* the corpus */
#define MAX_CORPUS	4096
static struct input *corpus[MAX_CORPUS];
static int ncorpus, nseeds;

static void corpus_add(const struct input *in)
{
	if (ncorpus >= MAX_CORPUS)
		return;
	corpus[ncorpus] = malloc(sizeof(*in));
	memcpy(corpus[ncorpus], in, sizeof(*in));
	ncorpus++;
}

/* Requests as the reader (userspace/kscope) sends them. */
static void seed_corpus(void)
{
	struct input in;
	unsigned int i;
	int n;
	uint8_t any[16] = { 0 }, v4[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };

	in_init(&in, KSCOPE_CMD_VERSION_GET, 0);
	corpus_add(&in);
	in_init(&in, KSCOPE_CMD_SOURCE_GET, 1);
	corpus_add(&in);
	in_init(&in, KSCOPE_CMD_STATS_GET, 1);
	corpus_add(&in);
	in_init(&in, KSCOPE_CMD_FLUSH, 0);
	corpus_add(&in);
	for (i = 1; i < ARRAY_SIZE(src_names); i++) {
		in_init(&in, KSCOPE_CMD_SOURCE_GET, 0);
		put_str(&in, KSCOPE_A_SOURCE, src_names[i]);
		corpus_add(&in);
		in_init(&in, KSCOPE_CMD_STATS_GET, 0);
		put_str(&in, KSCOPE_A_SOURCE, src_names[i]);
		put_attr(&in, KSCOPE_A_PERCPU, NULL, 0);
		corpus_add(&in);
		in_init(&in, KSCOPE_CMD_STATS_GET, 1);
		put_str(&in, KSCOPE_A_SOURCE, src_names[i]);
		put_attr(&in, KSCOPE_A_PERCPU, NULL, 0);
		corpus_add(&in);
		if (strcmp(src_names[i], "net")) {
			in_init(&in, KSCOPE_CMD_CTL_GET, 0);
			put_str(&in, KSCOPE_A_SOURCE, src_names[i]);
			corpus_add(&in);
		}
	}
	n = in_ctl(&in, 1, "tcp");
	put_u32(&in, KSCOPE_TCP_CURSOR, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "tcp");
	put_attr(&in, KSCOPE_TCP_CLEAR, NULL, 0);
	put_u16(&in, KSCOPE_TCP_PORT, 22);
	put_attr(&in, KSCOPE_TCP_ADDR, v4, 16);
	put_u32(&in, KSCOPE_TCP_PID, getpid());
	put_u8(&in, KSCOPE_TCP_SAMPLE_ALL, 1);
	put_u32(&in, KSCOPE_TCP_EVENTS, 0x3);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "tcp");
	put_attr(&in, KSCOPE_TCP_ADDR, any, 16);
	put_u32(&in, KSCOPE_TCP_NETNS, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_ADD);
	put_str(&in, KSCOPE_BLK_NAME, "fz0");
	put_u8(&in, KSCOPE_BLK_PROFILE, KSCOPE_BLK_PROFILE_SSD);
	put_u32(&in, KSCOPE_BLK_SIZE_MB, 16);
	put_u32(&in, KSCOPE_BLK_QUEUES, 2);
	put_u32(&in, KSCOPE_BLK_DEPTH, 32);
	put_u8(&in, KSCOPE_BLK_COMPLETION, KSCOPE_BLK_COMP_TIMER);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_SET);
	put_str(&in, KSCOPE_BLK_NAME, "fz0");
	put_u64(&in, KSCOPE_BLK_SLOW_NS, 1000000);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_DEL);
	put_str(&in, KSCOPE_BLK_NAME, "fz0");
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 1, "blk");
	put_str(&in, KSCOPE_BLK_NAME, "fz0");
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "net");
	put_u8(&in, KSCOPE_NET_ECHO, 1);
	put_u32(&in, KSCOPE_NET_NETNS_PID, getpid());
	put_str(&in, KSCOPE_NET_IFNAME, "lo");
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "net");
	put_u8(&in, KSCOPE_NET_ECHO, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "vfs");
	put_u64(&in, KSCOPE_VFS_SLOW_US, 1000);
	put_u32(&in, KSCOPE_VFS_PID, getpid());
	put_u8(&in, KSCOPE_VFS_TOP, 1);
	put_attr(&in, KSCOPE_VFS_TOP_RESET, NULL, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 1, "vfs");
	put_u32(&in, KSCOPE_VFS_TOP_N, 5);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "mem");
	put_u32(&in, KSCOPE_MEM_HIGH_ORDER, 3);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "sched");
	put_attr(&in, KSCOPE_SCHED_CLEAR, NULL, 0);
	put_u32(&in, KSCOPE_SCHED_PID, 1);
	put_str(&in, KSCOPE_SCHED_COMM, "sh");
	put_u64(&in, KSCOPE_SCHED_CGROUP, 1);
	put_attr(&in, KSCOPE_SCHED_RESET, NULL, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 1, "sched");
	put_attr(&in, KSCOPE_SCHED_CPU, NULL, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 1, "sched");
	put_u32(&in, KSCOPE_SCHED_CURSOR, 0);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
	put_str(&in, KSCOPE_PROBE_SYMBOL, "vfs_read");
	put_u32(&in, KSCOPE_PROBE_FLAGS, KSCOPE_PROBE_F_RET | KSCOPE_PROBE_F_LATENCY);
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_DEL);
	put_str(&in, KSCOPE_PROBE_SYMBOL, "vfs_read");
	nest_end(&in, n);
	corpus_add(&in);
	n = in_ctl(&in, 1, "probe");
	put_u32(&in, KSCOPE_PROBE_ID, 1);
	nest_end(&in, n);
	corpus_add(&in);
	nseeds = ncorpus;
}

/* ---------------------------------------------- generation from policy */

static uint64_t pick_int(const struct pattr *p, int bits)
{
	uint64_t tmax = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	uint64_t lo = 0, hi = tmax;

	if (p && p->has_u) {
		lo = p->umin;
		hi = p->umax;
	} else if (p && p->has_s) {
		lo = (uint64_t)p->smin;
		hi = (uint64_t)p->smax;
	}
	if (p && p->has_mask && chance(50))
		return chance(70) ? rnd64() & p->mask : p->mask;
	switch (rnd(12)) {
	case 0: return lo;
	case 1: return hi;
	case 2: return lo - 1;
	case 3: return hi + 1;
	case 4: return 0;
	case 5: return 1;
	case 6: return tmax;
	case 7: return tmax >> 1;
	case 8: return (tmax >> 1) + 1;
	case 9: return getpid();
	default:
		if (hi > lo && hi - lo < tmax)
			return lo + rnd64() % (hi - lo + 1);
		return rnd64() & tmax;
	}
}

/* a string for attribute @type at a level of source @src (-1: top) */
static void pick_str(const struct pattr *p, int src, int type, char *s, int *len)
{
	const char *w = NULL;
	int max = p && p->has_max_len ? (int)p->lmax : 32;

	if (src < 0 && type == KSCOPE_A_SOURCE)
		w = chance(90) ? src_names[rnd(ARRAY_SIZE(src_names))] :
			(chance(50) ? "testgen_hist" : "kfuzz_nosuch");
	else if (src == 2 && type == KSCOPE_BLK_NAME)
		w = blk_names[rnd(ARRAY_SIZE(blk_names))];
	else if (src == 7 && type == KSCOPE_PROBE_SYMBOL)
		w = pick_symbol();
	else if (src == 3 && type == KSCOPE_NET_IFNAME)
		w = ifnames[rnd(ARRAY_SIZE(ifnames))];
	else if (src == 6 && type == KSCOPE_SCHED_COMM)
		w = comms[rnd(ARRAY_SIZE(comms))];
	if (w && chance(85)) {
		*len = strlen(w) + 1;
		memcpy(s, w, *len);
		return;
	}
	/* lengths at the policy's edge, with or without the NUL */
	switch (rnd(4)) {
	case 0: *len = max; break;
	case 1: *len = max + 1; break;
	case 2: *len = max + 2; break;
	default: *len = rnd(max + 2); break;
	}
	if (*len > 300)
		*len = 300;
	for (int i = 0; i < *len; i++)
		s[i] = 'a' + rnd(26);
	if (*len && chance(70))
		s[*len - 1] = 0;
}

static void gen_attrs(struct input *in, int pol, int src, int depth, int nattrs);

static void gen_attr(struct input *in, int pol, int src, int depth, int t)
{
	const struct pattr *p = pol >= 0 && t < MAX_ATTR ? &pols[pol].a[t] : NULL;
	uint64_t v;
	char s[512];
	int len, n;

	switch (p ? p->kind : NL_ATTR_TYPE_BINARY) {
	case NL_ATTR_TYPE_FLAG:
		put_attr(in, t, NULL, 0);
		break;
	case NL_ATTR_TYPE_U8: case NL_ATTR_TYPE_S8:
		v = pick_int(p, 8);
		put_u8(in, t, v);
		break;
	case NL_ATTR_TYPE_U16: case NL_ATTR_TYPE_S16:
		v = pick_int(p, 16);
		put_u16(in, t, v);
		break;
	case NL_ATTR_TYPE_U32: case NL_ATTR_TYPE_S32:
		v = pick_int(p, 32);
		put_u32(in, t, v);
		break;
	case NL_ATTR_TYPE_U64: case NL_ATTR_TYPE_S64:
		v = pick_int(p, 64);
		put_u64(in, t, v);
		break;
	case NL_ATTR_TYPE_STRING: case NL_ATTR_TYPE_NUL_STRING:
		pick_str(p, src, t, s, &len);
		put_attr(in, t, s, len);
		break;
	case NL_ATTR_TYPE_NESTED: case NL_ATTR_TYPE_NESTED_ARRAY:
		if (depth >= 3)
			break;
		n = nest_start(in, t);
		if (src < 0 && t >= KSCOPE_A_CTL_TESTGEN && t <= KSCOPE_A_CTL_PROBE)
			src = t - KSCOPE_A_CTL_TESTGEN;
		gen_attrs(in, p->nest, src, depth + 1, 1 + rnd(5));
		nest_end(in, n);
		break;
	default:
		/* binary: the exact length, or next to it */
		len = p && p->has_min_len ? p->lmin : rnd(20);
		if (chance(30))
			len += chance(50) ? 1 : -1;
		if (len < 0)
			len = 0;
		if (len > 64)
			len = 64;
		for (int i = 0; i < len; i++)
			s[i] = chance(70) ? 0 : rnd(256);
		put_attr(in, t, s, len);
		break;
	}
}

static void gen_attrs(struct input *in, int pol, int src, int depth, int nattrs)
{
	int maxtype = pol >= 0 ? pols[pol].maxtype : 8;

	for (int i = 0; i < nattrs; i++) {
		int t = rnd(maxtype + 2);

		/* mostly attributes the policy knows */
		if (pol >= 0 && chance(90))
			for (int k = 0; k < 8 && !pols[pol].a[t].kind; k++)
				t = rnd(maxtype + 1);
		gen_attr(in, pol, src, depth, t);
	}
}

static int op_pol(const struct input *in)
{
	if (in->cmd >= ARRAY_SIZE(ops))
		return -1;
	return in->dump ? ops[in->cmd].dump_pol : ops[in->cmd].do_pol;
}

static void gen_input(struct input *in)
{
	int cmd = 1 + rnd(KSCOPE_CMD_MAX);
	int pol;

	if (chance(60))
		cmd = chance(50) ? KSCOPE_CMD_CTL : KSCOPE_CMD_CTL_GET;
	in_init(in, cmd, chance(15));
	pol = op_pol(in);
	if (cmd == KSCOPE_CMD_CTL || cmd == KSCOPE_CMD_CTL_GET) {
		int s = 1 + rnd(ARRAY_SIZE(src_names) - 1);

		put_str(in, KSCOPE_A_SOURCE, src_names[s]);
		if (chance(85))
			gen_attr(in, pol, -1, 0, KSCOPE_A_CTL_TESTGEN + s);
		if (chance(20))
			gen_attrs(in, pol, -1, 0, 1 + rnd(2));
	} else {
		gen_attrs(in, pol, -1, 0, rnd(3));
	}
}

/* ---------------------------------------------------------- mutation */

struct aref {
	int off, parent, pol, depth;
};

#define MAX_AREF 256

static int walk(const struct input *in, int start, int end, int pol, int depth,
		int parent, struct aref *out, int n)
{
	int off = start;

	while (off + NLA_HDRLEN <= end && n < MAX_AREF) {
		const struct nlattr *a = (const void *)(in->d + off);
		int t = a->nla_type & NLA_TYPE_MASK;
		const struct pattr *p;
		int me = n;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		out[n].off = off;
		out[n].parent = parent;
		out[n].pol = pol;
		out[n].depth = depth;
		n++;
		p = pol >= 0 && t < MAX_ATTR ? &pols[pol].a[t] : NULL;
		if (p && (p->kind == NL_ATTR_TYPE_NESTED) && depth < 4)
			n = walk(in, off + NLA_HDRLEN, off + a->nla_len, p->nest,
				 depth + 1, me, out, n);
		off += ALIGN4(a->nla_len);
	}
	return n;
}

/* grows (delta > 0, zeroes) or shrinks the input at @pos, fixing nests */
static int resize_at(struct input *in, struct aref *r, int i, int pos, int delta)
{
	if (in->len + delta > MAX_IN || in->len + delta < 0 || pos > in->len)
		return -1;
	if (delta < 0 && pos - delta > in->len)
		return -1;
	if (delta > 0) {
		memmove(in->d + pos + delta, in->d + pos, in->len - pos);
		memset(in->d + pos, 0, delta);
	} else {
		memmove(in->d + pos, in->d + pos - delta, in->len - pos + delta);
	}
	in->len += delta;
	for (int j = i; j >= 0; j = r[j].parent) {
		struct nlattr *a = (void *)(in->d + r[j].off);

		if (j == i && pos <= r[j].off)
			continue;	/* inserted before it: not inside */
		a->nla_len += delta;
	}
	return 0;
}

static void mutate_once(struct input *in)
{
	struct aref r[MAX_AREF];
	int n = walk(in, 0, in->len, op_pol(in), 0, -1, r, 0);
	int i = n ? (int)rnd(n) : -1;
	struct nlattr *a = i >= 0 ? (void *)(in->d + r[i].off) : NULL;
	int plen = a ? a->nla_len - NLA_HDRLEN : 0;
	uint8_t *pd = a ? in->d + r[i].off + NLA_HDRLEN : NULL;
	int t = a ? a->nla_type & NLA_TYPE_MASK : 0;
	const struct pattr *p = a && r[i].pol >= 0 && t < MAX_ATTR ?
		&pols[r[i].pol].a[t] : NULL;
	struct input tmp;

	switch (rnd(13)) {
	case 0: case 1: case 2:		/* a value at the edges */
		if (!a || !(plen == 1 || plen == 2 || plen == 4 || plen == 8))
			goto fresh;
		{
			uint64_t v = pick_int(p, plen * 8);

			memcpy(pd, &v, plen);
		}
		break;
	case 3:				/* wrong length */
		if (!a)
			goto fresh;
		{
			int d = chance(50) ? -(int)rnd(plen + 1) : 1 + (int)rnd(8);
			int old = ALIGN4(a->nla_len), nl = a->nla_len + d;

			if (nl < NLA_HDRLEN)
				nl = NLA_HDRLEN;
			d = ALIGN4(nl) - old;
			if (d > 0) {
				if (resize_at(in, r, i, r[i].off + old, d))
					break;
			} else if (d < 0) {
				if (resize_at(in, r, i, r[i].off + old + d, d))
					break;
			}
			a = (void *)(in->d + r[i].off);
			a->nla_len = nl;
		}
		break;
	case 4:				/* missing */
		if (!a)
			goto fresh;
		{
			int sz = ALIGN4(a->nla_len);

			resize_at(in, r, r[i].parent, r[i].off, -sz);
		}
		break;
	case 5:				/* duplicated */
		if (!a)
			goto fresh;
		{
			int sz = ALIGN4(a->nla_len), off = r[i].off;

			memcpy(&tmp, in, sizeof(tmp));
			if (!resize_at(in, r, r[i].parent, off + sz, sz))
				memcpy(in->d + off + sz, tmp.d + off, sz);
		}
		break;
	case 6:				/* one more, from the policy */
	fresh:
		{
			int par = i >= 0 ? r[i].parent : -1;
			int pol = par >= 0 ? r[i].pol : op_pol(in);
			int pos = par >= 0 ? r[i].off : in->len;
			int src = -1;

			in_init(&tmp, in->cmd, in->dump);
			if (par >= 0) {
				int top = par;

				while (r[top].parent >= 0)
					top = r[top].parent;
				src = (((struct nlattr *)(in->d + r[top].off))->nla_type &
				       NLA_TYPE_MASK) - KSCOPE_A_CTL_TESTGEN;
			}
			gen_attrs(&tmp, pol, src, par >= 0 ? r[i].depth : 0, 1);
			if (!tmp.len || resize_at(in, r, par, pos, tmp.len))
				break;
			memcpy(in->d + pos, tmp.d, tmp.len);
		}
		break;
	case 7:				/* type and flags */
		if (!a)
			goto fresh;
		if (chance(50))
			a->nla_type ^= chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		else
			a->nla_type = (a->nla_type & ~NLA_TYPE_MASK) |
				rnd((r[i].pol >= 0 ? pols[r[i].pol].maxtype : 8) + 3);
		break;
	case 8:				/* truncated */
		if (in->len)
			in->len = rnd(in->len);
		break;
	case 9:				/* trailing bytes */
		{
			int k = 1 + rnd(7);

			for (int j = 0; j < k && in->len < MAX_IN; j++)
				in->d[in->len++] = rnd(256);
		}
		break;
	case 10:			/* the header */
		switch (rnd(4)) {
		case 0: in->cmd = rnd(KSCOPE_CMD_MAX + 3); break;
		case 1: in->dump ^= 1; break;
		case 2: in->version = rnd(256); break;
		default: in->reserved = rnd(256); break;
		}
		break;
	case 11:			/* an attribute of another input */
		{
			const struct input *o = corpus[rnd(ncorpus)];
			struct aref r2[MAX_AREF];
			int n2 = walk(o, 0, o->len, op_pol(o), 0, -1, r2, 0), k, sz;

			if (!n2)
				break;
			k = rnd(n2);
			sz = ALIGN4(((struct nlattr *)(o->d + r2[k].off))->nla_len);
			if (r2[k].off + sz > o->len || in->len + sz > MAX_IN)
				break;
			memcpy(in->d + in->len, o->d + r2[k].off, sz);
			in->len += sz;
		}
		break;
	default:			/* a byte */
		if (in->len)
			in->d[rnd(in->len)] ^= 1 << rnd(8);
		break;
	}
}

/* ------------------------------------------------------------ execution */

static const char *out_dir;
static long execs, nl_timeouts;
static int findings;

/* the last inputs, for a reproducer: one replayable line each */
#define RING 64
static char ring[RING][MAX_IN * 2 + 128];
static long ring_n;

static void ring_put(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ring[ring_n % RING], sizeof(ring[0]), fmt, ap);
	va_end(ap);
	ring_n++;
}

static void ring_input(const struct input *in)
{
	char *s = ring[ring_n % RING];
	int l = sprintf(s, "nl %u %u %u %u ", in->cmd, in->dump, in->version,
			in->reserved);

	for (int i = 0; i < in->len; i++)
		l += sprintf(s + l, "%02x", in->d[i]);
	if (!in->len)
		sprintf(s + l, "-");
	ring_n++;
}

static int crash_saved;

static void save_crash(void)
{
	char dir[512], p[600];
	FILE *f;
	long i;
	int k;

	for (k = 0; k < 1000; k++) {
		snprintf(dir, sizeof(dir), "%s/crashes/%03d", out_dir, k);
		if (!mkdir(dir, 0755))
			break;
	}
	snprintf(p, sizeof(p), "%s/report.txt", dir);
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "%s", report);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/inputs.txt", dir);
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "# kfuzz reproducer: the last inputs before the report, oldest first\n"
			"# replay: kfuzz --ko-dir DIR --replay %s\n", p);
		for (i = ring_n > RING ? ring_n - RING : 0; i < ring_n; i++)
			fprintf(f, "%s\n", ring[i % RING]);
		fclose(f);
	}
	printf("finding: kernel report, reproducer in %s\n%s", dir, report);
	crash_saved = 1;
}

/* After every input: a kernel report ends the run. */
static void check_kernel(void)
{
	if (!kmsg_poll())
		return;
	usleep(500000);	/* the rest of the report */
	kmsg_poll();
	save_crash();
}

static int send_input(const struct input *in)
{
	static char msg[MAX_IN + 64];
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = (struct genlmsghdr *)(msg + NLMSG_HDRLEN);

	if (fam_id < 0)
		return ENOENT;
	h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + in->len;
	h->nlmsg_type = fam_id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (in->dump ? NLM_F_DUMP : 0);
	h->nlmsg_seq = ++nl_seq;
	h->nlmsg_pid = 0;
	g->cmd = in->cmd;
	g->version = in->version;
	g->reserved = in->reserved;
	memcpy(msg + NLMSG_HDRLEN + GENL_HDRLEN, in->d, in->len);
	return nl_talk(h, h->nlmsg_len);
}

/* time spent per (command, source): where a slow run goes */
#define NCLS 10
static double cls_time[NCLS][10];
static long cls_n[NCLS][10];
static double t_loads, t_seqs;

static int in_source(const struct input *in)
{
	const struct nlattr *a = (const void *)in->d;

	if (in->len >= NLA_HDRLEN + 2 && (a->nla_type & NLA_TYPE_MASK) == KSCOPE_A_SOURCE)
		for (unsigned int i = 0; i < ARRAY_SIZE(src_names); i++)
			if (!strncmp((const char *)in->d + NLA_HDRLEN, src_names[i],
				     in->len - NLA_HDRLEN))
				return i;
	return 9;
}

/* One request, with coverage: returns its errno (0, -1: no answer). */
static int exec_input(const struct input *in, int *fresh)
{
	double t = now();
	int ret, c = in->cmd < NCLS ? in->cmd : 0, sx = in_source(in);

	ring_input(in);
	cov_reset();
	ret = send_input(in);
	cls_time[c][sx] += now() - t;
	cls_n[c][sx]++;
	*fresh = cov_collect();
	execs++;
	if (ret == -1)
		nl_timeouts++;
	check_kernel();
	return ret;
}

static int exec_keep(const struct input *in)
{
	int fresh, ret = exec_input(in, &fresh);

	if (fresh)
		corpus_add(in);
	return ret;
}

/*
 * An entry of the corpus, mostly among those whose kind of request is
 * cheap: adding a kprobe or a disk costs a hundred plain requests.
 */
static const struct input *pick_corpus(void)
{
	const struct input *in = corpus[rnd(ncorpus)];

	for (int k = 0; k < 3; k++) {
		int c = in->cmd < NCLS ? in->cmd : 0, sx = in_source(in);

		if (!cls_n[c][sx] || cls_time[c][sx] / cls_n[c][sx] < 0.05 ||
		    chance(20))
			break;
		in = corpus[rnd(ncorpus)];
	}
	return in;
}

/* ------------------------------------------------------------ sequences */

static long blk_io, blk_adds;
static int blk_seq;

static int reply_u32(int type, int nested_in, uint32_t *v)
{
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	struct nlattr *a, *x;

	if (!reply_len)
		return -1;
	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != nested_in)
			continue;
		mnl_attr_for_each_nested(x, a) {
			if (mnl_attr_get_type(x) == type &&
			    mnl_attr_get_payload_len(x) == 4) {
				*v = mnl_attr_get_u32(x);
				return 0;
			}
		}
	}
	return -1;
}

/* short I/O on /dev/kblk_NAME: a pattern written, read back, compared */
static void blk_rw(const char *name, uint32_t size_mb)
{
	char path[64];
	void *w, *r;
	uint64_t blocks = (uint64_t)size_mb * 256, off;
	int fd;

	snprintf(path, sizeof(path), "/dev/kblk_%s", name);
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0) {
		printf("finding: blk %s added but %s: %s\n", name, path,
		       strerror(errno));
		findings++;
		return;
	}
	if (posix_memalign(&w, 4096, 4096) || posix_memalign(&r, 4096, 4096))
		die("memory");
	for (int i = 0; i < 4096; i++)
		((uint8_t *)w)[i] = rnd(256);
	off = (chance(30) ? blocks - 1 : rnd64() % blocks) * 4096;
	ring_put("blk-io %s %" PRIu64, name, off);
	if (pwrite(fd, w, 4096, off) != 4096 ||
	    (chance(50) && fdatasync(fd)) ||
	    pread(fd, r, 4096, off) != 4096) {
		printf("finding: blk %s: I/O at %" PRIu64 " failed: %s\n", name, off,
		       strerror(errno));
		findings++;
	} else if (memcmp(w, r, 4096)) {
		printf("finding: blk %s: read back at %" PRIu64 " differs from what was written\n",
		       name, off);
		findings++;
	}
	blk_io++;
	free(w);
	free(r);
	close(fd);
}

/* add with random parameters, I/O, set, read, stats, delete */
static void seq_blk(void)
{
	struct input in;
	char name[16];
	uint32_t size = 1 + rnd(64), lbs;
	int n, ret, fresh;

	snprintf(name, sizeof(name), "fs%d", blk_seq++ % 4);
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_ADD);
	put_str(&in, KSCOPE_BLK_NAME, name);
	if (chance(50))
		put_u8(&in, KSCOPE_BLK_PROFILE, rnd(__KSCOPE_BLK_PROFILE_MAX));
	if (chance(20))
		size = chance(50) ? 1 : 1048576;
	put_u32(&in, KSCOPE_BLK_SIZE_MB, size);
	if (chance(50))
		put_u32(&in, KSCOPE_BLK_QUEUES, chance(50) ? 1 + rnd(4) : 64);
	if (chance(50))
		put_u32(&in, KSCOPE_BLK_DEPTH, chance(70) ? 1 + rnd(64) : 4096);
	if (chance(50)) {
		lbs = 512 << rnd(4);
		put_u32(&in, KSCOPE_BLK_LBS, lbs);
		if (chance(50))
			put_u32(&in, KSCOPE_BLK_PBS, lbs << rnd(2));
	}
	if (chance(30))
		put_u32(&in, KSCOPE_BLK_MAX_SEGMENTS, chance(50) ? 1 : 1 + rnd(4096));
	if (chance(30))
		put_u32(&in, KSCOPE_BLK_MAX_SECTORS, chance(50) ? 8 : 8 + rnd(65529));
	if (chance(30))
		put_u8(&in, KSCOPE_BLK_ROTATIONAL, rnd(2));
	if (chance(40))
		put_u8(&in, KSCOPE_BLK_WCACHE, rnd(2));
	if (chance(30))
		put_u8(&in, KSCOPE_BLK_FUA, rnd(2));
	if (chance(30))
		put_u8(&in, KSCOPE_BLK_DISCARD, rnd(2));
	if (chance(60))
		put_u8(&in, KSCOPE_BLK_COMPLETION, rnd(__KSCOPE_BLK_COMP_MAX));
	if (chance(20))
		put_u32(&in, KSCOPE_BLK_BW_MBPS, chance(50) ? 1 : rnd(1000001));
	if (chance(20))
		put_u32(&in, KSCOPE_BLK_POLL_QUEUES, rnd(17));
	if (chance(30))
		put_u64(&in, KSCOPE_BLK_SLOW_NS, chance(50) ? 1 : rnd64());
	nest_end(&in, n);
	ret = exec_input(&in, &fresh);
	if (fresh)
		corpus_add(&in);
	if (ret)
		return;
	blk_adds++;
	blk_rw(name, size);
	if (crash_saved)
		return;
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_SET);
	put_str(&in, KSCOPE_BLK_NAME, name);
	put_u64(&in, KSCOPE_BLK_SLOW_NS, chance(50) ? 0 : rnd64());
	nest_end(&in, n);
	exec_keep(&in);
	n = in_ctl(&in, 1, "blk");
	put_str(&in, KSCOPE_BLK_NAME, name);
	nest_end(&in, n);
	exec_keep(&in);
	in_init(&in, KSCOPE_CMD_STATS_GET, 0);
	put_str(&in, KSCOPE_A_SOURCE, "blk");
	exec_keep(&in);
	n = in_ctl(&in, 0, "blk");
	put_u8(&in, KSCOPE_BLK_OP, KSCOPE_BLK_OP_DEL);
	put_str(&in, KSCOPE_BLK_NAME, name);
	nest_end(&in, n);
	ret = exec_keep(&in);
	if (ret) {
		printf("finding: blk %s: delete after close failed: %s\n", name,
		       strerror(ret > 0 ? ret : ETIMEDOUT));
		findings++;
	}
}

/* add, hit, read, delete by id or by name */
static void seq_probe(void)
{
	const char *sym = symbols[rnd(4)];
	struct input in;
	uint32_t id = 0;
	int n, ret;

	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
	put_str(&in, KSCOPE_PROBE_SYMBOL, sym);
	put_u32(&in, KSCOPE_PROBE_FLAGS, rnd(8));
	nest_end(&in, n);
	ret = exec_keep(&in);
	if (ret || reply_u32(KSCOPE_PROBE_ID, KSCOPE_A_CTL, &id))
		return;
	getppid();
	close(open("/proc/self/stat", O_RDONLY));
	n = in_ctl(&in, 1, "probe");
	put_u32(&in, KSCOPE_PROBE_ID, id);
	nest_end(&in, n);
	exec_keep(&in);
	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_DEL);
	if (chance(50))
		put_u32(&in, KSCOPE_PROBE_ID, id);
	else
		put_str(&in, KSCOPE_PROBE_SYMBOL, sym);
	nest_end(&in, n);
	exec_keep(&in);
}

/* echo on for this netns, a ping over lo, echo off */
/*
 * A reader that falls behind: the subscribed socket's buffer shrunk to the
 * kernel's minimum, a probe with events on getpid, a burst of getpid, a
 * FLUSH: the channel must count what the socket could not take
 * (lost_overrun) and go on. Then the buffer is drained and restored.
 */
static void seq_slow_reader(void)
{
	int small = 0, big = 4 << 20, n, i;
	struct input in;
	uint32_t id = 0;

	if (setsockopt(mnl_socket_get_fd(rd), SOL_SOCKET, SO_RCVBUF, &small,
		       sizeof(small)))
		return;
	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
	put_str(&in, KSCOPE_PROBE_SYMBOL, "__x64_sys_getpid");
	put_u32(&in, KSCOPE_PROBE_FLAGS, KSCOPE_PROBE_F_EVENTS);
	nest_end(&in, n);
	if (!exec_keep(&in) && !reply_u32(KSCOPE_PROBE_ID, KSCOPE_A_CTL, &id)) {
		for (i = 0; i < 2000; i++)
			syscall(SYS_getpid);
		in_init(&in, KSCOPE_CMD_FLUSH, 0);
		exec_keep(&in);
		n = in_ctl(&in, 0, "probe");
		put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_DEL);
		put_u32(&in, KSCOPE_PROBE_ID, id);
		nest_end(&in, n);
		exec_keep(&in);
	}
	nl_drain(rd);
	setsockopt(mnl_socket_get_fd(rd), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
}

static void seq_net(void)
{
	struct input in;
	int n, s;

	n = in_ctl(&in, 0, "net");
	put_u8(&in, KSCOPE_NET_ECHO, 1);
	if (chance(50))
		put_u32(&in, KSCOPE_NET_NETNS_PID, getpid());
	if (chance(50))
		put_str(&in, KSCOPE_NET_IFNAME, "lo");
	nest_end(&in, n);
	if (exec_keep(&in))
		return;
	s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (s >= 0) {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		uint8_t pkt[64] = { ICMP_ECHO };
		uint32_t sum = 0;

		for (int i = 8; i < (int)sizeof(pkt); i++)
			pkt[i] = rnd(256);
		for (int i = 0; i < (int)sizeof(pkt); i += 2)
			sum += pkt[i] << 8 | pkt[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		if (chance(80)) {
			pkt[2] = ~sum >> 8;
			pkt[3] = ~sum;
		}
		sendto(s, pkt, 8 + rnd(sizeof(pkt) - 7), 0,
		       (struct sockaddr *)&to, sizeof(to));
		close(s);
	}
	n = in_ctl(&in, 0, "net");
	put_u8(&in, KSCOPE_NET_ECHO, 0);
	nest_end(&in, n);
	exec_keep(&in);
}

/*
 * the tcp source watches a loopback connection made here: its probes and
 * flow table run in this task for connect, accept and close
 */
static void seq_tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct input in;
	char b[2048] = { 0 };
	int l, c, s, n;

	n = in_ctl(&in, 0, "tcp");
	put_attr(&in, KSCOPE_TCP_CLEAR, NULL, 0);
	if (chance(50))
		put_u32(&in, KSCOPE_TCP_PID, chance(50) ? getpid() : 0);
	put_u32(&in, KSCOPE_TCP_EVENTS, rnd(64));
	put_u8(&in, KSCOPE_TCP_SAMPLE_ALL, rnd(2));
	nest_end(&in, n);
	exec_keep(&in);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &al) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a))) {
		close(l);
		close(c);
		return;
	}
	s = accept(l, NULL, NULL);
	if (s >= 0) {
		if (write(c, b, sizeof(b)) > 0 && read(s, b, sizeof(b)) < 0)
			b[0] = 0;
		n = in_ctl(&in, 1, "tcp");
		put_u32(&in, KSCOPE_TCP_CURSOR, chance(80) ? 0 : rnd(4));
		nest_end(&in, n);
		exec_keep(&in);
		close(s);
	}
	close(c);
	close(l);
}

/* a child that execs and exits, under a filter on this process */
static void seq_sched(void)
{
	struct input in;
	int n, st;
	pid_t pid;

	n = in_ctl(&in, 0, "sched");
	put_attr(&in, KSCOPE_SCHED_CLEAR, NULL, 0);
	if (chance(70))
		put_u32(&in, KSCOPE_SCHED_PID, getpid());
	if (chance(30))
		put_str(&in, KSCOPE_SCHED_COMM, "true");
	nest_end(&in, n);
	exec_keep(&in);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	n = in_ctl(&in, 1, "sched");
	put_u32(&in, KSCOPE_SCHED_CURSOR, 0);
	nest_end(&in, n);
	exec_keep(&in);
}

/* a kscope debugfs file read through: its seq_file code runs in this task */
static long debugfs_reads;

static void seq_debugfs(void)
{
	char dir[512] = "/sys/kernel/debug/kscope", buf[4096];
	int fd;

	/* down the tree to a random file */
	for (int depth = 0; depth < 4; depth++) {
		char pick[256] = "";
		struct dirent *e;
		struct stat st;
		DIR *d = opendir(dir);
		int n = 0;

		if (!d)
			return;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && !rnd(++n))
				snprintf(pick, sizeof(pick), "%s", e->d_name);
		closedir(d);
		if (!pick[0])
			return;
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", pick);
		if (stat(dir, &st))
			return;
		if (!S_ISDIR(st.st_mode))
			break;
	}
	ring_put("read %s", dir);
	cov_reset();
	fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		while (read(fd, buf, chance(80) ? sizeof(buf) : 1 + rnd(64)) > 0)
			;
		close(fd);
	}
	cov_collect();
	debugfs_reads++;
	check_kernel();
}

/* ---------------------------------------------------- module parameters */

static long loads, load_random, load_ok, load_einval, core_loads;

static int mod_index(const char *name)
{
	for (int i = 0; i < nmods; i++)
		if (!strcmp(mods[i].name, name))
			return i;
	return -1;
}

/* a value for a parameter of type @type */
static void param_value(const struct kmod *m, int i, char *v, size_t n)
{
	static const char * const uints[] = {
		"0", "1", "2", "15", "16", "17", "63", "64", "65", "99", "100",
		"101", "255", "256", "257", "1000", "1023", "1024", "1025",
		"4095", "4096", "4097", "16384", "60000", "60001", "65535",
		"65536", "65537", "100000", "100001", "1048576", "1048577",
		"2147483647", "2147483648", "4294967295", "4294967296", "-1",
		"", "abc", "0x10", "1e3", " 5",
	};
	static const char * const devs[] = {
		"nvme:256M", "ssd:1M", "hdd:1G:disk", "nvme:1M:a,ssd:2M:b",
		"nvme:0M", "nvme:1", "nvme", "xyz:1M", "nvme:1M:Bad!",
		"nvme:1M:abcdefghij0123456789x", "nvme:1M:a,nvme:1M:a",
		"nvme:1048576M", "nvme:1048577M", "ssd:1024G", "ssd:18446744073709551615M",
		",", "nvme:1M,", ":::", "nvme:-1M", "hdd:2M:z,ssd:2M:y,nvme:2M:x",
	};
	static const char * const comps[] = {
		"inline", "softirq", "timer", "", "bogus", "TIMER", "timer ",
	};
	/* the core's hook mechanisms, direct calls among them */
	static const char * const mechs[] = {
		"auto", "fprobe", "kretprobe", "direct", "direct", "", "bogus",
		"DIRECT", "direct ", "fprobe,direct",
	};

	if (!strcmp(m->ptypes[i], "charp")) {
		if (!strcmp(m->params[i], "devices"))
			snprintf(v, n, "%s", devs[rnd(ARRAY_SIZE(devs))]);
		else if (!strcmp(m->params[i], "completion"))
			snprintf(v, n, "%s", comps[rnd(ARRAY_SIZE(comps))]);
		else if (!strcmp(m->params[i], "mech"))
			snprintf(v, n, "%s", mechs[rnd(ARRAY_SIZE(mechs))]);
		else
			snprintf(v, n, "x");
	} else if (chance(80)) {
		snprintf(v, n, "%s", uints[rnd(ARRAY_SIZE(uints))]);
	} else {
		snprintf(v, n, "%u", (unsigned int)(1U << rnd(32)) +
			 (unsigned int)rnd(3) - 1);
	}
}

static int do_unload(struct kmod *m)
{
	int tries;

	if (!mod_loaded(m))
		return 0;
	cov_reset();
	for (tries = 0; tries < 200; tries++) {
		if (!syscall(SYS_delete_module, m->name, O_NONBLOCK))
			break;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			break;
		usleep(20000);
	}
	cov_collect();	/* its exit code, while the map still has it */
	if (mod_loaded(m)) {
		printf("finding: %s does not unload: %s\n", m->name, strerror(errno));
		findings++;
		return -1;
	}
	return 0;
}

static char core_params[512];	/* what the core runs with now */

static int do_load(struct kmod *m, const char *params)
{
	int fd = open(m->path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		die("%s: %s", m->path, strerror(errno));
	ring_put("load %s %s", m->name, params);
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	if (!ret && m == &mods[core_idx])
		snprintf(core_params, sizeof(core_params), "%s", params);
	return ret;
}

static void unload_all_but_core(void)
{
	for (int i = 0; i < nmods; i++)
		if (i != core_idx)
			do_unload(&mods[i]);
}

static void load_defaults(void)
{
	if (core_idx >= 0 && !mod_loaded(&mods[core_idx]))
		do_load(&mods[core_idx], "");
	for (int i = 0; i < nmods; i++)
		if (i != core_idx && !mod_loaded(&mods[i]))
			do_load(&mods[i], "");
	map_sites();
	resolve_family();
}

/* is @src registered with the core? (ENOENT when not) */
static int source_present(const char *src)
{
	struct input in;

	in_init(&in, KSCOPE_CMD_SOURCE_GET, 0);
	put_str(&in, KSCOPE_A_SOURCE, src);
	return send_input(&in) != ENOENT;
}

/*
 * One module, reloaded with random parameters: it loads, or fails with
 * EINVAL after a line in the log and leaves nothing registered.
 */
/* One load of @m with @params, checked; returns its errno. */
static int try_load(struct kmod *m, const char *params)
{
	int ret;

	kmsg_poll();
	snprintf(kmsg_match, sizeof(kmsg_match), "%s", m->name);
	kmsg_matched = 0;
	cov_reset();
	ret = do_load(m, params);
	loads++;
	if (m == &mods[core_idx])
		core_loads++;
	if (params[0])
		load_random++;
	if (!ret) {
		/* its init ran in this task: place the module, then its PCs */
		map_sites();
		cov_collect();
	}
	kmsg_poll();
	kmsg_match[0] = 0;
	if (!ret) {
		load_ok++;
	} else if (ret == EINVAL || ret == ERANGE) {
		/* ERANGE: the kernel's own parser, for a number its type cannot hold */
		load_einval++;
		if (mod_loaded(m)) {
			printf("finding: %s %s: EINVAL but the module is loaded\n",
			       m->name, params);
			findings++;
		}
		if (!kmsg_matched) {
			printf("finding: %s %s: EINVAL without a log line naming it\n",
			       m->name, params);
			findings++;
		}
		if (m->source && fam_id >= 0 && source_present(m->source)) {
			printf("finding: %s %s: EINVAL but source %s is registered\n",
			       m->name, params, m->source);
			findings++;
		}
		if (m == &mods[core_idx] && resolve_family() >= 0) {
			printf("finding: kscope_core %s: EINVAL but the family is registered\n",
			       params);
			findings++;
		}
	} else {
		printf("finding: %s '%s': load failed with %s (not EINVAL)\n",
		       m->name, params, strerror(ret));
		findings++;
	}
	check_kernel();
	return ret;
}

/*
 * One module unloaded, then loaded with random parameters until a load
 * succeeds (at most five tries: a failed load is cheap, an unload and a
 * successful load are not), else with its defaults; then the rest of the
 * set back (after the core, every module).
 */
/*
 * A module event makes the core's resolver read /proc/kallsyms again at
 * its next request: ~200k symbols, several kcov PCs each, which fill the
 * kcov area and hide the PCs of what that request did after the read. One
 * request after every load takes that read, so that the inputs after it
 * are seen whole.
 */
static void warm_resolver(void)
{
	struct input in;
	int n;

	n = in_ctl(&in, 0, "probe");
	put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
	put_str(&in, KSCOPE_PROBE_SYMBOL, "kfuzz_no_such_function");
	nest_end(&in, n);
	exec_keep(&in);
}

/*
 * The resolver's other answers, on this kernel's own names: a clone base
 * (one clone: a counting probe on it, deleted at once; several: the
 * ambiguity error with the list) and a name several functions share.
 */
static void seq_resolve(void)
{
	const char *names[2] = {
		nksym_clone ? ksym_pick[rnd(nksym_clone)] : NULL,
		nksym_dup ? ksym_pick[MAX_KSYMS + rnd(nksym_dup)] : NULL,
	};
	struct input in;
	uint32_t id;
	int n;

	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		n = in_ctl(&in, 0, "probe");
		put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
		put_str(&in, KSCOPE_PROBE_SYMBOL, names[i]);
		nest_end(&in, n);
		if (exec_keep(&in) || reply_u32(KSCOPE_PROBE_ID, KSCOPE_A_CTL, &id))
			continue;
		n = in_ctl(&in, 0, "probe");
		put_u8(&in, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_DEL);
		put_u32(&in, KSCOPE_PROBE_ID, id);
		nest_end(&in, n);
		exec_keep(&in);
	}
}

static void load_step(void)
{
	static unsigned int nsteps;
	struct kmod *m = &mods[rnd(nmods)];
	char params[512], v[128];
	int tries;

	/*
	 * The core's load indexes every kernel symbol: seconds under KASAN.
	 * So it is seldom drawn, but every 16th load step is the core's, with the
	 * reader subscribed, so that every run reloads it.
	 */
	if (m == &mods[core_idx] && !chance(10))
		m = &mods[rnd(nmods)];
	if (++nsteps % 16 == 0)
		m = &mods[core_idx];
	if (m == &mods[core_idx])
		unload_all_but_core();
	if (do_unload(m))
		return;
	if (m == &mods[core_idx])
		fam_id = -1;
	map_sites();
	for (tries = 0; tries < 5 && !crash_saved; tries++) {
		int l = 0;

		params[0] = 0;
		for (int i = 0; i < m->nparams; i++) {
			if (!chance(90))
				continue;
			param_value(m, i, v, sizeof(v));
			l += snprintf(params + l, sizeof(params) - l, "%s%s=%s",
				      l ? " " : "", m->params[i], v);
		}
		if (!try_load(m, params))
			break;
	}
	if (!mod_loaded(m) && !crash_saved)
		try_load(m, "");
	load_defaults();
	if (ops[KSCOPE_CMD_CTL].present && m == &mods[core_idx])
		dump_policy();
	warm_resolver();
	seq_resolve();
	nl_drain(rd);
}

/* ------------------------------------------------------------ replay */

static int replay(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[MAX_IN * 2 + 256];

	if (!f)
		die("%s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct input in;
		unsigned int cmd, dump, ver, res;
		char hex[MAX_IN * 2 + 2], name[64], *params;
		int k;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "nl %u %u %u %u %8193s", &cmd, &dump, &ver, &res, hex) == 5) {
			in_init(&in, cmd, dump);
			in.version = ver;
			in.reserved = res;
			for (k = 0; hex[2 * k] && hex[2 * k + 1] && k < MAX_IN; k++)
				sscanf(hex + 2 * k, "%2hhx", &in.d[k]);
			in.len = hex[0] == '-' ? 0 : k;
			printf("%s -> %d\n", line, send_input(&in));
		} else if (!strncmp(line, "read ", 5)) {
			char buf[4096];
			int fd = open(line + 5, O_RDONLY);

			while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
				;
			if (fd >= 0)
				close(fd);
			printf("%s\n", line);
		} else if (sscanf(line, "load %63s", name) == 1) {
			int mi = mod_index(name);

			params = line + 5 + strlen(name);
			params += *params == ' ';
			if (mi < 0)
				continue;
			if (mi == core_idx)
				unload_all_but_core();
			do_unload(&mods[mi]);
			printf("%s -> %s\n", line, strerror(do_load(&mods[mi], params)));
			load_defaults();
		}
		if (kmsg_poll()) {
			printf("kernel report after: %s\n%s", line, report);
			fclose(f);
			return 3;
		}
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: kfuzz --ko-dir DIR [--seed S] [--seconds N] [--out DIR] [--blind]\n"
		"             [--until-execs N --until-loads M] [--load-every MS | --load-share F] [--no-loads] [--testgen] [--replay FILE] [--list]\n");
	exit(2);
}

/* OUT/coverage.txt: per module and function, sites hit / sites */
static void write_coverage(void)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/coverage.txt", out_dir);
	f = fopen(p, "w");
	if (!f)
		return;
	fprintf(f, "# module section function hit/sites\n");
	for (int i = 0; i < nmods; i++) {
		int idx = mods[i].site_base;

		for (int j = 0; j < mods[i].nsecs; j++) {
			struct ksec *s = &mods[i].secs[j];

			for (int k = 0; k < s->nsites;) {
				const char *fn = s->fn[k] ? s->fn[k] : "?";
				int h = 0, n = 0;

				while (k < s->nsites &&
				       !strcmp(s->fn[k] ? s->fn[k] : "?", fn)) {
					h += hit[idx + k];
					n++;
					k++;
				}
				fprintf(f, "%s %s %s %d/%d\n", mods[i].name, s->name,
					fn, h, n);
			}
			idx += s->nsites;
		}
	}
	fclose(f);

	/* the sites never hit, for addr2line -e MOD.ko -j SECTION OFFSET */
	snprintf(p, sizeof(p), "%s/missed.txt", out_dir);
	f = fopen(p, "w");
	if (!f)
		return;
	fprintf(f, "# module section offset function (return address of the coverage call)\n");
	for (int i = 0; i < nmods; i++) {
		int idx = mods[i].site_base;

		for (int j = 0; j < mods[i].nsecs; j++) {
			struct ksec *s = &mods[i].secs[j];

			for (int k = 0; k < s->nsites; k++)
				if (!hit[idx + k])
					fprintf(f, "%s %s %#x %s\n", mods[i].name,
						s->name, s->sites[k],
						s->fn[k] ? s->fn[k] : "?");
			idx += s->nsites;
		}
	}
	fclose(f);
}

static void print_figures(double secs, int cov_seed)
{
	write_coverage();
	printf("seconds %.0f\n", secs);
	printf("execs %ld\n", execs);
	printf("exec_per_s %.1f\n", execs / secs);
	printf("nl_timeouts %ld\n", nl_timeouts);
	printf("loads %ld\nload_random %ld\nload_ok %ld\nload_einval %ld\ncore_loads %ld\n",
	       loads, load_random, load_ok, load_einval, core_loads);
	printf("blk_adds %ld\nblk_io %ld\ndebugfs_reads %ld\n", blk_adds, blk_io,
	       debugfs_reads);
	printf("corpus %d\nseeds %d\n", ncorpus, nseeds);
	printf("kcov %s\n", kcov_area ? (kcov_rarea ? "yes, with the flush worker (remote)" : "yes") : "no");
	for (int i = 0; i < nmods; i++) {
		int h = 0;

		for (int k = 0; k < mods[i].nsites; k++)
			h += hit[mods[i].site_base + k];
		printf("cov %s %d/%d %.1f%%\n", mods[i].name, h, mods[i].nsites,
		       mods[i].nsites ? 100.0 * h / mods[i].nsites : 0.0);
	}
	printf("cov_seed %d\ncov_final %d\ncov_sites %d\n", cov_seed,
	       cov_total(), total_sites);
	printf("findings %d\nreports %d\n", findings, crash_saved);
	printf("# time in module loads %.0f s, in sequences %.0f s\n", t_loads, t_seqs);
	for (int c = 0; c < NCLS; c++)
		for (int x = 0; x < 10; x++)
			if (cls_n[c][x] && cls_time[c][x] > secs / 50)
				printf("# time cmd %d source %s: %ld requests, %.1f s, %.1f ms each\n",
				       c, x < 8 ? src_names[x] : "-", cls_n[c][x],
				       cls_time[c][x], 1000 * cls_time[c][x] / cls_n[c][x]);
}

int main(int argc, char **argv)
{
	const char *ko_dir = NULL, *replay_file = NULL;
	uint64_t seed = 1;
	double seconds = 60, load_every = 0, load_share = 0.3, t0, next_load, next_print;
	int blind = 0, loads_on = 1, testgen = 0, list = 0, cov_seed, i;
	long until_execs = 0, until_loads = 0;
	char p[600];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ko-dir") && i + 1 < argc)
			ko_dir = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_dir = argv[++i];
		else if (!strcmp(argv[i], "--load-every") && i + 1 < argc)
			load_every = atof(argv[++i]) / 1000;
		else if (!strcmp(argv[i], "--until-execs") && i + 1 < argc)
			until_execs = atol(argv[++i]);
		else if (!strcmp(argv[i], "--until-loads") && i + 1 < argc)
			until_loads = atol(argv[++i]);
		else if (!strcmp(argv[i], "--load-share") && i + 1 < argc)
			load_share = atof(argv[++i]);
		else if (!strcmp(argv[i], "--blind"))
			blind = 1;
		else if (!strcmp(argv[i], "--no-loads"))
			loads_on = 0;
		else if (!strcmp(argv[i], "--testgen"))
			testgen = 1;
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "--replay") && i + 1 < argc)
			replay_file = argv[++i];
		else
			usage();
	}
	if (!ko_dir)
		usage();
	if (!out_dir)
		out_dir = "/tmp/kfuzz";
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	find_kos(ko_dir, testgen);
	core_idx = mod_index("kscope_core");
	if (core_idx < 0)
		die("no kscope_core.ko under %s", ko_dir);
	/* a fixed order whatever readdir gives: the same seed, the same run */
	for (i = 0; i < nmods; i++)
		for (int j = i + 1; j < nmods; j++)
			if (strcmp(mods[i].name, mods[j].name) > 0) {
				struct kmod t = mods[i];

				mods[i] = mods[j];
				mods[j] = t;
			}
	core_idx = mod_index("kscope_core");
	for (i = 0; i < nmods; i++) {
		read_ko(&mods[i]);
		mods[i].site_base = total_sites;
		total_sites += mods[i].nsites;
	}
	if (list) {
		/* what the .ko files hold: modules, sites, parameters */
		for (i = 0; i < nmods; i++) {
			printf("%s %d sites:", mods[i].name, mods[i].nsites);
			for (int j = 0; j < mods[i].nsecs; j++)
				printf(" %s=%d", mods[i].secs[j].name, mods[i].secs[j].nsites);
			for (int j = 0; j < mods[i].nparams; j++)
				printf(" %s:%s", mods[i].params[j], mods[i].ptypes[j]);
			printf("\n");
		}
		return 0;
	}
	hit = calloc(total_sites + 1, 1);
	snprintf(p, sizeof(p), "%s/crashes", out_dir);
	mkdir(out_dir, 0755);
	mkdir(p, 0755);

	kmsg_open();
	nl_open_sockets();
	load_defaults();
	if (fam_id < 0)
		die("no \"%s\" genl family after loading the modules", KSCOPE_GENL_NAME);
	if (dump_policy())
		die("policy dump failed");
	if (replay_file)
		return replay(replay_file);
	kallsyms_names();
	kcov_open(blind);
	if (kcov_area)
		kcov_remote_open();
	map_sites();
	printf("# kfuzz: seed %" PRIu64 ", %.0f s, %d modules, %d instrumented sites, kcov %s, kaslr offset %#" PRIx64 "\n",
	       seed, seconds, nmods, total_sites,
	       kcov_area ? "on" : "off (blind)", kaslr);
	printf("# kfuzz: symbols from kallsyms: %d clone bases, %d names shared by several functions\n",
	       nksym_clone, nksym_dup);

	/* the seeds first: what they reach is the baseline */
	warm_resolver();
	seed_corpus();
	for (i = 0; i < nseeds && !crash_saved; i++) {
		int fresh;

		exec_input(corpus[i], &fresh);
	}
	cov_seed = cov_total();
	if (kcov_area && !cov_seed)
		printf("finding: the seeds reached no kscope site: coverage mapping is broken\n");

	t0 = now();
	next_load = t0 + (load_every > 0 ? load_every : 1);
	if (load_share <= 0 || load_share >= 1)
		die("--load-share takes a fraction in (0, 1)");
	next_print = t0 + 30;
	while (!crash_saved) {
		double t = now();
		struct input in;
		int k = rnd(100);

		if (t - t0 >= seconds)
			break;
		if (until_execs && execs >= until_execs && loads >= until_loads)
			break;
		/* with targets: loads keep pace with executions */
		if (loads_on && until_execs ?
		    (loads < until_loads &&
		     (double)loads / until_loads <= (double)execs / until_execs) :
		    loads_on && t >= next_load) {
			double d;

			load_step();
			d = now() - t;
			t_loads += d;
			/* at most load_share of the time in loads */
			next_load = now() + (load_every > 0 ? load_every :
					     d * (1 - load_share) / load_share);
			continue;
		}
		if (t >= next_print) {
			fprintf(stderr, "kfuzz: %.0fs execs %ld (%.1f/s) corpus %d cov %d/%d loads %ld blk_io %ld\n",
				t - t0, execs, execs / (t - t0), ncorpus, cov_total(),
				total_sites, loads, blk_io);
			next_print = t + 30;
		}
		if (k == 2 && chance(50)) {
			seq_debugfs();
			continue;
		}
		if (k < 1 || (k < 2 && chance(50))) {
			/* sequences: a device or a probe costs ~100 requests */
			if (k == 0 && chance(50))
				seq_blk();
			else if (k == 0 && chance(90))
				seq_probe();
			else if (k == 0)
				seq_slow_reader();
			else if (chance(15))
				seq_net();
			else if (chance(20))
				seq_tcp();
			else if (chance(20))
				seq_sched();
			else
				continue;
			t_seqs += now() - t;
		} else if (k < 20) {
			gen_input(&in);
			exec_keep(&in);
		} else {
			memcpy(&in, pick_corpus(), sizeof(in));
			for (int m = 1 + rnd(3); m; m--)
				mutate_once(&in);
			exec_keep(&in);
		}
		if (!(execs % 16))
			nl_drain(rd);
	}
	print_figures(now() - t0, cov_seed);
	if (!crash_saved) {
		/*
		 * the rest unloaded, as the tests expect them, and the core
		 * with its defaults: a random flush_ms=1 left behind would
		 * keep a worker busy every millisecond
		 */
		unload_all_but_core();
		if (core_params[0]) {
			do_unload(&mods[core_idx]);
			do_load(&mods[core_idx], "");
		}
		check_kernel();
	}
	if (crash_saved)
		return 3;
	return findings ? 1 : 0;
}
