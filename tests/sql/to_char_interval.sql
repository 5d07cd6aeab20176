-- to_char of intervals: hours past 24, signed parts, errors for calendar-only patterns.
select p, to_char(i, p) from (values (interval '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds'), (interval '49:30:15'), (interval '-3 days -2 hours'), (interval '0'), (interval '14 months'), (interval '-1 year -5 months -10 minutes')) v(i),
 (values ('HH24:MI:SS'), ('HH:MI:SS AM'), ('HH12 pm'), ('YYYY-MM-DD'), ('Y,YYY YYY YY Y'), ('DDD DD'), ('MS US FF3'), ('SSSS'), ('FMHH24'), ('CC'), ('WW W'), ('Q'), ('MM'), ('RM'), ('J'), ('FMDDth'), ('IW IYYY IDDD'), ('"days:" DD')) f(p) order by p, i;
select to_char(interval '1 year 2 months', 'Month');
select to_char(interval '1 day', 'BC');
select to_char(interval '1 day', 'TZ');
select to_char(interval '1 day', 'DY');
select p, to_char(i, p) from (values (interval '1 year'), (interval '-2 years'), (interval '-1 month'), (interval '-12 months 1 day')) v(i), (values ('RM'), ('rm'), ('Q'), ('MM'), ('FMRM')) f(p) order by p, i;
