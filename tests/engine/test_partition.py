"""Partitions: each record read by exactly one partition, in input order, named as a plain read names it."""

from __future__ import annotations

import gzip
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.engine import partition
from marsad.engine.partition import key_ranges, plan, read, with_lines
from marsad.model import Failure
from marsad.parse import iter_pages

LIMIT = 1 << 20


def sources(items) -> list[tuple[str, str]]:
    out = []
    for item in items:
        if isinstance(item, Failure):
            out.append((item.source, item.stage))
        else:
            out.extend((a.source or item.source, a.headline) for a in item.articles)
    return out


def read_all(parts) -> list:
    return [item for part in parts for item in read(part, LIMIT)]


def test_each_kind_of_input_is_cut_and_read_once_in_input_order(inputs, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "README.md").write_text("not a page")
    with gzip.open(inputs[1]) as f:
        for n in range(3):
            (pages / f"p{n}.json").write_bytes(f.readline())
    paths = [*inputs, pages, tmp_path / "missing.jsonl"]
    parts, failures = plan(paths, 50)
    kinds = [p.kind for p in parts]
    assert kinds == ["bytes"] * 3 + ["records"] * 6 + ["files"]
    assert [p.seq for p in parts] == list(range(len(parts)))
    assert failures == [Failure(str(tmp_path / "missing.jsonl"), "read", "no such file or folder")]
    expected = [s for s in sources(iter_pages(paths, max_bytes=LIMIT)) if s[1] != "read"]
    assert sources(read_all(parts)) == expected
    assert len({p.key for p in parts}) == len(parts)


def test_a_changed_input_makes_new_partitions(inputs, tmp_path):
    copy = tmp_path / "copy.jsonl"
    shutil.copy(inputs[0], copy)
    before = [p.key for p in plan([copy], 50)[0]]
    with open(copy, "ab") as f:
        f.write(b"\n")
    assert not set(before) & {p.key for p in plan([copy], 50)[0]}


@given(lengths=st.lists(st.integers(0, 40), max_size=30), size=st.integers(1, 7),
       newline_at_end=st.booleans(), compressed=st.booleans(), sent=st.booleans(),
       left=st.sets(st.integers(0, 30)))
def test_any_cut_of_a_jsonl_file_reads_every_line_once(tmp_path_factory, lengths, size, newline_at_end,
                                                       compressed, sent, left):
    """Each partition reads its own lines, whether its worker reads the file or the client sends
    the lines (with_lines), and whichever partitions were finished before and are left out."""
    folder = tmp_path_factory.mktemp("cut")
    lines = [b"x" * n for n in lengths]
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    path = folder / ("f.jsonl.gz" if compressed else "f.jsonl")
    path.write_bytes(gzip.compress(data) if compressed else data)
    parts, _ = plan([path], size)
    want = sources(iter_pages([path], max_bytes=LIMIT))
    assert sources(read_all(parts)) == want  # every non-blank line fails to parse, named by its number
    assert all(p.stop > p.start for p in parts)
    if sent:
        todo = [p for p in parts if p.seq not in left]
        assert [sources(read(p, LIMIT)) for p in with_lines(todo, LIMIT)] == \
            [sources(read(p, LIMIT)) for p in todo]


def test_the_client_reads_a_compressed_file_once_for_all_its_partitions(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(b'{"n": %d}\n' % n for n in range(100))))
    parts, _ = plan([path], 10)
    opened = []
    real = partition.OPENERS[".gz"]
    monkeypatch.setitem(partition.OPENERS, ".gz", lambda *a: opened.append(a) or real(*a))
    sent = list(with_lines(parts, LIMIT))
    assert len(parts) == 10 and len(opened) == 1
    assert [[n for n, _ in p.lines] for p in sent] == [list(range(k, k + 10)) for k in range(1, 101, 10)]
    assert [p.key for p in sent] == [p.key for p in parts]


def test_a_compressed_file_broken_midway_is_reported_by_the_partitions_it_breaks(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    whole = gzip.compress(b"".join(b'{"headline": "h%d", "body": "b"}\n' % n for n in range(5000)))
    path.write_bytes(whole[:len(whole) // 2])
    parts, failures = plan([path], 1000)
    assert not parts and failures[0].source == str(path)  # planning reads it through first
    path.write_bytes(whole)
    parts, _ = plan([path], 1000)
    path.write_bytes(whole[:len(whole) // 2])  # broken after planning, before the client reads it
    sent = list(with_lines(parts, LIMIT))
    assert sent[0].lines is not None and sent[-1].lines is None
    assert any(isinstance(i, Failure) and i.stage == "read" for i in read(sent[-1], LIMIT))


@pytest.mark.parametrize(("span", "size", "want"), [
    (None, 10, []), ((1, 1), 10, [(0, 10)]), ((3, 25), 10, [(0, 10), (10, 20), (20, 30)]),
    ((10, 20), 10, [(10, 20), (20, 30)])])
def test_key_ranges_cover_the_span_on_multiples_of_the_size(span, size, want):
    assert [(p.start, p.stop) for p in key_ranges(span, size)] == want


def test_articles_stored_later_add_key_ranges_and_change_none_before():
    before, after = key_ranges((3, 25), 10), key_ranges((3, 47), 10)
    assert [p.key for p in after[:len(before)]] == [p.key for p in before]
    assert [(p.seq, p.start) for p in after[len(before):]] == [(3, 30), (4, 40)]
