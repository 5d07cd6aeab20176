"""pgjdbc (Debian's libpostgresql-jdbc-java, installed by .ci/run) against Keel, compared with
PostgreSQL 15: generated keys, a batch of prepared inserts with arrays, a prepared query run past
pgjdbc's server-prepare threshold (so later runs are binary), errors' SQLSTATEs, and
DatabaseMetaData getTables/getColumns/getPrimaryKeys/getIndexInfo/getImportedKeys/getExportedKeys
(whose queries use information_schema._pg_expandarray, a function returning records, and
pg_index.indoption), and timestamptz read and written in the JVM's zone (pgjdbc's startup
TimeZone). The suite is tests/clients/jdbc/Suite.java."""

import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "jdbc" / "Suite.java"
JAR = Path("/usr/share/java/postgresql.jar")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    if shutil.which("javac") is None or shutil.which("java") is None or not JAR.exists():
        pytest.skip("java, javac or pgjdbc is not installed")
    classes = tmp_path_factory.mktemp("jdbc")
    subprocess.run(["javac", "-d", str(classes), str(SOURCE)], check=True, timeout=300)
    return classes


def run(classes, port):
    result = subprocess.run(["java", "-cp", f"{classes}:{JAR}", "Suite", str(port)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_pgjdbc_matches_postgres(suite, keel, postgres):
    assert run(suite, keel.port) == run(suite, postgres.port)
