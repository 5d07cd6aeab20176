-- ALTER ROLE ... [IN DATABASE db] SET / RESET: stored per role (and database), shown in
-- pg_roles.rolconfig, pg_db_role_setting and psql's \drds; values checked as SET checks them.
drop role if exists rs_alice;
create role rs_alice;
alter role rs_alice set search_path = app, public;
alter role rs_alice set work_mem = '8MB';
alter role rs_alice set work_mem to '16MB';
alter role rs_alice in database keel set statement_timeout = '5s';
alter user rs_alice set application_name = 'reports';
select rolname, rolconfig from pg_roles where rolname = 'rs_alice';
select s.setdatabase <> 0 as per_database, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = 'rs_alice' order by 1;
\drds rs_alice
alter role rs_alice set nosuch_setting = 1;
alter role rs_alice set work_mem = 'abc';
alter role rs_alice in database nodb set work_mem = '1MB';
alter role nobody_here set work_mem = '1MB';
alter role rs_alice reset work_mem;
alter role rs_alice set application_name to default;
select rolconfig from pg_roles where rolname = 'rs_alice';
alter role rs_alice in database keel reset all;
alter role rs_alice reset all;
select rolconfig from pg_roles where rolname = 'rs_alice';
select count(*) from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = 'rs_alice';
drop role rs_alice;
alter database keel set work_mem = '5MB';
alter database keel set search_path = "$user", public;
select s.setrole = 0 as every_role, s.setconfig from pg_db_role_setting s where s.setrole = 0;
alter database nodb set work_mem = '1MB';
alter database keel set nosuch_setting = 1;
alter database keel reset work_mem;
select s.setconfig from pg_db_role_setting s where s.setrole = 0;
alter database keel reset all;
select count(*) from pg_db_role_setting s where s.setrole = 0;
-- ALTER ROLE ALL [IN DATABASE db]: every role's default (IN DATABASE: as ALTER DATABASE), and
-- SET ... FROM CURRENT: the session's value now.
create role rs_bob login;
alter role all set work_mem = '6MB';
alter role all in database keel set statement_timeout = '3s';
set search_path = public, pg_temp;
alter role rs_bob set search_path from current;
set work_mem = '7MB';
alter role rs_bob in database keel set work_mem from current;
alter role rs_bob set nosuch_setting from current;
reset search_path;
reset work_mem;
select setdatabase <> 0 as per_database, setrole <> 0 as per_role, setconfig from pg_db_role_setting order by 1, 2;
\drds
set role rs_bob;
alter role all set work_mem = '1MB';
alter role all in database keel set work_mem = '1MB';
reset role;
alter role all reset work_mem;
alter role all in database keel reset all;
alter role rs_bob reset all;
alter role rs_bob in database keel reset all;
select count(*) from pg_db_role_setting;
drop role rs_bob;
