-- ANALYZE: statistics in pg_stats and pg_class.reltuples, as PostgreSQL computes them. Tables
-- here have fewer rows than ANALYZE samples (30000), so both read every row and the statistics
-- are exact (correlation depends on the order rows are stored in, so it is left out).
DROP TABLE IF EXISTS an_items;
DROP TABLE IF EXISTS an_empty;
CREATE TABLE an_items (id int PRIMARY KEY, k int, big bigint, t text, v varchar(20), c char(5),
  n numeric(10,2), f float8, d date, ts timestamp, b boolean, z int, nothing text);
INSERT INTO an_items
SELECT i, i % 7, i::bigint * 1000003 % 977, 'v' || (i % 300), repeat('x', i % 13), CASE WHEN i % 3 = 0 THEN NULL ELSE 'ab' END,
       (i % 1000) / 10.0, (i % 37) * 0.5, date '2020-01-01' + (i % 50), timestamp '2021-03-04 05:06:07' + (i % 90) * interval '1 hour',
       i % 4 = 0, CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2000 END, NULL
FROM generate_series(1, 5000) i;
CREATE TABLE an_empty (a int, b text);
SELECT relname, reltuples FROM pg_class WHERE relname IN ('an_items', 'an_empty') ORDER BY relname;
SELECT count(*) FROM pg_stats WHERE tablename = 'an_items';
ANALYZE an_items;
ANALYZE an_empty;
SELECT relname, reltuples FROM pg_class WHERE relname IN ('an_items', 'an_empty') ORDER BY relname;
SELECT attname, inherited, null_frac, avg_width, n_distinct FROM pg_stats WHERE tablename = 'an_items' ORDER BY attname;
SELECT attname, most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'an_items' ORDER BY attname;
SELECT attname, histogram_bounds FROM pg_stats WHERE tablename = 'an_items' ORDER BY attname;
SELECT count(*) FROM pg_stats WHERE tablename = 'an_empty';
-- New rows are seen by the next ANALYZE; VACUUM ANALYZE and a column list analyze too.
INSERT INTO an_items (id, k) SELECT i, 100 FROM generate_series(5001, 8000) i;
VACUUM ANALYZE an_items;
SELECT relname, reltuples FROM pg_class WHERE relname = 'an_items';
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'an_items' AND attname IN ('k', 'nothing') ORDER BY attname;
-- A column list refreshes only those columns.
UPDATE an_items SET k = 5, b = true WHERE id > 4000;
ANALYZE an_items (k, "t");
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'an_items' AND attname IN ('k', 'b') ORDER BY attname;
ANALYZE an_items (k, no_such_column);
VACUUM an_items (k);
VACUUM (ANALYZE) an_items;
ANALYZE no_such_table;
-- ANALYZE may run in a transaction block (also a read-only one); VACUUM may not.
BEGIN READ ONLY;
ANALYZE an_empty;
VACUUM an_empty;
ROLLBACK;
-- Statistics stay with their columns through ALTER TABLE.
ALTER TABLE an_items DROP COLUMN big;
ALTER TABLE an_items ADD COLUMN extra int;
SELECT attname, null_frac, avg_width, n_distinct FROM pg_stats WHERE tablename = 'an_items' ORDER BY attname;
DROP TABLE an_items;
DROP TABLE an_empty;
