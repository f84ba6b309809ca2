/*
 * insntrig.c - trigger for the pid provider's instruction probes: a
 * function written in assembly, so that its instruction offsets are known
 * whatever the compiler, with instructions of many lengths and encodings.
 *
 *   insntrig [N]   calls insn_walk(i) for i = 1..N (default 1); exits 0
 *                  if each returned i + 1.
 *
 * insn_walk's instructions and their offsets:
 *    0  55                      push %rbp
 *    1  48 89 e5                mov %rsp,%rbp
 *    4  48 b8 <imm64>           movabs $0x1122334455667788,%rax
 *    e  48 8d 47 01             lea 0x1(%rdi),%rax
 *   12  f0 ff 05 <disp32>       lock incl insn_count(%rip)   (no probe:
 *                               uprobes refuse LOCK)
 *   19  81 05 <disp32> <imm32>  addl $100000,insn_count(%rip)
 *   23  40 f6 c7 01             test $0x1,%dil
 *   27  66 0f 1f 44 00 00       nopw 0x0(%rax,%rax,1)
 *   2d  2e 66 0f 1f 84 00 <4>   cs nopw 0x0(%rax,%rax,1)  (no probe:
 *                               uprobes refuse the CS prefix)
 *   37  5d                      pop %rbp
 *   38  c3                      ret
 * (No AVX instruction: qemu's default CPU, where check-kernel runs, has
 * none; the unit tests cover VEX.)
 *
 * insn_bad (never called) is a ret followed by the byte 06 (push %es,
 * invalid in 64-bit mode), which the decoder refuses.
 */
#include <stdlib.h>

int insn_count;
long insn_walk(long);

__asm__(".text\n"
	".globl insn_walk\n"
	".type insn_walk, @function\n"
	"insn_walk:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	movabs $0x1122334455667788, %rax\n"
	"	lea 1(%rdi), %rax\n"
	"	lock incl insn_count(%rip)\n"
	"	addl $100000, insn_count(%rip)\n"
	"	test $1, %dil\n"
	"	.byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00	/* nopw */\n"
	"	.byte 0x2e, 0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	/* cs nopw */\n"
	"	pop %rbp\n"
	"	ret\n"
	".size insn_walk, . - insn_walk\n"
	".globl insn_bad\n"
	".type insn_bad, @function\n"
	"insn_bad:\n"
	"	ret\n"
	"	.byte 0x06\n"
	".size insn_bad, . - insn_bad\n");

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	int bad = 0;

	for (long i = 1; i <= n; i++)
		bad |= insn_walk(i) != i + 1;
	return bad;
}
