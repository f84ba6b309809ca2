/*
 * hold.c - the floor for per-event benchmarks: attaches an empty program
 * ("r0 = 0; exit") to the raw tracepoint sys_enter, the hook dtrace's
 * syscall provider uses, runs a command while it is attached, and exits
 * with the command's status.  Usage: hold command [args...]
 */
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "hold", "GPL",
			       insns, 2, NULL);
	int status;

	if (argc < 2 || fd < 0 || bpf_raw_tracepoint_open("sys_enter", fd) < 0) {
		perror("hold");
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
