"""`marsad demo` and `marsad serve` from the command line."""

from __future__ import annotations

from click.testing import CliRunner

from marsad.cli import main


def test_demo_builds_a_fresh_archive(tmp_path, monkeypatch):
    # Only the example page: the whole sample is built once for the other web tests (conftest).
    monkeypatch.setattr("marsad.web.demo.SAMPLE_FILES", ("aawsat-page-2025.jsonl",))
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert db.exists() and str(db) in result.output
    again = CliRunner().invoke(main, ["demo", "--no-serve", "--db", str(db)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path):
    from fastapi.testclient import TestClient

    from marsad.settings import load
    from marsad.web import create_app

    with TestClient(create_app(load(tmp_path / "missing.db"))) as c:
        r = c.get("/api/stories")
        assert r.status_code == 503 and r.json()["error"]["code"] == "E200"
        assert c.get("/").status_code == 503


def test_help():
    for cmd in ("serve", "demo"):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0 and "--port" in result.output and "--db" in result.output


def test_serve_without_an_archive_says_so_and_exits(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing.db"), "--port", "9"])
    assert result.exit_code == 2
    assert "no archive at" in result.output and len(result.output.strip().splitlines()) == 1


def test_demo_removes_its_temporary_folder_when_interrupted(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr("marsad.web.demo.SAMPLE_FILES", ("aawsat-page-2025.jsonl",))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("marsad.web.serve", interrupted)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 130 and "interrupted" in result.output
    assert not list(tmp_path.glob("marsad-demo-*"))


def test_demo_removes_its_temporary_folder_when_terminated(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from tests.web.test_browser import free_port

    code = ("import sys, tempfile; import marsad.web.demo as d; tempfile.tempdir = sys.argv[1]; "
            "d.SAMPLE_FILES = ('aawsat-page-2025.jsonl',); d.run_demo(port=int(sys.argv[2]))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(free_port())],
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "serving" in line:
                break
        assert list(tmp_path.glob("marsad-demo-*"))
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert proc.wait(timeout=180) != 0  # generous: shared machines under heavy load are slow to stop
    finally:
        proc.kill()
    assert not list(tmp_path.glob("marsad-demo-*"))
