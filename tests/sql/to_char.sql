-- to_char of timestamps, timestamptz (in the session's zone, UTC here) and dates: PostgreSQL's
-- patterns, fill mode (FM), ordinal suffixes (TH/th), quoted text and escapes.
set timezone = 'UTC';
select to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.US');
select to_char(timestamp '2024-03-05 14:07:09.123456', 'Day, DD Month YYYY HH12:MI AM');
select to_char(timestamp '2024-03-05 14:07:09.123456', 'FMDay, FMDD FMMonth YYYY FMHH12:MI pm');
select to_char(timestamp '2024-03-05 00:07:09', 'DAY day Dy dy DY MONTH month Mon mon MON');
select to_char(timestamp '2024-12-31 23:59:59.999', 'DDD D ID IW IYYY IYY IY I WW W Q CC J');
select to_char(timestamp '2021-01-01 12:00:00', 'IYYY-IW-ID IDDD YYYY-WW DDD');
select to_char(date '2024-03-01', 'DDth DDTH FMDDth Mon dd"st of" YYYY');
select to_char(d, 'FMDDth') from (values (date '2024-01-01'), ('2024-01-02'), ('2024-01-03'), ('2024-01-04'), ('2024-01-11'), ('2024-01-12'), ('2024-01-13'), ('2024-01-21'), ('2024-01-22'), ('2024-01-23')) v(d);
select to_char(timestamp '2024-03-05 14:07:09.123456', 'MS US FF1 FF2 FF3 FF4 FF5 FF6 SSSS SSSSS');
select to_char(timestamp '2024-03-05 14:07:09', 'RM rm FMRM Y,YYY YYY YY Y A.M. a.m. AD ad A.D. BC');
select to_char(timestamptz '2024-03-05 14:07:09+00', 'YYYY-MM-DD"T"HH24:MI:SS TZ tz OF TZH:TZM');
select to_char(timestamp '2024-03-05 14:07:09', 'YYYY-MM-DD TZ OF');
select to_char((date '0001-01-01' - 1)::timestamp, 'YYYY BC B.C. CC Y,YYY');
select to_char(timestamp '12345-01-01', 'YYYY Y,YYY');
select to_char(timestamp '2024-03-05', '"Quoted \"text\" YYYY" YYYY \\ \"');
select to_char(timestamp 'infinity', 'YYYY'), to_char(null::timestamp, 'YYYY'), to_char(timestamp '2024-01-01', '');
select to_char(t, 'HH HH12 HH24 AM') from (values (timestamp '2024-01-01 00:30'), ('2024-01-01 12:30'), ('2024-01-01 13:30')) v(t);
select to_char(now(), 'YYYY') = extract(year from now())::text;
select to_char(date '2024-02-29', 'yyyy-mm-dd hh24:mi:ss'), to_char(date '2024-02-29', 'Mon-DD-YY');
select to_char('2024-01-01', 'YYYY');
