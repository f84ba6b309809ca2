BEGIN { trace(d_path("x")); }
