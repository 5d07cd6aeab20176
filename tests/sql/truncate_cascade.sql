-- TRUNCATE ... CASCADE empties the tables referencing the named ones too (in turn), with
-- PostgreSQL's notice per table; RESTRICT and CONTINUE IDENTITY are the defaults.
drop table if exists tr_a, tr_b, tr_c, tr_d cascade;
create table tr_a (id int primary key);
create table tr_b (id int primary key, a int references tr_a);
create table tr_c (id int primary key, b int references tr_b, a int references tr_a);
create table tr_d (id int primary key, d int references tr_d);
insert into tr_a values (1), (2);
insert into tr_b values (10, 1), (20, 2);
insert into tr_c values (100, 10, 1);
insert into tr_d values (1, null), (2, 1);
truncate tr_a;
truncate tr_a restrict;
truncate tr_b, tr_a;
truncate tr_a cascade;
select (select count(*) from tr_a), (select count(*) from tr_b), (select count(*) from tr_c);
insert into tr_a values (1);
insert into tr_b values (10, 1);
begin;
truncate table tr_b continue identity cascade;
select (select count(*) from tr_a), (select count(*) from tr_b), (select count(*) from tr_c);
rollback;
select (select count(*) from tr_a), (select count(*) from tr_b);
truncate tr_d;
truncate tr_d cascade;
select count(*) from tr_d;
drop table tr_a, tr_b, tr_c, tr_d cascade;
