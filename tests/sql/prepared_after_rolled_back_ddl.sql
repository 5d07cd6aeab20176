-- A statement prepared against DDL that was rolled back (with its transaction, or to a savepoint)
-- binds again after later DDL: catalog versions handed out to rolled-back DDL are never reused.
drop table if exists pvr_t;
create table pvr_t (id int, v text, w int);
insert into pvr_t values (1, 'a', 10);
begin;
alter table pvr_t rename column v to vv;
prepare pvr_p as select vv from pvr_t;
execute pvr_p;
rollback;
alter table pvr_t drop column w;
execute pvr_p;
begin;
savepoint s;
alter table pvr_t rename column v to vv;
prepare pvr_q as select vv from pvr_t;
rollback to s;
alter table pvr_t add column z int;
execute pvr_q;
commit;
drop table pvr_t;
