"""Shared test fixtures. Data beside the checkout lives in ``../shared``, or where MARSAD_SHARED says.

Skip policy: outside CI, tests that need the shared data skip when it is missing. In CI (``CI=true``)
nothing skips quietly: missing shared data fails those tests, and any skip other than an optional
extra that is not installed (``pytest.importorskip``) is reported as a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

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
