-- Merge joins (query.rs merge_join): with enable_hashjoin off, joins on equalities sort both inputs on
-- their keys and merge them: inner, left, right and full joins, NULL keys, duplicate keys on both sides,
-- extra ON conditions that turn pairs down, joins of joins; rows as PostgreSQL's.
drop table if exists mj_a, mj_b;
create table mj_a (id int primary key, k int, t text);
create table mj_b (id int primary key, k int, t text);
insert into mj_a select g, case when g % 7 = 0 then null else g % 10 end, 'a' || g from generate_series(1, 60) g;
insert into mj_b select g, case when g % 5 = 0 then null else (g * 3) % 13 end, 'b' || g from generate_series(1, 40) g;
set enable_hashjoin = off;
show enable_hashjoin;
select a.id, b.id from mj_a a join mj_b b on a.k = b.k order by 1, 2 limit 15;
select count(*) from mj_a a join mj_b b on a.k = b.k;
select count(*), count(b.id), count(a.id) from mj_a a left join mj_b b on a.k = b.k;
select count(*), count(b.id), count(a.id) from mj_a a right join mj_b b on a.k = b.k;
select count(*), count(b.id), count(a.id) from mj_a a full join mj_b b on a.k = b.k;
select count(*), count(b.id), count(a.id) from mj_a a full join mj_b b on a.k = b.k and a.id < b.id;
select count(*), count(b.id), count(a.id) from mj_a a left join mj_b b on a.k = b.k and b.t like 'b1%';
select a.id, b.id from mj_a a full join mj_b b on a.k = b.k and a.id + b.id = 20 order by 1 nulls first, 2 nulls first limit 12;
select a.k, count(*) from mj_a a join mj_b b on a.k = b.k and a.t < b.t group by a.k order by 1;
select count(*) from mj_a a join mj_b b on a.k = b.k and a.id = b.id;
select count(*) from mj_a a join mj_b b on a.k = b.k join mj_a c on c.id = b.id;
reset enable_hashjoin;
select count(*), count(b.id), count(a.id) from mj_a a full join mj_b b on a.k = b.k and a.id < b.id;
drop table mj_a, mj_b;
