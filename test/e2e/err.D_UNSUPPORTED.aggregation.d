BEGIN { @a = count(); }
