-- The oid type: input range and wrap-around, equality with integers, oid[] (as pg_attribute.atttypid aggregates to).
SELECT 4294967295::oid, '-1'::oid, 12::oid = 12, pg_typeof(5::oid), '{1,2}'::oid[], pg_typeof(ARRAY[1::oid]);
SELECT '4294967296'::oid;
SELECT 'x'::oid;
SELECT attname, pg_typeof(atttypid), atttypid FROM pg_attribute WHERE attrelid = 'pg_class'::regclass LIMIT 0;
SELECT array_agg(atttypid ORDER BY attnum) FROM pg_attribute WHERE attrelid = 0;
