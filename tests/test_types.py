"""Types through a driver in both wire formats: psycopg sends bytes and UUIDs as parameters
(binary), reads them back as text and as binary results, and finds rows by them; numerics and
arrays go through binary parameters and results and come back as PostgreSQL 15 gives them."""

import uuid
from decimal import Decimal

import psycopg


def test_bytea_and_uuid_round_trip(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table blobs (id uuid primary key, data bytea)")
        values = {uuid.uuid4(): bytes(range(256)) * (i + 1) for i in range(5)}
        values[uuid.UUID(int=0)] = b""
        for key, data in values.items():
            conn.execute("insert into blobs values (%s, %s)", (key, data))
        for binary in (False, True):
            rows = dict(conn.execute("select id, data from blobs", binary=binary).fetchall())
            assert rows == values
        key = next(iter(values))
        assert conn.execute("select length(data) from blobs where id = %s", (key,)).fetchone() == (
            len(values[key]),)
        generated = conn.execute("select gen_random_uuid()").fetchone()[0]
        assert isinstance(generated, uuid.UUID) and generated.version == 4


NUMERICS = ["0", "1", "-1", "0.001", "-0.0010", "123.456", "10000", "9999.9999",
            "12345678901234.5678", "0.00000001", "100000000", "-42.50", "1.000000"]


def binary_values(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor(binary=True)
        rows = [cur.execute("select %s::numeric, %s::numeric(20,4), (%s::numeric * 2)::text",
                            (Decimal(v),) * 3).fetchone() for v in NUMERICS]
        rows.append(cur.execute(
            "select 1.50::numeric(6,2), 0.000::numeric, -0.5, array[1.5, null, -2]::numeric[], "
            "array[[1, 2], [3, 4]], %s::text[], %s::int8[]",
            (["a", None, "b c"], [1, 2 ** 40])).fetchone())
        return rows


def test_numerics_and_arrays_in_binary_match_postgres(keel, postgres):
    assert binary_values(keel.dsn()) == binary_values(postgres.dsn())


def real_values(dsn):
    from psycopg.types.numeric import Float4

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = []
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            # Float4 goes out as a 4-byte float4 parameter (OID 700); results come back as
            # PostgreSQL's real in either format.
            rows.append(cur.execute(
                "select %s::real, %s, pg_typeof(%s)::text, array[%s::real, null, 'NaN'], "
                "%s * 3, %s + %s, '-Infinity'::real, 3.4e38::real",
                (1.1, Float4(2.5), Float4(0.1), Float4(0.1), Float4(1.1), Float4(1.1),
                 Float4(2.2))).fetchone())
        return rows


def test_real_in_both_formats_matches_postgres(keel, postgres):
    import math

    def comparable(value):
        # NaN never equals itself: compare its repr, also inside arrays.
        if isinstance(value, (list, tuple)):
            return [comparable(v) for v in value]
        return repr(value) if isinstance(value, float) and math.isnan(value) else value

    keel_rows = real_values(keel.dsn())
    assert comparable(keel_rows) == comparable(real_values(postgres.dsn()))
    assert keel_rows[1][2] == "real"
