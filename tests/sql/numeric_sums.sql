-- numeric sums and averages kept as i128 digits while they fit (expr.rs `SumFixed`/`AvgFixed`,
-- numeric.rs `Fixed`), moving to the general form when an input or the sum does not: the answers
-- must be PostgreSQL's, scale included.
DROP TABLE IF EXISTS ns_t;
CREATE TABLE ns_t (id int PRIMARY KEY, g int, a numeric, b numeric(15,2), c numeric(4,3));
INSERT INTO ns_t SELECT i, i % 4, (i * 7919 % 1000) / power(10, i % 5)::numeric,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 37 % 100000) / 100.0 END, (i % 1000) / 1000.0
FROM generate_series(1, 3000) AS i;
-- Mixed scales: the sum's scale is the largest input's.
SELECT g, sum(a), avg(a), sum(b), avg(b), sum(c), avg(c), sum(b * (1 - c)), avg(b * c * c)
FROM ns_t GROUP BY g ORDER BY g;
SELECT sum(a), sum(b), sum(DISTINCT b), avg(DISTINCT c), count(*) FROM ns_t;
-- Sums past 96 bits, past an i128 (38 digits), and inputs no Decimal holds.
INSERT INTO ns_t VALUES (10001, 9, 12345678901234567890123456.789, NULL, NULL),
  (10002, 9, 99999999999999999999999999.999, NULL, NULL),
  (10003, 10, 9999999999999999999999999999999999999, NULL, NULL),
  (10004, 10, 9999999999999999999999999999999999999, NULL, NULL),
  (10005, 10, 9999999999999999999999999999999999999, NULL, NULL),
  (10006, 10, 0.000000000000000000000000000000001, NULL, NULL),
  (10007, 11, 1.5, NULL, NULL), (10008, 11, 123456789012345678901234567890123456789012, NULL, NULL),
  (10009, 11, -2.25, NULL, NULL),
  (10010, 12, -0.00, NULL, NULL), (10011, 12, 0.000, NULL, NULL);
SELECT g, sum(a), avg(a), count(a) FROM ns_t WHERE g >= 9 GROUP BY g ORDER BY g;
SELECT sum(a * a), sum(a * 10000000000) FROM ns_t WHERE g IN (9, 10);
SELECT sum(a) FROM ns_t;
-- NaN and infinities.
INSERT INTO ns_t VALUES (10012, 13, 'NaN', NULL, NULL), (10013, 13, 1.25, NULL, NULL),
  (10014, 14, 'Infinity', NULL, NULL), (10015, 14, 3, NULL, NULL),
  (10016, 15, 'Infinity', NULL, NULL), (10017, 15, '-Infinity', NULL, NULL);
SELECT g, sum(a), avg(a) FROM ns_t WHERE g >= 13 GROUP BY g ORDER BY g;
-- No rows, only NULLs.
SELECT sum(b), avg(b), sum(b * c) FROM ns_t WHERE g >= 9;
SELECT sum(a), avg(a) FROM ns_t WHERE id < 0;
DROP TABLE ns_t;
