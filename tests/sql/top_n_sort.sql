-- ORDER BY .. LIMIT over a join or an aggregate keeps only the rows the LIMIT can take (a
-- bounded sort, query.rs `bounded_sort`): the rows, their order, ties in the sort keys broken by
-- a further key, OFFSET, LIMIT 0, LIMIT ALL / NULL, WITH TIES, a LIMIT past the end, and a
-- limit larger than a trimmed buffer (more than 1024 rows kept).
DROP TABLE IF EXISTS tn_lines;
DROP TABLE IF EXISTS tn_cust;
CREATE TABLE tn_cust (id int PRIMARY KEY, name text NOT NULL, region int);
CREATE TABLE tn_lines (id int, ln int, cust int, amount numeric(12,2), PRIMARY KEY (id, ln));
INSERT INTO tn_cust SELECT i, 'cust ' || i, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 5 END FROM generate_series(1, 3000) AS i;
INSERT INTO tn_lines SELECT o, l, 1 + (o * 7 + l) % 3000, ((o * 31 + l * 17) % 500) * 1.25
FROM generate_series(1, 4000) AS o, generate_series(1, 3) AS l;
ANALYZE tn_cust;
ANALYZE tn_lines;
SELECT c.id, c.name, sum(l.amount) AS total FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
GROUP BY c.id, c.name ORDER BY total DESC, c.id LIMIT 15;
SELECT c.id, sum(l.amount) AS total FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
GROUP BY c.id ORDER BY total DESC, c.id LIMIT 10 OFFSET 25;
SELECT c.region, c.id, l.amount FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
ORDER BY c.region NULLS FIRST, l.amount DESC, c.id, l.id, l.ln LIMIT 12;
SELECT c.region, c.id, l.amount FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
ORDER BY c.region DESC NULLS LAST, l.amount, l.id, l.ln LIMIT 5 OFFSET 3000;
SELECT count(*) FROM (SELECT c.id FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount, l.id, l.ln LIMIT 0) AS t;
SELECT count(*), sum(id) FROM (SELECT l.id FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount DESC, l.id, l.ln LIMIT ALL) AS t;
SELECT count(*), sum(id) FROM (SELECT l.id FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount DESC, l.id, l.ln LIMIT NULL) AS t;
-- More rows than a trimmed buffer keeps, and a limit past the end.
SELECT count(*), sum(id * ln), min(amount), max(amount) FROM (SELECT l.id, l.ln, l.amount FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount, l.id, l.ln LIMIT 5000) AS t;
SELECT count(*), sum(id * ln) FROM (SELECT l.id, l.ln FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount, l.id, l.ln LIMIT 100000) AS t;
-- The 5000th row by amount, and those around it.
SELECT l.id, l.ln, l.amount FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount, l.id, l.ln LIMIT 3 OFFSET 4998;
-- WITH TIES sorts all and takes the rows tied with the last.
SELECT c.region, count(*) FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
WHERE c.id < 40 GROUP BY c.region ORDER BY count(*) DESC FETCH FIRST 1 ROWS WITH TIES;
SELECT * FROM (SELECT l.amount, l.id, l.ln FROM tn_cust c JOIN tn_lines l ON l.cust = c.id
ORDER BY l.amount DESC FETCH FIRST 2 ROWS WITH TIES) AS t ORDER BY id, ln;
-- A limit from a parameter-free expression.
SELECT c.id FROM tn_cust c JOIN tn_lines l ON l.cust = c.id ORDER BY l.amount DESC, c.id, l.id LIMIT 2 + 2;
DROP TABLE tn_lines;
DROP TABLE tn_cust;
