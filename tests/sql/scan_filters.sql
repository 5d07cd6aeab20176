-- A scan's filter tested on the stored row (filter.rs): comparisons of each kind with constants
-- and parameters, column against column, IS [NOT] NULL, [NOT] LIKE, [NOT] IN lists with and
-- without NULL, columns only the filter reads, a general guard before a division, and enough rows
-- (3,000) for the tests to be re-ranked during the scan.
DROP TABLE IF EXISTS sf;
CREATE TABLE sf (id int PRIMARY KEY, n int, q numeric(12,2), t text, c char(4), v varchar(10), d date, e date, ts timestamp, b boolean);
INSERT INTO sf SELECT i,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i % 37 END,
  CASE WHEN i % 13 = 0 THEN NULL ELSE (i % 50) * 1.25 END,
  CASE WHEN i % 17 = 0 THEN NULL ELSE 'item ' || (i % 23) || CASE WHEN i % 5 = 0 THEN ' special requests' ELSE '' END END,
  CASE WHEN i % 19 = 0 THEN NULL ELSE chr(65 + i % 4) END,
  CASE WHEN i % 7 = 0 THEN NULL ELSE 'v' || (i % 9) END,
  CASE WHEN i % 29 = 0 THEN NULL ELSE date '1994-01-01' + (i % 400) END,
  CASE WHEN i % 31 = 0 THEN NULL ELSE date '1994-01-01' + (i % 397) END,
  timestamp '2020-01-01 00:00' + (i % 100) * interval '1 hour',
  CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END
FROM generate_series(1, 3000) AS i;
SELECT count(*) FROM sf WHERE n < 10;
SELECT count(*) FROM sf WHERE n >= 30 AND q > 20.5;
SELECT count(*) FROM sf WHERE q = 12.50;
SELECT count(*) FROM sf WHERE q <> 12.5 AND n <> 3;
SELECT count(*) FROM sf WHERE t = 'item 4';
SELECT count(*) FROM sf WHERE t > 'item 2' AND t < 'item 3';
SELECT count(*) FROM sf WHERE c = 'B';
SELECT count(*) FROM sf WHERE c <> 'A' AND v >= 'v5';
SELECT count(*) FROM sf WHERE d >= date '1994-06-01' AND d < date '1994-06-01' + interval '1' month;
SELECT count(*) FROM sf WHERE ts > timestamp '2020-01-03 12:00';
SELECT count(*) FROM sf WHERE d < e;
SELECT count(*) FROM sf WHERE d >= e AND n < 20;
SELECT count(*) FROM sf WHERE t IS NULL;
SELECT count(*) FROM sf WHERE t IS NOT NULL AND c IS NULL;
SELECT count(*) FROM sf WHERE b;
SELECT count(*) FROM sf WHERE NOT b;
SELECT count(*) FROM sf WHERE t LIKE '%special%requests%';
SELECT count(*) FROM sf WHERE t NOT LIKE '%special%requests%';
SELECT count(*) FROM sf WHERE t LIKE 'item 1_';
SELECT count(*) FROM sf WHERE t NOT LIKE 'item 1%' AND v LIKE 'v%';
SELECT count(*) FROM sf WHERE t LIKE 'item 1\_%';
SELECT count(*) FROM sf WHERE t ILIKE 'ITEM 2%';
SELECT count(*) FROM sf WHERE n IN (1, 5, 9, 36);
SELECT count(*) FROM sf WHERE n NOT IN (1, 5, 9, 36);
SELECT count(*) FROM sf WHERE n IN (1, NULL);
SELECT count(*) FROM sf WHERE n NOT IN (1, NULL);
SELECT count(*) FROM sf WHERE c IN ('A', 'C') AND q IN (1.25, 2.50, 62.50);
SELECT count(*) FROM sf WHERE v NOT IN ('v1', 'v2') AND d IN (date '1994-01-02', date '1994-02-01');
-- Only the filter reads t, c and d: the rows come back right.
SELECT id, n FROM sf WHERE t LIKE '%requests' AND c = 'C' AND d > date '1994-12-01' ORDER BY id LIMIT 5;
SELECT id, t, c FROM sf WHERE n = 7 AND q > 10 ORDER BY id LIMIT 5;
-- A guard written first protects the division; the filter-only columns stay out of the result.
SELECT count(*) FROM sf WHERE n + 0 <> 0 AND 100 / n > 10;
SELECT count(*) FROM sf WHERE c = 'D' AND n IS NOT NULL AND 100 / (n + 1) > 5;
SELECT count(*) FROM sf WHERE 100 / n > 10;
-- Parameters.
PREPARE sfp(int, text) AS SELECT count(*) FROM sf WHERE n > $1 AND t LIKE $2;
EXECUTE sfp(30, '%special%');
EXECUTE sfp(0, 'item 1%');
DEALLOCATE sfp;
-- Grouped over a filtered scan (the workers' aggregate path).
SELECT c, count(*), sum(q) FROM sf WHERE t NOT LIKE '%special%' AND n IN (1, 2, 3, 4) GROUP BY c ORDER BY c;
DROP TABLE sf;
