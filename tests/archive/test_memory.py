"""Memory bounded by design: parsing and analyzing a page for the archive take a few times its size,
however it is laid out (bench/memory.py measures whole ingests against page size)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from importlib import resources

import pytest

from marsad.parse import parse_bytes
from marsad.pipeline.stages import preparers

MB = 2**20


def _page(size: int, sep: str) -> bytes:
    sample = resources.files("marsad.data.sample").joinpath("ant-multisource-sample.jsonl.gz")
    with gzip.open(sample.open("rb"), "rt", encoding="utf-8") as f:
        paras = [p for line in f for p in json.loads(line)["text"].split("\n") if len(p) > 40]
    out, n, i = ["خطة حكومية جديدة لدعم المزارعين في المناطق الريفية\n\n"], 0, 0
    while n < size:
        out.append(paras[i % len(paras)] + sep)
        n += len(out[-1].encode())
        i += 1
    return "".join(out).encode()


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("sep", ["\n\n", " "], ids=["paragraphs", "one-line"])
def test_parsing_and_analyzing_a_big_page_take_a_few_times_its_size(sep):
    stages = preparers(relate=True)
    data = _page(MB, sep)
    page = parse_bytes(data, "big.txt")
    for prepare in stages.values():  # fills the caches of words seen (bounded, whatever the page size)
        prepare(page.articles[0])
    assert _peak(lambda: parse_bytes(data, "big.txt")) < 8 * len(data)  # was 40 times for one line
    for name, prepare in stages.items():
        assert _peak(lambda p=prepare: p(page.articles[0])) < 10 * len(data), name  # relate: was 40 times
