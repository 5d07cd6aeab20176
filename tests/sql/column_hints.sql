-- A column reference that names no column: PostgreSQL 15's hint names the nearest column of the
-- FROM items in scope (Levenshtein distance, the qualifier's own distance added), two equally
-- near ones, or none.
drop view if exists ch_vo, ch_va;
drop table if exists ch_emp, ch_dept, ch_vb;
create table ch_emp (id int, name text, status text, dept int);
create table ch_dept (id int, title text, state text);
select nme from ch_emp;
select e.nam from ch_emp e;
select e.state from ch_emp e join ch_dept d on d.id = e.dept;
select stat from ch_emp e join ch_dept d on d.id = e.dept;
select d.status from ch_emp e join ch_dept d on d.id = e.dept;
select x.status from ch_emp e join ch_dept x on x.id = e.dept;
select ttle from ch_emp, ch_dept;
select idd from ch_emp, ch_dept;
select zzzzz from ch_emp;
select a from ch_emp;
select ab from ch_emp;
select em.name from ch_emp e;
select ch_emp.name from ch_emp e;
select (select nmae from ch_dept) from ch_emp;
select 1 from ch_emp where exists (select 1 from ch_dept where ch_dept.id = ch_emp.idd);
select * from ch_emp e join ch_dept d on d.id = e.dept where titl = 'x';
select * from ch_emp e join (select id, title as t2 from ch_dept) d on d.id = e.dept where t = 'x';
select * from ch_emp a, lateral (select a.nmae) s;
select * from ch_emp a join ch_dept b on b.id = c.id join ch_dept c on true;
select * from ch_emp a join ch_dept b on a.title2 = 1;
select status_x from ch_emp;
select sattus from ch_emp;
select "Name" from ch_emp;
select staus, stat from ch_emp;
select * from ch_emp e1, ch_emp e2 where namee = 'x';
update ch_emp set name = 'x' where nme = 'y';
delete from ch_emp where nme = 'y';
select e.* from ch_emp e order by nme;
select dept from ch_emp group by dep;
-- A write through a view: the hint names the view's columns, as PostgreSQL binds before it
-- rewrites the statement onto the table.
create table ch_vb (id int primary key, name text, qty int, secret text);
create view ch_va(k, n) as select b.id, b.name from ch_vb b where b.qty >= 10;
create view ch_vo as select k, n from ch_va where k < 100;
update ch_va set n = nope;
update ch_va set n = nn;
update ch_va set n = 'x' where kk = 1;
update ch_va v set n = v.nn;
update ch_vo set n = kay;
delete from ch_va where nn = 'x';
delete from ch_vo where qty = 1;
insert into ch_va values (1, 'a') on conflict (k) do update set n = excluded.nn;
update ch_va set n = o.nam from ch_vb o where o.id = ch_va.k;
drop view ch_vo, ch_va;
drop table ch_emp, ch_dept, ch_vb;
