-- LATERAL: subqueries and set-returning functions in FROM that read earlier FROM items (CROSS/LEFT JOIN LATERAL, implicit for functions), with ORDER BY/LIMIT/aggregates inside.
DROP TABLE IF EXISTS lat_o, lat_i;
CREATE TABLE lat_o (id int PRIMARY KEY, tags text[], n int);
CREATE TABLE lat_i (id int PRIMARY KEY, o int, v int);
INSERT INTO lat_o VALUES (1, '{a,b}', 2), (2, '{}', 0), (3, '{c}', 3), (4, NULL, 1);
INSERT INTO lat_i VALUES (10, 1, 5), (11, 1, 7), (12, 3, 1), (13, 3, 9), (14, 3, 4);
SELECT o.id, t FROM lat_o o, unnest(o.tags) AS t ORDER BY 1, 2;
SELECT o.id, t FROM lat_o o CROSS JOIN LATERAL unnest(o.tags) AS t ORDER BY 1, 2;
SELECT o.id, t FROM lat_o o LEFT JOIN LATERAL unnest(o.tags) AS t ON true ORDER BY 1, 2;
SELECT o.id, g FROM lat_o o, generate_series(1, o.n) g ORDER BY 1, 2;
SELECT o.id, best.v FROM lat_o o, LATERAL (SELECT v FROM lat_i i WHERE i.o = o.id ORDER BY v DESC LIMIT 2) best ORDER BY 1, 2;
SELECT o.id, best.v FROM lat_o o LEFT JOIN LATERAL (SELECT v FROM lat_i i WHERE i.o = o.id ORDER BY v DESC LIMIT 1) best ON true ORDER BY 1;
SELECT o.id, s.total, s.cnt FROM lat_o o JOIN LATERAL (SELECT sum(v) AS total, count(*) AS cnt FROM lat_i WHERE o = o.id) s ON s.cnt > 0 ORDER BY 1;
SELECT o.id, x.doubled FROM lat_o o, LATERAL (SELECT o.n * 2 AS doubled) x WHERE o.id > 1 ORDER BY 1;
SELECT * FROM lat_o o, LATERAL (SELECT count(*) FROM lat_i WHERE lat_i.o = o.id) c WHERE o.id IN (1, 3) ORDER BY 1;
SELECT (SELECT string_agg(t, '-') FROM lat_o o2, unnest(o2.tags) t WHERE o2.id = o.id) FROM lat_o o ORDER BY id;
SELECT o.id, u.* FROM lat_o o, unnest(o.tags) WITH ORDINALITY AS u(tag, pos) ORDER BY 1, 3;
SELECT * FROM LATERAL (SELECT 1 AS one) s;
DROP TABLE lat_o, lat_i;
