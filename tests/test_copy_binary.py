"""COPY in binary format through psycopg (FROM STDIN with write_row, TO STDOUT with rows()), over
every stored type, compared with PostgreSQL 15: the rows that arrive, the rows that come back,
and the errors for a stream that is not binary COPY, is cut short, or has the wrong field count."""

import datetime
import uuid
from decimal import Decimal

import psycopg

TYPES = ["int4", "text", "numeric", "timestamp", "bool", "text[]", "uuid", "bytea", "date",
         "float8", "int8"]


def rows():
    start = datetime.datetime(2024, 1, 1, 12, 0)
    return [(i, f"name {i}" if i % 3 else None, Decimal(i) / 4, start + datetime.timedelta(hours=i),
             i % 2 == 0, ["a", str(i), None], uuid.UUID(int=i), bytes([i % 256, 0, 255]),
             datetime.date(2024, 2, 1) + datetime.timedelta(days=i), i * 1.5, 2 ** 40 + i)
            for i in range(3000)]


def outcome(error):
    return (error.sqlstate, str(error).splitlines()[0])


def exercise(dsn):
    seen = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists copy_bin")
        conn.execute("create table copy_bin (id int primary key, name text, amount numeric(10,2), "
                     "at timestamp, flag bool, tags text[], u uuid, b bytea, d date, f float8, "
                     "big bigint)")
        with conn.cursor().copy("COPY copy_bin FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(TYPES)
            for row in rows():
                copy.write_row(row)
        seen.append(conn.execute("select count(*), sum(amount), count(name), max(at), sum(big), "
                                 "sum(cardinality(tags)) from copy_bin").fetchone())
        with conn.cursor().copy("COPY (SELECT * FROM copy_bin ORDER BY id) TO STDOUT "
                                "(FORMAT BINARY)") as copy:
            copy.set_types(TYPES)
            back = [tuple(row) for row in copy.rows()]
        seen.append(back == rows())
        for bad in (b"not a copy file at all, nope",
                    b"PGCOPY\n\xff\r\n\0" + bytes(8) + b"\0\x01\0\0\0\x04\0\0\0\x07\xff\xff",
                    b"PGCOPY\n\xff\r\n\0" + bytes(8) + b"\0\x0b\0\0"):
            try:
                with conn.cursor().copy("COPY copy_bin FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(bad)
                seen.append("accepted")
            except psycopg.Error as error:
                seen.append(outcome(error))
        try:
            conn.execute("COPY copy_bin FROM STDIN (FORMAT BINARY, HEADER)")
        except psycopg.Error as error:
            seen.append(outcome(error))
        seen.append(conn.execute("select count(*) from copy_bin").fetchone())
        conn.execute("drop table copy_bin")
    return seen


def test_binary_copy_matches_postgres(keel, postgres):
    assert exercise(keel.dsn()) == exercise(postgres.dsn())
