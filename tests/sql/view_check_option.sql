-- WITH [LOCAL | CASCADED] CHECK OPTION (bind/views.rs): rows inserted or updated through a view
-- must be rows it shows, checked innermost view first; the option in information_schema.views,
-- pg_class.reloptions and psql's \d+; WITH (check_option = ...) spells it too.
create table wt (id int primary key, a int, b text);
create view wv1 as select id, a from wt where a > 0;
create view wv2 as select id, a from wv1 where a < 100 with cascaded check option;
create view wvl as select id, a from wv1 where a < 100 with local check option;
create view wv3 as select id, a, b from wt where b is not null with check option;
insert into wv2 values (1, 5);
insert into wv2 values (2, 500);
insert into wv2 values (3, -5);
insert into wvl values (4, -5);
insert into wvl values (5, 500);
insert into wv3 values (6, 1, null);
insert into wv3 (id, a) values (7, 1);
update wv2 set a = a + 1000 where id = 1;
update wv2 set a = a + 1 where id = 1;
update wv3 set b = null;
insert into wv3 values (6, 1, 'x') on conflict (id) do update set b = null;
select * from wt order by id;
select c.relname, c.reloptions from pg_class c where c.relname like 'wv%' order by 1;
select table_name, check_option, is_updatable from information_schema.views where table_name like 'wv%' order by 1;
\d+ wv2
create view wvo with (check_option = local) as select id, a from wt where a > 0;
insert into wvo values (20, -1);
create view wvb with (check_option = sideways) as select id from wt;
create view wvx with (fillfactor = 10) as select id from wt;
create view wvs with (security_barrier = true) as select id from wt;
-- an UPDATE ... FROM through a view with the option
update wv2 set a = o.a + 200 from (values (1, 1)) o(id, a) where o.id = wv2.id;
-- ON CONFLICT's update, and a NULL condition, fail the option too
insert into wv3 values (6, 1, 'x') on conflict (id) do update set b = null;
insert into wv3 values (30, null, null);
drop view wv2, wvl, wv1, wv3, wvo, wvs;
drop table wt;
-- Options without a value (security_barrier alone is true) beside the check option, kept in
-- pg_class.reloptions in the order given.
create table vt (id int primary key, a int);
create view vo1 with (security_barrier) as select id, a from vt where a > 0;
create view vo2 with (security_barrier, check_option = local) as select id, a from vt where a > 0;
create view vo3 (x, y) with (security_barrier) as select id, a from vt where a > 0 with check option;
create view vo4 with (security_barrier = false) as select id from vt with local check option;
insert into vo1 values (1, -1);
insert into vo2 values (2, -1);
insert into vo3 values (3, -1);
select c.relname, c.reloptions from pg_class c where c.relname like 'vo%' order by 1;
select table_name, check_option from information_schema.views where table_name like 'vo%' order by 1;
create view vo5 with (security_barrier as select 1;
create view vo6 with (check_option = local) as select 1 x with cascaded check option;
drop view vo1, vo2, vo3, vo4;
drop table vt;
