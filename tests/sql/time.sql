-- The time type (without time zone): input forms and range errors, arithmetic with intervals and dates, comparison, extract, casts, columns and arrays of it, to_json, LOCALTIME, psql's \d.
DROP TABLE IF EXISTS tm_t;
SELECT '10:30'::time, '10:30:15.5'::time, '23:59:59.999999'::time, '24:00:00'::time, 'allballs'::time, '2024-01-01 08:15:00'::time;
SELECT time '12:00:00', TIME '07:05';
SELECT '25:00'::time;
SELECT '10:61'::time;
SELECT 'nope'::time;
SELECT '10:30'::time + interval '2 hours', interval '90 minutes' + '23:00'::time, '01:00'::time - interval '2 hours', '12:00'::time - '10:30:30'::time;
SELECT date '2024-03-01' + time '10:15', time '10:15' + date '2024-03-01';
SELECT '10:30'::time < '11:00'::time, '10:30'::time = '10:30:00', '10:30'::time BETWEEN '10:00' AND '11:00';
SELECT extract(hour FROM time '10:30:15.5'), extract(minute FROM time '10:30:15.5'), extract(second FROM time '10:30:15.5'), extract(epoch FROM time '01:00:01'), date_part('hour', '13:00'::time);
SELECT '2024-05-06 07:08:09.5'::timestamp::time, '10:30'::time::interval, interval '1 day 02:03' ::time, '10:30'::time::text;
CREATE TABLE tm_t (id int PRIMARY KEY, at time NOT NULL, spans time[]);
INSERT INTO tm_t VALUES (1, '09:00', '{09:00,10:00}'), (2, '17:30:45', NULL), (3, '00:00', '{}');
SELECT * FROM tm_t ORDER BY at DESC;
SELECT min(at), max(at), count(DISTINCT at) FROM tm_t;
SELECT id FROM tm_t WHERE at > '08:00' ORDER BY 1;
SELECT to_json(time '10:30:00.25'), pg_typeof(at), pg_typeof(spans) FROM tm_t WHERE id = 1;
SELECT localtime IS NOT NULL, pg_typeof(localtime);
\d tm_t
DROP TABLE tm_t;
