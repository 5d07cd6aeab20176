"""The Hermitage anomaly suite (https://github.com/ept/hermitage) and the row-locking scripts
(FOR UPDATE/SHARE, NOWAIT, SKIP LOCKED, READ ONLY, deadlocks), run against Keel and against
PostgreSQL 15 at every isolation level: Keel's outcome must equal PostgreSQL's in every cell.

Each script in tests/hermitage/ and tests/locking/ (a `levels:` line limits the levels) is a list of `T<n>: <statement>` lines over the table
`test (id int primary key, value int)` holding (1, 10) and (2, 20), and whatever its `setup:`
lines make (statements run before the sessions start, outside any transaction). Each session runs on its own
connection and thread and begins with `begin isolation level <level>` before its first statement.
A statement that has not answered within BLOCKED_S is recorded as blocked and the script goes on;
its answer is collected when it comes (a later statement of the same session waits for it).

An outcome per statement: whether it blocked, then its command tag and rows (sorted) or its SQLSTATE.
Run one script by hand: `python3 tests/test_hermitage.py DSN SCRIPT LEVEL`."""

import queue
import sys
import threading
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from servers import Keel  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted(HERE.glob("hermitage/*.txt")) + sorted(HERE.glob("locking/*.txt"))
LEVELS = ["read committed", "repeatable read", "serializable"]
SETUP = [
    "drop table if exists test cascade",
    "create table test (id int primary key, value int)",
    "insert into test (id, value) values (1, 10), (2, 20)",
]
BLOCKED_S = 0.5
ANSWER_S = 15


def parse(script):
    steps = []
    for line in script.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("--") or line.startswith(("levels:", "setup:")):
            continue
        session, statement = line.split(":", 1)
        steps.append((session.strip(), statement.strip()))
    return steps


def setup_of(script):
    """The statements a script's `setup:` lines run after the common SETUP."""
    return [
        line.split(":", 1)[1].strip()
        for line in script.read_text().splitlines()
        if line.startswith("setup:")
    ]


def levels_of(script):
    """The levels a script runs at: all, unless a `levels:` line names some."""
    for line in script.read_text().splitlines():
        if line.startswith("levels:"):
            return [level.strip() for level in line.split(":", 1)[1].split(",")]
    return LEVELS


class Session(threading.Thread):
    """One connection, running the statements it is given in order, answering each."""

    def __init__(self, dsn):
        super().__init__(daemon=True)
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.inbox = queue.Queue()
        self.answers = queue.Queue()

    def run(self):
        while True:
            statement = self.inbox.get()
            if statement is None:
                return
            try:
                cursor = self.conn.execute(statement)
                rows = sorted(cursor.fetchall()) if cursor.description else None
                self.answers.put(("ok", cursor.statusmessage, rows))
            except psycopg.Error as error:
                self.answers.put(("error", error.sqlstate))

    def ask(self, statement, wait):
        self.inbox.put(statement)
        try:
            return self.answers.get(timeout=wait)
        except queue.Empty:
            return None

    def close(self):
        self.inbox.put(None)
        self.join(timeout=ANSWER_S)
        self.conn.close()


def run_script(dsn, steps, level, setup=()):
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in SETUP + list(setup):
            conn.execute(statement)
    sessions, pending, outcomes = {}, {}, []

    def collect(name, wait):
        index = pending[name]
        try:
            answer = sessions[name].answers.get(timeout=wait)
        except queue.Empty:
            return
        del pending[name]
        outcomes[index] = ("blocked",) + answer

    try:
        for name, statement in steps:
            if name not in sessions:
                sessions[name] = Session(dsn)
                sessions[name].start()
                assert sessions[name].ask(f"begin isolation level {level}", ANSWER_S)[0] == "ok"
            if name in pending:
                collect(name, ANSWER_S)
                assert name not in pending, f"{name} never answered step {pending[name]}"
            answer = sessions[name].ask(statement, BLOCKED_S)
            outcomes.append(answer)
            if answer is None:
                pending[name] = len(outcomes) - 1
            # What this statement released answers soon.
            for other in list(pending):
                if other != name:
                    collect(other, BLOCKED_S)
        for name in list(pending):
            collect(name, ANSWER_S)
            assert name not in pending, f"{name} never answered step {pending.get(name)}"
    finally:
        for session in sessions.values():
            session.close()
    return [(f"T{step[0][1:]}: {step[1]}", outcome) for step, outcome in zip(steps, outcomes)]


@pytest.fixture(scope="module")
def keel_node(tmp_path_factory):
    node = Keel(tmp_path_factory.mktemp("hermitage") / "data").start()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def postgres_dsn(postgres):
    return f"host=127.0.0.1 port={postgres.port} user=postgres dbname=keel"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("script", SCRIPTS, ids=[f"{s.parent.name}/{s.stem}" for s in SCRIPTS])
def test_hermitage_cell_matches_postgres(keel_node, postgres_dsn, script, level):
    if level not in levels_of(script):
        pytest.skip(f"{script.stem} does not run at {level}")
    steps, setup = parse(script), setup_of(script)
    expected = run_script(postgres_dsn, steps, level, setup)
    actual = run_script(keel_node.dsn(), steps, level, setup)
    report = [
        f"{'  ' if a == e else '!!'} {step}\n       keel: {a}\n       pg:   {e}"
        for (step, a), (_, e) in zip(actual, expected)
    ]
    assert actual == expected, f"{script.stem} at {level}:\n" + "\n".join(report)


if __name__ == "__main__":
    dsn, script, level = sys.argv[1:4]
    for step, outcome in run_script(dsn, parse(Path(script)), level, setup_of(Path(script))):
        print(f"{step:60} {outcome}")
