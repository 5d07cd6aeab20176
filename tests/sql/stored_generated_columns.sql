-- Stored generated columns (GENERATED ALWAYS AS (expr) STORED): computed on INSERT, COPY, UPDATE, ON CONFLICT and MERGE, never given (428C9), PostgreSQL's checks when made, keys and indexes over them, ADD COLUMN filling existing rows, DROP EXPRESSION, and the catalogs (pg_attribute.attgenerated, pg_attrdef, information_schema).
create table sgc_t (id int primary key, a int, b int, g int generated always as (a * 2 + coalesce(b, 0)) stored, s text generated always as ('x' || a::text) stored);
insert into sgc_t (id, a, b) values (1, 1, 2), (2, 3, null);
insert into sgc_t values (3, 5, 6);
insert into sgc_t values (4, 7, 8, default, default) returning *;
insert into sgc_t values (5, 7, 8, 9);
insert into sgc_t (id, a, g) values (5, 1, 1);
insert into sgc_t (id, a, b, g) overriding system value values (5, 1, 1, 1);
insert into sgc_t (id, a, g) values (5, 1, default);
insert into sgc_t select 6, 2, 3, 4;
insert into sgc_t select 6, 2, 3;
select * from sgc_t order by id;
update sgc_t set a = a + 10 where id in (1, 5) returning id, g, s;
update sgc_t set g = 1;
update sgc_t set s = default, b = 1 where id = 2 returning *;
update sgc_t set (a, b) = (0, 0) where id = 3;
select * from sgc_t order by id;
-- UPDATE ... FROM, prepared statements, ON CONFLICT, MERGE
create table sgc_src (id int, a int);
insert into sgc_src values (1, 100), (4, 40);
update sgc_t set a = sgc_src.a from sgc_src where sgc_t.id = sgc_src.id;
prepare sgc_ins (int, int) as insert into sgc_t (id, a) values ($1, $2) returning g;
execute sgc_ins(7, 21);
insert into sgc_t (id, a) values (7, 50) on conflict (id) do update set a = excluded.a + excluded.g returning *;
insert into sgc_t (id, a) values (7, 50) on conflict (id) do update set g = 5;
merge into sgc_t t using sgc_src s on t.id = s.id + 10 when matched then update set b = 1 when not matched then insert (id, a) values (s.id + 10, s.a);
merge into sgc_t t using sgc_src s on t.id = s.id when matched then update set b = t.g;
select * from sgc_t order by id;
-- COPY leaves generated columns out, and refuses them named
create table sgc_c (a int, g int generated always as (a + 1) stored);
copy sgc_c from stdin;
1
\.
copy sgc_c to stdout;
copy sgc_c (a) from stdin;
2
3
\.
copy sgc_c (a, g) from stdin;
copy sgc_c (g) to stdout;
copy (select * from sgc_c order by a) to stdout;
select * from sgc_c order by a;
-- keys, constraints and indexes over generated columns
create table sgc_k (a int, b int generated always as (a + 1) stored primary key, c int generated always as (a * 10) stored not null check (c < 1000));
insert into sgc_k values (1), (2);
insert into sgc_k values (100);
insert into sgc_k values (null);
insert into sgc_k values (0);
update sgc_k set a = a + 5 where a > 0;
select * from sgc_k order by a;
update sgc_k set a = 7 where a = 0;
select * from sgc_k where b = 8;
create index sgc_k_c on sgc_k (c);
select * from sgc_k where c = 70;
update sgc_k set a = 9 where a = 7;
select * from sgc_k where c = 90;
create table sgc_u (a text, g text generated always as (lower(a)) stored unique);
insert into sgc_u values ('x'), ('X');
insert into sgc_u values ('Y') on conflict (g) do nothing;
insert into sgc_u values ('y') on conflict (g) do nothing;
select * from sgc_u order by a;
begin;
insert into sgc_u values ('Z');
rollback;
select count(*) from sgc_u;
-- what a generation expression may not be
create table sgc_bad1 (a int, g int generated always as (random()) stored);
create table sgc_bad2 (a int, g int generated always as (a) stored, h int generated always as (g) stored);
create table sgc_bad3 (a int, g int default 1 generated always as (a) stored);
create table sgc_bad4 (a int, g int generated always as ((select 1)) stored);
create table sgc_bad5 (a int, g int generated always as (sum(a)) stored);
create table sgc_bad6 (a int, g int generated always as (z) stored);
create table sgc_bad7 (a int, g int generated always as (a));
create table sgc_bad8 (a int, g int generated always as ('abc') stored);
create table sgc_bad10 (a int, g int generated always as identity generated always as (a) stored);
create table sgc_bad11 (a int, g int generated always as (row_number() over ()) stored);
create table sgc_bad12 (a int, t timestamptz, h text generated always as (t::text) stored);
create table sgc_bad13 (a int, g int generated always as (g + 1) stored);
create table sgc_ok (a int generated always as (1) stored, b numeric(5, 1) generated always as (2.25) stored);
insert into sgc_ok default values;
select * from sgc_ok;
-- ALTER TABLE
alter table sgc_t alter column g set default 5;
alter table sgc_t alter column g drop default;
alter table sgc_t alter column a type bigint;
alter table sgc_t alter column g type bigint using g + 1;
alter table sgc_t alter column g type bigint;
alter table sgc_t drop column a;
alter table sgc_t rename column b to bb;
select column_name, is_generated, generation_expression, column_default from information_schema.columns where table_name = 'sgc_t' order by ordinal_position;
select attname, attgenerated, atthasdef from pg_attribute where attrelid = 'sgc_t'::regclass and attnum > 0 order by attnum;
select adnum, pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'sgc_t'::regclass order by adnum;
insert into sgc_t (id, a, bb) values (20, 2, 2) returning *;
alter table sgc_t add column h numeric generated always as (a / 2.0) stored;
alter table sgc_t add column x int default 3, add column y int generated always as (x * 100 + a) stored not null;
alter table sgc_t add column z int generated always as (a) stored, add column w int default 1 generated always as (a) stored;
select * from sgc_t order by id;
alter table sgc_t alter column g drop expression;
alter table sgc_t alter column g drop expression;
alter table sgc_t alter column g drop expression if exists;
alter table sgc_t alter column nope drop expression;
insert into sgc_t (id, a, g) values (100, 1, 1) returning id, g, s, h, y;
alter table sgc_t drop column s;
select * from sgc_t where id = 100;
alter table sgc_t drop column x;
create index sgc_t_y on sgc_t (y);
alter table sgc_t add constraint sgc_t_y_check check (y > 0);
alter table sgc_t drop column a cascade;
select * from sgc_t where id = 100;
select indexrelid::regclass from pg_index where indrelid = 'sgc_t'::regclass order by 1;
select conname from pg_constraint where conrelid = 'sgc_t'::regclass order by 1;
insert into sgc_t (id, bb) values (101, 1) returning *;
create table sgc_n (a int);
insert into sgc_n values (1), (null);
alter table sgc_n add column g int generated always as (a) stored not null;
alter table sgc_n add column g int generated always as (a + 1) stored check (g > 1);
select * from sgc_n order by a;
drop table sgc_t, sgc_src, sgc_c, sgc_k, sgc_u, sgc_ok, sgc_n;
-- how psql's \d and pg_get_expr show them (the parser's coercion to the column type hidden)
create table sgc_d (a int, bb int, t text, n numeric(6,2),
  g bigint generated always as (a * 2 + coalesce(bb, 0)) stored,
  s text generated always as ('x' || a::text) stored,
  h numeric generated always as (a / 2.0) stored,
  i int generated always as (a) stored,
  j int generated always as (n * 2) stored,
  k varchar(10) generated always as (upper(t)) stored,
  l boolean generated always as (a > 1 and bb is not null) stored,
  m numeric(5,1) generated always as (2.25) stored,
  o int generated always as (-a) stored,
  p text generated always as (case when a > 0 then 'pos' else 'neg' end) stored);
\d sgc_d
select pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) from pg_attrdef where adrelid = 'sgc_d'::regclass order by adnum;
drop table sgc_d;
