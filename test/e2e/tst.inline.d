/* opts: -q */
/*
 * inline definitions: integer, string and expression-valued (evaluated
 * where used), one defined from another, converted to their declared
 * type.
 */
inline int TEN = 10;
inline int TWENTY = TEN * 2;
inline string WHO = "me";
inline int MYPID = pid;
inline char SMALL = 300;

BEGIN
{
	printf("%d %d %s %d %d\n", TEN, TWENTY + 1, WHO, MYPID == pid, SMALL);
	exit(0);
}
