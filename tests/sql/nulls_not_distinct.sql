-- UNIQUE ... NULLS NOT DISTINCT (PostgreSQL 15): unique indexes and constraints (table and column forms, ALTER TABLE ADD CONSTRAINT) whose keys with NULLs constrain like any other; duplicates refused with Key (...)=(null) details, ON CONFLICT arbitrating on them, pg_index.indnullsnotdistinct, pg_get_indexdef / pg_get_constraintdef, information_schema, psql's \d, CREATE TABLE (LIKE ... INCLUDING INDEXES).
create table nnd_t (id int primary key, a int, b text, c int);
create unique index nnd_t_a on nnd_t (a) nulls not distinct;
create unique index nnd_t_bc on nnd_t (b, c) include (id) nulls not distinct where id > 0;
alter table nnd_t add constraint nnd_t_c_key unique nulls not distinct (c);
alter table nnd_t add constraint nnd_t_bd unique nulls distinct (b);
create table nnd_u (x int, y int, unique nulls not distinct (x, y), unique nulls distinct (y));
\d nnd_t
\d nnd_u
select indexrelid::regclass, indnullsnotdistinct from pg_index where indrelid in ('nnd_t'::regclass, 'nnd_u'::regclass) order by 1::text;
select pg_get_indexdef('nnd_t_bc'::regclass);
select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid in ('nnd_t'::regclass, 'nnd_u'::regclass) order by 1;
select constraint_name, nulls_distinct from information_schema.table_constraints where table_name in ('nnd_t', 'nnd_u') and constraint_type = 'UNIQUE' order by 1;
insert into nnd_t values (1, null, null, null);
insert into nnd_t values (2, null, 'x', 1);
insert into nnd_t values (3, 5, 'x', null);
insert into nnd_t values (4, 6, 'y', 2);
insert into nnd_t values (5, 7, null, 3);
insert into nnd_t values (6, 8, null, 3);
select * from nnd_t order by id;
insert into nnd_t values (7, null, 'z', 9) on conflict (a) do update set b = 'conflict';
select * from nnd_t order by id;
insert into nnd_t values (8, null, 'q', 10) on conflict do nothing;
update nnd_t set a = null where id = 3;
insert into nnd_u values (null, null), (1, null);
insert into nnd_u values (null, null);
insert into nnd_u values (1, null);
insert into nnd_u values (2, 1), (3, 1);
select * from nnd_u order by 1, 2;
create table nnd_v (a int);
insert into nnd_v values (null), (null);
create unique index nnd_v_a on nnd_v (a) nulls not distinct;
create unique index nnd_v_a2 on nnd_v (a);
create table nnd_w (a int unique nulls not distinct);
\d nnd_w
insert into nnd_w values (null);
insert into nnd_w values (null);
select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'nnd_w'::regclass;
create table nnd_l (like nnd_t including indexes);
\d nnd_l
insert into nnd_l values (1, null, null, null);
insert into nnd_l values (2, null, 'x', 1);
select * from nnd_t where a is null;
select count(*) from nnd_u where x is null and y is null;
create index nnd_u_plain on nnd_u (y) nulls not distinct;
select indexrelid::regclass, indisunique, indnullsnotdistinct from pg_index where indexrelid = 'nnd_u_plain'::regclass;
insert into nnd_u values (5, null);
drop table nnd_t, nnd_u, nnd_v, nnd_w, nnd_l;
