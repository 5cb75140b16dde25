"""The archive's entities across articles: merges with stable ids, and analysts' corrections.

Enrichment names each mention's entity within one article; the archive then joins what one
article cannot see. ``consolidate`` merges, across the archive, the spellings of one entity
(كيم جونغ أون / كيم يونغ أون, إنجلترا / إنكلترا), a name glued to a conjunction (ومايك بومبيو)
and a first name or surname alone (كيم, ميسي) into the one full name it stands for, when the
entities share their context (the entities named with them). Spellings of a name of the alias
table are already one entity at enrichment (``marsad.enrich.canonical``).

The SQL here is the SQL PostgreSQL speaks too (upserts with ``ON CONFLICT``, ``?`` placeholders
that the PostgreSQL backend turns into its own): both backends run these rules as they are.

Analysts correct what is still wrong: ``merge``, ``split``, ``rename`` and ``retype``. Each
correction is logged (``entity_corrections``: the plain file ``export`` writes and ``replay``
reads) and kept as state that every later ingest applies, so corrections survive re-enrichment:

- ``entity_redirects``: an id merged into another keeps resolving to it (``source`` is
  ``auto`` or ``analyst``), so links to the old id stay good;
- ``entity_splits``: mentions of an entity printed as a variant belong to another entity;
- ``entity_pins``: a name or type an analyst set, which no vote of the taggers' types changes;
- ``entity_apart``: two entities an analyst split, never merged again by ``consolidate``.

``consolidate`` also leaves out of the lists (``entity_common``) the one-word entities that the
archive mostly prints untagged: a word the tagger tagged in under a tenth of the articles that
print it (الاتفاق, 'the agreement', tagged as the club Al-Ettifaq) is a common word
("lower-case-like"), whatever one article's tagger said; so is one tagged in under 3 in 10 of them when
the tagger's confidence in its stored mentions (``EntityMention.score``) is low on average. Names of
the alias table always stay.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from marsad.errors import InputError, NotFound

if TYPE_CHECKING:
    from marsad.archive.base import SearchIndex

TYPES = ("PERS", "LOC", "ORG", "MISC")
OPS = ("merge", "split", "rename", "retype")
Key = Callable[[str], str]  # a name → its entity id
# An entity takes the type most of its mentions carry: one mis-tagged article cannot make فرنسا a person.
_VOTE = ("UPDATE entities SET type = (SELECT type FROM mentions WHERE entity = entities.id "
         "GROUP BY type ORDER BY count(*) DESC, type LIMIT 1) WHERE id = ?")


class EntityMap:
    """Where a mention's entity id leads after the corrections and merges stored in the archive."""

    def __init__(self, conn: sqlite3.Connection):
        self.redirects = dict(conn.execute("SELECT old, new FROM entity_redirects"))
        self.splits = {(e, v): t for e, v, t in conn.execute(
            "SELECT entity, variant, target FROM entity_splits")}

    def __call__(self, key: str, text: str) -> str:
        if self.splits:
            key = self.splits.get((key, _fold(text)), key)
        return follow(self.redirects, key)


def follow(redirects: dict[str, str], key: str) -> str:
    seen = set()
    while key in redirects and key not in seen:
        seen.add(key)
        key = redirects[key]
    return key


def resolve_id(conn: sqlite3.Connection, id: str) -> str:
    """The id an entity has now (an id merged into another leads to it)."""
    return follow(dict(conn.execute("SELECT old, new FROM entity_redirects")), id)


def apply_pins(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Vote each entity's type from its mentions, give a name of the alias table its type there
    (but a place's club stays a club: روما), then put back what an analyst pinned."""
    ids = list(ids)
    conn.executemany(_VOTE, [(i,) for i in ids])
    known = _known_types()
    conn.executemany("UPDATE entities SET type = ? WHERE id = ? AND NOT (? = 'LOC' AND type = 'ORG')",
                     [(known[i], i, known[i]) for i in ids if i in known])
    conn.executemany("UPDATE entities SET "
                     "name = coalesce((SELECT name FROM entity_pins WHERE id = ?), name), "
                     "type = coalesce((SELECT type FROM entity_pins WHERE id = ?), type) WHERE id = ?",
                     [(i, i, i) for i in ids])


@cache
def _known_types() -> dict[str, str]:
    """Entity id → type of every name of the alias table."""
    try:
        from marsad.enrich import canonical_key
        from marsad.enrich.canonical import known_entities
    except ImportError:  # enrichment not installed: the mentions' types decide
        return {}
    return {canonical_key(canon): kind for canon, _, kind in known_entities()}


def _recount(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    conn.executemany("UPDATE entities SET articles = (SELECT count(DISTINCT article) FROM mentions "
                     "WHERE entity = ?) WHERE id = ?", [(i, i) for i in ids])
    conn.execute("DELETE FROM entities WHERE articles <= 0")


def _fold(text: str) -> str:
    from marsad.arabic.normalize import normalize_for_matching

    return " ".join(normalize_for_matching(w) for w in text.split())


def _require(conn: sqlite3.Connection, id: str) -> str:
    now = resolve_id(conn, id)
    if conn.execute("SELECT 1 FROM entities WHERE id = ?", (now,)).fetchone() is None:
        raise NotFound(f"no entity with id {id!r} in the archive")
    return now


def _log(conn: sqlite3.Connection, op: str, args: Sequence[str]) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("INSERT INTO entity_corrections(op, args, made_at) VALUES (?, ?, ?)",
                 (op, json.dumps(list(args), ensure_ascii=False), stamp))


def merge_ids(conn: sqlite3.Connection, target: str, others: Iterable[str], source: str) -> str:
    """Merge ``others`` into ``target``: their mentions move, their ids redirect to it."""
    for other in others:
        if other == target:
            continue
        conn.execute("UPDATE mentions SET entity = ? WHERE entity = ?", (target, other))
        conn.execute("UPDATE entity_redirects SET new = ? WHERE new = ?", (target, other))
        conn.execute("INSERT INTO entity_redirects(old, new, source) VALUES (?, ?, ?) ON CONFLICT(old) "
                     "DO UPDATE SET new = excluded.new, source = excluded.source", (other, target, source))
        conn.execute("DELETE FROM entity_redirects WHERE old = new")
        conn.execute("DELETE FROM entities WHERE id = ?", (other,))
    _recount(conn, [target])
    apply_pins(conn, [target])
    return target


def merge(conn: sqlite3.Connection, ids: Sequence[str]) -> str:
    """An analyst's merge: every id into the first. Returns the id that remains."""
    if len(ids) < 2:
        raise InputError("merge needs two entity ids or more: the one to keep first")
    now = [_require(conn, i) for i in ids]
    target = now[0]
    merge_ids(conn, target, now[1:], "analyst")
    conn.executemany("DELETE FROM entity_apart WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)",
                     [(target, o, o, target) for o in now[1:]])
    _log(conn, "merge", ids)
    return target


def split(conn: sqlite3.Connection, id: str, variants: Sequence[str], name: str | None, key: Key) -> str:
    """An analyst's split: the mentions of ``id`` printed as one of ``variants`` become the entity
    ``name`` (default: the first variant). Returns the new entity's id."""
    if not variants:
        raise InputError("split needs the variants (as printed) that make the other entity")
    source = _require(conn, id)
    name = " ".join((name or variants[0]).split())
    target = key(name)
    if target == source:
        raise InputError(f"the new entity's name {name!r} has the id of the entity split; give --name")
    folded = {_fold(v) for v in variants}
    rows = [(r, t) for r, t in conn.execute("SELECT rowid, text FROM mentions WHERE entity = ?", (source,))
            if _fold(t) in folded]
    if not rows:
        raise InputError(f"entity {source!r} has no mention printed as {', '.join(variants)}")
    conn.execute("DELETE FROM entity_redirects WHERE old = ?", (target,))
    conn.execute("INSERT INTO entities(id, name, type, articles) SELECT ?, ?, type, 0 FROM entities "
                 "WHERE id = ? ON CONFLICT DO NOTHING", (target, name, source))
    conn.executemany("UPDATE mentions SET entity = ? WHERE rowid = ?", [(target, r) for r, _ in rows])
    conn.executemany("INSERT INTO entity_splits(entity, variant, target) VALUES (?, ?, ?) "
                     "ON CONFLICT(entity, variant) DO UPDATE SET target = excluded.target",
                     [(source, v, target) for v in folded])
    conn.execute("INSERT INTO entity_apart(a, b) VALUES (?, ?) ON CONFLICT DO NOTHING", (source, target))
    conn.execute("INSERT INTO entity_pins(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = ?",
                 (target, name, name))
    _recount(conn, [source, target])
    apply_pins(conn, [source, target])
    _log(conn, "split", [id, name, *variants])
    return target


def rename(conn: sqlite3.Connection, id: str, name: str) -> str:
    """An analyst's name for an entity; its id stays."""
    now = _require(conn, id)
    name = " ".join(name.split())
    if not name:
        raise InputError("rename needs a name")
    conn.execute("INSERT INTO entity_pins(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = ?",
                 (now, name, name))
    apply_pins(conn, [now])
    _log(conn, "rename", [id, name])
    return now


def retype(conn: sqlite3.Connection, id: str, type: str) -> str:
    """An analyst's type for an entity (PERS, LOC, ORG or MISC), whatever its mentions say."""
    now = _require(conn, id)
    if type not in TYPES:
        raise InputError(f"type must be one of {', '.join(TYPES)}, not {type!r}")
    conn.execute("INSERT INTO entity_pins(id, type) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET type = ?",
                 (now, type, type))
    apply_pins(conn, [now])
    _log(conn, "retype", [id, type])
    return now


def export(conn: sqlite3.Connection) -> str:
    """Every analyst correction, oldest first, one a line: the operation and its arguments, tab-separated."""
    lines = ["# marsad entity corrections: op<TAB>args…  (merge KEEP OTHER…; split ID NAME VARIANT…; "
             "rename ID NAME; retype ID TYPE)"]
    for op, args in conn.execute("SELECT op, args FROM entity_corrections ORDER BY seq"):
        lines.append("\t".join([op, *json.loads(args)]))
    return "\n".join(lines) + "\n"


def replay(conn: sqlite3.Connection, text: str, key: Key) -> tuple[int, list[str]]:
    """Apply the corrections of an exported file: (how many applied, one line per one that failed)."""
    done, failed = 0, []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        op, *args = line.rstrip("\n").split("\t")
        try:
            apply(conn, op, args, key)
            done += 1
        except (InputError, NotFound) as e:
            failed.append(f"line {n}: {e}")
    return done, failed


def apply(conn: sqlite3.Connection, op: str, args: Sequence[str], key: Key) -> str:
    """One correction by name, with its arguments as ``export`` writes them."""
    if op == "merge":
        return merge(conn, args)
    if op == "split" and len(args) >= 3:
        return split(conn, args[0], args[2:], args[1], key)
    if op == "rename" and len(args) == 2:
        return rename(conn, *args)
    if op == "retype" and len(args) == 2:
        return retype(conn, *args)
    raise InputError(f"not a correction: {op} with {len(args)} argument(s)")


# -- merging across the archive ------------------------------------------------------------------

MIN_ARTICLES = 2  # entities named in fewer articles have too little context to judge
SAME_CONTEXT = 0.3  # cosine of the entities named with each, above which two spellings are one
# A lone surname goes to the full name with at least this share of the candidates' articles; a lone
# first name (a commoner word: محمد, مايك) needs more, and a closer context.
LONE_SHARE = {"last": 0.6, "first": 0.7}
LONE_CONTEXT = {"last": SAME_CONTEXT, "first": 0.5}


def consolidate(conn: sqlite3.Connection, index: SearchIndex, limit: int = 4000) -> list[tuple[str, str]]:
    """Merge, among the ``limit`` most named entities, the ones that are one (see the module
    docstring); ``index`` is the archive's search index, which counts the articles printing a word.
    Returns the (old id, new id) pairs merged."""
    from marsad.enrich.canonical import known_entities, variant_key

    rows = conn.execute("SELECT id, name, type, articles FROM entities WHERE articles >= ? "
                        "ORDER BY articles DESC, id LIMIT ?", (MIN_ARTICLES, limit)).fetchall()
    apart = {frozenset(p) for p in conn.execute("SELECT a, b FROM entity_apart")}
    context = _Context(conn)
    merged: list[tuple[str, str]] = []
    gone: set[str] = set()

    def join(old: tuple, new: tuple) -> None:
        if old[0] in gone or new[0] in gone or frozenset((old[0], new[0])) in apart:
            return
        merge_ids(conn, new[0], [old[0]], "auto")
        merged.append((old[0], new[0]))
        gone.add(old[0])

    _common_words(conn, index, rows, {_fold(c) for c, _, _ in known_entities()})
    _tidy_names(conn, rows)
    for old, new, needed in _candidates(rows, variant_key):
        if needed <= 0 or context.similarity(old[0], new[0]) >= needed:
            join(old, new)
    return merged


def _tidy_names(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Names stored before enrichment dropped a sentence's final dot from them (أمازون. → أمازون)."""
    from marsad.enrich.canonical import clean

    fixed = [(clean(r[1], r[2])[2], r[0]) for r in rows if r[1].endswith(".")]
    conn.executemany("UPDATE entities SET name = ? WHERE id = ? AND id NOT IN "
                     "(SELECT id FROM entity_pins WHERE name IS NOT NULL)", [f for f in fixed if f[0]])


COMMON_SHARE = 0.1  # tagged in fewer of the articles that print it: a common word
COMMON_MIN = 20  # articles printing a word, below which the share says too little
# Tagged in under 3 in 10 of the articles that print it, and doubted by the tagger where it was tagged
# (its mean confidence, over up to DOUBT_SAMPLE mentions, under marsad.enrich.junk.UNSURE): a common word.
DOUBTED_SHARE = 0.3
DOUBT_SAMPLE = 40


def _common_words(conn: sqlite3.Connection, index: SearchIndex, rows: list[tuple], known: set[str]) -> None:
    """Record the one-word entities of ``rows`` that the archive mostly prints untagged."""
    from marsad.search.analyze import Analyzer, words
    from marsad.search.expr import Phrase
    from marsad.search.rank import Filters

    exact = Analyzer("clitics")
    found = []
    for id, name, _, articles in rows:
        printed = words(name)
        if len(printed) != 1 or _fold(name) in known:
            continue
        n = index.count(Phrase((exact.term(printed[0]),), ("headline_clitics", "body_clitics")), Filters())
        doubted = articles < DOUBTED_SHARE * n and _doubted(conn, id)
        if n >= COMMON_MIN and (articles < COMMON_SHARE * n or doubted):
            found.append((id, articles, n))
    conn.executemany("INSERT INTO entity_common(id, articles, printed) VALUES (?, ?, ?) ON CONFLICT(id) "
                     "DO UPDATE SET articles = excluded.articles, printed = excluded.printed", found)


def _doubted(conn: sqlite3.Connection, id: str) -> bool:
    """Whether the tagger's mean confidence in an entity's stored mentions is low (False when the
    articles were enriched before mentions carried one)."""
    from marsad.enrich.junk import UNSURE

    rows = conn.execute("SELECT a.data, m.paragraph, m.start FROM mentions m "
                        "JOIN articles a ON a.rowid = m.article WHERE m.entity = ? LIMIT ?",
                        (id, DOUBT_SAMPLE)).fetchall()
    scores = []
    for data, paragraph, start in rows:
        stored = json.loads(data) if isinstance(data, str) else data
        scores += [e["score"] for e in stored.get("entities") or () if e.get("score") is not None
                   and e.get("paragraph") == paragraph and e.get("start") == start]
    return bool(scores) and sum(scores) / len(scores) < UNSURE


def _candidates(rows: list[tuple], variant_key):
    """(smaller, larger, context similarity needed) for entities that may be one: the same name
    but for a glued و/ف/ب/ل, the same variant key, or a lone first name or surname and a full name."""
    by_fold = {(_fold(r[1]), r[2]): r for r in rows}
    groups: dict[tuple[str, str], list[tuple]] = {}
    for r in rows:
        f = _fold(r[1])
        if f[:1] in "وفبل" and len(f) > 4 and (f[1:], r[2]) in by_fold:  # not بري → ري
            yield r, by_fold[(f[1:], r[2])], 0.0
        k = variant_key(r[1])
        if len(k.replace(" ", "")) >= 4 and (" " in k or r[2] != "PERS"):
            groups.setdefault((k, _kind(r[2], " " in k)), []).append(r)
    for group in groups.values():
        for r in group[1:]:  # rows run most named first
            yield r, group[0], SAME_CONTEXT
    yield from _lone_names(rows)


def _kind(type: str, words: bool) -> str:
    """Types whose spellings may be one entity: a tagger calls a misspelt person MISC, and a club
    of several words by its city's name a place (باريس سان جرمان)."""
    if type in ("PERS", "MISC"):
        return "PERS"
    return "LOC/ORG" if words else type


def _lone_names(rows: list[tuple]):
    """(lone name, full name) for a one-word person (or body) whose word begins or ends the names
    of persons (bodies) of the archive, when one of them holds most of their articles
    (كيم → كيم جونغ أون, بايرن → بايرن ميونيخ)."""
    from marsad.enrich.canonical import name_particles

    particles = name_particles()
    full: dict[tuple[str, str], list[tuple]] = {}
    for r in rows:
        words = _fold(r[1]).split()
        if r[2] in ("PERS", "ORG") and len(words) > 1:
            full.setdefault((words[0], r[2]), []).append((r, "first"))
            if words[-2] not in particles:  # سلمان of محمد بن سلمان is no surname alone
                full.setdefault((words[-1], r[2]), []).append((r, "last"))
    for r in rows:
        words = _fold(r[1]).split()
        if len(words) != 1 or len(words[0]) < 3 or words[0] in particles:
            continue
        if r[2] == "ORG" and words[0].startswith("ال"):
            continue  # العربية (the channel) is no piece of جامعة الدول العربية
        options = full.get((words[0], r[2]), [])
        if options:
            best, end = max(options, key=lambda o: o[0][3])
            # رويترز is no piece of رويترز هيلث: a body named alone more than in full is its own; a
            # person's surname alone is often printed more than the full name (غولن)
            if (r[2] == "PERS" or best[3] >= r[3]) \
                    and best[3] >= LONE_SHARE[end] * sum(o[3] for o, _ in options):
                yield r, best, LONE_CONTEXT[end]


class _Context:
    """The entities named with an entity, by number of shared articles; cosine between two."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.cache: dict[str, Counter] = {}

    def vector(self, id: str) -> Counter:
        if id not in self.cache:
            self.cache[id] = Counter(dict(self.conn.execute(
                "SELECT o.entity, count(DISTINCT o.article) FROM mentions m JOIN mentions o "
                "ON o.article = m.article AND o.entity != m.entity WHERE m.entity = ? GROUP BY o.entity",
                (id,))))
        return self.cache[id]

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vector(a), self.vector(b)
        dot = sum(va[k] * vb[k] for k in va if k in vb and k not in (a, b))
        na = math.sqrt(sum(v * v for k, v in va.items() if k != b))
        nb = math.sqrt(sum(v * v for k, v in vb.items() if k != a))
        return dot / (na * nb) if na and nb else 0.0
