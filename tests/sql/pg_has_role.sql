-- pg_has_role: MEMBER / USAGE [WITH ADMIN OPTION] through memberships, INHERIT and NOINHERIT,
-- roles by name or OID, constant or per row, and PostgreSQL's errors.
drop role if exists phr_a, phr_b, phr_c, phr_n;
create role phr_a;
create role phr_b;
create role phr_c noinherit;
create role phr_n;
grant phr_a to phr_b with admin option;
grant phr_b to phr_c;
select pg_has_role('phr_b', 'phr_a', 'member'), pg_has_role('phr_b', 'phr_a', 'usage'), pg_has_role('phr_b', 'phr_a', 'member with admin option');
select pg_has_role('phr_c', 'phr_a', 'member'), pg_has_role('phr_c', 'phr_a', 'usage'), pg_has_role('phr_c', 'phr_b', 'USAGE'), pg_has_role('phr_c', 'phr_a', 'usage with admin option');
select pg_has_role('phr_n', 'phr_a', 'member'), pg_has_role('phr_a', 'phr_a', 'member'), pg_has_role('phr_a', 'phr_a', 'member with admin option');
select pg_has_role('postgres', 'phr_a', 'member'), pg_has_role('phr_a', 'MEMBER'), pg_has_role('phr_a', 'usage, member');
select r.rolname, pg_has_role('phr_c', r.oid, 'member') as m, pg_has_role('phr_c', r.oid, 'usage') as u from pg_roles r where r.rolname like 'phr%' order by 1;
select r.rolname, pg_has_role(r.oid, 'phr_a', 'member') as m, pg_has_role(r.oid, 'phr_a', 'usage') as u from pg_roles r where r.rolname like 'phr%' order by 1;
select pg_has_role('phr_c', 99999::oid, 'member'), pg_has_role(10, 99999::oid, 'member'), pg_has_role('phr_c', null::oid, 'member');
select pg_has_role('nosuch', 'phr_a', 'member');
select pg_has_role('phr_c', 'nosuch', 'member');
select pg_has_role('phr_c', 'phr_a', 'fly');
select pg_has_role('phr_c', 'phr_a', 'member, fly');
select pg_has_role('phr_c', 'phr_a', 'member with grant option'), pg_has_role('phr_b', 'phr_a', ' member WITH ADMIN OPTION ');
select pg_has_role('phr_c', 'phr_a', 'usage  with admin option');
select has_table_privilege('phr_c', 'pg_class', 'select  with grant option');
-- The predefined roles as the user asked about: pg_monitor holds three of the others.
select pg_has_role('pg_monitor', 'pg_read_all_stats', 'member'), pg_has_role('pg_monitor', 'pg_read_all_stats', 'usage'), pg_has_role('pg_monitor', 'pg_signal_backend', 'member'), pg_has_role('pg_read_all_stats', 'pg_monitor', 'member');
select has_table_privilege('pg_monitor', 'pg_class', 'select'), has_table_privilege('pg_monitor', 'pg_authid', 'select'), has_table_privilege('pg_read_all_stats', 'pg_class', 'update');
drop role phr_a, phr_b, phr_c, phr_n;
