"""Client authentication: roles made with CREATE ROLE, a pg_hba-style rule file (`wire.hba_file`),
SCRAM-SHA-256, md5 and cleartext password exchanges, driven by real clients with their own SCRAM
implementations (libpq through psql and psycopg, asyncpg's pure-Python one), and raw sockets for
protocol violations.

- right password: in; wrong password: 28P01 "password authentication failed", with the same words
  for a role that does not exist (nothing tells which roles exist);
- no matching rule or a `reject` rule: 28000; a role without LOGIN: 28000; an expired VALID UNTIL:
  28P01; a role's CONNECTION LIMIT: 53300 for the one too many;
- the stored secret is SCRAM's (or md5's), and the password itself is nowhere in the data directory;
- a SASL mechanism other than SCRAM-SHA-256, or a malformed SCRAM message: 08P01.
"""

import asyncio
import os
import re
import socket
import struct
import subprocess
from pathlib import Path

import psycopg
import pytest

PASSWORD = "Plain-Secret-123"
NINE = "\u2168\u00a0ninety"

RULES = """\
host all alice   127.0.0.1/32 scram-sha-256
host all bob     127.0.0.1/32 md5
host all bobs    127.0.0.1/32 md5
host all carol   127.0.0.1/32 password
host all mallory 127.0.0.1/32 reject
host all ghost   127.0.0.1/32 scram-sha-256
host all limited 127.0.0.1/32 scram-sha-256
host all expired 127.0.0.1/32 scram-sha-256
host all nologin 127.0.0.1/32 scram-sha-256
host all nina    127.0.0.1/32 scram-sha-256
host all ninap   127.0.0.1/32 password
host keel all    127.0.0.1/32 trust
"""


@pytest.fixture
def node(keel_factory, tmp_path):
    rules = tmp_path / "hba.conf"
    rules.write_text(RULES)
    node = keel_factory(extra=["--set", f"wire.hba_file={rules}"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute(f"create role alice login password '{PASSWORD}'")
        conn.execute("set password_encryption = 'md5'")
        conn.execute("create role bob login password 'bob-pw'")
        conn.execute("reset password_encryption")
        # md5 rule, SCRAM secret: the exchange is SCRAM's, as in PostgreSQL.
        conn.execute("create role bobs login password 'bobs-pw'")
        conn.execute("create role carol login password 'carol-pw'")
        conn.execute("create role mallory login password 'x'")
        conn.execute("create role limited login password 'lim' connection limit 1")
        conn.execute("create role expired login password 'old' valid until '2001-01-01'")
        conn.execute("create role nologin password 'np'")
        # Non-ASCII passwords: SASLprep makes U+2168 (ROMAN NUMERAL NINE) "IX" and U+00A0 a space.
        conn.execute(f"create role nina login password '{NINE}'")
        conn.execute(f"create role ninap login password '{NINE}'")
    return node


def psql(node, user, password, database="keel", sql="select current_user"):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="5")
    return subprocess.run(
        ["psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(node.port), "-U", user, "-c", sql, database],
        capture_output=True, text=True, env=env, timeout=30,
    )


def connect(node, user, password, database="keel"):
    return psycopg.connect(host="127.0.0.1", port=node.port, user=user, password=password,
                           dbname=database, autocommit=True, connect_timeout=5)


def sqlstate_of(error):
    return error.value.sqlstate if hasattr(error.value, "sqlstate") else None


def test_each_method_admits_the_right_password_only(node):
    for user, password in [("alice", PASSWORD), ("bob", "bob-pw"), ("bobs", "bobs-pw"), ("carol", "carol-pw")]:
        result = psql(node, user, password)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == user
        with connect(node, user, password) as conn:
            assert conn.execute("select current_user, current_setting('is_superuser')").fetchone() == (user, "off")
        result = psql(node, user, password + "x")
        assert result.returncode != 0
        assert f'password authentication failed for user "{user}"' in result.stderr
    # psycopg surfaces the SQLSTATE: 28P01.
    with pytest.raises(psycopg.OperationalError) as error:
        connect(node, "alice", "wrong")
    assert 'password authentication failed for user "alice"' in str(error.value)


def test_non_ascii_passwords_are_saslprepped_as_libpq_does(node):
    # libpq SASLpreps the password before SCRAM; the secret Keel stored must come from the same
    # normalized form, so the password as typed and its normalized spelling both work.
    for password in [NINE, "IX ninety"]:
        for user in ["nina", "ninap"]:
            result = psql(node, user, password)
            assert result.returncode == 0, (user, password, result.stderr)
            assert result.stdout.strip() == user
    for user in ["nina", "ninap"]:
        assert 'password authentication failed' in psql(node, user, "ix ninety").stderr


def test_unknown_roles_fail_like_wrong_passwords(node):
    unknown = psql(node, "ghost", "anything")
    wrong = psql(node, "alice", "anything")
    assert unknown.returncode != 0 and wrong.returncode != 0
    assert unknown.stderr.replace('"ghost"', "U") == wrong.stderr.replace('"alice"', "U")
    # Under trust there is no password to prove, and the role's absence is said.
    trusted = psql(node, "dave", "", database="keel")
    assert 'role "dave" does not exist' in trusted.stderr


def test_rules_and_role_attributes_refuse(node):
    rejected = psql(node, "mallory", "x")
    assert 'pg_hba.conf rejects connection for host "127.0.0.1", user "mallory", database "keel", no encryption' in rejected.stderr
    # dave has no rule for database "postgres".
    unmatched = psql(node, "dave", "", database="postgres")
    assert 'no pg_hba.conf entry for host "127.0.0.1", user "dave", database "postgres", no encryption' in unmatched.stderr
    assert 'role "nologin" is not permitted to log in' in psql(node, "nologin", "np").stderr
    assert 'password authentication failed for user "expired"' in psql(node, "expired", "old").stderr
    with connect(node, "limited", "lim") as first:
        with pytest.raises(psycopg.OperationalError, match='too many connections for role "limited"'):
            connect(node, "limited", "lim")
        assert first.execute("select 1").fetchone() == (1,)
    # The slot is free again once the first one left.
    with connect(node, "limited", "lim") as again:
        assert again.execute("select current_user").fetchone() == ("limited",)
        # Only a superuser who connected may become another session user; itself it may.
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="permission denied to set session authorization"):
            again.execute("set session authorization postgres")
        again.rollback()
        again.execute("set session authorization limited")
        assert again.execute("select session_user, current_user").fetchone() == ("limited", "limited")


def test_password_changes_take_effect_and_secrets_are_stored(node):
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        secret = conn.execute("select rolpassword from pg_authid where rolname = 'alice'").fetchone()[0]
        assert secret.startswith("SCRAM-SHA-256$4096:")
        assert PASSWORD not in secret
        md5 = conn.execute("select rolpassword from pg_authid where rolname = 'bob'").fetchone()[0]
        assert md5.startswith("md5") and len(md5) == 35
        conn.execute("alter role alice password 'second-one'")
    assert psql(node, "alice", PASSWORD).returncode != 0
    assert psql(node, "alice", "second-one").stdout.strip() == "alice"
    # A role changes its own password; not its attributes.
    with connect(node, "alice", "second-one") as conn:
        conn.execute("alter role alice password 'third'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("alter role alice createdb")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from pg_authid")
    assert psql(node, "alice", "third").stdout.strip() == "alice"
    # Restarted, the roles and secrets are still there, and the plain password is nowhere on disk.
    node.stop()
    for root, _, files in os.walk(node.data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            for plain in (PASSWORD.encode(), b"second-one", b"carol-pw"):
                assert plain not in data, f"{plain!r} found in {name}"
    node.start()
    assert psql(node, "alice", "third").stdout.strip() == "alice"
    assert psql(node, "carol", "carol-pw").stdout.strip() == "carol"


def test_asyncpg_scram_and_md5(node):
    asyncpg = pytest.importorskip("asyncpg")

    async def run():
        seen = []
        for user, password in [("alice", PASSWORD), ("bob", "bob-pw"), ("carol", "carol-pw")]:
            conn = await asyncpg.connect(host="127.0.0.1", port=node.port, user=user,
                                         password=password, database="keel")
            seen.append(await conn.fetchval("select current_user"))
            await conn.close()
        try:
            await asyncpg.connect(host="127.0.0.1", port=node.port, user="alice",
                                  password="nope", database="keel")
        except asyncpg.InvalidPasswordError as error:
            seen.append(error.sqlstate)
        return seen

    assert asyncio.run(run()) == ["alice", "bob", "carol", "28P01"]


def message(tag, body):
    return tag + struct.pack("!i", len(body) + 4) + body


def startup(node, user):
    sock = socket.create_connection(("127.0.0.1", node.port), timeout=5)
    body = struct.pack("!i", 196608) + f"user\0{user}\0database\0keel\0\0".encode()
    sock.sendall(struct.pack("!i", len(body) + 4) + body)
    return sock


def read_message(sock):
    header = b""
    while len(header) < 5:
        chunk = sock.recv(5 - len(header))
        if not chunk:
            return None, b""
        header += chunk
    length = struct.unpack("!i", header[1:5])[0] - 4
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return header[:1], body


def error_code(body):
    fields = dict((f[:1], f[1:]) for f in body.split(b"\0") if f)
    return fields[b"C"].decode(), fields[b"M"].decode()


def test_sasl_protocol_violations(node):
    # A mechanism Keel did not offer.
    with startup(node, "alice") as sock:
        tag, body = read_message(sock)
        assert tag == b"R" and struct.unpack("!i", body[:4])[0] == 10 and b"SCRAM-SHA-256" in body
        sock.sendall(message(b"p", b"PLAIN\0" + struct.pack("!i", 3) + b"abc"))
        tag, body = read_message(sock)
        assert tag == b"E" and error_code(body)[0] == "08P01"
    # A client-first-message without a nonce.
    with startup(node, "alice") as sock:
        read_message(sock)
        first = b"n,,n=,x=1"
        sock.sendall(message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
        tag, body = read_message(sock)
        assert tag == b"E" and error_code(body) == ("08P01", 'malformed SCRAM message: expected attribute "r"')
    # A query instead of a password.
    with startup(node, "alice") as sock:
        read_message(sock)
        sock.sendall(message(b"Q", b"select 1\0"))
        tag, body = read_message(sock)
        assert tag == b"E" and error_code(body)[0] == "08P01"
    # The node still serves.
    assert psql(node, "alice", PASSWORD).stdout.strip() == "alice"


# --- TLS -------------------------------------------------------------------------------------------

def make_certificates(directory):
    """A development CA and a server certificate for localhost and 127.0.0.1 signed by it (the
    README's commands), plus a second CA that signed nothing here."""
    run = lambda *args: subprocess.run(args, cwd=directory, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=keel-test-ca",
        "-keyout", "ca.key", "-out", "ca.crt")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")
    (directory / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "30", "-extfile", "san.ext", "-out", "server.crt")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=other-ca",
        "-keyout", "other.key", "-out", "other.crt")
    return directory


@pytest.fixture
def tls_node(keel_factory, tmp_path):
    certs = make_certificates(tmp_path)
    rules = tmp_path / "hba.conf"
    rules.write_text(
        "hostssl all secure 127.0.0.1/32 scram-sha-256\n"
        "hostnossl all plainonly 127.0.0.1/32 trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
    )
    node = keel_factory(extra=[
        "--set", f"wire.hba_file={rules}",
        "--set", f"wire.tls_cert_file={certs / 'server.crt'}",
        "--set", f"wire.tls_key_file={certs / 'server.key'}",
    ]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create role secure login password 'tls-pw'")
        conn.execute("create role plainonly login")
    node.certs = certs
    return node


def test_tls_require_and_verify_full(tls_node):
    node, certs = tls_node, tls_node.certs
    with psycopg.connect(f"host=127.0.0.1 port={node.port} user=postgres dbname=keel sslmode=require",
                         autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("select 40 + 2").fetchone() == (42,)
    for host in ("localhost", "127.0.0.1"):
        dsn = (f"host={host} port={node.port} user=secure password=tls-pw dbname=keel "
               f"sslmode=verify-full sslrootcert={certs / 'ca.crt'}")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.pgconn.ssl_in_use
            assert conn.execute("select current_user").fetchone() == ("secure",)
    # A client that trusts another CA refuses the server's certificate.
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(f"host=localhost port={node.port} user=postgres dbname=keel "
                        f"sslmode=verify-full sslrootcert={certs / 'other.crt'}")
    # psql over TLS, and plain connections still work where the rules allow them.
    result = subprocess.run(
        ["psql", "-X", "-At", f"host=localhost port={node.port} user=postgres dbname=keel sslmode=verify-full "
         f"sslrootcert={certs / 'ca.crt'}", "-c", "select 'over tls'"],
        capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "over tls", result.stderr
    with psycopg.connect(f"host=127.0.0.1 port={node.port} user=plainonly dbname=keel sslmode=disable",
                         autocommit=True) as conn:
        assert not conn.pgconn.ssl_in_use


def test_pg_stat_ssl_shows_each_sessions_tls(tls_node, postgres):
    # system.rs pg_stat_ssl: the negotiated protocol and cipher by OpenSSL's names (libpq reports
    # the same ones), a plain session's row says ssl = false; PostgreSQL's columns and types.
    node = tls_node
    with psycopg.connect(f"host=127.0.0.1 port={node.port} user=postgres dbname=keel sslmode=require",
                         autocommit=True) as tls, \
            psycopg.connect(f"host=127.0.0.1 port={node.port} user=plainonly dbname=keel sslmode=disable",
                            autocommit=True) as plain, \
            psycopg.connect(postgres.dsn(), autocommit=True) as pconn:
        def columns(conn):
            return [(c.name, c.type_code) for c in conn.execute("select * from pg_stat_ssl").description]
        assert columns(tls) == columns(pconn)
        mine = tls.execute("select ssl, version, cipher, bits, client_dn, client_serial, issuer_dn "
                           "from pg_stat_ssl where pid = pg_backend_pid()").fetchone()
        assert mine[0] is True and mine[4:] == (None, None, None), mine
        # What libpq (OpenSSL) says it negotiated, from psql's \conninfo.
        result = subprocess.run(
            ["psql", "-X", "-At", f"host=127.0.0.1 port={node.port} user=postgres dbname=keel sslmode=require",
             "-c", "\\conninfo", "-c", "select version || ' ' || cipher || ' ' || bits from pg_stat_ssl "
             "where pid = pg_backend_pid()"],
            capture_output=True, text=True, timeout=30)
        said = re.search(r"SSL connection \(protocol: (\S+), cipher: (\S+),", result.stdout)
        assert said, result.stdout + result.stderr
        bits = {"TLS_AES_128_GCM_SHA256": 128}.get(said.group(2), 256)
        assert result.stdout.strip().splitlines()[-1] == f"{said.group(1)} {said.group(2)} {bits}", result.stdout
        plain_pid = plain.execute("select pg_backend_pid()").fetchone()[0]
        assert tls.execute("select ssl, version from pg_stat_ssl where pid = %s", (plain_pid,)).fetchone() == (False, None)
        # Another role's session shows only its pid to a non-superuser.
        assert plain.execute("select ssl from pg_stat_ssl where pid = %s", (tls.info.backend_pid,)).fetchone() == (None,)
        assert plain.execute("select ssl from pg_stat_ssl where pid = pg_backend_pid()").fetchone() == (False,)


def test_hostssl_rules_need_tls(tls_node):
    node = tls_node
    with pytest.raises(psycopg.OperationalError,
                       match='no pg_hba.conf entry for host "127.0.0.1", user "secure", database "keel", no encryption'):
        psycopg.connect(f"host=127.0.0.1 port={node.port} user=secure password=tls-pw dbname=keel sslmode=disable")
    with pytest.raises(psycopg.OperationalError,
                       match='no pg_hba.conf entry for host "127.0.0.1", user "plainonly", database "keel", SSL encryption'):
        psycopg.connect(f"host=127.0.0.1 port={node.port} user=plainonly dbname=keel sslmode=require")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(f"host=127.0.0.1 port={node.port} user=secure password=nope dbname=keel sslmode=require")


def test_asyncpg_over_tls(tls_node):
    asyncpg = pytest.importorskip("asyncpg")
    import ssl

    context = ssl.create_default_context(cafile=str(tls_node.certs / "ca.crt"))

    async def run():
        conn = await asyncpg.connect(host="localhost", port=tls_node.port, user="secure", password="tls-pw",
                                     database="keel", ssl=context)
        try:
            return await conn.fetchval("select current_user")
        finally:
            await conn.close()

    assert asyncio.run(run()) == "secure"


def test_unencrypted_bytes_after_the_ssl_request_are_refused(tls_node):
    with socket.create_connection(("127.0.0.1", tls_node.port), timeout=5) as sock:
        # SSLRequest and, in the same segment, a startup packet that must not be read as if encrypted.
        body = struct.pack("!i", 196608) + b"user\0postgres\0database\0keel\0\0"
        sock.sendall(struct.pack("!ii", 8, 80877103) + struct.pack("!i", len(body) + 4) + body)
        tag, body = read_message(sock)
        assert tag == b"E" and error_code(body) == ("08P01", "received unencrypted data after SSL request")


def test_require_against_a_node_without_tls(node):
    with pytest.raises(psycopg.OperationalError, match="server does not support SSL"):
        psycopg.connect(f"host=127.0.0.1 port={node.port} user=postgres dbname=keel sslmode=require")


def test_scram_channel_binding(tls_node, keel_factory, tmp_path):
    node, certs = tls_node, tls_node.certs
    dsn = (f"host=localhost port={node.port} user=secure dbname=keel sslmode=verify-full "
           f"sslrootcert={certs / 'ca.crt'} channel_binding=require")
    # libpq picks SCRAM-SHA-256-PLUS and checks the binding to the certificate it saw.
    with psycopg.connect(dsn + " password=tls-pw", autocommit=True) as conn:
        assert conn.execute("select current_user").fetchone() == ("secure",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(dsn + " password=wrong")
    # Without TLS there is nothing to bind to: libpq refuses by itself.
    with pytest.raises(psycopg.OperationalError, match="channel binding required"):
        psycopg.connect(f"host=127.0.0.1 port={node.port} user=postgres dbname=keel sslmode=disable "
                        "channel_binding=require")
    # A certificate signed with SHA-384 binds with a SHA-384 hash (RFC 5929).
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384",
                    "-nodes", "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", "ec.key", "-out", "ec.crt"],
                   cwd=tmp_path, check=True, capture_output=True)
    rules = tmp_path / "hba-ec.conf"
    rules.write_text("host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
    ec = keel_factory(extra=["--set", f"wire.tls_cert_file={tmp_path / 'ec.crt'}",
                             "--set", f"wire.tls_key_file={tmp_path / 'ec.key'}",
                             "--set", f"wire.hba_file={rules}"]).start()
    with psycopg.connect(ec.dsn(), autocommit=True) as conn:
        conn.execute("create role bound login password 'p384-pw'")
    with psycopg.connect(f"host=localhost port={ec.port} user=bound password=p384-pw dbname=keel "
                         f"sslmode=verify-full sslrootcert={tmp_path / 'ec.crt'} channel_binding=require",
                         autocommit=True) as conn:
        assert conn.execute("select current_user").fetchone() == ("bound",)


def test_channel_binding_downgrade_is_refused(tls_node):
    import ssl

    context = ssl.create_default_context(cafile=str(tls_node.certs / "ca.crt"))
    raw = socket.create_connection(("127.0.0.1", tls_node.port), timeout=5)
    raw.sendall(struct.pack("!ii", 8, 80877103))
    assert raw.recv(1) == b"S"
    with context.wrap_socket(raw, server_hostname="localhost") as sock:
        body = struct.pack("!i", 196608) + b"user\0secure\0database\0keel\0\0"
        sock.sendall(struct.pack("!i", len(body) + 4) + body)
        tag, body = read_message(sock)
        assert tag == b"R" and b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0" in body
        # "y": the client could bind but believes the server cannot, though it offered PLUS.
        first = b"y,,n=,r=abcdef"
        sock.sendall(message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
        tag, body = read_message(sock)
        assert tag == b"E" and error_code(body) == ("08P01", "SCRAM channel binding negotiation error")


def test_pg_hba_file_rules_shows_the_rules(keel_factory, tmp_path):
    # hba.rs Hba::rows: each rule with its line, PostgreSQL's address and netmask spelling and
    # method name. The expected rows are PostgreSQL 15's pg_hba_file_rules for the same lines
    # (run with hba_file naming such a file; PostgreSQL's own needs a local line, left out here).
    rules = tmp_path / "hba.conf"
    rules.write_text((Path(__file__).resolve().parent.parent / "configs" / "hba.conf").read_text()
                     + 'host      db1,"Db2"  alice,bob  10.0.0.0/8  md5\n'
                     + "hostnossl all carol 192.168.1.0/24 reject\n")
    node = keel_factory(extra=["--set", f"wire.hba_file={rules}"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        rows = conn.execute("select line_number, type, database::text, user_name::text, address,"
                            " netmask, auth_method, options, error from pg_hba_file_rules").fetchall()
    ones = "255.255.255.255"
    v6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    assert rows == [
        (7, "host", "{all}", "{all}", "127.0.0.1", ones, "trust", None, None),
        (8, "host", "{all}", "{all}", "::1", v6, "trust", None, None),
        (10, "host", "{all}", "{all}", "0.0.0.0", "0.0.0.0", "scram-sha-256", None, None),
        (11, "host", "{all}", "{all}", "::", "::", "scram-sha-256", None, None),
        (12, "host", "{db1,Db2}", "{alice,bob}", "10.0.0.0", "255.0.0.0", "md5", None, None),
        (13, "hostnossl", "{all}", "{carol}", "192.168.1.0", "255.255.255.0", "reject", None, None),
    ]
