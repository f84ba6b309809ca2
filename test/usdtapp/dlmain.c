/*
 * dlmain.c - the program of the dlopen test: calls dlmain_work(1), loads
 * the library named by argv[1] with dlopen, calls its dllib_work(2) and
 * (3), then dlmain_work(4).  Each *_work fires dl:::work with its argument.
 */
#include <dlfcn.h>
#include <stdio.h>
#include "dl.h"

__attribute__((noipa)) int dlmain_work(int i)
{
	DL_WORK(i);
	return i + 1;
}

int main(int argc, char **argv)
{
	int (*f)(int);
	void *h;

	dlmain_work(1);
	if (argc < 2 || (h = dlopen(argv[1], RTLD_NOW)) == NULL) {
		fprintf(stderr, "dlmain: %s\n", argc < 2 ? "no library" :
			dlerror());
		return 1;
	}
	f = (int (*)(int))dlsym(h, "dllib_work");
	if (f == NULL)
		return 1;
	f(2);
	f(3);
	dlmain_work(4);
	return 0;
}
