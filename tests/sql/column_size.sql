-- pg_column_size: fixed widths, varlenas with the short header of a value read from a row and the
-- four-byte header of a computed one, numerics by base-10000 digit groups, NULL, untyped literals.
DROP TABLE IF EXISTS cs;
create table cs (n numeric, t text, b bytea, c char(5), v varchar(10), j json, i interval, u uuid, k int, f float8, d date, ts timestamptz, s int2, bo bool);
insert into cs values (1.5, 'abc', '\x0102', 'ab', 'xyz', '{"a":1}', '1 day', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1, 2.5, '2020-01-01', now(), 3, true), (0, repeat('x', 200), null, null, null, null, null, null, null, null, null, null, null, null), (123456789.123, '', '\x', 'abcde', '', '[]', null, null, null, null, null, null, null, null), (-0.00012, 'é', null, 'é', 'ü', null, null, null, null, null, null, null, null, null), (10000, null, null, null, null, null, null, null, null, null, null, null, null, null);
select pg_column_size(n), pg_column_size(t), pg_column_size(b), pg_column_size(c), pg_column_size(v), pg_column_size(j), pg_column_size(i), pg_column_size(u), pg_column_size(k), pg_column_size(f), pg_column_size(d), pg_column_size(ts), pg_column_size(s), pg_column_size(bo) from cs order by n;
select pg_column_size(t || ''), pg_column_size(n + 0), pg_column_size(k + 1) from cs order by n;
select pg_column_size(1.5::numeric), pg_column_size(0::numeric), pg_column_size(123456789.123::numeric), pg_column_size(-1::numeric), pg_column_size('NaN'::numeric), pg_column_size(10000::numeric), pg_column_size(0.0001::numeric);
select pg_column_size(1::int2), pg_column_size(1), pg_column_size(1::int8), pg_column_size('abc'::text), pg_column_size(null::int), pg_column_size('ab'::char(4)), pg_column_size('\x01'::bytea), pg_column_size('abc'), pg_column_size(repeat('y', 500));
select sum(pg_column_size(t)) from cs;
DROP TABLE cs;
