-- INSERT ... ON CONFLICT on UNIQUE constraints: a unique column as the target, ON CONSTRAINT, DO NOTHING
-- without a target over every unique index, duplicates within one statement, NULLs, index upkeep.
DROP TABLE IF EXISTS up_e;
CREATE TABLE up_e (id serial PRIMARY KEY, email text UNIQUE, hits int DEFAULT 1, tag text, UNIQUE (tag));
INSERT INTO up_e (email, tag) VALUES ('a@x', 't1'), ('b@x', 't2');
INSERT INTO up_e (email) VALUES ('a@x') ON CONFLICT (email) DO UPDATE SET hits = up_e.hits + 1 RETURNING id, email, hits;
INSERT INTO up_e (email, tag) VALUES ('a@x', 'zz'), ('c@x', 't3') ON CONFLICT (email) DO UPDATE SET hits = up_e.hits + 10, tag = excluded.tag RETURNING id, email, hits, tag;
INSERT INTO up_e (email, tag) VALUES ('b@x', 'new') ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO up_e (email, tag) VALUES ('d@x', 't2') ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO up_e (email, tag) VALUES ('e@x', 'e1'), ('e@x', 'e2') ON CONFLICT DO NOTHING RETURNING email, tag;
INSERT INTO up_e (email) VALUES ('f@x'), ('f@x') ON CONFLICT (email) DO UPDATE SET hits = 0;
INSERT INTO up_e (email) VALUES ('b@x') ON CONFLICT ON CONSTRAINT up_e_email_key DO UPDATE SET hits = 99 RETURNING email, hits;
INSERT INTO up_e (email) VALUES (NULL), (NULL) ON CONFLICT (email) DO NOTHING;
INSERT INTO up_e (email, tag) VALUES ('g@x', 't1') ON CONFLICT (email) DO NOTHING;
SELECT email, hits, tag FROM up_e ORDER BY email NULLS LAST, id;
SELECT email FROM up_e WHERE tag = 'zz';
SELECT tag FROM up_e WHERE email = 'a@x';
DROP TABLE up_e;
