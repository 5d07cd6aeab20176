-- regexp_matches(string, pattern [, flags]): a set of text[] (capture groups, or the whole match),
-- in FROM and in the SELECT list; the first match, or every match with g.
select regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)');
select regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)', 'g');
select regexp_matches('abc', 'x');
select regexp_matches('aAbB', '[a-z]', 'gi');
select regexp_matches('one two  three', '\w+', 'g');
select m, n from regexp_matches('k1=v1;k2=v2;k3', '(\w+)=(\w+)', 'g') with ordinality as t(m, n);
select m[1] as k, m[2] as v from regexp_matches('k1=v1;k2=v2', '(\w+)=(\w+)', 'g') as m;
drop table if exists rx;
create table rx (id int primary key, s text);
insert into rx values (1, 'a1b22c333'), (2, 'none'), (3, null), (4, 'x9');
select id, regexp_matches(s, '[0-9]+', 'g') from rx order by id, 2;
select id, (regexp_matches(s, '([a-z])([0-9]+)'))[2] from rx order by id;
select id, count(*) from rx, lateral regexp_matches(s, '[0-9]', 'g') group by id order by id;
select regexp_matches('abc', 'b', 'z');
select regexp_matches(1, 'a');
select * from regexp_matches('a', 'b', 'c', 'd');
drop table rx;
