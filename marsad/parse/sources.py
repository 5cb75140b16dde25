"""Files, folders, JSONL, WARC and feeds → a stream of :class:`Page` or :class:`Failure`.

A bad input (missing, unreadable, binary, too large, holding no Arabic news)
becomes a Failure with its source and reason, and the stream goes on.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import json
import lzma
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from marsad.errors import MarsadError, TooLarge
from marsad.model import Failure, Page
from marsad.parse.folders import folder_files
from marsad.parse.page import check_news, parse_bytes
from marsad.parse.records import record_to_page
from marsad.validate import validate_page

JSONL = (".jsonl", ".jsonl.gz", ".jsonl.xz", ".jsonl.bz2", ".ndjson")
WARC = (".warc", ".warc.gz", ".arc", ".arc.gz")
OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}
# Content types hinted by file extensions; anything else is sniffed from the bytes.
_CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".xhtml": "text/html",
                  ".json": "application/json", ".rss": "application/rss+xml", ".atom": "application/atom+xml"}
# WARC records of these content types can hold a news page.
_PAGE_TYPES = ("html", "xml", "text/plain", "json")
_RECORD_START = re.compile(rb"\nWARC/1\.[01]\r\n")
_SKIP_BYTES = 1 << 20  # read at a time while skipping the rest of an overlong line
CORRUPT = (EOFError, lzma.LZMAError, gzip.BadGzipFile, zlib.error, OSError)


def iter_pages(paths: Iterable[str | os.PathLike], *,
               max_bytes: int | None = None) -> Iterator[Page | Failure]:
    """Every page in the given files and folders (recursively), or a Failure for each bad input.

    ``max_bytes`` (default: Settings.max_page_bytes) bounds one page; larger pages are refused.
    """
    if max_bytes is None:
        from marsad.settings import load

        max_bytes = load().max_page_bytes
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files, skipped = folder_files(path)  # READMEs, expected outputs, images: not pages
            if not files and not skipped:
                yield Failure(str(path), "read", "folder holds no files")
            for file in files:
                yield from iter_file(file, max_bytes)
        elif path.exists():
            yield from iter_file(path, max_bytes)
        else:
            yield Failure(str(path), "read", "no such file or folder")


def iter_file(path: Path, max_bytes: int) -> Iterator[Page | Failure]:
    name = path.name.lower()
    try:
        if name.endswith(JSONL):
            yield from _iter_jsonl(path, max_bytes)
        elif name.endswith(WARC):
            yield from _iter_warc(path, max_bytes)
        else:
            yield _single_page(path, max_bytes)
    except UnicodeDecodeError:
        yield Failure(str(path), "read", "not UTF-8 text")
    except CORRUPT as e:
        yield Failure(str(path), "read", os_reason(e))


def _single_page(path: Path, max_bytes: int) -> Page | Failure:
    suffix = path.suffix.lower()
    opener = OPENERS.get(suffix)
    inner = Path(path.stem) if opener else path  # page.html.gz is read as page.html
    if not opener and path.stat().st_size > max_bytes:
        return _failure(str(path), TooLarge(f"file is {path.stat().st_size:,} bytes, above the "
                                            f"{max_bytes:,}-byte limit (MARSAD_MAX_PAGE_BYTES)"))
    with (opener or open)(path, "rb") as f:
        data = f.read(max_bytes + 1)
    content_type = _CONTENT_TYPES.get(inner.suffix.lower())
    return guarded(str(path), lambda: parse_bytes(data, str(path), content_type, max_bytes=max_bytes))


def _iter_jsonl(path: Path, max_bytes: int) -> Iterator[Page | Failure]:
    opener = OPENERS.get(path.suffix.lower(), open)
    with opener(path, "rb") as f:
        for n, line in lines(f, max_bytes):
            item = jsonl_record(f"{path}#{n}", line, max_bytes)
            if item is not None:
                yield item


def jsonl_record(source: str, line: bytes | None, max_bytes: int) -> Page | Failure | None:
    """The page of one JSONL line (None for a blank line; ``line`` None: it was over ``max_bytes``)."""
    if line is None:
        return _failure(source, TooLarge(f"record is over the {max_bytes:,}-byte limit"))
    if not line.strip():
        return None
    try:
        record = json.loads(line.removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    except UnicodeDecodeError:
        return Failure(source, "read", "not UTF-8 text")
    except (ValueError, RecursionError) as e:
        return Failure(source, "read", f"invalid JSON ({e})")
    return guarded(source, lambda: _checked(record_to_page(record, source)))


def lines(f, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(number, bytes) of each line of a binary file, or (number, None) for a line over ``max_bytes``:
    it is skipped a block at a time, so no line longer than the limit is ever held whole, even
    while it is being decompressed."""
    n = 0
    while line := f.readline(max_bytes + 1):
        n += 1
        if len(line) <= max_bytes:
            yield n, line
            continue
        while not line.endswith(b"\n") and (line := f.readline(_SKIP_BYTES)):
            pass
        yield n, None


def _iter_warc(path: Path, max_bytes: int) -> Iterator[Page | Failure]:
    """The pages of a WARC file. In an uncompressed file, a record whose Content-Length runs past
    its end swallows the records after it: they are found again by their ``WARC/1.x`` lines, read,
    and reported; the long record itself is cut where the next one starts."""
    compressed = path.suffix.lower() == ".gz"
    with (gzip.open if compressed else open)(path, "rb") as f:
        magic = f.read(8)
    if not magic.startswith((b"WARC/", b"filedesc")):
        yield Failure(str(path), "read", "not a WARC or ARC file")
        return
    seen: set[int] = set()
    yield from _warc_records(path, 0, max_bytes, seen)
    if compressed:
        return  # each record is a gzip member of its own: a wrong length cannot hide the next one
    for offset in _record_starts(path):
        if offset not in seen:
            yield Failure(f"{path}@{offset:,}", "read", "a record hidden by the overlong Content-Length of "
                                                         "the record before it; read again from here")
            yield from _warc_records(path, offset, max_bytes, seen)


def _warc_records(path: Path, start: int, max_bytes: int, seen: set[int]) -> Iterator[Page | Failure]:
    """The pages of the records from byte ``start`` on, until the file ends or stops being readable;
    the offsets of the records read go to ``seen``."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with open(path, "rb") as f, contextlib.redirect_stderr(io.StringIO()):  # warcio prints its warnings
        f.seek(start)
        records = ArchiveIterator(f, arc2warc=True)
        try:
            for record in records:
                item = _warc_page(path, record, max_bytes)
                offset = records.get_record_offset()  # from the file start; reads the record to its end
                if offset in seen:
                    return  # read before: the rest was read from here too
                seen.add(offset)
                if item is not None:
                    yield item
        except ArchiveLoadFailed as e:
            yield Failure(str(path) if start == 0 else f"{path}@{start:,}", "read",
                          f"not a readable WARC file ({e})")


def _record_starts(path: Path, chunk: int = 1 << 20) -> Iterator[int]:
    """Offsets of the lines that open a WARC record (``WARC/1.0`` or ``WARC/1.1``) after the first."""
    with open(path, "rb") as f:
        base, tail = 0, b""
        while block := f.read(chunk):
            data = tail + block
            for m in _RECORD_START.finditer(data):
                yield base - len(tail) + m.start() + 1
            tail = data[-16:]
            base += len(block)


def _warc_page(path: Path, record, max_bytes: int) -> Page | Failure | None:
    """The page of a WARC response or resource record; None for records that hold no page."""
    if record.rec_type not in ("response", "resource"):
        return None
    http = record.http_headers
    if http is not None and not (http.get_statuscode() or "").startswith("2"):
        return None  # redirects and errors
    content_type = (http.get_header("Content-Type") if http is not None
                    else record.rec_headers.get_header("Content-Type")) or ""
    if content_type and not any(t in content_type.lower() for t in _PAGE_TYPES):
        return None  # images, scripts, style sheets
    uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Record-ID")
    source = f"{path}#{uri}"
    data = record.content_stream().read(max_bytes + 1)
    cut = data.find(b"\r\n\r\nWARC/1.")
    if cut >= 0:  # the Content-Length ran into the next record
        data = data[:cut]
    page = guarded(source, lambda: parse_bytes(data, source, content_type or None, max_bytes=max_bytes))
    if isinstance(page, Page):
        for article in page.articles:
            article.url = article.url or uri
            if cut >= 0:
                article.warnings.append("the record's Content-Length runs into the next record: cut there")
    return page


def _checked(page: Page) -> Page:
    validate_page(page)
    check_news(page)
    return page


def guarded(source: str, parse: Callable[[], Page]) -> Page | Failure:
    """The page ``parse`` returns, or a Failure: one bad page must not stop a batch."""
    try:
        return parse()
    except MarsadError as e:
        return _failure(source, e)
    except RecursionError:
        return Failure(source, "parse", "page is nested too deeply to parse")
    except Exception as e:  # a parser bug on one odd page is reported, never a traceback
        return Failure(source, "parse", f"unexpected {type(e).__name__}: {e}")


def _failure(source: str, error: MarsadError) -> Failure:
    return Failure(source, "read" if isinstance(error, TooLarge) else "parse", error.message)


def os_reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    return f"corrupt or truncated file ({e})"
