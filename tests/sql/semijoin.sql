-- Joins whose scans pass each other key filters (a scan read after another takes the keys it
-- can join with): the results must not change, with NULL keys, duplicates, mixed key types,
-- IN subqueries and correlated EXISTS, with and without statistics.
DROP TABLE IF EXISTS sj_fact;
DROP TABLE IF EXISTS sj_dim;
DROP TABLE IF EXISTS sj_small;
CREATE TABLE sj_dim (id int PRIMARY KEY, grp int, name text);
CREATE TABLE sj_fact (id bigint PRIMARY KEY, dim_id bigint, amount numeric(10,2), tag int);
CREATE TABLE sj_small (k numeric, label text);
INSERT INTO sj_dim SELECT i, i % 10, 'd' || i FROM generate_series(1, 2000) i;
INSERT INTO sj_fact SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7) % 2500 END, (i % 100) / 4.0, i % 13 FROM generate_series(1, 20000) i;
INSERT INTO sj_small VALUES (3, 'three'), (3.0, 'three again'), (17, 'seventeen'), (NULL, 'null'), (2400, 'missing');
-- Without statistics: the filtered scan goes first and narrows the other.
SELECT d.grp, count(*), sum(f.amount) FROM sj_fact f JOIN sj_dim d ON d.id = f.dim_id WHERE d.name LIKE 'd1%' GROUP BY d.grp ORDER BY d.grp;
SELECT count(*) FROM sj_fact f, sj_dim d, sj_small s WHERE f.dim_id = d.id AND d.id = s.k;
SELECT s.label, count(f.id) FROM sj_small s JOIN sj_fact f ON f.dim_id = s.k GROUP BY s.label ORDER BY s.label;
ANALYZE sj_fact;
ANALYZE sj_dim;
ANALYZE sj_small;
-- With statistics: smallest first.
SELECT d.grp, count(*), sum(f.amount) FROM sj_fact f JOIN sj_dim d ON d.id = f.dim_id WHERE d.name LIKE 'd1%' GROUP BY d.grp ORDER BY d.grp;
SELECT count(*) FROM sj_fact f, sj_dim d, sj_small s WHERE f.dim_id = d.id AND d.id = s.k;
SELECT s.label, count(f.id) FROM sj_small s JOIN sj_fact f ON f.dim_id = s.k GROUP BY s.label ORDER BY s.label;
SELECT count(*), sum(f.amount) FROM sj_fact f JOIN sj_dim d ON d.id = f.dim_id AND d.grp = f.tag WHERE d.grp = 3;
-- An uncorrelated IN subquery narrows the scan it filters, and the join after it.
SELECT f.id, f.dim_id, d.name FROM sj_fact f JOIN sj_dim d ON d.id = f.dim_id
WHERE f.dim_id IN (SELECT dim_id FROM sj_fact GROUP BY dim_id HAVING count(*) > 8) ORDER BY f.id LIMIT 10;
SELECT count(*) FROM sj_fact f WHERE f.dim_id IN (SELECT k FROM sj_small);
SELECT count(*) FROM sj_fact f WHERE f.dim_id NOT IN (SELECT id FROM sj_dim WHERE grp = 1);
-- Correlated EXISTS / NOT EXISTS probe only the keys of the outer rows.
SELECT count(*) FROM sj_dim d WHERE d.grp = 2 AND EXISTS (SELECT 1 FROM sj_fact f WHERE f.dim_id = d.id AND f.tag > 6);
SELECT count(*) FROM sj_dim d WHERE d.grp = 2 AND NOT EXISTS (SELECT 1 FROM sj_fact f WHERE f.dim_id = d.id);
SELECT d.id, (SELECT max(f.amount) FROM sj_fact f WHERE f.dim_id = d.id) FROM sj_dim d WHERE d.id IN (1, 2, 3, 2499) ORDER BY d.id;
-- Outer joins keep every row of their preserved side.
SELECT count(*), count(f.id) FROM sj_dim d LEFT JOIN sj_fact f ON f.dim_id = d.id WHERE d.grp = 5;
SELECT count(*) FROM sj_small s FULL JOIN sj_dim d ON d.id = s.k;
DROP TABLE sj_fact;
DROP TABLE sj_dim;
DROP TABLE sj_small;
