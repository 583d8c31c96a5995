"""Near-duplicates: is a candidate article (or most of it) already in the archive?

Pure Python and numpy, no Django.

**Method: the exact overlap of character 3-gram sets** (Broder's "containment" of w-shingles,
counted exactly instead of estimated from a sketch). A text is normalised — NFKC, lower case,
traditional → simplified (:func:`core.tokens.normalize`), then only Chinese characters,
letters and digits, since punctuation, spaces and line breaks are where conversions differ — and
cut into its overlapping 3-character shingles, each hashed to 32 bits. Two texts score

    overlap = |A ∩ B| / min(|A|, |B|)

the share of the smaller text's shingles found in the other. Why these choices:

* Chinese has no spaces, so words would need a segmenter; character 3-grams need none and are
  specific enough (2-grams such as 职业, 教育 are shared by every article here).
* **Overlap, not Jaccard** ``|A∩B| / |A∪B|``: an excerpt (摘编) is a shortened source, so a
  500-character excerpt of a 5 000-character notice has a Jaccard of at most 0.1 even when every
  sentence of it comes from the notice, but an overlap near 1.
* **Exact, not MinHash.** MinHash (datasketch) estimates Jaccard J, and overlap follows from it as
  ``J (|A| + |B|) / ((1 + J) min(|A|, |B|))`` — which multiplies the estimate's error by the size
  ratio, and on the seeds it over-estimated a long policy plan against a short article badly even
  with 256 permutations (bench/sources.py; figures in bench/README.md). The archive is a few
  thousand articles of a few thousand shingles each: counting exactly costs 4 bytes a shingle and,
  with all of them in one sorted array (:class:`Index`), a binary search per shingle of the
  candidate, with no sampling error. MinHash would pay off only with millions of texts.

**Threshold.** :data:`LIKELY_EXCERPTED` = 0.5, placed from the seeds (bench/sources.py prints the
measurement). The 30 candidates of 002–004 against the 74 articles of 2024年第01/02期 score at
most 0.28 (p99 0.13); 003's notice on 市域产教联合体 against 2024年第02期's 1.1.3 (related,
different notices) 0.27; the candidates against each other at most 0.45 — 003's notice and the
expert's commentary on it, which quotes it at length. Excerpts made from each candidate (a third
of its sentences, one in five of those reworded, a lead of the editor's own) score 0.59–0.93,
median 0.79. 0.5 sits between the two, nearer the unrelated side: a missed duplicate costs more
than a second look.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from core.tokens import normalize

__all__ = [
    "LIKELY_EXCERPTED",
    "MIN_SHINGLES",
    "SHINGLE",
    "Fingerprint",
    "Index",
    "Match",
    "fingerprint",
    "jaccard",
    "overlap",
    "shingles",
]

SHINGLE = 3
#: An overlap at or above this: the candidate is likely excerpted already.
LIKELY_EXCERPTED = 0.5
#: Texts shorter than this many shingles (about a sentence) are never "likely excerpted".
MIN_SHINGLES = 40

_KEEP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The distinct character ``size``-grams of ``text``, normalised."""
    kept = _KEEP.sub("", normalize(text))
    if len(kept) < size:
        return {kept} if kept else set()
    return {kept[i : i + size] for i in range(len(kept) - size + 1)}


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A text's shingles, each as a 32-bit hash, sorted and distinct."""

    hashes: np.ndarray  # uint32

    @property
    def size(self) -> int:
        return int(self.hashes.size)

    def to_bytes(self) -> bytes:
        """For storage (a binary field): 4 bytes a shingle, little-endian."""
        return self.hashes.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32))


def fingerprint(text: str) -> Fingerprint:
    found = {zlib.crc32(s.encode("utf-8")) for s in shingles(text)}
    return Fingerprint(np.array(sorted(found), dtype=np.uint32))


def _common(a: Fingerprint, b: Fingerprint) -> int:
    return int(np.intersect1d(a.hashes, b.hashes, assume_unique=True).size)


def overlap(a: Fingerprint, b: Fingerprint) -> float:
    """Share of the smaller text's shingles found in the other (0–1)."""
    smaller = min(a.size, b.size)
    return _common(a, b) / smaller if smaller else 0.0


def jaccard(a: Fingerprint, b: Fingerprint) -> float:
    union = a.size + b.size
    common = _common(a, b)
    return common / (union - common) if union else 0.0


@dataclass(frozen=True)
class Match:
    key: Hashable
    overlap: float
    jaccard: float
    common: int  # shingles in common

    @property
    def likely_excerpted(self) -> bool:
        return self.overlap >= LIKELY_EXCERPTED and self.common >= MIN_SHINGLES


class Index:
    """The archive's fingerprints, compared with a candidate in one vectorised pass."""

    def __init__(self, entries: Iterable[tuple[Hashable, str | Fingerprint]] = ()) -> None:
        self.keys: list[Hashable] = []
        self._parts: list[np.ndarray] = []
        self._flat: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        for key, value in entries:
            self.add(key, value)

    def add(self, key: Hashable, value: str | Fingerprint) -> None:
        found = value if isinstance(value, Fingerprint) else fingerprint(value)
        self.keys.append(key)
        self._parts.append(found.hashes)
        self._flat = None

    def __len__(self) -> int:
        return len(self.keys)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All entries' hashes in one sorted array, the entry each belongs to, and the sizes."""
        if self._flat is None:
            sizes = np.array([p.size for p in self._parts], dtype=np.int64)
            hashes = np.concatenate(self._parts) if self._parts else np.empty(0, np.uint32)
            owners = np.repeat(np.arange(len(self._parts)), sizes)
            order = np.argsort(hashes, kind="stable")
            self._flat = (hashes[order], owners[order], sizes)
        return self._flat

    def matches(
        self, value: str | Fingerprint, *, limit: int = 5, minimum: float = 0.0
    ) -> list[Match]:
        """The archive's entries most like ``value``, best first (by overlap, then Jaccard)."""
        found = value if isinstance(value, Fingerprint) else fingerprint(value)
        if not self.keys or not found.size:
            return []
        hashes, owners, sizes = self._arrays()
        # Where each of the candidate's shingles sits in the sorted archive: O(m log n).
        low = np.searchsorted(hashes, found.hashes, side="left")
        high = np.searchsorted(hashes, found.hashes, side="right")
        runs = high - low
        starts = np.repeat(low - np.cumsum(runs) + runs, runs)
        positions = starts + np.arange(int(runs.sum()))
        common = np.bincount(owners[positions], minlength=len(self.keys))
        smaller = np.minimum(sizes, found.size)
        overlaps = np.divide(common, smaller, out=np.zeros(len(sizes)), where=smaller > 0)
        union = sizes + found.size - common
        jaccards = np.divide(common, union, out=np.zeros(len(sizes)), where=union > 0)
        order = np.lexsort((-jaccards, -overlaps))[:limit]
        return [
            Match(self.keys[i], float(overlaps[i]), float(jaccards[i]), int(common[i]))
            for i in order
            if overlaps[i] >= minimum
        ]
