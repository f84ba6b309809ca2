/*
 * sysargs.c - trigger: syscalls with known arguments, each made once with
 * syscall(2) so the registers hold exactly what is written here, and each
 * failing harmlessly:
 *
 *   getppid(11, 22, 33, 44, 55, 66)   stray arguments getppid ignores
 *   lseek(-1, 12345, SEEK_END)        EBADF
 *   mmap(0x10000, 4096, PROT_READ, MAP_PRIVATE, -1, 0x2000)   EBADF
 *   openat(AT_FDCWD, "/nonexistent/dtrace-e2e", O_RDONLY, 0)  ENOENT
 *
 * and exits 0.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	syscall(SYS_getppid, 11L, 22L, 33L, 44L, 55L, 66L);
	syscall(SYS_lseek, -1L, 12345L, (long)SEEK_END);
	syscall(SYS_mmap, 0x10000L, 4096L, (long)PROT_READ, (long)MAP_PRIVATE,
		-1L, 0x2000L);
	syscall(SYS_openat, (long)AT_FDCWD, "/nonexistent/dtrace-e2e",
		(long)O_RDONLY, 0L);
	return 0;
}
