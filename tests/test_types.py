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


# Past rust_decimal's 28 digits, NaN and the infinities, both ways in both formats.
BIG_NUMERICS = ["1e100", "-123456789012345678901234567890.123456789012345678901234567890",
                "1e-60", "NaN", "Infinity", "-Infinity", "79228162514264337593543950336",
                "0.0000000000000000000000000000001", "-0.000"]


def big_numeric_values(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = []
        for binary, mark in ((False, "%t"), (True, "%b")):
            cur = conn.cursor(binary=binary)
            for v in BIG_NUMERICS:
                rows.append(cur.execute(
                    f"select {mark}::numeric, {mark}::numeric * 3, ({mark}::numeric)::text",
                    (Decimal(v),) * 3).fetchone())
            rows.append(cur.execute(
                f"select {mark}::numeric(1000,70), 2::numeric ^ 300, "
                "sqrt(2::numeric(1000,200)), 1 / 7::numeric(100,60), exp(10::numeric), "
                "ln(1e100), (select sum(x) from (values (1e40), (1e-40)) v(x))",
                (Decimal("1e-65"),)).fetchone())
        # Decimal("NaN") never equals itself: compare the reprs.
        return [[repr(x) for x in row] for row in rows]


def test_big_numerics_and_special_values_match_postgres(keel, postgres):
    keel_rows = big_numeric_values(keel.dsn())
    assert keel_rows == big_numeric_values(postgres.dsn())
    assert "Decimal('1E+100')" in keel_rows[0][0] or keel_rows[0][0].startswith("Decimal('1")


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


def zoned_values(dsn):
    """timestamptz through a driver in a session zone: the startup packet's TimeZone, text and
    binary parameters and results, arrays, COPY out, and a SET that changes the zone."""
    import datetime
    from zoneinfo import ZoneInfo

    rows = []
    with psycopg.connect(dsn, autocommit=True, options="-c TimeZone=America/New_York") as conn:
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            rows.append(cur.execute(
                "select %s::timestamptz, %s::text::timestamptz, %s::timestamptz + interval '1 day', "
                "%s::timestamptz[], '2024-07-01 12:00+00'::timestamptz::date",
                ("2024-03-09 23:30", "2024-11-03 01:30",
                 datetime.datetime(2024, 3, 9, 12, tzinfo=ZoneInfo("America/New_York")),
                 ["2024-07-01 12:00", None])).fetchone())
        conn.execute("set time zone 'Asia/Kolkata'")
        rows.append(conn.execute("select '2024-07-01 12:00'::timestamptz, %s::timestamptz",
                                 ("2024-07-01 12:00",)).fetchone())
        with conn.cursor().copy(
                "copy (select '2024-07-01 12:00+00'::timestamptz as at) to stdout") as copy:
            rows.append([bytes(block) for block in copy])
    return [[repr(x) for x in row] for row in rows]


def test_timestamptz_in_a_session_zone_matches_postgres(keel, postgres):
    assert zoned_values(keel.dsn()) == zoned_values(postgres.dsn())


def enum_values(dsn):
    """An enum type through psycopg: text and binary results, typed and untyped parameters,
    ordering, and a label added in a transaction that rolls back."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists ticket")
        conn.execute("drop type if exists state")
        conn.execute("create type state as enum ('new', 'open', 'done')")
        conn.execute("create table ticket (id int primary key, st state not null default 'new')")
        with conn.cursor() as cur:
            cur.executemany("insert into ticket values (%s, %s)",
                            [(1, "open"), (2, "done"), (3, "new")])
        conn.execute("insert into ticket (id) values (4)")
        rows = []
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            rows.append(cur.execute("select id, st, st::text as label from ticket order by st, id").fetchall())
            rows.append(cur.execute("select id from ticket where st = %s order by id", ("new",)).fetchall())
            rows.append(cur.execute("select id from ticket where st > %s::state order by id", ("new",)).fetchall())
        # A label added in a transaction is not for use before it commits.
        try:
            with conn.transaction():
                conn.execute("alter type state add value 'blocked' before 'done'")
                conn.execute("update ticket set st = 'blocked' where id = 2")
        except psycopg.errors.UnsafeNewEnumValueUsage as error:
            rows.append(str(error).splitlines()[0])
        try:
            conn.execute("select 'blocked'::state")
            rows.append("blocked is a label")
        except psycopg.errors.InvalidTextRepresentation as error:
            rows.append(str(error).splitlines()[0])
        conn.execute("alter type state add value 'blocked' before 'done'")
        conn.execute("update ticket set st = 'blocked' where id = 2")
        rows.append(conn.execute("select id, st from ticket order by st, id").fetchall())
        rows.append(conn.execute(
            "select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid "
            "where t.typname = 'state' order by e.enumsortorder").fetchall())
        return rows


def test_enum_types_match_postgres(keel, postgres):
    assert enum_values(keel.dsn()) == enum_values(postgres.dsn())


def test_enum_types_survive_a_restart(keel_factory):
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create type size as enum ('s', 'm', 'l')")
        conn.execute("alter type size add value 'xs' before 's'")
        conn.execute("create table shirt (id int primary key, sz size)")
        conn.execute("insert into shirt values (1, 'l'), (2, 'xs'), (3, 'm')")
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select id, sz from shirt order by sz").fetchall() == [
            (2, "xs"), (3, "m"), (1, "l")]
        conn.execute("insert into shirt values (4, 's')")
        assert conn.execute("select min(sz)::text, max(sz)::text from shirt").fetchone() == ("xs", "l")
    node.stop()


def composite_values(dsn):
    """A composite type through psycopg as an application uses one: the driver reads the type's
    fields from the catalogs (`CompositeInfo.fetch`), then values come back as Python objects in
    text and binary results, and go in as typed parameters in both formats."""
    from psycopg.types.composite import CompositeInfo, register_composite

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists parcel")
        conn.execute("drop type if exists address")
        conn.execute("create type address as (street text, zip varchar(10), floor int, geo numeric(9,6)[])")
        conn.execute("create table parcel (id int primary key, dest address, stops address[])")
        info = CompositeInfo.fetch(conn, "address")
        register_composite(info, conn)
        address = info.python_type
        rows = [info.field_names, [str(t) for t in info.field_types]]
        conn.execute("insert into parcel values (1, row('1 Main St', '02139', 3, '{42.36,-71.09}'), "
                     "array[row('a \"quoted\", street', null, null, null)::address])")
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("insert into parcel values (%s, %s, %s)",
                        (2 + binary, address("Elm (rear)", None, -1, [Decimal("0.5")]), None))
            got = cur.execute("select id, dest, stops, (dest).floor from parcel order by id").fetchall()
            rows.append([(i, tuple(d) if d else d, [tuple(s) for s in st] if st else st, f)
                         for i, d, st, f in got])
        return rows


def test_composite_types_match_postgres(keel, postgres):
    assert composite_values(keel.dsn()) == composite_values(postgres.dsn())


def test_composite_types_survive_a_restart(keel_factory):
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create type dims as (w int, h int)")
        conn.execute("create type box as (name text, size dims)")
        conn.execute("create table crate (id int primary key, b box, extra dims[])")
        conn.execute("create index crate_b on crate (b)")
        conn.execute("insert into crate values (1, row('a', row(2, 3)), '{\"(1,1)\"}'), "
                     "(2, row('b', null), null)")
        conn.execute("alter type dims rename attribute h to height")
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select id, b::text, ((b).size).height, extra::text from crate "
                            "order by id").fetchall() == [
            (1, "(a,\"(2,3)\")", 3, '{"(1,1)"}'), (2, "(b,)", None, None)]
        assert conn.execute("select id from crate where b = row('a', row(2, 3))::box").fetchall() == [(1,)]
        conn.execute("insert into crate values (3, '(c,\"(4,5)\")', null)")
        assert conn.execute("select max(((b).size).w) from crate").fetchone() == (4,)
    node.stop()


def test_gin_indexes_survive_a_restart(keel_factory):
    """A GIN index's definition and entries outlive a kill -9, and keep serving reads and
    writes after it."""
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table docs (id int primary key, body jsonb, tags text[])")
        conn.execute("create index docs_body on docs using gin (body)")
        conn.execute("create index docs_tags on docs using gin (tags)")
        conn.execute("insert into docs select g, jsonb_build_object('n', g % 10, 'k', 'v' || g), "
                     "array['t' || (g % 3)] from generate_series(1, 500) g")
        conn.execute("update docs set body = '{\"n\": 42}' where id = 7")
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        plan = "\n".join(r[0] for r in conn.execute(
            "explain (costs off) select id from docs where body @> '{\"n\": 3}'"))
        assert "Bitmap Index Scan on docs_body" in plan
        assert conn.execute("select count(*) from docs where body @> '{\"n\": 3}'").fetchone() == (50,)
        assert conn.execute("select id from docs where body @> '{\"n\": 42}'").fetchall() == [(7,)]
        assert conn.execute("select count(*) from docs where tags && array['t1']").fetchone() == (167,)
        conn.execute("delete from docs where body ? 'k' and id > 250")
        assert conn.execute("select count(*) from docs where body @> '{\"n\": 3}'").fetchone() == (25,)
        assert conn.execute("select count(*) from docs where tags @> array['t1']").fetchone() == (84,)
    node.stop()


def precise_values(dsn):
    """timestamp(p), time(p) and numeric(p,s) columns through psycopg in both formats: values
    rounded on the way in (binary parameters too) and the type modifiers a client reads from
    RowDescription (plain for expressions over the columns)."""
    import datetime
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists precise")
        conn.execute("create table precise (a timestamp(0), b numeric(5,2), t time(2), z timestamptz(3))")
        out = []
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("insert into precise values (%s, %s, %s, %s) returning a, t, z",
                        (datetime.datetime(2024, 1, 1, 0, 0, 0, 600000), Decimal("1.235"),
                         datetime.time(1, 2, 3, 456789),
                         datetime.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=datetime.timezone.utc)))
            out.append(cur.fetchall())
            cur.execute("select a, b, t, z, a + interval '1 s' from precise order by b")
            out.append([(d.name, d.type_code, d.precision, d.scale) for d in cur.description])
            out.append(cur.fetchall())
        conn.execute("drop table precise")
        return out


def test_time_precision_and_type_modifiers_match_postgres(keel, postgres):
    assert precise_values(keel.dsn()) == precise_values(postgres.dsn())
