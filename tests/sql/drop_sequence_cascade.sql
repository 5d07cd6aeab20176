-- DROP SEQUENCE: a column default that takes values from the sequence stops it (every such default
-- named in the detail); CASCADE drops those defaults with it and says so; an identity column's
-- sequence is the column's and cannot be dropped either way.
drop table if exists dsc_t, dsc_u, dsc_w, dsc_x, dsc_y;
drop sequence if exists dsc_s1, dsc_s2;
create table dsc_t (id serial, v int);
create table dsc_u (a int default nextval('dsc_t_id_seq'), b int default nextval('dsc_t_id_seq') + 1);
drop sequence dsc_t_id_seq;
drop sequence dsc_t_id_seq restrict;
drop sequence dsc_t_id_seq cascade;
select column_name, column_default from information_schema.columns
  where table_name in ('dsc_t', 'dsc_u') order by table_name, ordinal_position;
insert into dsc_t (v) values (1);
insert into dsc_u default values;
select * from dsc_u;
create table dsc_w (id int generated always as identity, v int);
drop sequence dsc_w_id_seq;
drop sequence dsc_w_id_seq cascade;
insert into dsc_w (v) values (5) returning *;
create sequence dsc_s1;
create sequence dsc_s2;
create table dsc_x (a int default nextval('dsc_s1'), b int default nextval('dsc_s2'));
drop sequence dsc_s1, dsc_s2;
drop sequence dsc_s1, dsc_s2 cascade;
drop sequence if exists dsc_nope, dsc_s9 cascade;
create sequence dsc_s1;
create table dsc_y (a int default nextval('dsc_s1'));
begin;
drop sequence dsc_s1 cascade;
rollback;
insert into dsc_y default values returning *;
drop table dsc_y;
drop sequence dsc_s1 cascade;
drop table dsc_t, dsc_u, dsc_w, dsc_x;
