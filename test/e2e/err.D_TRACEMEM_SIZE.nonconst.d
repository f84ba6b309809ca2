BEGIN { tracemem(8, arg0); }
