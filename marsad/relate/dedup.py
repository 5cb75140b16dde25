"""Near-duplicates: syndicated agency copy and republished articles.

Each article's word shingles get a MinHash signature (datasketch). Locality-sensitive hashing over bands of
the signature, and the shingles of the article's opening, propose candidates; a candidate is a copy when the
shingles the two texts share cover at least ``CONTAIN`` of the shorter one, and each text's opening is found
in the other (``LEAD``), one of them at the other's top (``text.TOP``): copies, even reworded ones, carry the
same lead, while reports that share only background paragraphs (each holding the other's lead further down, in
its own order), a list of other articles' leads at their foot or a template open each with their own news. An
agency lead reworded by an outlet (clitics, word forms, a clause moved) keeps few shingles but most of its
pairs of consecutive stems: a text sharing ``REWORDED`` of its shingles with the other is a copy when each
lead's stem pairs are found in the other (``LEAD_STEMS``), so that a rewritten opening over the same wire body
still counts, and when they share some of their own text too (``CONTAIN`` of the shingles outside quotations):
two reports of one speech, each in its own words around the same quoted sentences, are no copies. A text found
nearly whole in the other (``WHOLE``: a lead republished inside a longer piece) is a copy whatever it opens
with. Texts that state several numbers must share most of them: a template filled with other figures is no
copy. Containment rather than Jaccard, so that a short text inside a long one still counts. Shingles come from
the body, not the headline: the same headline over other text is no copy.

A group is a set of copies of one source text (its first member), every two of which share at least ``LOOSE``
of the shorter one's shingles. Groups are never closed transitively: A copies B and B copies C does not put A
with C unless A copies C too, so a chain of loosely linked reports never becomes one group."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.relate.features import Doc
from marsad.relate.text import Shingled

K = TypeVar("K")  # a text's key: an id, or an archive key
NUM_PERM = 128
# datasketch's band layout for this threshold (64 bands of 2 rows) proposes pairs of Jaccard 0.2 with
# probability 0.93 (copies of similar length down to containment ~0.33), of Jaccard 0.1 with 0.47.
LSH_JACCARD = 0.1
CONTAIN = 0.15  # shared shingles / shingles of the shorter text
LEAD = 0.26  # of each text's opening shingles found in the other (fewer: a quote both carry)
WHOLE = 0.8  # a text this much inside the other is a copy whatever its opening
REWORDED, LEAD_STEMS = 0.3, 0.33  # shared shingles, and each lead's stem pairs found, of a reworded lead
FIGURES, FIGURES_AGREE = 3, 0.5  # texts stating this many numbers share at least this share of them
CROWDED = 50  # a key shared by more texts is a stock phrase or a dateline, no sign of a copy
OPENING_HITS = 3  # opening shingles two texts share before they are compared
MIN_SHARED = 8  # and at least this many shared shingles, so that one stock phrase is not a copy
LOOSE = 0.15  # what every two members of a group share at least (a member copies the source, not a neighbour)
BANDS = MinHashLSH(threshold=LSH_JACCARD, num_perm=NUM_PERM).hashranges  # datasketch's (b, r) layout
_SCHEME = "affine64"  # the shingle hashes are 64-bit
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=_SCHEME).permutations  # fixed seed: the same in every run
_BLOCK = 4096  # shingles permuted at once: the work array is _BLOCK × NUM_PERM × 8 bytes (4 MB)
_BAND_BYTES = [(8 * a, 8 * b) for a, b in BANDS]  # the bands as slices of the signature's bytes


def _whole(hashes: np.ndarray) -> np.ndarray:
    return hashes


def signature(shingles: np.ndarray) -> np.ndarray:
    """The MinHash signature of ``shingles``. The array goes to datasketch as one value that hashes
    to all of them, so that its permutations run as one array operation."""
    mh = MinHash(num_perm=NUM_PERM, hashfunc=_whole, scheme=_SCHEME, permutations=_PERMUTATIONS)
    for start in range(0, max(len(shingles), 1), _BLOCK):  # a block of shingles × NUM_PERM at a time
        mh.update_batch([shingles[start:start + _BLOCK]])
    return mh.hashvalues


def band_keys(shingles: np.ndarray) -> list[int]:
    """One signed 64-bit LSH key per band of the MinHash signature of ``shingles``."""
    if not len(shingles):
        return []
    sig = signature(shingles).tobytes()
    return [int.from_bytes(hashlib.blake2b(sig[a:b], digest_size=8).digest(), "little", signed=True)
            for a, b in _BAND_BYTES]


def copy_keys(text: Shingled) -> list[int]:
    """The keys under which a text's copies are found: its LSH band keys, and its opening shingles,
    which find the reworded copies whose shingles are too few alike for the bands."""
    return band_keys(text.all) + text.opening.view(np.int64).tolist()


def file_under(keys: list[int], buckets: defaultdict[int, list[K]], key: K) -> tuple[set[K], list[int]]:
    """The texts filed under ``keys`` (:func:`copy_keys`) worth comparing with ``key``'s text: those
    sharing a band, and those sharing ``OPENING_HITS`` opening shingles; then ``key`` is filed under its
    keys. Crowded keys propose nothing and take no more texts (every later text holding a dateline or
    a stock phrase would only read them for nothing). Returns (proposed, the keys ``key`` was filed
    under). One pass: relating does this for every article."""
    found: set[K] = set()
    opening: list[K] = []
    filed: list[int] = []
    bands = len(BANDS)
    for n, k in enumerate(keys):
        bucket = buckets[k]
        if len(bucket) > CROWDED:
            continue
        (found.update if n < bands else opening.extend)(bucket)
        bucket.append(key)
        filed.append(k)
    found.update(k for k, n in Counter(opening).items() if n >= OPENING_HITS)
    found.discard(key)
    return found, filed


def containment(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """(shared / size of the smaller set, shared) for two sorted unique hash arrays."""
    if not len(a) or not len(b):
        return 0.0, 0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b)), shared


def lead_share(a: Shingled, b: Shingled) -> float:
    """How much of ``a``'s opening ``b`` holds."""
    return len(np.intersect1d(a.opening, b.all, assume_unique=True)) / (len(a.opening) or 1)


def top_share(a: Shingled, b: Shingled) -> float:
    """How much of ``a``'s opening the top of ``b`` holds."""
    top = b.all if b.top is None else b.top
    return len(np.intersect1d(a.opening, top, assume_unique=True)) / (len(a.opening) or 1)


def reworded_lead(a: Shingled, b: Shingled) -> float:
    """How much of ``a``'s lead, as pairs of consecutive stems, ``b`` holds."""
    return len(np.intersect1d(a.lead, b.stems, assume_unique=True)) / (len(a.lead) or 1)


def own(text: Shingled) -> np.ndarray:
    """The shingles of ``text`` outside quotations: its own words, not a speaker's."""
    return np.setdiff1d(text.all, text.quoted, assume_unique=True) if len(text.quoted) else text.all


def same_figures(a: Shingled, b: Shingled) -> bool:
    """False when both texts state several numbers and most differ: one template filled with other
    facts (a town's census line, a monthly price report), not one text."""
    if min(len(a.numbers), len(b.numbers)) < FIGURES:
        return True
    return containment(a.numbers, b.numbers)[0] >= FIGURES_AGREE


def is_copy(a: Shingled, b: Shingled, contain: float = CONTAIN) -> bool:
    c, shared = containment(a.all, b.all)
    if c < contain or shared < min(MIN_SHARED, len(a.all), len(b.all)) or not same_figures(a, b):
        return False
    if c >= WHOLE:
        return True
    if min(lead_share(a, b), lead_share(b, a)) >= LEAD:
        return max(top_share(a, b), top_share(b, a)) >= LEAD
    return (c >= REWORDED and min(reworded_lead(a, b), reworded_lead(b, a)) >= LEAD_STEMS
            and containment(own(a), own(b))[0] >= contain)


def copies(text: Shingled, candidates: Iterable[K], text_of: Callable[[K], Shingled],
           contain: float = CONTAIN) -> list[K]:
    """The ``candidates`` that ``text`` is a copy of, in order."""
    return [c for c in candidates if is_copy(text, text_of(c), contain)]


def choose_group(text: Shingled, found: Iterable[K], group_of: Callable[[K], list[K] | None],
                 text_of: Callable[[K], Shingled], contain: float = CONTAIN) -> list[K] | None:
    """The members of the group a new ``text`` joins, given the texts ``found`` to be
    its copies; None when it joins none. ``group_of`` gives a text's group (members in the order they
    joined, the source first) or None. The new text must copy the source and share ``LOOSE`` with
    every member; among the groups that fit, the one whose source it shares most with."""
    best, best_score, seen = None, 0.0, set()
    for c in found:
        if c in seen:  # its group was weighed already: each group is looked up once, however many copies
            continue
        members = group_of(c) or [c]
        seen.update(members)
        source = text_of(members[0])
        score = containment(text.all, source.all)[0]
        if (score > best_score and is_copy(text, source, contain)
                and all(containment(text.all, text_of(m).all)[0] >= LOOSE for m in members[1:])):
            best, best_score = members, score
    return best


def group(docs: Iterable[Doc], contain: float = CONTAIN) -> list[list[str]]:
    """Near-duplicate groups (of two or more ids) among ``docs``, taken in the order given."""
    buckets: defaultdict[int, list[str]] = defaultdict(list)
    seen: dict[str, Shingled] = {}
    group_of: dict[str, list[str]] = {}
    for doc in docs:
        text = doc.copy_text()
        found, _ = file_under(copy_keys(text), buckets, doc.id)
        found = copies(text, sorted(found), seen.__getitem__, contain)
        members = choose_group(text, found, group_of.get, seen.__getitem__, contain)
        if members is not None:
            members.append(doc.id)
            for m in members:
                group_of[m] = members
        seen[doc.id] = text
    unique = {id(g): g for g in group_of.values()}
    return sorted(sorted(g) for g in unique.values())
