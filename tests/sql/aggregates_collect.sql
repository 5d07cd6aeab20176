-- string_agg, json_agg, jsonb_agg with ORDER BY (ASC/DESC, NULLS FIRST/LAST), FILTER, DISTINCT, as window
-- functions; bool_and, bool_or, every; type errors.
DROP TABLE IF EXISTS ag;
CREATE TABLE ag (id int PRIMARY KEY, grp text, name text, flag boolean, n int);
INSERT INTO ag VALUES (1, 'a', 'x', true, 3), (2, 'a', 'y', false, 1), (3, 'b', 'z', true, 2), (4, 'b', NULL, true, NULL), (5, 'c', 'w', NULL, 5), (6, 'a', 'q', true, 2);
SELECT grp, string_agg(name, ', ' ORDER BY name) FROM ag GROUP BY grp ORDER BY grp;
SELECT grp, string_agg(name, '-' ORDER BY n DESC, id) FROM ag GROUP BY grp ORDER BY grp;
SELECT string_agg(name, ',' ORDER BY id) FROM ag;
SELECT string_agg(name, NULL ORDER BY id) FROM ag WHERE grp = 'a';
SELECT string_agg(name, ',') FROM ag WHERE false;
SELECT grp, bool_and(flag), bool_or(flag), every(flag) FROM ag GROUP BY grp ORDER BY grp;
SELECT bool_and(n > 0), bool_or(n > 4) FROM ag;
SELECT grp, json_agg(name ORDER BY id), jsonb_agg(n ORDER BY n NULLS FIRST) FROM ag GROUP BY grp ORDER BY grp;
SELECT json_agg(ag.n ORDER BY id DESC) FROM ag;
SELECT jsonb_agg(jsonb_build_object('id', id, 'name', name) ORDER BY id) FROM ag WHERE grp = 'b';
SELECT grp, count(*), string_agg(DISTINCT grp, ',') FROM ag GROUP BY grp ORDER BY grp;
SELECT string_agg(n, ',') FROM ag;
SELECT bool_and(n) FROM ag;
SELECT grp, string_agg(name, ',' ORDER BY name) FILTER (WHERE flag) FROM ag GROUP BY grp ORDER BY grp;
SELECT id, string_agg(name, ',') OVER (ORDER BY id) FROM ag ORDER BY id;
DROP TABLE ag;
