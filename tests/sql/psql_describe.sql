-- psql's describe commands over the system catalogs: \dt \di \ds \dv \dn print what PostgreSQL prints.
DROP TABLE IF EXISTS ps_a, ps_b;
DROP SEQUENCE IF EXISTS ps_s;
DROP VIEW IF EXISTS ps_v;
CREATE TABLE ps_a (id serial PRIMARY KEY, name varchar(20) NOT NULL UNIQUE);
CREATE TABLE ps_b (k int PRIMARY KEY, a int);
CREATE INDEX ps_b_a ON ps_b (a);
CREATE SEQUENCE ps_s;
CREATE VIEW ps_v AS SELECT k FROM ps_b;
\dt ps_*
\di ps_*
\ds ps_*
\dv ps_*
\dn public
DROP VIEW ps_v;
DROP TABLE ps_a, ps_b;
DROP SEQUENCE ps_s;
