-- to_timestamp(text, format) and to_date(text, format): fields read by the format's patterns.
SELECT to_date('2024-01-05', 'YYYY-MM-DD') AS iso, to_date('05 Jan 2024', 'DD Mon YYYY') AS mon,
       to_date('20240105', 'YYYYMMDD') AS packed, to_date('5/1/24', 'DD/MM/YY') AS short,
       to_date('January 5, 2024', 'Month DD, YYYY') AS month;
SELECT to_timestamp('2024-07-01 12:34:56.789', 'YYYY-MM-DD HH24:MI:SS.MS') AS ms,
       to_timestamp('1/2/2024 3:04 PM', 'MM/DD/YYYY HH:MI PM') AS pm,
       to_timestamp('12/2/2024 12:04 am', 'MM/DD/YYYY HH12:MI AM') AS midnight,
       to_timestamp('12:00', 'HH24:MI') AS no_date;
SELECT to_date('2024  01 05', 'YYYY MM DD') AS spaces, to_date('2024-01-05', 'YYYY MM DD') AS dash_for_space,
       to_date('2024/01/05', 'YYYY-MM-DD') AS slash_for_dash;
SELECT to_timestamp('2024-07-01 12:00 +05:30', 'YYYY-MM-DD HH24:MI TZH:TZM') AS tzh,
       to_timestamp('2024-07-01 12:00:00.123456', 'YYYY-MM-DD HH24:MI:SS.US') AS us,
       to_timestamp('2024-07-01 12:00:00.12', 'YYYY-MM-DD HH24:MI:SS.FF2') AS ff2,
       to_timestamp('2024-07-01 12:00:00.5', 'YYYY-MM-DD HH24:MI:SS.MS') AS half;
SELECT to_date('2024 5th Jan', 'YYYY DDth Mon') AS th, to_date('Fri 2024-01-05', 'Dy YYYY-MM-DD') AS dy,
       to_date('2024-045', 'YYYY-DDD') AS doy, to_date('2451545', 'J') AS julian,
       to_date('FRIDAY 2024-01-05', 'DAY YYYY-MM-DD') AS day_name;
SELECT to_date('2024-01-05 extra', 'YYYY-MM-DD') AS trailing, to_date('2024-1-5', 'YYYY-MM-DD') AS short_fields;
SELECT to_date('24-01-05', 'YYYY-MM-DD') AS year_24, to_date('99-01-05', 'YY-MM-DD') AS yy_99,
       to_date('05-01-2024', 'DD-MM-YYYY') AS dmy, to_date('2024', 'YYYY') AS year_only,
       to_date('12345-01-01', 'YYYY-MM-DD') AS five_digits,
       to_date('2024-01-05', 'YYYY-"x"MM-DD') AS quoted, to_date('0044-03-15 BC', 'YYYY-MM-DD BC') AS bc,
       to_date('iv 2024', 'RM YYYY') AS roman, to_date('2024-02-29', 'FMYYYY-FMMM-FMDD') AS fm;
SELECT to_timestamp('43200', 'SSSS') AS seconds_of_day;
SELECT to_date(NULL, 'YYYY') AS null_input, to_timestamp('2024', NULL) AS null_format;
-- More layouts: packed fields, literal text, a format longer than its input, FX, 0 as unset.
SELECT to_timestamp('20240701123456', 'YYYYMMDDHH24MISS') AS packed,
       to_timestamp('Jul 01 2024 03:04pm', 'Mon DD YYYY HH12:MIam') AS pm,
       to_timestamp('2024-07-01T12:34:56', 'YYYY-MM-DD"T"HH24:MI:SS') AS iso_t,
       to_date('01.07.2024', 'DD.MM.YYYY') AS dotted;
SELECT to_date('2024', 'YYYY-MM-DD') AS short_input, to_date('2024-07', 'YYYY-MM-DD') AS no_day,
       to_date('2024 07 01', 'FXYYYY MM DD') AS fx, to_date('2024-00-10', 'YYYY-MM-DD') AS month_0,
       to_date('24', 'YY') AS yy, to_date('5', 'Y') AS y, to_date('524', 'YYY') AS yyy,
       to_date('2024-JUL-01', 'YYYY-MON-DD') AS upper_mon, to_date('2024-july-01', 'YYYY-month-DD') AS lower_month;
SELECT to_date('202471', 'YYYYMMDD');
SELECT to_date('x2024', 'YYYY');
SELECT to_timestamp('2024-07-01 12:00 -05', 'YYYY-MM-DD HH24:MI OF');
-- Errors.
SELECT to_date('2024-13-01', 'YYYY-MM-DD');
SELECT to_date('abc', 'YYYY');
SELECT to_timestamp('13:00 PM', 'HH:MI PM');
SELECT to_timestamp('2024-07-01 25:00', 'YYYY-MM-DD HH24:MI');
SELECT to_date('2024-02-30', 'YYYY-MM-DD');
SELECT to_date('2024-Foo-05', 'YYYY-Mon-DD');
SELECT to_timestamp('2024-07-01 CET', 'YYYY-MM-DD TZ');
-- In a session zone: read there unless the text has an offset.
SET TIME ZONE 'America/New_York';
SELECT to_timestamp('2024-07-01 12:00', 'YYYY-MM-DD HH24:MI') AS local,
       to_timestamp('2024-07-01 12:00 -03', 'YYYY-MM-DD HH24:MI TZH') AS offset_given,
       to_timestamp('2024-03-10 02:30', 'YYYY-MM-DD HH24:MI') AS in_gap;
RESET timezone;
