-- Records: information_schema._pg_expandarray (pgjdbc's metadata queries), field selection,
-- record output and ordering; index column options in pg_index.indoption and pg_get_indexdef.
select (information_schema._pg_expandarray(array[3,1])).n;
select information_schema._pg_expandarray(array[3,1]);
select * from information_schema._pg_expandarray(array['a b','c']);
select e.x, e.n from information_schema._pg_expandarray(array[10,20,30]) e;
select (information_schema._pg_expandarray(array[7,8])).x, (information_schema._pg_expandarray(array[7,8])).n;
select k, (k).x, (k).n from (select information_schema._pg_expandarray(array['p"q', '', null, 'a,b']) as k) s;
select (information_schema._pg_expandarray('{}'::int[])).n;
select information_schema._pg_expandarray('0 2'::int2vector);
select (information_schema._pg_expandarray(array[1])).z;
select information_schema._pg_expandarray(1);
select r from (select information_schema._pg_expandarray(array[2,1]) r) s order by r;
select (r).n, (r).x from (select information_schema._pg_expandarray(array['b','a']) r) s order by r;
drop table if exists rec_items;
create table rec_items (id int, sub int, owner int, primary key (id, sub));
create index rec_items_mixed on rec_items (sub desc nulls last, id nulls first, owner asc);
create index rec_items_desc on rec_items (owner desc);
select c.relname, i.indoption, i.indkey from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname like 'rec_items%' order by 1;
select indexdef from pg_indexes where tablename = 'rec_items' order by indexname;
select ci.relname, (information_schema._pg_expandarray(i.indkey)).n as pos, pg_get_indexdef(ci.oid, (information_schema._pg_expandarray(i.indkey)).n, false) as col
from pg_index i join pg_class ci on ci.oid = i.indexrelid join pg_class ct on ct.oid = i.indrelid where ct.relname = 'rec_items' order by 1, 2;
select result.column_name, result.key_seq from (select a.attname as column_name, (information_schema._pg_expandarray(i.indkey)).n as key_seq, information_schema._pg_expandarray(i.indkey) as keys, a.attnum as a_attnum
  from pg_class ct join pg_attribute a on ct.oid = a.attrelid join pg_index i on a.attrelid = i.indrelid where ct.relname = 'rec_items' and i.indisprimary) result
where result.a_attnum = (result.keys).x order by key_seq;
drop table rec_items;
select to_json(information_schema._pg_expandarray(array[1])), to_jsonb(information_schema._pg_expandarray(array['a']));
select json_agg(r), jsonb_agg(r) from (select information_schema._pg_expandarray(array[1,2]) r) s;
select array_agg(r), count(distinct r) from (select information_schema._pg_expandarray(array[5,5]) r) s;
