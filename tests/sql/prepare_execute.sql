-- PREPARE / EXECUTE / DEALLOCATE in SQL: parameter types given or inferred, argument expressions
-- cast to them, the errors PostgreSQL gives (duplicate, unknown, wrong count, bad argument).
DROP TABLE IF EXISTS pp;
CREATE TABLE pp (id int PRIMARY KEY, name text);
PREPARE ins (int, text) AS INSERT INTO pp VALUES ($1, $2) RETURNING *;
EXECUTE ins(1, 'one');
EXECUTE ins (2, 'two');
EXECUTE ins(1 + 2, 'th' || 'ree');
PREPARE sel AS SELECT * FROM pp WHERE id >= $1 ORDER BY id;
EXECUTE sel(2);
EXECUTE sel('1');
PREPARE cnt AS SELECT count(*) FROM pp;
EXECUTE cnt;
PREPARE cnt AS SELECT 1;
EXECUTE nope;
EXECUTE sel;
EXECUTE sel(1, 2);
EXECUTE ins('x', 'y');
DEALLOCATE sel;
EXECUTE sel(1);
DEALLOCATE sel;
DEALLOCATE ALL;
EXECUTE cnt;
PREPARE upd (int) AS UPDATE pp SET name = upper(name) WHERE id = $1;
EXECUTE upd(2);
SELECT * FROM pp ORDER BY id;
DROP TABLE pp;
