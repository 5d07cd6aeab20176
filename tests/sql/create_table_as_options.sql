-- CREATE TABLE ... AS with a column name list (the first columns renamed, too many an error) and WITH [NO] DATA (the query gives the columns only and never runs).
create table ctd_src (id int primary key, v text);
insert into ctd_src values (1, 'a'), (2, 'b');
create table ctd_1 as select * from ctd_src with no data;
select count(*) from ctd_1;
\d ctd_1
create table ctd_2 as select * from ctd_src with data;
select * from ctd_2 order by id;
create table ctd_3 (x, y) as select id, v from ctd_src where id > 1 with no data;
\d ctd_3
create table ctd_4 as select 1/0 as z with no data;
create table ctd_5 as select 1/0 as z with data;
create table ctd_6 as select * from ctd_src
  with
  no data ;
create table ctd_7 as table ctd_src with no data;
create temp table ctd_8 as values (1, 'x') with no data;
select count(*) from ctd_8;
create table if not exists ctd_1 as select 1 with no data;
create table ctd_10 as select * from nosuch with no data;
create table ctd_11 as with q as (select 1 as data) select * from q with data;
select * from ctd_11;
create table ctd_12 (a, "B") as select 1 x, 2 y, 3 z;
\d ctd_12
create table ctd_13 (a, b, c, d) as select 1, 2;
create table ctd_14 (a, a) as select 1, 2;
create table ctd_15 (a) as select 1 x, 2 a;
create temp table ctd_16 (a) on commit drop as select 1 x;
create table ctd_17 (a) with (fillfactor = 70) as select 1 x;
\d ctd_17
create table if not exists public.ctd_18 (k) as select 5 with data;
select * from ctd_18;
drop table ctd_src, ctd_1, ctd_2, ctd_3, ctd_4, ctd_6, ctd_7, ctd_8, ctd_11, ctd_12, ctd_17, ctd_18;
