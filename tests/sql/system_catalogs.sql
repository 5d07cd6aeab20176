-- System catalogs built from Keel's catalog: information_schema (tables, columns, sequences,
-- table_constraints, key_column_usage, schemata) and pg_catalog (pg_class, pg_namespace,
-- pg_attribute, pg_type, pg_index, pg_sequence, pg_tables, pg_indexes, pg_sequences), joined
-- and filtered like tables. Rows are limited to this script's objects (PostgreSQL's database is shared).
DROP TABLE IF EXISTS sys_a, sys_b;
DROP SEQUENCE IF EXISTS sys_s;
CREATE TABLE sys_a (id serial PRIMARY KEY, name varchar(20) NOT NULL, price numeric(10,2) DEFAULT 0, note text, made date, at timestamptz, flag boolean UNIQUE, CHECK (price >= 0));
CREATE TABLE sys_b (k bigint GENERATED ALWAYS AS IDENTITY, a_id int, c char(3), f float8, CONSTRAINT sys_b_pk PRIMARY KEY (k));
CREATE INDEX sys_b_a ON sys_b (a_id);
CREATE SEQUENCE sys_s INCREMENT 5 START 10;
SELECT table_name, table_type, is_insertable_into FROM information_schema.tables WHERE table_name LIKE 'sys\_%' ORDER BY 1;
SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length, character_octet_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision, udt_name, dtd_identifier, is_identity, identity_generation, identity_start, identity_increment, identity_maximum, identity_minimum, identity_cycle, is_generated, is_updatable FROM information_schema.columns WHERE table_name LIKE 'sys\_%' ORDER BY table_name, ordinal_position;
SELECT sequence_name, data_type, numeric_precision, numeric_precision_radix, numeric_scale, start_value, minimum_value, maximum_value, increment, cycle_option FROM information_schema.sequences WHERE sequence_name LIKE 'sys\_%' ORDER BY 1;
SELECT constraint_name, table_name, constraint_type, is_deferrable, initially_deferred, enforced FROM information_schema.table_constraints WHERE table_name LIKE 'sys\_%' AND constraint_type <> 'CHECK' ORDER BY 1;
SELECT constraint_name, table_name, column_name, ordinal_position FROM information_schema.key_column_usage WHERE table_name LIKE 'sys\_%' ORDER BY 1, 4;
SELECT c.relname, c.relkind, c.relnatts, c.relhasindex, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 'sys\_%' ORDER BY 1;
SELECT a.attname, a.attnum, t.typname, a.attnotnull, a.atthasdef, a.attidentity, a.atttypmod FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid WHERE c.relname = 'sys_a' AND a.attnum > 0 ORDER BY a.attnum;
SELECT tablename, hasindexes FROM pg_tables WHERE tablename LIKE 'sys\_%' ORDER BY 1;
SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'sys\_%' ORDER BY 2;
SELECT sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, cache_size FROM pg_sequences WHERE sequencename LIKE 'sys\_%' ORDER BY 1;
SELECT i.indisunique, i.indisprimary, i.indkey::text, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'sys\_%' ORDER BY c.relname;
SELECT s.seqstart, s.seqincrement, s.seqmin, s.seqcycle, c.relname FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relname LIKE 'sys\_%' ORDER BY c.relname;
SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1;
SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1;
SELECT typname, typlen, typcategory FROM pg_type WHERE typname IN ('int4', 'text', 'numeric', 'bool', 'timestamptz', 'varchar', 'bpchar', 'date') ORDER BY 1;
SELECT count(*) FROM information_schema.columns c JOIN information_schema.tables t USING (table_name) WHERE t.table_name = 'sys_b';
DROP TABLE sys_a, sys_b;
DROP SEQUENCE sys_s;
SELECT count(*) FROM pg_class WHERE relname LIKE 'sys\_%';
-- pg_group (roles that cannot log in, with their members) and the catalogs of what Keel has
-- none of (materialized views, two-phase transactions, replication), by PostgreSQL's OIDs.
drop role if exists sc_child;
drop role if exists sc_parent;
create role sc_parent nologin;
create role sc_child login;
grant sc_parent to sc_child;
select groname, array_length(grolist, 1), grolist = array[(select oid from pg_roles where rolname = 'sc_child')] from pg_group where groname in ('sc_parent', 'pg_read_all_stats', 'pg_signal_backend') order by 1;
select count(*) from pg_group where groname = 'sc_child';
select * from pg_matviews;
select * from pg_prepared_xacts;
select * from pg_stat_replication;
select * from pg_replication_slots;
select 'pg_matviews'::regclass::oid, 'pg_group'::regclass, 'pg_replication_slots'::regclass::oid;
drop role sc_child;
drop role sc_parent;
