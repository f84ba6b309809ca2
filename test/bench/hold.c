/*
 * hold.c - the floor for per-event benchmarks: attaches an empty program
 * ("r0 = 0; exit") to the raw tracepoint sys_enter, the hook dtrace's
 * syscall provider uses, or with -u to a uprobe (a perf event of the
 * uprobe PMU, as dtrace's pid provider makes) at a file offset in a file,
 * for the command only; runs the command while it is attached, and exits
 * with the command's status.
 *
 * Usage: hold [-u file offset] command [args...]
 *
 * HOLD_PROG in the environment picks another program, to take a real one
 * apart: "pred" is a false predicate on the pid (get_current_pid_tgid,
 * compare, exit: what bpftrace's `/pid == -1/ { }` is), "cookie" the same
 * after a bpf_get_attach_cookie call (what a uprobe program of dtrace that
 * reads its probe id first does).
 */
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int uprobe_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int t = -1;

	if (f != NULL) {
		if (fscanf(f, "%d", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

/* The empty program on a uprobe at path+off for process pid. */
static int attach_uprobe(int fd, const char *path, unsigned long off,
			 pid_t pid)
{
	struct perf_event_attr a;
	int pfd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = (unsigned)uprobe_type();
	a.config1 = (unsigned long)path;
	a.config2 = off;
	pfd = (int)syscall(SYS_perf_event_open, &a, pid, -1, -1,
			   PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -1;
	return bpf_link_create(fd, pfd, BPF_PERF_EVENT, NULL) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_attach_cookie },
		{ .code = BPF_JMP | BPF_CALL,
		  .imm = BPF_FUNC_get_current_pid_tgid },
		{ .code = BPF_ALU64 | BPF_RSH | BPF_K, .dst_reg = 0, .imm = 32 },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 0, .off = 0,
		  .imm = -1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const char *kind = getenv("HOLD_PROG");
	size_t first = kind == NULL ? 4 : strcmp(kind, "pred") == 0 ? 1 : 0;
	const char *upath = NULL;
	unsigned long uoff = 0;
	int go[2], status, fd;
	char c = 0;

	if (argc > 3 && strcmp(argv[1], "-u") == 0) {
		upath = argv[2];
		uoff = strtoul(argv[3], NULL, 0);
		argv += 3;
		argc -= 3;
	}
	fd = bpf_prog_load(upath != NULL ? BPF_PROG_TYPE_KPROBE :
			   BPF_PROG_TYPE_RAW_TRACEPOINT, "hold", "GPL",
			   insns + first,
			   sizeof(insns) / sizeof(insns[0]) - first, NULL);
	if (argc < 2 || fd < 0 || pipe(go) < 0 ||
	    (upath == NULL && bpf_raw_tracepoint_open("sys_enter", fd) < 0)) {
		perror("hold");
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {		/* runs the command once the probe is set */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0)
		return 1;
	if (upath != NULL && attach_uprobe(fd, upath, uoff, pid) < 0) {
		perror("hold: uprobe");
		kill(pid, SIGKILL);
		return 1;
	}
	if (write(go[1], &c, 1) != 1 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
