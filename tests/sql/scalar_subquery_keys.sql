-- `key = (uncorrelated scalar subquery)` reads only the rows with the subquery's value (its
-- value becomes the scan's keys, as an IN subquery's do); with several rows the comparison still
-- fails (21000), with none it matches nothing. Also through UPDATE and DELETE, other types, casts
-- and NULL.
drop table if exists ssk_item, ssk_tag;
create table ssk_item (id int primary key, code text unique, grp int, price numeric(8,2));
create table ssk_tag (name text primary key, item int);
insert into ssk_item select g, 'c' || g, g % 7, g * 1.5 from generate_series(1, 500) g;
insert into ssk_tag values ('a', 17), ('b', 300), ('c', null), ('d', 17);
select * from ssk_item where id = (select max(id) from ssk_item where grp = 3);
select * from ssk_item where id = (select item from ssk_tag where name = 'b');
select * from ssk_item where id = (select item from ssk_tag where name = 'c');
select * from ssk_item where id = (select item from ssk_tag where name = 'zz');
select * from ssk_item where id = (select item from ssk_tag where name in ('a', 'd'));
select * from ssk_item where id = (select item from ssk_tag);
select * from ssk_item where id = (select g from generate_series(1000, 1001) g);
select * from ssk_item where (select item from ssk_tag where name = 'a') = id;
select * from ssk_item where code = (select 'c' || item from ssk_tag where name = 'b');
select * from ssk_item where id = (select 42::bigint);
select * from ssk_item where id = (select 42.0) ;
select count(*) from ssk_item where grp = (select 2) and id = (select max(item) from ssk_tag);
select i.id, t.name from ssk_item i join ssk_tag t on t.item = i.id where i.id = (select min(item) from ssk_tag) order by t.name;
update ssk_item set price = 0 where id = (select item from ssk_tag where name = 'b') returning *;
delete from ssk_item where id = (select item + 1 from ssk_tag where name = 'b') returning id;
delete from ssk_item where id = (select item from ssk_tag) returning id;
select count(*), sum(price) from ssk_item;
drop table ssk_item, ssk_tag;
