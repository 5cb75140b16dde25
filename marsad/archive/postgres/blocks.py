"""The search postings on PostgreSQL in blocks: per term, rows of packed arrays read whole.

A row of ``search_blocks`` holds one term's postings for up to :data:`CAP` articles, sorted by key:
the keys (int8), the articles' lengths (int4) and the term's count in each index column (int2, one
run of columns per article), all big-endian, so that SQL (``int8send``) and numpy read and write the
same bytes. A query reads a term in a few rows, however common it is, and scores them in numpy.

Each indexed batch adds a block per term it holds (append-only: concurrent ingesters never touch the
same row). Blocks are merged as they accumulate, by size class (a level per factor of :data:`FANOUT`):
when an ingester has written FANOUT blocks of one level for a term, the term's blocks of that level are
merged into one of a higher level (:class:`Merger`), and merged blocks are cut at CAP articles. A
posting is so rewritten a few times at most (once per level), and a term holds a few blocks per level
beside its full ones. Taking an article out rewrites the blocks that hold its terms. Merges and
removals take one transaction-scoped advisory lock, so that two of them never lock the same blocks in
different orders.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import count

import numpy as np
import psycopg

BLOCKS = "search_blocks"
CAP, FANOUT = 4096, 16  # articles per full block; blocks of one level merged at once
FULL = 3  # the level of a full block (CAP = FANOUT ** FULL): never merged
_KEY, _DL, _COUNT = np.dtype(">i8"), np.dtype(">i4"), np.dtype(">i2")
TOP = chr(0x10FFFF)  # above every character: a prefix's terms are those from it to it + TOP
_EMPTY = np.zeros(0, np.int64)
_MAX_COUNT = 32767  # a term's count in one column of one article is kept as an int2
_MERGE_LOCK = 0x6D61_726D  # the advisory lock key of merging and rewriting blocks ("marm")
_COLUMNS = "term, lo, hi, n, level, keys, dls, counts"
_TYPES = ["text", "int8", "int8", "int4", "int2", "bytea", "bytea", "bytea"]


def create_sql() -> str:
    return f"""
CREATE TABLE {BLOCKS} (
    id bigserial PRIMARY KEY, term text COLLATE "C" NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL,
    n integer NOT NULL, level smallint NOT NULL, keys bytea NOT NULL, dls bytea NOT NULL,
    counts bytea NOT NULL);
CREATE INDEX {BLOCKS}_term ON {BLOCKS} (term, lo) INCLUDE (hi, level);
"""


def convert_sql(columns: tuple[str, ...]) -> str:
    """Move the postings of the former one-row-per-posting table into blocks, then drop it."""
    counts = " || ".join(f"int2send({c})" for c in columns)
    level = f"CASE WHEN count(*) >= {CAP} THEN {FULL} ELSE floor(log({FANOUT}, count(*)))::int END"
    return f"""
INSERT INTO {BLOCKS} ({_COLUMNS})
SELECT term, min(key), max(key), count(*), {level},
       string_agg(int8send(key), ''::bytea ORDER BY key), string_agg(int4send(dl), ''::bytea ORDER BY key),
       string_agg({counts}, ''::bytea ORDER BY key)
FROM (SELECT *, (row_number() OVER (PARTITION BY term ORDER BY key) - 1) / {CAP} AS part
      FROM search_postings) p
GROUP BY term, part;
DROP TABLE search_postings;
"""


def _level(n: int) -> int:
    return FULL if n >= CAP else (n.bit_length() - 1) // (FANOUT.bit_length() - 1)  # log of n, base FANOUT


@dataclass(slots=True)
class Postings:
    """Postings of one or more terms: keys (sorted within each term), lengths, counts (n × columns)."""

    keys: np.ndarray
    dls: np.ndarray
    counts: np.ndarray

    @classmethod
    def of_rows(cls, rows: list[tuple], ncols: int, numbers: type = np.int64) -> Postings:
        """From rows of (keys, dls, counts) bytes of blocks; lengths and counts as ``numbers``."""
        keys = np.frombuffer(b"".join(r[0] for r in rows), _KEY).astype(np.int64)
        dls = np.frombuffer(b"".join(r[1] for r in rows), _DL).astype(numbers)
        counts = np.frombuffer(b"".join(r[2] for r in rows), _COUNT).astype(numbers).reshape(-1, ncols)
        return cls(keys, dls, counts)

    def take(self, which: np.ndarray) -> Postings:
        return Postings(self.keys[which], self.dls[which], self.counts[which])


@dataclass(slots=True)
class Terms:
    """Postings of several terms: term i's are ``postings`` from ``bounds[i]`` to ``bounds[i + 1]``,
    sorted by key."""

    names: list[str]
    postings: Postings
    bounds: list[int]


def write(cur: psycopg.Cursor, terms: Terms) -> list[tuple[str, int]]:
    """Store each term's postings as blocks of at most CAP articles; gives the (term, level) of each
    block written that is not full. Sent by binary COPY (psycopg lays out the rows in C, the server
    reads the arrays' bytes as they are: a third less of its work than hex in text), each block's
    arrays cut from the batch's whole arrays."""
    p = terms.postings
    keys, dls = p.keys.astype(_KEY).tobytes(), p.dls.astype(_DL).tobytes()
    width = _COUNT.itemsize * p.counts.shape[1] if p.counts.ndim == 2 else 0  # bytes of an article's counts
    counts = p.counts.astype(_COUNT).tobytes()
    at = p.keys.tolist()
    written = []
    with cur.copy(f"COPY {BLOCKS} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_TYPES)
        for i, term in enumerate(terms.names):
            end = terms.bounds[i + 1]
            for s in range(terms.bounds[i], end, CAP):
                e = min(s + CAP, end)
                level = _level(e - s)
                copy.write_row((term, at[s], at[e - 1], e - s, level, keys[s * 8:e * 8], dls[s * 4:e * 4],
                                counts[s * width:e * width]))
                if level < FULL:
                    written.append((term, level))
    return written


def batch(docs: list[tuple[int, int, list[list[str]]]], ncols: int) -> Terms:
    """The postings of a batch of articles, per term: ``docs`` are (key, length, tokens of each of
    the ``ncols`` columns). Counted per column with Counter, terms numbered by a dict that numbers
    the new ones itself (both in C), then gathered per (term, article) in numpy."""
    ids: defaultdict[str, int] = defaultdict(count().__next__)
    number = ids.__getitem__
    tids: list[int] = []
    counts: list[int] = []
    sizes: list[int] = []  # distinct terms of each (article, column)
    for _, _, columns in docs:
        for toks in columns:
            found = Counter(toks)
            tids.extend(map(number, found))
            counts.extend(found.values())
            sizes.append(len(found))
    if not tids:
        return Terms([], Postings(_EMPTY, _EMPTY, np.zeros((0, ncols), np.int64)), [0])
    per_doc = np.array(sizes, np.int64).reshape(len(docs), ncols).sum(1)
    key = np.repeat(np.array([d[0] for d in docs], np.int64), per_doc)
    dls = np.repeat(np.array([d[1] for d in docs], np.int64), per_doc)
    cols = np.repeat(np.tile(np.arange(ncols), len(docs)), sizes)
    low = int(key.min())
    # One code per (term, article), in term then key order: its postings, sorted, come out of unique.
    tid = np.array(tids, np.int64)
    code = tid * (int(key.max()) - low + 1) + (key - low)
    codes, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    matrix = np.zeros((len(codes), ncols), np.int64)
    matrix[inverse, cols] = np.minimum(np.array(counts, np.int64), _MAX_COUNT)
    tid = tid[first]
    starts = np.flatnonzero(np.diff(tid)) + 1
    names = list(ids)
    return Terms([names[t] for t in tid[np.concatenate(([0], starts))].tolist()],
                 Postings(key[first], dls[first], matrix), [0, *starts.tolist(), len(tid)])


def read_sql(plain: list[str], prefixes: list[str], keys: tuple[int, int] | None = None) -> tuple[str, list]:
    """The statement reading the blocks of each term of ``plain`` and of every term that starts with
    each of ``prefixes``, of articles with keys in the range ``keys`` if given (run it in binary)."""
    where, params = ["term = ANY(%s)"], [plain]
    for p in prefixes:
        where.append("(term >= %s AND term < %s)")
        params += [p, p + TOP]
    text = f"SELECT term, keys, dls, counts FROM {BLOCKS} WHERE ({' OR '.join(where)})"
    if keys is not None:
        text, params = text + " AND hi >= %s AND lo <= %s", [*params, *keys]
    return text, params


def gather(found: list[tuple], plain: list[str], prefixes: list[str], ncols: int,
           keys: tuple[int, int] | None = None) -> dict[tuple[str, bool], Postings]:
    """The postings of each term of ``plain`` ((term, False)) and of each prefix ((prefix, True)),
    from the rows :func:`read_sql` read; lengths and counts as floats, ready to score."""
    rows: dict[tuple[str, bool], list] = {(t, False): [] for t in plain} | {(p, True): [] for p in prefixes}
    wanted = set(plain)
    for term, *arrays in found:
        if term in wanted:
            rows[term, False].append(arrays)
        for p in prefixes:
            if term.startswith(p):
                rows[p, True].append(arrays)
    out = {}
    for name, got in rows.items():
        p = Postings.of_rows(got, ncols, np.float64)
        out[name] = p.take((p.keys >= keys[0]) & (p.keys <= keys[1])) if keys is not None else p
    return out


class Merger:
    """When a term's blocks of a level are merged: once the ingesting process has written FANOUT of
    them, counted in a table of hashed slots (a collision merges early, never late), so that deciding
    costs no query. Blocks other processes wrote are merged with them; a term holds fewer than about
    FANOUT blocks of a level per process writing it."""

    SLOTS = 1 << 22

    def __init__(self) -> None:
        self.counts: np.ndarray | None = None  # made at the first write (readers never need it)

    def due(self, written: list[tuple[str, int]]) -> list[tuple[str, int]]:
        if not written:
            return []
        if self.counts is None:
            self.counts = np.zeros(self.SLOTS, np.uint8)
        slots = np.array([hash(w) for w in written], np.int64) & (self.SLOTS - 1)
        np.add.at(self.counts, slots, 1)
        due = self.counts[slots] >= FANOUT
        self.counts[slots[due]] = 0
        return list(dict.fromkeys(written[i] for i in np.flatnonzero(due).tolist()))

    def merge(self, cur: psycopg.Cursor, written: list[tuple[str, int]], ncols: int) -> None:
        """Count the blocks just written, and merge those of the (term, level)s that are due, and
        those the merged blocks make due. Skipped when another transaction merges or rewrites blocks
        (the next writes of its terms bring them due again)."""
        due = self.due(written)
        if not due or not cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (_MERGE_LOCK,)).fetchone()[0]:
            return
        while due:
            rows = []
            for level in sorted({v for _, v in due}):
                rows += cur.execute(f"DELETE FROM {BLOCKS} WHERE term = ANY(%s) AND level = %s"
                                    f" RETURNING term, keys, dls, counts",
                                    ([t for t, v in due if v == level], level), binary=True).fetchall()
            due = self.due(write(cur, _regroup(rows, ncols)))


def _regroup(rows: list[tuple], ncols: int, gone: np.ndarray | None = None) -> Terms:
    """Rows of (term, keys, dls, counts) as each term's postings sorted by key, without the articles
    of ``gone``."""
    names = sorted({r[0] for r in rows})
    index = {t: i for i, t in enumerate(names)}
    p = Postings.of_rows([r[1:] for r in rows], ncols)
    sizes = [len(r[1]) // _KEY.itemsize for r in rows]
    tid = np.repeat(np.array([index[r[0]] for r in rows], np.int64), sizes)
    if gone is not None:
        keep = ~np.isin(p.keys, gone)
        tid, p = tid[keep], p.take(keep)
    order = np.lexsort((p.keys, tid))
    tid, p = tid[order], p.take(order)
    present = np.unique(tid)
    return Terms([names[i] for i in present.tolist()], p, [*np.searchsorted(tid, present).tolist(), len(tid)])


def remove(cur: psycopg.Cursor, pairs: list[tuple[str, int]], ncols: int) -> None:
    """Take the postings of (term, key) ``pairs`` out of the blocks that hold them."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MERGE_LOCK,))
    keys = sorted({k for _, k in pairs})
    # The blocks of those terms over the keys' range (a few more than hold them, rewritten as they are).
    rows = cur.execute(f"DELETE FROM {BLOCKS} WHERE term = ANY(%s) AND hi >= %s AND lo <= %s"
                       f" RETURNING term, keys, dls, counts",
                       (sorted({t for t, _ in pairs}), keys[0], keys[-1]), binary=True).fetchall()
    write(cur, _regroup(rows, ncols, np.array(keys, np.int64)))
