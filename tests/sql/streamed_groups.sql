-- GROUP BY the first primary key column of a table placed by it: each worker's rows of one
-- value come one after another, so each group is aggregated as its run goes by, without a hash
-- table (fragment.rs, ShardOp::Aggregate, `streamed`). Runs of many rows and of one, DISTINCT,
-- FILTER, ordered aggregates, HAVING, NULL arguments, a scan filter, and a work_mem small
-- enough that a worker's groups end parts of the scan between two runs.
drop table if exists sg_lines;
drop table if exists sg_single;
create table sg_lines (o bigint, n int, q numeric(12,2), s text, d date, primary key (o, n));
insert into sg_lines
  select o, n, ((o * 7 + n * 13) % 50) + 0.25 * (n % 4),
         case when (o + n) % 11 = 0 then null else 'k' || ((o * n) % 5) end,
         date '2020-01-01' + ((o * 3 + n) % 400)::int
  from generate_series(1, 3000) o, generate_series(1, 1 + (o % 7)) n;
create table sg_single (id int primary key, v int, t text);
insert into sg_single select i, i % 13, 't' || (i % 9) from generate_series(1, 5000) i;
analyze sg_lines;
analyze sg_single;

select o, count(*), sum(q), avg(q), min(s), max(d), count(s) from sg_lines group by o order by o limit 20;
select count(*), sum(c), sum(t) from (select o, count(*) c, sum(q) t from sg_lines group by o) x;
select o, sum(q) from sg_lines group by o having sum(q) > 240 order by sum(q) desc, o limit 15;
select o, count(distinct s), count(distinct n % 2), string_agg(s, ',' order by n desc) from sg_lines group by o order by o limit 12;
select o, count(*) filter (where q > 20), sum(q) filter (where s is null), array_agg(n order by n) from sg_lines group by o order by o desc limit 10;
select o, bool_and(q > 1), bool_or(s = 'k0'), max(s), min(q) from sg_lines where d >= date '2020-06-01' and n > 1 group by o order by o limit 10;
select id, count(*), sum(v), max(t) from sg_single group by id order by id limit 8;
select count(*), sum(s) from (select id, sum(v) s from sg_single where v > 3 group by id) x;
set work_mem = '64kB';
select count(*), sum(c), sum(t), min(o), max(o) from (select o, count(*) c, sum(q) t from sg_lines group by o) x;
select o, count(distinct s), sum(q) from sg_lines group by o having count(*) = 7 order by o limit 10;
select count(*), sum(s) from (select id, sum(v) s from sg_single group by id) x;
reset work_mem;
select o, count(*) from sg_lines where o > 5000 group by o;
-- HAVING right above a grouping the workers finish whole: they send only the rows it keeps.
select l.o, count(*), sum(l.q) from sg_lines l
  where l.o in (select o from sg_lines group by o having sum(q) > 220) group by l.o order by l.o;
select x.o, x.s, x.c from (select o, sum(q) s, count(*) c from sg_lines group by o
  having count(*) > 6 and sum(q) < 260) x order by x.o limit 10;
select count(*) from (select o from sg_lines group by o having abs(sum(q) - 150) < 20) x;
select count(*) from (select o, max(s) m from sg_lines group by o having max(s) is null or count(*) = 1) x;
-- One grouping named twice, filtered on one side only: each side has its own rows.
with r as (select o, sum(q) s from sg_lines group by o)
  select count(*), sum(s) from (select * from r where s > 200 union all select * from r) u;
with r as (select o, sum(q) s from sg_lines group by o)
  select (select count(*) from r where s > 200), (select count(*) from r), (select count(*) from r where s < 50);
set work_mem = '64kB';
select count(*), min(o), max(o) from (select o from sg_lines group by o having sum(q) > 100) x;
reset work_mem;
drop table sg_lines;
drop table sg_single;
