/*
 * providers.c - the list of providers, in the order dtrace -l lists them.
 *
 * probe.c asks each one whose name matches a description's provider field
 * to populate; adding a provider is one line here and its own file.
 */
#include "provider.h"

const dt_provops_t *const dt_providers[] = {
	&dt_prov_dtrace,
	&dt_prov_profile,
	&dt_prov_syscall,
	&dt_prov_sdt,
	&dt_prov_proc,
	&dt_prov_sched,
	&dt_prov_io,
	&dt_prov_rawtp,
	&dt_prov_cpc,
	&dt_prov_fbt,
	&dt_prov_pid,
	&dt_prov_usdt,
	NULL,
};
