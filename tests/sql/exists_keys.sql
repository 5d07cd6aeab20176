-- EXISTS / NOT EXISTS over a correlated equality with nothing else to test: the node probes
-- the set of the inner rows' keys (query.rs `KeyPresence`: a bitmap for one integer column of
-- a close range, else the distinct keys). NULLs on either side, keys far apart, other types,
-- two key columns, and types that only compare after a cast must all answer as PostgreSQL.
DROP TABLE IF EXISTS ek_outer, ek_inner;
CREATE TABLE ek_outer (id int PRIMARY KEY, k int, big bigint, t text, n numeric, a int, b text);
CREATE TABLE ek_inner (id int PRIMARY KEY, k int, big bigint, t text, n numeric, a int, b text);
INSERT INTO ek_outer SELECT i, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 40 END,
  CASE WHEN i % 3 = 0 THEN i * 1000000000::bigint ELSE i END, 'key' || (i % 25), i % 30 / 2.0,
  i % 7, CASE WHEN i % 5 = 0 THEN NULL ELSE 'b' || (i % 4) END
FROM generate_series(1, 120) AS i;
INSERT INTO ek_inner SELECT i, CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 3) % 50 END,
  CASE WHEN i % 2 = 0 THEN i * 3000000000::bigint ELSE i * 2 END, 'key' || (i % 15), i % 20,
  i % 5, 'b' || (i % 3)
FROM generate_series(1, 90) AS i;
-- One integer column, close range (the bitmap).
SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ek_inner i WHERE i.k = o.k)) AS found,
  count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ek_inner i WHERE i.k = o.k)) AS missing
FROM ek_outer o;
SELECT id, k FROM ek_outer o WHERE NOT EXISTS (SELECT * FROM ek_inner i WHERE i.k = o.k) ORDER BY id;
-- Keys spread past a bitmap's range.
SELECT id, big FROM ek_outer o WHERE EXISTS (SELECT * FROM ek_inner i WHERE i.big = o.big) ORDER BY id;
SELECT count(*) FROM ek_outer o WHERE NOT EXISTS (SELECT * FROM ek_inner i WHERE i.big = o.big);
-- int against bigint, int against numeric.
SELECT count(*) FROM ek_outer o WHERE EXISTS (SELECT * FROM ek_inner i WHERE i.big = o.k);
SELECT id, n FROM ek_outer o WHERE EXISTS (SELECT * FROM ek_inner i WHERE i.k = o.n) ORDER BY id;
SELECT count(*) FROM ek_outer o WHERE NOT EXISTS (SELECT * FROM ek_inner i WHERE i.n = o.n);
-- Text keys and two key columns.
SELECT t, count(*) FROM ek_outer o WHERE NOT EXISTS (SELECT 1 FROM ek_inner i WHERE i.t = o.t) GROUP BY t ORDER BY t;
SELECT id, a, b FROM ek_outer o WHERE EXISTS (SELECT 1 FROM ek_inner i WHERE i.a = o.a AND i.b = o.b) ORDER BY id;
SELECT count(*) FROM ek_outer o WHERE NOT EXISTS (SELECT 1 FROM ek_inner i WHERE i.a = o.a AND i.b = o.b);
-- An empty inner side.
SELECT count(*) FROM ek_outer o WHERE NOT EXISTS (SELECT 1 FROM ek_inner i WHERE i.k = o.k AND i.id < 0);
SELECT count(*) FROM ek_outer o WHERE EXISTS (SELECT 1 FROM ek_inner i WHERE i.k = o.k AND i.id < 0);
DROP TABLE ek_outer, ek_inner;
