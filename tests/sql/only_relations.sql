-- ONLY name and name *: PostgreSQL's inheritance marks on a relation (Keel has no inheritance,
-- so both are the relation itself) in FROM, JOIN, UPDATE, DELETE, TABLE and MERGE; ONLY is a
-- reserved word, never a table.
DROP TABLE IF EXISTS inh_t;
CREATE TABLE inh_t (a int PRIMARY KEY, b text);
INSERT INTO inh_t VALUES (1, 'x'), (2, 'y'), (3, 'z');
TABLE ONLY inh_t ORDER BY a;
TABLE inh_t * ORDER BY a DESC;
TABLE ONLY public.inh_t ORDER BY a DESC LIMIT 1;
SELECT * FROM ONLY inh_t WHERE a = 1;
SELECT * FROM inh_t * WHERE a = 2;
SELECT * FROM public.inh_t * v JOIN ONLY inh_t w USING (a) ORDER BY a;
SELECT * FROM inh_t v, ONLY inh_t w WHERE v.a = w.a ORDER BY 1;
UPDATE ONLY inh_t SET b = 'updated' WHERE a = 1;
UPDATE inh_t * SET b = 'star' WHERE a = 2;
DELETE FROM ONLY inh_t WHERE a = 3;
MERGE INTO ONLY inh_t USING (VALUES (3, 'merged')) v(a, b) ON inh_t.a = v.a
  WHEN NOT MATCHED THEN INSERT VALUES (v.a, v.b);
SELECT * FROM inh_t ORDER BY a;
SELECT a * 2, count(*) FROM inh_t GROUP BY a ORDER BY 1;
SELECT 2 * a FROM inh_t ORDER BY 1;
SELECT inh_t.* FROM inh_t ORDER BY a FETCH FIRST 1 ROW ONLY;
SELECT * FROM (SELECT * FROM inh_t ORDER BY a FETCH FIRST 2 ROWS ONLY) s ORDER BY a DESC;
TABLE ONLY;
SELECT * FROM only;
DROP TABLE inh_t;
