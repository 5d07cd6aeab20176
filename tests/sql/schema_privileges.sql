-- has_schema_privilege over every schema (pg_catalog, information_schema, public, CREATE SCHEMA's),
-- by name (taken as written), by OID and by a name or OID computed per row; regrole and
-- to_regrole/to_regnamespace; information_schema's view columns and view definitions; index
-- expressions deparsed with the casts PostgreSQL leaves implicit.
drop schema if exists sp_a cascade;
drop schema if exists sp_b cascade;
drop role if exists sp_alice;
drop role if exists sp_bob;
create role sp_alice login;
create role sp_bob login;
create schema sp_a;
create schema sp_b authorization sp_alice;
create table sp_a.t (id int primary key, note varchar(20), v numeric);
create view sp_a.v as select id, note, v * 2 as v2 from sp_a.t where id > 1;
grant usage on schema sp_a to sp_bob;
grant create on schema sp_a to sp_alice with grant option;
select nspname,
       has_schema_privilege('sp_alice', nspname, 'usage') as u,
       has_schema_privilege('sp_alice', nspname, 'create') as c,
       has_schema_privilege('sp_alice', nspname, 'create with grant option') as cg,
       has_schema_privilege('sp_bob', nspname, 'usage') as bu,
       has_schema_privilege('sp_bob', nspname, 'usage with grant option') as bug
from pg_namespace where nspname in ('pg_catalog', 'information_schema', 'public', 'sp_a', 'sp_b')
order by 1;
select nspname, has_schema_privilege('sp_bob', oid, 'usage'), has_schema_privilege(oid, 'create, usage')
from pg_namespace where nspname in ('pg_catalog', 'public', 'sp_a', 'sp_b') order by 1;
select r.rolname, has_schema_privilege(r.oid, 'sp_a', 'usage') from pg_roles r
where r.rolname in ('sp_alice', 'sp_bob') order by 1;
select has_schema_privilege('sp_bob', 'sp_a', 'usage'), has_schema_privilege('sp_bob', 'sp_b', 'usage');
select has_schema_privilege('SP_A', 'usage');
select has_schema_privilege('sp_nope', 'usage');
select has_schema_privilege('sp_bob', 'sp_a', 'usage, fly');
select nspname, nspowner::regrole, nspacl from pg_namespace where nspname in ('sp_a', 'sp_b') order by 1;
select oid >= 16384 as user_oid from pg_namespace where nspname = 'sp_a';
-- regrole
select 'sp_alice'::regrole, 10::regrole, 0::regrole, '-'::regrole::oid, '10'::regrole, 'pg_monitor'::regrole::oid;
select 'sp_nope'::regrole;
select '"SP_ALICE"'::regrole;
select to_regrole('sp_bob') = 'sp_bob'::regrole, to_regrole('sp_nope'), to_regnamespace('sp_a') = 'sp_a'::regnamespace, to_regnamespace('sp_nope');
select rolname from pg_roles where oid = 'sp_bob'::regrole;
select pg_typeof('sp_bob'::regrole), 'sp_bob'::regrole::text, '11'::regnamespace;
select typname, typinput, typoutput, typreceive, typsend, typcategory from pg_type where typname in ('regrole', 'regnamespace') order by 1;
create table sp_a.owned (a int);
alter table sp_a.owned owner to sp_alice;
select relname, relowner::regrole from pg_class where relname = 'owned';
-- has_table_privilege with a relation name computed per row
grant select on sp_a.t to sp_bob;
select relname, has_table_privilege('sp_bob', c.oid, 'select'), has_table_privilege('sp_bob', 'sp_a.' || relname, 'select')
from pg_class c where relnamespace = 'sp_a'::regnamespace and relkind in ('r', 'v') order by 1;
-- a view's OID stays its own when another view goes
create view sp_a.a_first as select 1 as x;
select relname from pg_class where oid = 'sp_a.v'::regclass;
select 'sp_a.v'::regclass::oid = (select oid from pg_class where relname = 'v' and relnamespace = 'sp_a'::regnamespace);
drop view sp_a.a_first;
select relname from pg_class where oid = 'sp_a.v'::regclass;
-- information_schema: views' columns, definitions as pg_get_viewdef prints them
select table_name, column_name, ordinal_position, data_type, is_nullable, column_default, is_updatable
from information_schema.columns where table_schema = 'sp_a' order by table_name, ordinal_position;
select table_name, view_definition, is_updatable, is_insertable_into from information_schema.views where table_schema = 'sp_a';
-- index expressions with implicit casts
create index t_lower on sp_a.t (lower(note));
create index t_cat on sp_a.t ((note || 'x'));
create index t_math on sp_a.t ((id * 2 + 1), (note::text)) where id > 5;
create index t_mixed on sp_a.t (id, length(note) desc);
select indexrelid::regclass, k, p, pg_get_indexdef(indexrelid, k, p)
from pg_index, generate_series(0, 2) k, (values (false), (true)) o(p)
where indrelid = 'sp_a.t'::regclass and indexrelid <> 'sp_a.t_pkey'::regclass
order by indexrelid::regclass::text, k, p;
select indexname, indexdef from pg_indexes where schemaname = 'sp_a' order by 1;
\d sp_a.t
drop schema sp_a cascade;
drop schema sp_b cascade;
drop role sp_alice;
drop role sp_bob;
