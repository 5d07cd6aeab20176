-- Storage parameters: CREATE TABLE ... WITH (...), CREATE TABLE ... WITH (...) AS, ALTER TABLE SET (...) / RESET (...); PostgreSQL's checks of names, types and bounds, and pg_class.reloptions in its order.
create table stp_so1 (a int) with (fillfactor = 50, fillfactor = 60);
create table stp_so1 (a int) with (fillfactor = 'abc');
create table stp_so1 (a int) with (fillfactor = 5);
create table stp_so1 (a int) with (autovacuum_vacuum_scale_factor = 200);
create table stp_so1 (a int) with (autovacuum_enabled = 'maybe');
create table stp_so1 (a int) with (vacuum_index_cleanup = 'x');
create table stp_so1 (a int) with (bogus = 1);
create table stp_so1 (a int) with (fillfactor = 70.5);
select reloptions from pg_class where relname = 'stp_so1';
drop table stp_so1;
create table stp_so1 (a int) with (autovacuum_enabled = off, fillfactor = '90', vacuum_index_cleanup = auto, log_autovacuum_min_duration = -1, parallel_workers = 4);
select reloptions from pg_class where relname = 'stp_so1';
alter table stp_so1 reset (bogus);
alter table stp_so1 reset (fillfactor, parallel_workers);
select reloptions from pg_class where relname = 'stp_so1';
alter table stp_so1 set (fillfactor = 75), set (autovacuum_enabled = true);
select reloptions from pg_class where relname = 'stp_so1';
alter table stp_so1 set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
alter table stp_so1 set (autovacuum_vacuum_cost_limit = 0);
alter table stp_so1 reset (autovacuum_enabled, log_autovacuum_min_duration, vacuum_index_cleanup, fillfactor, autovacuum_vacuum_scale_factor, autovacuum_analyze_threshold);
select reloptions from pg_class where relname = 'stp_so1';
alter table if exists nosuch reset (fillfactor);
create table stp_so2 with (fillfactor = 60) as select 1 as x;
select reloptions from pg_class where relname = 'stp_so2';
insert into stp_so1 values (1);
select * from stp_so1;
drop table stp_so1, stp_so2;
-- Index storage parameters: CREATE INDEX ... WITH (fillfactor, deduplicate_items), checked as a btree's; pg_class.reloptions, pg_get_indexdef and psql's \d; copied by LIKE ... INCLUDING INDEXES.
create table stp_ix1 (a int, b int, c int);
create index stp_ix1_a on stp_ix1 (a) with (fillfactor = 70);
select reloptions from pg_class where relname = 'stp_ix1_a';
create index stp_ix1_c on stp_ix1 using btree (c) with (deduplicate_items = off, fillfactor = 90) where c > 0;
create index stp_ix1_bc on stp_ix1 (b) include (c) with (fillfactor = '50');
create index stp_ix1_x on stp_ix1 (b) with (fillfactor = 5);
create index stp_ix1_y on stp_ix1 (b) with (bogus = 1);
create index stp_ix1_z on stp_ix1 (b) with (fillfactor = 50, fillfactor = 60);
create index stp_ix1_w on stp_ix1 (b) with (deduplicate_items = 'maybe');
\d stp_ix1
select pg_get_indexdef(indexrelid) from pg_index where indrelid = 'stp_ix1'::regclass order by 1;
create table stp_ix2 (like stp_ix1 including indexes);
\d stp_ix2
drop table stp_ix1, stp_ix2;
