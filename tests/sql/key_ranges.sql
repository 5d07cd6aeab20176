-- Ranges of primary keys and secondary indexes (bind.rs key_range_access, index_access): bounds are
-- taken only on parts whose key encoding sorts as their values, so ranges over numeric, float and
-- char(n) columns and keys still find every row; composite keys, text, dates, negative values,
-- impossible and NULL bounds; rows as PostgreSQL's.
drop table if exists kr_n, kr_p, kr_t;
create table kr_n (id int primary key, n numeric, f float8, c char(3), d date);
insert into kr_n select g, g * 1.5 - 60, g * 0.5 - 20, (g % 20)::text, date '2026-01-01' + g from generate_series(1, 200) g;
insert into kr_n values (201, 0, -0.0, 'x', null), (202, null, 'NaN', null, date '1999-12-31');
create index kr_n_n on kr_n (n);
create index kr_n_f on kr_n (f);
create index kr_n_c on kr_n (c);
create index kr_n_d on kr_n (d);
select count(*) from kr_n where n > 9.5;
select count(*) from kr_n where n between -10 and 100;
select count(*) from kr_n where n < -50;
select count(*) from kr_n where f > 50;
select count(*) from kr_n where f >= 0;
select count(*) from kr_n where f < -19;
select count(*) from kr_n where c > '5';
select count(*) from kr_n where c >= '1 ' and c < '2';
select count(*) from kr_n where d >= '2026-03-01' and d < '2026-04-01';
select count(*) from kr_n where d < '2000-01-01';
select id from kr_n where id > 195 order by id;
select id from kr_n where id >= -5 and id < 4 order by id;
select id from kr_n where id between 10 and 5;
select id from kr_n where id > null;
select id from kr_n where id < 3 or id > 200 order by id;
create table kr_p (a int, b text, c int, primary key (a, b, c));
insert into kr_p select g % 13 - 6, chr(97 + g % 5), g from generate_series(1, 400) g;
select count(*) from kr_p where a = -2;
select count(*) from kr_p where a = -2 and b = 'c';
select count(*) from kr_p where a = -2 and b > 'b';
select count(*) from kr_p where a = 3 and b = 'a' and c > 200;
select count(*) from kr_p where a < 0 and b = 'e';
select a, b, c from kr_p where a = 6 and b between 'b' and 'c' order by a, b, c limit 5;
select a, b, c from kr_p where a = -6 order by a desc, b desc, c desc limit 4;
select min(a), max(a) from kr_p where c > 390;
create table kr_t (k text primary key, v int);
insert into kr_t select md5(g::text), g from generate_series(1, 300) g;
insert into kr_t values (''), ('a'), ('ab'), ('a b'), ('B'), ('~');
select count(*) from kr_t where k > 'a';
select k from kr_t where k < '1' order by k;
select k from kr_t where k >= 'f' order by k desc limit 3;
select min(k), max(k) from kr_t;
drop table kr_n, kr_p, kr_t;
