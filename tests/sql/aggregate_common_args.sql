-- An aggregate argument that holds an earlier aggregate's argument whole reads that value
-- instead of computing it again (query.rs `SharedArgs`, TPC-H Q1's sum_charge after
-- sum_disc_price). The answers must be PostgreSQL's: shared parts of several types, NULLs,
-- identical arguments, a FILTER or DISTINCT on the earlier aggregate, errors, grouping.
DROP TABLE IF EXISTS ca_items;
CREATE TABLE ca_items (id int PRIMARY KEY, g int, price numeric(12,2), disc numeric(4,2), tax numeric(4,2), qty int, f float8);
INSERT INTO ca_items SELECT i, i % 5, CASE WHEN i % 17 = 0 THEN NULL ELSE 100 + (i * 37) % 900 + 0.25 END,
  ((i * 7) % 11) / 100.0, ((i * 3) % 9) / 100.0, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 50 END, i / 7.0
FROM generate_series(1, 2000) AS i;
-- TPC-H Q1's shape.
SELECT g, sum(qty), sum(price), sum(price * (1 - disc)), sum(price * (1 - disc) * (1 + tax)),
  avg(qty), avg(price), avg(disc), count(*)
FROM ca_items GROUP BY g ORDER BY g;
-- Identical arguments, integer and float parts, a shared part inside a larger expression.
SELECT sum(qty * 2), avg(qty * 2), max(qty * 2), min(qty * 2 - 1), sum((qty * 2) * (qty * 2)),
  sum(f * 3), sum(f * 3 + f), round(sum((f * 3) / 2)::numeric, 6) FROM ca_items;
-- The earlier aggregate has a FILTER (its argument is not computed for every row) or DISTINCT.
SELECT g, sum(price * 2) FILTER (WHERE qty > 25), sum(price * 2 + 1), count(DISTINCT qty % 7), sum(qty % 7 + 1)
FROM ca_items GROUP BY g ORDER BY g;
-- Aggregates without an argument before and between the sharing ones.
SELECT g, count(*), sum(qty * 3), count(*), sum(qty * 3 - 2), avg(qty * 3) FROM ca_items GROUP BY g ORDER BY g;
-- A later argument that does not compile to integer arithmetic (a division, a function) reads
-- the shared part computed as a fixed-point number; NULL prices between rows that have one.
SELECT g, sum(price * (1 - disc)), sum(price * (1 - disc) / 3), max(price * (1 - disc) + 1),
  sum(round(price * (1 - disc), 1)), avg(price * (1 - disc) * (1 + tax))
FROM ca_items GROUP BY g ORDER BY g;
-- Without grouping, over no rows, and an error in the shared part.
SELECT sum(price * (1 - disc)), sum(price * (1 - disc) * (1 + tax)) FROM ca_items WHERE id < 0;
SELECT sum(10 / (qty - 7)), sum(10 / (qty - 7) + 1) FROM ca_items;
SELECT sum(10 / (qty - 7)), sum(10 / (qty - 7) + 1) FROM ca_items WHERE qty <> 7;
DROP TABLE ca_items;
