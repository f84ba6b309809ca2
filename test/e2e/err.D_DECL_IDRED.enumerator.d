inline int A = 1;
enum e { A, B };
BEGIN { exit(0); }
