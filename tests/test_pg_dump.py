"""pg_dump against Keel: PostgreSQL 15's own pg_dump reads Keel's catalogs (roles, schemas, tables,
sequences, enum, composite types and domains, identity, serial and generated columns, defaults, constraints,
indexes, views, comments,
privileges, data) and writes a dump that

- restores into PostgreSQL and gives the same database as building the schema in PostgreSQL
  directly: PostgreSQL's dump of the restored database equals its dump of the original (the
  rows of each COPY compared as sets: Keel's COPY order is by worker and key, not insertion);
- restores into a fresh Keel node, whose own dump is then the same as the first (round trip;
  rows as sets again: a table without a primary key places rows by hidden row ids).

And the other way, the migration path: PostgreSQL's dump restores into Keel, whose dump of it is
PostgreSQL's again. The first comparison makes the expressions Keel shows in its own words
(defaults and view queries as written, not PostgreSQL's deparse) count only by what they mean."""

import re
import subprocess

import psycopg
import pytest

SCHEMA = r"""
CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM ('placed', 'paid', 'shipped', 'it''s late');
CREATE DOMAIN shop.amount AS numeric(12,2) CHECK (VALUE >= 0) DEFAULT 0;
CREATE DOMAIN shop.small_amount AS shop.amount NOT NULL CONSTRAINT small CHECK (VALUE < 1000);
CREATE TYPE shop.address AS (street text, zip varchar(10), "Geo" numeric(9,6)[]);
CREATE TYPE public.shipment AS (sent_to shop.address, state shop.status, weight real);
CREATE TABLE shop.customers (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email varchar(200) UNIQUE,
    joined date DEFAULT '2024-01-01',
    score numeric(8,2) CHECK (score >= 0),
    email_key text GENERATED ALWAYS AS (lower(email)) STORED
);
CREATE TABLE shop.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
    placed timestamptz NOT NULL DEFAULT now(),
    total shop.amount,
    fee shop.small_amount,
    note text,
    state shop.status NOT NULL DEFAULT 'placed',
    cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
    shipped public.shipment,
    stops shop.address[]
);
CREATE INDEX orders_by_customer ON shop.orders (customer_id, placed DESC);
CREATE UNIQUE INDEX customers_scored_email ON shop.customers (lower(email)) WHERE score IS NOT NULL;
CREATE INDEX orders_noted ON shop.orders (customer_id) WHERE note IS NOT NULL;
CREATE TABLE public.settings (key text PRIMARY KEY, value jsonb, flags boolean[], at time);
CREATE INDEX settings_value ON public.settings USING gin (value);
CREATE INDEX settings_paths ON public.settings USING gin (value jsonb_path_ops);
CREATE INDEX settings_flags ON public.settings USING gin (flags);
CREATE TABLE public.events (seen timestamp, kind char(3), payload bytea, ratio double precision,
    stamped timestamp(0) DEFAULT '2024-01-01 00:00:00.7', lap time(2));
CREATE TABLE public.pairs (a int, b text, c int, PRIMARY KEY (a) INCLUDE (b, c));
CREATE SEQUENCE public.ticket_seq START WITH 100 INCREMENT BY 5 MAXVALUE 100000 CACHE 1 CYCLE;
CREATE VIEW shop.big_spenders AS
    SELECT c.name, sum(o.total) AS spent
    FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id
    GROUP BY c.name;
CREATE VIEW public.recent AS SELECT * FROM shop.orders WHERE placed > '2024-06-01';
COMMENT ON TABLE shop.orders IS 'one row per order';
COMMENT ON COLUMN shop.orders.note IS 'free text, it''s optional';
GRANT USAGE ON SCHEMA shop TO dump_reader;
GRANT SELECT ON shop.customers TO dump_reader;
GRANT SELECT (id, total) ON shop.orders TO dump_reader;
INSERT INTO shop.customers (name, email, score) VALUES
    ('ann', 'ann@example.com', 10.5), ('bob', NULL, 0), (E'tab\there', 'x"y@z', NULL),
    ('zoë', 'zoe@example.com', 99.99);
INSERT INTO shop.orders (customer_id, placed, total, note) VALUES
    (1, '2024-05-01 10:00:00+00', 150.50, 'first'),
    (1, '2024-07-01 12:30:00+00', 20, NULL),
    (3, '2024-08-09 00:00:00+00', 7.25, E'line\nbreak \\ backslash');
UPDATE shop.orders SET state = 'it''s late' WHERE total < 10;
UPDATE shop.orders SET shipped = ROW(ROW('1 Main St', '02139', '{42.36,-71.09}'), 'paid', 2.5),
    stops = ARRAY[ROW('a "quoted", street', NULL, NULL)::shop.address] WHERE note = 'first';
INSERT INTO public.settings VALUES
    ('theme', '{"dark": true, "size": [1, 2]}', '{t,f,NULL}', '12:34:56'),
    ('empty', NULL, '{}', NULL);
INSERT INTO public.events VALUES ('2024-01-02 03:04:05.678', 'ab', '\xdeadbeef', 0.1, '2024-01-02 03:04:05.678', '01:02:03.456'),
    (NULL, NULL, NULL, 'NaN', NULL, NULL);
SELECT setval('public.ticket_seq', 250);
"""


def run(args, stdin=None):
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def dump(server, dbname, *options):
    """pg_dump's plain output, without what differs on every run (the \\restrict key, the
    server's version line)."""
    args = ["pg_dump", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", *options,
            dbname]
    text = run(args).stdout
    text = re.sub(r"^\\(un)?restrict \S+$", r"\\\1restrict KEY", text, flags=re.M)
    return re.sub(r"^-- Dumped from database version .*$", "-- Dumped from database version V",
                  text, flags=re.M)


def rows_as_sets(text):
    """The dump with the rows of each COPY block sorted."""
    out, block = [], None
    for line in text.split("\n"):
        if block is not None:
            if line == "\\.":
                out.extend(sorted(block))
                out.append(line)
                block = None
            else:
                block.append(line)
            continue
        out.append(line)
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            block = []
    return "\n".join(out)


def restore(server, dbname, text):
    run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(server.port),
         "-U", "postgres", "-d", dbname], stdin=text)


@pytest.fixture
def scratch(postgres):
    """The PostgreSQL databases the tests make, and the role they grant to: dropped afterwards
    (the server and its roles are shared with the other tests, psql's \\du among them)."""
    made = []

    def database(name):
        with psycopg.connect(postgres.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"drop database if exists {name}")
            conn.execute(f"create database {name}")
        made.append(name)
        ensure_role(postgres.dsn(name))
        return name

    yield database
    with psycopg.connect(postgres.dsn("postgres"), autocommit=True) as conn:
        for name in made:
            conn.execute(f"drop database if exists {name}")
        conn.execute("drop role if exists dump_reader")


def ensure_role(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = 'dump_reader'").fetchone():
            conn.execute("create role dump_reader")


def test_pg_dump_of_keel_restores_to_the_same_database(keel, keel_factory, postgres, scratch):
    scratch("dump_direct")
    scratch("dump_restored")
    ensure_role(keel.dsn())
    with psycopg.connect(postgres.dsn("dump_direct"), autocommit=True) as conn:
        conn.execute(SCHEMA)
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute(SCHEMA)

    ours = dump(keel, "keel")
    assert "CREATE TABLE shop.orders" in ours and "COPY shop.customers" in ours

    # Into PostgreSQL: the same database as building it there.
    restore(postgres, "dump_restored", ours)
    direct = rows_as_sets(dump(postgres, "dump_direct"))
    restored = rows_as_sets(dump(postgres, "dump_restored"))
    assert restored == direct

    # Into a fresh Keel node: its dump is the first one again.
    fresh = keel_factory().start()
    ensure_role(fresh.dsn())
    restore(fresh, "keel", ours)
    assert rows_as_sets(dump(fresh, "keel")) == rows_as_sets(ours)


def test_pg_dump_of_postgres_restores_into_keel_and_dumps_back_the_same(keel, postgres, scratch):
    """The migration path: PostgreSQL's dump (its deparsed CHECKs, defaults and views, identity
    columns added by ALTER TABLE, serial defaults set after their sequences) restores into Keel,
    and Keel's dump of the result is PostgreSQL's dump again."""
    scratch("dump_source")
    ensure_role(keel.dsn())
    with psycopg.connect(postgres.dsn("dump_source"), autocommit=True) as conn:
        conn.execute(SCHEMA)
    theirs = dump(postgres, "dump_source")
    restore(keel, "keel", theirs)
    assert rows_as_sets(dump(keel, "keel")) == rows_as_sets(theirs)


def test_pg_dumpall_round_trips_through_a_fresh_node(keel, keel_factory):
    """pg_dumpall (roles with their attributes, SCRAM secrets, settings and memberships, then the
    database) restores into a fresh node, whose pg_dumpall is then the same. The only error is
    the one PostgreSQL's restores give too: the bootstrap role exists already."""
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create role app login password 'secret' connection limit 5 valid until '2030-01-01'")
        conn.execute("create role readers nologin")
        conn.execute("grant readers to app with admin option")
        conn.execute("alter role app set work_mem = '8MB'")
        conn.execute("create table notes (id int primary key, body text)")
        conn.execute("insert into notes values (1, 'kept')")
        conn.execute("grant select on notes to readers")

    def dumpall(server):
        args = ["pg_dumpall", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
        return re.sub(r"^\\(un)?restrict \S+$", r"\\\1restrict KEY", run(args).stdout, flags=re.M)

    first = dumpall(keel)
    assert "CREATE ROLE app;" in first and "GRANT readers TO app WITH ADMIN OPTION" in first
    fresh = keel_factory().start()
    done = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(fresh.port), "-U", "postgres",
                           "-d", "keel"], input=first, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and 'role "postgres" already exists' in errors[0], done.stderr
    assert rows_as_sets(dumpall(fresh)) == rows_as_sets(first)


def test_pg_dump_of_one_table_matches_postgres(keel, postgres, scratch):
    """`pg_dump -t` (its lookup names operators as `OPERATOR(pg_catalog.=) ANY (...)`): one
    table of the schema, with its generated column left out of COPY and its expression in CREATE
    TABLE, as PostgreSQL dumps it."""
    scratch("dump_one")
    ensure_role(keel.dsn())
    with psycopg.connect(postgres.dsn("dump_one"), autocommit=True) as conn:
        conn.execute(SCHEMA)
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute(SCHEMA)
    ours = dump(keel, "keel", "-t", "shop.customers")
    assert "email_key text GENERATED ALWAYS AS (lower((email)::text)) STORED" in ours
    assert "COPY shop.customers (id, name, email, joined, score) FROM stdin;" in ours
    assert rows_as_sets(ours) == rows_as_sets(dump(postgres, "dump_one", "-t", "shop.customers"))

