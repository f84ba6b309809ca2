struct t { int a[5]; };
struct t g;
BEGIN { g.a[5] = 0; exit(0); }
