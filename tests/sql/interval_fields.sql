-- interval with fields and precision (interval(3), interval hour to minute, interval day to second(1)):
-- values cut to the fields and rounded to the precision on the way in, bare numbers read in the last
-- field's unit; literals with fields; catalogs (format_type, information_schema.columns).
DROP TABLE IF EXISTS ivf;
SELECT '1 day 2 hours 3.456789 seconds'::interval(2);
SELECT '3 years 2 months 5 days'::interval year to month;
SELECT '5 days 3 hours 10 minutes'::interval day to hour;
SELECT interval '2 03:04:05.678' day to second(1);
SELECT interval '1 day 3 hours' day, interval '5' hour to minute, interval '7' minute, '100'::interval, '100'::interval minute to second;
SELECT interval '2 years 5 months 3 days' year, interval '-1 day -3.5 hours' hour, interval '1.999999 seconds' second(2);
SELECT '1 day 04:05:06.789'::interval day to minute, '1 day 04:05:06.789'::interval(0), ('3 hours'::interval + '40 minutes')::interval hour;
SELECT '2 03:04:05'::interval, '-2 03:04'::interval, interval '90' day;
CREATE TABLE ivf (a interval(3), b interval hour to minute, c interval day to second(2), d interval year);
INSERT INTO ivf VALUES ('1.23456 seconds', '5 hours 7 minutes 9 seconds', '3 days 01:02:03.456', '3 years 7 months');
SELECT * FROM ivf;
UPDATE ivf SET c = c + '0.0049 seconds', b = b + '59 seconds' RETURNING b, c;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'ivf'::regclass AND attnum > 0 ORDER BY attnum;
SELECT column_name, data_type, datetime_precision, interval_type FROM information_schema.columns WHERE table_name = 'ivf' ORDER BY ordinal_position;
DROP TABLE ivf;
