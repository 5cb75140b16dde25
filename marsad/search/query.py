"""The query language, turned into a safe FTS5 MATCH expression.

Syntax: plain words, "exact phrases", ``a OR b``, ``-excluded`` words or
phrases, and ``prefix*``. Anything else (parentheses, lone operators, SQL,
FTS5's own syntax) is read as plain words. :func:`to_match` is pure: the
same text always gives the same expression, and that expression is always
valid FTS5, because every term reaches FTS5 as a quoted string of analyzed
letters and digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.search.analyze import DEFAULT_SCHEME, Scheme, is_stopword, words

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


def _quote(terms: list[str], prefix: bool) -> str:
    return '"' + " ".join(terms).replace('"', '""') + '"' + ("*" if prefix else "")


def _clause(clause: Clause, scheme: Scheme) -> str:
    """A quoted phrase matches its word forms as written (the scheme's exact analyzer: proclitics
    and spelling folded, no suffix stripped); other words match any analyzer's term."""
    stems = [scheme.exact] if clause.phrase and scheme.exact else scheme.stems
    forms = [_quote([scheme.analyzer(s).term(w) for w in clause.words], clause.prefix) for s in stems]
    if len(set(forms)) == 1 and len(stems) == len(scheme.stems):
        return forms[0]
    parts = [f"{{{' '.join(scheme.columns_of(s))}}} : {f}" for s, f in zip(stems, forms, strict=True)]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _render(item: Item, scheme: Scheme) -> str:
    alts = list(dict.fromkeys(_clause(c, scheme) for c in item.alternatives))
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def _is_stop_item(item: Item) -> bool:
    """A lone unquoted stop word: dropped from the query unless nothing else is asked."""
    c = item.alternatives[0]
    return len(item.alternatives) == 1 and len(c.words) == 1 and not (c.phrase or c.prefix) \
        and is_stopword(c.words[0])


def to_match(text: str, *, scheme: Scheme = DEFAULT_SCHEME, mode: str = "all") -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no searchable word.

    ``mode`` is "all" (every positive item must match) or "any" (at least one;
    a phrase of several words then ranks higher but no longer filters). A
    phrase matches its word forms exactly in both.
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
    expr = _join(content, scheme, mode)
    if neg:
        expr = f"({expr}) NOT ({' OR '.join(_render(i, scheme) for i in neg)})"
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


def _join(content: list[Item], scheme: Scheme, mode: str) -> str:
    if mode == "any":
        content = [_loosen(i) for i in content]
    return (" AND " if mode == "all" else " OR ").join(dict.fromkeys(_render(i, scheme) for i in content))


def highlight_words(text: str) -> set[str]:
    """Normalized words of the positive items, to highlight in snippets."""
    return {w for i in parse(text) if not i.negated for c in i.alternatives for w in c.words}
