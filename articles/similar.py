"""Which texts (or sets of names) are alike: the cosine of their TF-IDF vectors.

Pure Python and numpy, no Django. A text's terms are the bigrams and letter/digit words the search
index cuts it into (:func:`core.tokens.document_tokens` of :func:`core.tokens.match_text`), so
"alike" here and "found" there read the same words; the search's single characters are left out,
as they say little about a subject. Each term is weighted by the standard TF-IDF:

    weight = (1 + ln tf) · (ln((1 + n) / (1 + df)) + 1)

(sublinear term frequency, smoothed inverse document frequency over the ``n`` documents of the
index), and each document's vector has unit length, so the score of two documents is their cosine
(0–1): symmetric, and not favouring long texts. A set of names (registry entries, tags) is a
document whose terms each occur once: a name few documents carry weighs more than a common one.

**Common terms are left out of the scores** (not of the lengths): a term found in more than
``COMMON_SHARE`` of the documents (and in more than ``COMMON_FLOOR``) is the field's common word
(职业, 教育, 发展), which nearly any two articles share. Such terms hold most of the postings, so
scoring one document against all costs time in proportion to its rarer terms only; what they add
is spread over nearly every pair and changes the order little. At the seeds' size only terms in
most of the articles are left out.

Terms are kept as 32-bit hashes, as sources/similar.py keeps shingles: no vocabulary to share
between threads, and a rare collision only adds two terms together.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.tokens import document_tokens, match_text

__all__ = ["COMMON_FLOOR", "COMMON_SHARE", "CosineIndex", "Terms", "name_terms", "text_terms"]

COMMON_SHARE = 0.05
COMMON_FLOOR = 50
# Postings are sorted as one packed integer: term hash, document row, term frequency (capped:
# under the logarithm, a term's 255th occurrence adds next to nothing).
_ROW_BITS, _COUNT_BITS = 24, 8
MAX_DOCUMENTS = 1 << _ROW_BITS
_MAX_COUNT = (1 << _COUNT_BITS) - 1


@dataclass(frozen=True, eq=False)
class Terms:
    """A document's distinct terms as sorted 32-bit hashes, and how often each occurs."""

    hashes: np.ndarray  # uint32, sorted, distinct
    counts: np.ndarray  # uint8, one per hash, capped (see _MAX_COUNT)

    @property
    def size(self) -> int:
        return int(self.hashes.size)


def _terms(counted: Mapping[str, int]) -> Terms:
    hashes = np.fromiter((zlib.crc32(w.encode()) for w in counted), np.uint32, len(counted))
    counts = np.fromiter(counted.values(), np.int64, len(counted))
    # Merge the terms of a hash collision, keeping the hashes distinct.
    hashes, where = np.unique(hashes, return_inverse=True)
    counts = np.bincount(where, weights=counts, minlength=hashes.size)
    return Terms(hashes, np.minimum(counts, _MAX_COUNT).astype(np.uint8))


def text_terms(text: str) -> Terms:
    """The terms of a text: its bigrams and words as the search index cuts them."""
    counted = Counter(document_tokens(match_text(text)))
    return _terms({t: n for t, n in counted.items() if len(t) > 1})


_NO_TERMS = Terms(np.empty(0, np.uint32), np.empty(0, np.uint8))


def name_terms(names: Iterable[str]) -> Terms:
    """A set of names (keys of registry entries, tags) as terms that each occur once."""
    # Most articles name a few or none: plain Python is quicker than numpy for those.
    hashes = sorted({zlib.crc32(n.encode()) for n in names})
    if not hashes:
        return _NO_TERMS
    return Terms(np.array(hashes, np.uint32), np.ones(len(hashes), np.uint8))


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    return np.log((1 + n) / (1 + df)) + 1


def _tf(counts: np.ndarray) -> np.ndarray:
    return 1 + np.log(counts.astype(np.float64))


class CosineIndex:
    """Documents as unit TF-IDF vectors, and the postings of their uncommon terms."""

    def __init__(self, docs: Sequence[Terms]) -> None:
        if len(docs) > MAX_DOCUMENTS:
            raise ValueError(f"at most {MAX_DOCUMENTS} documents")
        self._docs = list(docs)
        n = self.size = len(docs)
        sizes = np.array([d.size for d in docs], dtype=np.int64)
        hashes = np.concatenate([d.hashes for d in docs]) if docs else _NO_TERMS.hashes
        counts = np.concatenate([d.counts for d in docs]) if docs else _NO_TERMS.counts
        # One sort groups every (term, document) pair by term.
        keys = np.sort(
            (hashes.astype(np.uint64) << np.uint64(32))
            | (np.repeat(np.arange(n, dtype=np.uint64), sizes) << np.uint64(_COUNT_BITS))
            | counts.astype(np.uint64)
        )
        term = (keys >> np.uint64(32)).astype(np.uint32)
        rows = ((keys >> np.uint64(_COUNT_BITS)) & np.uint64(MAX_DOCUMENTS - 1)).astype(np.int32)
        boundary = np.ones(term.size, dtype=bool)
        boundary[1:] = term[1:] != term[:-1]
        first = np.flatnonzero(boundary)
        self._terms = term[first]
        self._df = np.diff(np.append(first, term.size)).astype(np.int32)
        self._idf = _idf(self._df, n)
        weights = _tf(keys & np.uint64(_MAX_COUNT)) * np.repeat(self._idf, self._df)
        self._norms = np.sqrt(np.bincount(rows, weights=weights**2, minlength=n))
        weights /= np.where(self._norms > 0, self._norms, 1)[rows]
        # The postings kept for scoring: those of the uncommon terms.
        common = self._df > max(COMMON_FLOOR, COMMON_SHARE * n)
        kept = ~np.repeat(common, self._df)
        self._runs = np.where(common, 0, self._df)
        self._starts = np.cumsum(self._runs, dtype=np.int64) - self._runs
        self._owners = rows[kept]
        self._weights = weights[kept].astype(np.float32)

    def similarities(self, row: int) -> np.ndarray:
        """The cosine of document ``row`` with every document of the index (itself included),
        common terms left out."""
        doc = self._docs[row]
        where = np.searchsorted(self._terms, doc.hashes)
        weights = _tf(doc.counts) * self._idf[where]
        return self._scores(where, weights / (self._norms[row] or 1))

    def similarities_to(self, terms: Terms) -> np.ndarray:
        """The same for a document outside the index (an unpublished article): a term the index
        lacks is in no document."""
        where = np.searchsorted(self._terms, terms.hashes)
        known = where < self._terms.size
        known[known] = self._terms[where[known]] == terms.hashes[known]
        idf = np.full(terms.size, _idf(np.zeros(1), self.size)[0])
        idf[known] = self._idf[where[known]]
        weights = _tf(terms.counts) * idf
        norm = np.sqrt((weights**2).sum())
        return self._scores(where[known], (weights / (norm or 1))[known])

    def _scores(self, where: np.ndarray, weights: np.ndarray) -> np.ndarray:
        runs = self._runs[where]
        # The positions of every kept posting of these terms, one run per term.
        offsets = self._starts[where] - np.cumsum(runs) + runs
        positions = np.repeat(offsets, runs) + np.arange(runs.sum())
        products = self._weights[positions] * np.repeat(weights, runs)
        return np.bincount(self._owners[positions], weights=products, minlength=self.size)
