"""End-to-end test fixtures: a real Keel node and a real PostgreSQL 15 (the oracle for SQL behaviour),
each in a temp directory on a free loopback port. The server handling lives in tools/servers.py,
shared with the benchmarks. Keel is the release binary built by tests/run.sh (KEEL_BIN overrides).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from servers import Keel, Postgres  # noqa: E402


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


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()
