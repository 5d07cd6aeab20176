"""TPC-H: the 22 queries return what PostgreSQL 15 returns, on data from `tpchgen-cli` loaded with
COPY ... (FORMAT csv, HEADER) into both servers. psql prints both results, and the texts must be
equal, row for row and digit for digit (the queries order their rows completely, or by keys
whose ties TPC-H's data does not have at this scale).

The scale factor is small (KEEL_TPCH_SCALE, default 0.01) so the suite stays quick; bench/tpch.py
runs the same queries at SF1 for time."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TPCH = Path(__file__).resolve().parent.parent / "bench" / "tpch"
TABLES = ["region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]
QUERIES = sorted((TPCH / "queries").glob("q*.sql"))
SCALE = os.environ.get("KEEL_TPCH_SCALE", "0.01")


@pytest.fixture(scope="module")
def tpch_data(tmp_path_factory):
    generator = shutil.which("tpchgen-cli")
    assert generator, "tpchgen-cli is not installed (tests/run.sh installs it)"
    out = tmp_path_factory.mktemp("tpch")
    subprocess.run([generator, "csv", "-s", SCALE, f"--output-dir={out}"], check=True, capture_output=True)
    os.chmod(out, 0o755)
    return out


def psql(args, sql=None, script=None):
    command = args + ["-X", "-v", "ON_ERROR_STOP=1"]
    command += ["-f", str(script)] if script else ["-c", sql]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, PGTZ="UTC", LC_ALL="C"))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def load(args, data):
    psql(args, script=TPCH / "schema.sql")
    for table in TABLES:
        psql(args, f"\\copy {table} from '{data / (table + '.csv')}' with (format csv, header)")


@pytest.fixture(scope="module")
def loaded(tpch_data, postgres, tmp_path_factory):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from servers import Keel

    keel = Keel(tmp_path_factory.mktemp("keel") / "data").start()
    pg_args = postgres.psql_args()
    psql(pg_args, "drop table if exists lineitem, orders, customer, partsupp, supplier, part, nation, region")
    load(pg_args, tpch_data)
    load(keel.psql_args(), tpch_data)
    yield keel, pg_args
    keel.stop()


def test_row_counts_match(loaded):
    keel, pg_args = loaded
    for table in TABLES:
        sql = f"select count(*) from {table}"
        assert psql(keel.psql_args(), sql) == psql(pg_args, sql), table


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_matches_postgres(loaded, query):
    keel, pg_args = loaded
    expected = psql(pg_args, script=query)
    assert "(0 rows)" not in expected or query.stem in ("q20",), "the query found nothing to compare"
    assert psql(keel.psql_args(), script=query) == expected
