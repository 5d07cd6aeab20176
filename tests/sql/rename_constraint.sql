-- ALTER TABLE ... RENAME CONSTRAINT (primary key, UNIQUE, CHECK, FOREIGN KEY; index-backed ones rename their index), the pattern operator classes in CREATE INDEX, and timestamp(6) columns: what Django and Rails migrations send.
DROP TABLE IF EXISTS rc_c, rc_p, ar_meta;
CREATE TABLE rc_p (id int PRIMARY KEY, code varchar(20) UNIQUE, n int CONSTRAINT rc_p_n_pos CHECK (n > 0));
CREATE TABLE rc_c (id bigserial PRIMARY KEY, p int REFERENCES rc_p, title text);
ALTER TABLE rc_p RENAME CONSTRAINT rc_p_pkey TO rc_p_key_new;
ALTER TABLE rc_p RENAME CONSTRAINT rc_p_code_key TO rc_p_code_uniq;
ALTER TABLE rc_p RENAME CONSTRAINT rc_p_n_pos TO rc_p_n_positive;
ALTER TABLE rc_c RENAME CONSTRAINT rc_c_p_fkey TO rc_c_parent_fk;
\d rc_p
\d rc_c
SELECT conname, contype FROM pg_constraint WHERE conrelid IN ('rc_p'::regclass, 'rc_c'::regclass) ORDER BY conname;
INSERT INTO rc_p VALUES (1, 'a', 0);
INSERT INTO rc_p VALUES (1, 'a', 1);
INSERT INTO rc_p VALUES (2, 'a', 1);
INSERT INTO rc_c (p, title) VALUES (9, 'x');
ALTER TABLE rc_p RENAME CONSTRAINT nope TO other;
ALTER TABLE rc_p RENAME CONSTRAINT rc_p_code_uniq TO rc_p_n_positive;
ALTER TABLE rc_p RENAME CONSTRAINT rc_p_code_uniq TO rc_c;
ALTER TABLE rc_p DROP CONSTRAINT rc_p_code_uniq;
CREATE INDEX rc_c_title_like ON rc_c (title text_pattern_ops);
CREATE INDEX rc_p_code_like ON rc_p (code varchar_pattern_ops);
INSERT INTO rc_c (p, title) VALUES (1, 'abc'), (1, 'abd'), (1, 'xyz');
SELECT title FROM rc_c WHERE title LIKE 'ab%' ORDER BY title;
CREATE TABLE ar_meta (key varchar NOT NULL PRIMARY KEY, value varchar, created_at timestamp(6) NOT NULL, updated_at timestamp(6) with time zone NOT NULL);
INSERT INTO ar_meta VALUES ('environment', 'development', '2024-01-01 10:00:00.123456', '2024-01-01 10:00:00.654321+00') ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING key, created_at, updated_at;
DROP TABLE rc_c, rc_p, ar_meta;
