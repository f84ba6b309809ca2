/* a per-CPU kernel variable: refused, saying why */
BEGIN { trace(`runqueues.nr_running); exit(0); }
