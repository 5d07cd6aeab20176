-- Savepoints, isolation levels and read-only transactions in one session.
DROP TABLE IF EXISTS sp;
CREATE TABLE sp (id int PRIMARY KEY, v text);
INSERT INTO sp VALUES (1, 'one'), (2, 'two');
BEGIN;
UPDATE sp SET v = 'uno' WHERE id = 1;
SAVEPOINT a;
DELETE FROM sp WHERE id = 2;
INSERT INTO sp VALUES (3, 'three');
SELECT * FROM sp ORDER BY id;
SAVEPOINT b;
UPDATE sp SET v = 'tres' WHERE id = 3;
ROLLBACK TO SAVEPOINT b;
SELECT * FROM sp ORDER BY id;
ROLLBACK TO a;
SELECT * FROM sp ORDER BY id;
INSERT INTO sp VALUES (4, 'four');
RELEASE SAVEPOINT a;
COMMIT;
SELECT * FROM sp ORDER BY id;
-- An error inside a savepoint: the transaction is failed until ROLLBACK TO revives it.
BEGIN;
SAVEPOINT s1;
INSERT INTO sp VALUES (1, 'dup');
\echo :LAST_ERROR_SQLSTATE
SELECT 1;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO s1;
INSERT INTO sp VALUES (5, 'five');
COMMIT;
SELECT * FROM sp ORDER BY id;
-- Same names shadow; RELEASE of an unknown one fails the transaction.
BEGIN;
SAVEPOINT x;
UPDATE sp SET v = 'x1' WHERE id = 5;
SAVEPOINT x;
UPDATE sp SET v = 'x2' WHERE id = 5;
ROLLBACK TO x;
SELECT v FROM sp WHERE id = 5;
RELEASE x;
ROLLBACK TO x;
SELECT v FROM sp WHERE id = 5;
RELEASE nosuch;
\echo :LAST_ERROR_SQLSTATE
COMMIT;
SELECT v FROM sp WHERE id = 5;
SAVEPOINT outside;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO outside;
\echo :LAST_ERROR_SQLSTATE
-- Isolation levels and read-only transactions.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
SELECT count(*) FROM sp;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY;
SHOW transaction_isolation;
SHOW transaction_read_only;
SELECT count(*) FROM sp;
DELETE FROM sp;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SET default_transaction_isolation = 'repeatable read';
BEGIN;
SHOW transaction_isolation;
COMMIT;
SET default_transaction_isolation = 'bogus';
\echo :LAST_ERROR_SQLSTATE
RESET default_transaction_isolation;
SET default_transaction_read_only = on;
INSERT INTO sp VALUES (9, 'nine');
\echo :LAST_ERROR_SQLSTATE
RESET default_transaction_read_only;
SET TRANSACTION READ ONLY;
START TRANSACTION READ WRITE, ISOLATION LEVEL READ COMMITTED;
SHOW transaction_read_only;
COMMIT;
DROP TABLE sp;
