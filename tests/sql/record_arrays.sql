-- Arrays of anonymous records (record[]): built, concatenated, compared field by field (numbers
-- as numbers), ordered, aggregated, unnested, printed as PostgreSQL prints them; no table column
-- may be of the pseudo-type.
SELECT pg_typeof(array[row(1, 2)]), pg_typeof(row(1, 2));
SELECT array[row(1, 2)] || array[row(3, 4)];
SELECT array[row(1, 'a b')] || row(3, 'x"y');
SELECT row(2) = any(array[row(1), row(3)]), row(3) = any(array[row(1), row(3)]);
SELECT (array[row(1, 2)])[1];
SELECT array[row(10)] < array[row(9)], array[row(10)] > array[row(9)];
SELECT a FROM (VALUES (array[row(10)]), (array[row(9)]), (array[row(9), row(1)])) v(a) ORDER BY a;
SELECT array_agg(row(x, x * 2)) FROM generate_series(1, 3) x;
SELECT array_length(array[row(1), row(2)], 1), cardinality(array[row(1)]);
SELECT unnest(array[row(1, 'a'), row(2, 'b')]);
SELECT array[row(1, 2)]::text;
SELECT array[row(1)] IS DISTINCT FROM array[row(1)];
DROP TABLE IF EXISTS ra_t;
CREATE TABLE ra_t AS SELECT array[row(1)] AS a;
CREATE TABLE ra_t AS SELECT row(1) AS r;
