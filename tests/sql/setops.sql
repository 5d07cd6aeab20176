-- Set operations, DISTINCT [ON], VALUES lists, CASE, LIKE/ILIKE.
DROP TABLE IF EXISTS o_a;
DROP TABLE IF EXISTS o_b;
CREATE TABLE o_a (id int PRIMARY KEY, v int, t text);
CREATE TABLE o_b (id int PRIMARY KEY, v int, t text);
INSERT INTO o_a VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 20, 'y'), (4, NULL, NULL), (5, 30, 'Zed');
INSERT INTO o_b VALUES (1, 10, 'x'), (2, 20, 'q'), (6, NULL, NULL), (7, 40, 'w'), (8, 20, 'y');
-- UNION / INTERSECT / EXCEPT
SELECT v FROM o_a UNION SELECT v FROM o_b ORDER BY 1;
SELECT v FROM o_a UNION ALL SELECT v FROM o_b ORDER BY 1;
SELECT v FROM o_a INTERSECT SELECT v FROM o_b ORDER BY 1;
SELECT v FROM o_a INTERSECT ALL SELECT v FROM o_b ORDER BY 1;
SELECT v FROM o_a EXCEPT SELECT v FROM o_b ORDER BY 1;
SELECT v FROM o_a EXCEPT ALL SELECT v FROM o_b ORDER BY 1;
SELECT v, t FROM o_a UNION SELECT v, t FROM o_b ORDER BY v NULLS FIRST, t;
SELECT id FROM o_a UNION SELECT id FROM o_b ORDER BY id DESC LIMIT 3;
SELECT id FROM o_a UNION SELECT id FROM o_b ORDER BY 1 LIMIT 2 OFFSET 5;
SELECT v FROM o_a UNION SELECT v FROM o_b INTERSECT SELECT v FROM o_a WHERE v > 10 ORDER BY 1;
(SELECT v FROM o_a UNION SELECT v FROM o_b) INTERSECT SELECT v FROM o_a WHERE v > 10 ORDER BY 1;
SELECT v FROM o_a EXCEPT (SELECT v FROM o_b WHERE v > 15) ORDER BY 1;
SELECT 1 UNION SELECT 2 UNION SELECT 1 ORDER BY 1;
SELECT 1, 'a' UNION ALL SELECT 2, 'b' ORDER BY 1;
SELECT 1 AS n UNION SELECT 2.5 ORDER BY n;
SELECT 'a' AS s UNION SELECT 'b' ORDER BY s;
SELECT v::int8 FROM o_a UNION SELECT v FROM o_b ORDER BY 1;
SELECT count(*) FROM (SELECT v FROM o_a UNION SELECT v FROM o_b) u;
SELECT t FROM o_a WHERE id < 3 UNION ALL SELECT t FROM o_b WHERE id < 3 ORDER BY t;
-- DISTINCT
SELECT DISTINCT v FROM o_a ORDER BY 1;
SELECT DISTINCT v, t FROM o_a ORDER BY 1, 2;
SELECT DISTINCT v FROM o_a ORDER BY v DESC NULLS LAST;
SELECT count(*) FROM (SELECT DISTINCT t FROM o_b) d;
SELECT DISTINCT ON (v) v, id FROM o_a ORDER BY v, id DESC;
SELECT DISTINCT ON (v) v, t FROM o_b ORDER BY v NULLS FIRST, t;
SELECT DISTINCT v % 20 FROM o_a ORDER BY 1;
SELECT DISTINCT v FROM o_a ORDER BY t;
SELECT DISTINCT ON (v) v, id FROM o_a ORDER BY id;
SELECT DISTINCT ON (t) t, v FROM o_b;
SELECT DISTINCT ON (v, t) v, t, id FROM o_a ORDER BY v DESC;
-- VALUES
VALUES (1, 'one'), (2, 'two') ORDER BY 1 DESC;
VALUES (1), (2.5), (NULL);
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS v(n, s) WHERE n > 1 ORDER BY n;
SELECT n * 2 FROM (VALUES (1), (2)) v(n) ORDER BY 1;
SELECT a.id, v.label FROM o_a a JOIN (VALUES (1, 'first'), (5, 'fifth')) v(id, label) ON v.id = a.id ORDER BY 1;
VALUES (1, 2), (3);
VALUES (1), ('x');
-- CASE
SELECT id, CASE WHEN v > 15 THEN 'big' WHEN v > 5 THEN 'small' ELSE 'none' END FROM o_a ORDER BY id;
SELECT id, CASE v WHEN 10 THEN 'ten' WHEN 20 THEN 'twenty' END AS name FROM o_a ORDER BY id;
SELECT id, CASE WHEN v IS NULL THEN 0 ELSE v * 2 END FROM o_a ORDER BY id;
SELECT id, CASE WHEN id = 1 THEN 1 ELSE 2.5 END FROM o_a ORDER BY id;
SELECT sum(CASE WHEN t = 'y' THEN 1 ELSE 0 END), count(CASE WHEN v > 10 THEN 1 END) FROM o_a;
SELECT CASE WHEN 1 = 1 THEN 'a' ELSE 'b' END, CASE 2 WHEN 1 THEN 'x' ELSE 'y' END;
SELECT id, CASE WHEN v > 15 THEN t END FROM o_a ORDER BY id;
SELECT CASE WHEN true THEN 1 ELSE 'x' END;
SELECT CASE WHEN 1 THEN 1 END;
-- LIKE / ILIKE
SELECT t FROM o_a WHERE t LIKE 'y' ORDER BY id;
SELECT t FROM o_a WHERE t LIKE '%e%' ORDER BY id;
SELECT t FROM o_a WHERE t LIKE '_' ORDER BY id;
SELECT t FROM o_a WHERE t NOT LIKE 'Z%' ORDER BY id;
SELECT t FROM o_a WHERE t ILIKE 'z%' ORDER BY id;
SELECT t FROM o_a WHERE t NOT ILIKE '%Y%' ORDER BY id;
SELECT 'a%b' LIKE 'a\%b', 'axb' LIKE 'a\%b', 'a_b' LIKE 'a#_b' ESCAPE '#', 'abc' LIKE 'a%c%', '' LIKE '%', 'abc' LIKE '';
SELECT 'Hello' ILIKE 'h%O', 'hello' LIKE 'H%', NULL LIKE 'a', 'a' LIKE NULL;
SELECT 'abcabc' LIKE '%bc', 'abcabd' LIKE '%bc', 'mississippi' LIKE '%iss%ipp%', 'mississippi' LIKE 'm%s_p%i';
SELECT 1 LIKE 'a';
SELECT 1, 2 UNION SELECT 3;
-- DISTINCT ON an expression that ORDER BY names too, not in the select list: one column.
select distinct on (x % 2) x from generate_series(1, 6) x order by x % 2, x desc;
select distinct on (x % 3) x % 3 as r, x from generate_series(1, 9) x order by x % 3 desc, x;
select distinct on (x % 2, x % 3) x from generate_series(1, 12) x order by x % 3, x % 2, x desc;
select distinct on (x % 2) x from generate_series(1, 6) x order by x % 3, x;
select distinct on (lower(s)) s from (values ('A'), ('a'), ('B')) v(s) order by lower(s), s;
