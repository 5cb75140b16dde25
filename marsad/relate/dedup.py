"""Near-duplicates: syndicated agency copy and republished articles.

Each article's word shingles get a MinHash signature (datasketch).
Locality-sensitive hashing over bands of the signature proposes candidates; a
candidate is a copy when the shingles the two texts share cover at least
``CONTAIN`` of the shorter one. Containment rather than Jaccard, so that a lead
republished inside a longer article, or an agency paragraph quoted whole, still
counts. Groups are closed transitively (A copies B, B copies C: one group).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain, repeat

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.relate.features import Doc

NUM_PERM = 128
# datasketch's band layout for this threshold (64 bands of 2 rows) proposes pairs of Jaccard 0.2 with
# probability 0.93 (copies of similar length down to containment ~0.33), of Jaccard 0.1 with 0.47.
LSH_JACCARD = 0.1
CONTAIN = 0.3  # shared shingles / shingles of the shorter text
MIN_SHARED = 8  # and at least this many shared shingles, so that one stock phrase is not a copy
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


def containment(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """(shared / size of the smaller set, shared) for two sorted unique hash arrays."""
    if not len(a) or not len(b):
        return 0.0, 0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b)), shared


def is_copy(a: np.ndarray, b: np.ndarray, contain: float = CONTAIN) -> bool:
    c, shared = containment(a, b)
    return c >= contain and shared >= min(MIN_SHARED, len(a), len(b))


def copies(doc: Doc, keys: list[int], candidates: Callable[[list[int]], Iterable[str]],
           shingles_of: Callable[[str], np.ndarray], contain: float = CONTAIN) -> list[str]:
    """Ids among the LSH candidates of ``doc`` (looked up by its band keys) that are copies of it."""
    return [c for c in set(candidates(keys))
            if c != doc.id and is_copy(doc.shingles, shingles_of(c), contain)]


class UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]


def group(docs: Iterable[Doc], contain: float = CONTAIN) -> list[list[str]]:
    """Near-duplicate groups (of two or more ids) among ``docs``."""
    buckets: dict[int, list[str]] = defaultdict(list)
    seen: dict[str, np.ndarray] = {}
    uf = UnionFind()

    def candidates(keys: list[int]) -> Iterable[str]:
        return chain.from_iterable(map(buckets.get, keys, repeat(())))

    for doc in docs:
        keys = band_keys(doc.shingles)
        for other in copies(doc, keys, candidates, seen.__getitem__, contain):
            uf.union(doc.id, other)
        seen[doc.id] = doc.shingles
        for k in keys:
            buckets[k].append(doc.id)
    return uf.groups()
