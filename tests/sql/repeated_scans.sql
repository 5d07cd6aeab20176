-- A subquery that repeats the main query's scans (TPC-H Q11's HAVING, Q15's max over the same
-- view): identical scans are read once and their key filters shared (exec.rs `identical_scans`,
-- `same_rows`); every answer must stay PostgreSQL's, also when the repeated scans differ in a
-- filter, in their columns, or join each other.
DROP TABLE IF EXISTS rs_nation, rs_supplier, rs_partsupp;
CREATE TABLE rs_nation (n_nationkey int PRIMARY KEY, n_name text);
CREATE TABLE rs_supplier (s_suppkey int PRIMARY KEY, s_nationkey int, s_acctbal numeric(12,2));
CREATE TABLE rs_partsupp (ps_partkey int, ps_suppkey int, ps_availqty int, ps_supplycost numeric(12,2),
  PRIMARY KEY (ps_partkey, ps_suppkey));
INSERT INTO rs_nation SELECT i, CASE WHEN i % 5 = 0 THEN 'GERMANY' ELSE 'N' || i END FROM generate_series(0, 24) AS i;
INSERT INTO rs_supplier SELECT i, i % 25, (i * 37 % 10000) / 10.0 FROM generate_series(1, 400) AS i;
INSERT INTO rs_partsupp SELECT p, s, (p * s) % 9999 + 1, ((p + s * 7) % 1000) / 10.0
FROM generate_series(1, 300) AS p, generate_series(1, 400, 37) AS s;
ANALYZE rs_nation; ANALYZE rs_supplier; ANALYZE rs_partsupp;
-- Q11's shape: the HAVING subquery repeats the join.
SELECT ps_partkey, sum(ps_supplycost * ps_availqty) AS value
FROM rs_partsupp, rs_supplier, rs_nation
WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY'
GROUP BY ps_partkey
HAVING sum(ps_supplycost * ps_availqty) > (SELECT sum(ps_supplycost * ps_availqty) * 0.004
  FROM rs_partsupp, rs_supplier, rs_nation
  WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY')
ORDER BY value DESC, ps_partkey LIMIT 15;
-- The repeated join under another filter: not the same rows.
SELECT count(*), sum(ps_availqty) FROM rs_partsupp, rs_supplier, rs_nation
WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY'
  AND ps_availqty > (SELECT avg(ps_availqty) FROM rs_partsupp, rs_supplier, rs_nation
    WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'N7');
-- Q15's shape: a view read twice.
CREATE VIEW rs_revenue AS SELECT ps_suppkey AS supplier_no, sum(ps_supplycost * ps_availqty) AS total
  FROM rs_partsupp WHERE ps_partkey BETWEEN 10 AND 200 GROUP BY ps_suppkey;
SELECT s_suppkey, total FROM rs_supplier, rs_revenue
WHERE s_suppkey = supplier_no AND total = (SELECT max(total) FROM rs_revenue) ORDER BY s_suppkey;
-- The same scan joined to itself, and read with different columns.
SELECT count(*) FROM rs_supplier a JOIN rs_supplier b ON a.s_suppkey = b.s_nationkey;
SELECT a.s_suppkey, b.s_acctbal FROM rs_supplier a, rs_supplier b
WHERE a.s_nationkey = 3 AND b.s_nationkey = 3 AND a.s_suppkey = b.s_suppkey + 25 ORDER BY 1, 2;
SELECT (SELECT count(*) FROM rs_nation WHERE n_name = 'GERMANY'),
  (SELECT max(n_nationkey) FROM rs_nation WHERE n_name = 'GERMANY'),
  (SELECT string_agg(n_name, ',' ORDER BY n_nationkey) FROM rs_nation WHERE n_name = 'GERMANY');
-- A filter with a volatile function reads for each scan: two samples of half the rows meet
-- in about a quarter of them (one sample read twice would meet in half).
SELECT count(*) BETWEEN 600 AND 1100 AS independent
FROM (SELECT ps_partkey, ps_suppkey FROM rs_partsupp WHERE random() < 0.5) a
JOIN (SELECT ps_partkey, ps_suppkey FROM rs_partsupp WHERE random() < 0.5) b USING (ps_partkey, ps_suppkey);
DROP VIEW rs_revenue;
DROP TABLE rs_nation, rs_supplier, rs_partsupp;
