-- Window functions: ranking, offsets, frames (ROWS, RANGE, GROUPS), aggregates over windows.
DROP TABLE IF EXISTS w_emp;
CREATE TABLE w_emp (id int PRIMARY KEY, dept text, salary int, hired int);
INSERT INTO w_emp VALUES
  (1, 'eng', 100, 2010), (2, 'eng', 80, 2012), (3, 'eng', 80, 2015), (4, 'ops', 70, 2011),
  (5, 'ops', 90, 2013), (6, 'ops', NULL, 2014), (7, 'hr', 60, 2016), (8, 'eng', 120, 2018);
SELECT id, row_number() OVER (ORDER BY id) FROM w_emp ORDER BY id;
SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY salary DESC NULLS LAST, id) FROM w_emp ORDER BY id;
SELECT id, salary, rank() OVER (ORDER BY salary), dense_rank() OVER (ORDER BY salary) FROM w_emp ORDER BY id;
SELECT id, salary, percent_rank() OVER (ORDER BY salary), cume_dist() OVER (ORDER BY salary) FROM w_emp ORDER BY id;
SELECT id, ntile(3) OVER (ORDER BY id), ntile(5) OVER (ORDER BY id), ntile(20) OVER (ORDER BY id) FROM w_emp ORDER BY id;
SELECT id, lag(salary) OVER (ORDER BY id), lead(salary) OVER (ORDER BY id), lag(salary, 2, 0) OVER (ORDER BY id), lead(id, 3) OVER (ORDER BY id) FROM w_emp ORDER BY id;
SELECT id, dept, lag(id) OVER (PARTITION BY dept ORDER BY id) FROM w_emp ORDER BY id;
SELECT id, first_value(id) OVER (PARTITION BY dept ORDER BY hired), last_value(id) OVER (PARTITION BY dept ORDER BY hired) FROM w_emp ORDER BY id;
SELECT id, last_value(id) OVER (PARTITION BY dept ORDER BY hired ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, nth_value(id, 2) OVER (ORDER BY id), nth_value(id, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY id) FROM w_emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY salary), count(*) OVER (ORDER BY salary) FROM w_emp ORDER BY id;
SELECT id, sum(salary) OVER (), count(salary) OVER (), avg(salary) OVER (), max(salary) OVER () FROM w_emp ORDER BY id;
SELECT id, dept, sum(salary) OVER (PARTITION BY dept), avg(salary) OVER (PARTITION BY dept) FROM w_emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, sum(salary) OVER (ORDER BY id ROWS 2 PRECEDING), min(salary) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING), count(*) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, salary, sum(id) OVER (ORDER BY salary GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW), count(*) OVER (ORDER BY salary GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING) FROM w_emp ORDER BY id;
SELECT id, count(DISTINCT dept) OVER (ORDER BY id), sum(salary) FILTER (WHERE dept = 'eng') OVER (ORDER BY id) FROM w_emp ORDER BY id;
SELECT dept, sum(salary), rank() OVER (ORDER BY sum(salary) DESC) FROM w_emp GROUP BY dept ORDER BY dept;
SELECT dept, count(*), sum(count(*)) OVER () FROM w_emp GROUP BY dept ORDER BY dept;
SELECT id, salary * 100 / sum(salary) OVER (PARTITION BY dept) AS pct FROM w_emp ORDER BY id;
SELECT * FROM (SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY salary DESC NULLS LAST) AS rn FROM w_emp) t WHERE rn = 1 ORDER BY dept;
SELECT id, row_number() OVER (ORDER BY id DESC) FROM w_emp ORDER BY row_number() OVER (ORDER BY id DESC) LIMIT 3;
SELECT row_number() OVER (ORDER BY salary), id FROM w_emp WHERE dept = 'ops';
-- errors
SELECT id FROM w_emp WHERE row_number() OVER () > 1;
SELECT dept FROM w_emp GROUP BY dept HAVING rank() OVER () > 1;
SELECT lower(dept) OVER () FROM w_emp;
SELECT sum(row_number() OVER ()) FROM w_emp;
SELECT ntile(0) OVER () FROM w_emp;
SELECT id, dept, sum(salary) OVER (PARTITION BY dept) FROM w_emp GROUP BY dept;
