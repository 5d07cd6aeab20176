-- EXPLAIN of INSERT, UPDATE and DELETE (bind.rs explain_write): the write's node over the scan
-- with its access path and filter, INSERT's source, ON CONFLICT's details, a view's rewrite.
drop view if exists ev;
drop table if exists et;
drop table if exists eo;
create table et (id int primary key, a text, b int);
create table eo (id int primary key, label text);
create unique index et_a on et (a);
create view ev as select id, a from et where b > 0;
explain (costs off) update et set a = 'x' where id = 1;
explain (costs off) update et set a = 'x' where b = 1;
explain (costs off) update et e set a = 'x' where e.b = 1;
explain (costs off) update et set a = 'x';
explain (costs off) delete from et where id = 1;
explain (costs off) delete from et e where e.id = 1;
explain (costs off) delete from et where id = 2 and b = 3;
explain (costs off) insert into et values (1, 'a', 1);
explain (costs off) insert into et values (1, 'a', 1), (2, 'b', 2);
explain (costs off) insert into et select id, label, 1 from eo;
explain (costs off) insert into et values (1, 'a', 1) on conflict (id) do nothing;
explain (costs off) insert into et values (1, 'a', 1) on conflict (id) do update set a = excluded.a;
explain (costs off) insert into et values (1, 'a', 1) on conflict (a) do update set b = 2;
explain (costs off) delete from ev where id = 1;
-- EXPLAIN ANALYZE runs the write (rolled back here with its transaction): rows returned by the
-- write's node, rows found under it, ON CONFLICT's inserted and conflicting tuples.
insert into eo values (1, 'one'), (2, 'two');
begin;
explain (analyze, costs off, timing off, summary off) insert into et values (1, 'a', 1);
explain (analyze, costs off, timing off, summary off) insert into et values (2, 'b', 2), (3, 'c', 3);
explain (analyze, costs off, timing off, summary off) insert into et values (1, 'z', 1), (4, 'd', 4) on conflict (id) do nothing;
explain (analyze, costs off, timing off, summary off) insert into et values (1, 'y', 1), (5, 'e', 5) on conflict (id) do update set b = 10;
explain (analyze, costs off, timing off, summary off) update et set b = b + 1 where id = 2;
explain (analyze, costs off, timing off, summary off) update et set b = 0;
explain (analyze, costs off, timing off, summary off) update et set b = 1 where b + id > 4;
explain (analyze, costs off, timing off, summary off) select * from et where b = 1;
explain (analyze, costs off, timing off, summary off) delete from et where id = 3 returning id;
explain (analyze, costs off, timing off, summary off) insert into et select id + 10, label, 1 from eo;
select * from et order by id;
rollback;
select count(*) from et;
drop view ev;
drop table et;
drop table eo;
