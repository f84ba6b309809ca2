int a;
int a[int];
