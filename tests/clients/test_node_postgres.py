"""node-postgres (`pg` from npm, pinned by tests/clients/node/package-lock.json) against Keel,
compared with PostgreSQL 15: parameterized inserts of text, numeric, arrays, jsonb, timestamps,
booleans and bigints; reads back; named prepared statements; array row mode; a rolled-back
transaction; errors with their SQLSTATE; a pool running queries at once. The suite itself is
tests/clients/node/suite.js; it prints what it saw as JSON."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="module")
def node_suite():
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    if not (NODE_DIR / "node_modules" / "pg").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=NODE_DIR, check=True, timeout=600)
    return NODE_DIR / "suite.js"


def run(suite, port):
    result = subprocess.run(["node", str(suite), str(port)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_node_postgres_matches_postgres(node_suite, keel, postgres):
    assert run(node_suite, keel.port) == run(node_suite, postgres.port)
