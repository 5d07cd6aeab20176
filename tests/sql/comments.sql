-- COMMENT ON TABLE / COLUMN: obj_description, col_description, pg_description, psql's \d+; comments go with dropped columns and tables.
DROP TABLE IF EXISTS cm_t;
CREATE TABLE cm_t (id int PRIMARY KEY, name text, extra int, note text);
COMMENT ON TABLE cm_t IS 'People we know';
COMMENT ON COLUMN cm_t.name IS 'What they are called';
COMMENT ON COLUMN cm_t.note IS 'Anything else';
COMMENT ON COLUMN cm_t.nope IS 'x';
COMMENT ON TABLE nope IS 'x';
SELECT obj_description('cm_t'::regclass), obj_description('cm_t'::regclass, 'pg_class'), col_description('cm_t'::regclass, 2), col_description('cm_t'::regclass, 3);
\d+ cm_t
ALTER TABLE cm_t DROP COLUMN extra;
SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a WHERE a.attrelid = 'cm_t'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname;
COMMENT ON COLUMN cm_t.name IS NULL;
COMMENT ON TABLE cm_t IS 'Changed';
SELECT obj_description('cm_t'::regclass), col_description('cm_t'::regclass, 2);
SELECT a.attname, d.description FROM pg_description d LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid WHERE d.objoid = 'cm_t'::regclass ORDER BY 1 NULLS FIRST;
DROP TABLE cm_t;
