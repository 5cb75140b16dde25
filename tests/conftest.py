"""Shared test fixtures. Data beside the checkout lives in ``../shared``, or where MARSAD_SHARED says.

Archives on both backends: a test that takes ``new_db`` (a factory of fresh archive names) or
``arc`` runs once on SQLite and once on PostgreSQL, on the server at ``MARSAD_TEST_PG`` (a URL of a
database where the tests may create schemas; ``scripts/postgres.sh start`` runs one and prints it).
Each PostgreSQL archive is a schema of its own, dropped after the test. ``@pytest.mark.backends("sqlite")``
keeps a test to the backends named.

Skip policy: outside CI, tests that need the shared data skip when it is missing. In CI (``CI=true``)
nothing skips quietly: missing shared data fails those tests, and any skip other than an optional
extra that is not installed (``pytest.importorskip``) is reported as a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import settings

# Shared, loaded machines: no per-example deadline; in CI, the same examples on every run.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
settings.load_profile("ci" if IN_CI else "dev")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED") or ROOT.parent / "shared")
_MISSING = f"the shared data folder is missing ({SHARED}): set MARSAD_SHARED to its path"
# The reason pytest.importorskip gives: an optional extra is not installed.
_OPTIONAL_EXTRA = "could not import"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        if IN_CI:
            pytest.fail(_MISSING, pytrace=False)
        pytest.skip(_MISSING)
    return SHARED


BACKENDS = ("sqlite", "postgres")
PG_URL = os.environ.get("MARSAD_TEST_PG", "")
_NO_PG = "no PostgreSQL server for the tests: set MARSAD_TEST_PG (`eval $(bash scripts/postgres.sh start)`)"


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): run only on these archive backends")


def pytest_generate_tests(metafunc):
    """Every test that uses an archive fixture runs on each backend."""
    if "archive_backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        metafunc.parametrize("archive_backend", marker.args if marker else BACKENDS)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of a PostgreSQL database the tests may create schemas in."""
    if not PG_URL:
        if IN_CI:
            pytest.fail(_NO_PG, pytrace=False)
        pytest.skip(_NO_PG)
    return PG_URL


def pg_schema_url(url: str, schema: str) -> str:
    """``url`` with its connections working in ``schema``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def new_db(request, tmp_path, archive_backend):
    """``new_db(name)``: the name of an archive on the backend under test, empty at first use of
    ``name``: a file for SQLite, a URL of a fresh schema for PostgreSQL (dropped after the test)."""
    if archive_backend == "sqlite":
        yield lambda name="a.db": str(tmp_path / name)
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    schemas: dict[str, str] = {}

    def make(name: str = "a.db") -> str:
        if name not in schemas:
            schemas[name] = f"test_{uuid.uuid4().hex[:16]}"
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schemas[name]}")
        return pg_schema_url(server, schemas[name])

    yield make
    if schemas:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '10s'")
            for schema in schemas.values():
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, a skip for any reason but a missing optional extra fails the test."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if _OPTIONAL_EXTRA not in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where nothing may skip but a missing optional extra: {reason}"
