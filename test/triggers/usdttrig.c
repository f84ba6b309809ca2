/*
 * usdttrig.c - trigger for the usdt provider: SDT probes (SystemTap's
 * .note.stapsdt format, written here by hand with asm operands, so that the
 * compiler picks register, memory and immediate operands) with known
 * arguments and a semaphore.
 *
 *   usdttrig [N [MS]]  N rounds (default 3), MS ms apart (default 10).
 *                      Round i (from 1) fires
 *                        trig:round(i, -i, (short)-7 * i, 200, i * 1000000007,
 *                                   (unsigned char)(250 + i))
 *                      when its semaphore is raised, and trig:always(i) always.
 *   usdttrig wait [N]  waits (up to about 50 s) for trig:round's semaphore
 *                      to be raised, then 200 ms more (for the other
 *                      probes of the file to be attached too), then runs
 *                      N rounds (default 3) 10 ms apart; exits 1 if the
 *                      semaphore never came.
 *   usdttrig watch     prints "enabled" when trig:round's semaphore is
 *                      raised, then "disabled" when it is lowered again, and
 *                      exits 0 (1 after about 50 s without both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The section whose link-time address every note records. */
__asm__(".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"
	".weak _.stapsdt.base\n"
	".hidden _.stapsdt.base\n"
	"_.stapsdt.base: .space 1\n"
	".size _.stapsdt.base, 1\n"
	".popsection\n");

/* A note for prov:name at a nop here; args is the argument string, with
   %N for asm operand N; sem the semaphore's symbol (or 0). */
#define NOTE_HEAD(prov, name, sem, args)				\
	"990: nop\n"							\
	".pushsection .note.stapsdt,\"\",\"note\"\n"			\
	".balign 4\n"							\
	".4byte 992f-991f, 994f-993f, 3\n"				\
	"991: .asciz \"stapsdt\"\n"					\
	"992: .balign 4\n"						\
	"993: .8byte 990b\n"						\
	".8byte _.stapsdt.base\n"					\
	".8byte " sem "\n"						\
	".asciz \"" prov "\"\n"						\
	".asciz \"" name "\"\n"						\
	".asciz \"" args "\"\n"						\
	"994: .balign 4\n"						\
	".popsection\n"

unsigned short trig_round_semaphore __attribute__((section(".probes"), used));

__attribute__((noipa)) void trig_fire(long i)
{
	volatile short s = (short)(-7 * i);
	long big = i * 1000000007L;
	unsigned char c = (unsigned char)(250 + i);
	int neg = (int)-i;

	if (trig_round_semaphore)
		__asm__ __volatile__(NOTE_HEAD("trig", "round",
					       "trig_round_semaphore",
					       "8@%0 -4@%1 -2@%2 4@%3 -8@%4 1@%5")
				     :: "r"(i), "r"(neg), "m"(s), "n"(200),
					"r"(big), "q"(c));
	__asm__ __volatile__(NOTE_HEAD("trig", "always", "0", "-8@%0")
			     :: "r"(i));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int watch(void)
{
	volatile unsigned short *sem = &trig_round_semaphore;
	int on = 0;

	for (long i = 0; i < 50000; i++) {
		if (!on && *sem != 0) {
			on = 1;
			printf("enabled\n");
			fflush(stdout);
		} else if (on && *sem == 0) {
			printf("disabled\n");
			return 0;
		}
		sleep_ms(1);
	}
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3;
	long ms = argc > 2 ? atol(argv[2]) : 10;

	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return watch();
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		volatile unsigned short *sem = &trig_round_semaphore;

		for (long i = 0; *sem == 0; i++) {
			if (i == 50000)
				return 1;
			sleep_ms(1);
		}
		sleep_ms(200);
		n = argc > 2 ? atol(argv[2]) : 3;
		ms = 10;
	}
	for (long i = 1; i <= n; i++) {
		trig_fire(i);
		sleep_ms(ms);
	}
	return 0;
}
