"""asyncpg (binary protocol throughout, its own statement cache and type codecs) against Keel,
compared with PostgreSQL 15: executemany of every scalar type, fetch with parameters, prepared
statements, a transaction block, copy_records_to_table (binary COPY), arrays as parameters and
results (asyncpg learns array types from its introspection query over pg_type and
pg_attribute), and a constraint error's class and SQLSTATE."""

import asyncio
import datetime
import uuid
from decimal import Decimal

import pytest

asyncpg = pytest.importorskip("asyncpg")


async def exercise(port):
    seen = []
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="keel")
    try:
        await conn.execute("drop table if exists apg")
        await conn.execute("create table apg (id int primary key, name text, amount numeric(10,2), "
                           "at timestamptz, u uuid, j jsonb, b bytea, d date, iv interval, "
                           "f float8, flag bool, small smallint, big bigint)")
        at = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)
        await conn.executemany(
            "insert into apg values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            [(i, f"n{i}", Decimal(i) / 8, at + datetime.timedelta(minutes=i), uuid.UUID(int=i),
              '{"k": %d}' % i, bytes([i, 0]), datetime.date(2024, 1, i + 1),
              datetime.timedelta(days=i, seconds=5), i / 3, i % 2 == 0, -i, 2 ** 40 + i)
             for i in range(20)])
        seen.append([tuple(r) for r in await conn.fetch(
            "select * from apg where id >= $1 and name <> $2 order by id", 15, "n16")])
        statement = await conn.prepare("select name, amount, iv from apg where id = $1")
        seen.append([tuple(await statement.fetchrow(i)) for i in (2, 3)])
        async with conn.transaction():
            await conn.execute("update apg set amount = amount + 1 where id = 0")
        seen.append(await conn.fetchval("select amount from apg where id = 0"))
        try:
            async with conn.transaction():
                await conn.execute("update apg set amount = 99 where id = 1")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        seen.append(await conn.fetchval("select amount from apg where id = 1"))
        await conn.copy_records_to_table("apg", records=[
            (100 + i, "copied", Decimal("1.25"), at, uuid.UUID(int=100 + i), "{}", b"",
             datetime.date(2020, 1, 1), datetime.timedelta(0), 0.5, True, 1, 1)
            for i in range(500)])
        seen.append(await conn.fetchval("select count(*) from apg"))
        seen.append([tuple(r) for r in await conn.fetch(
            "select id, array[name, null], array[amount] from apg where id = any($1::int[]) "
            "order by id", [1, 3, 5])])
        seen.append(await conn.fetchval("select $1::text[] || $2::text", ["a", None], "b"))
        try:
            await conn.execute("insert into apg (id) values (1)")
        except asyncpg.UniqueViolationError as error:
            seen.append(error.sqlstate)
        try:
            await conn.fetch("select 1/0")
        except asyncpg.DivisionByZeroError as error:
            seen.append(error.sqlstate)
        # Records in binary (record_send: per field its type, length and bytes); numerics past
        # 28 digits, NaN and infinity through asyncpg's binary numeric codec.
        rows = await conn.fetch("select information_schema._pg_expandarray(array['a', null, 'c']) r")
        seen.append([tuple(row["r"]) for row in rows])
        seen.append([repr(v) for v in await conn.fetchrow(  # NaN never equals itself
            "select 2::numeric ^ 100, 'NaN'::numeric, '-Infinity'::numeric, 1e-40::numeric")])
        await conn.execute("drop table apg")
    finally:
        await conn.close()
    return seen


def test_asyncpg_matches_postgres(keel, postgres):
    assert asyncio.run(exercise(keel.port)) == asyncio.run(exercise(postgres.port))
