-- DISTINCT with ORDER BY in collecting aggregates (array_agg, string_agg, json_agg).
select array_agg(distinct x order by x) from (values (3),(1),(3)) v(x);
select array_agg(distinct x order by x desc) from (values (3),(1),(3),(null)) v(x);
select string_agg(distinct s, ',' order by s) from (values ('b'),('a'),('b')) v(s);
select string_agg(distinct s, ',' order by s desc) from (values ('b'::varchar),('a'),('b')) v(s);
select json_agg(distinct x order by x) from (values (2),(1),(2)) v(x);
select g, string_agg(distinct s, '|' order by s) from (values (1,'x'),(1,'y'),(1,'x'),(2,'z')) v(g,s) group by g order by g;
select array_agg(distinct x order by y) from (values (1,2)) v(x,y);
