-- timestamptz in the session's TimeZone: printing, reading, casts, calendar arithmetic,
-- date_trunc / extract / to_char, and prepared statements bound again when the zone changes.
DROP TABLE IF EXISTS tz_events;
DROP VIEW IF EXISTS tz_days;
CREATE TABLE tz_events (id int PRIMARY KEY, at timestamptz, local timestamp);
INSERT INTO tz_events VALUES
  (1, '2024-03-10 06:30:00+00', '2024-03-10 01:30'),
  (2, '2024-03-10 07:30:00+00', '2024-03-10 03:30'),
  (3, '2024-11-03 05:30:00+00', '2024-11-03 01:30'),
  (4, '2024-11-03 06:30:00+00', '2024-11-03 01:30'),
  (5, '2024-07-01 03:59:59.5+00', '2024-06-30 23:59:59.5'),
  (6, NULL, NULL);
CREATE VIEW tz_days AS SELECT id, at::date AS day, extract(hour FROM at) AS hour FROM tz_events;

-- Printing: the same instants, in three zones.
SET TIME ZONE 'America/New_York';
SELECT id, at, local FROM tz_events ORDER BY id;
SELECT * FROM tz_days ORDER BY id;
SET timezone = 'Asia/Kathmandu';
SELECT id, at FROM tz_events ORDER BY id;
SELECT * FROM tz_days ORDER BY id;
SET timezone = 'europe/berlin';
SHOW timezone;
SELECT id, at, at::text AS text, at::date AS day, at::time AS time, at::timestamp AS wall
FROM tz_events ORDER BY id;
SELECT '1800-01-01 12:00'::timestamptz AS lmt, '0044-03-15 12:00 BC'::timestamptz AS bc,
       'infinity'::timestamptz AS inf, '-infinity'::timestamptz::timestamp AS ninf;

-- Reading: a text without an offset is read in the zone; with one, or a zone name, not.
SET TIME ZONE 'America/New_York';
SELECT '2024-03-10 02:30'::timestamptz AS gap, '2024-11-03 01:30'::timestamptz AS twice,
       '2024-07-01 12:00'::timestamptz AS summer, '2024-01-01 12:00'::timestamptz AS winter;
SELECT '2024-01-01 12:00 Europe/Berlin'::timestamptz AS named,
       '2024-01-01 12:00 PST'::timestamptz AS abbrev,
       '2024-01-01 12:00:00+05:30'::timestamptz AS offset_given,
       timestamptz '2024-06-01 00:00' AS typed;
INSERT INTO tz_events VALUES (7, '2024-12-24 18:00', '2024-12-24 18:00');
SELECT id, at, at AT TIME ZONE 'UTC' AS utc FROM tz_events WHERE id = 7;

-- Comparisons: a date or timestamp meets timestamptz in the zone.
SELECT id FROM tz_events WHERE at >= '2024-11-03'::date AND at < '2024-11-04'::date ORDER BY id;
SELECT id, at = local AS same_wall FROM tz_events ORDER BY id;
SELECT '2024-07-01 12:00+00'::timestamptz = '2024-07-01 08:00'::timestamp AS eq,
       '2024-07-01 03:00+00'::timestamptz < '2024-07-01'::date AS before_midnight;
SELECT at::date AS day, count(*) FROM tz_events GROUP BY at::date ORDER BY 1;

-- Calendar arithmetic across the DST changes.
SELECT '2024-03-09 12:00'::timestamptz + interval '1 day' AS plus_day,
       '2024-03-09 12:00'::timestamptz + interval '24 hours' AS plus_24h,
       '2024-02-10 12:00'::timestamptz + interval '1 month' AS plus_month,
       '2024-03-11 12:00'::timestamptz - interval '1 day 1 hour' AS minus,
       interval '2 days' + '2024-11-02 12:00'::timestamptz AS commuted;
SELECT '2024-03-11 00:00'::timestamptz - '2024-03-10 00:00'::timestamptz AS elapsed,
       age('2024-07-01 02:00+00'::timestamptz, '2024-03-01 00:00'::timestamptz) AS age;
SELECT * FROM generate_series('2024-03-09'::timestamptz, '2024-03-12', '1 day') AS g(day);
SELECT generate_series('2024-11-02 00:00'::timestamptz, '2024-11-04 00:00', interval '12 hours');

-- date_trunc, extract, date_part and to_char read the wall clock.
SELECT id, date_trunc('day', at) AS day, date_trunc('hour', at) AS hour,
       date_trunc('month', at) AS month, date_trunc('week', at) AS week
FROM tz_events ORDER BY id;
SELECT id, extract(hour FROM at) AS hour, extract(dow FROM at) AS dow,
       extract(epoch FROM at) AS epoch, extract(timezone FROM at) AS tz,
       extract(timezone_hour FROM at) AS tzh, date_part('day', at) AS day
FROM tz_events ORDER BY id;
SELECT id, to_char(at, 'YYYY-MM-DD HH24:MI:SS TZ tz OF TZH:TZM') AS formatted
FROM tz_events ORDER BY id;
SET TIME ZONE 'America/St_Johns';
SELECT to_char('2024-07-01 12:00+00'::timestamptz, 'HH24:MI TZ OF TZH TZM') AS formatted,
       extract(timezone_minute FROM '2024-07-01 12:00+00'::timestamptz) AS tzm,
       '2024-07-01 12:00+00'::timestamptz AS at;

-- Built values: make_timestamptz, to_timestamp, current_date and localtimestamp.
SET TIME ZONE 'Asia/Tokyo';
SELECT make_timestamptz(2024, 7, 1, 12, 0, 0) AS in_session,
       make_timestamptz(2024, 7, 1, 12, 0, 0, 'America/New_York') AS in_named,
       make_timestamp(2024, 2, 29, 23, 59, 59.5) AS wall,
       to_timestamp(1719835200) AS epoch, to_timestamp(0.5) AS half;
SELECT current_date = (now() AT TIME ZONE 'Asia/Tokyo')::date AS today,
       localtimestamp = now() AT TIME ZONE 'Asia/Tokyo' AS local_now,
       now()::timestamp = now() AT TIME ZONE 'Asia/Tokyo' AS cast_now;

-- Arrays, records and JSON print in the zone too.
SELECT array_agg(at ORDER BY id) AS ats FROM tz_events WHERE id <= 2;
SELECT row(id, at) AS r FROM tz_events WHERE id = 1;
SELECT to_json(at) AS j, to_jsonb(at) AS jb FROM tz_events WHERE id = 1;
SELECT json_agg(e ORDER BY id) AS events FROM tz_events e WHERE id <= 2;
SELECT row_to_json(e) AS event FROM tz_events e WHERE id = 3;
SELECT json_build_object('at', at) AS obj FROM tz_events WHERE id = 4;

-- Prepared statements follow the zone.
PREPARE tz_show(timestamptz) AS SELECT $1 AS given, $1::date AS day, $1 + interval '1 day' AS next;
EXECUTE tz_show('2024-03-09 23:30');
SET TIME ZONE 'UTC';
EXECUTE tz_show('2024-03-09 23:30');
PREPARE tz_day AS SELECT id, at::date AS day FROM tz_events WHERE id = 1;
EXECUTE tz_day;
SET TIME ZONE 'Pacific/Auckland';
EXECUTE tz_day;
DEALLOCATE tz_show;
DEALLOCATE tz_day;

-- SET LOCAL ends with the transaction; a rolled-back SET too.
BEGIN;
SET LOCAL TIME ZONE 'Asia/Kolkata';
SELECT '2024-07-01 12:00+00'::timestamptz AS kolkata;
COMMIT;
SELECT '2024-07-01 12:00+00'::timestamptz AS auckland;
BEGIN;
SET timezone = 'Europe/London';
ROLLBACK;
SELECT '2024-07-01 12:00+00'::timestamptz AS still_auckland;

-- The forms of SET TIME ZONE, and bad values.
SET TIME ZONE -5;
SHOW timezone;
SELECT '2024-07-01 12:00+00'::timestamptz AS minus5, to_char('2024-07-01 12:00+00'::timestamptz, 'TZ') AS tz;
SET TIME ZONE INTERVAL '+02:30' HOUR TO MINUTE;
SHOW timezone;
SELECT '2024-07-01 12:00+00'::timestamptz AS plus230;
SET TIME ZONE 5.75;
SHOW timezone;
SET timezone = 'UTC+3';
SHOW timezone;
SELECT '2024-07-01 12:00+00'::timestamptz AS posix;
SET timezone = 'CET';
SELECT '2024-07-01 12:00+00'::timestamptz AS cet_file,
       '2024-07-01 12:00+00'::timestamptz AT TIME ZONE 'CET' AS cet_abbrev;
SET timezone = 'CEST';
SET timezone = 'Europe/Nowhere';
SET TIME ZONE INTERVAL '1 day';
SHOW timezone;
SET TIME ZONE LOCAL;
SELECT '2024-07-01 12:00+00'::timestamptz AS back_to_utc;
-- Text built from timestamptz, arrays of it, the three-argument date_trunc, isfinite, julian.
SET TIME ZONE 'Australia/Sydney';
SELECT concat('a', '2024-07-01 12:00+00'::timestamptz) AS concat,
       format('%s', '2024-07-01 12:00+00'::timestamptz) AS format,
       '2024-07-01 12:00+00'::timestamptz || 'x' AS concat_op,
       array_to_string(array['2024-07-01 12:00+00'::timestamptz], ',') AS joined;
SELECT '{"2024-07-01 12:00"}'::timestamptz[] AS from_text,
       array['2024-07-01 12:00+00'::timestamptz]::text[] AS to_texts,
       (array['2024-07-01 12:00+00'::timestamptz])::text AS to_text,
       array['2024-07-01 12:00'::timestamp]::timestamptz[] AS from_wall;
SELECT jsonb_build_object('a', '2024-07-01 12:00+00'::timestamptz) AS obj,
       json_build_array('2024-07-01 12:00+00'::timestamptz) AS arr,
       to_jsonb(array['2024-07-01 12:00+00'::timestamptz]) AS jarr;
SELECT date_trunc('month', '2024-07-01 03:00+00'::timestamptz, 'America/New_York') AS month_ny,
       date_trunc('hour', '2024-11-03 05:30+00'::timestamptz, 'America/New_York') AS hour_ny,
       date_trunc('day', '2024-07-01 12:00+00'::timestamptz, 'UTC') AS day_utc;
SELECT to_char('2024-07-01'::date, 'YYYY-MM-DD HH24 TZ') AS date_char,
       isfinite('2024-07-01 12:00+00'::timestamptz) AS finite, isfinite('infinity'::date) AS inf_date,
       isfinite(interval '1 day') AS finite_interval,
       extract(julian FROM '2024-06-30 20:00+00'::timestamptz) AS julian_tz,
       extract(julian FROM '2024-06-30'::date) AS julian_date;
SELECT '2024-07-01 12:00'::timestamp UNION ALL SELECT '2024-07-01 12:00+00'::timestamptz;
SELECT greatest('2024-07-01 12:00'::timestamp, '2024-07-01 12:00+00'::timestamptz) AS greatest,
       coalesce(NULL::timestamptz, '2024-07-01 12:00'::timestamp) AS coalesced,
       '2024-07-01 22:00'::timestamptz = ANY (array['2024-07-01 12:00+00'::timestamptz]) AS any_eq;
SET TIME ZONE 'UTC';
SELECT to_char('2024-07-01'::date, 'YYYY-MM-DD HH24 TZ') AS utc_char;
DROP VIEW tz_days;
DROP TABLE tz_events;
