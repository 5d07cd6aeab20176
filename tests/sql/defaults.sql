-- Column defaults: INSERT ... DEFAULT VALUES (also with RETURNING), DEFAULT in VALUES, and how
-- defaults are shown (\d, information_schema): nextval of a sequence in PostgreSQL's deparsed
-- form however it was written, literals with their type.
DROP TABLE IF EXISTS df_t;
DROP SEQUENCE IF EXISTS df_s;
CREATE SEQUENCE df_s;
CREATE TABLE df_t (a int DEFAULT nextval('df_s'), b int DEFAULT nextval('public.df_s'::regclass), c text DEFAULT 'x', d int DEFAULT 1 + 2, e serial, f int);
\d df_t
SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'df_t' AND column_name IN ('a', 'b', 'c', 'e') ORDER BY column_name;
INSERT INTO df_t DEFAULT VALUES;
INSERT INTO df_t DEFAULT VALUES RETURNING *;
INSERT INTO df_t (f) VALUES (7);
INSERT INTO df_t VALUES (DEFAULT, 100, DEFAULT, DEFAULT, DEFAULT, 8);
SELECT * FROM df_t ORDER BY e;
ALTER TABLE df_t ALTER COLUMN f SET DEFAULT nextval('df_s');
INSERT INTO df_t DEFAULT VALUES RETURNING a, b, f;
SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'df_t' AND column_name = 'f';
DROP TABLE IF EXISTS df_u;
CREATE TABLE df_u (id int PRIMARY KEY DEFAULT 1, v text);
INSERT INTO df_u DEFAULT VALUES;
INSERT INTO df_u DEFAULT VALUES;
SELECT * FROM df_u;
DROP TABLE df_u;
DROP TABLE df_t;
DROP SEQUENCE df_s;
