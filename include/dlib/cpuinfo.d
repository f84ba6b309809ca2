/*
 * cpuinfo.d - cpuinfo_t, the CPU a probe fires on (DTrace's sched(4)
 * type), and the inline curcpu.  Linux has no processor sets, chips or
 * locality groups as DTrace knows them: only cpu_id is translated (the
 * others are DTrace's D_XLATE_NOCONV error when used).
 */
typedef struct cpuinfo {
	processorid_t cpu_id;
	psetid_t cpu_pset;
	int cpu_chip;
	int cpu_lgrp;
} cpuinfo_t;

translator cpuinfo_t < processorid_t C > {
	cpu_id = C;
};

inline cpuinfo_t *curcpu = xlate <cpuinfo_t *> (cpu);
#pragma D binding "1.0" curcpu
