-- Arguments resolved to a common type as PostgreSQL's select_common_type: lag/lead's value and
-- default (anycompatible), COALESCE, UNION, CASE and VALUES, a date meeting a timestamp.
DROP TABLE IF EXISTS ct;
CREATE TABLE ct (id int PRIMARY KEY, g text, v numeric, t timestamp);
INSERT INTO ct VALUES (1, 'a', 1.5, '2020-01-01'), (2, 'a', NULL, '2020-01-02'), (3, 'b', 3, NULL);
SELECT id, lag(id, 1, 1.5) OVER (ORDER BY id), lead(id, 1, 2::bigint) OVER (ORDER BY id),
  lag(v, 1, 0) OVER (ORDER BY id), lead(v, 2, -1.5) OVER (ORDER BY id) FROM ct ORDER BY id;
SELECT id, lag(t, 1, date '2019-01-01') OVER (ORDER BY id), lead(t, 1, '2030-01-01') OVER (ORDER BY id),
  lag(g, 1, 'x'::varchar) OVER (ORDER BY id) FROM ct ORDER BY id;
SELECT pg_typeof(lag(id, 1, 1.5) OVER ()), pg_typeof(lag(id, 1, 2::bigint) OVER ()), pg_typeof(lag(t, 1, date '2019-01-01') OVER ()) FROM ct LIMIT 1;
SELECT id, lag(v, 1, 1e300::float8) OVER (ORDER BY id) FROM ct ORDER BY id;
SELECT id, lead(g, 1, 5) OVER (ORDER BY id) FROM ct;
SELECT id, lag(t, 1, 1) OVER (ORDER BY id) FROM ct;
SELECT date '2020-01-01' UNION SELECT timestamp '2020-01-02 10:00' ORDER BY 1;
SELECT CASE WHEN id = 1 THEN date '2020-01-01' ELSE t END FROM ct ORDER BY id;
VALUES (date '2020-01-01'), (timestamp '2020-01-02 03:00');
SELECT coalesce(date '2020-01-01', timestamp '2020-01-02'), coalesce(NULL, t, date '2021-05-05') FROM ct ORDER BY id;
SELECT greatest(date '2020-01-01', timestamp '2020-01-02');
SELECT coalesce(NULL, 'a', 1);
SELECT coalesce(1, 'a');
SELECT coalesce(1, true);
SELECT coalesce(1, 2.5, 3::bigint), pg_typeof(coalesce(1::real, 2.5)), pg_typeof(coalesce(NULL, NULL));
DROP TABLE ct;
-- Set operations: a mismatch is placed at the right input's column; date and time types of one
-- category that do not convert; an unknown literal converts when bound, at its position.
select 1 union select 'a'::text;
select 1, 2 union select 1, 'a'::text;
select 1, now()::timestamp union select 1, '10:00'::time;
select '10:00'::time union select now()::timestamp;
select current_date union select '10:00'::time;
select 1, 2 union all select 3, 'x';
select 1 union all (select 'x' union all select 'y');
with recursive r(n) as (select 1 union all select 'x' from r) select * from r;
select '1' union select 2 union select 3 order by 1;
values (1), ('x');
