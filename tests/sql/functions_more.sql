-- SIMILAR TO, similar_to_escape, to_hex, regexp_split_to_array, random, clock_timestamp,
-- and the variance / standard deviation aggregates.
select 'abc' similar to 'a%', 'abc' similar to 'b%', 'abc' not similar to '_b_', 'a.c' similar to 'a.c', 'abc' similar to 'a.c';
select 'abc' similar to '(a|x)(b|y)c', 'aaa' similar to 'a+', 'ab' similar to 'a{1,2}b', 'a%b' similar to 'a#%b' escape '#', 'axb' similar to 'a#%b' escape '#';
select 'a_b' similar to 'a\_b', 'axb' similar to 'a\_b', 'abc' similar to '[a-c]+', 'a%' similar to '[%]%', 'a' similar to '', '' similar to '';
select similar_to_escape('a%b_c'), similar_to_escape('a#%'), similar_to_escape('a#%', '#'), similar_to_escape('(x|y)[.%]$^.');
select 'abc' similar to 'a%' escape '';
select 'abc' similar to 'a%' escape 'xy';
select null similar to 'a', 'a' similar to null;
select to_hex(255), to_hex(-1), to_hex(-1::bigint), to_hex(0), to_hex(2147483648);
select regexp_split_to_array('a,b,,c', ','), regexp_split_to_array('abc', ''), regexp_split_to_array('a1b22c', '[0-9]+'), regexp_split_to_array('', ','), regexp_split_to_array('AxBXc', 'x', 'i');
select regexp_split_to_array('hello world', '\s*'), regexp_split_to_array(',a,', ',');
select random() >= 0 and random() < 1, count(distinct random()) from generate_series(1, 100);
select clock_timestamp() >= now(), pg_typeof(clock_timestamp());
select 'a' similar to 'a\';
select similar_to_escape('a#"b#"c', '#');
select 'x' similar to 'a#"b#"c#"d' escape '#';
select 'abc' similar to '[^b]bc', 'a]' similar to '[]]%', 'a' similar to 'A';
select stddev(x), variance(x), stddev_pop(x), var_pop(x), var_samp(x), stddev_samp(x) from generate_series(1,10) x;
select stddev(x::numeric(10,2)), variance(x * 1.5) from generate_series(1,10) x;
select stddev(x::float8), variance(x::float8), var_pop(x::float4), stddev_pop(x::float8) from generate_series(1,10) x;
select stddev(x), variance(x), var_pop(x) from (values (5)) v(x);
select stddev(x), var_pop(x) from (select 1 where false) v(x);
select variance(x) from (values (1.0), (1.0), (1.0)) v(x);
select g, stddev(x)::numeric(20,6), variance(x) from (select x % 3 as g, x from generate_series(1, 100) x) s group by g order by g;
select stddev(x::bigint * 1000000000), variance(x::int2) from generate_series(1,5) x;
select variance(x) from (values (1e20), (1e-20)) v(x);
select stddev(x) over (order by x rows between 1 preceding and current row) from generate_series(1,4) x;
select stddev('a'::text);
select avg(x::numeric(10,2)) from generate_series(1,3) x;
-- Set-returning splits, regular-expression substring, json_extract_path, convert_from/to.
select * from regexp_split_to_table('a1b22c', '[0-9]+');
select * from regexp_split_to_table('a,b', ',') with ordinality as t(part, n);
select * from string_to_table('a,b,,c', ',');
select * from string_to_table('a,b,,c', ',', '');
select regexp_split_to_table('x y  z', '\s+'), string_to_table('1|2', '|');
select substring('abcdef' from 'c.e'), substring('abcdef' from 'b(c)d'), substring('abcdef' from 'zz'), substring('abcdef' from 2), substring('abcdef' from 2 for 2);
select substring('foobar' from '%#"o_b#"%' for '#'), substring('foobar' from '#"o_b#"%' for '#');
select substring('abc', 'b'), substring('abc' from '2');
select json_extract_path('{"a":{"b":[1,2]}}', 'a', 'b'), json_extract_path_text('{"a":{"b":"x"}}', 'a', 'b'), jsonb_extract_path('{"a":1}', 'a'), jsonb_extract_path_text('{"a":{"b":[1,2]}}', 'a', 'b', '1'), json_extract_path('{"a":1}', 'z');
select convert_from('\x616263'::bytea, 'UTF8'), convert_to('abc', 'utf8'), convert_from('\xe9'::bytea, 'LATIN1'), convert_to('é', 'LATIN1');
select convert_from('\xff'::bytea, 'UTF8');
select convert_to('x', 'nope');
-- make_interval by position and by name.
select make_interval(days => 3, hours => 2), make_interval(1, 2, 3, 4, 5, 6, 7.5), make_interval(secs => 1.25), make_interval(), make_interval(weeks => -1, mins => 90);
select make_interval(2, days => 1), make_interval(hours => 1.5::int);
select make_interval(foo => 1);
select make_interval(secs => 'infinity');
-- json[b]_strip_nulls, array_fill.
select json_strip_nulls('{"a": null, "b": [1, null, {"c": null}],  "d":{"e":null}}'), jsonb_strip_nulls('{"a": null, "b": [1, null, {"c": null}], "d":{"e":null}}'), jsonb_strip_nulls('null'), json_strip_nulls('[null]');
select array_fill(7, array[3]), array_fill(0, array[2,2]), array_fill('x'::text, array[2], array[5]), array_fill(1, array[0]), array_fill(null::int, array[2]);
select array_fill(1, null);
select array_fill('x', array[1]);
select array_fill(1, array[-1]);
select array_fill(1, array[2], array[1, 2]);
-- json_object_agg / jsonb_object_agg.
select json_object_agg(x, x*2), jsonb_object_agg(x::text, x) from generate_series(1,3) x;
select json_object_agg(k, v order by k desc), jsonb_object_agg(k, v) from (values ('b', null), ('a', '{"x":1}'::json), ('a', '2')) t(k, v);
select json_object_agg(x, x) from generate_series(1,0) x;
select g, json_object_agg(x, x) from (select x % 2 as g, x from generate_series(1, 4) x) s group by g order by g;
select json_object_agg(null::text, 1);
select jsonb_object_agg(null::text, 1);
