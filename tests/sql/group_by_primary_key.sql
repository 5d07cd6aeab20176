-- GROUP BY keys a table's primary key determines are taken out of the grouping and carried per
-- group (planner.rs `reduce_group_keys`, PostgreSQL's remove_useless_groupby_columns): the
-- results stay those of grouping by every key, for columns of many types, NULL values, inner
-- and outer joins (padded rows), a self-join, a composite key (all of it, or part), a table
-- without a primary key, a view and a subquery in FROM, HAVING and ORDER BY on carried columns.
DROP VIEW IF EXISTS gk_view;
DROP TABLE IF EXISTS gk_cust;
DROP TABLE IF EXISTS gk_ord;
DROP TABLE IF EXISTS gk_line;
DROP TABLE IF EXISTS gk_nopk;
CREATE TABLE gk_cust (id int PRIMARY KEY, name varchar(20), flag boolean, since date, score numeric(8,2),
  code char(4), tag uuid, note text);
CREATE TABLE gk_ord (id int PRIMARY KEY, cust int, total numeric(10,2), placed timestamp);
CREATE TABLE gk_line (ord int, ln int, qty int, PRIMARY KEY (ord, ln));
CREATE TABLE gk_nopk (a int, b text);
INSERT INTO gk_cust SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'cust ' || i END, i % 2 = 0,
  date '2020-01-01' + i, i * 1.5, CASE WHEN i % 5 = 0 THEN NULL ELSE 'c' || (i % 10) END,
  ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid, repeat('n', i % 30)
FROM generate_series(1, 300) AS i;
INSERT INTO gk_ord SELECT i, 1 + (i * 7) % 320, (i % 100) * 2.25, timestamp '2021-06-01 10:00' + i * interval '1 hour'
FROM generate_series(1, 2000) AS i;
INSERT INTO gk_line SELECT o, l, (o + l) % 9 FROM generate_series(1, 2000) AS o, generate_series(1, 3) AS l;
INSERT INTO gk_nopk SELECT i % 50, 'b' || (i % 50) FROM generate_series(1, 500) AS i;
CREATE VIEW gk_view AS SELECT id, name, score FROM gk_cust WHERE id > 10;
SELECT c.id, c.name, c.flag, c.since, c.score, c.code, c.tag, c.note, count(*), sum(o.total)
FROM gk_cust c JOIN gk_ord o ON o.cust = c.id
GROUP BY c.id, c.name, c.flag, c.since, c.score, c.code, c.tag, c.note
ORDER BY sum(o.total) DESC, c.id LIMIT 12;
-- Outer join: customers without orders (the orders' side padded) and orders of no customer.
SELECT c.id, c.name, o.id AS ord, o.total, count(l.ln)
FROM gk_cust c LEFT JOIN gk_ord o ON o.cust = c.id LEFT JOIN gk_line l ON l.ord = o.id AND l.qty > 4
GROUP BY c.id, c.name, o.id, o.total ORDER BY c.id DESC, o.id LIMIT 15;
SELECT o.cust, c.id, c.name, count(*) FROM gk_ord o LEFT JOIN gk_cust c ON c.id = o.cust
GROUP BY o.cust, c.id, c.name ORDER BY c.id NULLS FIRST, o.cust LIMIT 8;
SELECT count(*), count(name), sum(n) FROM (
  SELECT c.id, c.name, count(o.id) AS n FROM gk_cust c FULL JOIN gk_ord o ON o.cust = c.id GROUP BY c.id, c.name) AS t;
-- A self-join: each side's key carries its own columns.
SELECT a.id, a.name, b.id, b.name, count(*) FROM gk_cust a JOIN gk_cust b ON b.id = a.id + 1
JOIN gk_ord o ON o.cust = a.id GROUP BY a.id, a.name, b.id, b.name ORDER BY a.id LIMIT 6;
-- Composite key: all of it (qty carried), part of it (qty stays a key).
SELECT l.ord, l.ln, l.qty, count(*) FROM gk_line l JOIN gk_ord o ON o.id = l.ord WHERE l.ord < 4
GROUP BY l.ord, l.ln, l.qty ORDER BY 1, 2;
SELECT l.ord, l.qty, count(*) FROM gk_line l JOIN gk_ord o ON o.id = l.ord WHERE l.ord < 4
GROUP BY l.ord, l.qty ORDER BY 1, 2;
-- No primary key: nothing is carried.
SELECT n.a, n.b, count(*) FROM gk_nopk n JOIN gk_cust c ON c.id = n.a GROUP BY n.a, n.b ORDER BY 1 LIMIT 5;
-- A view and a subquery in FROM.
SELECT v.id, v.name, v.score, count(*) FROM gk_view v JOIN gk_ord o ON o.cust = v.id
GROUP BY v.id, v.name, v.score ORDER BY count(*) DESC, v.id LIMIT 5;
SELECT s.id, s.code, count(*) FROM (SELECT * FROM gk_cust WHERE flag) AS s JOIN gk_ord o ON o.cust = s.id
GROUP BY s.id, s.code ORDER BY s.code NULLS FIRST, s.id LIMIT 6;
-- HAVING and ORDER BY on carried columns, an expression key beside them, one table alone.
SELECT c.id, c.name, c.score, date_trunc('month', o.placed) AS month, count(*)
FROM gk_cust c JOIN gk_ord o ON o.cust = c.id
GROUP BY c.id, c.name, c.score, date_trunc('month', o.placed)
HAVING c.name LIKE 'cust 1%' AND c.score > 100
ORDER BY c.name DESC, month LIMIT 10;
SELECT id, name, note, count(*) FROM gk_cust GROUP BY id, name, note HAVING length(note) > 27 ORDER BY name NULLS FIRST, id;
SELECT c.name, c.id, count(*) FROM gk_cust c, gk_ord o WHERE o.cust = c.id AND c.id % 50 = 0
GROUP BY c.name, c.id ORDER BY 1 NULLS LAST, 2;
