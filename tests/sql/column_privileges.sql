-- Column privileges: GRANT/REVOKE SELECT, INSERT, UPDATE, REFERENCES (columns) ON a table, the
-- checks of SELECT, INSERT, UPDATE and DELETE by column, and the catalogs that show them.
SET client_min_messages = warning;
DROP TABLE IF EXISTS cp_t, cp_u;
DROP ROLE IF EXISTS cp_alice, cp_bob;
RESET client_min_messages;
CREATE ROLE cp_alice;
CREATE ROLE cp_bob;
CREATE TABLE cp_t (a int PRIMARY KEY, b text, c int DEFAULT 7);
CREATE TABLE cp_u (id int PRIMARY KEY, note text);
INSERT INTO cp_t VALUES (1, 'x', 10), (2, 'y', 20);
INSERT INTO cp_u VALUES (1, 'one');
GRANT SELECT (a, b), UPDATE (b), INSERT (a, b) ON cp_t TO cp_alice;
GRANT REFERENCES (a) ON cp_t TO cp_alice;
GRANT SELECT (id) ON cp_u TO cp_alice WITH GRANT OPTION;
\dp cp_*
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'cp_t'::regclass AND attnum > 0 ORDER BY attnum;
SELECT relacl FROM pg_class WHERE relname = 'cp_t';
SELECT grantee, table_name, column_name, privilege_type, is_grantable
  FROM information_schema.column_privileges WHERE table_name LIKE 'cp_%' ORDER BY 1, 2, 3, 4;
SELECT has_column_privilege('cp_alice', 'cp_t', 'a', 'SELECT') AS a_sel,
       has_column_privilege('cp_alice', 'cp_t', 'c', 'SELECT') AS c_sel,
       has_column_privilege('cp_alice', 'cp_t', 'b', 'UPDATE') AS b_upd,
       has_column_privilege('cp_alice', 'cp_t', 2::int2, 'SELECT') AS two_sel,
       has_column_privilege('cp_alice', 'cp_u', 'id', 'SELECT WITH GRANT OPTION') AS id_opt,
       has_any_column_privilege('cp_alice', 'cp_t', 'SELECT') AS any_sel,
       has_table_privilege('cp_alice', 'cp_t', 'SELECT') AS t_sel;
SELECT has_column_privilege('cp_alice', 'cp_t', 'nosuch', 'SELECT');
SELECT has_any_column_privilege('cp_alice', 'cp_t', 'DELETE');
SET ROLE cp_alice;
SELECT a, b FROM cp_t ORDER BY a;
SELECT * FROM cp_t;
SELECT c FROM cp_t;
SELECT count(*) FROM cp_t;
SELECT count(*) FROM cp_t WHERE a > 1;
SELECT a FROM cp_t WHERE c > 5;
SELECT a FROM cp_t ORDER BY c;
SELECT x.a, u.id FROM cp_t x JOIN cp_u u ON u.id = x.a;
SELECT x.a, u.note FROM cp_t x JOIN cp_u u ON u.id = x.a;
SELECT (SELECT max(b) FROM cp_t) AS m;
UPDATE cp_t SET b = 'z' WHERE a = 1;
UPDATE cp_t SET c = 1 WHERE a = 1;
UPDATE cp_t SET b = 'w' WHERE c = 10;
UPDATE cp_t SET b = b || '!' WHERE a = 2;
UPDATE cp_t SET b = 'w' RETURNING c;
UPDATE cp_t SET b = 'v' WHERE a = 2 RETURNING a, b;
INSERT INTO cp_t (a, b) VALUES (3, 'q');
INSERT INTO cp_t (a, b, c) VALUES (4, 'q', 1);
INSERT INTO cp_t VALUES (5);
INSERT INTO cp_t (a) VALUES (6) RETURNING a, b;
INSERT INTO cp_t (a) VALUES (7) RETURNING *;
INSERT INTO cp_t (a) SELECT 8;
DELETE FROM cp_t WHERE a = 3;
COPY cp_t (a, b) FROM STDIN;
9	nine
\.
COPY cp_u (id) TO STDOUT;
COPY cp_u TO STDOUT;
COPY cp_t (a, c) TO STDOUT;
SELECT a, b FROM cp_t ORDER BY a;
GRANT SELECT (id) ON cp_u TO cp_bob;
GRANT SELECT (note) ON cp_u TO cp_bob;
RESET ROLE;
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'cp_u'::regclass AND attnum > 0 ORDER BY attnum;
REVOKE SELECT (b) ON cp_t FROM cp_alice;
\dp cp_t
REVOKE SELECT ON cp_t FROM cp_alice;
\dp cp_t
GRANT SELECT ON cp_t TO cp_alice;
GRANT SELECT (c) ON cp_t TO cp_alice;
\dp cp_t
SET ROLE cp_alice;
SELECT * FROM cp_t ORDER BY a;
RESET ROLE;
REVOKE SELECT ON cp_t FROM cp_alice;
\dp cp_t
GRANT ALL (c) ON cp_t TO cp_bob;
GRANT ALL PRIVILEGES (a, "c") ON cp_t TO cp_bob WITH GRANT OPTION;
REVOKE GRANT OPTION FOR ALL (a) ON cp_t FROM cp_bob;
GRANT UPDATE ON cp_u TO cp_bob WITH GRANT OPTION;
REVOKE GRANT OPTION FOR UPDATE ON cp_u FROM cp_bob;
SELECT relacl FROM pg_class WHERE relname = 'cp_u';
\dp cp_t
REVOKE ALL (a, c) ON cp_t FROM cp_bob;
GRANT SELECT (nosuch) ON cp_t TO cp_alice;
GRANT SELECT (a) ON cp_t TO nobody;
ALTER TABLE cp_t DROP COLUMN b;
\dp cp_t
-- Columns of the system catalogs: readable through the catalog's grant to PUBLIC (not
-- pg_authid's), by name or OID, qualified or not.
SELECT has_column_privilege('pg_class', 'relname', 'SELECT') AS cls,
       has_column_privilege('cp_alice', 'pg_catalog.pg_namespace', 'nspname', 'SELECT') AS ns,
       has_column_privilege('cp_alice', 'pg_authid', 'rolname', 'SELECT') AS authid,
       has_column_privilege('cp_alice', 'pg_class', 'relname', 'UPDATE') AS upd,
       has_column_privilege('cp_alice', 1247, 'typname', 'SELECT') AS by_oid,
       has_column_privilege('pg_class', 1::int2, 'SELECT') AS first,
       has_column_privilege('pg_class', 999::int2, 'SELECT') AS past_end,
       has_any_column_privilege('cp_alice', 'pg_class', 'SELECT') AS any_cls,
       has_any_column_privilege('cp_alice', 'pg_authid', 'SELECT') AS any_authid;
SELECT has_column_privilege('pg_class', 'nosuch', 'SELECT');
DROP TABLE cp_t, cp_u;
DROP ROLE cp_alice, cp_bob;
