-- Composite types (CREATE TYPE name AS (...)): columns, casts, record text input and output,
-- field access and assignment, comparison, ALTER TYPE, DROP TYPE and the catalogs.
create type ct_point as (x int, y text, z numeric(6,2));
create type ct_line as (a ct_point, b ct_point, tags text[]);
create table ct_shapes (id int primary key, p ct_point, l ct_line, ps ct_point[]);
insert into ct_shapes values
  (1, row(1, 'one', 1.5), row(row(1, 'a', 1), row(2, 'b', 2), array['t1']), array[row(7, 'x', 0)::ct_point]),
  (2, (2, 'two words', 2.345)::ct_point, null, null),
  (3, '(3,"quoted ""q"", comma",3)', '("(1,a,1)","(2,b,)",{})', '{"(4,d,4)","(5,,)"}'),
  (4, null, row(null, row(9, '', null), null), '{}'),
  (5, row(5.6, 5, 5), null, null);
select * from ct_shapes order by id;
select id, (p).x, (p).y, (p).z, (l).a.x, ((l).b).y, (l).tags, (ps[1]).y from ct_shapes order by id;
select id, p::text, pg_typeof(p), pg_typeof(l), pg_typeof(ps), pg_typeof((p).z) from ct_shapes where id < 3 order by id;
select p from ct_shapes where p = row(1, 'one', 1.5)::ct_point;
select id from ct_shapes where p > row(2, 'a', 0)::ct_point order by p desc;
select id, p is null as p_null, l is null as l_null from ct_shapes order by id;
select count(distinct p), count(p) from ct_shapes;
select p, count(*) from ct_shapes group by p order by p nulls first;
select row_to_json(p), to_jsonb(l) from ct_shapes where id = 1;
select array_agg(p order by id) from ct_shapes where p is not null;
-- Casts: a row constructor becomes the type field by field; text is read as record_in reads it.
select row(1.5, 'a', 2)::ct_point, row('12', 3, 4)::ct_point, '(1,a,2)'::text::ct_point;
select ('(5,"z z",)'::ct_point).y, ('  (6,b,1)  '::ct_point).x;
select row(1, 'a')::ct_point;
select row(1, 'a', 2, 3)::ct_point;
select 'x'::ct_point;
select '(1,a'::ct_point;
select '(1,a,2,3)'::ct_point;
select '(1,a,2) junk'::ct_point;
select '(x,a,2)'::ct_point;
select (p).w from ct_shapes;
insert into ct_shapes (id, p) values (9, row(1, 'a'));
insert into ct_shapes (id, p) select 9, row(1, 'a', 2);
insert into ct_shapes (id, p) values (9, 5);
select (1, 2) is distinct from (1, 3), (1, null) is not distinct from (1, null), row(1, 'a') is distinct from row(1, 'a');
-- Field assignment.
update ct_shapes set p.x = 50, p.y = 'fifty' where id = 5;
update ct_shapes set p.z = 4.444 where id = 4;
select id, p from ct_shapes where id in (4, 5) order by id;
update ct_shapes set p.w = 1;
update ct_shapes set id.x = 1;
update ct_shapes set p.x = 1, p = null;
-- Index and ordering on a composite column.
create index ct_shapes_p on ct_shapes (p);
select id from ct_shapes where p = '(50,fifty,5.00)'::ct_point order by id;
select id from ct_shapes where p >= row(3, 'a', 0)::ct_point order by id;
drop index ct_shapes_p;
-- The catalogs.
select typname, typtype, typcategory, typlen, typalign, typstorage, typinput, typoutput, typreceive, typsend
  from pg_type where typname in ('ct_point', '_ct_point') order by 1;
select relname, relkind, relnatts from pg_class where relname = 'ct_point';
select attname, format_type(atttypid, atttypmod), attnum from pg_attribute
  where attrelid = 'ct_line'::regclass order by attnum;
select format_type('ct_point'::regtype, null), 'ct_point'::regtype, 'ct_point[]'::regtype;
\d ct_point
\d ct_shapes
-- DROP TYPE refuses what other objects use.
drop type ct_line;
drop table ct_shapes;
alter type ct_line drop attribute a;
drop type ct_point;
drop type ct_line, ct_point;
-- ALTER TYPE.
create type ct_pair as (a int, b text);
alter type ct_pair add attribute c date, drop attribute b;
alter type ct_pair rename attribute a to first;
alter type ct_pair alter attribute c set data type timestamp;
alter type ct_pair add attribute first int;
alter type ct_pair drop attribute nope;
alter type ct_pair drop attribute if exists nope;
alter type ct_pair alter attribute nope type int;
alter type ct_pair rename attribute nope to x;
alter type ct_pair rename attribute first to c;
alter type ct_pair add attribute self ct_pair;
alter type ct_pair add attribute note text collate "default";
alter type ct_pair add value 'x';
\d ct_pair
select '(1,"2024-01-02 03:04:05",hi)'::ct_pair;
create table ct_uses (p ct_pair);
alter type ct_pair alter attribute first type bigint;
drop table ct_uses;
alter type ct_pair rename to ct_pair2;
create schema ct_s;
alter type ct_pair2 set schema ct_s;
select typname, typnamespace::regnamespace from pg_type where typname = 'ct_pair2';
select ('(1,,)'::ct_s.ct_pair2).first;
alter type ct_s.ct_pair2 set schema public;
create table ct_pair2 (a int);
create type ct_dup as (a int, a text);
create type ct_empty as ();
select row()::ct_empty, '()'::ct_empty;
alter type nope add attribute a int;
drop type ct_pair2, ct_empty;
drop schema ct_s;
