/*
 * The sample application's provider: dtrace -h makes its probe macros,
 * dtrace -G its semaphores, as PostgreSQL's build does.
 */
provider app {
	probe query__start(const char *query, int id, unsigned char small);
	probe query__done(long status);
	probe unused();
};
