-- An aggregate over a join, grouped by the left table's primary key and aggregating only the
-- right side, aggregates the right side before the join (eager.rs). The answers must be the
-- join-then-aggregate ones: left rows without matches (count 0, other aggregates NULL), NULL
-- join keys on either side, NULL values aggregated, FILTER, INNER joins, composite keys, extra
-- group columns, and the shapes that are not rewritten (count(*), a residual ON condition, a
-- grouping that is not a key, DISTINCT).
DROP TABLE IF EXISTS ea_orders;
DROP TABLE IF EXISTS ea_cust;
DROP TABLE IF EXISTS ea_pair;
CREATE TABLE ea_cust (id int PRIMARY KEY, name text, region int);
CREATE TABLE ea_orders (id int PRIMARY KEY, cust int, amount numeric(10,2), flag boolean, note text);
INSERT INTO ea_cust SELECT i, 'c' || i, i % 4 FROM generate_series(1, 300) AS i;
INSERT INTO ea_orders SELECT i,
  CASE WHEN i % 37 = 0 THEN NULL ELSE (i * 7) % 250 END,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 90) * 1.5 END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END,
  CASE WHEN i % 9 = 0 THEN 'special requests' ELSE 'plain' END
FROM generate_series(1, 3000) AS i;
-- TPC-H Q13's shape.
SELECT c_count, count(*) AS custdist
FROM (SELECT c.id, count(o.id) FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust AND o.note NOT LIKE '%special%'
      GROUP BY c.id) AS x (c_id, c_count)
GROUP BY c_count ORDER BY custdist DESC, c_count DESC;
-- Every aggregate kind, customers with and without orders.
SELECT c.id, count(o.amount), sum(o.amount), avg(o.amount), min(o.amount), max(o.amount), bool_and(o.flag), bool_or(o.flag)
FROM ea_cust c LEFT JOIN ea_orders o ON o.cust = c.id
WHERE c.id % 25 = 0 OR c.id > 245
GROUP BY c.id ORDER BY c.id;
-- FILTER, extra group columns, an expression argument; INNER join.
SELECT c.id, c.name, count(o.id) FILTER (WHERE o.amount > 60), sum(o.amount * 2)
FROM ea_cust c JOIN ea_orders o ON o.cust = c.id
WHERE c.region = 1
GROUP BY c.name, c.id ORDER BY c.id LIMIT 20;
SELECT count(*), sum(n), sum(s) FROM (
  SELECT c.id, count(o.id) AS n, sum(o.amount) AS s FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust GROUP BY c.id) t;
-- Not rewritten: count(*) counts the left row too; a residual ON condition reads the left row;
-- the grouping is not the left key; DISTINCT.
SELECT c.id, count(*), count(o.id) FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust GROUP BY c.id ORDER BY c.id LIMIT 8;
SELECT c.id, count(o.id) FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust AND o.amount > c.id / 3 GROUP BY c.id ORDER BY c.id LIMIT 8;
SELECT c.region, count(o.id), sum(o.amount) FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust GROUP BY c.region ORDER BY 1;
SELECT c.id, count(DISTINCT o.amount) FROM ea_cust c LEFT JOIN ea_orders o ON c.id = o.cust GROUP BY c.id ORDER BY c.id LIMIT 8;
-- A composite left key, joined on both columns.
CREATE TABLE ea_pair (a int, b int, label text, PRIMARY KEY (a, b));
INSERT INTO ea_pair SELECT i, j, i || '/' || j FROM generate_series(0, 9) AS i, generate_series(0, 2) AS j;
SELECT p.a, p.b, count(o.id), max(o.amount) FROM ea_pair p LEFT JOIN ea_orders o ON o.cust = p.a * 10 + p.b AND o.id % 3 = p.b
GROUP BY p.a, p.b ORDER BY 1, 2;
SELECT p.a, p.b, p.label, count(o.id), min(o.amount) FROM ea_pair p LEFT JOIN ea_orders o ON o.cust = p.a
GROUP BY p.a, p.b, p.label ORDER BY 1, 2;
DROP TABLE ea_pair;
DROP TABLE ea_orders;
DROP TABLE ea_cust;
