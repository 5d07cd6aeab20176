"""A full disk: writes stop with 53100 (disk_full), the node stays up and serves reads, no
acknowledged commit is lost across a kill -9, and writes work again once space is freed. The node
runs on a small ext4 file system in a loop-mounted image (needs root; skipped otherwise)."""

import os
import shutil
import subprocess

import psycopg
import pytest

IMAGE_MB = 160


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4"):
        pytest.skip("needs root and mkfs.ext4 to mount a small file system")
    image = tmp_path / "fs.img"
    mount = tmp_path / "mnt"
    mount.mkdir()
    with open(image, "wb") as f:
        f.truncate(IMAGE_MB << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
    if subprocess.run(["mount", "-o", "loop", str(image), str(mount)]).returncode != 0:
        pytest.skip("cannot loop-mount a file system here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


def test_a_full_disk_refuses_writes_with_53100_and_loses_nothing(keel_factory, small_disk):
    ballast = small_disk / "ballast"
    with open(ballast, "wb") as f:
        f.write(b"\0" * (48 << 20))
    node = keel_factory(extra=["--set", f"storage.buffer_pool_bytes={8 << 20}",
                               "--set", "storage.checkpoint_interval_s=0.5"])
    node.data_dir = small_disk / "data"
    node.start()
    acked = 0
    extra = 0
    error = None
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table fill (k int8 primary key, pad text)")
        conn.execute("create table small (k int primary key, v int)")
        conn.execute("create index small_v on small (v)")
        conn.execute("insert into small values (1, 10), (2, 20), (3, 30)")
        pad = "x" * 1000
        for batch in range(100_000):
            try:
                conn.execute("insert into fill values " +
                             ",".join(f"({batch * 100 + i}, '{pad}')" for i in range(100)))
            except psycopg.Error as e:
                error = e
                break
            acked = batch + 1
        assert error is not None, "the disk never filled"
        assert error.sqlstate == "53100", error
        assert acked > 100, acked
        # Still up: reads work (through an index too), and the refused batch left nothing behind.
        assert conn.execute("select count(*) from fill").fetchone() == (acked * 100,)
        assert conn.execute("select k from small where v = 20").fetchone() == (2,)
        # Further writes fail the same way, or succeed when a checkpoint has given log space
        # back meanwhile; never anything else.
        for attempt in range(20):
            try:
                conn.execute(f"insert into fill values ({10 ** 12 + attempt}, '{pad * 20}')")
                extra += 1
            except psycopg.Error as e:
                assert e.sqlstate == "53100", e
    # Space comes back; a kill -9 and restart keep every acknowledged row; writes work again.
    ballast.unlink()
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), min(k) from fill").fetchone() == (acked * 100 + extra, 0)
        assert conn.execute("select max(k) from fill where k < 1000000000").fetchone() == (acked * 100 - 1,)
        conn.execute("delete from fill where k < 1000")
        conn.execute("insert into fill values (-1, 'back')")
        assert conn.execute("select pad from fill where k = -1").fetchone() == ("back",)
    assert "keel: fatal" not in node.log().lower(), node.log()[-3000:]
