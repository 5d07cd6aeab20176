-- Row constructors in comparisons: = <> < <= > >= (lexicographic, NULL rules), IN lists of rows,
-- IS [NOT] NULL, ROW(...), keyset pagination.
DROP TABLE IF EXISTS events;
CREATE TABLE events (id int PRIMARY KEY, at int, k text);
INSERT INTO events VALUES (1, 10, 'a'), (2, 10, 'b'), (3, 20, 'a'), (4, 20, NULL), (5, NULL, 'c'), (6, 30, 'a');
SELECT (1, 2) = (1, 2), (1, 2) <> (1, 3), (1, 2) < (1, 3), (1, 2) <= (1, 2), (2, 1) > (1, 9), (1, 2) >= (1, 3);
SELECT (1, NULL) = (1, 2), (1, NULL) = (2, 2), (1, NULL) <> (2, 2), (1, NULL) <> (1, 2);
SELECT (1, NULL) < (2, 0), (1, NULL) < (1, 0), (NULL, 1) < (2, 2), (1, 2, 3) < (1, 2, 4), ROW(1, 'b') > ROW(1, 'a');
SELECT id FROM events WHERE (at, id) > (10, 1) ORDER BY at, id;
SELECT id FROM events WHERE (at, id) > (10, 1) ORDER BY at, id LIMIT 2;
SELECT id FROM events WHERE (at, k) = (20, 'a');
SELECT id FROM events WHERE (at, k) IN ((10, 'b'), (20, 'a'), (30, NULL)) ORDER BY id;
SELECT id FROM events WHERE (at, k) NOT IN ((10, 'b'), (20, 'a')) ORDER BY id;
SELECT id, (at, k) IS NULL, (at, k) IS NOT NULL, ROW(at, k) IS NOT NULL FROM events ORDER BY id;
SELECT id FROM events WHERE (at, k) <= ($$20$$, 'a') ORDER BY id;
DROP TABLE IF EXISTS wanted;
CREATE TABLE wanted (at int, k text);
INSERT INTO wanted VALUES (10, 'b'), (20, 'a'), (NULL, 'c');
SELECT id FROM events WHERE (at, k) IN (SELECT at, k FROM wanted) ORDER BY id;
SELECT id FROM events WHERE (at, k) NOT IN (SELECT at, k FROM wanted WHERE at IS NOT NULL) ORDER BY id;
SELECT id FROM events WHERE (at, k) NOT IN (SELECT at, k FROM wanted) ORDER BY id;
SELECT id, (at, k) IN (SELECT at, k FROM wanted) FROM events ORDER BY id;
SELECT id FROM events e WHERE (e.at, 'a') IN (SELECT w.at, w.k FROM wanted w WHERE w.at = e.at) ORDER BY id;
SELECT (1, 2) IN (SELECT 1);
DROP TABLE wanted;
SELECT (1, 2) = (1, 2, 3);
SELECT (1, 2) < (1, 'x');
DROP TABLE events;
