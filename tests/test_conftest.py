"""The suite's skip policy: in CI nothing skips quietly (see tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = '''
import pytest

def test_needs_shared(shared):
    assert shared.is_dir()

def test_optional_extra():
    pytest.importorskip("a_module_that_is_not_installed")

def test_other_skip():
    pytest.skip("some environment reason")
'''


def _run(tmp_path: Path, ci: bool) -> str:
    probe = ROOT / "tests" / f"test_probe_{os.getpid()}.py"
    probe.write_text(PROBE, "utf-8")
    env = {**os.environ, "MARSAD_SHARED": str(tmp_path / "nowhere"), "CI": "true" if ci else ""}
    try:
        out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q",
                              str(probe)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        probe.unlink()
    return out.stdout


def test_outside_ci_missing_shared_data_skips_and_names_marsad_shared(tmp_path):
    out = _run(tmp_path, ci=False)
    assert out.count("SKIPPED") == 3 and "set MARSAD_SHARED" in out, out


def test_in_ci_missing_shared_data_and_other_skips_fail_and_only_a_missing_extra_skips(tmp_path):
    out = _run(tmp_path, ci=True)
    failed = sorted(line for line in out.splitlines() if line.startswith(("FAILED", "ERROR")))
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(failed) == 2 and len(skipped) == 1, out
    assert "test_needs_shared" in failed[0] and "test_other_skip" in failed[1]  # ERROR sorts first
    assert "set MARSAD_SHARED" in out and "a_module_that_is_not_installed" in skipped[0]
