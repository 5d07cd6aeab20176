-- num_nulls/num_nonnulls, make_date, justify_days/hours/interval.
select num_nulls(1, null, 2), num_nonnulls(1, null), num_nulls(null::text, null::int), num_nonnulls('a', 1.5, now());
select make_date(2020, 2, 29), make_date(-44, 3, 15), make_date(1, 1, 1);
select make_date(2021, 2, 29);
select make_date(0, 1, 1);
select make_date(2020, 13, 1);
select justify_hours(interval '27 hours'), justify_hours(interval '-27 hours'), justify_hours(interval '1 day -1 hour');
select justify_days(interval '35 days'), justify_days(interval '-35 days'), justify_days(interval '1 mon -5 days');
select justify_interval(interval '1 mon -1 hour'), justify_interval(interval '-1 mon 1 hour'), justify_interval(interval '65 days 50 hours');
select justify_days(null), num_nulls();
select 'abc' ^@ 'ab', 'abc' ^@ 'b', 'abc' ^@ '', null ^@ 'a', starts_with('abc', 'b');
select s from (values ('apple'),('banana'),('apricot')) v(s) where s ^@ 'ap' order by s;
select 1 ^@ 'a';
