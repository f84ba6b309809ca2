BEGIN { tracemem(8, 4, "x"); }
