-- DISTINCT with ORDER BY in collecting aggregates (array_agg, string_agg, json_agg).
select array_agg(distinct x order by x) from (values (3),(1),(3)) v(x);
select array_agg(distinct x order by x desc) from (values (3),(1),(3),(null)) v(x);
select string_agg(distinct s, ',' order by s) from (values ('b'),('a'),('b')) v(s);
select string_agg(distinct s, ',' order by s desc) from (values ('b'::varchar),('a'),('b')) v(s);
select json_agg(distinct x order by x) from (values (2),(1),(2)) v(x);
select g, string_agg(distinct s, '|' order by s) from (values (1,'x'),(1,'y'),(1,'x'),(2,'z')) v(g,s) group by g order by g;
select array_agg(distinct x order by y) from (values (1,2)) v(x,y);
-- Without ORDER BY the values come out sorted, as PostgreSQL sorts a DISTINCT aggregate's input.
select array_agg(distinct x) from (values (3),(1),(2),(1),(null),(null)) v(x);
select string_agg(distinct s, ',') from (values ('c'),('a'),('b'),('a')) v(s);
select g, array_agg(distinct x), json_agg(distinct x), jsonb_agg(distinct x) from (values (1,10),(1,9),(1,10),(2,1)) v(g,x) group by g order by g;
select array_agg(distinct t) from unnest(array['y','x','y']) t;
select array_agg(distinct d) from (values (date '2024-03-01'), (date '2023-12-31')) v(d);
