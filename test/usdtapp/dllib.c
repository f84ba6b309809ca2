/*
 * dllib.c - the library the dlopen test loads: dllib_work fires dl:::work.
 */
#include "dl.h"

__attribute__((noipa)) int dllib_work(int i)
{
	DL_WORK(i);
	return i * 10;
}
