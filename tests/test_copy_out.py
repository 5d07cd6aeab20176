"""COPY ... TO STDOUT through a driver: psycopg reads the CopyData stream (text and CSV), a
transaction's COPY sees its own uncommitted rows, and a large table comes out whole."""

import psycopg


def test_copy_out_with_psycopg(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table big (id int primary key, name text, note text)")
        with conn.cursor().copy("copy big from stdin") as copy:
            for i in range(20_000):
                copy.write_row((i, f"name {i}", None if i % 7 == 0 else f"tab\there {i}"))
        rows = []
        with conn.cursor().copy("copy big to stdout") as copy:
            for row in copy.rows():
                rows.append(row)
        assert len(rows) == 20_000
        by_id = {int(r[0]): r for r in rows}
        assert by_id[7] == ("7", "name 7", None)
        assert by_id[8] == ("8", "name 8", "tab\there 8")
        query = ("copy (select id, note from big where id < 3 order by id) "
                 "to stdout with (format csv, header)")
        with conn.cursor().copy(query) as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
        assert data == b'id,note\n0,\n1,tab\there 1\n2,tab\there 2\n'
    with psycopg.connect(keel.dsn()) as conn:
        conn.execute("insert into big values (-1, 'mine', 'uncommitted')")
        with conn.cursor().copy("copy (select note from big where id = -1) to stdout") as copy:
            assert [row for row in copy.rows()] == [("uncommitted",)]
        conn.rollback()
