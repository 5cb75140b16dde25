"""Quotes of enriched articles against a hand-labelled set (tests/enrich/golden/ant-quotes.jsonl), for
tests and benchmarks.

Each line of the set is one paragraph of an ANT article: ``id``, ``corpus`` (the folder of ``data/news``
it comes from; ant-multisource when absent), ``draw`` (1 to 4: which sample it was labelled in; the
fourth, in ant-quotes-4.jsonl, is a test set), ``paragraph`` (index into the article's paragraphs as
``marsad ingest`` reads them), ``text`` (the paragraph, to check that the index still points at it),
``split`` (dev, held-out or test), ``quotes`` (every quote of the paragraph: its ``text`` and its
``speaker`` as a list of right answers) and ``optional``
(quoted spans that are neither right nor wrong when found). A found quote matches a gold one of its
paragraph with the same words, leading and trailing punctuation aside. Its speaker is right when its
words, or its canonical entity's, are one of the gold answers, or share its last word with one and are a
part of it or contain it (ترودو for جاستن ترودو), or when its canonical entity is the one the alias
table gives for an answer (دونالد ترمب for ترامب).
"""

from __future__ import annotations

import json
import lzma
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marsad.enrich.canonical import lookup
from marsad.enrich.lexicon import fold
from marsad.enrich.scoring import EntityScore
from marsad.model import Article
from marsad.parse.records import record_to_article

_EDGES = re.compile(r"^[\s.،,؛;:!?؟…\"«»“”]+|[\s.،,؛;:!?؟…\"«»“”]+$")


@dataclass
class QuoteScore(EntityScore):
    """Counts as for entity mentions (matched, found, gold; wrong and missed quotes), and speakers."""
    right_speaker: int = 0
    carried: int = 0  # matched quotes whose speaker is not named in their paragraph before them
    right_carried: int = 0
    # (id, paragraph, text, found, gold) of quotes found with a wrong speaker
    wrong_speaker: list[tuple] = field(default_factory=list)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.right_speaker / self.matched if self.matched else 0.0


def load_quote_set(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def set_articles(news: Path, rows: Iterable[dict]) -> dict[str, Article]:
    """The articles of the set's rows, each from its corpus under ``news`` (the shared data/news)."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row.get("corpus", "ant-multisource"), set()).add(row["id"])
    out: dict[str, Article] = {}
    for corpus, ids in wanted.items():
        out |= labelled_articles(news / corpus / "articles.jsonl.xz", ids)
    return out


def labelled_articles(corpus: Path, ids: Iterable[str]) -> dict[str, Article]:
    """The articles of ``ids`` from ANT's ``articles.jsonl.xz``, read as ``marsad ingest`` reads records."""
    wanted, out = set(ids), {}
    with lzma.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            head = line[:80]
            if not any(i in head for i in wanted - out.keys()):
                continue
            record = json.loads(line)
            if record["id"] in wanted:
                out[record["id"]] = record_to_article(record, record["id"])
    return out


def _words(text: str | None) -> list[str]:
    return [fold(w) for w in (text or "").split()]


def same_speaker(found: Sequence[str | None], answers: Sequence[str]) -> bool:
    """Whether a found speaker (its words, its canonical entity) is one of the gold answers, or the
    entity the alias table gives for one of them (دونالد ترمب for ترامب)."""
    known = {lookup(a, "PERS") for a in answers} - {None}
    if any(name in known for name in found):
        return True
    for name in filter(None, found):
        words = _words(name)
        for answer in answers:
            gold = _words(answer)
            part = set(words) <= set(gold) or set(gold) <= set(words)
            if words == gold or (words[-1:] == gold[-1:] and part):
                return True
    return False


def norm_quote(text: str) -> str:
    return " ".join(_EDGES.sub("", text).split())


def _named_before(paragraph: str, quote: str, answers: Sequence[str]) -> bool:
    before = {fold(w) for w in paragraph[:max(paragraph.find(quote), 0)].split()}
    return any(_words(a)[-1:] and _words(a)[-1] in before for a in answers)


def score_quotes(rows: Sequence[dict], enriched: dict[str, Article]) -> QuoteScore:
    """Span precision and recall, and speaker accuracy, of the quotes of ``enriched`` on ``rows``."""
    out = QuoteScore()
    for row in rows:
        article, p = enriched[row["id"]], row["paragraph"]
        if article.paragraphs[p] != row["text"]:
            raise ValueError(f"{row['id']} paragraph {p} is not the labelled text: the set is stale")
        optional = {norm_quote(t) for t in row.get("optional", [])}
        found = [q for q in article.quotes if q.paragraph == p and norm_quote(q.text) not in optional]
        out.found += len(found)
        out.gold += len(row["quotes"])
        for g in row["quotes"]:
            hit = next((q for q in found if norm_quote(q.text) == norm_quote(g["text"])), None)
            if hit is None:
                out.missed.append((row["id"], p, g["text"]))
                continue
            found.remove(hit)
            out.matched += 1
            right = same_speaker((hit.speaker, hit.canonical), g["speaker"])
            out.right_speaker += right
            if not _named_before(row["text"], g["text"], g["speaker"]):
                out.carried += 1
                out.right_carried += right
            if not right:
                said = hit.canonical or hit.speaker
                out.wrong_speaker.append((row["id"], p, g["text"], said, g["speaker"][0]))
        out.wrong += [(row["id"], p, q.text) for q in found]
    return out
