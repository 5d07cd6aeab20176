-- Joins: inner, outer, cross, USING, NATURAL, self joins, join order, filters across joins.
DROP TABLE IF EXISTS j_emp;
DROP TABLE IF EXISTS j_dept;
DROP TABLE IF EXISTS j_proj;
CREATE TABLE j_dept (id int PRIMARY KEY, name text, budget numeric, city text);
CREATE TABLE j_emp (id int PRIMARY KEY, name text, dept_id int, salary int, boss int, city text);
CREATE TABLE j_proj (code text PRIMARY KEY, dept_id int, lead int, cost float8);
INSERT INTO j_dept VALUES (1, 'eng', 1000, 'oslo'), (2, 'ops', 500, 'rome'), (3, 'empty', 10, 'oslo'), (4, 'sales', NULL, NULL);
INSERT INTO j_emp VALUES
  (1, 'ann', 1, 100, NULL, 'oslo'), (2, 'bob', 1, 80, 1, 'rome'), (3, 'cid', 2, 70, 1, 'rome'),
  (4, 'dan', NULL, 60, 2, NULL), (5, 'eve', 2, 90, 3, 'oslo'), (6, 'fay', 4, 55, 3, 'oslo'),
  (7, 'gus', 1, NULL, 2, 'rome');
INSERT INTO j_proj VALUES ('p1', 1, 1, 10.5), ('p2', 1, 2, 3.25), ('p3', 2, 5, 7), ('p4', 9, 4, 1), ('p5', NULL, NULL, 2);
-- inner joins
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id ORDER BY e.name;
SELECT e.name, d.name FROM j_emp e INNER JOIN j_dept d ON d.id = e.dept_id WHERE d.budget > 100 ORDER BY 1;
SELECT e.name, d.name FROM j_emp e, j_dept d WHERE e.dept_id = d.id AND e.salary > 65 ORDER BY 1;
SELECT e.name, d.name, p.code FROM j_emp e JOIN j_dept d ON e.dept_id = d.id JOIN j_proj p ON p.dept_id = d.id ORDER BY 1, 3;
SELECT e.name, p.code FROM j_emp e, j_proj p, j_dept d WHERE p.lead = e.id AND d.id = p.dept_id ORDER BY 2;
SELECT count(*) FROM j_emp e JOIN j_dept d ON true;
SELECT count(*) FROM j_emp CROSS JOIN j_dept;
SELECT count(*) FROM j_emp, j_dept, j_proj;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.city = d.city AND e.dept_id <> d.id ORDER BY 1, 2;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.salary > d.budget / 10 ORDER BY 1, 2;
SELECT e.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id AND d.name = 'eng' ORDER BY 1;
SELECT a.name, b.name FROM j_emp a JOIN j_emp b ON a.boss = b.id ORDER BY 1;
SELECT a.name, b.name, c.name FROM j_emp a JOIN j_emp b ON a.boss = b.id JOIN j_emp c ON b.boss = c.id ORDER BY 1;
SELECT e.id, d.id FROM j_emp e JOIN j_dept d ON e.id = d.id ORDER BY 1;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id WHERE e.id = 3;
SELECT e.name FROM j_emp e JOIN j_dept d ON e.dept_id + 1 = d.id + 1 ORDER BY 1;
SELECT e.name, d.budget FROM j_emp e JOIN j_dept d ON e.salary::numeric * 10 = d.budget ORDER BY 1;
-- outer joins
SELECT e.name, d.name FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id ORDER BY e.name;
SELECT e.name, d.name FROM j_emp e LEFT OUTER JOIN j_dept d ON e.dept_id = d.id AND d.budget > 600 ORDER BY e.name;
SELECT e.name, d.name FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id WHERE d.id IS NULL ORDER BY 1;
SELECT e.name, d.name FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id WHERE e.salary > 60 ORDER BY 1;
SELECT e.name, d.name FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id AND e.salary > 75 ORDER BY 1;
SELECT d.name, e.name FROM j_emp e RIGHT JOIN j_dept d ON e.dept_id = d.id ORDER BY 1, 2;
SELECT d.name, e.name FROM j_emp e RIGHT OUTER JOIN j_dept d ON e.dept_id = d.id WHERE d.city = 'oslo' ORDER BY 1, 2;
SELECT d.name, e.name FROM j_emp e FULL JOIN j_dept d ON e.dept_id = d.id ORDER BY 1, 2;
SELECT d.name, e.name FROM j_emp e FULL OUTER JOIN j_dept d ON e.dept_id = d.id AND e.salary > 80 ORDER BY 1, 2;
SELECT d.name, count(e.id), sum(e.salary), max(e.name) FROM j_dept d LEFT JOIN j_emp e ON e.dept_id = d.id GROUP BY d.name ORDER BY d.name;
SELECT e.name, d.name, p.code FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id LEFT JOIN j_proj p ON p.lead = e.id ORDER BY 1, 3;
SELECT e.name, d.name, p.code FROM j_emp e JOIN j_dept d ON e.dept_id = d.id LEFT JOIN j_proj p ON p.dept_id = d.id AND p.lead = e.id ORDER BY 1, 3;
SELECT p.code, e.name, d.name FROM j_proj p LEFT JOIN j_emp e ON p.lead = e.id LEFT JOIN j_dept d ON d.id = e.dept_id ORDER BY 1;
SELECT p.code, d.name FROM j_proj p FULL JOIN j_dept d ON p.dept_id = d.id ORDER BY 1, 2;
SELECT count(*), count(d.id), count(e.id) FROM j_emp e FULL JOIN j_dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id AND d.name LIKE 'e%' ORDER BY 1;
SELECT e.name, coalesce(d.name, '(none)') FROM j_emp e LEFT JOIN j_dept d ON e.dept_id = d.id ORDER BY 1;
SELECT e.name FROM j_emp e LEFT JOIN j_proj p ON p.lead = e.id WHERE p.code IS NULL ORDER BY 1;
-- USING and NATURAL
SELECT * FROM j_emp JOIN j_dept USING (id) ORDER BY id;
SELECT id, j_emp.name, j_dept.name FROM j_emp JOIN j_dept USING (id) ORDER BY id;
SELECT * FROM j_emp LEFT JOIN j_dept USING (id, city) ORDER BY id;
SELECT city, count(*) FROM j_emp JOIN j_dept USING (city) GROUP BY city ORDER BY city;
SELECT * FROM j_emp NATURAL JOIN j_dept ORDER BY id;
SELECT e.name, x.name FROM j_emp e JOIN (SELECT id AS dept_id, name FROM j_dept) x USING (dept_id) ORDER BY 1;
-- parenthesized joins and aliases
SELECT e.name, d.name, p.code FROM j_emp e JOIN (j_dept d JOIN j_proj p ON p.dept_id = d.id) ON e.id = p.lead ORDER BY 3;
SELECT x.a, x.b FROM j_dept AS x(a, b) WHERE x.a < 3 ORDER BY 1;
-- joins with grouping, ordering, limits
SELECT d.city, count(*) AS n, avg(e.salary) FROM j_emp e JOIN j_dept d ON e.dept_id = d.id GROUP BY d.city ORDER BY n DESC, 1;
SELECT d.name, sum(p.cost) FROM j_dept d JOIN j_proj p ON p.dept_id = d.id GROUP BY d.name HAVING sum(p.cost) > 5 ORDER BY 1;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id ORDER BY e.salary DESC NULLS LAST LIMIT 3;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id ORDER BY e.name LIMIT 2 OFFSET 2;
SELECT d.name FROM j_dept d JOIN j_emp e ON e.dept_id = d.id GROUP BY d.name ORDER BY count(*) DESC, d.name;
-- errors
SELECT id FROM j_emp, j_dept;
SELECT e.qqqq FROM j_emp e JOIN j_dept d ON e.dept_id = d.id;
SELECT z.name FROM j_emp e;
SELECT * FROM j_emp JOIN j_dept USING (nope);
SELECT * FROM j_emp e JOIN j_dept d ON e.name;
SELECT j_emp.name FROM j_emp e;
SELECT e.name, d.name FROM j_emp e JOIN j_dept d ON e.dept_id = d.id GROUP BY e.name;
