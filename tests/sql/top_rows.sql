-- A LIMIT over a sort on columns no key or index gives: each worker sorts its parts of the
-- read and returns their first LIMIT + OFFSET rows (fragment.rs TopRows), for one-table
-- SELECTs and for scans under a LIMIT in query trees. Text with NULLs, numeric, date, both
-- directions and NULLS FIRST/LAST, several keys, ties broken by the key, filters, OFFSET,
-- parameters, limits past what the workers sort (2048), expressions that are not columns, the
-- transaction's own changes, and scans under joins and in subqueries.
drop table if exists tr_t, tr_u;
create table tr_t (id int primary key, name text, amount numeric(12,2), day date, grp int not null, flag boolean);
insert into tr_t select g,
  case when g % 13 = 0 then null else 'n' || lpad(((g * 7919) % 4001)::text, 4, '0') end,
  ((g * 37) % 1000) / 4.0, date '2026-01-01' + (g * 11) % 365, g % 7, g % 3 = 0
from generate_series(1, 6000) g;
create table tr_u (grp int primary key, label text not null);
insert into tr_u select g, 'group ' || g from generate_series(0, 6) g;
select id, name from tr_t order by name, id limit 7;
select id, name from tr_t order by name desc, id limit 7;
select id, name from tr_t order by name desc nulls last, id desc limit 5;
select id, name from tr_t order by name nulls first, id limit 5 offset 460;
select id, amount, day from tr_t order by amount desc, day, id limit 8;
select id, amount, day from tr_t order by day desc, amount, id limit 6 offset 30;
select id, grp, amount from tr_t where grp = 3 and amount > 100 order by amount, id limit 6;
select id, flag, day from tr_t where flag order by day, id desc limit 5;
select id, name from tr_t order by name, id limit 3 offset 5990;
select count(*), min(id), max(id) from (select id from tr_t order by amount, id limit 2000) s;
select count(*), min(id), max(id) from (select id from tr_t order by amount, id limit 2048 offset 1) s;
select count(*), sum(id) from (select id from tr_t order by day desc, id limit 3000) s;
select id, name from tr_t order by name, id limit 0;
select id, amount * 2 as twice from tr_t order by twice desc, id limit 4;
select id, upper(name) as big from tr_t order by big, id limit 4;
select grp, id from tr_t order by grp desc, amount desc, id limit 4;
prepare tr_page (int, int) as select id, day from tr_t order by day, id limit $1 offset $2;
execute tr_page (3, 0);
execute tr_page (4, 700);
execute tr_page (2, 6000);
deallocate tr_page;
-- Under joins (the LIMIT moves to tr_t first, topn.rs), subqueries and CTEs.
select t.id, t.amount, u.label from tr_t t join tr_u u on u.grp = t.grp order by t.amount desc, t.id limit 5 offset 2;
select t.id, u.label from tr_t t left join tr_u u on u.grp = t.grp order by t.name desc nulls last, t.id limit 4;
select s.id, s.day, u.label from (select id, day, grp from tr_t order by day desc, id limit 6) s join tr_u u on u.grp = s.grp order by s.day desc, s.id;
with cheap as (select id, amount from tr_t where amount < 50 order by amount desc, id limit 5)
select * from cheap order by id;
select id, name from tr_t t where exists (select 1 from tr_u u where u.grp = t.grp and u.label like '%5') order by name, id limit 4;
-- The transaction's own changes.
begin;
update tr_t set amount = 999.99 where id in (17, 4000);
delete from tr_t where id in (select id from tr_t order by amount desc, id limit 3);
insert into tr_t values (6001, 'a first', 0.01, date '2020-01-01', 1, true);
select id, amount from tr_t order by amount desc, id limit 4;
select id, name from tr_t order by name, id limit 2;
select id, day from tr_t order by day, id limit 2;
rollback;
drop table tr_t, tr_u;
