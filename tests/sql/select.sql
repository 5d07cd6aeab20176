-- SELECT: filters, ordering, limits, grouping, aggregates, expressions.
DROP TABLE IF EXISTS sales;
CREATE TABLE sales (id int8 PRIMARY KEY, region text, amount int, price float8, qty numeric);
INSERT INTO sales VALUES
  (1, 'north', 10, 1.5, 2), (2, 'south', 20, 2.5, 3.5), (3, 'north', 30, NULL, 1),
  (4, 'east', NULL, 4.0, NULL), (5, 'south', 50, 0.5, 10), (6, 'north', 60, 6.25, 0.5);
SELECT id, region FROM sales WHERE amount > 15 AND region <> 'east' ORDER BY id;
SELECT id FROM sales WHERE amount IS NULL OR price IS NULL ORDER BY id;
SELECT id FROM sales WHERE NOT (amount < 30) ORDER BY id DESC;
SELECT id, amount FROM sales ORDER BY amount DESC NULLS LAST, id LIMIT 3;
SELECT id FROM sales ORDER BY id LIMIT 2 OFFSET 3;
SELECT id, amount FROM sales ORDER BY amount NULLS FIRST;
SELECT region, count(*), sum(amount), min(amount), max(amount), avg(amount) FROM sales GROUP BY region ORDER BY region;
SELECT count(*), count(amount), sum(price), avg(price), sum(qty), avg(qty), min(region), max(price) FROM sales;
SELECT region, sum(amount) AS total FROM sales GROUP BY region HAVING sum(amount) > 25 ORDER BY total DESC;
SELECT region FROM sales GROUP BY 1 ORDER BY 1;
SELECT amount * 2 + 1 AS x, amount / 7, amount % 7, -amount, amount::float8 / 8 FROM sales WHERE id = 2;
SELECT id, amount BETWEEN 20 AND 50 AS mid, region IN ('north', 'east') AS ne FROM sales ORDER BY id;
SELECT 'a' || 'b' || 1 || true AS s, upper('abc'), lower('ABC'), length('héllo'), abs(-4), coalesce(NULL, 2, 3);
SELECT 1 + 2 * 3, 7 / 2, 7.0 / 2, 10 / 4.0, 1 / 3.0;
SELECT 9223372036854775807, -2147483648, 1.5e3, 0.1 + 0.2, 1e-7::float8, 123456789012345678::float8;
SELECT NULL IS NULL, NULL = NULL, true AND NULL, false AND NULL, true OR NULL, NOT NULL::bool;
SELECT count(*) FROM sales WHERE false;
SELECT sum(amount) FROM sales WHERE false;
SELECT s.id FROM sales s WHERE s.id = 5;
SELECT '2024-03-01 12:00:00'::timestamp, '2024-03-01'::timestamp, timestamp '1999-12-31 23:59:59.123';
SELECT CAST('42' AS int) + 1, '3.25'::numeric, 'yes'::bool, 17::text || 'x', '  7'::int8;
SELECT 10::int2 + 5, 100000::int8 * 100000;
SELECT id FROM sales ORDER BY 3;
SELECT region, count(*) FROM sales GROUP BY 2;
DROP TABLE sales;
