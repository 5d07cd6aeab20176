-- A scan that takes few semi-join keys on the first column of a secondary index reads them
-- through the index (exec.rs lookup_index, ShardOp::IndexLookup): the entries under each key on
-- every worker, then the rows they name by key, the scan's filter tested there. smallint,
-- integer, bigint, text, varchar and uuid index columns (keys that are prefixes of others), text
-- and uuid primary keys and unique one-column indexes (reads on the keys' owners), keys from
-- integer and numeric columns, composite and unique indexes, NULLs in the indexed column, rows
-- whose indexed value changed or that were deleted (their old entries must not bring them back),
-- LEFT JOINs, IN subqueries, partial and expression indexes (not used), and the transaction's own
-- changes.
drop table if exists ij_parent, ij_child, ij_small, ij_big, ij_code, ij_item, ij_u, ij_uref;
create table ij_parent (id int primary key, name text not null, kind int, amount numeric);
create table ij_child (id int primary key, parent int, qty int, note text);
create table ij_small (id int primary key, p smallint, v int);
create table ij_big (id bigint primary key, p bigint, w int);
insert into ij_parent select g, 'p' || g, g % 10, g / 2.0 from generate_series(1, 2000) g;
insert into ij_child select g, case when g % 50 = 0 then null else 1 + (g * 7) % 2000 end, g % 9, 'c' || g from generate_series(1, 20000) g;
insert into ij_small select g, (1 + g % 300)::smallint, g from generate_series(1, 6000) g;
insert into ij_big select g, 1 + (g * 13) % 2000, g from generate_series(1, 12000) g;
create table ij_code (code varchar(12) primary key, label text);
create table ij_item (id int primary key, code text, n int);
insert into ij_code select 'k' || g, 'label ' || g from generate_series(1, 400) g;
insert into ij_code values ('ab', 'short'), ('abc', 'longer'), ('', 'empty');
insert into ij_item select g, case when g % 40 = 0 then null when g % 97 = 0 then 'ab' when g % 89 = 0 then 'abc' else 'k' || (1 + g % 400) end, g from generate_series(1, 8000) g;
insert into ij_item values (8001, '', 1), (8002, 'ab ', 2);
create index ij_item_code on ij_item (code);
create table ij_u (id uuid primary key, n int);
create table ij_uref (id int primary key, u uuid, m int);
insert into ij_u select md5(g::text)::uuid, g from generate_series(1, 3000) g;
insert into ij_uref select g, md5((1 + g % 3000)::text)::uuid, g from generate_series(1, 9000) g;
create index ij_uref_u on ij_uref (u);
insert into ij_uref values (9001, null, null), (9002, null, null);
create unique index ij_uref_m on ij_uref (m);
create index ij_child_parent on ij_child (parent);
create index ij_small_p_v on ij_small (p, v);
create index ij_big_p on ij_big (p);
create index ij_child_qty_part on ij_child (qty) where qty > 5;
create index ij_child_expr on ij_child ((qty + 1));
update ij_child set parent = 17 where id between 100 and 104;
delete from ij_child where id between 200 and 203;
analyze;
select p.id, c.id, c.qty from ij_parent p join ij_child c on c.parent = p.id where p.id in (17, 29, 1733) order by 1, 2;
select p.name, count(c.id), sum(c.qty) from ij_parent p left join ij_child c on c.parent = p.id where p.name in ('p5', 'p99', 'p1999') group by p.name order by 1;
select p.id, c.id from ij_parent p left join ij_child c on c.parent = p.id where p.id = 1 order by 2;
select c.id, c.parent from ij_child c where c.parent in (select id from ij_parent where name = 'p3') order by 1;
select s.id, s.p, s.v from ij_parent p join ij_small s on s.p = p.id where p.id between 7 and 9 and s.v < 1000 order by 1;
select b.id, b.p from ij_parent p join ij_big b on b.p = p.id where p.id = 1234 order by 1;
select b.id, b.p from ij_big b join ij_parent p on p.amount = b.p where p.id in (4, 8) order by 1;
select b.id from ij_big b join ij_parent p on p.amount = b.p where p.id = 5 order by 1;
select c.id, c.qty from ij_parent p join ij_child c on c.qty = p.kind + 5 where p.id = 3 and c.parent < 40 order by 1;
select count(*) from ij_parent p join ij_child c on c.parent = p.id where p.kind = 4;
select count(*) from ij_child c join ij_parent p on p.id = c.parent where c.id between 100 and 110;
select p.id, c.id from ij_parent p join ij_child c on c.parent = p.id where p.id in (200, 201, 202) order by 1, 2;
select c.code, i.id from ij_code c join ij_item i on i.code = c.code where c.label in ('short', 'label 7', 'empty') order by 1, 2;
select c.label, count(i.id) from ij_code c left join ij_item i on i.code = c.code where c.code in ('abc', 'k400', 'nothing') group by c.label order by 1;
select i.id from ij_item i where i.code in (select code from ij_code where label = 'longer') order by 1;
-- Keys on a text or uuid primary key: seeks on the keys' owners.
select i.id, c.code, c.label from ij_item i join ij_code c on c.code = i.code where i.id in (97, 89, 5, 8001, 8002, 40) order by 1;
select r.id, u.n from ij_uref r join ij_u u on u.id = r.u where r.id in (1, 2999, 3000, 8999) order by 1;
select u.n, count(r.id), min(r.id) from ij_u u join ij_uref r on r.u = u.id where u.n in (10, 20, 3000) group by u.n order by 1;
select u.n from ij_u u where u.id in (select u from ij_uref where id between 10 and 12) order by 1;
-- A unique index of one column: each key read on its one owner.
select u.n, r.id, r.m from ij_u u join ij_uref r on r.m = u.n where u.n in (5, 77, 2999) order by 1;
select u.n, r.id from ij_u u left join ij_uref r on r.m = u.n * 4 where u.n in (1, 2250, 2251) order by 1;
begin;
update ij_uref set m = 100000 + m where id = 77;
insert into ij_uref values (9003, null, 77);
select u.n, r.id, r.m from ij_u u join ij_uref r on r.m = u.n where u.n in (5, 77) order by 1;
rollback;
-- The transaction's own changes, and a concurrent-looking move back and forth.
begin;
insert into ij_child values (30001, 29, 1, 'mine'), (30002, 1733, 2, 'mine too');
update ij_child set parent = 1733 where id = 30001;
delete from ij_child where parent = 17 and id > 103;
select p.id, c.id, c.note from ij_parent p join ij_child c on c.parent = p.id where p.id in (17, 29, 1733) order by 1, 2;
rollback;
select p.id, c.id from ij_parent p join ij_child c on c.parent = p.id where p.id in (17, 29, 1733) order by 1, 2;
drop table ij_parent, ij_child, ij_small, ij_big, ij_code, ij_item, ij_u, ij_uref;
