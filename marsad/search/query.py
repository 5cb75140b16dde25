"""The query language, compiled to a parsed-query tree (:mod:`marsad.search.expr`).

Syntax: plain words, "exact phrases", ``a OR b``, ``-excluded`` words or
phrases, and ``prefix*``. Anything else (parentheses, lone operators, SQL,
a backend's own syntax) is read as plain words. :func:`compile` is pure: the
same text always gives the same tree, whose terms are analyzed index terms,
so every backend runs it safely (the SQLite one renders it as FTS5 MATCH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.search.analyze import DEFAULT_SCHEME, Scheme, is_stopword, words
from marsad.search.expr import AllOf, AnyOf, Exclude, Expr, Phrase

# A phrase (its closing quote optional), or a run of anything but space and quotes.
_CHUNK = re.compile(r'-?"[^"]*"?|[^\s"]+')
_OR = {"OR", "|", "||"}
_AND = {"AND", "&", "&&", "+"}  # all words are required anyway
_MIN_PREFIX = 2  # shorter prefixes would match half the vocabulary
# How plain words match unless the caller asks otherwise, chosen by bench/retrieval.py through
# ingest + search on both retrieval sets (see the README's figures): "any" ranks every article
# holding a word, so an article that misses one query word is still found.
DEFAULT_MODE = "any"


@dataclass(frozen=True, slots=True)
class Clause:
    words: tuple[str, ...]  # normalized words, before stemming
    phrase: bool = False
    prefix: bool = False


@dataclass(slots=True)
class Item:
    alternatives: list[Clause]
    negated: bool = False


def parse(text: str) -> list[Item]:
    """The items of a query, in order; OR joins neighbours into one item."""
    items: list[Item] = []
    join_next = False
    for chunk in _CHUNK.findall(text):
        if chunk in _OR:
            join_next = bool(items) and not items[-1].negated
            continue
        if chunk in _AND:
            continue
        new = _items(chunk)
        if not new:
            continue  # a lone "(" between OR and its word keeps the OR
        if join_next and not new[0].negated:
            items[-1].alternatives.extend(new.pop(0).alternatives)
        items.extend(new)
        join_next = False
    return items


def _items(chunk: str) -> list[Item]:
    """A quoted phrase is one item; other words glued by punctuation (فيه..وهذه, 1-صفر) are one each."""
    negated = chunk.startswith("-") and len(chunk) > 1
    body = chunk[1:] if negated else chunk
    ws = tuple(words(body))
    if not ws:
        return []
    if body.startswith('"'):
        return [Item([Clause(ws, phrase=True)], negated)]
    prefix = body.endswith("*") and len(ws[-1]) >= _MIN_PREFIX
    return [Item([Clause((w,), prefix=prefix and i == len(ws) - 1)], negated) for i, w in enumerate(ws)]


def _clause(clause: Clause, scheme: Scheme) -> Expr:
    """A quoted phrase matches its word forms as written (the scheme's exact analyzer: proclitics
    and spelling folded, no suffix stripped); other words match any analyzer's term."""
    stems = [scheme.exact] if clause.phrase and scheme.exact else scheme.stems
    forms = [tuple(scheme.analyzer(s).term(w) for w in clause.words) for s in stems]
    if len(set(forms)) == 1 and len(stems) == len(scheme.stems):
        return Phrase(forms[0], None, clause.prefix)  # every analyzer agrees: any column
    parts = tuple(Phrase(f, scheme.columns_of(s), clause.prefix) for s, f in zip(stems, forms, strict=True))
    return parts[0] if len(parts) == 1 else AnyOf(parts)


def _item(item: Item, scheme: Scheme) -> Expr:
    alts = tuple(dict.fromkeys(_clause(c, scheme) for c in item.alternatives))
    return alts[0] if len(alts) == 1 else AnyOf(alts)


def _is_stop_item(item: Item) -> bool:
    """A lone unquoted stop word: dropped from the query unless nothing else is asked."""
    c = item.alternatives[0]
    return len(item.alternatives) == 1 and len(c.words) == 1 and not (c.phrase or c.prefix) \
        and is_stopword(c.words[0])


def compile(text: str, *, scheme: Scheme = DEFAULT_SCHEME, mode: str = "all") -> Expr | None:
    """The parsed-query tree of ``text``, or None when it holds no searchable word.

    ``mode`` is "all" (every positive item must match: an :class:`AllOf`) or "any"
    (at least one: an :class:`AnyOf`; a phrase of several words then ranks higher but no
    longer filters). The tree's top is always that join, even of one item, and the
    exclusions are always one :class:`AnyOf` under :class:`Exclude`: the SQLite backend
    renders that shape into the very MATCH strings, and so the very bm25 scores, it had before
    the tree. A phrase matches its word forms exactly in both modes.
    Exclusions with nothing positive to exclude from, and unbalanced syntax,
    fall back to searching the query's plain words.
    """
    items = parse(text)
    pos = [i for i in items if not i.negated]
    neg = [i for i in items if i.negated]
    content = [i for i in pos if not _is_stop_item(i)] or pos
    if not content:
        content = [Item([Clause((w,))]) for w in words(text) if not is_stopword(w)] \
            or [Item([Clause((w,))]) for w in words(text)]
        neg = []
    if not content:
        return None
    if mode == "any":
        content = [_loosen(i) for i in content]
    parts = tuple(dict.fromkeys(_item(i, scheme) for i in content))
    expr: Expr = AllOf(parts) if mode == "all" else AnyOf(parts)
    if neg:
        expr = Exclude(expr, AnyOf(tuple(_item(i, scheme) for i in neg)))
    return expr


def _loosen(item: Item) -> Item:
    """For ranked ("any") search: a phrase of several words also counts by its words, so that it
    ranks the articles holding it exactly first rather than filtering (a headline pasted with a
    quotation in it still finds the article that words the quotation otherwise)."""
    alts = list(item.alternatives)
    for c in item.alternatives:
        if c.phrase and len(c.words) > 1:
            alts += [Clause((w,)) for w in c.words if not is_stopword(w)]
    return Item(alts, item.negated)


def highlight_words(text: str) -> set[str]:
    """Normalized words of the positive items, to highlight in snippets."""
    return {w for i in parse(text) if not i.negated for c in i.alternatives for w in c.words}
