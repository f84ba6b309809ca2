/*
 * arena.c - memory by lifetime.
 *
 * One arena per compilation: every AST node, IR function, string and vector
 * made while compiling lives here and is freed with dl_arena_destroy().
 * Allocation is a pointer bump in 64 KiB chunks (bigger requests get a chunk
 * of their own); nothing is ever freed one by one.  Out of memory is an
 * internal error (abort), not a user error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"

#define CHUNK_SIZE (64 * 1024)

typedef struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
} chunk_t;

struct dl_arena {
	chunk_t *head;
};

static chunk_t *chunk_new(size_t size)
{
	chunk_t *c = malloc(sizeof(*c) + size);

	if (c == NULL) {
		fprintf(stderr, "dtrace: out of memory\n");
		abort();
	}
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

dl_arena_t *dl_arena_create(void)
{
	dl_arena_t *a = calloc(1, sizeof(*a));

	if (a == NULL)
		abort();
	a->head = chunk_new(CHUNK_SIZE);
	return a;
}

void dl_arena_destroy(dl_arena_t *a)
{
	if (a == NULL)
		return;
	for (chunk_t *c = a->head, *n; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void *dl_alloc(dl_arena_t *a, size_t size)
{
	chunk_t *c = a->head;

	size = (size + 15) & ~(size_t)15;
	if (size > CHUNK_SIZE / 4) {
		/* big: a chunk of its own, behind the current one */
		chunk_t *big = chunk_new(size);
		big->used = size;
		big->next = c->next;
		c->next = big;
		memset(big->data, 0, size);
		return big->data;
	}
	if (c->used + size > c->size) {
		c = chunk_new(CHUNK_SIZE);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *dl_strndup(dl_arena_t *a, const char *s, size_t n)
{
	char *p = dl_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *dl_strdup(dl_arena_t *a, const char *s)
{
	return dl_strndup(a, s, strlen(s));
}

char *dl_sprintf(dl_arena_t *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = dl_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void dl_vec_grow(dl_arena_t *a, void **vec, size_t *cap, size_t need,
		 size_t esz)
{
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	void *n = dl_alloc(a, ncap * esz);
	if (*cap)
		memcpy(n, *vec, *cap * esz);
	*vec = n;
	*cap = ncap;
}
