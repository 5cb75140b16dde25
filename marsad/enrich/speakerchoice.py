"""A scored choice among the people and bodies who may have said a quote.

The rules of ``marsad.enrich.quotes`` and ``marsad.enrich.speakers`` give one speaker per quote, in a
hand-set order. Here that pick is one candidate among others: the subject of the speech verb before
the quote and of one after it (``«…»، قال فلان``), every person or body the tagger found in the
quote's sentence, its paragraph and the three before (outside quotes), and the earlier speakers of
the article. Each candidate is described by features (its position, the speech verb's gender, its
distance, its type and the tagger's doubt, whether it spoke before, whether it is an object); a
linear score, fitted on the labelled quote set (``marsad.enrich.speakerfit``) and shipped as data
(``speaker_weights.json``), chooses among them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import title_prefix
from marsad.enrich.lexicon import fold, load, tokens
from marsad.enrich.speakernames import name_word
from marsad.enrich.speechwords import UNNAMED, Speaker, is_a, is_verb, lexicon, verb_gender
from marsad.enrich.subjects import subject_after
from marsad.model import EntityMention, Quote

_BACK = 3  # paragraphs before a quote's own searched for candidates
_AFTER = 4  # tokens after a quote searched for an attribution
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
_OBJECT_WORDS = frozenset(("مع", "الي", "علي", "عن", "من", "في", "ل", "لـ", "ب", "بـ", "ضد", "بين", "نظيره",
                           "نظيرته", "مثل", "بحق", "امام", "حول", "لدي", "عبر"))
_RELAY = frozenset(("عن", "لسان"))
_BY = frozenset(("حسب", "بحسب", "وفق", "وفقا"))
FEATURES = ("rule", "verb_subject", "attributed", "sent_before", "sent_after", "para_before", "prev_para",
            "near", "para_dist", "pers", "org", "loc", "phrase", "doubt", "prev_speaker", "earlier_speaker",
            "agree", "clash", "object", "relayed", "by", "after_verb", "salience", "opens", "role_phrase",
            "odd_phrase", "name_phrase", "relative", "holds_role", "lead", "nearest", "only_person",
            "rule_odd", "rule_clash", "rule_object", "rule_far", "nearest_agree", "lead_agree")
# Features that hold when two others both do: when the rules' pick is weak, when nearness agrees.
_BOTH = {"rule_odd": ("rule", "odd_phrase"), "rule_clash": ("rule", "clash"),
         "rule_object": ("rule", "object"), "nearest_agree": ("nearest", "agree"),
         "lead_agree": ("lead", "agree")}


@dataclass
class Candidate:
    speaker: Speaker
    f: dict[str, float] = field(default_factory=dict)

    def set(self, name: str, value: float = 1.0) -> None:
        self.f[name] = max(self.f.get(name, 0.0), value)

    def vector(self) -> list[float]:
        return [self.f.get(k, 0.0) for k in FEATURES]


@cache
def weights() -> tuple[dict[str, float], float]:
    """The fitted weights of each feature (missing ones are 0) and the margin an override needs."""
    data = load("speaker_weights.json")
    return data["weights"], data.get("margin", 0.0)


def _key(s: Speaker) -> str:
    return fold(s.canonical or s.name).replace(" ", "")


@cache
def _feminine() -> tuple[frozenset[str], frozenset[str]]:
    data = load("speaker_gender.json")
    return frozenset(fold(w) for w in data["feminine"]), frozenset(fold(w) for w in data["masculine_in_a"])


def gender(e: EntityMention) -> str | None:
    """"f" for a woman's name (a list, else a first word ending in ة or ـا, but not حمزة، أسامة) or
    a body, "m" for another person's, None for a place."""
    if e.type == "ORG":
        return "f"
    if e.type != "PERS":
        return None
    first = (e.canonical or e.text).split()[0]
    feminine, masculine = _feminine()
    f = fold(first)
    if f in feminine:
        return "f"
    several = len((e.canonical or e.text).split()) > 1  # أوباما alone is a surname
    return "f" if several and first.endswith(("ة", "ا")) and f not in masculine and len(f) > 3 else "m"


class _Pool:
    """The candidates of one quote, merged by entity (ترامب joins دونالد ترامب)."""

    def __init__(self) -> None:
        self.by_key: dict[str, Candidate] = {}

    def add(self, speaker: Speaker | None) -> Candidate | None:
        if speaker is None or not speaker.name:
            return None
        key = _key(speaker)
        if key not in self.by_key:
            self.by_key[key] = Candidate(speaker)
        return self.by_key[key]

    def merged(self) -> list[Candidate]:
        out: list[Candidate] = []
        for c in sorted(self.by_key.values(), key=lambda c: -len(c.speaker.name.split())):
            words = _words(c.speaker)
            into = next((o for o in out if _contains(_words(o.speaker), words)), None)
            if into is None:
                out.append(c)
                continue
            for k, v in c.f.items():
                if k == "para_dist":
                    into.f[k] = min(into.f.get(k, v), v)
                else:
                    into.set(k, v)
        return out


def _words(s: Speaker) -> list[str]:
    return fold(s.canonical or s.name).split()


def _contains(longer: list[str], shorter: list[str]) -> bool:
    return bool(shorter) and shorter[-1:] == longer[-1:] and set(shorter) <= set(longer)


def _sentence(paragraph: str, pos: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(start, end) of the sentence around offset ``pos``; sentence ends inside quotes do not count."""
    start, end = 0, len(paragraph)
    for m in _SENTENCE_END.finditer(paragraph):
        if any(a < m.start() < b for a, b in spans):
            continue
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.end()
            break
    return start, end


def _verb_before(toks: tuple, lo: int, hi: int) -> int | None:
    k = next((j for j in range(len(toks) - 1, -1, -1) if lo <= toks[j][0] < hi and is_verb(toks[j][2])), None)
    return k


def _attribution(toks: tuple, end: int) -> int | None:
    """The token after a quote that names its speaker: a speech verb, بحسب/حسب, or the word before
    the name in «…» على حد تعبير فلان."""
    j = bisect_right([t[0] for t in toks], end - 1)
    for n in range(j, min(j + _AFTER, len(toks))):
        word = toks[n][2]
        if is_verb(word) or fold(word) in _BY or fold(word) in ("تعبير", "قول"):
            return n
        if word not in "،,ـ" and fold(word) not in lexicon()["attributions"]:
            return None
    return None


def _mention_features(c: Candidate, e: EntityMention, site: _Site) -> None:
    """Where a mention of the quote's own paragraph stands relative to the quote."""
    toks, q, sent, verbs, starts = site.toks, site.at, site.sent, site.verbs, site.starts
    k = bisect_right(starts, e.start) - 1
    before = fold(toks[k - 1][2]) if k >= 1 else ""
    if before in _OBJECT_WORDS or fold(e.text)[:1] in ("ل", "ب") and e.text[:2] not in ("لو", "با"):
        c.set("object")
    clause = [fold(t[2]) for t in toks[max(0, k - 3):k]]
    if any(w in ("الذي", "التي", "الذين") for w in clause):  # ، الذي يرأسه الحريري،: not the subject
        c.set("relative")
    if before in _RELAY:
        c.set("relayed")
    if before in _BY or k >= 2 and fold(toks[k - 2][2]) in _BY:
        c.set("by")
    if any(0 < k - v <= 2 for v in verbs):
        c.set("after_verb")
    if sent[0] <= e.start and e.end <= q[0]:
        c.set("sent_before")
        gap = bisect_left(starts, q[0]) - bisect_left(starts, e.end)
        c.set("near", 1.0 / (1.0 + math.log1p(gap)))
        if not any(sent[0] <= t[0] < e.start and t[2].isalpha() for t in toks[max(0, k - 3):k]) or k <= 3:
            c.set("opens")
    elif q[1] <= e.start < sent[1]:
        c.set("sent_after")
        gap = bisect_left(starts, e.start) - bisect_left(starts, q[1])
        c.set("near", 0.5 / (1.0 + math.log1p(gap)))
    elif e.end <= sent[0]:
        c.set("para_before")
        c.set("near", 0.2)


def _outside(e: EntityMention, spans: list[tuple[int, int]]) -> bool:
    return not any(a <= e.start < b for a, b in spans)


@dataclass
class _Site:
    """Where a quote stands: its paragraph's index, text and tokens, its own span, its sentence, the
    speech verbs of the paragraph outside quotes, and the gender of the verb that says it."""
    p: int
    toks: tuple
    at: tuple[int, int]
    sent: tuple[int, int]
    verbs: list[int]
    starts: list[int]
    gender: str | None = None


def candidates(paragraphs: list[str], entities: list[EntityMention], quote: Quote, at: tuple[int, int],
               spans: dict[int, list[tuple[int, int]]], earlier: list[Speaker | None],
               state: dict) -> list[Candidate]:
    """The candidate speakers of one quote found at ``at`` in its paragraph, with their features."""
    p = quote.paragraph
    toks = tokens(paragraphs[p])
    inside = spans.get(p, [])
    verbs = state.setdefault("verbs", {}).get(p)
    if verbs is None:  # once per paragraph
        verbs = state["verbs"][p] = [k for k, t in enumerate(toks)
                                     if is_verb(t[2]) and not any(a < t[0] < b for a, b in inside)]
    site = _Site(p, toks, at, _sentence(paragraphs[p], at[0], inside), verbs, [t[0] for t in toks])
    pool = _Pool()
    if (c := pool.add(Speaker(quote.speaker, quote.canonical) if quote.speaker else None)) is not None:
        c.set("rule")
    _verb_candidates(site, pool, [e for e in entities if e.paragraph == p], state)
    for i, s in enumerate(reversed(earlier)):
        if (c := pool.add(s)) is not None:
            c.set("prev_speaker" if i == 0 else "earlier_speaker")
    _entity_candidates(site, pool, entities, spans, state)
    out = pool.merged()
    _finish(out, state)
    return out


def _verb_candidates(site: _Site, pool: _Pool, here: list[EntityMention], state: dict) -> None:
    """The subjects of the speech verb before the quote and of an attribution after it."""
    toks = site.toks
    vk = _verb_before(toks, site.sent[0], site.at[0])
    site.gender = verb_gender(toks[vk][2]) if vk is not None else None
    if vk is not None and not is_a(toks[vk][2], "participles") \
            and (c := pool.add(subject_after(toks, vk, here, state))) is not None:
        c.set("verb_subject")
    if (ak := _attribution(toks, site.at[1])) is not None:
        if (c := pool.add(subject_after(toks, ak, here, state))) is not None:
            c.set("attributed")
        if site.gender is None and is_verb(toks[ak][2]):
            site.gender = verb_gender(toks[ak][2])


def _entity_candidates(site: _Site, pool: _Pool, entities: list[EntityMention],
                       spans: dict[int, list[tuple[int, int]]], state: dict) -> None:
    """People and bodies named in the quote's paragraph (up to its sentence's end) and the three
    before, outside quotes; places only as the subject of the quote's own sentence (وقالت واشنطن)."""
    p, sent = site.p, site.sent
    counts = state.get("counts")
    if counts is None:  # once per article
        counts = state["counts"] = Counter(_key(Speaker(e.text, e.canonical)) for e in entities)
    for e in entities:
        if e.type not in ("PERS", "ORG", "LOC") or not p - _BACK <= e.paragraph <= p \
                or not _outside(e, spans.get(e.paragraph, [])) or e.paragraph == p and e.start >= sent[1] \
                or e.type == "LOC" and not (e.paragraph == p and sent[0] <= e.start):
            continue
        c = pool.add(Speaker(e.text, e.canonical))
        c.set(e.type.lower())
        c.set("salience", math.log1p(counts[_key(c.speaker)]) / 3)
        c.set("doubt", 1.0 - e.score if e.score is not None else 0.0)
        if e.paragraph == 0:
            c.set("lead")
        if site.gender and (g := gender(e)):
            c.set("agree" if g == site.gender else "clash")
        if e.paragraph == p:
            _mention_features(c, e, site)
        else:
            c.set("prev_para")
        c.f["para_dist"] = min(c.f.get("para_dist", 1.0), (p - e.paragraph) / _BACK)


def _finish(out: list[Candidate], state: dict) -> None:
    """Features of the whole pool: phrases, role holders, ranks, and pairs of features."""
    for c in out:
        if not any(c.f.get(t) for t in ("pers", "org", "loc")):
            c.set("phrase")
            words = c.speaker.name.split()
            described = _describes_someone(words)
            # إليسا, untagged here; معين المرعبي, plain name words after a title
            named = any(fold(w) in state["names"] for w in words) or _plain_name(words)
            c.set("role_phrase" if described else "name_phrase" if named else "odd_phrase")
            if described:
                _holders(c.speaker.name.split(), out, state["mentions"])
        c.f.setdefault("para_dist", 1.0)
    _ranks(out)
    for c in out:
        for name, (a, b) in _BOTH.items():
            if c.f.get(a) and c.f.get(b):
                c.set(name)
        if c.f.get("rule") and not any(c.f.get(k) for k in ("sent_before", "sent_after", "verb_subject",
                                                              "attributed", "prev_speaker")):
            c.set("rule_far")


def _plain_name(words: list[str]) -> bool:
    return 2 <= len(words) <= 3 and all(name_word(w) for w in words) \
        and sum(fold(w).startswith("ال") for w in words) <= 1


def _describes_someone(words: list[str]) -> bool:
    """مصدر عسكري، المتحدث باسم الجيش، السلطات الروسية, الرئيس الفرنسي: a role, a title or a body; not
    a word the rules took for a name (بغضب، نفس، مجلة)."""
    first = words[0] if words else ""
    return bool(title_prefix(words[:1])) or is_a(first, "roles") or is_a(first, "bodies") \
        or fold(first).lstrip("و") in UNNAMED or "باسم" in words


def _holders(words: list[str], cands: list[Candidate], mentions: list) -> None:
    """Mark the people the article names right after these role words (المفكر المغربي سعيد …)."""
    roles = {normalize_for_matching(w) for w in (words[0], words[-1])}
    held = [fold(m.canonical or m.text).split() for m, context in mentions
            if m.type == "PERS" and roles & set(context.split()[-4:])]
    for c in cands:
        name = _words(c.speaker)
        if c.f.get("pers") and any(_contains(h, name) or _contains(name, h) for h in held):
            c.set("holds_role")


def _ranks(cands: list[Candidate]) -> None:
    """The nearest person before the quote in its sentence; the only person among the candidates."""
    people = [c for c in cands if c.f.get("pers")]
    before = [c for c in people if c.f.get("sent_before")]
    if before:
        max(before, key=lambda c: c.f.get("near", 0)).set("nearest")
    if len(people) == 1:
        people[0].set("only_person")


def score(c: Candidate) -> float:
    w, _ = weights()
    return sum(w.get(k, 0.0) * v for k, v in c.f.items())


def choose(cands: list[Candidate]) -> Speaker | None:
    """The best-scoring candidate; the rule's pick unless another beats it by the margin."""
    if not cands:
        return None
    _, margin = weights()
    scored = sorted(((score(c), c) for c in cands), key=lambda x: -x[0])
    rule = next((s for s, c in scored if c.f.get("rule")), None)
    best_score, best = scored[0]
    if rule is not None and not best.f.get("rule") and best_score - rule < margin:
        return next(c.speaker for s, c in scored if c.f.get("rule"))
    return best.speaker


def rechoose(paragraphs: list[str], entities: list[EntityMention], quotes: list[Quote], state: dict,
             choose_now: bool = True) -> list[tuple[Quote, list[Candidate]]]:
    """Each quote with its candidates (``state["at"]``: where each quote was found; ``state["spans"]``:
    the quoted spans of each paragraph), its speaker chosen among them when ``choose_now``. The
    earlier speakers are those the rules gave, as when the weights were fitted."""
    earlier: list[Speaker | None] = []
    out = []
    for quote, at in zip(quotes, state["at"], strict=True):
        cands = candidates(paragraphs, entities, quote, at, state["spans"], earlier, state)
        earlier.append(Speaker(quote.speaker, quote.canonical) if quote.speaker else None)
        if choose_now and (chosen := choose(cands)) is not None:
            quote = Quote(quote.text, chosen.name, quote.paragraph, chosen.canonical)
        out.append((quote, cands))
    return out
