-- pg_timezone_names: every zone of the tz database (posix/ repeats the tree, right/ is left out),
-- with its abbreviation and offset now; pg_timezone_abbrevs: PostgreSQL's Default set, the
-- dynamic abbreviations as their zones use them now. Only what does not change with the season
-- is shown.
SELECT count(*) > 1000 AS many, count(DISTINCT name) = count(*) AS unique_names FROM pg_timezone_names;
SELECT count(*) FILTER (WHERE name LIKE 'posix/%') > 500 AS posix_zones,
       count(*) FILTER (WHERE name LIKE 'right/%') AS right_zones
FROM pg_timezone_names;
SELECT * FROM pg_timezone_names WHERE name IN ('Asia/Tokyo', 'Asia/Kolkata', 'UTC', 'Etc/GMT+5', 'Asia/Kathmandu', 'Factory', 'posix/Asia/Tokyo') ORDER BY name;
SELECT name FROM pg_timezone_names WHERE name ILIKE 'europe/ber%' ORDER BY name;
SELECT count(*) FROM pg_timezone_abbrevs;
SELECT * FROM pg_timezone_abbrevs WHERE abbrev IN ('ACDT', 'CEST', 'EST', 'IST', 'JST', 'NZDT', 'ZULU', 'MSK', 'ART', 'LKT', 'VET', 'YEKT', 'SGT') ORDER BY abbrev;
SELECT is_dst, count(*) FROM pg_timezone_abbrevs WHERE abbrev IN ('ACDT', 'ACST', 'BST', 'CDT', 'CST', 'EDT', 'EET', 'EEST', 'WET', 'WEST') GROUP BY is_dst ORDER BY is_dst;
-- Abbreviations of the set are what timestamps may name; CAT and WEST are not in it.
SELECT '2024-01-01 12:00 ACDT'::timestamptz AS acdt, '2024-01-01 12:00 HKT'::timestamptz AS hkt, '2024-01-01 12:00 nzdt'::timestamptz AS nzdt;
SELECT '2024-01-01 12:00 CAT'::timestamptz;
SELECT '2024-07-01 12:00 WEST'::timestamptz;
SELECT timezone('AWST', '2024-01-01 12:00+00'::timestamptz);
-- Dynamic abbreviations mean what their zone used them for at the time: MSK was +04 in 2012,
-- +03 in the summer of 2009 (when Moscow was on MSD) and now; SGT was +07:30 in 1980.
SELECT '2012-06-01 12:00 MSK'::timestamptz AS msk2012, '2024-06-01 12:00 MSK'::timestamptz AS msk2024, '2009-07-01 12:00 MSK'::timestamptz AS msk2009;
SELECT '2024-01-01 12:00 art'::timestamptz AS art, '2024-01-01 12:00 SGT'::timestamptz AS sgt, '1980-01-01 12:00 SGT'::timestamptz AS sgt1980;
SELECT timezone('MSK', '2012-06-01 12:00+00'::timestamptz), timezone('MSK', '2024-06-01 12:00+00'::timestamptz), '2012-06-01 12:00+00'::timestamptz AT TIME ZONE 'msk';
SELECT timezone('YEKT', '2000-01-01 00:00'::timestamp), timezone('VET', '2010-01-01 00:00'::timestamp);
SELECT date_trunc('day', '2012-06-01 22:00+00'::timestamptz, 'MSK');
