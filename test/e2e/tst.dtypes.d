/* D's own types: struct, union, enum, typedef; sizeof, offsetof,
   enumerators as constants, a D struct read through a pointer. */
#pragma D option quiet

struct point { char tag; int x; long y; char name[16]; };
union word { int i; char b[8]; short s; };
enum color { RED, GREEN = 5, BLUE, BLACK = GREEN * 4 + 1 };
enum { ONE = 1, TWO };
typedef struct point point_t;
typedef unsigned short port_t;
typedef enum color color_t;
struct node { struct node *next; point_t pt; int arr[3]; };
struct comm { char s[16]; };

BEGIN
{
	printf("%d %d %d %d\n", sizeof (struct point), offsetof(struct point, x),
	    offsetof(point_t, y), offsetof(struct point, name));
	printf("%d %d\n", sizeof (union word), offsetof(union word, s));
	printf("%d %d %d %d %d %d\n", RED, GREEN, BLUE, BLACK, ONE, TWO);
	printf("%d %d %d\n", sizeof (port_t), sizeof (color_t), sizeof (enum color));
	printf("%d %d %d\n", sizeof (struct node), offsetof(struct node, pt),
	    offsetof(struct node, arr));
	printf("%d\n", BLUE * 2 + sizeof (point_t));
	this->c = (struct comm *)((uintptr_t)curthread +
	    offsetof(struct task_struct, comm));
	printf("%s\n", this->c->s);
	exit(0);
}
