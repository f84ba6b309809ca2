/*
 * features.c - what the kernel can do, found out once per handle.
 *
 * dt_features_probe() fills dtp->feat, and the rest of the library asks that
 * struct, never the kernel version.  Each capability is one row of the
 * table below: a function that tries the real thing in the smallest form
 * (create a 1-page ring buffer; load a 3-instruction program calling
 * bpf_get_attach_cookie; ask for a perf link on a bad fd and see the kernel
 * get as far as EBADF) and the field it sets.  The programs are raw struct
 * bpf_insn arrays: this file does not depend on the compiler.
 *
 * The uprobe PMU (the pid provider): its perf type from
 * /sys/bus/event_source/devices/uprobe/type and the config bit that makes a
 * return probe from .../format/retprobe ("config:0"), and where the
 * reference counter's offset goes (.../format/ref_ctr_offset,
 * "config:32-63": the shift, -1 if absent); type -1 if absent.
 *
 * tracefs: the syscall provider reads tracepoint names and ids from
 * tracefs.  If events/ is missing under /sys/kernel/tracing we mount tracefs
 * there (we are root; Debian does not mount it at boot); failing that is
 * the one error, because every tracepoint provider needs it.
 *
 * Without the capabilities tracing needs, the one error is DTrace's "DTrace
 * requires additional privileges" (dtrace_privileged).
 *
 * Contract: idempotent (feat.probed) and cheap - about a millisecond, most
 * of it the program load.  Returns 0, or -1 with the handle's error set.
 *
 * Kernel functions (dt_features_kfunc, for fbt only, so other scripts do
 * not pay for it): the kprobe PMU (its type and return-probe bit from
 * /sys/bus/event_source/devices/kprobe, absent without CONFIG_KPROBES);
 * kprobe.multi links (a kprobe program loaded for BPF_TRACE_KPROBE_MULTI,
 * linked with no symbols: EINVAL means the kernel checked the request,
 * EOPNOTSUPP that it has no fprobe to serve it); and whether an fentry
 * program loads at all (on vfs_read, whose BTF id costs parsing the
 * kernel's BTF: done only when kprobes are missing, to say why fbt cannot
 * work).
 *
 * Preemption (dt_features_preempt, when a script may have uprobe probes):
 * whether the kernel preempts kernel code, which decides whether uprobe
 * programs, run with only migration disabled, can be preempted half-way.
 * A kernel built with PREEMPT_DYNAMIC chooses at boot (preempt=) and may
 * be switched at run time through debugfs' sched/preempt, the one place
 * that tells the model in force (root may be refused it, under lockdown);
 * without it, the boot's choice or the config's default is taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libdtrace.h"

#define TRACEFS "/sys/kernel/tracing"
#define UPROBE_PMU "/sys/bus/event_source/devices/uprobe/"

/* ---- privileges ---------------------------------------------------------- */

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/*
 * Tracing loads BPF programs of tracing types (CAP_BPF and CAP_PERFMON, or
 * CAP_SYS_ADMIN, which root has) and reads root's tracefs.  Without them
 * every later step fails with a bare EPERM: say it the way DTrace does.
 */
int dtrace_privileged(dtrace_hdl_t *dtp)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, d) == 0 &&
	    (has_cap(d, CAP_SYS_ADMIN) ||
	     (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON))))
		return 0;
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			    "DTrace requires additional privileges");
}

static bool has_events(const char *dir)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int tracefs_setup(dtrace_hdl_t *dtp)
{
	const char *why = NULL;

	if (!has_events(TRACEFS)) {
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) < 0)
			why = strerror(errno);
		else if (!has_events(TRACEFS))
			why = TRACEFS "/events is missing";
	}
	if (why != NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "tracefs is not "
				    "mounted and cannot be mounted: %s", why);
	snprintf(dtp->feat.tracefs, sizeof(dtp->feat.tracefs), "%s", TRACEFS);
	return 0;
}

/* ---- the probes ---------------------------------------------------------- */

static bool probe_ringbuf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
				(uint32_t)sysconf(_SC_PAGESIZE), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Load a tracepoint program: "r0 = helper(r1)" when helper != 0, then
   "r0 = 0; exit".  Returns the fd or -1. */
static int load_tiny(int helper)
{
	struct bpf_insn insns[3] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = helper },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const struct bpf_insn *p = helper != 0 ? insns : insns + 1;

	return bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", p,
			     helper != 0 ? 3 : 2, NULL);
}

static bool probe_cookie(void)
{
	int fd = load_tiny(BPF_FUNC_get_attach_cookie);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A perf link on fd -1: EBADF means the kernel knows BPF_PERF_EVENT links
   and went on to look the perf event up. */
static bool probe_perf_link(void)
{
	int prog = load_tiny(0), link;
	bool ok;

	if (prog < 0)
		return false;
	link = bpf_link_create(prog, -1, BPF_PERF_EVENT, NULL);
	ok = link < 0 && errno == EBADF;
	if (link >= 0)
		close(link);
	close(prog);
	return ok;
}

/* The uprobe PMU's type and return-probe bit (type -1: none). */
static void probe_uprobe_pmu(dt_features_t *f)
{
	char buf[64];
	FILE *fp;
	int bit = -1;

	f->uprobe_type = -1;
	f->uprobe_retbit = -1;
	if ((fp = fopen(UPROBE_PMU "format/retprobe", "re")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) == NULL ||
		    sscanf(buf, "config:%d", &bit) != 1 || bit < 0 || bit > 63)
			bit = -1;
		fclose(fp);
	}
	if (bit < 0 || (fp = fopen(UPROBE_PMU "type", "re")) == NULL)
		return;
	if (fscanf(fp, "%d", &f->uprobe_type) != 1)
		f->uprobe_type = -1;
	fclose(fp);
	f->uprobe_retbit = bit;
	f->uprobe_refshift = -1;
	if ((fp = fopen(UPROBE_PMU "format/ref_ctr_offset", "re")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    sscanf(buf, "config:%d-63", &bit) == 1 && bit > 0 &&
		    bit < 64)
			f->uprobe_refshift = bit;
		fclose(fp);
	}
}

static const struct {
	bool (*probe)(void);
	size_t field;		/* offsetof the bool in dt_features_t */
} feature_table[] = {
	{ probe_ringbuf, offsetof(dt_features_t, ringbuf) },
	{ probe_cookie, offsetof(dt_features_t, cookie) },
	{ probe_perf_link, offsetof(dt_features_t, perf_link) },
};

int dt_features_probe(dtrace_hdl_t *dtp)
{
	size_t n = sizeof(feature_table) / sizeof(feature_table[0]);

	if (dtp->feat.probed)
		return 0;
	if (dtrace_privileged(dtp) < 0 || tracefs_setup(dtp) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		*(bool *)((char *)&dtp->feat + feature_table[i].field) =
			feature_table[i].probe();
	probe_uprobe_pmu(&dtp->feat);
	dtp->feat.probed = true;
	return 0;
}

/* ---- kernel functions ---------------------------------------------------- */

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"

static int read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* type from kprobe/type, the bit from kprobe/format/retprobe ("config:0") */
static void probe_kprobe_pmu(dt_features_t *f)
{
	char buf[64];
	const char *colon;

	f->kprobe_type = -1;
	if (read_line(KPROBE_PMU "/type", buf, sizeof(buf)) < 0)
		return;
	f->kprobe_type = atoi(buf);
	if (read_line(KPROBE_PMU "/format/retprobe", buf, sizeof(buf)) == 0 &&
	    (colon = strchr(buf, ':')) != NULL)
		f->kprobe_retbit = atoi(colon + 1);
}

static bool probe_kprobe_multi(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		    .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	int prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2,
				 &o), link;
	bool ok;

	if (prog < 0)
		return false;
	link = bpf_link_create(prog, 0, BPF_TRACE_KPROBE_MULTI, NULL);
	ok = link < 0 && errno == EINVAL;
	if (link >= 0)
		close(link);
	close(prog);
	return ok;
}

/* 0 if an fentry program on vfs_read loads, else the errno it gets. */
static int probe_fentry(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint32_t id = dt_features_btf_id("vfs_read", BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int fd, err = ENOENT;

	if (id == 0)
		return err;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The id of a type in the kernel's BTF, found by the kernel: a
 * BPF_PROG_TYPE_SYSCALL program calling bpf_btf_find_by_name_kind, run
 * once with BPF_PROG_TEST_RUN.  ~0.5 ms, where loading vmlinux's BTF in
 * user space to look the name up costs 20-30 ms (reading the 5 MB file is
 * most of it).  The name is built on the program's stack.  0 if the
 * kernel has no such type or cannot run the program (before 5.14).
 */
uint32_t dt_features_btf_id(const char *name, int kind)
{
	struct bpf_insn insns[64];
	char buf[128] = { 0 };
	size_t len = strlen(name) + 1, words = (len + 3) / 4, n = 0;
	int32_t top = -(int32_t)(words * 4);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_flags = BPF_F_SLEEPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, t);
	int fd;

	if (len > sizeof(buf) || words + 8 > sizeof(insns) / sizeof(insns[0]))
		return 0;
	memcpy(buf, name, len);
	for (size_t w = 0; w < words; w++) {
		int32_t v;

		memcpy(&v, buf + 4 * w, 4);
		insns[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM |
			BPF_W, .dst_reg = BPF_REG_10,
			.off = (int16_t)(top + 4 * (int32_t)w), .imm = v };
	}
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X,
		.dst_reg = BPF_REG_1, .src_reg = BPF_REG_10 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K,
		.dst_reg = BPF_REG_1, .imm = top };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		.dst_reg = BPF_REG_2, .imm = (int32_t)len };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		.dst_reg = BPF_REG_3, .imm = kind };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		.dst_reg = BPF_REG_4, .imm = 0 };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
		.imm = BPF_FUNC_btf_find_by_name_kind };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, NULL, "GPL", insns,
			   (uint32_t)n, &o);
	if (fd < 0)
		return 0;
	if (bpf_prog_test_run_opts(fd, &t) < 0)
		t.retval = 0;
	close(fd);
	/* the low half is the id; a module's type would come with the fd
	   of the module's BTF in the high half, which retval drops */
	return (int32_t)t.retval > 0 ? t.retval : 0;
}

void dt_features_kfunc(dtrace_hdl_t *dtp)
{
	dt_features_t *f = &dtp->feat;

	if (f->kfunc_probed)
		return;
	probe_kprobe_pmu(f);
	f->kprobe_multi = f->kprobe_type >= 0 && probe_kprobe_multi();
	f->fentry_errno = probe_fentry();
	f->kfunc_probed = true;
}

/* ---- writing user memory ------------------------------------------------ */

/*
 * copyout() and copyoutstr() need bpf_probe_write_user, which a kernel in
 * lockdown (integrity or confidentiality) does not give BPF programs; the
 * kernel also logs a warning for every program that uses it, so it is
 * probed only when a program does: a raw tracepoint program writing one
 * byte of its stack to address 0, loaded, never run.
 */
static const char *lockdown_mode(char *buf, size_t size)
{
	char *l, *r;

	if (read_line("/sys/kernel/security/lockdown", buf, size) < 0 ||
	    (l = strchr(buf, '[')) == NULL || (r = strchr(l, ']')) == NULL)
		return NULL;
	*r = '\0';
	return l + 1;
}

int dt_features_write_user(dtrace_hdl_t *dtp)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = 10, .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2,
		  .src_reg = 10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = 1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_probe_write_user },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char buf[128];
	const char *mode;

	if (!dtp->feat.write_user_probed) {
		int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL,
				       "GPL", insns,
				       sizeof(insns) / sizeof(insns[0]), NULL);
		dtp->feat.write_user = fd >= 0;
		if (fd >= 0)
			close(fd);
		dtp->feat.write_user_probed = true;
	}
	if (dtp->feat.write_user)
		return 0;
	mode = lockdown_mode(buf, sizeof(buf));
	if (mode != NULL && strcmp(mode, "none") != 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "copyout( ) and "
				    "copyoutstr( ) are not available: this "
				    "kernel is in lockdown (%s), which refuses "
				    "BPF programs bpf_probe_write_user", mode);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "copyout( ) and "
			    "copyoutstr( ) are not available: this kernel "
			    "refuses BPF programs bpf_probe_write_user (a "
			    "kernel in lockdown, integrity or "
			    "confidentiality, does)");
}

/*
 * uprobe_multi links (6.6+): a kprobe program loaded for
 * BPF_TRACE_UPROBE_MULTI and linked on "/", which the kernel refuses with
 * EBADF (not a regular file) only once it has taken the request; 6.1
 * refuses the attach type (EINVAL).
 */
bool dt_features_uprobe_multi(dtrace_hdl_t *dtp)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		    .expected_attach_type = DT_TRACE_UPROBE_MULTI);
	uint64_t off = 0;
	int prog, link;

	if (dtp->feat.uprobe_multi_probed)
		return dtp->feat.uprobe_multi;
	dtp->feat.uprobe_multi_probed = true;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &o);
	if (prog < 0)
		return false;
	link = dt_uprobe_multi_link(NULL, prog, "/", &off, NULL, NULL, 1, 0, 0);
	dtp->feat.uprobe_multi = link < 0 && errno == EBADF;
	if (link >= 0)
		close(link);
	close(prog);
	return dtp->feat.uprobe_multi;
}

/* ---- preemption ----------------------------------------------------------- */

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; p != NULL && (p = strstr(p, w)) != NULL; p++)
		if ((p == s || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static bool model_preempts(const char *m)
{
	return strcmp(m, "full") == 0 || strcmp(m, "lazy") == 0 ||
	       strcmp(m, "rt") == 0;
}

bool dt_preempt_decide(const char *sched, const char *version,
		       const char *cmdline, const char *model)
{
	char m[16];
	const char *p;

	/* "none voluntary (full) lazy": the model in force */
	if (sched != NULL && (p = strchr(sched, '(')) != NULL &&
	    sscanf(p + 1, "%15[a-z]", m) == 1)
		return model_preempts(m);
	if (version == NULL)
		return true;
	if (has_word(version, "PREEMPT_RT"))
		return true;
	if (has_word(version, "PREEMPT_DYNAMIC")) {
		for (p = cmdline; p != NULL && (p = strstr(p, "preempt=")); p++)
			if ((p == cmdline || p[-1] == ' ') &&
			    sscanf(p + 8, "%15[a-z]", m) == 1)
				return model_preempts(m);
		return model == NULL || model_preempts(model);
	}
	/* built for one model: full and lazy say so in the version */
	return has_word(version, "PREEMPT") || has_word(version, "PREEMPT_LAZY");
}

/* The preemption model a kernel config chose, or NULL. */
static const char *config_model(const char *release, char *buf, size_t size)
{
	static const struct { const char *line, *model; } models[] = {
		{ "CONFIG_PREEMPT_NONE=y", "none" },
		{ "CONFIG_PREEMPT_VOLUNTARY=y", "voluntary" },
		{ "CONFIG_PREEMPT=y", "full" },
		{ "CONFIG_PREEMPT_LAZY=y", "lazy" },
		{ "CONFIG_PREEMPT_RT=y", "rt" },
	};
	char path[300], line[256];
	const char *found = NULL;
	gzFile f;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	if ((f = gzopen(path, "r")) == NULL &&
	    (f = gzopen("/proc/config.gz", "r")) == NULL)
		return NULL;
	while (found == NULL && gzgets(f, line, sizeof(line)) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
			if (strcmp(line, models[i].line) == 0)
				found = models[i].model;
	}
	gzclose(f);
	if (found == NULL)
		return NULL;
	snprintf(buf, size, "%s", found);
	return buf;
}

bool dt_features_preempt(dtrace_hdl_t *dtp)
{
	char sched[128], cmdline[4096], model[16];
	struct utsname u;
	bool have_sched, have_cmdline;

	if (dtp->feat.preempt_probed)
		return dtp->feat.preempt;
	dtp->feat.preempt_probed = true;
	have_sched = read_line("/sys/kernel/debug/sched/preempt", sched,
			       sizeof(sched)) == 0;
	have_cmdline = read_line("/proc/cmdline", cmdline,
				 sizeof(cmdline)) == 0;
	if (uname(&u) < 0)
		return dtp->feat.preempt = true;
	/* the config only where its default is what may decide */
	dtp->feat.preempt = dt_preempt_decide(
		have_sched ? sched : NULL, u.version,
		have_cmdline ? cmdline : NULL,
		have_sched || !has_word(u.version, "PREEMPT_DYNAMIC") ? NULL :
		config_model(u.release, model, sizeof(model)));
	return dtp->feat.preempt;
}
