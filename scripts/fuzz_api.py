"""A longer fuzz run of the JSON API than the suite's: the same schemathesis test with more examples.

Every operation of the OpenAPI document gets --examples generated requests (valid and invalid); the run
fails on any 500, undeclared status or answer that does not match its declared schema.
Usage: python3 scripts/fuzz_api.py [--examples 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=1000, help="generated requests per operation")
    args = ap.parse_args()
    env = {**os.environ, "MARSAD_FUZZ_EXAMPLES": str(args.examples)}
    cmd = [sys.executable, "-m", "pytest", "tests/web/test_fuzz.py", "-p", "no:cacheprovider"]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
