BEGIN { trace(curthread->comm[16]); exit(0); }
