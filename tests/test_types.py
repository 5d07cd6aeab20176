"""Types through a driver in both wire formats: psycopg sends bytes and UUIDs as parameters
(binary), reads them back as text and as binary results, and finds rows by them."""

import uuid

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
