-- Subqueries: scalar, EXISTS, IN, ANY/ALL, correlated (also in SELECT lists, HAVING and nested),
-- subqueries in FROM, WITH queries.
DROP TABLE IF EXISTS s_emp;
DROP TABLE IF EXISTS s_dept;
CREATE TABLE s_dept (id int PRIMARY KEY, name text, budget numeric);
CREATE TABLE s_emp (id int PRIMARY KEY, name text, dept_id int, salary int, boss int);
INSERT INTO s_dept VALUES (1, 'eng', 1000), (2, 'ops', 500), (3, 'empty', 10), (4, 'nulls', NULL);
INSERT INTO s_emp VALUES
  (1, 'ann', 1, 100, NULL), (2, 'bob', 1, 80, 1), (3, 'cid', 2, 70, 1), (4, 'dan', NULL, 60, 2),
  (5, 'eve', 2, 90, 3), (6, 'fay', 4, 55, 3), (7, 'gus', 1, NULL, 2);
-- scalar subqueries
SELECT (SELECT max(salary) FROM s_emp);
SELECT name, salary - (SELECT avg(salary) FROM s_emp) AS diff FROM s_emp WHERE salary IS NOT NULL ORDER BY 1;
SELECT name FROM s_emp WHERE salary = (SELECT max(salary) FROM s_emp);
SELECT name, (SELECT name FROM s_dept d WHERE d.id = e.dept_id) AS dept FROM s_emp e ORDER BY 1;
SELECT name, (SELECT count(*) FROM s_emp x WHERE x.boss = e.id) AS reports FROM s_emp e ORDER BY 1;
SELECT (SELECT id FROM s_emp WHERE id > 100);
SELECT (SELECT id FROM s_emp);
SELECT (SELECT id, name FROM s_emp WHERE id = 1);
SELECT 1 + (SELECT 2) * 3;
-- IN / NOT IN
SELECT name FROM s_emp WHERE dept_id IN (SELECT id FROM s_dept WHERE budget > 100) ORDER BY 1;
SELECT name FROM s_emp WHERE dept_id NOT IN (SELECT id FROM s_dept WHERE budget > 600) ORDER BY 1;
SELECT name FROM s_emp WHERE dept_id NOT IN (SELECT budget::int FROM s_dept) ORDER BY 1;
SELECT name FROM s_emp WHERE dept_id IN (SELECT id FROM s_dept WHERE false) ORDER BY 1;
SELECT name FROM s_emp WHERE dept_id NOT IN (SELECT id FROM s_dept WHERE false) ORDER BY 1;
SELECT name FROM s_emp WHERE id IN (SELECT boss FROM s_emp) ORDER BY 1;
SELECT name FROM s_emp WHERE id NOT IN (SELECT boss FROM s_emp) ORDER BY 1;
SELECT name FROM s_emp WHERE id NOT IN (SELECT boss FROM s_emp WHERE boss IS NOT NULL) ORDER BY 1;
SELECT name, dept_id IN (SELECT id FROM s_dept WHERE budget > 100) AS big FROM s_emp ORDER BY 1;
SELECT name FROM s_emp WHERE salary::numeric IN (SELECT budget / 10 FROM s_dept) ORDER BY 1;
SELECT name FROM s_emp e WHERE e.id IN (SELECT x.boss FROM s_emp x WHERE x.dept_id = e.dept_id) ORDER BY 1;
-- EXISTS
SELECT name FROM s_emp e WHERE EXISTS (SELECT 1 FROM s_emp x WHERE x.boss = e.id) ORDER BY name;
SELECT name FROM s_emp e WHERE NOT EXISTS (SELECT 1 FROM s_emp x WHERE x.boss = e.id) ORDER BY name;
SELECT d.name FROM s_dept d WHERE NOT EXISTS (SELECT * FROM s_emp e WHERE e.dept_id = d.id) ORDER BY 1;
SELECT d.name FROM s_dept d WHERE EXISTS (SELECT * FROM s_emp e WHERE e.dept_id = d.id AND e.salary > 85) ORDER BY 1;
SELECT EXISTS (SELECT 1 FROM s_emp WHERE salary > 1000), EXISTS (SELECT 1 FROM s_emp);
SELECT name FROM s_emp WHERE EXISTS (SELECT 1) ORDER BY 1 LIMIT 2;
-- ANY / ALL
SELECT name FROM s_emp WHERE salary > ALL (SELECT salary FROM s_emp WHERE dept_id = 2) ORDER BY 1;
SELECT name FROM s_emp WHERE salary > ALL (SELECT salary FROM s_emp) ORDER BY 1;
SELECT name FROM s_emp WHERE salary = ANY (SELECT salary FROM s_emp WHERE dept_id = 2) ORDER BY 1;
SELECT name FROM s_emp WHERE salary < SOME (SELECT salary FROM s_emp WHERE dept_id = 2) ORDER BY 1;
SELECT name FROM s_emp WHERE salary <> ALL (SELECT salary FROM s_emp WHERE dept_id = 1 AND salary IS NOT NULL) ORDER BY 1;
SELECT name FROM s_emp WHERE salary >= ALL (SELECT salary FROM s_emp WHERE false) ORDER BY 1;
-- correlated subqueries in WHERE, SELECT and HAVING
SELECT name FROM s_emp e WHERE salary > (SELECT avg(salary) FROM s_emp x WHERE x.dept_id = e.dept_id) ORDER BY 1;
SELECT name FROM s_emp e WHERE salary = (SELECT max(salary) FROM s_emp x WHERE x.dept_id = e.dept_id) ORDER BY 1;
SELECT dept_id, (SELECT count(*) FROM s_emp x WHERE x.dept_id = e.dept_id) FROM s_emp e GROUP BY dept_id ORDER BY 1;
SELECT dept_id, count(*) FROM s_emp e GROUP BY dept_id HAVING count(*) >= (SELECT count(*) FROM s_dept WHERE id = e.dept_id) ORDER BY 1;
SELECT dept_id, sum(salary) FROM s_emp GROUP BY dept_id HAVING sum(salary) > (SELECT avg(salary) FROM s_emp) ORDER BY 1;
SELECT name FROM s_emp e WHERE EXISTS (SELECT 1 FROM s_dept d WHERE d.id = e.dept_id AND EXISTS (SELECT 1 FROM s_emp b WHERE b.id = e.boss AND b.dept_id = d.id)) ORDER BY 1;
SELECT name FROM s_emp e WHERE (SELECT name FROM s_dept WHERE id = e.dept_id) LIKE 'e%' ORDER BY 1;
SELECT e.name, d.name FROM s_emp e JOIN s_dept d ON d.id = e.dept_id WHERE e.salary >= (SELECT max(salary) FROM s_emp x WHERE x.dept_id = d.id) ORDER BY 1;
SELECT name FROM s_emp e WHERE (SELECT count(*) FROM s_emp x WHERE x.salary > e.salary) < 2 ORDER BY 1;
-- subqueries in FROM
SELECT s.dept_id, s.total FROM (SELECT dept_id, sum(salary) AS total FROM s_emp GROUP BY dept_id) s WHERE s.total > 100 ORDER BY 1;
SELECT * FROM (SELECT name, salary FROM s_emp ORDER BY salary DESC NULLS LAST LIMIT 3) best ORDER BY name;
SELECT t.n FROM (SELECT name AS n FROM s_emp) AS t(n) WHERE t.n < 'c' ORDER BY 1;
SELECT d.name, t.total FROM s_dept d JOIN (SELECT dept_id, sum(salary) AS total FROM s_emp GROUP BY dept_id) t ON t.dept_id = d.id ORDER BY 1;
SELECT count(*) FROM (SELECT DISTINCT dept_id FROM s_emp) d;
SELECT * FROM (SELECT 1 AS a, 'x' AS b) s;
SELECT * FROM (SELECT id FROM s_emp);
SELECT max(n) FROM (SELECT count(*) AS n FROM s_emp GROUP BY dept_id) c;
-- WITH
WITH rich AS (SELECT * FROM s_emp WHERE salary >= 90) SELECT r.name, d.name FROM rich r JOIN s_dept d ON d.id = r.dept_id ORDER BY 1;
WITH t(a, b) AS (SELECT id, name FROM s_dept) SELECT b FROM t WHERE a > 1 ORDER BY a;
WITH a AS (SELECT id FROM s_emp WHERE id < 4), b AS (SELECT id FROM a WHERE id > 1) SELECT * FROM b ORDER BY 1;
WITH totals AS (SELECT dept_id, sum(salary) AS s FROM s_emp GROUP BY dept_id) SELECT dept_id FROM totals WHERE s = (SELECT max(s) FROM totals);
WITH x AS (SELECT 1 AS v) SELECT * FROM x, x AS y;
WITH e AS (SELECT name FROM s_dept) SELECT count(*) FROM e;
-- errors
SELECT name FROM s_emp WHERE id IN (SELECT id, name FROM s_dept);
SELECT * FROM (SELECT 1) AS t(a, b);
SELECT name FROM s_emp WHERE id = (SELECT name FROM s_dept WHERE id = 1);
SELECT name FROM s_emp WHERE id IN (SELECT name FROM s_dept);
SELECT * FROM s_emp WHERE EXISTS (SELECT qqqq FROM s_dept);
