"""Chinese-friendly search tokens: normalisation, character bigrams, and the query language.

Pure Python, no Django. The databases' own tokenizers split on spaces and punctuation, which Chinese
does not have (see ../shared/docs/search-notes.md), so both documents and queries are turned into
token strings here and the database only indexes whitespace-separated tokens:

* Text is normalised one character at a time: NFKC (full-width → half-width), lower case, and
  traditional → simplified (OpenCC's character table). Per character, so that normalising is
  compatible with concatenation: if ``q`` occurs in ``text`` then ``normalize(q)`` occurs in
  ``normalize(text)``. That property is what makes recall 1.0 against a substring scan.
* A run of CJK characters becomes its overlapping bigrams plus, for documents, its last character
  alone; a one-character query is then a prefix query (``家*`` finds 家政 and a final 家).
* A run of letters and digits (5g, evtol, 2024) is one word. Any substring of a word must be found
  too (``vtol`` in ``evtol``), so documents also carry the word's proper suffixes, each cut to
  ``WORD_WINDOW`` characters; a query word is a prefix query on words and suffixes.

Matching tokens is necessary, not sufficient (the bigrams of 产教融合 also occur in 融合产教), so
the search also checks that the normalised text contains each term: results equal a substring scan.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

import opencc

__all__ = [
    "WORD_WINDOW",
    "Piece",
    "Query",
    "Term",
    "document_tokens",
    "fold_spaces",
    "is_cjk",
    "match_text",
    "match_text_with_offsets",
    "normalize",
    "original_index",
    "parse_query",
    "suffix_tokens",
]

#: Longest suffix of a letter/digit word kept as a token; a longer query word is cut to this length
#: for the index lookup (the substring check then decides).
WORD_WINDOW = 32
#: At most this many tokens of one query go to the index: a pasted paragraph would otherwise make a
#: query of thousands of ANDed tokens. Fewer tokens only widen the candidates; the substring check
#: keeps the result exact.
MAX_QUERY_TOKENS = 24
#: Query terms beyond this many are ignored (a notice says so).
MAX_TERMS = 12

_T2S = opencc.OpenCC("t2s")

# Han (with extensions and compatibility ideographs), the iteration marks 々〆〇, kana, hangul.
_CJK = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
# A token is a run of CJK characters, or a run of other letters and digits (\w without _ and CJK).
_TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")


class _CharMap(dict):
    """``str.translate`` table filled on first use: code point → normalised string."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isspace():
            # Keep line breaks (they separate fields and paragraphs); any other space is a space.
            out = "\n" if ch in "\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85" else " "
        else:
            out = unicodedata.normalize("NFKC", ch).lower()
            out = "".join(_T2S.convert(c) if is_cjk(c) else c for c in out)
            # A few symbols decompose to a space plus an accent (´ → " ́"); a space must only
            # come from a space, or it would separate query terms that are one in the text.
            out = "".join(c for c in out if not c.isspace()) or ch
        self[code] = out
        return out


_CJK_RE = re.compile(f"[{_CJK}]")


def is_cjk(ch: str) -> bool:
    """A Han, kana or hangul character (tokenised as bigrams)."""
    return _CJK_RE.match(ch) is not None


_CHAR_MAP = _CharMap()


def normalize(text: str) -> str:
    """NFKC, lower case and simplified characters, one character at a time (see the module doc)."""
    return text.translate(_CHAR_MAP)


class _Expansions:
    """Index in ``normalize(text)`` → index in ``text``, where some characters became several
    (… → ..., ㍿ → 株式会社): piecewise, so only those characters cost Python time."""

    def __init__(self, text: str, *, one_to_one: bool) -> None:
        self._starts = [0]  # piece starts in the normalised text
        self._origins = [0]  # … and in the original
        self._flat = [False]  # an expansion: every character of the piece maps to one original
        if one_to_one:
            return
        multi = [c for c in set(text) if len(_CHAR_MAP[ord(c)]) != 1]
        if not multi:
            return
        shift = 0
        for m in re.finditer("|".join(map(re.escape, multi)), text):
            p = m.start()
            k = len(_CHAR_MAP[ord(text[p])])
            self._starts += [p + shift, p + shift + k]
            self._origins += [p, p + 1]
            self._flat += [True, False]
            shift += k - 1

    def __getitem__(self, i: int) -> int:
        piece = bisect_right(self._starts, i) - 1
        if self._flat[piece]:
            return self._origins[piece]
        return self._origins[piece] + i - self._starts[piece]


# Spaces next to a CJK character are typography, not content: "11.7 亿" is 11.7亿, "2024 年" is
# 2024年 (writers put a space between Han and Latin or digits, or not). Line breaks stay.
_FOLD_RE = re.compile(rf" +(?=[{_CJK}])|(?<=[{_CJK}]) +")


def fold_spaces(norm: str) -> str:
    """Drop the spaces of normalised text that touch a CJK character.

    Applied alike to documents and query terms; a term without spaces is unaffected and a
    space-free piece of a document stays contiguous, so substring matches are kept.
    """
    return _FOLD_RE.sub("", norm)


def match_text(text: str) -> str:
    """The form the substring check compares: normalised, spaces next to CJK dropped."""
    return fold_spaces(normalize(text))


class OffsetMap:
    """Index in a ``match_text`` → index in the original text (for highlighting)."""

    def __init__(self, starts: list[int], origins: list[int], expansions: _Expansions) -> None:
        self._starts = starts  # where each kept piece starts in the folded text
        self._origins = origins  # … and in the normalised text
        self._expansions = expansions  # normalised → original

    def __getitem__(self, i: int) -> int:
        piece = bisect_right(self._starts, i) - 1
        return self._expansions[self._origins[piece] + i - self._starts[piece]]


# Characters whose normal form is one character, never a space: most of a Chinese text (Han,
# ASCII, the full-width forms, CJK punctuation, quotation marks). tests/core/test_tokens.py checks
# each. Whatever else a text holds is looked at one by one (``_shift_at``).
_ONE_FOR_ONE = "\n!-~\u00b7\u2014\u2018-\u201d\u3001-\u3003\u3008-\u3011\u4e00-\u9fff\uff01-\uff5e"
# One character class alone: the regex engine skips what it holds at C speed.
_OTHER_RE = re.compile(f"[^{_ONE_FOR_ONE}]")
_SPACES_RE = re.compile(r"[^\S\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]+")


def _shift_at(text: str, start: int) -> tuple[int, int]:
    """Where the character at ``start`` (or the run of spaces it begins) ends, and how many
    characters ``match_text`` makes of it beyond one each: more for one that normalises to
    several, minus the run's length for spaces folded away, else 0."""
    run = _SPACES_RE.match(text, start)
    if run is None:
        return start + 1, len(_CHAR_MAP[ord(text[start])]) - 1
    end = run.end()
    before = _CHAR_MAP[ord(text[start - 1])][-1] if start else ""
    after = _CHAR_MAP[ord(text[end])][0] if end < len(text) else ""
    folded = is_cjk(before) or is_cjk(after)  # as _FOLD_RE folds them
    return end, start - end if folded else 0


def original_index(text: str, i: int) -> int | None:
    """Where in ``text`` the character at index ``i`` of ``match_text(text)`` came from, worked
    out from the few characters before it that move positions (without normalising the text);
    None if it is part of one of them or past the end."""
    shift = kept_from = pos = 0  # characters gained so far; where positions are kept again
    # Only what starts before the character can move it: the search stops there.
    while m := _OTHER_RE.search(text, pos, max(pos, i - shift + 1)):
        pos, change = _shift_at(text, m.start())
        if change:
            shift += change
            kept_from = pos
    at = i - shift
    return at if kept_from <= at < len(text) else None


def match_text_with_offsets(text: str) -> tuple[str, OffsetMap]:
    """``match_text(text)`` and where each of its characters came from in ``text``."""
    norm = normalize(text)
    starts, origins, parts = [0], [0], []
    pos = 0
    for m in _FOLD_RE.finditer(norm):
        parts.append(norm[pos : m.start()])
        pos = m.end()
        starts.append(starts[-1] + len(parts[-1]))
        origins.append(pos)
    parts.append(norm[pos:])
    # No character normalises to nothing, so equal lengths mean one character for one.
    expansions = _Expansions(text, one_to_one=len(norm) == len(text))
    return "".join(parts), OffsetMap(starts, origins, expansions)


def document_tokens(norm: str) -> list[str]:
    """Tokens of normalised text, in order: CJK bigrams (and each run's last character), words.

    >>> document_tokens("广州推动产教融合, 5g与evtol")
    ['广州', '州推', '推动', '动产', '产教', '教融', '融合', '合', '5g', '与', 'evtol']
    """
    out: list[str] = []
    for m in _TOKEN_RE.finditer(norm):
        run = m.group("cjk")
        if run is None:
            # Cut like the query's prefixes: PostgreSQL refuses lexemes over 2 KB, and a query
            # looks a long word up by its first WORD_WINDOW characters anyway.
            out.append(m.group("word")[:WORD_WINDOW])
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def suffix_tokens(norm: str) -> list[str]:
    """The proper suffixes of each letter/digit word, cut to ``WORD_WINDOW`` characters.

    ``evtol`` → ``vtol tol ol l``: with them a prefix query finds any substring of a word.
    """
    out: list[str] = []
    for m in _TOKEN_RE.finditer(norm):
        word = m.group("word")
        if word is not None:
            out.extend(word[i : i + WORD_WINDOW] for i in range(1, len(word)))
    return out


@dataclass(frozen=True)
class Piece:
    """A part of a term the index can look up: a CJK run of two or more characters (its bigrams,
    in order: a phrase) or a prefix (a lone CJK character, a letter/digit word)."""

    bigrams: tuple[str, ...] = ()
    prefix: str = ""


@dataclass(frozen=True)
class Term:
    """One query term: normalised text that must (or, negated, must not) occur in the document."""

    text: str
    negative: bool = False
    #: Tokens every matching document has (bigrams of the term's CJK runs).
    tokens: tuple[str, ...] = ()
    #: Prefixes some token of every matching document starts with (lone CJK characters, words).
    prefixes: tuple[str, ...] = ()
    #: The term's runs and words in order.
    pieces: tuple[Piece, ...] = ()

    @property
    def one_piece(self) -> bool:
        """The term is one CJK run or one ASCII word, nothing else: a phrase of its bigrams (or
        a prefix query) in an index with positions finds exactly the documents containing it."""
        m = _TOKEN_RE.fullmatch(self.text)
        if m is None:
            return False
        return m.group("cjk") is not None or (len(self.text) <= WORD_WINDOW and self.text.isascii())

    @property
    def exact(self) -> bool:
        """True if the index lookup alone equals the substring test (no check needed).

        That is a term made of one CJK run of one or two characters (a single bigram or a prefix)
        or one ASCII letter/digit word no longer than the window (other letters may be case- or
        accent-folded differently by a database's tokenizer, so they get the check).
        """
        m = _TOKEN_RE.fullmatch(self.text)
        if m is None:
            return False
        if m.group("cjk") is not None:
            return len(self.text) <= 2
        return len(self.text) <= WORD_WINDOW and self.text.isascii()

    @property
    def indexed(self) -> bool:
        """The index can look the term up (it has letters, digits or CJK)."""
        return bool(self.tokens or self.prefixes)


@dataclass(frozen=True)
class Query:
    """A parsed query: terms all of which must match, terms none of which may match."""

    raw: str
    terms: tuple[Term, ...] = ()
    #: Human-readable remarks for the results page (terms ignored, query not searchable …).
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negative)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negative)

    @property
    def searchable(self) -> bool:
        """At least one term that must occur (a query of exclusions only finds nothing)."""
        return bool(self.positive)

    @property
    def indexed(self) -> bool:
        """The index can narrow the candidates; otherwise (punctuation only, e.g. "、") the
        search scans every document's text: slower, still exact."""
        return any(t.indexed for t in self.positive)


def _term(text: str, *, negative: bool) -> Term:
    tokens: list[str] = []
    prefixes: list[str] = []
    pieces: list[Piece] = []
    for m in _TOKEN_RE.finditer(text):
        run = m.group("cjk")
        if run is None:
            prefixes.append(m.group("word")[:WORD_WINDOW])
            pieces.append(Piece(prefix=prefixes[-1]))
        elif len(run) == 1:
            prefixes.append(run)
            pieces.append(Piece(prefix=run))
        else:
            bigrams = tuple(run[i : i + 2] for i in range(len(run) - 1))
            tokens.extend(bigrams)
            pieces.append(Piece(bigrams=bigrams))
    return Term(
        text=text,
        negative=negative,
        tokens=tuple(dict.fromkeys(tokens)),
        prefixes=tuple(dict.fromkeys(prefixes)),
        pieces=tuple(pieces),
    )


# "a phrase", or a run of non-space characters; an unbalanced quote runs to the end.
_PART_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Chinese quotation marks around a whole term quote a phrase as "…" does: “…”, ‘…’, 「…」, 『…』.
# Inside a term (他说“好”) they are text like any other.
_CJK_PHRASE_RE = re.compile(
    r'(?:(?<=\s)|^)(-?)(?:“([^”"]*)”|‘([^’"]*)’|「([^」"]*)」|『([^』"]*)』)(?=\s|$)'
)


def _ascii_phrases(norm: str) -> str:
    return _CJK_PHRASE_RE.sub(
        lambda m: f'{m.group(1)}"{next(g for g in m.groups()[1:] if g is not None)}"', norm
    )


# Characters no text can contain or that the databases refuse (PostgreSQL rejects NUL).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def parse_query(raw: str) -> Query:
    """Parse what a user typed: terms separated by spaces (all must occur), "quoted phrases"
    (or “…”, ‘…’, 「…」, 『…』), ``-term`` or ``-"phrase"`` to exclude. Never raises; anything
    unusable becomes a notice.

    >>> [(t.text, t.negative) for t in parse_query('產教融合 "5G 网络" -招生').terms]
    [('产教融合', False), ('5g 网络', False), ('招生', True)]
    """
    norm = _ascii_phrases(_CONTROL_RE.sub(" ", normalize(raw)))
    terms: list[Term] = []
    notices: list[str] = []
    seen: set[tuple[str, bool]] = set()
    for m in _PART_RE.finditer(norm):
        if m.group(3) is not None:
            word = m.group(3)
            negative = word.startswith("-") and len(word) > 1
            text = word[1:] if negative else word
        else:
            negative = m.group(1) == "-"
            text = fold_spaces(" ".join(m.group(2).split()))
        if not text or (text, negative) in seen:
            continue
        seen.add((text, negative))
        terms.append(_term(text, negative=negative))
    if len(terms) > MAX_TERMS:
        notices.append(f"检索词过多，只使用了前 {MAX_TERMS} 个。")
        terms = terms[:MAX_TERMS]
    query = Query(raw=raw, terms=tuple(terms), notices=tuple(notices))
    if terms and not query.searchable:
        notices.append("请输入要查找的词：只有排除词（-词）时没有结果。")
        query = Query(raw=raw, terms=query.terms, notices=tuple(notices))
    return query
