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
drop view ev;
drop table et;
drop table eo;
