-- regclass, regtype and regnamespace values print as the object's name (qualified when the search path
-- does not find it), in results, in casts to text and in string concatenation; they compare as OIDs.
DROP TABLE IF EXISTS rco_t;
DROP SCHEMA IF EXISTS rco_s CASCADE;
CREATE SCHEMA rco_s;
CREATE TABLE rco_t (a int PRIMARY KEY, b text);
CREATE TABLE rco_s.u (x int);
CREATE INDEX rco_t_b ON rco_t (b);
SELECT 'rco_t'::regclass, 'rco_s.u'::regclass, 'pg_class'::regclass, 'rco_t_b'::regclass, 'pg_catalog.pg_type'::regclass;
SELECT 'int4'::regtype, 'text[]'::regtype, 'varchar'::regtype, 'time'::regtype, 'public'::regnamespace, 'rco_s'::regnamespace;
SELECT 'rco_t'::regclass::text, 'rco_t'::regclass::oid > 0 AS positive, pg_typeof('rco_t'::regclass), pg_typeof('int4'::regtype);
SELECT relname FROM pg_class WHERE oid = 'rco_t'::regclass;
SELECT c.oid::regclass, c.relkind FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'rco%' ORDER BY c.oid::regclass::text;
SELECT a.attname, a.atttypid::regtype FROM pg_attribute a WHERE a.attrelid = 'rco_t'::regclass AND a.attnum > 0 ORDER BY attnum;
SELECT to_regclass('rco_t'), to_regclass('nope'), to_regtype('integer'), to_regtype('nope');
SELECT 'rco_t'::regclass || '!', format('%s', 'rco_t'::regclass), concat('x', 'rco_t'::regclass);
SELECT 0::regclass, 0::regtype;
SET search_path = rco_s, public;
SELECT 'u'::regclass, 'rco_s.u'::regclass, 'rco_t'::regclass;
RESET search_path;
SELECT 'rco_s.u'::regclass, 'rco_s.u'::regclass::text;
SELECT indrelid::regclass, indexrelid::regclass FROM pg_index WHERE indrelid = 'rco_t'::regclass ORDER BY indexrelid::regclass::text;
SELECT conrelid::regclass, conname FROM pg_constraint WHERE conrelid = 'rco_t'::regclass;
SELECT 'rco_t'::regclass = 'rco_t'::regclass AS same, 'rco_t'::regclass IN ('rco_t'::regclass) AS listed, 'rco_t'::regclass = 'rco_t_b'::regclass AS other;
SELECT max(oid::regclass::text) FROM pg_class WHERE relnamespace = 'rco_s'::regnamespace;
SELECT x::regclass FROM (VALUES ('rco_t'), ('rco_s.u')) v(x) ORDER BY 1;
DROP TABLE rco_t;
DROP SCHEMA rco_s CASCADE;
