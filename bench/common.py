"""What the benchmarks share: where the data is, the query set, latency percentiles, stage processes,
and archives on either backend (a SQLite file, or a PostgreSQL database named by a postgresql:// URL)."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
SOURCE = SHARED / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
OUT = ROOT / "bench" / "out"  # built corpora and archives; never committed


def read_records(path: Path) -> Iterator[dict]:
    """The JSON records of a .jsonl, .jsonl.xz or .jsonl.gz file."""
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(Path(path).suffix, open)
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def make_queries(src: Path, n: int, seed: int = 7) -> list[str]:
    """Half headlines, half 1-3 consecutive words of a body, from a fixed random sample."""
    rng = random.Random(seed)
    picks = rng.sample(list(read_records(src)), n)
    queries = [r["title"] for r in picks[: n // 2]]
    for r in picks[n // 2:]:
        words = r["text"].split()
        size = rng.randint(1, 3)
        at = rng.randrange(max(1, len(words) - size))
        queries.append(" ".join(words[at:at + size]))
    return queries


def percentile(values: list[float], p: float) -> float:
    """The value below which a share ``p`` of ``values`` lies (nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


class StageFailed(Exception):
    """A stage's process ended in an error; the message ends with its error output."""


def run_child(script: str | Path, *args: str) -> dict:
    """Run ``script --child ARGS`` in its own process (its peak RSS is its own) and return the JSON
    object its last output line holds."""
    out = subprocess.run([sys.executable, str(script), "--child", *args], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    if out.returncode:
        raise StageFailed(f"stage {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.splitlines()[-1])


def is_url(target: str | Path) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def fresh_archive(target: str | Path) -> None:
    """Make ``target`` empty: remove the SQLite file (and its WAL), or drop and create the
    PostgreSQL database the URL names (so give a database of your own)."""
    drop_archive(target)
    if is_url(target):
        with _maintenance(str(target)) as (conn, name):
            conn.execute(_sql("CREATE DATABASE {}", name))


def drop_archive(target: str | Path) -> None:
    if is_url(target):
        with _maintenance(str(target)) as (conn, name):
            conn.execute(_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", name))
        return
    for p in Path(target).parent.glob(Path(target).name + "*"):
        p.unlink()


def archive_mb(target: str | Path) -> float:
    """The archive's size on disk: its files, or its PostgreSQL database."""
    if not is_url(target):
        return sum(p.stat().st_size for p in Path(target).parent.glob(Path(target).name + "*")) / 2**20
    import psycopg

    with psycopg.connect(str(target)) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20


@contextmanager
def _maintenance(url: str) -> Iterator[tuple]:
    """An autocommit connection to the server's ``postgres`` database, and the name of the database
    the URL names (CREATE and DROP DATABASE run outside it, and outside a transaction)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        yield conn, conninfo_to_dict(url)["dbname"]


def _sql(template: str, name: str):
    from psycopg import sql

    return sql.SQL(template).format(sql.Identifier(name))


class ServerCPU:
    """CPU seconds of the PostgreSQL server's processes serving the database of ``url`` while the
    block runs, read from /proc twice a second (a process that ends between two readings loses at most
    its last half second). ``seconds`` is None when they cannot be read (a server on another machine)."""

    def __init__(self, url: str):
        self.url, self.seconds = url, None
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()

    def __enter__(self) -> ServerCPU:
        import psycopg

        self._conn = psycopg.connect(self.url, autocommit=True, application_name="marsad-bench")
        self._read()
        self._first = dict(self._last)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._read()
        self._conn.close()
        if self._last:
            self.seconds = sum(t - self._first.get(pid, 0.0) for pid, t in self._last.items())

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._read()

    def _read(self) -> None:
        others = ("SELECT pid FROM pg_stat_activity"
                  " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for (pid,) in self._conn.execute(others).fetchall():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self._last[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
