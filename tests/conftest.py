"""Shared test fixtures. Data beside the checkout lives in ``../shared``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Shared, loaded machines: no per-example deadline; in CI, the same examples on every run.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("the shared data folder is not beside the checkout")
    return SHARED
