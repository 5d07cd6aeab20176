-- Transaction blocks and session settings.
DROP TABLE IF EXISTS acct;
CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL);
INSERT INTO acct VALUES (1, 100), (2, 100);
BEGIN;
UPDATE acct SET balance = balance - 30 WHERE id = 1;
UPDATE acct SET balance = balance + 30 WHERE id = 2;
COMMIT;
SELECT * FROM acct ORDER BY id;
START TRANSACTION;
UPDATE acct SET balance = 0;
SELECT sum(balance) FROM acct;
ROLLBACK;
SELECT * FROM acct ORDER BY id;
BEGIN;
INSERT INTO acct VALUES (3, 5);
SELECT 1/0;
\echo :LAST_ERROR_SQLSTATE
SELECT 1;
\echo :LAST_ERROR_SQLSTATE
COMMIT;
SELECT count(*) FROM acct;
BEGIN;
BEGIN;
END;
COMMIT;
ROLLBACK;
BEGIN;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
SELECT 1;
BEGIN ISOLATION LEVEL SERIALIZABLE;
ROLLBACK;
BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED;
INSERT INTO acct VALUES (4, 1);
END;
SELECT id FROM acct ORDER BY id;
INSERT INTO acct VALUES (5, 1); INSERT INTO acct VALUES (5, 2); INSERT INTO acct VALUES (6, 1);
SELECT id FROM acct ORDER BY id;
SHOW DateStyle;
SHOW server_encoding;
SET application_name = 'golden';
SHOW application_name;
SET extra_float_digits TO 3;
SHOW extra_float_digits;
RESET extra_float_digits;
SHOW extra_float_digits;
SET no_such_setting = 1;
\echo :LAST_ERROR_SQLSTATE
SHOW transaction isolation level;
RESET ALL;
SHOW application_name;
VACUUM acct;
VACUUM ANALYZE acct;
ANALYZE acct;
DROP TABLE acct;
SET statement_timeout = '100ms';
SELECT pg_sleep(2);
\echo :LAST_ERROR_SQLSTATE
SET statement_timeout = 'soon';
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT pg_sleep(0.01);
-- A failed block refuses every statement but its end before binding it: a missing table or
-- column gets 25P02, not 42P01 or 42703 (a syntax error is still reported as one).
BEGIN;
SELECT 1 / 0;
SELECT * FROM no_such_table;
\echo :LAST_ERROR_SQLSTATE
UPDATE no_such_table SET x = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT no_such_column FROM pg_class;
\echo :LAST_ERROR_SQLSTATE
SELEC 1;
\echo :LAST_ERROR_SQLSTATE
SHOW transaction_isolation;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT 1;
