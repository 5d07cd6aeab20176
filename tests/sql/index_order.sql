-- ORDER BY a secondary index's columns with a LIMIT (plan.rs index_order, exec.rs
-- index_ordered_read): the index's entries are read in order on every worker, merged, and their
-- rows fetched until enough pass the filter. Ascending and descending, NULLS FIRST/LAST on a
-- nullable first column (the NULL entries are a range of their own), the primary key after the
-- index's columns, equalities and bounds on a composite index, text, date and timestamp keys, a
-- unique index, OFFSET past the non-NULL entries, selective filters, the transaction's own
-- uncommitted changes, and indexes that cannot give the order (numeric, partial, expressions).
drop table if exists io_t, io_u;
create table io_t (id int primary key, at timestamp, d date, name text, grp int not null, score int, n numeric);
insert into io_t select g,
  case when g % 9 = 0 then null else timestamp '2026-01-01' + ((g * 37) % 500) * interval '1 hour' end,
  date '2026-01-01' + (g * 13) % 60,
  case when g % 11 = 0 then null else 'name' || lpad(((g * 7) % 300)::text, 3, '0') end,
  g % 4, (g * 17) % 50, ((g * 3) % 40) / 8.0
from generate_series(1, 2000) g;
create index io_at on io_t (at);
create index io_d on io_t (d);
create index io_name on io_t (name);
create index io_grp_score on io_t (grp, score);
create index io_n on io_t (n);
create index io_part on io_t (score) where grp = 1;
create index io_lower on io_t (lower(name));
delete from io_t where id % 10 = 3;
update io_t set at = at + interval '30 minutes' where id % 10 = 7;
select id, at from io_t order by at, id limit 6;
-- Every index column fixed by equalities: the entries of that value in primary key order (a
-- worker panicked looking for the next index column).
select id from io_t where d = date '2026-01-14' order by d, id limit 4;
select id from io_t where d = date '2026-01-14' order by d desc, id desc limit 4 offset 1;
select id, score from io_t where grp = 2 and score = 7 order by grp, score desc, id desc limit 3;
select id, at from io_t order by at desc, id desc limit 6;
select id, at from io_t order by at desc nulls last, id desc limit 6;
select id, at from io_t order by at nulls first, id limit 4;
select id, at from io_t order by at nulls first, id limit 4 offset 200;
select id, at from io_t order by at, id limit 5 offset 1590;
select id, at from io_t order by at desc, id desc limit 3 offset 1795;
select id, d from io_t order by d desc, id desc limit 5;
select id, d from io_t where d >= '2026-02-01' order by d, id limit 5;
select id, d from io_t where d < '2026-01-03' order by d desc, id desc limit 4;
select id, name from io_t order by name, id limit 5;
select id, name from io_t order by name desc nulls last, id desc limit 5;
select id, name from io_t where name > 'name290' order by name, id limit 20;
select id, name from io_t where name like 'name1%' and score > 40 order by name desc, id desc limit 5;
select id, grp, score from io_t where grp = 2 order by score, id limit 5;
select id, grp, score from io_t where grp = 2 order by score desc, id desc limit 5;
select id, grp, score from io_t where grp = 3 and score >= 45 order by grp, score, id limit 8;
select id, grp, score from io_t where grp = 0 and score < 3 order by score desc, id desc limit 10 offset 2;
select id, grp, score from io_t order by grp, score, id limit 5;
select id, grp, score from io_t order by grp desc, score desc, id desc limit 3;
select id, score from io_t where score = 7 order by at, id limit 4;
select id, at from io_t where id > 1900 order by at desc, id desc limit 3;
select id, at from io_t where at > '2026-01-21' order by at, id limit 5;
select id, at from io_t where at is null order by at, id limit 3;
select id from io_t where at > '2027-01-01' order by at limit 3;
select id, n from io_t order by n desc, id desc limit 5;
select id, score from io_t where grp = 1 order by score, id limit 5;
select id, name from io_t order by lower(name), id limit 3;
select * from (select id, at from io_t where grp = 1 order by at desc, id desc limit 4) s order by id;
with t as (select id, d from io_t where score > 45 order by d, id limit 7) select count(*), sum(id), min(d), max(d) from t;
select x.id, y.id from (select id from io_t order by at, id limit 2) x, (select id from io_t order by d desc, id desc limit 2) y order by 1, 2;
select id, at from io_t order by at, id limit null;
select min(at), max(at) from io_t;
select max(d), min(d), max(d) from io_t where score > 45;
select min(name) from io_t where id > 1990;
select max(name) from io_t where name < 'name100';
select min(at) from io_t where at > '2026-01-10';
select max(at) from io_t where grp = 9;
select max(at) + interval '1 day', min(d) from io_t;
select max(score), min(score) from io_t;
select min(n), max(n) from io_t;
create table io_u (k text primary key, v int);
create unique index io_u_v on io_u (v);
insert into io_u select 'k' || g, case when g % 5 = 0 then null else (g * 31) % 997 end from generate_series(1, 600) g;
select k, v from io_u order by v limit 5;
select k, v from io_u order by v desc, k desc limit 5;
select k, v from io_u order by v, k limit 3 offset 478;
select min(v), max(v) from io_u;
select max(v) from io_u where k like 'k1%' having max(v) > 10;
begin;
update io_u set v = -v where v < 10;
insert into io_u values ('new', 5000);
delete from io_u where v between 990 and 996;
select k, v from io_u order by v limit 4;
select k, v from io_u order by v desc nulls last limit 4;
rollback;
select k, v from io_u order by v desc nulls last limit 4;
