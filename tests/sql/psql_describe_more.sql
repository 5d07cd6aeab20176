-- psql's less common describe commands over objects Keel has none of, and the encoding
-- functions they call.
\do
\dc
\dc+
\dO
\dO+
\dD
\db
\dy
\des
\dRp
SELECT pg_char_to_encoding('UTF8'), pg_char_to_encoding('latin1'), pg_char_to_encoding('nope'), pg_char_to_encoding(NULL), getdatabaseencoding();
SELECT pg_encoding_to_char(8), pg_encoding_to_char(41), pg_encoding_to_char(99), pg_encoding_to_char(pg_char_to_encoding('win1252'));
SELECT pg_operator_is_visible(1), pg_collation_is_visible(NULL), pg_conversion_is_visible(1), pg_opclass_is_visible(1);
-- Extensions: Keel has none (PostgreSQL's own errors, tersely: its detail names a file path).
DROP EXTENSION IF EXISTS keel_no_such_extension, keel_nor_this;
\set VERBOSITY terse
CREATE EXTENSION keel_no_such_extension;
DROP EXTENSION keel_no_such_extension;
\set VERBOSITY sqlstate
CREATE EXTENSION keel_no_such_extension;
DROP EXTENSION keel_no_such_extension;
\set VERBOSITY default
