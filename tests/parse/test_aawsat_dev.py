"""The labelled Asharq Al-Awsat dev pages (read from ../shared, never copied here), scored with the
checks bench/parse.py reports: every page kind parses to its labels through ``parse_bytes``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED

DEV = SHARED / "data/aawsat-dev"
# Known misses: the news print page prints its overline and its two headline lines run together, the
# lines reversed; nothing in the text marks where the overline ends, so headline and deck stay joined.
KNOWN_MISSES = {23: {"article 0 headline", "article 0 deck"}}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_parse", ROOT / "bench/parse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows() -> list[tuple[int, dict, dict]]:
    if not DEV.is_dir():
        return []
    pages, golds = ((DEV / name).read_text("utf-8").splitlines()
                    for name in ("pages.jsonl", "pages.gold.jsonl"))
    return [(n, json.loads(p), json.loads(q)) for n, (p, q) in enumerate(zip(pages, golds, strict=True), 1)]


@pytest.mark.parametrize(("n", "page", "gold"), _rows(), ids=lambda x: str(x) if isinstance(x, int) else "")
def test_dev_page_parses_to_its_labels(shared: Path, n: int, page: dict, gold: dict) -> None:
    checks = _bench().page_checks(page["text"], page["url"], gold)
    failed = {name for name, ok in checks if not ok}
    assert failed == KNOWN_MISSES.get(n, set()), gold["notes"]


def test_dev_set_is_there(shared: Path) -> None:
    assert len(_rows()) == 23
