/* opts: -q */
/*
 * Pointer arithmetic as in C: p + n scales by the size of what p points
 * to, p - q counts elements, p[n] and a[n] read through the safe-read
 * path, ++ and -- step by an element, casts between pointers and
 * integers, NULL, comparisons, and pointer-typed variables of every kind
 * keeping their types.
 */
BEGIN
{
	p = (int *)0x1000;
	q = p + 3;
	printf("%x %x %d %d\n", (long)q, (long)(q - 1), q - p, p - q);
	this->l = (long *)0x1000;
	this->l++;
	this->l += 2;
	printf("%x\n", (long)this->l);
	this->l--;
	printf("%x %d %d %d\n", (long)this->l, this->l > (long *)0x1000,
	    this->l == NULL, NULL == 0);
	this->v = (void *)0x1000;
	printf("%x\n", (long)(this->v + 5));
	self->t = curthread;
	printf("%d\n", (self->t + 1) - self->t);
	printf("%d\n", (long)(self->t + 1) - (long)self->t ==
	    sizeof (struct task_struct));
	a["me"] = &curthread->tgid;
	printf("%d %d\n", *a["me"] == pid, a["me"][0] == pid);
	c = &curthread->comm;
	printf("%s %c%c%c %c %d\n", stringof(c), c[0], curthread->comm[1],
	    *(c + 2), *&curthread->comm[3], &curthread->comm[4] - c);
	x = 0 ? c : NULL;
	printf("%d\n", x == NULL);
	self->t = 0;
	exit(0);
}
