-- date and interval types, date/time arithmetic, extract/date_part/date_trunc.
DROP TABLE IF EXISTS d_events;
CREATE TABLE d_events (id int PRIMARY KEY, day date, at timestamp, span interval);
INSERT INTO d_events VALUES
  (1, '2024-01-31', '2024-01-31 10:30:00', '1 day'),
  (2, '2024-02-29', '2024-02-29 23:59:59.5', '2 hours 30 minutes'),
  (3, '1999-12-31', '2000-01-01 00:00:00', '1 year 2 mons'),
  (4, NULL, NULL, NULL),
  (5, '2023-06-15', '2023-06-15 12:00:00', '-3 days 04:00:00');
SELECT * FROM d_events ORDER BY id;
SELECT id, day + 1, day - 1, day + 30 FROM d_events ORDER BY id;
SELECT id, day - date '2024-01-01' AS days FROM d_events ORDER BY id;
SELECT id, day + interval '1 month', at + span, at - span FROM d_events ORDER BY id;
SELECT id, at - timestamp '2024-01-01 00:00:00' FROM d_events ORDER BY id;
SELECT id, span * 2, span / 2, -span, span + interval '1 hour' FROM d_events ORDER BY id;
SELECT id FROM d_events WHERE day >= '2024-01-01' ORDER BY id;
SELECT id FROM d_events WHERE day BETWEEN date '2023-01-01' AND date '2024-02-01' ORDER BY id;
SELECT id FROM d_events WHERE at < date '2024-02-01' ORDER BY id;
SELECT id FROM d_events WHERE span > interval '1 day' ORDER BY id;
SELECT id, day FROM d_events ORDER BY day DESC NULLS LAST;
SELECT id, span FROM d_events ORDER BY span, id;
SELECT min(day), max(day), count(DISTINCT day), min(span), max(span) FROM d_events;
SELECT extract(year FROM day), extract(month FROM day), extract(day FROM day), extract(dow FROM day), extract(doy FROM day) FROM d_events ORDER BY id;
SELECT extract(hour FROM at), extract(minute FROM at), extract(second FROM at), extract(epoch FROM at), extract(quarter FROM at) FROM d_events ORDER BY id;
SELECT extract(week FROM day), extract(isoyear FROM day), extract(isodow FROM day), extract(century FROM day), extract(epoch FROM day) FROM d_events ORDER BY id;
SELECT extract(day FROM span), extract(hour FROM span), extract(month FROM span), extract(epoch FROM span) FROM d_events ORDER BY id;
SELECT date_part('year', at), date_part('month', day), date_part('epoch', span) FROM d_events ORDER BY id;
SELECT date_trunc('month', at), date_trunc('day', at), date_trunc('hour', at), date_trunc('year', at), date_trunc('quarter', at), date_trunc('week', at) FROM d_events ORDER BY id;
SELECT extract(year FROM day) AS y, count(*) FROM d_events GROUP BY 1 ORDER BY 1;
SELECT date '2024-03-01' - interval '1 day', date '1998-12-01' - interval '90' day, timestamp '2024-01-31 00:00' + interval '1 month';
SELECT interval '1 year 2 months 3 days 04:05:06.789', interval '90 minutes', interval '-1 day 2 hours', interval '1.5 days', interval '0';
SELECT interval '3' month, interval '2' year, interval '36' hour, interval '@ 2 days ago';
SELECT '2024-02-30'::date;
SELECT 'tomorrowish'::date;
SELECT '1 fortnight'::interval;
SELECT date '2024-01-01' + date '2024-01-02';
SELECT extract(hour FROM date '2024-01-01');
SELECT date_trunc('fortnight', timestamp '2024-01-01');
SELECT '2024-05-06'::date::timestamp, '2024-05-06 13:00'::timestamp::date, '5 days'::interval::text, '2024-05-06'::date::text;
SELECT current_date = now()::date, current_date - 1 < current_date;
SELECT '2024-01-01 +00'::date, '2024-03-05 10:00:00+05'::date, '2024-03-05 23:30:00-08:00'::date;
SELECT '2024-13-01 10:00'::timestamp;
SELECT '2024-13-01'::date;
SELECT '2024-01-01 25:00'::timestamptz;
SELECT '2024-01-01 10:00:61'::timestamp;
SELECT '0000-01-01'::date;
SELECT '0000-01-01 10:00'::timestamp;
SELECT 'soon'::timestamp;
SELECT '2024-01-01 ab:00'::timestamptz;
SELECT '0001-01-01 BC'::date, '2024-02-29'::date, '9999-12-31'::date, '1582-10-10'::date;
