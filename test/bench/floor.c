/*
 * floor.c - the floor for start-up benchmarks: the least a BPF tracer can
 * do.  Loads a two-instruction raw-tracepoint program ("r0 = 0; exit"),
 * runs it once with BPF_PROG_TEST_RUN (as dtrace fires BEGIN) and exits.
 */
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <stdio.h>

int main(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned long long ctx[1] = { 1 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = ctx,
		    .ctx_size_in = sizeof(ctx));
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "floor", "GPL",
			       insns, 2, NULL);

	if (fd < 0 || bpf_prog_test_run_opts(fd, &run) < 0) {
		perror("floor");
		return 1;
	}
	return 0;
}
