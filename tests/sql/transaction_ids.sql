-- txid_current() / pg_current_xact_id(): one id for the whole transaction, a new one for the
-- next (ids are compared, never printed: their values differ between systems).
DROP TABLE IF EXISTS xids;
SELECT txid_current() = txid_current() AS same_statement, txid_current() > 0 AS positive, pg_typeof(txid_current());
BEGIN;
CREATE TEMP TABLE xids AS SELECT txid_current() AS t;
SELECT t = txid_current() AS same_transaction FROM xids;
SELECT t = pg_current_xact_id()::text::bigint AS same_transaction FROM xids;
SELECT t = txid_current_if_assigned() AS assigned FROM xids;
COMMIT;
SELECT t = txid_current() AS same_transaction, t < txid_current() AS later FROM xids;
DROP TABLE xids;
