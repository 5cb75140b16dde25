"""The JSON API fuzzed from its own OpenAPI document with schemathesis: no 500, and every answer (errors
included) has a declared status and matches its declared schema. A bounded run; ``scripts/fuzz_api.py``
runs longer."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from marsad.settings import load
from marsad.web import create_app
from tests.web.conftest import MAX_INGEST, TOKEN, copy_archive

EXAMPLES = int(os.environ.get("MARSAD_FUZZ_EXAMPLES", "25"))  # per operation; about a minute in all
# Well-formed values the API refuses on purpose, each with a declared 400: a search over its cost
# budget. They are checked for their status and shape like any answer.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="session")
def fuzzed_app(demo_db, tmp_path_factory):
    """The app over a copy of the demo archive: fuzzed ingests must not change what other tests read."""
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    copy_archive(demo_db, db)
    app = create_app(load(db, ingest_token=TOKEN, max_ingest_bytes=MAX_INGEST))
    app.state.strikes.most = 10**9  # never held back (test_throttle tests that): no delayed 429s here
    return app


@pytest.fixture(scope="session")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck), deadline=None)
def test_api_answers_as_declared(case):
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method == "POST" else None
    excluded = list(EXCLUDED)
    if case.media_type and case.media_type != "application/json":
        excluded.append(negative_data_rejection)  # a raw page is any bytes: no body of it is malformed
    case.call_and_validate(headers=headers, excluded_checks=excluded)
