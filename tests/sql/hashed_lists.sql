-- Long IN lists and = ANY / <> ALL of constant arrays (9 items and more) are hashed: a row's
-- test is one probe. The answers are PostgreSQL's for NULLs on either side, NOT IN with a NULL
-- item, every hashed kind of value (integers of each width, floats with -0 and NaN, numerics of
-- different scales, text, char(n), dates, timestamps, intervals, bytea, booleans, uuids), lists
-- mixing types, the test in a worker's scan, in a filter over a join, in outputs and in DML,
-- and arrays from subqueries (PostgreSQL's InitPlan) and parameters.
drop table if exists hl_t, hl_u;
create table hl_t (id int primary key, i int, b bigint, s smallint, f float8, r real, n numeric(10,3),
  t text, c char(4), v varchar(8), d date, ts timestamp, tz timestamptz, iv interval, by bytea, bo boolean, u uuid);
insert into hl_t select g, g % 50, g * 1000000000::bigint, (g % 30)::smallint, (g % 40) / 4.0, (g % 20) / 2.0,
  (g % 60) / 8.0, 'v' || (g % 45), 'c' || (g % 12), 'w' || (g % 15), date '2024-01-01' + (g % 35),
  timestamp '2024-01-01 10:00' + (g % 25) * interval '1 hour', timestamptz '2024-01-01 10:00+00' + (g % 25) * interval '1 hour',
  (g % 28) * interval '1 hour', decode(lpad(to_hex(g % 33), 4, '0'), 'hex'), g % 3 = 0,
  ('00000000-0000-0000-0000-0000000000' || lpad(to_hex(g % 20), 2, '0'))::uuid
  from generate_series(1, 400) g;
insert into hl_t (id) values (1000), (1001);
update hl_t set f = 'NaN' where id = 401 - 1;
update hl_t set f = '-0' where id = 399;
create table hl_u (k int, label text);
insert into hl_u select g, 'label ' || g from generate_series(0, 60) g;
insert into hl_u values (null, 'no key');
select count(*) from hl_t where i in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
select count(*) from hl_t where i not in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
select count(*) from hl_t where i in (1, 3, 5, 7, 9, 11, 13, 15, 17, null);
select count(*) from hl_t where i not in (1, 3, 5, 7, 9, 11, 13, 15, 17, null);
select count(*) from hl_t where (i in (1, 3, 5, 7, 9, 11, 13, 15, 17, null)) is null;
select count(*) from hl_t where (i not in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19)) is null;
select count(*) from hl_t where i in (null, null, null, null, null, null, null, null, null);
select count(*) from hl_t where (i not in (null, null, null, null, null, null, null, null, null)) is null;
select count(*) from hl_t where i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3);
select count(*) from hl_t where b in (1000000000, 2000000000, 3000000000, 4000000000, 5000000000, 6000000000, 7000000000, 8000000000, 9000000000, 123);
select count(*) from hl_t where s in (1, 2, 3, 4, 5, 6, 7, 8, 9, 100000);
select count(*) from hl_t where i in (1, 2, 3, 4, 5, 6, 7, 8, 9.0, 10.5);
select count(*) from hl_t where i in (1.0, 2.00, 3, 4, 5, 6, 7, 8, 9, 10);
select count(*) from hl_t where f in (0, 1.25, 2.5, 3.75, 5, 6.25, 7.5, 8.75, 'NaN', 9.5);
select count(*) from hl_t where f in ('-0', 1, 2, 3, 4, 5, 6, 7, 8, 9);
select count(*) from hl_t where f not in ('NaN', 1, 2, 3, 4, 5, 6, 7, 8, 9);
select count(*) from hl_t where f in ('Infinity'::float8 - 'Infinity'::float8, 1, 2, 3, 4, 5, 6, 7, 8, 9);
select count(*) from hl_t where r in (0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5);
select count(*) from hl_t where n in (0.125, 0.25, 0.375, 0.5, 1.0, 1.5000, 2, 2.125, 3.75, 7.375);
select count(*) from hl_t where n not in (0.125, 0.25, 0.375, 0.5, 1.0, 1.5000, 2, 2.125, 3.75, 7.375);
select count(*) from hl_t where t in ('v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'V11', 'v1 ');
select count(*) from hl_t where t not in ('v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10');
select count(*) from hl_t where c in ('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10  ');
select count(*) from hl_t where v in ('w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10');
select count(*) from hl_t where d in ('2024-01-01', '2024-01-03', '2024-01-05', '2024-01-07', '2024-01-09', '2024-01-11', '2024-01-13', '2024-01-15', '2024-01-17', '2024-01-19');
select count(*) from hl_t where d in (timestamp '2024-01-01', '2024-01-03', '2024-01-05', '2024-01-07', '2024-01-09', '2024-01-11', '2024-01-13', '2024-01-15', '2024-01-17 00:00:01', '2024-01-19');
select count(*) from hl_t where ts in ('2024-01-01 10:00', '2024-01-01 11:00', '2024-01-01 12:00', '2024-01-01 13:00', '2024-01-01 14:00', '2024-01-01 15:00', '2024-01-01 16:00', '2024-01-01 17:00', '2024-01-01 18:00', '2024-01-01 18:30');
set timezone = 'Europe/Paris';
select count(*) from hl_t where tz in ('2024-01-01 11:00', '2024-01-01 12:00', '2024-01-01 13:00', '2024-01-01 14:00', '2024-01-01 15:00', '2024-01-01 16:00', '2024-01-01 17:00', '2024-01-01 18:00', '2024-01-01 19:00', '2024-01-01 20:00');
reset timezone;
select count(*) from hl_t where iv in ('1 hour', '2 hours', '3 hours', '240 minutes', '5 hours', '6 hours', '7 hours', '8 hours', '9 hours', '1 day', '25 hours');
select count(*) from hl_t where by in ('\x0001', '\x0002', '\x0003', '\x0004', '\x0005', '\x0006', '\x0007', '\x0008', '\x0009', '\x000a');
select count(*) from hl_t where bo in (true, true, true, true, true, true, true, true, true, null);
select count(*) from hl_t where u in ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000006', '00000000-0000-0000-0000-000000000007', '00000000-0000-0000-0000-000000000008', '00000000-0000-0000-0000-000000000009', '00000000-0000-0000-0000-00000000000a');
select count(*) from hl_t where i = any ('{1, 3, 5, 7, 9, 11, 13, 15, 17, 19}');
select count(*) from hl_t where i = any ('{1, 3, 5, 7, 9, 11, 13, 15, 17, NULL}'::int[]);
select count(*) from hl_t where i <> all ('{1, 3, 5, 7, 9, 11, 13, 15, 17, 19}');
select count(*) from hl_t where i <> all ('{1, 3, 5, 7, 9, 11, 13, 15, 17, NULL}'::int[]);
select count(*) from hl_t where i = any ('{{1, 3, 5, 7, 9}, {11, 13, 15, 17, 19}}'::int[]);
select count(*) from hl_t where i = any (array[1, 3, 5, 7, 9, 11, 13, 15, 17, 19]::bigint[]);
select count(*) from hl_t where t = any (array['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10']);
select count(*) from hl_t where i + 1 in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
select count(*) from hl_t where i in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19) or t in ('v2', 'v4', 'v6', 'v8', 'v10', 'v12', 'v14', 'v16', 'v18', 'v20');
select count(*) filter (where i in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19)), count(*) filter (where i not in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19)) from hl_t;
select id, i in (1, 3, 5, 7, 9, 11, 13, 15, 17, null) as in_list, i = any ('{2, 4, 6, 8, 10, 12, 14, 16, 18, 20}'::int[]) as any_array from hl_t where id in (1, 2, 3, 4, 1000) order by id;
select case when i in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19) then 'odd small' else 'other' end as kind, count(*) from hl_t group by 1 order by 1;
select u.label, count(t.id) from hl_u u left join hl_t t on t.i = u.k where u.k in (1, 2, 3, 4, 5, 6, 7, 8, 9, 60) or u.k is null group by u.label order by u.label;
select count(*) from hl_t t join hl_u u on u.k = t.i where t.i + u.k in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20);
select count(*) from hl_t where i = any (array(select g * 3 from generate_series(0, 15) g));
select count(*) from hl_t where i <> all (array(select g * 3 from generate_series(0, 15) g));
select count(*) from hl_t where i = any (array(select k from hl_u where k < 12));
select count(*) from hl_t where i <> all (array(select k from hl_u where k < 12 or k is null));
select count(*) from hl_t where i = any (array(select k from hl_u where k < 0));
select count(*) from hl_t where i <> all (array(select k from hl_u where k < 0));
select count(*) from hl_t where i = (select max(k) from hl_u) - 20;
select count(*) from hl_t where i > 100 and i = (select k from hl_u);
select count(*) from hl_t where i = (select k from hl_u);
select count(*) from hl_t where i = any (array(select k from hl_u where k < 12)) and t = any (array(select 'v' || k from hl_u));
prepare hl_any(int[]) as select count(*) from hl_t where i = any ($1);
execute hl_any('{1, 3, 5, 7, 9, 11, 13, 15, 17, 19}');
execute hl_any('{1, 3, 5, 7, 9, 11, 13, 15, 17, NULL}');
execute hl_any('{}');
execute hl_any(null);
deallocate hl_any;
prepare hl_all(text[]) as select count(*) from hl_t where t <> all ($1);
execute hl_all('{v1, v2, v3, v4, v5, v6, v7, v8, v9, v10}');
execute hl_all('{v1, v2, v3, v4, v5, v6, v7, v8, v9, NULL}');
execute hl_all('{}');
deallocate hl_all;
prepare hl_in(int, int, int, int, int, int, int, int, int, int) as select count(*) from hl_t where i in ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);
execute hl_in(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
execute hl_in(1, 2, 3, 4, 5, 6, 7, 8, 9, null);
deallocate hl_in;
begin;
update hl_t set i = i + 1000 where i in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
select count(*) from hl_t where i > 1000;
with d as (delete from hl_t where i not in (1001, 1003, 1005, 1007, 1009, 1011, 1013, 1015, 1017, 1019) returning id, i) select count(*), sum(id), sum(i) from d;
select count(*), min(i), max(i) from hl_t;
rollback;
select count(*) from hl_t where i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 'x');
select count(*) from hl_t where i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 1 / 0);
-- Typing: an IN list of real compares the constants as real; an ARRAY's items take their own
-- common type first (numeric here), so real = ANY (ARRAY[..]) compares in double precision.
select x in (1.1, 2.1) as listed, x = any (array[1.1, 2.1]) as arrayed, x = any (array[1.1::numeric, 2.1]) as typed,
  x = any (array[1.1::real, 2.1]) as real_items, x <> all (array[1.1, 2.1]) as not_arrayed,
  x in (1.1, 2, 3, 4, 5, 6, 7, 8, 9, 10) as long_listed, x = any (array[1.1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) as long_arrayed
  from (values (1.1::real), (2::real), (null::real)) v(x);
select d in (timestamp '2024-01-01 00:00', '2024-01-02') as listed, d = any (array[timestamp '2024-01-01 00:00', '2024-01-02']) as arrayed
  from (values (date '2024-01-01'), (date '2024-01-02'), (date '2024-01-03')) v(d);
drop table hl_t, hl_u;
