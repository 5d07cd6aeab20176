-- Chains of inner joins large enough (4,096 rows and more) are joined in the order the leaves'
-- real row counts suggest, then put back in the written column order.
DROP TABLE IF EXISTS jo_big, jo_mid, jo_small, jo_tiny;
CREATE TABLE jo_big (id int PRIMARY KEY, mid_id int, note text);
INSERT INTO jo_big SELECT i, i % 500, 'b' || i FROM generate_series(1, 6000) i;
CREATE TABLE jo_mid (id int PRIMARY KEY, small_id int, val int);
INSERT INTO jo_mid SELECT i, i % 20, i * 3 FROM generate_series(0, 499) i;
CREATE TABLE jo_small (id int PRIMARY KEY, tiny_id int, name text);
INSERT INTO jo_small SELECT i, i % 3, 's' || i FROM generate_series(0, 19) i;
CREATE TABLE jo_tiny (id int PRIMARY KEY, label text);
INSERT INTO jo_tiny VALUES (0, 'zero'), (1, 'one'), (2, 'two');
-- written largest first
SELECT t.label, count(*), sum(m.val), min(b.note) FROM jo_big b, jo_mid m, jo_small s, jo_tiny t
WHERE b.mid_id = m.id AND m.small_id = s.id AND s.tiny_id = t.id GROUP BY t.label ORDER BY t.label;
-- every column in the written order, and a condition across two leaves that is no equality
SELECT * FROM jo_big b, jo_mid m, jo_small s, jo_tiny t
WHERE b.mid_id = m.id AND m.small_id = s.id AND s.tiny_id = t.id AND b.id + t.id <= 4 ORDER BY b.id;
SELECT b.id, m.id, s.name, t.label FROM jo_big b JOIN jo_mid m ON b.mid_id = m.id
JOIN jo_small s ON m.small_id = s.id JOIN jo_tiny t ON s.tiny_id = t.id AND t.label <> 'one'
WHERE b.id * 7 % 1999 = 3 ORDER BY b.id;
-- a condition across three leaves, and one that reads no leaf
SELECT count(*), sum(b.id) FROM jo_big b, jo_mid m, jo_small s
WHERE b.mid_id = m.id AND m.small_id = s.id AND b.id + m.val > s.id * 100 AND 1 = 1;
-- no equality at all between two of the leaves (a cross product stays one)
SELECT count(*) FROM jo_small s, jo_tiny t, jo_mid m WHERE m.small_id = s.id;
-- inside a correlated subquery, run once per outer row
SELECT t.label, (SELECT count(*) FROM jo_big b, jo_mid m, jo_small s
                 WHERE b.mid_id = m.id AND m.small_id = s.id AND s.tiny_id = t.id) FROM jo_tiny t ORDER BY 1;
DROP TABLE jo_big, jo_mid, jo_small, jo_tiny;
