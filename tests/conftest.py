"""End-to-end test fixtures: a real Keel node and a real PostgreSQL 15, each in a temp directory.

Keel is the release binary built by tests/run.sh (KEEL_BIN overrides). PostgreSQL comes from Debian's
postgresql-15 package (initdb/pg_ctl in /usr/lib/postgresql/15/bin); it is the oracle for SQL behaviour.
Everything listens on loopback only, on ports picked free at start.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keel_binary():
    path = Path(os.environ.get("KEEL_BIN", ROOT / "target" / "release" / "keel"))
    target_dir = os.environ.get("CARGO_TARGET_DIR")
    if "KEEL_BIN" not in os.environ and target_dir:
        path = Path(target_dir) / "release" / "keel"
    assert path.exists(), f"{path} missing: build with cargo build --release"
    return path


def wait_for_port(port, process, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


class Keel:
    """A Keel node the test controls: start, kill -9, restart on the same data directory."""

    def __init__(self, data_dir, cores=None, extra=()):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.cores = cores
        self.extra = list(extra)
        self.process = None
        self.log_path = self.data_dir.parent / f"keel-{self.port}.log"

    def start(self):
        args = [str(keel_binary()), "serve", "--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{self.port}"]
        if self.cores:
            args += ["--cores", str(self.cores)]
        args += self.extra
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=timeout)
        return self.process.returncode if self.process else None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def dsn(self, dbname="keel"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def psql_args(self, dbname="keel"):
        return ["psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname]


@pytest.fixture
def keel(tmp_path):
    node = Keel(tmp_path / "data").start()
    yield node
    node.stop()


@pytest.fixture
def keel_factory(tmp_path):
    nodes = []

    def make(**kwargs):
        node = Keel(tmp_path / f"data{len(nodes)}", **kwargs)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.kill()


class Postgres:
    """A throwaway PostgreSQL 15 cluster (fsync and synchronous_commit on)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="keel-pg-"))
        self.port = free_port()
        self.user_args = []
        env = dict(os.environ, LC_ALL="C")
        run_as = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the 'postgres' system user.
            shutil.chown(self.dir, "postgres")
            run_as = ["runuser", "-u", "postgres", "--"]
        self.run_as = run_as
        subprocess.run(run_as + [str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c fsync=on -c synchronous_commit=on"
        subprocess.run(run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", options, "-w", "start"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "postgres", "-c", "create database keel"], check=True)

    def stop(self):
        subprocess.run(self.run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql_args(self, dbname="keel"):
        return ["psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname]


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()
