struct t { int a[5]; };
this struct t x;
BEGIN { trace(this->x.a[-1]); exit(0); }
