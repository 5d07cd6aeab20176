-- Ordered-set aggregates: percentile_cont, percentile_disc, mode() WITHIN GROUP (ORDER BY ...).
select percentile_cont(0.5) within group (order by x) from (values (1),(2),(3),(4)) v(x);
select percentile_cont(0.25) within group (order by x), percentile_disc(0.25) within group (order by x) from (values (10),(20),(30),(40),(null)) v(x);
select percentile_disc(0.5) within group (order by x desc), percentile_disc(0) within group (order by x), percentile_disc(1) within group (order by x) from (values (1),(2),(3),(4)) v(x);
select mode() within group (order by x) from (values (1),(2),(2),(4),(4)) v(x);
select mode() within group (order by s) from (values ('b'),('a'),('b')) v(s);
select g, percentile_cont(0.5) within group (order by x) from (values ('a',1.5),('a',2.5),('b',7.0)) v(g,x) group by g order by g;
select percentile_cont(0.5) within group (order by x) from (values (1)) v(x) where false;
select percentile_cont(1.5) within group (order by x) from (values (1)) v(x);
select percentile_disc(0.5) within group (order by d) from (values (date '2020-01-01'), (date '2021-01-01')) v(d);
select percentile_cont(0.9) within group (order by x::float8) from generate_series(1, 100) x;
