-- ALTER TABLE/SEQUENCE ... OWNER TO: the owner and its ACL entries move, a table's SERIAL sequence
-- goes with it, a linked sequence cannot move alone, ALTER TABLE also names sequences and views.
DROP VIEW IF EXISTS own_v;
DROP TABLE IF EXISTS own_t;
DROP SEQUENCE IF EXISTS own_s;
DROP TABLE IF EXISTS own_p, own_b;
DROP ROLE IF EXISTS own_alice, own_bob;
CREATE ROLE own_alice;
CREATE TABLE own_t (id serial PRIMARY KEY, v text);
CREATE SEQUENCE own_s;
CREATE VIEW own_v AS SELECT v FROM own_t;
GRANT SELECT ON own_t TO PUBLIC;
SELECT relname, relacl FROM pg_class WHERE relname = 'own_t';
ALTER TABLE own_t OWNER TO own_alice;
SELECT tablename, tableowner FROM pg_tables WHERE tablename = 'own_t';
SELECT sequencename, sequenceowner FROM pg_sequences WHERE sequencename LIKE 'own%' ORDER BY 1;
SELECT relname, relacl FROM pg_class WHERE relname = 'own_t';
ALTER SEQUENCE own_t_id_seq OWNER TO postgres;
ALTER SEQUENCE own_s OWNER TO own_alice;
ALTER TABLE own_s OWNER TO postgres;
ALTER TABLE own_v OWNER TO own_alice;
SELECT viewname, viewowner FROM pg_views WHERE viewname = 'own_v';
SELECT sequencename, sequenceowner FROM pg_sequences WHERE sequencename LIKE 'own%' ORDER BY 1;
ALTER TABLE own_t OWNER TO nobody_here;
ALTER TABLE own_nothing OWNER TO own_alice;
ALTER SEQUENCE own_nothing OWNER TO own_alice;
ALTER TABLE own_t OWNER TO CURRENT_USER;
SELECT tablename, tableowner FROM pg_tables WHERE tablename = 'own_t';
SELECT relname, relacl FROM pg_class WHERE relname = 'own_t';
DROP VIEW own_v;
DROP TABLE own_t;
DROP SEQUENCE own_s;
DROP ROLE own_alice;
-- Only the owner gives an object away, and (no role membership here) a non-superuser only to itself.
CREATE ROLE own_bob LOGIN;
GRANT CREATE ON SCHEMA public TO own_bob;
CREATE TABLE own_p (id int);
\c - own_bob
CREATE TABLE own_b (id int);
ALTER TABLE own_p OWNER TO own_bob;
ALTER TABLE own_b OWNER TO postgres;
ALTER TABLE own_b OWNER TO own_bob;
SELECT tablename, tableowner FROM pg_tables WHERE tablename LIKE 'own_%' ORDER BY 1;
DROP TABLE own_b;
\c - postgres
DROP TABLE own_p;
REVOKE CREATE ON SCHEMA public FROM own_bob;
DROP ROLE own_bob;
