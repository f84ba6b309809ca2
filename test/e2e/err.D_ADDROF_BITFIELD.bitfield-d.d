struct s { int a:3; int b; };
struct s g;
BEGIN { this->p = (struct s *)alloca(8); trace(&this->p->a); exit(0); }
