/*
 * memtrig.c - user memory with known contents, for copyin(), copyinto()
 * and inet_ntop(): writes each buffer below to fd -1 (the write fails;
 * syscall::write:entry sees arg1, the buffer, and arg2, its size).
 *   1. an int, 0x12345678, then the bytes "dtrace"
 *   2..  IPv4 and IPv6 addresses, 4 or 16 bytes each, in the order of
 *        the addrs table
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

static const char *const addrs[] = {
	"192.168.1.10", "0.0.0.0", "255.255.255.255",
	"::", "::1", "::2", "1::", "0:0:1::", "::ffff:1.2.3.4", "::1.2.3.4",
	"::ffff:0:1.2.3.4", "1:0:0:2:0:0:0:3", "1:0:2:0:3:0:4:0",
	"fe80::1:0:0:1", "2001:db8::ff00:42:8329",
	"1:2:3:4:5:6:7:8", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
};

int main(void)
{
	struct { int v; char s[8]; } known = { 0x12345678, "dtrace" };
	unsigned char buf[16];

	if (write(-1, &known, sizeof(known)) != -1)
		return 1;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		int v6 = strchr(addrs[i], ':') != NULL;
		memset(buf, 0, sizeof(buf));
		inet_pton(v6 ? AF_INET6 : AF_INET, addrs[i], buf);
		if (write(-1, buf, v6 ? 16 : 4) != -1)
			return 1;
	}
	return 0;
}
