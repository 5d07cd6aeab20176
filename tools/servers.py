"""Start and stop the servers that tests and benchmarks run against: a Keel node and a throwaway
PostgreSQL 15 cluster, both on loopback ports picked free. Shared by tests/ and bench/.

PostgreSQL comes from Debian's postgresql-15 package (initdb/pg_ctl in /usr/lib/postgresql/15/bin,
PG_BIN overrides); it refuses to run as root, so as root it runs as the 'postgres' system user.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process=None, timeout=60.0):
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


def eventually(check, seconds=10.0):
    """Whether `check()` holds within `seconds`, polling: what a closed session leaves (its
    pg_stat_activity row, its temporary schema) goes once the server has read the client's goodbye,
    after the client has gone, as a PostgreSQL backend's goes when its process exits."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def release_dir():
    """Where `cargo build --release` puts binaries (CARGO_TARGET_DIR honoured)."""
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"


class Keel:
    """A Keel node: start, kill -9, stop with SIGTERM, start again on the same data directory."""

    name = "keel"

    def __init__(self, data_dir, binary=None, cores=None, extra=()):
        self.binary = Path(binary or os.environ.get("KEEL_BIN", release_dir() / "keel"))
        assert self.binary.exists(), f"{self.binary} missing: build with cargo build --release"
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.cores = cores
        self.extra = list(extra)
        self.process = None
        self.log_path = self.data_dir.parent / f"keel-{self.port}.log"
        self.version = subprocess.run([str(self.binary), "--version"], capture_output=True, text=True).stdout.strip()

    @property
    def command(self):
        args = [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{self.port}"]
        if self.cores:
            args += ["--cores", str(self.cores)]
        return args + self.extra

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def dsn(self, dbname="keel"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def temp_files(self):
        """Names of the temporary files the node holds now (its tmp/ directory)."""
        tmp = self.data_dir / "tmp"
        return sorted(p.name for p in tmp.iterdir()) if tmp.exists() else []

    def psql_args(self, dbname="keel"):
        return ["psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname]


class Postgres:
    """A throwaway PostgreSQL 15 cluster with a database `keel`, fsync and synchronous_commit on."""

    name = "postgres"

    def __init__(self, parent=None, extra_options=""):
        self.dir = Path(tempfile.mkdtemp(prefix="keel-pg-", dir=parent))
        self.port = free_port()
        env = dict(os.environ, LC_ALL="C")
        self.run_as = []
        if os.geteuid() == 0:
            if parent is not None:
                os.chmod(parent, 0o755)  # the postgres user must reach its directory
            shutil.chown(self.dir, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        subprocess.run(self.run_as + [str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust",
                                      "--no-sync", "-E", "UTF8", "--locale=C"], check=True, stdout=subprocess.DEVNULL, env=env)
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                   f"-c fsync=on -c synchronous_commit=on -c max_connections=300 {extra_options}")
        subprocess.run(self.run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", options, "-w", "start"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(self.psql_args("postgres") + ["-q", "-c", "create database keel"], check=True)
        self.version = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True).stdout.strip()

    def stop(self):
        subprocess.run(self.run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def dsn(self, dbname="keel"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def psql_args(self, dbname="keel"):
        return ["psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname]

    @contextlib.contextmanager
    def database(self, name, setup=()):
        """A fresh database `name` with the `setup` statements run in it, dropped afterwards:
        yields its psql arguments (tests that compare Keel with PostgreSQL over their own tables)."""
        admin = self.psql_args("postgres") + ["-q"]
        subprocess.run(admin + ["-c", f"drop database if exists {name}", "-c", f"create database {name}"], check=True)
        args = self.psql_args(name)
        if setup:
            subprocess.run(args + ["-q"] + [a for s in setup for a in ("-c", s)], check=True)
        try:
            yield args
        finally:
            subprocess.run(admin + ["-c", f"drop database {name}"], check=True)


class Fleet:
    """The servers a benchmark starts, under one work directory: `close` stops them all and removes
    the directory; Ctrl-C or SIGTERM does the same, then exits."""

    def __init__(self, prefix):
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        self.servers = []
        signal.signal(signal.SIGINT, self._interrupted)
        signal.signal(signal.SIGTERM, self._interrupted)

    def _interrupted(self, *_):
        print("\ninterrupted: stopping servers", flush=True)
        self.close()
        sys.exit(130)

    def close(self):
        for server in self.servers:
            server.stop()
        self.servers.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)
