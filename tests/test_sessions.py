"""Sessions as the node sees them: pg_stat_activity (states, queries, application_name, a cached
prepared statement that reads it stays current), pg_backend_pid, pg_cancel_backend and
pg_terminate_backend with PostgreSQL 15's permission rules, idle_in_transaction_session_timeout,
and 1,000 connections held open with the memory each costs (target: under 200 KiB per idle
connection; PostgreSQL pays a process each, about 1.1 MiB PSS here).
"""

import asyncio
import resource
import socket
import struct
import threading
import time

import psycopg
import pytest
from psycopg import errors
from servers import eventually


def connect(node, **kwargs):
    return psycopg.connect(node.dsn(), autocommit=True, **kwargs)


def activity(conn):
    return {
        row[0]: row[1:]
        for row in conn.execute(
            "select pid, usename, application_name, state, query, xact_start is not null, client_addr "
            "from pg_stat_activity"
        ).fetchall()
    }


def test_pg_stat_activity_shows_every_session(keel):
    with connect(keel, application_name="watcher") as watcher, connect(keel, application_name="worker") as worker:
        me = watcher.execute("select pg_backend_pid()").fetchone()[0]
        other = worker.execute("select pg_backend_pid()").fetchone()[0]
        assert me != other
        seen = activity(watcher)
        assert seen[me][:3] == ("postgres", "watcher", "active")
        assert "pg_stat_activity" in seen[me][3]
        assert seen[other] == ("postgres", "worker", "idle", "select pg_backend_pid()", False, "127.0.0.1")
        worker.execute("begin")
        worker.execute("select 1")
        assert activity(watcher)[other][2:5] == ("idle in transaction", "select 1", True)
        with pytest.raises(errors.DivisionByZero):
            worker.execute("select 1/0")
        assert activity(watcher)[other][2] == "idle in transaction (aborted)"
        worker.execute("rollback")
        worker.execute("set application_name = 'renamed'")
        assert activity(watcher)[other][1:3] == ("renamed", "idle")
    # Gone once the node has seen them close (asynchronously, as a PostgreSQL backend's exit).
    with connect(keel) as conn:
        assert eventually(lambda: len(activity(conn)) == 1), activity(conn)


def test_a_cached_statement_reads_current_activity(keel):
    asyncpg = pytest.importorskip("asyncpg")

    async def run():
        conn = await asyncpg.connect(host="127.0.0.1", port=keel.port, user="postgres", database="keel")
        query = "select count(*) from pg_stat_activity"
        before = await conn.fetchval(query)
        others = [await asyncpg.connect(host="127.0.0.1", port=keel.port, user="postgres", database="keel")
                  for _ in range(3)]
        after = await conn.fetchval(query)  # the same cached prepared statement
        for other in others:
            await other.close()
        await conn.close()
        return before, after

    assert asyncio.run(run()) == (1, 4)


def test_cancel_and_terminate_other_sessions(keel):
    with connect(keel) as admin, connect(keel) as victim:
        victim_pid = victim.execute("select pg_backend_pid()").fetchone()[0]
        failure = {}

        def sleep():
            try:
                victim.execute("select pg_sleep(30)")
            except psycopg.Error as error:
                failure["error"] = error

        sleeper = threading.Thread(target=sleep)
        sleeper.start()
        deadline = time.time() + 10
        while activity(admin)[victim_pid][2] != "active" and time.time() < deadline:
            time.sleep(0.02)
        assert admin.execute("select pg_cancel_backend(%s)", (victim_pid,)).fetchone() == (True,)
        sleeper.join(timeout=10)
        assert isinstance(failure["error"], errors.QueryCanceled)
        # The session lives on.
        assert victim.execute("select 2").fetchone() == (2,)
        assert admin.execute("select pg_terminate_backend(%s)", (victim_pid,)).fetchone() == (True,)
        deadline = time.time() + 10
        while victim_pid in activity(admin) and time.time() < deadline:
            time.sleep(0.02)
        assert victim_pid not in activity(admin)
        with pytest.raises(psycopg.OperationalError):
            victim.execute("select 3")
        # No such session: false, as in PostgreSQL.
        assert admin.execute("select pg_cancel_backend(4242)").fetchone() == (False,)


def test_signal_permissions(keel):
    with connect(keel) as admin:
        admin.execute("create role sig_a login")
        admin.execute("create role sig_b login")
        admin_pid = admin.execute("select pg_backend_pid()").fetchone()[0]
        try:
            with psycopg.connect(f"{keel.dsn()} user=sig_a", autocommit=True) as a1, \
                    psycopg.connect(f"{keel.dsn()} user=sig_a", autocommit=True) as a2, \
                    psycopg.connect(f"{keel.dsn()} user=sig_b", autocommit=True) as b:
                a2_pid = a2.execute("select pg_backend_pid()").fetchone()[0]
                b_pid = b.execute("select pg_backend_pid()").fetchone()[0]
                with pytest.raises(errors.InsufficientPrivilege, match="must be a superuser to cancel superuser query"):
                    a1.execute("select pg_cancel_backend(%s)", (admin_pid,))
                with pytest.raises(errors.InsufficientPrivilege, match="member of the role whose process is being terminated"):
                    a1.execute("select pg_terminate_backend(%s)", (b_pid,))
                # A role's own other sessions are fair game.
                assert a1.execute("select pg_cancel_backend(%s)", (a2_pid,)).fetchone() == (True,)
                # Other roles' sessions show who they are, not what they do.
                seen = dict((row[0], row[1:]) for row in a1.execute(
                    "select pid, usename, state, query, client_addr from pg_stat_activity").fetchall())
                assert seen[admin_pid] == ("postgres", None, "<insufficient privilege>", None)
                assert seen[a2_pid][0:2] == ("sig_a", "idle") and seen[a2_pid][3] == "127.0.0.1"
        finally:
            admin.execute("drop role sig_a, sig_b")


def test_idle_in_transaction_session_timeout(keel):
    with connect(keel) as conn:
        conn.execute("set idle_in_transaction_session_timeout = '200ms'")
        # Idle outside a transaction: no timeout.
        time.sleep(0.4)
        assert conn.execute("select 1").fetchone() == (1,)
        conn.execute("begin")
        conn.execute("select 1")
        time.sleep(0.6)
        with pytest.raises(psycopg.OperationalError, match="idle-in-transaction timeout"):
            conn.execute("select 2")
    with connect(keel) as conn:
        assert len(activity(conn)) == 1


def startup_packet():
    body = struct.pack("!i", 196608) + b"user\0postgres\0database\0keel\0application_name\0holder\0\0"
    return struct.pack("!i", len(body) + 4) + body


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_thousand_idle_connections(keel_factory, record_property):
    # Room for the 1,000 and for the session that counts them.
    keel = keel_factory(extra=["--set", "wire.max_connections=1100"]).start()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    with connect(keel) as conn:
        conn.execute("select 1")
    before = rss_kib(keel.process.pid)
    sockets = []
    try:
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", keel.port), timeout=10)
            sock.sendall(startup_packet())
            sockets.append(sock)
        for sock in sockets:
            data = b""
            while b"Z\x00\x00\x00\x05I" not in data:
                chunk = sock.recv(4096)
                assert chunk, "connection closed during startup"
                data += chunk
        with connect(keel) as conn:
            held = conn.execute(
                "select count(*) from pg_stat_activity where application_name = 'holder' and state = 'idle'"
            ).fetchone()[0]
            assert held == 1000
            assert conn.execute("select 6 * 7").fetchone() == (42,)
        per_connection = (rss_kib(keel.process.pid) - before) / 1000
        record_property("kib_per_idle_connection", per_connection)
        print(f"memory per idle connection: {per_connection:.1f} KiB")
        assert per_connection < 200, f"{per_connection:.1f} KiB per idle connection"
    finally:
        for sock in sockets:
            sock.close()


def test_a_client_that_vanishes_mid_transaction_is_rolled_back(keel):
    with connect(keel) as conn:
        conn.execute("drop table if exists vanish")
        conn.execute("create table vanish (id int primary key, v int)")
        conn.execute("insert into vanish values (1, 1)")
        sock = socket.create_connection(("127.0.0.1", keel.port), timeout=5)
        body = struct.pack("!i", 196608) + b"user\0postgres\0database\0keel\0\0"
        sock.sendall(struct.pack("!i", len(body) + 4) + body)
        query = b"begin; update vanish set v = 2 where id = 1; insert into vanish values (2, 2);\0"
        sock.sendall(b"Q" + struct.pack("!i", len(query) + 4) + query)
        data = b""
        while b"Z\x00\x00\x00\x05T" not in data:
            chunk = sock.recv(4096)
            assert chunk
            data += chunk
        # Gone without a Terminate, the row lock still held.
        sock.close()
        conn.execute("set lock_timeout = '5s'")
        conn.execute("update vanish set v = v + 10 where id = 1")
        assert conn.execute("select id, v from vanish order by id").fetchall() == [(1, 11)]
        conn.execute("drop table vanish")


def test_client_sockets_have_keepalives(keel_factory):
    import subprocess

    node = keel_factory(extra=["--set", "wire.tcp_keepalives_idle=45", "--set", "wire.tcp_keepalives_interval=7",
                               "--set", "wire.tcp_keepalives_count=3"]).start()
    with connect(node) as conn:
        assert conn.execute("show tcp_keepalives_idle").fetchone() == ("45",)
        with pytest.raises(errors.CantChangeRuntimeParam):
            conn.execute("set tcp_keepalives_idle = 10")
        # ss shows the keepalive timer of the server's side of the connection once nothing is in
        # flight (a retransmission timer shows while data is unacknowledged).
        deadline = time.time() + 5
        while True:
            sockets = subprocess.run(["ss", "-tno", "state", "established", f"( sport = :{node.port} )"],
                                     capture_output=True, text=True, check=True).stdout
            if "timer:(keepalive," in sockets or time.time() > deadline:
                break
            time.sleep(0.1)
        assert "timer:(keepalive," in sockets, sockets


def test_role_settings_apply_when_a_session_starts(keel):
    """ALTER ROLE/DATABASE ... SET: a new session starts with the values (the role's for its
    database over the role's over the database's), the startup packet's options win over all,
    RESET returns to them, and sessions that were open keep theirs."""
    with psycopg.connect(keel.dsn(), autocommit=True) as admin:
        admin.execute("create schema app")
        admin.execute("alter role postgres set work_mem = '3MB'")
        admin.execute("alter role postgres set search_path = app, public")
        admin.execute("alter role postgres in database keel set statement_timeout = '7s'")
        admin.execute("alter role postgres in database postgres set statement_timeout = '9s'")
        # The database's defaults lie under the role's, ALTER ROLE ALL's under the database's.
        admin.execute("alter database keel set work_mem = '6MB'")
        admin.execute("alter database keel set lock_timeout = '4s'")
        admin.execute("alter role all set lock_timeout = '8s'")
        admin.execute("alter role all set idle_in_transaction_session_timeout = '5min'")
        assert admin.execute("show work_mem").fetchone() == ("4MB",)
        with psycopg.connect(keel.dsn(), autocommit=True) as conn:
            assert conn.execute("show work_mem").fetchone() == ("3MB",)
            assert conn.execute("show statement_timeout").fetchone() == ("7s",)
            assert conn.execute("show lock_timeout").fetchone() == ("4s",)
            assert conn.execute("show idle_in_transaction_session_timeout").fetchone() == ("5min",)
            assert conn.execute("select current_schema()").fetchone() == ("app",)
            conn.execute("create table placed (k int)")
            conn.execute("set work_mem = '1MB'")
            conn.execute("reset work_mem")
            assert conn.execute("show work_mem").fetchone() == ("3MB",)
        assert admin.execute(
            "select count(*) from pg_tables where schemaname = 'app' and tablename = 'placed'"
        ).fetchone() == (1,)
        with psycopg.connect(keel.dsn("postgres"), autocommit=True) as other:
            assert other.execute("show statement_timeout").fetchone() == ("9s",)
        with psycopg.connect(keel.dsn(), autocommit=True, options="-c work_mem=2MB") as conn:
            assert conn.execute("show work_mem").fetchone() == ("2MB",)
        admin.execute("alter role postgres reset all")
        admin.execute("alter role postgres in database keel reset all")
        admin.execute("alter role postgres in database postgres reset all")
        admin.execute("alter database keel reset all")
        with psycopg.connect(keel.dsn("postgres"), autocommit=True) as other:
            assert other.execute("show lock_timeout").fetchone() == ("8s",)
        admin.execute("alter role all reset all")
        with psycopg.connect(keel.dsn(), autocommit=True) as conn:
            assert conn.execute("show work_mem").fetchone() == ("4MB",)
            assert conn.execute("show statement_timeout").fetchone() == ("0",)
            assert conn.execute("show lock_timeout").fetchone() == ("0",)


@pytest.mark.parametrize("server", ["keel", "postgres"])
def test_a_blocked_session_shows_in_pg_locks_as_in_postgres(server, request):
    """A session waiting for a row another transaction updated: pg_locks shows its not-granted
    ShareLock on the other transaction's id (held ExclusiveLock), pg_blocking_pids names the
    holder, pg_stat_activity says it waits on a Lock; the same on Keel and on PostgreSQL."""
    node = request.getfixturevalue(server)
    with psycopg.connect(node.dsn(), autocommit=True) as admin:
        admin.execute("drop table if exists lk_t")
        admin.execute("create table lk_t (id int primary key, v int)")
        admin.execute("insert into lk_t values (1, 0)")
        holder = psycopg.connect(node.dsn())
        waiter = psycopg.connect(node.dsn(), autocommit=True)
        try:
            holder_pid = holder.execute("select pg_backend_pid()").fetchone()[0]
            waiter_pid = waiter.execute("select pg_backend_pid()").fetchone()[0]
            holder.execute("update lk_t set v = 1 where id = 1")
            blocked = threading.Thread(target=lambda: waiter.execute("update lk_t set v = 2 where id = 1"))
            blocked.start()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                event = admin.execute(
                    "select wait_event_type, wait_event from pg_stat_activity where pid = %s", (waiter_pid,)
                ).fetchone()
                if event == ("Lock", "transactionid"):
                    break
                time.sleep(0.05)
            assert event == ("Lock", "transactionid")
            assert admin.execute("select pg_blocking_pids(%s)", (waiter_pid,)).fetchone() == ([holder_pid],)
            assert admin.execute("select pg_blocking_pids(%s)", (holder_pid,)).fetchone() == ([],)
            assert admin.execute(
                "select locktype, mode, granted from pg_locks where pid = %s and not granted", (waiter_pid,)
            ).fetchall() == [("transactionid", "ShareLock", False)]
            # What it waits for is the holder's own transaction id.
            assert admin.execute(
                """select count(*) from pg_locks w join pg_locks h
                     on h.locktype = 'transactionid' and h.transactionid = w.transactionid and h.granted
                   where not w.granted and w.pid = %s and h.pid = %s and h.mode = 'ExclusiveLock'""",
                (waiter_pid, holder_pid),
            ).fetchone() == (1,)
            assert admin.execute(
                "select count(*) from pg_locks where pid = %s and locktype = 'virtualxid' and granted", (holder_pid,)
            ).fetchone() == (1,)
            holder.commit()
            blocked.join(timeout=10)
            assert not blocked.is_alive()
            assert admin.execute("select count(*) from pg_locks where not granted").fetchone() == (0,)
            assert admin.execute("select v from lk_t").fetchone() == (2,)
        finally:
            holder.close()
            waiter.close()


def test_pg_file_settings_lists_the_config_file_as_it_reads_now(keel_factory, tmp_path):
    """pg_file_settings: the --config file's `section.key` lines with their line numbers, re-read
    at each query; applied only where the node runs with that value (a flag overrode
    node.idle_poll_us; a value edited after the start needs a restart, as in PostgreSQL), and
    superusers' only."""
    config = tmp_path / "node.toml"
    config.write_text("# tuned\n[node]\nidle_poll_us = 100\n\n[storage]\ndeadlock_timeout_ms = 500\n")
    node = keel_factory(extra=["--config", str(config), "--set", "node.idle_poll_us=50"]).start()
    query = "select sourcefile, sourceline, seqno, name, setting, applied, error from pg_file_settings order by seqno"
    with connect(node) as conn:
        assert conn.execute(query).fetchall() == [
            (str(config), 3, 1, "node.idle_poll_us", "100", False, "setting could not be applied"),
            (str(config), 6, 2, "storage.deadlock_timeout_ms", "500", True, None),
        ]
        config.write_text("[storage]\ndeadlock_timeout_ms = 700\nno_such_key = 1\n")
        assert conn.execute("select sourceline, name, setting, applied, error from pg_file_settings").fetchall() == [
            (2, "storage.deadlock_timeout_ms", "700", False, "setting could not be applied"),
            (3, "storage.no_such_key", "1", False, "unrecognized configuration parameter"),
        ]
        conn.execute("drop role if exists fs_reader")
        conn.execute("create role fs_reader login")
    with psycopg.connect(node.dsn().replace("user=postgres", "user=fs_reader"), autocommit=True) as conn:
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied for view pg_file_settings"):
            conn.execute("select * from pg_file_settings")
