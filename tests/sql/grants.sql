-- GRANT / REVOKE on tables and the public schema, ownership and PostgreSQL 15's privilege checks.
SET client_min_messages = warning;
DROP VIEW IF EXISTS hp_v;
DROP TABLE IF EXISTS oo_t, gr_t, gr_u, gr_child, gr_mine, gr_c, gr_p, sq_t, hp_t;
DROP SEQUENCE IF EXISTS sq_s;
DROP VIEW IF EXISTS gr_uv, gr_mv;
DROP ROLE IF EXISTS oo_o, oo_r, gr_reader, gr_writer, gr_maker, fk_w, sq_r, hp_r;
RESET client_min_messages;
CREATE TABLE gr_t (id int PRIMARY KEY, v text);
CREATE TABLE gr_u (id int PRIMARY KEY);
INSERT INTO gr_t VALUES (1, 'one'), (2, 'two');
CREATE ROLE gr_reader LOGIN;
CREATE ROLE gr_writer LOGIN;
CREATE ROLE gr_maker LOGIN;
SELECT relname, relacl FROM pg_class WHERE relname IN ('gr_t', 'gr_u') ORDER BY 1;
GRANT SELECT ON gr_t TO gr_reader;
GRANT SELECT, INSERT, UPDATE ON TABLE gr_t TO gr_writer WITH GRANT OPTION;
GRANT DELETE ON gr_t, gr_u TO PUBLIC;
SELECT relname, relacl FROM pg_class WHERE relname IN ('gr_t', 'gr_u') ORDER BY 1;
\dp gr_*
GRANT USAGE ON gr_t TO gr_reader;
GRANT SELECT ON gr_t TO nobody;
GRANT SELECT ON nosuch TO gr_reader;
SELECT has_table_privilege('gr_reader', 'gr_t', 'SELECT'), has_table_privilege('gr_reader', 'gr_t', 'INSERT'),
       has_table_privilege('gr_writer', 'gr_t', 'insert with grant option'), has_table_privilege('gr_reader', 'gr_t', 'select, insert'),
       has_table_privilege('gr_t', 'TRUNCATE');
SELECT has_table_privilege('gr_reader', 'gr_t', 'fly');
\c - gr_reader
SELECT * FROM gr_t ORDER BY id;
SELECT * FROM gr_u;
INSERT INTO gr_t VALUES (3, 'three');
UPDATE gr_t SET v = 'x';
DELETE FROM gr_t WHERE id = 2;
DELETE FROM gr_u;
TRUNCATE gr_t;
CREATE TABLE gr_mine (id int);
DROP TABLE gr_t;
ALTER TABLE gr_t ADD COLUMN w int;
CREATE INDEX gr_t_v ON gr_t (v);
GRANT SELECT ON gr_t TO gr_maker;
COPY gr_u FROM STDIN;
\c - gr_writer
INSERT INTO gr_t VALUES (3, 'three') RETURNING id;
UPDATE gr_t SET v = upper(v) WHERE id = 3;
SELECT * FROM gr_t ORDER BY id;
DELETE FROM gr_t WHERE id = 3;
GRANT SELECT, DELETE ON gr_t TO gr_maker;
GRANT TRUNCATE ON gr_t TO gr_maker;
SELECT relacl FROM pg_class WHERE relname = 'gr_t';
\c - postgres
REVOKE INSERT ON gr_t FROM gr_writer;
REVOKE UPDATE ON gr_t FROM gr_writer;
REVOKE ALL ON gr_u FROM PUBLIC;
SELECT relname, relacl FROM pg_class WHERE relname IN ('gr_t', 'gr_u') ORDER BY 1;
GRANT CREATE ON SCHEMA public TO gr_maker;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'public';
\c - gr_maker
CREATE TABLE gr_mine (id int PRIMARY KEY, v text);
INSERT INTO gr_mine VALUES (1, 'a');
GRANT SELECT ON gr_mine TO gr_reader;
SELECT * FROM gr_mine;
\c - gr_reader
SELECT * FROM gr_mine;
\c - postgres
SELECT relname, pg_get_userbyid(relowner) AS owner, relacl FROM pg_class WHERE relname = 'gr_mine';
\dt gr_*
CREATE VIEW gr_uv AS SELECT count(*) AS n FROM gr_u;
GRANT SELECT ON gr_uv TO gr_reader;
SELECT relname, relacl FROM pg_class WHERE relname = 'gr_uv';
\c - gr_reader
SELECT * FROM gr_uv;
SELECT * FROM gr_u;
DROP VIEW gr_uv;
\c - gr_maker
SELECT * FROM gr_uv;
CREATE OR REPLACE VIEW gr_uv AS SELECT 1 AS n;
CREATE VIEW gr_mv AS SELECT id FROM gr_mine;
SELECT * FROM gr_mv;
DROP VIEW gr_mv;
\c - postgres
DROP VIEW gr_uv;
REVOKE CREATE ON SCHEMA public FROM gr_maker;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'public';
DROP TABLE gr_t, gr_u, gr_mine;
DROP ROLE gr_reader, gr_writer, gr_maker;
-- Foreign-key checks run with the owner's privileges; key values show only to those who may read them.
CREATE ROLE fk_w LOGIN;
CREATE TABLE gr_p (id int PRIMARY KEY);
CREATE TABLE gr_c (id int PRIMARY KEY, p int REFERENCES gr_p);
INSERT INTO gr_p VALUES (1);
GRANT INSERT ON gr_c TO fk_w;
GRANT DELETE ON gr_p TO fk_w;
\c - fk_w
INSERT INTO gr_c VALUES (1, 1);
INSERT INTO gr_c VALUES (2, 5);
DELETE FROM gr_p;
\c - postgres
DROP TABLE gr_c, gr_p;
DROP ROLE fk_w;
-- Sequences: nextval needs USAGE or UPDATE, currval SELECT or USAGE, setval UPDATE.
CREATE ROLE sq_r LOGIN;
CREATE TABLE sq_t (id serial PRIMARY KEY, v text);
CREATE SEQUENCE sq_s;
GRANT INSERT, SELECT ON sq_t TO sq_r;
SELECT relname, relacl FROM pg_class WHERE relname IN ('sq_t_id_seq', 'sq_s') ORDER BY 1;
\c - sq_r
INSERT INTO sq_t (v) VALUES ('a');
SELECT nextval('sq_s');
SELECT currval('sq_s');
SELECT setval('sq_s', 5);
DROP SEQUENCE sq_s;
\c - postgres
GRANT USAGE ON SEQUENCE sq_t_id_seq TO sq_r;
GRANT SELECT ON SEQUENCE sq_s TO sq_r;
GRANT INSERT ON SEQUENCE sq_s TO sq_r;
GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO sq_r;
SELECT relname, relacl FROM pg_class WHERE relname IN ('sq_t_id_seq', 'sq_s') ORDER BY 1;
\c - sq_r
INSERT INTO sq_t (v) VALUES ('a') RETURNING id;
SELECT nextval('sq_s');
SELECT setval('sq_s', 5);
SELECT currval('sq_s');
\c - postgres
DROP ROLE sq_r;
REVOKE ALL ON SEQUENCE sq_s, sq_t_id_seq FROM sq_r;
DROP ROLE sq_r;
DROP TABLE sq_t;
DROP SEQUENCE sq_s;
DROP ROLE sq_r;
-- has_*_privilege over tables, views, sequences, the schema and columns.
CREATE ROLE hp_r LOGIN;
CREATE TABLE hp_t (id serial PRIMARY KEY, v text);
CREATE VIEW hp_v AS SELECT id FROM hp_t;
GRANT SELECT ON hp_v TO hp_r;
GRANT USAGE ON SEQUENCE hp_t_id_seq TO hp_r;
SELECT has_table_privilege('hp_r', 'hp_t', 'SELECT'), has_table_privilege('hp_r', 'hp_v', 'SELECT'),
       has_table_privilege('postgres', 'hp_t', 'SELECT WITH GRANT OPTION'),
       has_table_privilege('hp_r', 'hp_v'::regclass, 'select'), has_table_privilege('hp_t', 'insert');
SELECT has_sequence_privilege('hp_r', 'hp_t_id_seq', 'USAGE'), has_sequence_privilege('hp_r', 'hp_t_id_seq', 'UPDATE'),
       has_sequence_privilege('hp_t_id_seq', 'SELECT');
SELECT has_schema_privilege('hp_r', 'public', 'USAGE'), has_schema_privilege('hp_r', 'public', 'CREATE'),
       has_schema_privilege('public', 'CREATE');
SELECT has_column_privilege('hp_r', 'hp_v', 'id', 'SELECT'), has_column_privilege('hp_t', 'v', 'UPDATE');
SELECT has_table_privilege('hp_r', 'nosuch', 'SELECT');
SELECT has_schema_privilege('hp_r', 'nosuch', 'USAGE');
SELECT has_sequence_privilege('hp_r', 'hp_t_id_seq', 'INSERT');
DROP VIEW hp_v;
DROP TABLE hp_t;
DROP ROLE hp_r;
-- A non-superuser owner holds every grant option, whatever its ACL lists.
CREATE ROLE oo_o LOGIN;
CREATE ROLE oo_r LOGIN;
GRANT CREATE ON SCHEMA public TO oo_o;
\c - oo_o
CREATE TABLE oo_t (id int);
GRANT SELECT ON oo_t TO oo_r;
SELECT has_table_privilege('oo_o', 'oo_t', 'SELECT WITH GRANT OPTION'), has_table_privilege('oo_r', 'oo_t', 'SELECT WITH GRANT OPTION');
DROP TABLE oo_t;
\c - postgres
REVOKE CREATE ON SCHEMA public FROM oo_o;
DROP ROLE oo_o, oo_r;
