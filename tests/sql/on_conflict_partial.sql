-- ON CONFLICT (columns) WHERE predicate: the predicate infers a partial unique index (every unique index on
-- those columns whose predicate it implies is an arbiter); without it a partial index is not inferred.
DROP TABLE IF EXISTS ocp, ocp2;
CREATE TABLE ocp (id int, k text, active bool, n int DEFAULT 0);
CREATE UNIQUE INDEX ocp_k_active ON ocp (k) WHERE active;
INSERT INTO ocp VALUES (1, 'a', true) ON CONFLICT (k) WHERE active DO NOTHING;
INSERT INTO ocp VALUES (2, 'a', true) ON CONFLICT (k) WHERE active DO NOTHING;
INSERT INTO ocp VALUES (3, 'a', true) ON CONFLICT (k) WHERE active DO UPDATE SET n = ocp.n + 1 RETURNING *;
INSERT INTO ocp VALUES (4, 'a', false) ON CONFLICT (k) WHERE active DO UPDATE SET n = ocp.n + 1 RETURNING *;
INSERT INTO ocp VALUES (5, 'a', false), (6, 'a', false) ON CONFLICT (k) WHERE active DO NOTHING RETURNING id;
INSERT INTO ocp VALUES (7, 'b', true) ON CONFLICT (k) DO NOTHING;
INSERT INTO ocp VALUES (8, 'a', true) ON CONFLICT (k) WHERE NOT active DO NOTHING;
INSERT INTO ocp VALUES (9, 'a', true) ON CONFLICT (k) WHERE active AND n >= 0 DO UPDATE SET n = ocp.n + 10 WHERE ocp.n < 100 RETURNING id, n;
INSERT INTO ocp VALUES (10, 'a', true)
  ON CONFLICT (k)
  WHERE (active)
  DO UPDATE SET n = excluded.id;
INSERT INTO ocp VALUES (11, 'a', true) ON CONFLICT (k) WHERE nope DO NOTHING;
WITH v(id, k) AS (VALUES (12, 'c'), (13, 'c')) INSERT INTO ocp SELECT id, k, true FROM v ON CONFLICT (k) WHERE active DO NOTHING RETURNING id;
SELECT * FROM ocp ORDER BY id;
CREATE TABLE ocp2 (id int PRIMARY KEY, email text, score int, kind text);
CREATE UNIQUE INDEX ocp2_scored ON ocp2 (email) WHERE score IS NOT NULL AND kind = 'x';
INSERT INTO ocp2 VALUES (1, 'e', 1, 'x'), (2, 'e', NULL, 'x'), (3, 'e', 2, 'y');
INSERT INTO ocp2 VALUES (4, 'e', 5, 'x') ON CONFLICT (email) WHERE kind = 'x' AND score IS NOT NULL DO UPDATE SET score = excluded.score RETURNING *;
INSERT INTO ocp2 VALUES (5, 'e', 5, 'x') ON CONFLICT (email) WHERE score IS NOT NULL DO NOTHING;
INSERT INTO ocp2 VALUES (1, 'f', 5, 'x') ON CONFLICT (id) WHERE score > 0 DO UPDATE SET kind = 'pk' RETURNING *;
SELECT * FROM ocp2 ORDER BY id;
DROP TABLE ocp, ocp2;
