-- A LIMIT over a sort moves below a join that keeps every row of the sorted side (topn.rs):
-- LEFT/RIGHT joins, INNER joins along a NOT NULL, non-deferrable foreign key to its whole
-- referenced table; with the OFFSET when the other side is unique on the join keys (primary key,
-- unique index), else as LIMIT + OFFSET rows. The limited side is read in key order when it can
-- be, and the other side takes its keys. Also the shapes that must not move (nullable or
-- deferrable keys, filtered parents, filters above the join, keys from both sides, expressions,
-- WITH TIES, DISTINCT), parameters, chains of joins, subqueries, and the transaction's own
-- changes.
drop table if exists lj_line, lj_order, lj_cust, lj_nation, lj_tag, lj_def;
create table lj_nation (id int primary key, name text not null);
create table lj_cust (id int primary key, name text not null, nation int not null references lj_nation (id), email text unique, region int);
create table lj_order (id int primary key, cust int not null references lj_cust (id), helper int references lj_cust (id), total numeric(10,2), created date, note text);
create table lj_line (ord int not null references lj_order (id), n int not null, qty int, primary key (ord, n));
create table lj_tag (cust int, tag text);
create table lj_def (id int primary key, cust int not null references lj_cust (id) deferrable);
insert into lj_nation select g, 'nation ' || g from generate_series(1, 5) g;
insert into lj_cust select g, 'cust ' || g, 1 + g % 5, case when g % 4 = 0 then null else 'c' || g || '@x' end, g % 3 from generate_series(1, 300) g;
insert into lj_order select g, 1 + (g * 37) % 300, case when g % 5 = 0 then null else 1 + (g * 11) % 300 end,
  (g % 97) * 1.25, date '2026-01-01' + (g * 7) % 200, case when g % 6 = 0 then null else 'n' || (g % 13) end
from generate_series(1, 3000) g;
insert into lj_line select o, n, (o * n) % 17 from generate_series(1, 3000) o, generate_series(1, 3) n where (o + n) % 4 <> 0;
insert into lj_tag select 1 + (g * 7) % 300, 'tag' || (g % 3) from generate_series(1, 400) g;
insert into lj_cust select g, 'spare ' || g, 1, null, 0 from generate_series(400, 449) g;
insert into lj_def select g, 400 + g % 50 from generate_series(1, 50) g;
analyze;
-- LEFT JOIN to the primary key: the limit moves to the orders, read in key order.
select o.id, o.total, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id desc limit 7;
select o.id, o.total, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit 5 offset 2990;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.helper order by o.id desc limit 6;
-- ON conditions beyond the keys pad instead of dropping.
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust and c.region = 1 order by o.id limit 8;
-- A sort on columns without an index, with NULLs, both directions.
select o.id, o.created, o.note, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.note desc nulls last, o.created, o.id limit 6;
select o.id, o.note, c.id from lj_order o left join lj_cust c on c.id = o.cust order by o.note nulls first, o.id desc limit 5 offset 3;
-- A unique index on the other side; a filter on it.
select c.id, c2.name from lj_cust c left join lj_cust c2 on c2.email = c.email order by c.id desc limit 5;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust and c.name like 'cust 1%' order by o.id desc limit 6;
select o.id, c.name from lj_order o left join (select * from lj_cust where region = 2) c on c.id = o.cust order by o.id limit 6;
-- RIGHT JOIN, sorted on its right side.
select c.name, o.id from lj_cust c right join lj_order o on c.id = o.cust order by o.id desc limit 5;
-- INNER JOIN along a NOT NULL foreign key to the whole referenced table.
select o.id, c.name from lj_order o join lj_cust c on c.id = o.cust order by o.id desc limit 6;
select o.id, c.name from lj_cust c join lj_order o on o.cust = c.id order by o.created desc, o.id limit 6 offset 4;
select o.id, c.name, n.name from lj_order o join lj_cust c on c.id = o.cust join lj_nation n on n.id = c.nation order by o.id desc limit 5;
select o.id, c.name, n.name from lj_order o left join lj_cust c on c.id = o.cust left join lj_nation n on n.id = c.nation order by o.id limit 5 offset 10;
select l.ord, l.n, o.total from lj_line l join lj_order o on o.id = l.ord order by l.ord desc, l.n desc limit 7;
-- Shapes that keep the limit above the join (same answers, read whole).
select o.id, c.name from lj_order o join lj_cust c on c.id = o.helper order by o.id desc limit 6;
select o.id, c.name from lj_order o join lj_cust c on c.id = o.cust where c.region = 2 order by o.id desc limit 6;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust where c.region = 0 order by o.id limit 6;
select c.id, t.tag from lj_cust c left join lj_tag t on t.cust = c.id order by c.id, t.tag limit 9;
-- A side that may repeat (customers with several tags, or none): its limit is LIMIT + OFFSET.
select array_agg(id order by id), count(tag) from (select c.id, t.tag from lj_cust c left join lj_tag t on t.cust = c.id order by c.id limit 12) s;
select array_agg(id order by id), count(tag) from (select c.id, t.tag from lj_cust c left join lj_tag t on t.cust = c.id where c.id <= 300 order by c.id desc limit 10 offset 7) s;
prepare lj_tags (int, int) as select array_agg(id order by id) from (select c.id from lj_cust c left join lj_tag t on t.cust = c.id order by c.id limit $1 offset $2) s;
execute lj_tags (6, 4);
deallocate lj_tags;
select o.id, c.name from lj_order o join lj_cust c on c.id = o.cust order by c.name, o.id limit 6;
select o.id + 1 as next, c.name from lj_order o left join lj_cust c on c.id = o.cust order by next desc limit 4;
select o.cust, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.cust desc fetch first 3 rows with ties;
select distinct o.cust, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.cust limit 4;
select d.id, c.name from lj_def d join lj_cust c on c.id = d.cust order by d.id desc limit 3;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit 0;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit all offset 2997;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit null offset 2996;
-- Parameters, subqueries and CTEs.
prepare lj_page (int, int) as select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id desc limit $1 offset $2;
execute lj_page (4, 0);
execute lj_page (3, 100);
execute lj_page (2, 5000);
deallocate lj_page;
select count(*), max(id) from (select o.id, c.name from lj_order o join lj_cust c on c.id = o.cust order by o.id desc limit 40) s;
with recent as (select o.id, o.cust, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.created desc, o.id limit 5)
select r.id, r.name, count(l.n) from recent r left join lj_line l on l.ord = r.id group by r.id, r.name order by r.id;
-- Errors from LIMIT and OFFSET, as without the move.
select o.id from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit -1;
select o.id from lj_order o left join lj_cust c on c.id = o.cust order by o.id limit 3 offset -2;
-- The transaction's own changes, and a deferred foreign key broken inside it.
begin;
delete from lj_line where ord > 2995;
delete from lj_order where id > 2995;
insert into lj_cust values (301, 'newcomer', 1, null, 1);
insert into lj_order values (3001, 301, null, 9.99, date '2026-12-31', 'new');
update lj_order set cust = 301 where id = 2990;
select o.id, c.name from lj_order o join lj_cust c on c.id = o.cust order by o.id desc limit 4;
select o.id, c.name from lj_order o left join lj_cust c on c.id = o.cust order by o.id desc limit 4 offset 1;
set constraints all deferred;
delete from lj_cust where id = (select cust from lj_def where id = 50);
select d.id, c.name from lj_def d join lj_cust c on c.id = d.cust order by d.id desc limit 3;
rollback;
drop table lj_line, lj_order, lj_def, lj_cust, lj_nation, lj_tag;
