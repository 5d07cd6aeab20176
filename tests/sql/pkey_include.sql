-- PRIMARY KEY ... INCLUDE: the key's covering columns in the catalogs; the key goes with a dropped included column.
create table pi1 (a int, b int, c text, primary key (a) include (b, c));
\d pi1
insert into pi1 values (1, 2, 'x'), (2, 3, 'y');
insert into pi1 values (1, 5, 'z');
select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'pi1'::regclass;
select indnatts, indnkeyatts, indkey from pg_index where indrelid = 'pi1'::regclass;
select pg_get_indexdef('pi1_pkey'::regclass);
select attname from pg_attribute where attrelid = 'pi1_pkey'::regclass order by attnum;
create table pi2 (like pi1 including indexes);
\d pi2
alter table pi1 drop column c;
\d pi1
select * from pi1 order by a;
alter table pi1 drop column b;
\d pi1
alter table pi1 add primary key (a) include (nosuch);
alter table pi1 add column d int;
alter table pi1 add constraint pk1 primary key (a) include (d);
\d pi1
insert into pi1 values (1, 1);
alter table pi1 drop constraint pk1;
\d pi1
create table pi3 (a int, constraint k primary key (a) include (nosuch));
drop table pi1, pi2;
create table pi3 (a int, constraint k unique (a) include (nosuch));
create table pi3 (a int, unique (a) include (nosuch));
create table pi3 (a int, primary key (a) include (nosuch));
create table pi3 (a int, b int, constraint pi3_k primary key (a) include (b));
insert into pi3 values (1, 1), (2, 1);
insert into pi3 values (1, 2) on conflict (a) do update set b = excluded.b;
select * from pi3 order by a;
drop table pi3;
