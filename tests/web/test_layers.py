"""The web layer over the archive's interfaces: lent archives, reads off the event loop, any backend."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from marsad.errors import ArchiveError, NotFound
from marsad.settings import load
from marsad.web.deps import ArchivePool
from tests.web.test_hardening import slow_request

URL = "postgresql://marsad:s3cret@db.example.org:5433/news"
ROOT = Path(__file__).resolve().parents[2] / "marsad"
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE)\s+\S")
# Modules that other parts of the storage re-lay move over: drop each once its own change lands.
def test_a_server_database_has_no_file_to_look_at():
    pool = ArchivePool(load(URL))
    assert pool._current() == 0  # no stat of a file named like the URL, no "archive is gone"


def test_a_gone_archive_file_is_named_not_located(tmp_path):
    pool = ArchivePool(load(tmp_path / "gone.db"))
    with pytest.raises(ArchiveError, match="gone.db is gone") as e:
        pool._current()
    assert str(tmp_path) not in e.value.message


def test_an_archive_whose_job_failed_is_not_lent_again(demo_db):
    pool = ArchivePool(load(demo_db))
    try:
        with pool.lent() as first:
            pass
        with pytest.raises(NotFound), pool.lent() as again:  # the request's fault: the archive is sound
            assert again is first
            again.get("no-such-article")
        with pytest.raises(ArchiveError), pool.lent() as broken:
            assert broken is first
            raise ArchiveError("the connection to the server was lost")
        with pool.lent() as fresh:
            assert fresh is not first and fresh.count() > 0
    finally:
        pool.close()


def test_a_slow_page_read_never_holds_up_other_pages(client, monkeypatch, aawsat_id):
    with slow_request(client, monkeypatch, "article", f"/articles/{aawsat_id}"):
        assert client.get(f"/api/articles/{aawsat_id}").status_code == 200
        assert client.get("/api/entities?limit=1").status_code == 200
        assert client.get("/entities").status_code == 200


def test_error_messages_hide_a_server_password():
    from marsad.web.errors import _without_location

    shown = _without_location(f"cannot reach {URL}: password s3cret refused", URL)
    assert "s3cret" not in shown and "postgresql://marsad@db.example.org:5433/news" in shown


def _modules():
    for folder in ("web", "cli", "search", "relate", "pipeline", "engine", "enrich", "parse", "arabic"):
        for path in sorted((ROOT / folder).glob("*.py")):
            yield f"{folder}/{path.name}", ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "tree"), list(_modules()), ids=lambda x: x if isinstance(x, str) else "")
def test_web_and_cli_use_only_the_archive_interfaces(name, tree):
    for node in ast.walk(tree):
        where = (name, getattr(node, "lineno", None))
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(m.split(".")[0] == "sqlite3" or ".sqlite" in m for m in modules), where
        # An archive's connection (``arc.backend.conn``); the HTTP server's own ``self.conn`` is no database.
        assert not (isinstance(node, ast.Attribute) and node.attr == "conn"
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")), where
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and SQL.search(node.value)), where
