-- pg_shdepend: an object's owner ('o') and the roles its ACL names ('a'; a column's grants with its
-- column number), never the bootstrap superuser; what pgAdmin and DROP ROLE's checks read.
drop table if exists sd_t, sd_u;
drop view if exists sd_v;
drop sequence if exists sd_q;
drop type if exists sd_e;
drop schema if exists sd_s cascade;
drop role if exists sd_a, sd_b;
create role sd_a;
create role sd_b;
create table sd_t (id serial, a int);
alter table sd_t owner to sd_a;
grant select on sd_t to sd_b;
grant update (a) on sd_t to sd_b;
create table sd_u (a int);
grant insert on sd_u to sd_a;
create view sd_v as select 1 as x;
alter view sd_v owner to sd_b;
create sequence sd_q;
alter sequence sd_q owner to sd_a;
grant usage on sequence sd_q to sd_b;
create schema sd_s authorization sd_b;
grant usage on schema sd_s to sd_a;
create type sd_e as enum ('x');
alter type sd_e owner to sd_a;
select classid::regclass,
       case when classid = 'pg_class'::regclass then objid::regclass::text
            when classid = 'pg_namespace'::regclass then objid::regnamespace::text
            when classid = 'pg_type'::regclass then objid::regtype::text end as obj,
       objsubid, refclassid::regclass, refobjid::regrole, deptype
  from pg_shdepend
 where dbid = (select oid from pg_database where datname = current_database())
   and refobjid in (select oid from pg_roles where rolname like 'sd\_%')
 order by 2, 3, 5, 6;
select count(*) from pg_shdepend where refobjid = 'sd_b'::regrole and deptype = 'o';
revoke select on sd_t from sd_b;
revoke update (a) on sd_t from sd_b;
select count(*) from pg_shdepend where refobjid = 'sd_b'::regrole and classid = 'pg_class'::regclass;
drop table sd_t, sd_u;
drop view sd_v;
drop sequence sd_q;
drop type sd_e;
drop schema sd_s;
drop role sd_a, sd_b;
