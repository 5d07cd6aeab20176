-- ALTER TABLE with several actions, DROP COLUMN / ADD / DROP / VALIDATE CONSTRAINT among them:
-- run in PostgreSQL's pass order, all or nothing.
create table am (a int, b int, c int);
insert into am values (1,2,3),(4,5,6);
alter table am drop column a, drop column b;
select * from am order by 1;
alter table am add column d int default 7, add constraint d_pos check (d > 0), drop column c;
select * from am order by 1;
alter table am add constraint e_pos check (e > 0), add column e int default 1;
select * from am order by 1;
\d am
alter table am add column f int, add primary key (d, e), alter column f set default 3;
\d am
alter table am drop constraint d_pos, drop constraint nosuch;
alter table am drop constraint if exists nosuch, drop constraint d_pos;
\d am
alter table am drop column nosuch, add column g int;
alter table am drop column if exists nosuch, add column g int;
create table am_p (k int primary key);
insert into am_p values (7);
alter table am add constraint am_fk foreign key (d) references am_p, add constraint am_u unique (e), alter column e set not null;
\d am
insert into am (d) values (8);
insert into am (d, e) values (8, 2);
alter table am add constraint bad check (d > 100), drop column f;
\d am
alter table am add constraint c1 check (e > 0) not valid, validate constraint c1, drop column g cascade;
\d am
begin;
alter table am drop column f, drop column e;
\d am
rollback;
\d am
alter table am alter column e type bigint, drop constraint c1, add constraint c2 check (e < 10);
\d am
alter table am drop column d, drop column e, drop column f, drop column g;
select * from am order by 1, 2;
alter table am drop column d, drop column e, add column h text default 'x';
select * from am;
\d am
alter table am drop column h, add column h int;
\d am
alter table am add constraint x check (nosuch > 0), add column i int;
alter table am add column i int, add column j int references am_p, drop column h;
alter table am add constraint am_fk2 foreign key (j) references am_p (nosuch), add column k int;
alter table am add column k int not null, add constraint k_pos check (k > 0);
insert into am values (3, 7);
alter table am add column l int, drop constraint am_j_fkey, add constraint am_ij unique (i, j), add constraint am_ji check (i > j);
\d am
select * from am order by 1;
drop table am;
drop table am_p;
-- ADD COLUMN with REFERENCES, UNIQUE or PRIMARY KEY: the column, then its constraints as ADD CONSTRAINT.
create table ac_p (k int primary key, s text unique);
insert into ac_p values (1, 'a'), (2, 'b');
create table ac (a int);
insert into ac values (1), (2);
alter table ac add column p int references ac_p;
alter table ac add column q text constraint ac_q_fk references ac_p (s) on delete cascade on update set null;
alter table ac add column u int unique;
alter table ac add column v int constraint v_key unique not null default 5;
alter table ac add column w int unique default 5;
alter table ac add column id int primary key;
alter table ac add column id int generated always as identity primary key;
\d ac
insert into ac (a, p, q) values (3, 2, 'b');
insert into ac (a, p) values (4, 9);
delete from ac_p where s = 'b';
select a, p, q, u, v, id from ac order by id;
alter table ac add column if not exists p int references ac_p;
alter table ac add column x int references nosuch;
alter table ac add column x int references ac_p (nosuch);
alter table ac add column x int check (x > 0) references ac_p, add column y int unique check (y > 0);
\d ac
select conname, contype, conkey from pg_constraint where conrelid = 'ac'::regclass order by conname;
drop table ac;
drop table ac_p;
