"""The pure search text code: normalisation, tokens, the query language, highlighting."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.tokens import (
    MAX_QUERY_TOKENS,
    MAX_TERMS,
    WORD_WINDOW,
    document_tokens,
    match_text,
    match_text_with_offsets,
    normalize,
    original_index,
    parse_query,
    suffix_tokens,
)
from search.backends import tsvector_literal
from search.backends.base import budget
from search.highlight import mark, snippet

# Text that looks like the corpus: Han (simplified and traditional), Latin, digits, full-width
# forms, punctuation, spaces; plus anything else Unicode has.
_corpus_chars = st.sampled_from(
    list("产教融合职业教育广州家政低空经济職業學國發後")
    + list("eVTOL5GabcXYZ0123456789.%+-")
    + list("ＡＢＣ１２３ｅｖｔｏｌ　，。、“”《》（）：；！？—…")
    + [" ", "\n", "é", "ß", "İ", "ﬁ", "㍿", "\u0301", "😀"]
)
corpus_text = st.one_of(
    st.text(_corpus_chars, min_size=1, max_size=80),
    st.text(min_size=1, max_size=80),
)


def test_normalize_folds_width_case_and_traditional_characters():
    assert normalize("職業教育") == "职业教育"
    assert normalize("ＥＶＴＯＬ　５Ｇ") == "evtol 5g"
    assert normalize("國發") == "国发"
    assert match_text("广东省财政安排 11.7 亿支持技工教育") == "广东省财政安排11.7亿支持技工教育"
    # Latin words keep their spaces: only spaces touching a CJK character are typography.
    assert match_text("Information on Technical 职教") == "information on technical职教"


@given(text=corpus_text, data=st.data())
@example(text="e\u0301vtol", data=None)
def test_a_substring_stays_a_substring_after_normalising(text, data):
    """The property recall rests on: normalising works character by character, so a piece of a
    text normalises to a piece of the normalised text (and folding spaces keeps a space-free
    piece contiguous)."""
    if data is None:
        i, j = 0, 2
    else:
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i + 1, len(text)))
    piece = text[i:j]
    assert normalize(piece) in normalize(text)
    if not any(c.isspace() for c in piece):
        assert match_text(piece) in match_text(text)


def test_document_tokens_are_bigrams_last_characters_and_words():
    assert document_tokens(normalize("广州推动产教融合，5G与eVTOL")) == [
        "广州", "州推", "推动", "动产", "产教", "教融", "融合", "合", "5g", "与", "evtol",
    ]  # fmt: skip
    assert document_tokens("家") == ["家"]
    assert suffix_tokens("evtol 产教") == ["vtol", "tol", "ol", "l"]
    long_word = "x" * (WORD_WINDOW + 10)
    assert max(len(t) for t in suffix_tokens(long_word)) == WORD_WINDOW


def _index_finds(doc: str, term_text: str) -> bool:
    """What the database does with the tokens: every token present, every prefix starts one."""
    norm = normalize(doc)
    tokens = set(document_tokens(norm)) | set(suffix_tokens(match_text(doc)))
    [term] = parse_query(term_text).terms
    return all(t in tokens for t in term.tokens) and all(
        any(t.startswith(p) for t in tokens) for p in term.prefixes
    )


@given(text=corpus_text, data=st.data())
@example(text="eVTOL飞行器", data=None)
def test_the_index_finds_every_substring(text, data):
    """Recall in pure form: for any piece of a text that is a query term (no spaces, no quote,
    not starting with -), the query's tokens are all among the document's tokens."""
    if data is None:
        piece = "VTOL飞"
    else:
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i + 1, len(text)))
        piece = text[i:j]
    terms = parse_query(piece).terms
    if len(terms) != 1 or terms[0].negative or terms[0].text != match_text(piece):
        return  # spaces, quotes or a leading minus: query syntax, not one term
    assert _index_finds(text, piece)


def test_query_syntax():
    q = parse_query('產教融合 "5G 网络" -招生 -"中职 学校"')
    assert [(t.text, t.negative) for t in q.terms] == [
        ("产教融合", False),
        ("5g网络", False),
        ("招生", True),
        ("中职学校", True),  # spaces next to Han fold away in phrases as in documents
    ]
    assert q.positive[0].tokens == ("产教", "教融", "融合")
    assert q.positive[1].prefixes == ("5g",)
    # Full-width quotes and minus are the same keys on a Chinese keyboard.
    assert parse_query("＂职业 教育＂ －广州").terms == parse_query('"职业 教育" -广州').terms


def test_odd_queries_never_raise_and_explain_themselves():
    assert parse_query("").terms == () and not parse_query("").searchable
    punctuation = parse_query("，。！？“”……")
    assert punctuation.searchable and not punctuation.indexed  # found by scanning
    only_excluded = parse_query("-广州")
    assert not only_excluded.searchable and only_excluded.notices
    unbalanced = parse_query('"产教融合')
    assert [t.text for t in unbalanced.terms] == ["产教融合"]
    assert parse_query("职\x00业").terms[0].text == "职"  # control characters separate terms
    many = parse_query(" ".join(f"词{i}" for i in range(MAX_TERMS + 5)))
    assert len(many.terms) == MAX_TERMS and many.notices


def test_exact_terms_skip_the_substring_check():
    exact = {t.text: t.exact for t in parse_query("家 产教 evtol 产教融合 11.7 café").terms}
    assert exact == {
        "家": True, "产教": True, "evtol": True,  # one token says it all
        "产教融合": False, "11.7": False,  # tokens in any order would match too
        "café": False,  # a database tokenizer may fold accents
    }  # fmt: skip


def test_a_long_query_makes_a_bounded_number_of_lookups():
    [term] = parse_query("职业教育产教融合" * 500).terms
    pieces, whole = budget(term.pieces)
    assert not whole and 0 < sum(len(p.bigrams) or 1 for p in pieces) <= MAX_QUERY_TOKENS
    # What is kept of a run is consecutive bigrams of it: still a phrase that occurs in the text.
    for piece in pieces:
        text = piece.bigrams[0] + "".join(b[1] for b in piece.bigrams[1:])
        assert text in term.text


def test_snippets_mark_terms_in_the_original_text_and_escape_html():
    text = "<b>注意</b>：廣州推動產教融合助力制造業轉型升級。" + "其他内容" * 40
    html = snippet(text, ["产教融合", "制造业"], width=30)
    assert "<mark>產教融合</mark>" in html and "<mark>制造業</mark>" in html
    assert "&lt;/b&gt;" in html and "</b>" not in html
    assert html.startswith("…") and html.endswith("…")
    assert mark("eVTOL 飞行器", ["evtol"]) == "<mark>eVTOL</mark> 飞行器"
    # A hit far into the text: the window moves there.
    far = "甲" * 500 + "低空经济" + "乙" * 500
    cut = snippet(far, ["低空经济"], width=60)
    assert cut.startswith("…") and cut.endswith("…") and "<mark>低空经济</mark>" in cut
    assert len(cut.replace("<mark>", "").replace("</mark>", "")) <= 62
    # Spaces that fold away in matching are marked with the term.
    assert "<mark>11.7 亿</mark>" in snippet("财政安排 11.7 亿支持", ["11.7亿"])
    assert snippet("无关的文字", ["低空"]) == "无关的文字"


def test_the_characters_taken_to_keep_positions_normalise_to_one_character_each():
    """What original_index skips without looking: each such character's normal form is one
    character and not a space."""
    import re

    from core.tokens import _CHAR_MAP, _ONE_FOR_ONE

    kept = re.compile(f"[{_ONE_FOR_ONE}]")
    checked = 0
    for code in range(0x30000):
        if kept.match(chr(code)):
            out = _CHAR_MAP[code]
            assert len(out) == 1 and out != " ", (hex(code), out)
            checked += 1
    assert checked > 20_000


@given(text=corpus_text)
@example(text="财政 11.7 亿…… ㍿ 职教 ﬁ\u3000 產教  融合 ok")
def test_the_original_index_is_the_offset_map_s_wherever_it_answers(text):
    folded, origin = match_text_with_offsets(text)
    answered = 0
    for i in range(len(folded) + 1):
        at = original_index(text, i)
        if at is not None:
            assert at == origin[i], (i, at)
            answered += 1
    # Only the characters of expansions have no answer.
    assert answered >= len(folded) - sum(n for c in text if (n := len(match_text(c))) > 1)


@given(text=corpus_text, data=st.data())
@example(text="2024 年…… 产教融合 “产教融合”", data=None)
def test_a_snippet_from_the_first_hit_is_the_snippet_found_from_the_start(text, data):
    folded = match_text(text)
    if data is None:
        terms = ["产教融合"]
    else:
        i = data.draw(st.integers(0, len(folded) - 1)) if folded else 0
        j = data.draw(st.integers(i + 1, max(i + 1, min(len(folded), i + 6))))
        terms = [folded[i:j].strip()] if folded[i:j].strip() else []
    found = [k for t in terms if (k := folded.find(t)) >= 0]
    if not found:
        return
    for width in (8, 60):
        expected = snippet(text, terms, width=width)
        assert snippet(text, terms, width=width, first=min(found)) == expected


def _whole_text_snippet(text: str, terms: list[str], width: int) -> str:
    """What ``snippet`` must give, worked out the slow way: the whole text normalised."""
    from search.highlight import _render, _spans, _window

    norm, origin = match_text_with_offsets(text)
    hits = sorted((at, t) for t in terms if (at := norm.find(t)) >= 0)
    if not hits:
        return snippet(text, [], width=width)
    at, term = hits[0]
    start, end = _window(origin[at], origin[at + len(term) - 1] + 1, len(text), width)
    body = _render(text[start:end], _spans(norm, origin, terms, start=at, stop=end), offset=start)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


_pieces = [*"产教融合职業教育ＡＢ１…㍿ﬁ", " ", "\u3000", "\n", "产教融合" * 3]
_long_text = st.lists(st.sampled_from(_pieces), max_size=400).map("".join)


@given(text=_long_text, data=st.data())
@example(text="职业教育" * 225 + "产教融合" * 18 + "。", data=None)
def test_a_snippet_is_the_whole_text_s_with_terms_inside_one_another(text, data):
    """Two terms, one possibly inside the other, in texts longer than the first prefix read: a
    longer term that starts first wins even where a shorter one is found first."""
    folded = match_text(text)
    if data is None:
        terms = ["产教融合" * 18, "融合"]
    else:
        i = data.draw(st.integers(0, max(0, len(folded) - 1)))
        long = folded[i : i + data.draw(st.integers(1, 80))].strip()
        short = long[data.draw(st.integers(0, max(0, len(long) - 1))) :][:2].strip()
        terms = [t for t in (long, short) if t]
    found = [k for t in terms if (k := folded.find(t)) >= 0]
    for width in (8, 60):
        expected = _whole_text_snippet(text, terms, width)
        assert snippet(text, terms, width=width) == expected
        if found:
            assert snippet(text, terms, width=width, first=min(found)) == expected


def test_a_snippet_from_the_first_hit_reads_a_window_only_on_the_seed_issues():
    """The two seed issues in pieces of article length, terms from all along them: the snippet
    from the first hit is the one found from the start, and nearly always it came from the
    window alone."""
    from search.highlight import _from_first
    from tests.seeds import ISSUE_01, ISSUE_02, seed_text

    windows = fallbacks = 0
    whole = seed_text(ISSUE_02)[:60_000] + seed_text(ISSUE_01)[:60_000]
    for text in (whole[i : i + 3000] for i in range(0, len(whole), 3000)):
        folded = match_text(text)
        for at in range(0, len(folded) - 4, 97):
            term = folded[at : at + 4]
            if " " in term or "\n" in term:
                continue
            first = folded.find(term)
            assert snippet(text, [term], first=first) == snippet(text, [term]), term
            if _from_first(text, [term], 60, first) is None:
                fallbacks += 1
            else:
                windows += 1
    assert windows > 200 and fallbacks < windows / 10, (windows, fallbacks)


def test_tsvector_literal_has_positions_weights_and_quotes():
    literal = tsvector_literal(title=["产教", "教融"], meta=[], body=["产教", "o'k"], sub=["k"])
    assert literal == "'产教':1A,3C '教融':2A 'o''k':4C 'k':5D"


@given(text=corpus_text)
@example(text="㍿… 11.7 亿ﬁ職")
def test_offsets_lead_back_to_the_character_each_matched_character_came_from(text):
    folded, origin = match_text_with_offsets(text)
    for i, ch in enumerate(folded):
        assert ch in match_text(text[origin[i]])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“市域产教联合体”", [("市域产教联合体", False)]),
        ("「市域 产教联合体」", [("市域产教联合体", False)]),
        ("『產教融合』 -‘广州’", [("产教融合", False), ("广州", True)]),
        ("“5G 网络” 教育", [("5g网络", False), ("教育", False)]),
        # Inside a term the marks are text, as in the documents; so is an apostrophe.
        ("他说“好”", [("他说“好”", False)]),
        ("don’t", [("don’t", False)]),
        ("“未闭合", [("“未闭合", False)]),
    ],
)
def test_chinese_quotation_marks_quote_a_phrase(raw, expected):
    assert [(t.text, t.negative) for t in parse_query(raw).terms] == expected
