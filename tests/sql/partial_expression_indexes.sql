-- Partial indexes (CREATE INDEX ... WHERE) and indexes on expressions: uniqueness over the rows
-- the predicate holds for, expression keys, catalogs (pg_indexes, pg_index, pg_attribute,
-- pg_get_indexdef, psql's \d), errors, and what RENAME/DROP/ALTER COLUMN TYPE do to them.
DROP TABLE IF EXISTS users CASCADE;
DROP TABLE IF EXISTS soft CASCADE;
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, deleted_at timestamp, tenant int, active boolean DEFAULT true);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
INSERT INTO users VALUES (1, 'a@x.com', NULL, 1), (2, 'b@x.com', NULL, 1);
INSERT INTO users VALUES (3, 'a@x.com', NULL, 2);
UPDATE users SET deleted_at = '2024-01-01' WHERE id = 1;
INSERT INTO users VALUES (3, 'a@x.com', NULL, 2);
INSERT INTO users VALUES (4, 'a@x.com', '2024-02-01', 2);
UPDATE users SET deleted_at = NULL WHERE id = 4;
UPDATE users SET deleted_at = NULL WHERE id = 1;
SELECT id, email, deleted_at FROM users WHERE email = 'a@x.com' AND deleted_at IS NULL;
SELECT id FROM users WHERE email = 'a@x.com' ORDER BY id;
CREATE UNIQUE INDEX users_lower_email ON users (lower(email));
CREATE UNIQUE INDEX ON users (lower(email)) WHERE deleted_at IS NULL;
INSERT INTO users VALUES (5, 'A@X.COM', NULL, 3);
INSERT INTO users VALUES (5, 'C@X.COM', NULL, 3);
INSERT INTO users VALUES (6, 'c@x.com', NULL, 3);
SELECT id, email FROM users WHERE lower(email) = 'c@x.com';
SELECT id, email FROM users WHERE lower(email) = lower('A@x.com') ORDER BY id;
CREATE INDEX ON users ((tenant * 10));
CREATE INDEX ON users (tenant, lower(email));
CREATE INDEX ON users (upper(email), lower(email), (email || 'x'));
CREATE INDEX ON users (email) WHERE active;
SELECT id FROM users WHERE tenant * 10 = 30 ORDER BY id;
SELECT id FROM users WHERE tenant = 3 AND lower(email) = 'c@x.com';
SELECT id FROM users WHERE email > 'b' AND active ORDER BY id;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname;
SELECT c.relname, i.indnatts, i.indkey::text, i.indpred IS NOT NULL AS partial, i.indexprs IS NOT NULL AS exprs FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'users'::regclass ORDER BY 1;
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = 'users'::regclass ORDER BY 1, 2;
SELECT pg_get_indexdef('users_email_live'::regclass, 0, true), pg_get_indexdef('users_email_live'::regclass, 1, true), pg_get_indexdef('users_lower_email'::regclass, 1, false);
\d users
CREATE INDEX ON users ((tenant * 10 + id));
SELECT id FROM users WHERE tenant * 10 + id = 13;
SELECT pg_get_indexdef('users_expr1_idx'::regclass);
-- errors
CREATE INDEX ON users (lower(email)) WHERE now() > deleted_at;
CREATE INDEX ON users ((random()));
CREATE INDEX ON users ((id + (SELECT 1)));
CREATE INDEX ON users ((count(*)));
CREATE INDEX ON users (id) WHERE id;
CREATE INDEX ON users (id) WHERE max(id) > 1;
CREATE INDEX ON users ((deleted_at::text));
CREATE INDEX ON users (lower(nope));
-- ON CONFLICT
INSERT INTO users VALUES (7, 'b@x.com', NULL, 1) ON CONFLICT DO NOTHING;
INSERT INTO users VALUES (7, 'B@x.com', NULL, 1) ON CONFLICT DO NOTHING;
INSERT INTO users VALUES (7, 'd@x.com', NULL, 1) ON CONFLICT (email) DO NOTHING;
SELECT count(*) FROM users;
-- rename and drop column
ALTER TABLE users RENAME COLUMN email TO mail;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname;
INSERT INTO users VALUES (8, 'E@x.com', NULL, 1);
INSERT INTO users VALUES (9, 'e@x.com', NULL, 1);
ALTER TABLE users DROP COLUMN deleted_at;
SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname;
ALTER TABLE users DROP COLUMN active;
SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname;
INSERT INTO users VALUES (10, 'e@X.com', 1);
UPDATE users SET mail = 'zz' WHERE id = 8;
INSERT INTO users VALUES (10, 'e@X.com', 1);
SELECT id, mail FROM users WHERE lower(mail) = 'e@x.com';
ALTER TABLE users ALTER COLUMN tenant TYPE bigint;
SELECT id FROM users WHERE tenant * 10 = 30 ORDER BY id;
ALTER TABLE users ALTER COLUMN mail TYPE varchar(20);
SELECT id, mail FROM users WHERE lower(mail) = 'e@x.com';
INSERT INTO users VALUES (11, 'E@X.com', 1);
DROP INDEX users_lower_email;
INSERT INTO users VALUES (11, 'E@X.com', 1);
-- The same query, prepared: a partial index serves it when its conditions include the predicate.
CREATE TABLE soft (id int PRIMARY KEY, email text, deleted_at timestamp);
CREATE UNIQUE INDEX ON soft (email) WHERE deleted_at IS NULL;
INSERT INTO soft VALUES (1, 'x', NULL), (2, 'x', '2024-01-01'), (3, 'y', NULL);
PREPARE live(text) AS SELECT id FROM soft WHERE email = $1 AND deleted_at IS NULL;
EXECUTE live('x');
BEGIN;
UPDATE soft SET deleted_at = '2024-03-01' WHERE id = 1;
INSERT INTO soft VALUES (4, 'x', NULL);
EXECUTE live('x');
ROLLBACK;
EXECUTE live('x');
INSERT INTO soft VALUES (4, 'x', NULL);
COPY soft FROM STDIN;
5	z	\N
6	z	\N
\.
SELECT * FROM soft ORDER BY id;
DEALLOCATE live;
DROP TABLE soft;
DROP TABLE users;
-- psql's descriptions of such indexes (pg_get_expr and pg_get_indexdef, pretty and not).
DROP TABLE IF EXISTS dd;
CREATE TABLE dd (id int PRIMARY KEY, email text, deleted_at timestamp, n int);
CREATE UNIQUE INDEX dd_live ON dd (email) WHERE deleted_at IS NULL;
CREATE INDEX dd_lower ON dd (lower(email), n);
CREATE INDEX dd_sum ON dd ((n + id));
\d dd_live
\d dd_lower
\d dd_sum
\di dd*
\d+ dd
SELECT pg_get_expr(indpred, indrelid), pg_get_expr(indpred, indrelid, true) FROM pg_index WHERE indexrelid = 'dd_live'::regclass;
DROP TABLE dd;
