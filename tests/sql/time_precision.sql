-- timestamp(p), timestamptz(p) and time(p): values are rounded (half away from zero) to p
-- fractional digits on the way in, by casts, INSERT, UPDATE, COPY, defaults and ALTER COLUMN TYPE;
-- catalogs, format_type and psql's \d show the precision; expressions over the columns are plain.
SET TimeZone = 'UTC';
DROP TABLE IF EXISTS stamps, stamps_copy;
SELECT '2024-01-02 03:04:05.678'::timestamp(0), '2024-01-02 03:04:05.678'::timestamp(2), '03:04:05.678'::time(1);
SELECT '2024-01-02 03:04:05.5'::timestamp(0), '1999-12-31 23:59:59.5'::timestamp(0),
       '1900-01-01 00:00:00.5'::timestamp(0), '1900-01-01 00:00:00.4'::timestamp(0), '1899-12-31 23:59:59.5'::timestamp(0);
SELECT pg_typeof('2024-01-02'::timestamp(0)), '23:59:59.9'::time(0), 'infinity'::timestamp(0), '-infinity'::timestamptz(3);
SELECT CAST('2024-01-01 00:00:00.55' AS timestamp(1)) = '2024-01-01 00:00:00.6';
SELECT '2024-01-01 00:00:00.55'::timestamp(1) - '2024-01-01'::timestamp;
SELECT '2024-01-01 10:00:00.987654+02'::timestamptz(4), '2024-01-01 10:00:00.987654'::timestamp(6);
SELECT '2024-01-01 10:00:00.987654'::timestamp::timestamp(3), now()::timestamp(0) = date_trunc('second', now()::timestamp + interval '0.5 s');
-- Laravel's timestamps(): timestamp(0) columns.
CREATE TABLE stamps (id int PRIMARY KEY, created_at timestamp(0) without time zone NULL, t time(3),
  z timestamptz(0), d timestamp(6), fixed timestamp(0) DEFAULT '2024-02-02 02:02:02.75');
INSERT INTO stamps VALUES (1, '2024-01-02 03:04:05.678', '03:04:05.67891', '2024-01-02 03:04:05.5+00', '2024-01-02 03:04:05.1234567');
INSERT INTO stamps (id, created_at, t) VALUES (2, '2024-01-02 03:04:05.4'::timestamp + interval '0.2 s', '23:59:59.9996');
SELECT * FROM stamps ORDER BY id;
UPDATE stamps SET created_at = created_at + interval '0.7 s', t = t + interval '0.0004 s' WHERE id = 1;
SELECT id, created_at, t FROM stamps ORDER BY id;
INSERT INTO stamps VALUES (3, $$2024-05-05 01:01:01.9$$, '01:01:01.1119', '2024-05-05 01:01:01.2+02') ON CONFLICT (id) DO NOTHING;
INSERT INTO stamps (id, created_at) VALUES (3, '2000-01-01 00:00:00.5') ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at;
SELECT id, created_at, t, z FROM stamps ORDER BY id;
COPY stamps (id, created_at, t, z) FROM stdin;
4	2024-05-05 01:01:01.9	01:01:01.1119	2024-05-05 01:01:01.2+02
\.
COPY (SELECT * FROM stamps ORDER BY id) TO stdout;
\d stamps
SELECT column_name, data_type, datetime_precision FROM information_schema.columns
 WHERE table_name = 'stamps' ORDER BY ordinal_position;
SELECT attname, atttypmod, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'stamps'::regclass AND attnum > 0 ORDER BY attnum;
SELECT format_type(1114, 3), format_type(1184, 0), format_type(1083, 6), format_type(1115, 2), format_type(1114, -1);
SELECT row_to_json(s) FROM stamps s WHERE id = 1;
SELECT created_at::timestamp(1) AS c FROM stamps ORDER BY 1;
CREATE TABLE stamps_copy AS SELECT created_at, t FROM stamps;
\d stamps_copy
ALTER TABLE stamps ALTER COLUMN d TYPE timestamp(2);
ALTER TABLE stamps ALTER COLUMN t TYPE time(0);
SELECT id, d, t FROM stamps ORDER BY id;
PREPARE stamp_p(timestamp(0)) AS SELECT $1;
EXECUTE stamp_p('2024-01-01 00:00:00.7');
DEALLOCATE stamp_p;
SELECT created_at, count(*) FROM stamps GROUP BY created_at ORDER BY created_at;
DROP TABLE stamps, stamps_copy;
