"""A missing, corrupt, locked or read-only archive gives one clear line and loses no data."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.cli import main
from marsad.errors import ArchiveError
from marsad.pipeline import BATCH_SIZE
from tests.archive.conftest import make_article

ROOT = Path(__file__).resolve().parents[2]


def test_missing_archive_for_a_reader_is_not_created(tmp_path):
    path = tmp_path / "none.db"
    with pytest.raises(ArchiveError, match="no archive at"):
        open_archive(path, readonly=True)
    assert not path.exists()


def test_missing_folder_for_a_writer(tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        open_archive(tmp_path / "no" / "such" / "a.db")


def test_corrupt_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "bad.db"
    junk = b"this is not an sqlite file at all, just some bytes " * 100
    path.write_bytes(junk)
    for readonly in (True, False):
        with pytest.raises(ArchiveError, match="corrupt or not a marsad archive"):
            open_archive(path, readonly=readonly)
    assert path.read_bytes() == junk


def test_someone_elses_database_is_not_written_into(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (name TEXT)")
    with pytest.raises(ArchiveError, match="not a marsad archive"):
        open_archive(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["accounts"]


def test_locked_archive_waits_then_says_so_and_keeps_data(tmp_path):
    path = tmp_path / "lock.db"
    with open_archive(path) as arc:
        arc.put([make_article(1)])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with open_archive(path, timeout=0.2) as arc, pytest.raises(ArchiveError, match="locked"):
            arc.put([make_article(2)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_archive(path) as arc:
        assert arc.count() == 1
        assert arc.put([make_article(2)]).new == 1


def test_writing_through_a_read_only_archive_is_refused(tmp_path):
    path = tmp_path / "ro.db"
    with open_archive(path) as arc:
        arc.put([make_article(1)])
    with open_archive(path, readonly=True) as arc, pytest.raises(ArchiveError, match="read-only"):
        arc.put([make_article(2)])
    with open_archive(path, readonly=True) as arc:
        assert [a.id for a in arc.iter_articles()] == ["art-1"]


@contextmanager
def read_only(*paths: Path):
    """Make files and folders read-only, even for root (by the immutable attribute), then restore."""
    if os.geteuid() != 0:
        modes = [p.stat().st_mode for p in paths]
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in zip(paths, modes, strict=True):
                p.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", *paths]).returncode:
        pytest.skip("running as root without chattr +i: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *paths], check=True)


def test_read_only_file_and_folder(tmp_path):
    path = tmp_path / "ro.db"
    with open_archive(path) as arc:
        arc.put([make_article(1)])
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(path, folder):
        with pytest.raises(ArchiveError, match="ro.db is read-only"):
            open_archive(path)
        with pytest.raises(ArchiveError, match="folder .* is read-only"):
            open_archive(folder / "new.db")
    assert open_archive(path, readonly=True).get("art-1") == make_article(1)


def test_archive_in_a_read_only_folder_can_still_be_read(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    with open_archive(folder / "a.db") as arc:
        arc.put([make_article(1)])
    with read_only(folder / "a.db", folder), open_archive(folder / "a.db", readonly=True) as arc:
        assert arc.get("art-1") == make_article(1)


def test_a_failing_batch_stores_nothing_of_itself(arc):
    arc.put([make_article(1)])

    class Exploding:
        def add(self, rows, prepared=None):
            raise RuntimeError("index failed")

    arc.backend.index = Exploding()
    with pytest.raises(RuntimeError):
        arc.put([make_article(2), make_article(1, headline="تغيير")])
    assert arc.count() == 1
    assert arc.get("art-1") == make_article(1)


def test_cli_reports_a_missing_archive_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["entities", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("marsad: E200: no archive at")
    assert "Traceback" not in result.output


# The child stores batches of 50; on the third it kills itself with SIGKILL after writing
# rows but before COMMIT: the most damaging moment for the file.
_CHILD = textwrap.dedent("""
    import os, signal, sys
    from marsad.archive import open_archive
    from tests.archive.conftest import make_article
    arc = open_archive(sys.argv[1])
    kill_at = int(sys.argv[2])
    original = arc.store._add_mentions
    def add_mentions(stored):
        original(stored)
        if stored and stored[0][0] > kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    arc.store._add_mentions = add_mentions
    report = arc.put(make_article(i) for i in range(200))
    print(report.new, report.unchanged)
""")


def _child(path: Path, kill_at: int) -> subprocess.CompletedProcess:
    script = "import marsad.pipeline\nmarsad.pipeline.BATCH_SIZE = 50\n" + _CHILD
    return subprocess.run([sys.executable, "-c", script, str(path), str(kill_at)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120)


def test_kill_9_mid_ingest_leaves_a_consistent_archive_and_a_rerun_completes(tmp_path):
    path = tmp_path / "killed.db"
    killed = _child(path, kill_at=100)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 100
    rerun = _child(path, kill_at=10**9)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.split() == ["100", "100"]
    with open_archive(path, readonly=True) as arc:
        assert arc.count() == 200
        assert arc.backend.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _distinct_records(n: int) -> list[dict]:
    """Articles of random Arabic-letter words: no two alike, as in a real feed."""
    rng = random.Random(5)
    vocab = ["".join(rng.choices("ابتثجحخدذرزسشصضطظعغفقكلمنهوي", k=rng.randint(3, 7))) for _ in range(3000)]
    return [{"id": f"r{i}", "title": " ".join(rng.choices(vocab, k=6)), "outlet": "Example",
             "text": " ".join(rng.choices(vocab, k=120))} for i in range(n)]


def test_kill_9_of_marsad_ingest_while_a_reader_reads(tmp_path):
    n = 3_000  # enough batches that the ingest is still running when it is killed
    src = tmp_path / "many.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _distinct_records(n)),
                   encoding="utf-8")
    db = tmp_path / "cli.db"
    cmd = [sys.executable, "-m", "marsad", "ingest", str(src), "--db", str(db), "--no-enrich", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    seen = 0
    try:
        while seen < BATCH_SIZE and proc.poll() is None:  # a reader follows the ingest as it goes (WAL)
            if db.exists():
                with contextlib.suppress(ArchiveError), open_archive(db, readonly=True) as reader:
                    seen = reader.count()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if proc.returncode == 0:
        pytest.skip("the ingest finished before it could be killed")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] % BATCH_SIZE == 0
    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    with open_archive(db, readonly=True) as arc:
        assert arc.count() == n


_SLOW_WORKER = """
import os, sys, time
import marsad.parse
from marsad.archive import open_archive

def slow(paths, **kw):  # the worker (forked: it inherits this) is busy on one page for a minute
    print(os.getpid(), flush=True)
    time.sleep(60)
    yield from ()

marsad.parse.iter_pages = slow
with open_archive(sys.argv[1]) as arc:
    arc.ingest([sys.argv[2]], enrich=False, parallel=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker inherits the patch by fork")
def test_parse_workers_end_promptly_when_the_ingest_is_killed(tmp_path):
    src = tmp_path / "page.txt"
    src.write_text("عنوان\n\nنص الخبر", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WORKER, str(tmp_path / "a.db"), str(src)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        worker = int(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the parse worker outlived its killed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
