enum e { A = 1, B = arg0 };
BEGIN { exit(0); }
