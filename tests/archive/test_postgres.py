"""What only the PostgreSQL backend has: connection errors as one line, several writers at once,
migrations raced by two processes, and the faults of a server: a killed ingest, a connection lost
in the middle of a batch, a server restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.archive.postgres import migrations
from marsad.archive.postgres.errors import redact
from marsad.cli import main
from marsad.errors import ArchiveError
from marsad.model import IngestReport
from tests.archive.conftest import make_article, moscow, putin
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backends("postgres")


def _with(url: str, **parts) -> str:
    return urlunsplit(urlsplit(url)._replace(**parts))


def _run(script: str, *args: str, timeout: float = 180) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_connection_faults_are_one_line_each(pg_server):
    refused = _with(pg_server, netloc="marsad@127.0.0.1:1")
    with pytest.raises(ArchiveError, match=r"no PostgreSQL server answers at 127\.0\.0\.1:1 \(refused\)$"):
        open_archive(refused)
    missing = _with(pg_server, path="/marsad_no_such_database")
    with pytest.raises(ArchiveError, match="no database 'marsad_no_such_database' on the PostgreSQL server"):
        open_archive(missing)
    with pytest.raises(ArchiveError, match="unknown host"):
        open_archive(_with(pg_server, netloc="marsad@no-such-host.invalid:5432"))
    result = CliRunner().invoke(main, ["entities", "--db", refused])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_wrong_password_is_named_and_never_shown(pg_server):
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marsad_pw_test') "
                     "THEN CREATE ROLE marsad_pw_test LOGIN PASSWORD 'right'; END IF; END $$")
    parts = urlsplit(pg_server)
    url = _with(pg_server, netloc=f"marsad_pw_test:wrong-secret@{parts.hostname}:{parts.port}")
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError:
        pass
    else:  # a server that trusts every loopback user; scripts/postgres.sh asks for passwords
        if IN_CI:
            pytest.fail("the test server must ask for passwords (scripts/postgres.sh)")
        pytest.skip("this PostgreSQL server does not ask for passwords")
    with pytest.raises(ArchiveError, match="refused the user name or password") as e:
        open_archive(url)
    assert "wrong-secret" not in str(e.value)
    assert redact(url) == _with(url, netloc=f"marsad_pw_test@{parts.hostname}:{parts.port}")


def test_someone_elses_tables_are_not_written_into(new_db):
    url = new_db("other")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (name text)")
    with pytest.raises(ArchiveError, match="not a marsad archive"):
        open_archive(url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert migrations.tables(conn) == {"payroll"}


def test_readers_need_an_archive_and_cannot_write(new_db):
    url = new_db("a")
    with pytest.raises(ArchiveError, match="empty, not a marsad archive"):
        open_archive(url, readonly=True)
    with open_archive(url) as arc:
        arc.put([make_article(1)])
    with open_archive(url, readonly=True) as arc:
        assert arc.get("art-1") == make_article(1)
        with pytest.raises(ArchiveError, match="open for reading only"):
            arc.put([make_article(2)])
        assert arc.count() == 1


def test_the_version_moves_with_every_commit_of_any_process(new_db):
    url = new_db("a")
    with open_archive(url) as arc, open_archive(url, readonly=True) as reader:
        before = reader.version()
        assert reader.version() == before and reader.count() == 0
        arc.put([make_article(1)])
        assert reader.version() != before
        assert reader.backend.describe() == url


def test_migrations_are_recorded_once_when_two_processes_open_a_new_archive(new_db):
    url = new_db("a")
    script = """
        import sys
        from marsad.archive import open_archive
        with open_archive(sys.argv[1]) as arc:
            print(arc.count())
    """
    procs = [_run(script, url) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and out.strip() == "0", err
    with psycopg.connect(url, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM migrations")]
        assert sorted(names) == sorted(n for n, _ in migrations.all_migrations())
        assert migrations.apply(conn) == [] and migrations.pending(conn) == []


def test_a_new_named_migration_runs_once_and_a_failing_one_is_rolled_back(new_db):
    url = new_db("a")
    open_archive(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        extra = [("stage-0001-notes", "CREATE TABLE notes (x integer)")]
        assert migrations.apply(conn, migrations.all_migrations() + extra) == ["stage-0001-notes"]
        assert migrations.apply(conn, migrations.all_migrations() + extra) == []
        broken = [("stage-0002-broken", "CREATE TABLE half (x integer); SELECT no_such_function()")]
        with pytest.raises(psycopg.Error):
            migrations.apply(conn, broken)
        assert "stage-0002-broken" not in migrations.applied(conn)
        assert "half" not in migrations.tables(conn)


_WRITER = """
    import sys
    from marsad.archive import open_archive
    from tests.archive.conftest import make_article, putin, moscow
    start, step = int(sys.argv[2]), int(sys.argv[3])
    with open_archive(sys.argv[1]) as arc:
        for lo in range(start, 150, step):
            report = arc.put([make_article(i, entities=[putin(), moscow()]) for i in range(lo, lo + 40)])
            assert not report.failed, report.failed
        print("ok")
"""


def test_several_writers_at_once_store_every_article_once(new_db):
    """Three processes ingest overlapping batches (ids in common, the same entities) at once:
    stored, indexed and related."""
    url = new_db("a")
    open_archive(url).close()
    procs = [_run(_WRITER, url, str(start), "30") for start in (0, 10, 20)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "ok", err
    with open_archive(url) as arc:
        assert arc.count() == 180  # ids 0..179
        counts = {e.name: e.articles for e in arc.entities()}
        assert counts == {"فلاديمير بوتين": 180, "موسكو": 180}
        assert arc.search("المدينة", limit=1).total == 180  # indexed once each
        assert arc.put([make_article(7, entities=[putin(), moscow()])]).unchanged == 1


_KILLED = """
    import os, signal, sys
    from marsad.archive import open_archive
    from tests.archive.conftest import make_article, putin
    arc = open_archive(sys.argv[1])
    kill_at = int(sys.argv[2])
    def add(rows, prepared=None, add=arc.backend.index.add):
        rows = list(rows)
        add(rows, prepared)
        if rows and rows[0][1].id == f"art-{kill_at}":  # the batch is written, not committed
            os.kill(os.getpid(), signal.SIGKILL)
    arc.backend.index.add = add
    report = arc.put(make_article(i, entities=[putin()]) for i in range(200))
    print(report.new, report.unchanged)
"""


def test_a_killed_ingest_keeps_its_committed_batches_and_a_rerun_completes(new_db):
    import marsad.pipeline

    url = new_db("a")
    script = f"import marsad.pipeline\nmarsad.pipeline.BATCH_SIZE = 50\n{textwrap.dedent(_KILLED)}"
    killed = _run(script, url, "100")
    killed.communicate(timeout=180)
    assert killed.returncode == -signal.SIGKILL
    with open_archive(url, readonly=True) as arc:
        assert arc.count() == 100
        assert [e.articles for e in arc.entities()] == [100]
    rerun = _run(script, url, "100000")
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0 and out.split() == ["100", "100"], err
    with open_archive(url, readonly=True) as arc:
        assert arc.count() == 200 and [e.articles for e in arc.entities()] == [200]
    assert marsad.pipeline.BATCH_SIZE == 500  # the child's setting stayed there


def test_a_connection_lost_mid_batch_stores_nothing_of_it_and_the_next_batch_goes_in(new_db):
    url = new_db("a")
    with open_archive(url) as arc, psycopg.connect(url, autocommit=True) as admin:
        arc.put([make_article(1, entities=[putin()])])
        add = arc.backend.index.add

        def lose_connection(rows, prepared=None):
            add(rows, prepared)
            with arc.backend.connection() as conn:  # the unit of work's
                pid = conn.info.backend_pid
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

        arc.backend.index.add = lose_connection
        report = IngestReport()
        with pytest.raises(ArchiveError, match="lost the connection"):
            arc.pipeline.store_batch([make_article(2), make_article(1, headline="تغير")], report)
        arc.backend.index.add = add
        assert arc.count() == 1 and arc.get("art-1").headline == make_article(1).headline
        arc.put([make_article(3, entities=[moscow()])])
        assert arc.count() == 2


def test_a_server_restart_is_survived_by_an_open_archive(new_db, pg_server):
    if not os.environ.get("MARSAD_TEST_PG_DATA"):
        reason = "restarting needs the test server of scripts/postgres.sh (MARSAD_TEST_PG_DATA)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    url = new_db("a")
    with open_archive(url) as arc, open_archive(url, readonly=True) as reader:
        arc.put([make_article(1)])
        assert reader.count() == 1
        subprocess.run(["bash", str(ROOT / "scripts/postgres.sh"), "restart"], check=True, timeout=120)
        arc.put([make_article(2)])  # pooled connections are checked, dead ones replaced
        assert arc.count() == 2 and reader.get("art-2").headline == make_article(2).headline
        assert reader.search("المدينة").total == 2


def test_readers_on_threads_while_a_writer_writes(new_db):
    url = new_db("a")
    with open_archive(url) as arc:
        arc.put([make_article(i) for i in range(50)])
        seen, errors = [], []

        def read():
            try:
                for _ in range(20):
                    seen.append(arc.count())
            except Exception as e:  # noqa: BLE001 - collected for the assertion
                errors.append(e)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        arc.put([make_article(i) for i in range(50, 120)])
        for t in threads:
            t.join()
        assert not errors and set(seen) <= {50, 120}
        assert arc.count() == 120


def test_every_command_takes_the_url_from_db_or_marsad_db(new_db, tmp_path, monkeypatch):
    url = new_db("a")
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "r1", "title": "زيارة الرئيس", "text": "قال الرئيس إن الزيارة مهمة."}\n',
                   encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", str(src), "--db", url, "--no-enrich"])
    assert done.exit_code == 0, done.output
    monkeypatch.setenv("MARSAD_DB", url)
    found = runner.invoke(main, ["search", "الزيارة", "--json"])
    assert found.exit_code == 0, found.output
    assert '"r1"' in found.output
    with open_archive() as arc:
        assert arc.backend.describe() == url and arc.count() == 1
