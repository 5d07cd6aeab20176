-- real (float4): input, output, casts, arithmetic, aggregates, comparisons with other numbers
DROP TABLE IF EXISTS reals;
CREATE TABLE reals (id int PRIMARY KEY, r real, f float4, g float(10), h float(30));
INSERT INTO reals VALUES (1, 1.1, 2.5, 3.25, 4.125), (2, -0.1, 1e-3, 1e10, '1e100'),
  (3, 'NaN', 'Infinity', '-Infinity', '-0'), (4, '3.4e38', '1.5e-45', 123456789, 0.1), (5, NULL, 0, -1, 1);
SELECT * FROM reals ORDER BY id;
SELECT id, r, pg_typeof(r), pg_typeof(g), pg_typeof(h) FROM reals ORDER BY r;
SELECT 0.1::real, 1.1::real * 3, 1e15::real, 1e16::real, 1234567::real, 12345678::real,
  123456789::real, 1e-4::real, 1e-5::real, 0.00012345::real, 100000::real, 999999::real;
SELECT '1.1'::real, ' 2.5 '::real, '-0'::real, 'nan'::real, '-inf'::real, 'Infinity'::real;
SELECT '1e39'::real;
SELECT '1e-50'::real;
SELECT 'abc'::real;
SELECT ''::real;
SELECT 3.4e28::real * 1e10::real;
SELECT '1e39'::float8::real;
SELECT 1e28::float8::real * 1e11::float8::real;
SELECT '1e-50'::float8::real;
SELECT pg_typeof(1.5::real + 1.5::real), pg_typeof(1.5::real + 1), pg_typeof(1.5::real + 1.5),
  pg_typeof(1.5::real * 1.5::float8), pg_typeof(1.5::real + '2.5'), pg_typeof(-1.5::real);
SELECT 1.1::real + 2.2::real, 1.1::real + 2.2, 1.1::real * 3, 1.1::real / 3::real, 10::real - 0.1::real;
SELECT 1::real / 0;
SELECT 1e20::real * 1e20::real;
SELECT 1e-20::real * 1e-20::real;
SELECT r % 2 FROM reals;
SELECT 1.1 IN (1.1::real), 1.1::real IN (1.1, 2), 2 IN (2::real, 1.1::real);
SELECT 1.1::real = 1.1, 1.1::real = '1.1', 1.1::real = 1.1::real, 1.1::real = 1.1::float8,
  1.5::real = 1.5, 2::real = 2, 1.5::real > 1, 1.5::real < 1.6::float8;
SELECT 1.1::real::float8, 1.1::float8::real, '1.1'::real::numeric, 1.1::real::int, 2.5::real::int,
  3.5::real::int, -2.5::real::int, 1.1::real::text, 1.1::real || 'x', 1e15::real::numeric,
  0.000123456789::real::numeric, 123456789::real::numeric, 5::smallint::real, 7::bigint::real;
SELECT 1e10::real::int;
SELECT round(1.25::real), pg_typeof(round(1.25::real)), abs(-1.5::real), pg_typeof(abs(-1.5::real)),
  sqrt(2::real), pg_typeof(sqrt(2::real)), floor(2.7::real), ceil(2.2::real), power(2::real, 3);
SELECT sum(r), avg(r), pg_typeof(sum(r)), pg_typeof(avg(r)), min(r), max(r), pg_typeof(max(r)),
  count(r) FROM reals WHERE id IN (1, 2, 5);
SELECT sum(x), avg(x) FROM (VALUES (1.1::real), (2.2::real), (3.3::real), (0.7::real)) v(x);
SELECT sum(x) FROM (VALUES ('3e38'::real), ('3e38'::real)) v(x);
SELECT x FROM (VALUES (1::int), (2.5::real)) v(x);
SELECT pg_typeof(x) FROM (VALUES (1::int), (2.5::real)) v(x) LIMIT 1;
SELECT 1 UNION SELECT 1.5::real ORDER BY 1;
SELECT COALESCE(NULL::real, 2), pg_typeof(COALESCE(NULL::real, 2)), CASE WHEN true THEN 1.5::real ELSE 2 END;
SELECT ARRAY[1.1::real, 2.2::real], pg_typeof(ARRAY[1.1::real]), '{1.5,NaN,-0}'::real[], '{1.1}'::float4[];
SELECT to_json(1.1::real), to_jsonb(1.1::real), to_json(ARRAY[0.1::real]), json_build_object('a', 'NaN'::real);
SELECT '1.5'::jsonb::real, ('{"a": 2.25}'::jsonb -> 'a')::real;
SELECT r FROM reals WHERE r > 0 ORDER BY r DESC;
SELECT id FROM reals WHERE f = 2.5;
SELECT id FROM reals WHERE r = 1.1;
SELECT id FROM reals WHERE r = '1.1';
SELECT id, r FROM reals WHERE r IN (1.1, '3.4e38') ORDER BY id;
UPDATE reals SET r = r * 2 WHERE id = 1 RETURNING r, pg_typeof(r);
UPDATE reals SET r = r * 1e10 WHERE id = 4;
SELECT 1.1::real::varchar, CAST(2.5 AS float(24)), CAST(2.5 AS float(25));
SELECT column_name, data_type, numeric_precision, numeric_precision_radix, udt_name
  FROM information_schema.columns WHERE table_name = 'reals' ORDER BY ordinal_position;
SELECT typname, typlen, typcategory FROM pg_type WHERE oid IN (700, 1021) ORDER BY oid;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
  WHERE a.attrelid = 'reals'::regclass AND a.attnum > 0 ORDER BY a.attnum;
CREATE INDEX reals_r ON reals (r);
SELECT id, r FROM reals WHERE r >= 0.5 ORDER BY r;
SELECT r, count(*) FROM reals GROUP BY r ORDER BY r NULLS FIRST;
DROP TABLE reals;
