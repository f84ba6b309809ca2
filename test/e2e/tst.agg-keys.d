/* opts: -q */
/*
 * Keys of each integer size print in their own width, 1- and 2-byte keys
 * unsigned; with aggsortkey, keys sort as unsigned numbers (-1 after 2).
 */
#pragma D option aggsortkey
BEGIN
{
	@i8[(char)-2] = sum(-2); @i8[(char)-1] = sum(-1); @i8[(char)0] = sum(0);
	@i8[(char)1] = sum(1); @i8[(char)2] = sum(2);
	@i16[(short)-2] = sum(-2); @i16[(short)-1] = sum(-1);
	@i16[(short)0] = sum(0); @i16[(short)1] = sum(1);
	@i16[(short)2] = sum(2);
	@i32[-2] = sum(-2); @i32[-1] = sum(-1); @i32[0] = sum(0);
	@i32[1] = sum(1); @i32[2] = sum(2);
	@i64[(long long)-2] = sum(-2); @i64[(long long)-1] = sum(-1);
	@i64[(long long)0] = sum(0); @i64[(long long)1] = sum(1);
	@i64[(long long)2] = sum(2);
	@t[(int32_t)1, 2] = count(); @t[(int32_t)1, 2] = count();
	exit(0);
}
