-- Bitwise operators on integers: & | # ~ << >> with PostgreSQL's types, precedence and shifts.
select 12 & 10, 12 | 10, 12 # 10, ~12, ~0, 1 << 4, 256 >> 4, -256 >> 4;
select pg_typeof(1::smallint & 3::smallint), pg_typeof(1::smallint & 3), pg_typeof(1 & 3::bigint), pg_typeof(1::smallint << 2), pg_typeof(1::bigint >> 2);
select 1 << 31, 1 << 32, 1 << 33, 1::bigint << 62, 1::bigint << 64, 1::smallint << 15, 1::smallint << 16, -1 >> 40;
select 1 + 2 & 3, 1 << 2 + 1, 5 & 3 | 8, 6 # 3 & 1, ~1 + 1;
select x, x & 1 as low, x >> 1 as half, x | 256 from generate_series(-3, 3) x;
select count(*) filter (where id & 1 = 0), bit_count from (select g id, 0 bit_count from generate_series(1, 10) g) s group by bit_count;
select 1.5 & 1;
select 'a' | 1;
select ~1.5;
select indoption[0] & 1::smallint from (select '0 1'::int2vector indoption) s;
select ~1 + 1 * 2, ~ 2 - 1, ~1 & 3, ~1 = -2;
