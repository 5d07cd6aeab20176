-- SELECT ... FOR UPDATE / FOR SHARE beyond one table: joins (all tables, or those OF names, each
-- with its own clause), subqueries in WHERE and in other statements, WITH queries, the clause
-- before LIMIT/OFFSET, PostgreSQL's four strengths and its errors. (Waits, SKIP LOCKED and
-- rechecks across sessions: tests/locking/.)
drop view if exists fut_queued;
drop table if exists fut_job, fut_owner, fut_nopk;
create table fut_owner (id int primary key, name text not null);
create table fut_job (id int primary key, status text not null, owner int references fut_owner (id), prio int);
create table fut_nopk (a int, b text);
insert into fut_owner values (1, 'ann'), (2, 'bob'), (3, 'cy');
insert into fut_job select g, case when g % 3 = 0 then 'done' else 'queued' end, case when g % 4 = 0 then null else 1 + g % 3 end, g % 5 from generate_series(1, 12) g;
insert into fut_nopk values (1, 'x'), (2, 'y');
-- Joins: every table, OF one, OF both, FOR SHARE OF one with FOR UPDATE OF the other.
select j.id, o.name from fut_job j join fut_owner o on o.id = j.owner where j.id < 6 order by j.id for update;
select j.id, o.name from fut_job j join fut_owner o on o.id = j.owner where j.id < 6 order by j.id for update of j;
select j.id, o.name from fut_job j join fut_owner o on o.id = j.owner where j.id < 6 order by j.id for update of j, o;
select j.id, o.name from fut_job j, fut_owner o where o.id = j.owner and o.name = 'bob' order by j.id for share of o for update of j nowait;
select j.id, j.status, o.name from fut_job j left join fut_owner o on o.id = j.owner where j.id between 3 and 9 order by j.id for update of j;
select j.id, o.name from fut_job j join fut_owner o on o.id = j.owner order by j.id desc for update of o skip locked limit 3;
-- The clause before LIMIT / OFFSET / FETCH, and the four strengths.
select id from fut_job order by id for update limit 2 offset 3;
select id from fut_job order by id for no key update offset 10;
select id from fut_job order by id for key share fetch first 2 rows only;
select j.id from fut_job j join fut_owner o on o.id = j.owner order by j.id for no key update of j for key share of o limit 2;
-- Subqueries: IN, scalar, EXISTS, in FROM with its own clause; the rows come back locked.
select id, status from fut_job where id in (select id from fut_job where status = 'done' order by id for update) order by id;
select (select name from fut_owner where id = 2 for share) as owner_name;
select * from (select id, prio from fut_job where prio = 4 order by id for update) s order by id;
select id from fut_job j where exists (select 1 from fut_owner o where o.name = 'cy' for update) and j.id < 3 order by id;
select id from fut_job where prio = (select max(prio) from fut_job) and id in (select id from fut_job order by id desc for update skip locked limit 2) order by id;
-- Inside writes: the queue idioms.
update fut_job set status = 'running' where id = (select id from fut_job where status = 'queued' order by id for update skip locked limit 1) returning *;
with next as (select id from fut_job where status = 'queued' order by id limit 2 for update skip locked)
update fut_job j set status = 'running' from next where j.id = next.id;
with gone as (delete from fut_job where id in (select id from fut_job where status = 'done' order by id for update limit 2) returning id)
select id from gone order by id;
insert into fut_owner select id + 100, 'copy ' || name from fut_owner where id < 3 for update;
with locked as (select id from fut_owner where id > 100 for update) select count(*) from locked;
select id, status from fut_job order by id;
-- Prepared, with parameters for the limit.
prepare take(int) as select id from fut_job where status = 'queued' order by id for update skip locked limit $1;
execute take(2);
execute take(1);
deallocate take;
-- Views and subqueries in FROM: their tables' rows are locked (a plain one is pulled up, so the
-- rows passing the outer WHERE too; one with ORDER BY or LIMIT locks its own rows); WITH
-- queries are passed over.
create view fut_queued as select id, owner, prio * 10 as score from fut_job where status = 'queued';
select * from fut_queued where owner = 2 order by id for update;
select q.id, o.name from fut_queued q join fut_owner o on o.id = q.owner where q.score > 10 order by q.id for update of q;
select * from (select id, prio from fut_job where prio > 2) s where id < 8 order by id for share;
select * from (select * from (select id, prio + 1 as next from fut_job) a where next > 3) b order by id for update skip locked limit 2;
select * from (select id from fut_job order by id limit 3) s for update;
select * from fut_queued order by id limit 2 for no key update;
with w as (select id from fut_job where id < 3) select * from w order by id for update;
select * from (select 1 as x) s for update;
-- Within a transaction, and read-only transactions refuse every form.
begin;
select j.id, o.name from fut_job j join fut_owner o on o.id = j.owner where j.id = 5 for update;
update fut_job set prio = 9 where id = 5;
select j.id, j.prio from fut_job j join fut_owner o on o.id = j.owner where j.id = 5 for update;
commit;
begin read only;
select * from fut_job where id in (select id from fut_job for share) and id = 1;
rollback;
begin read only;
select j.id from fut_job j join fut_owner o on o.id = j.owner for key share of o;
rollback;
-- Errors.
select * from fut_job j for update of fut_job;
select * from fut_job j for update of j, nosuch;
select * from fut_job for update of public.fut_job;
select * from fut_job j left join fut_owner o on o.id = j.owner for update;
select * from fut_job j left join fut_owner o on o.id = j.owner for no key update of o;
select * from fut_job j full join fut_owner o on o.id = j.owner for key share of j;
select * from fut_job j, generate_series(1, 2) g where j.id = g for update of g;
select * from fut_job j, generate_series(1, 2) g where j.id = g order by j.id for update;
select * from fut_job j, (values (1)) v(x) where j.id = v.x for update of j, v;
select id from fut_job union select id from fut_owner for update;
select count(*) from fut_job for no key update;
select owner, count(*) from fut_job group by owner for key share;
select distinct owner from fut_job for share of fut_job;
select generate_series(1, 2), id from fut_job where id = 1 for update;
select id, row_number() over () from fut_job for update;
select id from fut_job order by id for update limit 1 for share;
with w as (select id from fut_job) select * from w for update of w;
select * from fut_job j left join fut_queued q on q.id = j.id for update;
select * from fut_job j left join fut_queued q on q.id = j.id for update of q;
select * from fut_job j left join (select id from fut_job order by id limit 3) s on s.id = j.id for update;
select * from (select owner, count(*) from fut_job group by owner) s for update;
select * from (select distinct owner from fut_job) s for update;
select * from (select id from fut_job union select id from fut_owner) s for update;
select * from (select id, row_number() over () from fut_job) s for update;
-- Rows of a table without a primary key are locked by their row keys, in joins, subqueries
-- and under LIMIT (two equal rows are two rows).
insert into fut_nopk values (2, 'y');
select n.*, j.status from fut_nopk n join fut_job j on j.id = n.a order by n.a, n.b for update of n;
select n.b, o.name from fut_job j join fut_nopk n on n.a = j.id left join fut_owner o on o.id = j.owner
  where n.b <> 'x' order by 1 for update of n, j;
select * from fut_job j, fut_nopk n where n.a = j.id and j.id > 1 order by j.id limit 1 for share of n, j;
select * from (select a, b || '!' as b from fut_nopk where a > 1) s join fut_job j on j.id = s.a order by s.b
  for update;
select count(*) from (select n.a from fut_nopk n join fut_job j on j.id = n.a for update of n) l;
select n.a, (select count(*) from fut_job j where j.id = n.a) from fut_nopk n
  where n.a in (select id from fut_job) order by n.a for key share;
with l as (select n.b from fut_nopk n join fut_owner o on true for no key update of n) select * from l order by b;
drop view fut_queued;
drop table fut_job, fut_owner, fut_nopk;
-- A SELECT without FROM locks nothing (sqlparser would read FOR as an alias).
SELECT 1 FOR UPDATE;
SELECT 1 AS x FOR SHARE;
SELECT 1, 2 FOR NO KEY UPDATE NOWAIT;
SELECT 1 FOR KEY SHARE SKIP LOCKED;
SELECT 1 FOR UPDATE OF fut_nowhere;
SELECT 1 UNION SELECT 2 FOR UPDATE;
-- Also as a subquery, at any depth, in statements with FROM or without.
select (select 1 for update);
select * from (select 1 as x for update) s;
select 1 where exists (select 1 for share);
with r as (select 1 as a for update) select * from r;
create table fut_lone (a int primary key, b int);
insert into fut_lone values (1, 2);
select * from fut_lone where a in (select 1 for key share);
select * from fut_lone where a = (select 1 for no key update nowait) for update;
select (select 1 for update of fut_lone);
select (select 1 union select 2 for update);
select (select 1 for update), (select 2 for share skip locked);
select substring('abcdef' from 2 for 3), (select 5 for update);
update fut_lone set b = (select 7 for update) where a = 1 returning *;
drop table fut_lone;
