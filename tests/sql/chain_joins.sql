-- Chains of three or more inner joins run as joins of row numbers (query.rs `run_chain`): only
-- the last join makes rows. Equality keys on columns and on expressions, conditions that are not
-- keys (between two leaves, on one leaf, on none), NULL keys, duplicates, an empty leaf, a cross
-- join inside a chain, either side hashed (a small leaf against many joined rows and the other
-- way), a correlated chain inside a subquery, and rows kept (ORDER BY) or aggregated.
DROP TABLE IF EXISTS cj_a;
DROP TABLE IF EXISTS cj_b;
DROP TABLE IF EXISTS cj_c;
DROP TABLE IF EXISTS cj_d;
DROP TABLE IF EXISTS cj_e;
CREATE TABLE cj_a (id int PRIMARY KEY, name text, grp int);
CREATE TABLE cj_b (id int PRIMARY KEY, a_id int, amount numeric(10,2), tag text);
CREATE TABLE cj_c (id int PRIMARY KEY, b_id int, note varchar(30), qty int);
CREATE TABLE cj_d (grp int PRIMARY KEY, label text);
CREATE TABLE cj_e (id int PRIMARY KEY, x int);
INSERT INTO cj_a SELECT i, 'a' || i, CASE WHEN i % 9 = 0 THEN NULL ELSE i % 6 END FROM generate_series(1, 400) AS i;
INSERT INTO cj_b SELECT i, CASE WHEN i % 17 = 0 THEN NULL ELSE 1 + (i * 7) % 450 END, (i % 50) * 1.25,
  CASE WHEN i % 3 = 0 THEN 'x' ELSE repeat('t', i % 5) END FROM generate_series(1, 2000) AS i;
INSERT INTO cj_c SELECT i, 1 + (i * 13) % 2100, 'note ' || (i % 11), i % 7 FROM generate_series(1, 5000) AS i;
INSERT INTO cj_d SELECT g, 'group ' || g FROM generate_series(0, 4) AS g;
ANALYZE cj_a;
ANALYZE cj_b;
ANALYZE cj_c;
ANALYZE cj_d;
-- Four leaves, aggregated; NULL keys (a.grp, b.a_id) join nothing.
SELECT d.label, count(*), sum(b.amount), count(DISTINCT c.note), max(a.name), min(b.tag)
FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id JOIN cj_d d ON d.grp = a.grp
GROUP BY d.label ORDER BY d.label;
-- The rows themselves, every column of every leaf, in the tree's column order.
SELECT * FROM cj_d d, cj_a a, cj_b b, cj_c c
WHERE d.grp = a.grp AND b.a_id = a.id AND c.b_id = b.id AND a.id BETWEEN 10 AND 14
ORDER BY c.id;
-- A condition between two leaves that is not a key, one on a single leaf, a computed key.
SELECT a.id, b.id, c.id, c.qty FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id
WHERE c.qty > a.grp AND b.tag <> 'x' AND a.id < 30 ORDER BY 1, 2, 3;
SELECT count(*), sum(c.qty) FROM cj_a a JOIN cj_b b ON b.a_id + 1 = a.id + 1 JOIN cj_c c ON c.b_id = b.id * 1 AND c.qty <> 3;
-- Keys over two leaves' columns together (a.grp + b.id), and an OR that is no key.
SELECT count(*) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = a.grp + b.id;
SELECT count(*) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON (c.b_id = b.id OR c.id = a.id);
-- A cross join inside the chain (no condition between d and the rest).
SELECT count(*), sum(d.grp), sum(c.qty) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id CROSS JOIN cj_d d WHERE a.id < 50;
-- An empty leaf, and a filter that empties one.
SELECT count(*) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_e e ON e.id = b.id;
SELECT count(*) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id WHERE c.qty > 100;
-- A small leaf against many joined rows, and many rows against few.
SELECT d.grp, count(*) FROM cj_c c JOIN cj_b b ON c.b_id = b.id JOIN cj_a a ON b.a_id = a.id JOIN cj_d d ON a.grp = d.grp GROUP BY d.grp ORDER BY 1;
SELECT count(*) FROM cj_d d JOIN cj_a a ON a.grp = d.grp AND d.grp = 2 JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id;
-- A chain inside a correlated subquery, run per outer row.
SELECT d.grp, (SELECT count(*) FROM cj_a a JOIN cj_b b ON b.a_id = a.id JOIN cj_c c ON c.b_id = b.id WHERE a.grp = d.grp AND c.qty = d.grp) AS n
FROM cj_d d ORDER BY d.grp;
-- Duplicate keys on both sides multiply.
SELECT count(*) FROM cj_b b1 JOIN cj_b b2 ON b1.tag = b2.tag JOIN cj_d d ON d.grp = b1.id % 5 WHERE b1.id < 200 AND b2.id < 300;
