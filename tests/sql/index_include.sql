-- CREATE INDEX ... INCLUDE (covering indexes): uniqueness on the key alone, pg_get_indexdef, pg_index (indnatts, indnkeyatts, indkey), psql's \d of the table and of the index, DROP COLUMN of an included column drops the index.
create table iin_t (a int, b int, c text, d int);
create index iin_i on iin_t (a) include (b, c);
create unique index iin_u on iin_t (d) include (a) where b > 0;
create index iin_x on iin_t (a) include (a);
create index iin_y on iin_t (a) include (zz);
create index iin_z on iin_t (lower(c)) include (b);
\d iin_t
\d iin_i
select pg_get_indexdef('iin_i'::regclass), pg_get_indexdef('iin_u'::regclass), pg_get_indexdef('iin_i'::regclass, 2, true);
select indexrelid::regclass, indnatts, indnkeyatts, indkey::text from pg_index where indrelid = 'iin_t'::regclass order by 1;
insert into iin_t values (1, 1, 'x', 1), (1, 2, 'y', 2), (2, -1, 'z', 1);
insert into iin_t values (1, 3, 'z', 1);
select * from iin_t where a = 1 order by b;
select * from iin_t where d = 1 and b > 0;
alter table iin_t drop column c;
select indexrelid::regclass from pg_index where indrelid = 'iin_t'::regclass order by 1;
alter table iin_t rename column a to aa;
select pg_get_indexdef('iin_u'::regclass);
drop table iin_t;
-- UNIQUE (...) INCLUDE (...) constraints, in CREATE TABLE and ALTER TABLE ADD CONSTRAINT (pg_dump's form), with pg_get_constraintdef.
create table iin_c1 (a int, b int, c int);
alter table iin_c1 add constraint iin_c1_b_key unique (b) include (c);
alter table iin_c1 add unique (c) include (a, b);
alter table iin_c1 add constraint iin_c1_bad unique (a) include (nosuch);
\d iin_c1
insert into iin_c1 values (1, 1, 1), (2, 1, 2);
create table iin_c2 (a int, b int, unique (a) include (b), constraint iin_two unique (b) include ("a"));
\d iin_c2
select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'iin_c2'::regclass order by conname;
create table iin_c3 (a int, b int, unique (a) include (zz));
alter table iin_c1 drop constraint iin_c1_b_key;
\d iin_c1
drop table iin_c1, iin_c2;
