/*
 * compat32.c - trigger: 32-bit (compat) syscalls from a 64-bit program.
 *
 * A child switches to 32-bit mode (a far return to __USER32_CS, 0x23, into
 * code copied below 4 GiB) and there makes two ia32 syscalls with int $0x80:
 * getppid (ia32 number 64, which is semget in the 64-bit table) and exit
 * (ia32 number 1, 64-bit write) with getppid's result as its status.  The
 * kernel's syscall tracepoints ignore compat syscalls, and so must the
 * syscall provider: no semget, no write.  Then the parent calls the 64-bit
 * getppid once, and says on stderr whether the child really ran its 32-bit
 * calls ("compat32: child ok").  Exits 0, or 1 if the child did not.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const unsigned char code32[] = {
	0xb8, 0x40, 0x00, 0x00, 0x00,	/* mov $64, %eax (ia32 getppid) */
	0xcd, 0x80,			/* int $0x80 */
	0x89, 0xc3,			/* mov %eax, %ebx */
	0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov $1, %eax (ia32 exit) */
	0xcd, 0x80,			/* int $0x80 */
	0x0f, 0x0b,			/* ud2: not reached */
};

static void run32(void)
{
	void *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (code == MAP_FAILED)
		_exit(2);
	memcpy(code, code32, sizeof(code32));
	__asm__ volatile("pushq $0x23\n\t"
			 "pushq %0\n\t"
			 "lretq" : : "r"((uint64_t)(uintptr_t)code) : "memory");
	_exit(3);
}

int main(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0)
		run32();
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	syscall(SYS_getppid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != (getpid() & 0xff)) {
		fprintf(stderr, "compat32: child failed (status %#x)\n", st);
		return 1;
	}
	fprintf(stderr, "compat32: child ok\n");
	return 0;
}
