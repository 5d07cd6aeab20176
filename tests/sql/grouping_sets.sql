-- GROUP BY ROLLUP, CUBE, GROUPING SETS (with plain keys beside them), GROUPING(), HAVING over them,
-- the empty-input grand total.
DROP TABLE IF EXISTS gs;
CREATE TABLE gs (id int PRIMARY KEY, region text, product text, qty int);
INSERT INTO gs VALUES (1, 'north', 'a', 10), (2, 'north', 'b', 5), (3, 'south', 'a', 7), (4, 'south', 'a', 3), (5, 'east', NULL, 1);
SELECT region, product, sum(qty), count(*) FROM gs GROUP BY ROLLUP (region, product) ORDER BY region NULLS LAST, product NULLS LAST;
SELECT region, product, sum(qty), grouping(region, product), grouping(product) FROM gs GROUP BY CUBE (region, product) ORDER BY 4, 1, 2;
SELECT region, product, sum(qty) FROM gs GROUP BY GROUPING SETS ((region), (product), ()) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
SELECT region, product, count(*) FROM gs GROUP BY region, ROLLUP (product) ORDER BY 1, 2 NULLS LAST;
SELECT region, sum(qty) FROM gs GROUP BY ROLLUP (region) HAVING sum(qty) > 5 ORDER BY 1 NULLS LAST;
SELECT CASE WHEN grouping(region) = 1 THEN 'all' ELSE region END AS r, sum(qty) FROM gs GROUP BY ROLLUP (region) ORDER BY 1;
SELECT region, product, sum(qty) FROM gs GROUP BY GROUPING SETS ((region, product), (region)) ORDER BY 1, 2 NULLS LAST;
SELECT sum(qty) FROM gs WHERE false GROUP BY ROLLUP (region);
SELECT region, grouping(region) FROM gs GROUP BY region ORDER BY 1;
DROP TABLE gs;
