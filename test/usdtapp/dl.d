/*
 * The provider of the dlopen test (tst.udyn-dlopen.sh): the program and
 * the library it loads with dlopen both fire dl:::work.
 */
provider dl {
	probe work(int i);
};
