"""The Dask engine for real: a local cluster of two worker processes on both backends, the CLI
against a running scheduler, a ``marsad ingest --engine dask`` process killed mid-run and run again,
and a cluster of separate ``dask scheduler`` and ``dask worker`` processes on loopback that loses a
worker mid-run while it ingests into PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from marsad import engine  # noqa: E402 - after the extra is known to be there
from marsad.archive import open_archive  # noqa: E402
from marsad.cli import main  # noqa: E402
from marsad.engine.dask import DaskExecutor  # noqa: E402
from tests.engine.conftest import snapshot  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    runner = DaskExecutor(workers=2)
    yield runner
    runner.close()


@pytest.mark.backends("sqlite")  # PostgreSQL: the separate cluster below
def test_a_local_cluster_of_two_processes_makes_the_archive_a_plain_ingest_makes(cluster, inputs, new_db,
                                                                                 plain):
    assert cluster.workers == 2 and len(cluster.client.scheduler_info()["workers"]) == 2
    db = new_db("dask.db")
    report = engine.ingest(db, inputs, cluster, enrich=False, partition=40, batch=15)
    assert (report.new, report.partitions, report.failed) == (386, 11, [])
    assert snapshot(db) == plain


def test_the_cli_runs_on_a_given_scheduler_and_a_rerun_does_nothing_again(cluster, inputs, tmp_path):
    scheduler = cluster.client.scheduler.address
    args = ["ingest", *map(str, inputs), "--db", str(tmp_path / "a.db"), "--no-enrich", "--engine", "dask",
            "--scheduler", scheduler, "--partition-size", "100"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "dask engine: 2 worker(s)" in first.output and "new 386" in first.output
    again = CliRunner().invoke(main, args)
    assert "5 of 5 partitions had finished before: not run again" in again.output and "new 0" in again.output


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("marsad.engine.dask._CONNECT", 1)
    result = CliRunner().invoke(main, ["reenrich", "--db", str(tmp_path / "a.db"), "--engine", "dask",
                                       "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and result.output.startswith("marsad: E300: cannot reach the Dask scheduler")
    assert len(result.output.strip().splitlines()) == 1


def _finished(db: str, job: str) -> dict:
    with open_archive(db) as arc:
        return arc.backend.engine.finished(job)


def _stored(db: str) -> int:
    with open_archive(db) as arc:
        return arc.count()


def test_a_killed_client_process_reruns_only_the_missing_partitions(inputs, new_db, plain, tmp_path):
    """``marsad ingest --engine dask`` in a process of its own, SIGKILLed with its local cluster
    (its process group) once a few partitions are recorded, then the same command to the end."""
    db = new_db("killed.db")
    args = [sys.executable, "-m", "marsad", "ingest", *map(str, inputs), "--db", db, "--engine", "dask",
            "--workers", "2", "--partition-size", "20"]  # enriched: slow enough to be caught mid-run
    job, parts, _ = engine.ingest_plan(db, inputs, partition=20)
    client = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        for _ in range(6000):
            if client.poll() is not None or len(_finished(db, job.id)) >= 3:
                break
            time.sleep(0.05)
    finally:
        os.killpg(client.pid, signal.SIGKILL)
        client.wait()
    assert client.returncode == -signal.SIGKILL  # killed, not finished
    before, stored = _finished(db, job.id), _stored(db)
    assert 3 <= len(before) < len(parts) == 20 and stored < 386
    rerun = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{len(before)} of 20 partitions had finished before: not run again" in rerun.stdout
    assert f"new {386 - stored} ·" in rerun.stdout  # what the killed run committed is not stored again
    after = _finished(db, job.id)
    assert set(after) == {p.key for p in parts}
    assert {k: after[k] for k in before} == before  # their records as the killed run left them: not run
    assert snapshot(db) == plain  # same ids, content hashes (enrichment apart) and stories


def _start(args: list[str], cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture
def separate_cluster(tmp_path):
    """A ``dask scheduler`` and two ``dask worker`` processes (one thread each, no nanny to bring a
    killed one back) on loopback; (scheduler address, worker processes by name)."""
    file = tmp_path / "scheduler.json"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(file)], tmp_path)]
    try:
        for _ in range(600):
            if file.exists() and file.stat().st_size:
                break
            time.sleep(0.05)
        address = json.loads(file.read_text())["address"]
        workers = {name: _start(["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                                 "--no-dashboard", "--name", name], tmp_path) for name in ("w1", "w2")}
        procs.extend(workers.values())
        yield address, workers
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


class LosesAWorker(DaskExecutor):
    """Kills a worker as soon as the first partition has finished, while partitions are still handed
    out: one that is running a partition when there is one (the workers are asked), else any."""

    def __init__(self, scheduler: str, workers: dict[str, subprocess.Popen]):
        super().__init__(scheduler=scheduler)
        self.client.wait_for_workers(2, timeout=60)
        self.workers, self.killed = 2, None
        self.procs = workers

    def map(self, fn, job, parts):
        for part, outcome in super().map(fn, job, parts):
            if self.killed is None:
                self.killed = self._victim()
                os.killpg(self.procs[self.killed].pid, signal.SIGKILL)
            yield part, outcome

    def _victim(self) -> str:
        names = {a: w["name"] for a, w in self.client.scheduler_info()["workers"].items()}
        running = self.client.run(_executing)
        busy = [names[a] for a, n in running.items() if n and a in names]
        return (busy or sorted(names.values()))[0]


# How many partitions a worker is running, asked of the worker itself. Made outside any module,
# as the workers cannot import the tests: cloudpickle sends such a function by value.
_executing = eval("lambda dask_worker: len(dask_worker.state.executing)", {})


@pytest.mark.backends("postgres")
def test_a_worker_killed_mid_run_leaves_the_archive_a_plain_ingest_makes(separate_cluster, inputs, new_db,
                                                                         plain):
    address, workers = separate_cluster
    db = new_db("cluster.db")
    runner = LosesAWorker(address, workers)
    try:
        report = engine.ingest(db, inputs, runner, enrich=False, partition=30, batch=10)
        alive = len(runner.client.scheduler_info()["workers"])
    finally:
        runner.close()
    assert runner.killed and workers[runner.killed].poll() is not None and alive == 1
    assert report.failed == [] and len(report.ids) == 386 and report.new + report.unchanged >= 386
    assert snapshot(db) == plain
