"""Splitting a job into partitions that workers read on their own, each once.

An ingest's inputs are cut by file and by record or byte range:

- an uncompressed JSONL file into byte ranges that start on a line, ``size`` records each; a worker
  reads its range and nothing else;
- a compressed JSONL file into ranges of ``size`` record numbers. A compressed stream cannot be
  entered in the middle, so the client decompresses each file once, in order, and hands each
  partition its lines as it is sent (:func:`with_lines`); the file is read through once, not once a
  partition. A partition sent without its lines (the client could not read them) is read by its
  worker from the start of the file, which then reports what is wrong with it;
- a WARC file whole (its records are found by reading it through);
- other files (one page each) in groups of ``size`` files.

A re-enrichment's partitions are ranges of the archive's article keys. Planning reads each JSONL file
once (to find where lines start); workers never read what another partition holds. Each partition
has a key that names its input and range and, for files, their size and modification time: a changed
input makes new partitions, so that a rerun does not take the old ones for done.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from marsad.model import Failure, Page
from marsad.parse.folders import folder_files
from marsad.parse.sources import CORRUPT, JSONL, OPENERS, WARC, iter_file, jsonl_record, lines, os_reason

_CHUNK = 1 << 20  # bytes read at a time while finding where lines start


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of work: ``kind`` "files", "bytes", "records" or "keys"."""

    seq: int  # its place in the plan: relating takes the partitions in this order
    kind: str
    files: tuple[tuple[str, str], ...] = ()  # (absolute path, the path as given, for sources)
    start: int = 0  # bytes: first byte; records: first record number; keys: first key
    stop: int = 0  # the byte, record number or key after the last
    line: int = 1  # bytes: the number of the line at ``start``
    stamp: str = ""  # size and modification time of its files
    # records: its (line number, line) pairs, read by the client (not part of its key)
    lines: tuple[tuple[int, bytes | None], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        names = "|".join(name for _, name in self.files)
        return f"{self.kind}:{names}:{self.start}-{self.stop}:{self.stamp}"

    @property
    def label(self) -> str:
        """How failures of the partition as a whole name it."""
        if self.kind == "files":
            more = len(self.files) - 1
            return self.files[0][1] + (f" (and {more} more files)" if more else "")
        if self.kind == "keys":
            return f"stored articles {self.start:,}-{self.stop - 1:,}"
        unit = "bytes" if self.kind == "bytes" else "records"
        return f"{self.files[0][1]} ({unit} {self.start:,}-{self.stop - 1:,})"


def plan(paths: Iterable[str | os.PathLike], size: int) -> tuple[list[Partition], list[Failure]]:
    """The partitions of an ingest of ``paths`` in input order, and the inputs that cannot be read."""
    parts: list[Partition] = []
    failures: list[Failure] = []
    pages: list[Path] = []  # one-page files waiting to fill a group

    def flush() -> None:
        for i in range(0, len(pages), size):
            parts.append(_files(len(parts), pages[i:i + size]))
        pages.clear()

    for file in _files_of(paths, failures):
        name = file.name.lower()
        if not name.endswith((*JSONL, *WARC)):
            pages.append(file)
            continue
        flush()
        try:
            jsonl = name.endswith(JSONL)
            parts.extend(_cut(len(parts), file, size) if jsonl else [_files(len(parts), [file])])
        except (UnicodeDecodeError, *CORRUPT) as e:
            failures.append(Failure(str(file), "read", os_reason(e)))
    flush()
    return parts, failures


def key_ranges(span: tuple[int, int] | None, size: int) -> list[Partition]:
    """Partitions of stored articles: the key ranges of ``size`` keys, on multiples of ``size``, that
    hold the smallest to the largest. Fixed bounds: articles stored later add ranges after these,
    and do not change the ranges (nor the partitions finished) before them."""
    if span is None:
        return []
    low, high = span
    return [Partition(seq, "keys", start=k, stop=k + size)
            for seq, k in enumerate(range(low - low % size, high + 1, size))]


def read(part: Partition, max_bytes: int) -> Iterator[Page | Failure]:
    """The pages of one partition of an ingest (a Failure for each bad input, as ``iter_pages``)."""
    try:
        if part.kind == "files":
            for path, name in part.files:
                yield from (_named(item, path, name) for item in iter_file(Path(path), max_bytes))
        else:
            yield from _records(part, max_bytes)
    except UnicodeDecodeError:
        yield Failure(part.files[0][1], "read", "not UTF-8 text")
    except CORRUPT as e:
        yield Failure(part.files[0][1], "read", os_reason(e))


def with_lines(parts: Iterable[Partition], max_bytes: int) -> Iterator[Partition]:
    """``parts`` in order, each record range carrying its lines, read by one pass through each
    compressed file (lines of partitions left out, finished before, are passed over). When a file
    cannot be read through, its remaining partitions go without lines: a worker then reads the
    file itself and reports the failure as it reports any input's."""
    reader: tuple[str, Iterator[tuple[int, bytes | None]]] | None = None
    stream = None
    broken: set[str] = set()
    try:
        for part in parts:
            path = part.files[0][0] if part.kind == "records" else None
            if path is None or path in broken:
                yield part
                continue
            if reader is None or reader[0] != path:
                if stream is not None:
                    stream.close()
                stream = OPENERS[Path(path).suffix.lower()](path, "rb")
                reader = (path, lines(stream, max_bytes))
            try:
                taken = _take(reader[1], part.start, part.stop)
            except CORRUPT:
                broken.add(path)
                reader = None
                yield part
                continue
            yield replace(part, lines=taken)
    finally:
        if stream is not None:
            stream.close()


def _take(numbered: Iterator[tuple[int, bytes | None]], start: int, stop: int) -> tuple:
    """The (number, line) pairs of lines ``start`` to ``stop`` - 1, read on from where the last
    call stopped (ranges come in increasing order)."""
    taken = []
    for n, line in numbered:
        if n >= start:
            taken.append((n, line))
        if n >= stop - 1:
            break
    return tuple(taken)


def _files_of(paths: Iterable[str | os.PathLike], failures: list[Failure]) -> Iterator[Path]:
    """The files of the inputs in the order ``iter_pages`` reads them."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files, skipped = folder_files(path)
            if not files and not skipped:
                failures.append(Failure(str(path), "read", "folder holds no files"))
            yield from files
        elif path.exists():
            yield path
        else:
            failures.append(Failure(str(path), "read", "no such file or folder"))


def _stamp(files: list[Path]) -> str:
    stats = [f.stat() for f in files]
    return ",".join(f"{s.st_size}@{s.st_mtime_ns}" for s in stats)


def _files(seq: int, files: list[Path]) -> Partition:
    return Partition(seq, "files", tuple((str(f.resolve()), str(f)) for f in files), stamp=_stamp(files))


def _cut(seq: int, file: Path, size: int) -> list[Partition]:
    """A JSONL file's partitions: byte ranges when it is uncompressed, else record ranges."""
    opener = OPENERS.get(file.suffix.lower())
    with (opener or open)(file, "rb") as f:
        starts, end, count = _line_starts(f, size)
    files, stamp = ((str(file.resolve()), str(file)),), _stamp([file])
    if opener is None:
        bounds = [*starts, (end, 0)]
        return [Partition(seq + i, "bytes", files, a[0], b[0], a[1], stamp)
                for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)) if a[0] < b[0]]
    numbers = [line for _, line in starts if line <= count] + [count + 1]
    return [Partition(seq + i, "records", files, a, b, stamp=stamp)
            for i, (a, b) in enumerate(zip(numbers, numbers[1:], strict=False))]


def _line_starts(f, every: int) -> tuple[list[tuple[int, int]], int, int]:
    """(byte offset, line number) of line 1 and of every ``every``-th line after it, the stream's
    length, and its number of lines (a last line without a newline counts)."""
    starts, newlines, base, last = [(0, 1)], 0, 0, b"\n"
    while block := f.read(_CHUNK):
        pos = 0
        while newlines + block.count(b"\n", pos) >= len(starts) * every:
            while newlines < len(starts) * every:
                pos = block.index(b"\n", pos) + 1
                newlines += 1
            starts.append((base + pos, newlines + 1))
        newlines += block.count(b"\n", pos)
        base, last = base + len(block), block[-1:]
    return starts, base, newlines + (last != b"\n")


def _records(part: Partition, max_bytes: int) -> Iterator[Page | Failure]:
    """The pages of a byte or record range of one JSONL file."""
    path, name = part.files[0]
    if part.kind == "bytes":
        with open(path, "rb") as f:
            f.seek(part.start)
            data = io.BytesIO(f.read(part.stop - part.start))
        numbered = ((part.line + n - 1, line) for n, line in lines(data, max_bytes))
    elif part.lines is not None:
        data, numbered = io.BytesIO(), iter(part.lines)
    else:
        f = OPENERS[Path(path).suffix.lower()](path, "rb")
        data = f
        numbered = ((n, line) for n, line in lines(f, max_bytes) if n >= part.start)
    with data:
        for n, line in numbered:
            if part.kind == "records" and n >= part.stop:
                return
            item = jsonl_record(f"{name}#{n}", line, max_bytes)
            if item is not None:
                yield item


def _named(item: Page | Failure, path: str, name: str) -> Page | Failure:
    """``item`` with its sources naming the input as it was given rather than by its absolute path."""
    def named(source: str | None) -> str | None:
        return name + source[len(path):] if source and source.startswith(path) else source

    item.source = named(item.source)
    for article in getattr(item, "articles", ()):
        article.source = named(article.source)
    return item
