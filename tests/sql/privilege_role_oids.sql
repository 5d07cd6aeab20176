-- has_*_privilege with the role given by OID: a constant (an OID no role has holds what PUBLIC
-- holds) or one computed per row (bind.rs per_role: the answer for each role, picked by OID).
drop table if exists pro_t;
create table pro_t (a int, b int);
drop role if exists pro_r;
create role pro_r;
grant select (a) on pro_t to pro_r;
select has_table_privilege(10, 'pro_t', 'select'), has_table_privilege(10::oid, 'pro_t', 'insert');
select has_table_privilege(r.oid::int, 'pro_t', 'select') from pg_roles r where rolname = 'pro_r';
select has_column_privilege(99999, 'pro_t', 'a', 'select'), has_schema_privilege(10, 'public', 'create'), has_function_privilege(10, 'now()', 'execute with grant option');
select has_any_column_privilege(99999, 'pro_t', 'select'), has_schema_privilege(99999, 'public', 'create');
grant select on pro_t to public;
select has_table_privilege(99999, 'pro_t', 'select'), has_table_privilege(99999, 'pro_t', 'update');
drop table pro_t;
drop role pro_r;
create table pro_t2 (a int, b int);
create role pro_r2;
grant insert on pro_t2 to pro_r2;
grant select (b) on pro_t2 to pro_r2;
select r.rolname, has_table_privilege(r.oid, 'pro_t2', 'insert') as ins, has_table_privilege(r.oid, 'pro_t2', 'select') as sel,
  has_column_privilege(r.oid, 'pro_t2', 'b', 'select') as colb, has_any_column_privilege(r.oid, 'pro_t2', 'select') as anycol,
  has_schema_privilege(r.oid, 'public', 'usage') as usage, has_function_privilege(r.oid, 'now()', 'execute') as fx
from pg_roles r where r.rolname in ('postgres', 'pro_r2') order by 1;
select x, has_table_privilege(x, 'pro_t2', 'insert') from (values (10::oid), (99999::oid), (null::oid)) v(x) order by 1;
select c.relname, has_table_privilege(r.oid, c.oid, 'select') from pg_class c, pg_roles r where c.relname = 'pro_t2' and r.rolname = 'pro_r2';
drop table pro_t2;
drop role pro_r2;
