-- Object identifier casts and catalog functions drivers use: ::regclass, ::regtype, ::oid, to_regclass,
-- to_regtype, pg_get_serial_sequence, pg_attrdef with pg_get_expr, = ANY (ARRAY[...]).
DROP TABLE IF EXISTS rc_t;
CREATE TABLE rc_t (id serial PRIMARY KEY, name text DEFAULT 'x', n int);
SELECT 'rc_t'::regclass::text, 'public.rc_t'::regclass::text, 'rc_t_pkey'::regclass::text;
SELECT 'nope'::regclass;
SELECT to_regclass('rc_t')::regclass::text, to_regclass('nope') IS NULL;
SELECT 23::regtype, 'int4'::regtype::text, to_regtype('integer')::regtype::text, to_regtype('nonsense') IS NULL;
SELECT pg_get_serial_sequence('rc_t', 'id'), pg_get_serial_sequence('public.rc_t', 'id'), pg_get_serial_sequence('rc_t', 'n');
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum JOIN pg_class c ON c.oid = d.adrelid WHERE c.relname = 'rc_t' ORDER BY a.attnum;
SELECT c.relname FROM pg_class c WHERE c.relname = 'rc_t' AND c.relkind = ANY (ARRAY['r', 'p', 'v']) AND c.oid = 'rc_t'::regclass::oid;
SELECT 1 = ANY (ARRAY[1, 2]), 3 = ANY (ARRAY[1, 2]), 2 <> ALL (ARRAY[1, 3]), 2 > ANY (ARRAY[1, 5]), 2 > ALL (ARRAY[1, 5]), NULL::int = ANY (ARRAY[1]);
SELECT count(*) FROM pg_description WHERE objoid = 'rc_t'::regclass;
SELECT t.typname, t.typarray, t.typdelim FROM pg_type t WHERE t.oid = to_regtype('int4');
DROP TABLE rc_t;
