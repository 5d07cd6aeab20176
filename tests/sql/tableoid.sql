-- The system column tableoid of user tables: the table's OID (an oid), by name, qualified,
-- from the nearest level of a subquery, in RETURNING and WHERE; ambiguous over two tables, absent
-- for views and subqueries.
DROP TABLE IF EXISTS to_a; DROP TABLE IF EXISTS to_b; DROP VIEW IF EXISTS to_v;
CREATE TABLE to_a (id int PRIMARY KEY, v text);
CREATE TABLE to_b (id int PRIMARY KEY, a_id int);
INSERT INTO to_a VALUES (1, 'x'), (2, 'y');
INSERT INTO to_b VALUES (10, 1);
CREATE VIEW to_v AS SELECT * FROM to_a;
SELECT tableoid::regclass, * FROM to_a ORDER BY id;
SELECT a.tableoid::regclass AS a, b.tableoid::regclass AS b FROM to_a a JOIN to_b b ON b.a_id = a.id;
SELECT tableoid FROM to_a, to_b;
SELECT tableoid FROM to_v;
SELECT pg_typeof(tableoid), tableoid = 'to_a'::regclass FROM to_a LIMIT 1;
SELECT tableoid::regclass, count(*) FROM to_a GROUP BY tableoid;
SELECT (SELECT tableoid::regclass FROM to_b WHERE a_id = to_a.id) FROM to_a ORDER BY id;
SELECT c.relname FROM pg_class c WHERE c.oid IN (SELECT tableoid FROM to_a);
SELECT * FROM to_a WHERE tableoid = 'to_a'::regclass ORDER BY 1;
DROP VIEW to_v; DROP TABLE to_a; DROP TABLE to_b;
CREATE TABLE to_c (id int);
SELECT s.tableoid FROM (SELECT 1 AS x) s;
SELECT nope.tableoid FROM to_c;
SELECT to_c.tableoid::regclass FROM to_c;
INSERT INTO to_c VALUES (1) RETURNING tableoid::regclass;
UPDATE to_c SET id = 2 WHERE tableoid = 'to_c'::regclass RETURNING tableoid::regclass, id;
DROP TABLE to_c;
