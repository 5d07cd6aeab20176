-- psql's \d TABLE, \d+ TABLE, \d INDEX and \d SEQUENCE over Keel's catalogs: columns with types,
-- collations, defaults and identity; indexes, UNIQUE and CHECK constraints; owned sequences; views.
DROP VIEW IF EXISTS desc_v;
DROP TABLE IF EXISTS desc_t;
DROP TABLE IF EXISTS desc_s;
CREATE TABLE desc_t (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x', v numeric(10,2) UNIQUE, tags text[], n bigint CHECK (n > 0));
CREATE INDEX desc_t_name ON desc_t (name);
CREATE UNIQUE INDEX desc_t_n_name ON desc_t (n, name);
\d desc_t
\d+ desc_t
\d desc_t_pkey
\d desc_t_n_name
CREATE TABLE desc_s (id serial PRIMARY KEY, code varchar(8), flag char(2), at timestamptz DEFAULT now(), doc jsonb, u uuid, g int GENERATED ALWAYS AS IDENTITY, CONSTRAINT desc_s_code_key UNIQUE (code));
\d desc_s
\d desc_s_id_seq
\d nosuch
\d desc_s_g_seq
DROP TABLE desc_s;
DROP TABLE desc_t;
SELECT quote_ident('abc'), quote_ident('Abc'), quote_ident('select'), quote_ident('a"b'), quote_ident('_x1'), quote_literal('it''s'), quote_literal(E'a\\b'), quote_literal(NULL);
DROP VIEW IF EXISTS dv_v;
DROP TABLE IF EXISTS dv_t;
CREATE TABLE dv_t (id int PRIMARY KEY, name varchar(20), amount numeric(8,2), tags text[]);
CREATE VIEW dv_v AS SELECT id, upper(name) AS shout, amount * 2 AS doubled, tags, 'x' AS lit FROM dv_t;
\d dv_v
DROP VIEW dv_v;
DROP TABLE dv_t;
