-- RETURNING of UPDATE ... FROM and DELETE ... USING reads the FROM items' columns too (`*`
-- takes them, as PostgreSQL's), and RETURNING anywhere may run subqueries (correlated with the
-- written row or not).
drop table if exists rf_a, rf_b, rq, rf_none cascade;
create table rf_a (id int primary key, n int, t text default 'x');
create table rf_b (id int primary key, a_id int, v numeric(6,2));
insert into rf_a values (1, 1), (2, 2), (3, 3);
insert into rf_b values (10, 1, 1.5), (20, 2, 3), (30, 3, 4.5), (31, 3, 9);
update rf_a a set n = n * 10 from rf_b b where b.a_id = a.id and b.v between 2 and 4 returning a.id, a.n, b.v, b.id * 2 as twice;
update rf_a a set n = n + 1 from rf_b b where b.a_id = a.id and b.id = 10 returning *;
update rf_a a set n = n + 1 from rf_b b where b.a_id = a.id and b.id = 10 returning b.*, a.t;
update rf_a a set n = n + 1 from rf_b b where b.a_id = a.id and b.id = 10 returning x.*;
update rf_a set n = n + 1 from rf_b b, (values (20)) w(k) where b.a_id = rf_a.id and b.id = w.k returning rf_a.id, w.k, b.v, (select count(*) from rf_b c where c.a_id = b.a_id) as same_a;
delete from rf_a a using rf_b b where b.a_id = a.id and b.id = 10 returning a.id, b.id, b.v;
delete from rf_a using rf_b where rf_b.a_id = rf_a.id and rf_b.id = 20 returning *;
update rf_a set n = 0 where id = 3 returning *;
select * from rf_a order by id;
create table rq (id int primary key, n int);
create table rf_none (k int);
insert into rq values (1, 1) returning id, (select count(*) from rq) as before;
update rq set n = 2 where id = 1 returning (select count(*) from rq), n;
update rq set n = n + 1 where id in (select id from rq) returning (select max(k) from (values (1), (rq.n)) v(k)) as most, n;
insert into rq values (1, 5) on conflict (id) do update set n = excluded.n returning (select 7), n;
delete from rq where id = 1 returning (select count(*) from rf_none), *;
insert into rq values (2, 2), (3, 3) returning *, (select sum(n) from rq);
drop table rq, rf_none, rf_a, rf_b;
