-- CREATE TABLE ... AS query: columns and types from the query (declared types kept, unknown literals as text), its rows, IF NOT EXISTS, in a transaction block.
DROP TABLE IF EXISTS cta_src, cta_a, cta_b, cta_c;
CREATE TABLE cta_src (id int PRIMARY KEY, name varchar(10), amount numeric(8,2), tags text[]);
INSERT INTO cta_src VALUES (1, 'a', 1.50, '{x}'), (2, 'b', 2.25, NULL), (3, 'c', NULL, '{y,z}');
CREATE TABLE cta_a AS SELECT * FROM cta_src WHERE id < 3;
SELECT * FROM cta_a ORDER BY id;
\d cta_a
CREATE TABLE cta_b AS SELECT id * 10 AS k, upper(name) AS n, 'lit' AS l, 1.5 AS f, now() IS NOT NULL AS t FROM cta_src;
SELECT k, n, l, f, t FROM cta_b ORDER BY k;
\d cta_b
CREATE TABLE cta_c AS SELECT count(*) AS c, sum(amount) AS s FROM cta_src;
SELECT * FROM cta_c;
CREATE TABLE cta_a AS SELECT 1 AS x;
CREATE TABLE IF NOT EXISTS cta_a AS SELECT 1 AS x;
CREATE TABLE cta_d AS SELECT 1 AS x, 2 AS x;
INSERT INTO cta_a VALUES (9, 'z', 0, NULL);
SELECT count(*) FROM cta_a;
BEGIN;
CREATE TABLE cta_e AS SELECT g FROM generate_series(1, 5) g;
SELECT sum(g) FROM cta_e;
ROLLBACK;
SELECT * FROM cta_e;
DROP TABLE cta_src, cta_a, cta_b, cta_c;
