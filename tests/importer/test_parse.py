"""The issue parser on the two real seed issues and on small edits of them; no Django needed.

Run alone with ``pytest -p no:django --noconftest tests/importer/test_parse.py``.
"""

from __future__ import annotations

import datetime
import random
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities import registry
from communities.registry import RegistryError, parse_registry, split_lead_units
from importer import cover, labels, markup, provenance, toc
from importer import parse as parse_module
from importer.limits import TOC_LINE_MAX
from importer.markup import (
    Block,
    fold_title,
    render_html,
    restates_title,
    split_blocks,
    strip_markup,
    take_subtitle,
)
from importer.parse import (
    ArticleDoc,
    ImportFormatError,
    IssueDoc,
    decode_issue_bytes,
    parse_issue,
)
from importer.provenance import parse_date, split_provenance
from importer.toc import _title_and_page
from tests.importer.hostile import line_of, small_with
from tests.seeds import ISSUE_01, ISSUE_02, SEED_ARTICLE, SEED_ARTICLE_SOURCE, seed_text
from tests.work import chars_through, folder, regex_chars, steps

#: The parsers' own lines of Python: the importer's and the registry's (communities).
PARSERS = (folder("importer"), folder("communities"))
#: The modules whose regular expressions read the issue's lines.
PARSER_MODULES = (parse_module, toc, markup, cover, provenance, labels, registry)


def _work(action, *args, limit: int | None = None) -> int:
    """The work of ``action(*args)``, counted, not timed (no timed tests: a loaded machine
    gives the same count): the lines of Python the parsers run, plus the characters handed to
    their regular expressions and to ``markup.join_lines`` (which copies what it joins), work
    done in one C call that no line count sees. Past ``limit`` lines the call is stopped
    (:class:`tests.work.TooMuchWork`), so that a search gone exponential fails instead of
    running on."""
    with pytest.MonkeyPatch.context() as patch:
        regexes = regex_chars(patch, PARSER_MODULES)
        joined = chars_through(patch, markup, "join_lines")
        lines = steps(action, *args, within=PARSERS, limit=limit)
    return lines + regexes.chars + joined.chars


def _grows(work, small: int, large: int, *, first: int) -> float:
    """``work(large) / work(small)``, ``work(size, limit)`` stopped past ``first`` lines for the
    small size (some ten times what it runs now) and past 20 times the small one's work for the
    large (quadratic is 16 times for 4 times the size): a step gone quadratic or exponential
    fails in seconds instead of running on."""
    base = work(small, limit=first)
    return work(large, limit=20 * base) / base


@pytest.fixture(scope="module")
def text02() -> str:
    return seed_text(ISSUE_02)


@pytest.fixture(scope="module")
def text01() -> str:
    return seed_text(ISSUE_01)


@pytest.fixture(scope="module")
def issue02(text02: str) -> IssueDoc:
    return parse_issue(text02)


@pytest.fixture(scope="module")
def issue01(text01: str) -> IssueDoc:
    return parse_issue(text01)


def art(doc: IssueDoc, number: str) -> ArticleDoc:
    return next(a for a in doc.articles if a.number == number)


def paragraphs(html: str) -> list[str]:
    return html.split("\n")


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced; fails when ``old`` is not there (the seed changed)."""
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


def without_line(text: str, line_no: int) -> str:
    lines = text.split("\n")
    del lines[line_no - 1]
    return "\n".join(lines)


# --- structure ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tops", "subs", "articles"), [(ISSUE_02, 4, 9, 40), (ISSUE_01, 4, 8, 34)]
)
def test_structure_counts(name: str, tops: int, subs: int, articles: int) -> None:
    doc = parse_issue(seed_text(name))
    assert sum(s.parent is None for s in doc.sections) == tops
    assert sum(s.parent is not None for s in doc.sections) == subs
    assert len(doc.articles) == articles
    section_numbers = {s.number for s in doc.sections}
    assert all(a.section in section_numbers for a in doc.articles)
    assert [a.position for a in doc.articles] == list(range(articles))
    assert [s.position for s in doc.sections] == list(range(tops + subs))


def test_sections_come_from_the_toc(issue02: IssueDoc) -> None:
    by_number = {s.number: s for s in issue02.sections}
    top = by_number["1"]
    assert (top.title, top.parent, top.page, top.line) == ("职教动态", None, 1, 21)
    s = by_number["1.2"]
    assert (s.title, s.parent, s.page, s.line) == ("职教快讯", "1", 26, 31)
    assert [s.number for s in issue02.sections][:4] == ["1", "1.1", "1.2", "2"]


def test_articles_directly_under_a_top_section(issue01: IssueDoc) -> None:
    assert "3.1" not in {s.number for s in issue01.sections}
    three = next(s for s in issue01.sections if s.number == "3")
    assert (three.title, three.parent, three.page) == ("职教观点", None, 85)
    for number in ("3.1", "3.2", "3.3"):
        assert art(issue01, number).section == "3"
    a = art(issue01, "3.1")
    assert (a.title, a.page_start, a.page_end, a.line) == ("何为教育的“新质生产力”", 85, 87, 1365)
    assert a.subtitle == ""  # "何为教育的“新质生产力”？" under it restates the title
    assert art(issue01, "3.3").page_end == 94  # 4.1.1 starts on 95


def test_parsing_is_fast(text02: str, text01: str) -> None:
    """A real issue costs a dozen units of work a character (lines of Python run, characters
    handed to a regex); a step quadratic in its thousands of lines would be hundreds."""
    for text in (text02, text01):
        work = _work(parse_issue, text, limit=100 * len(text))
        assert work < 30 * len(text), f"{work / len(text):.1f} units of work a character"


# --- cover, staff, notes ------------------------------------------------------------------------


def test_cover(issue02: IssueDoc, issue01: IssueDoc) -> None:
    assert (issue02.year, issue02.number, issue01.year, issue01.number) == (2024, 2, 2024, 1)
    for doc in (issue02, issue01):
        assert doc.title == "职教通讯"
        assert doc.school == "广州市白云工商技师学院 (国家重点技校)"
        assert doc.school_en == "GUANGZHOU BAIYUN TECHNICIAN COLLEGE OF BUSINESS"
    assert issue02.title_en == "Information on Technical Vocational Education"
    assert issue01.title_en == "Informationon Technical Vocational Education"  # as printed
    assert issue02.publisher == "广州市白云工商技师学院—职教所（教师发展中心）"
    assert issue01.publisher == "广州市白云工商技师学院一职教所（教师发展中心）"  # as printed


def test_staff_names_are_folded(issue02: IssueDoc, issue01: IssueDoc) -> None:
    for doc in (issue02, issue01):
        assert (doc.chief_editor, doc.editor, doc.managing_editor) == ("赵顺灵", "刘乐", "邱玉")


def test_notes(issue02: IssueDoc, issue01: IssueDoc) -> None:
    notes = issue02.notes
    assert notes.startswith("一、《职教通讯》宗旨\n\n《职教通讯》为广州市白云工商技师学院")
    assert "\n\n二、《职教通讯》内容板块\n\n1.职教动态：" in notes
    assert "\n2.校本研究：" in notes  # list items one a line, "- " and "#" gone
    assert notes.endswith("同时不定期开展学术研讨交流会。")
    assert "#" not in notes and "- " not in notes and "赵顺灵" not in notes and "总编" not in notes
    assert issue01.notes.startswith("一、《职教通讯》宗旨\n\n")
    assert "(1) 职教动态：" in issue01.notes


# --- titles, sources, pages ---------------------------------------------------------------------


def test_titles_labels_and_pages(issue02: IssueDoc) -> None:
    a = art(issue02, "1.1.1")
    assert (a.source, a.title, a.toc_title, a.page_start, a.page_end, a.line) == (
        "人力资源社会保障部",
        "广东实施“南粤家政”工程",
        "广东实施“南粤家政”工程",
        1,
        3,
        109,
    )
    a = art(issue02, "1.1.3")
    assert (a.source, a.title, a.toc_title) == (
        "教育部",
        "教育部办公厅关于加强市域产教联合体建设的通知",
        "关于加强市域产教联合体建设的通知",
    )
    a = art(issue02, "1.2.3")  # only the first colon separates the label
    assert a.source == "中国教育报"
    assert a.title == "职业教育“101计划”：如何持续深入推进职业教育课程改革"
    assert art(issue02, SEED_ARTICLE).source == SEED_ARTICLE_SOURCE
    a = art(issue02, "3.1.1")
    assert (a.source, a.page_start, a.page_end) == ("", 86, 89)
    assert a.title == "生成式人工智能如何赋能教育？"


def test_title_printed_twice_on_its_line_is_taken_once(issue02: IssueDoc) -> None:
    a = art(issue02, "4.3.2")
    assert a.title == "一大批项目刷新进度！广州这些重点领域在提高含“新”量"
    assert a.toc_title == "广州这些重点领域在提高含 “新” 量"  # the 目录's own wording


def test_printed_order_is_the_toc_order(issue02: IssueDoc) -> None:
    numbers = [a.number for a in issue02.articles]
    assert numbers.index("1.2.8") == numbers.index("1.2.7") - 1
    assert numbers[0] == "1.1.1" and numbers[-1] == "4.3.3"
    assert art(issue02, "1.2.6").page_end == 45  # followed by 1.2.8 on 46
    a, b = art(issue02, "1.2.8"), art(issue02, "1.2.7")
    assert (a.page_start, a.page_end, b.page_start, b.page_end) == (46, 49, 50, 53)
    assert a.line < b.line
    assert "强化类型定位" not in a.body_html and "教育部发文促就业" not in b.body_html


def test_page_end_of_the_last_article(issue02: IssueDoc, issue01: IssueDoc) -> None:
    # The appendix (page 165) follows 4.3.3 (page 161) in 2024年第02期; nothing follows 4.3.2 in 01.
    assert (art(issue02, "4.3.3").page_start, art(issue02, "4.3.3").page_end) == (161, 164)
    assert (art(issue01, "4.3.2").page_start, art(issue01, "4.3.2").page_end) == (130, None)


def test_page_end_when_the_next_article_starts_on_the_same_page(text02: str) -> None:
    text = edit(
        text02,
        "1.1.2 教育部：培养更多大国工匠、能工巧匠、高技能人才 .....\t4",
        "1.1.2 教育部：培养更多大国工匠、能工巧匠、高技能人才 .....\t1",
    )
    doc = parse_issue(text)
    assert (art(doc, "1.1.1").page_start, art(doc, "1.1.1").page_end) == (1, 1)


# --- bodies -------------------------------------------------------------------------------------


def test_body_boundaries_and_provenance(issue02: IssueDoc) -> None:
    a = art(issue02, "1.1.1")
    body = a.body_html
    assert body.startswith("<p>近年来，广东省以实施“南粤家政”工程为切入点")
    assert body.endswith("在全社会营造尊重家政、热爱家政的良好氛围。</p>")
    for absent in ("资料来源", "发布日期", "1.1.2", "培养更多大国工匠", "家政服务职业化建设"):
        assert absent not in body
    assert a.provenance_source == "人力资源和社会保障部官网"
    assert a.source_date == datetime.date(2024, 9, 27)
    assert (a.source_url, a.compiled_by) == ("", "")


def test_bold_lead_ins_and_page_break_joins(issue02: IssueDoc) -> None:
    body = art(issue02, "1.1.1").body_html
    assert "<p><strong>一、强化统筹协调，推动协同化发展。</strong>一是建立工作机制。" in body
    # Paragraphs cut by a page break mid-sentence are joined again.
    assert "推动实现标准共建、等级共评、证书共管" in body
    assert "通过乡村工匠家政专业人才评审取得职称证书" in body
    assert "等级</p>" not in body
    # ... but paragraphs that end a sentence are not.
    assert len(paragraphs(body)) == 6  # lead paragraph and 一 to 五


def test_headings_are_h3_or_h4_whatever_the_hashes(issue02: IssueDoc, issue01: IssueDoc) -> None:
    body = art(issue02, "1.1.3").body_html
    assert "<h3>一、总体要求</h3>" in body  # "#### 一、…"
    assert "<h4>（一）深化四个合作</h4>" in body  # "##### （一）…"
    assert "<h4>（二）推进“五金”建设</h4>" in body  # "## （二）…"
    assert "<p><strong>1.合作办学。</strong>充分发挥企业" in body
    body = art(issue02, "2.2.2").body_html
    assert "<h3>趋势四：安全可靠的整车全域操作系统将迎来量产元年</h3>" in body  # bold-only line
    body = art(issue02, "1.1.4").body_html
    assert "<p><strong>“政策措施”中提到：</strong></p>" in body  # bold, but a lead-in
    # Plain text: numbered lines without "#" are headings too.
    body = art(issue01, "1.1.3").body_html
    assert "<h3>一、总体要求</h3>\n<h4>（一）指导思想</h4>" in body
    assert "<h4>1.建立“省-市-校”三级中职教研工作体系</h4>" in body


def test_numbered_lines_inside_an_article_are_not_headings(issue02: IssueDoc) -> None:
    body = art(issue02, "2.1.3").body_html
    assert "<h4>1.发挥党建引领，赋能职教育人</h4>" in body
    assert body.endswith("通过说服教育、行为示范完成对子女品格的塑造。</p>")
    a = art(issue02, "4.1.2")
    assert "<p>1.地区生产总值、规模以上工业增加值及其分类项目" in a.body_html
    assert a.provenance_source == "广东省统计局网站"


def test_lists_tables_and_escaping(issue01: IssueDoc, issue02: IssueDoc, text02: str) -> None:
    body = art(issue01, "1.1.4").body_html
    assert "<ul><li>1.广州市技工院校 2024 年新增专业名单</li><li>2.广东省技工院校" in body
    assert "<table><tbody><tr><td>序号</td><td>学校</td><td>专业</td>" in body
    # HTML in the conversion becomes text; superscript digits are kept as characters.
    assert "12.7万m²的广汽获原二期项目" in art(issue02, "4.3.2").body_html
    doc = parse_issue(edit(text02, "国庆假期结束，", "<script>alert(1)</script> & 国庆假期结束，"))
    body = art(doc, "3.2.1").body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 国庆假期结束" in body
    assert "<script>" not in body


def test_subtitles(issue02: IssueDoc, issue01: IssueDoc) -> None:
    expected = {
        "1.1.1": "广东实施“南粤家政”工程 深入推进家政服务职业化建设",
        "1.1.3": "",  # the line under the heading restates it: no 副标题
        "1.2.2": "架好产教融合“立交桥”——代表委员热议如何增强职业教育适应性和吸引力",
        "4.1.1": "中国经济高质量发展扎实推进——国家统计局相关部门负责人解读前三季度主要经济数据",
        "4.3.2": "",  # the body starts with a paragraph
    }
    for number, subtitle in expected.items():
        assert art(issue02, number).subtitle == subtitle
    # The line under the heading leaves the body, a subtitle or not; the next "#" line is the
    # article's first sub-heading.
    assert art(issue02, "1.1.3").body_html.startswith("<p>各省、自治区、直辖市教育厅（教委）")
    assert art(issue02, "4.1.1").body_html.startswith(
        "<h3>国民经济稳中有进</h3>\n<p>国民经济核算司司长 赵同录</p>"
    )
    expected = {
        "1.1.1": "人力资源社会保障部关于进一步规范职业技能培训管理工作的通知",
        "1.1.5": "广州市教育局关于公布 2024 年广州市中等职业学校新设专业、示范专业及校企合作项目"
        "和专业方向规范设置备案名单的通知",  # one bold span over two lines
        "2.1.4": "广东省技工院校协作助力“百千万工程”行动方案 （公开征求意见稿）",
    }
    for number, subtitle in expected.items():
        assert art(issue01, number).subtitle == subtitle
    assert art(issue01, "1.1.1").body_html.startswith("<p>各省、自治区、直辖市及新疆生产建设兵团")


# Issue 14: the line under the heading was kept as a 副标题 when it only said the title again
# (25 of the 74 seed articles by the issue's count, 27 folding all punctuation), or said it as
# "label：title" (5). These lines extend the title and stay 副标题 (2.1.5's names an outlet
# that is not its label 职普融通).
SUBTITLES_THAT_EXTEND = {
    (ISSUE_02, "1.1.1"): "广东实施“南粤家政”工程 深入推进家政服务职业化建设",
    (ISSUE_02, "1.1.2"): "深入贯彻落实全国教育大会精神-培养更多大国工匠、能工巧匠、高技能人才",
    (ISSUE_02, "1.2.7"): "强化类型定位，守住“职业本色”——职业本科再扩容面临的机遇与挑战",
    (
        ISSUE_02,
        "2.1.1",
    ): "教育适配产业发展，产业助推教育提升——首个国家级产教融合共同体建设的探索与实践",
    (ISSUE_02, "2.1.5"): "广州市教育局：广州同步推进综合高中和中高企长学制试点",
    (ISSUE_02, "4.2.2"): "粤港澳大湾区五周年：经济回顾与展望",  # 的 → ：
    (ISSUE_01, "1.1.1"): "人力资源社会保障部关于进一步规范职业技能培训管理工作的通知",
    (ISSUE_01, "2.2.1"): "推进职普融通打破职业教育发展“天花板” 87.6%受访者有信心",
    (ISSUE_01, "2.3.5"): "临沂市莒南县“三链融合”助推县域职业教育新高地建设",
}
# Lines that only restated the title, with the label (3.2.1 广州科教城：…) or without.
RESTATED_BY_LABEL = [(ISSUE_02, n) for n in ("3.2.1", "3.2.3", "4.1.2", "4.1.3")] + [
    (ISSUE_01, "2.3.1")
]
RESTATED = [(ISSUE_02, n) for n in ("1.1.3", "1.1.5", "1.2.1", "2.2.4", "4.2.3")] + [
    (ISSUE_01, n) for n in ("2.2.4", "3.1")
]


def _folded(text: str) -> str:
    """This test's own fold (not the parser's): no spaces, no punctuation, full width as half."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] != "P")


def test_no_subtitle_restates_the_title(issue02: IssueDoc, issue01: IssueDoc) -> None:
    docs = {ISSUE_02: issue02, ISSUE_01: issue01}
    restating = [
        (name, a.number)
        for name, doc in docs.items()
        for a in doc.articles
        if a.subtitle and _folded(a.subtitle) in (_folded(a.title), _folded(a.source + a.title))
    ]
    assert restating == []
    for (name, number), subtitle in SUBTITLES_THAT_EXTEND.items():
        assert art(docs[name], number).subtitle == subtitle, number
    for name, number in RESTATED + RESTATED_BY_LABEL:
        a = art(docs[name], number)
        assert a.subtitle == "", number
        # The restating line left the body all the same: the body starts as it did.
        assert not a.body_html.startswith((f"<h3>{a.title}", f"<p>{a.title}")), number
    assert sum(1 for doc in docs.values() for a in doc.articles if a.subtitle) == 41


def test_restating_lines() -> None:
    title = "粤港澳大湾区协同“文化+”打造具有世界影响力的文化产业圈"
    assert restates_title("粤港澳大湾区协同“文化+”，打造具有世界影响力的文化产业圈", title)
    assert restates_title("何为教育的“新质生产力”？", "何为教育的“新质生产力”")
    assert restates_title("培养近 3000 万名“工匠”技工院校", "培养近３０００万名“工匠” 技工院校")
    assert restates_title("广东省统计局：2024年上半年", "2024年上半年", "广东省统计局")
    assert restates_title("广东省统计局:2024年上半年", "2024年上半年", "广东省统计局")
    assert not restates_title("广州市教育局：广州同步推进", "广州同步推进", "职普融通")
    assert not restates_title("架好“立交桥”——代表委员热议", "架好“立交桥”")
    assert not restates_title("", "标题")
    assert not restates_title("——", "")  # nothing left to compare
    assert fold_title("（公开征求意见稿） ABC") == fold_title("(公开征求意见稿)abc")


def test_provenance_as_printed(issue02: IssueDoc, issue01: IssueDoc) -> None:
    a = art(issue02, "2.2.2")  # not in bold
    assert (a.provenance_source, a.source_date) == ("观察者", datetime.date(2024, 11, 13))
    assert "资料来源" not in a.body_html
    a = art(issue02, "4.3.3")  # "2024 年 8 月 27": no 日
    assert (a.provenance_source, a.source_date) == ("《广州日报》", datetime.date(2024, 8, 27))
    assert art(issue02, "2.1.3").provenance_source == "《职业教育》2024年第8期"
    a = art(issue01, "4.3.2")
    assert (a.provenance_source, a.source_date) == ("羊城晚报", datetime.date(2024, 8, 25))
    assert a.body_html.endswith("巩固经济回升向好的基础。</p>")


def test_the_appendix(issue02: IssueDoc, issue01: IssueDoc, text02: str) -> None:
    assert issue02.appendix_title == "全国（及省级）行业产教融合共同体成立汇总表（1-500）"
    assert (issue02.appendix_page, issue02.appendix_line) == (165, 2555)
    assert issue02.appendix_text.startswith("## 附录：全国（及省级）行业产教融合共同体成立汇总表")
    assert issue02.appendix_text == text02[text02.index("## 附录：") :]
    last = art(issue02, "4.3.3").body_html
    assert "附录" not in last and "产教融合共同体" not in last
    assert last.endswith("让‘世界显示之都’有更多‘显示度’。”</p>")
    assert (issue01.appendix_title, issue01.appendix_page, issue01.appendix_text) == ("", None, "")
    assert issue01.appendix_line is None


def test_a_word_file_one_paragraph_a_line_reads_the_same(text01: str, issue01: IssueDoc) -> None:
    # docx.py gives every paragraph its own blank-line separated line (tabs kept: the 目录 needs
    # them between a title and its page number).
    docx_like = "\n\n".join(line.strip() for line in text01.splitlines() if line.strip())
    doc = parse_issue(docx_like)
    assert len(doc.articles) == 34 and len(doc.sections) == 12
    assert [s.page for s in doc.sections] == [s.page for s in issue01.sections]
    for ours, theirs in zip(issue01.articles, doc.articles, strict=True):
        assert (ours.title, ours.toc_title, ours.page_start, ours.page_end) == (
            theirs.title,
            theirs.toc_title,
            theirs.page_start,
            theirs.page_end,
        )
        assert (ours.subtitle, ours.provenance_source, ours.source_date) == (
            theirs.subtitle,
            theirs.provenance_source,
            theirs.source_date,
        )
        if "<table>" not in ours.body_html:
            assert ours.body_html == theirs.body_html, ours.number


def test_a_line_starting_like_a_section_number_stays_in_the_article(text02: str) -> None:
    # "2 月…" at the end of 1.2.7 is not section 2 (校本研究): sections must carry their title.
    source = "**资料来源：**《光明日报》"
    text = edit(text02, source, f"2 月份以来，职业本科招生计划继续扩大。\n\n{source}")
    body = art(parse_issue(text), "1.2.7").body_html
    assert body.endswith("<p>2 月份以来，职业本科招生计划继续扩大。</p>")


def test_crlf_and_bom_give_the_same_issue(text01: str, issue01: IssueDoc) -> None:
    doc = parse_issue(decode_issue_bytes(b"\xef\xbb\xbf" + text01.replace("\n", "\r\n").encode()))
    assert doc == issue01


# --- errors -------------------------------------------------------------------------------------


def test_error_message_format() -> None:
    assert str(ImportFormatError("目录中的 1.2.3 在正文中找不到。", 12)) == (
        "第 12 行：目录中的 1.2.3 在正文中找不到。"
    )
    error = ImportFormatError("文件是空的。")
    assert (str(error), error.line, error.message) == ("文件是空的。", None, "文件是空的。")


@pytest.mark.parametrize("text", ["", "  \n\n \t\n", "\ufeff\r\n"])
def test_empty_file(text: str) -> None:
    with pytest.raises(ImportFormatError, match=r"^文件是空的") as info:
        parse_issue(text)
    assert info.value.line is None


def test_no_toc(text02: str) -> None:
    with pytest.raises(ImportFormatError, match="找不到目录"):
        parse_issue(without_line(text02, 19))  # "# 目 录"


def test_toc_without_entries() -> None:
    with pytest.raises(ImportFormatError, match=r"^第 3 行：目录下没有条目"):
        parse_issue("2024年第02期\n\n目录\n\n《职教通讯》说明\n")


def test_no_issue_id(text02: str) -> None:
    with pytest.raises(ImportFormatError, match="找不到期号") as info:
        parse_issue(edit(text02, "2024年第02期", "2024年"))
    assert "\n" not in str(info.value)


def test_article_missing_from_the_body(text02: str) -> None:
    text = edit(text02, "### 1.2.3 中国教育报：", "### 中国教育报：")
    with pytest.raises(ImportFormatError) as info:
        parse_issue(text)
    assert str(info.value).startswith("第 34 行：目录中的 1.2.3 在正文中找不到")
    assert info.value.line == 34  # its 目录 entry


def test_article_missing_when_only_the_toc_mentions_it(text01: str) -> None:
    with pytest.raises(ImportFormatError, match=r"^第 55 行：目录中的 3\.2 在正文中找不到"):
        parse_issue(without_line(text01, 1419))  # "3.2 发展新质生产力，职业教育如何赋能？"


def test_duplicate_number_in_the_toc(text02: str) -> None:
    entry = "1.1.2 教育部：培养更多大国工匠、能工巧匠、高技能人才 .....\t4\n"
    with pytest.raises(ImportFormatError, match=r"^第 25 行：目录中的编号 1\.1\.2 出现了两次"):
        parse_issue(edit(text02, entry, entry + entry))


def test_article_heading_out_of_order(text02: str) -> None:
    # The 目录 says 1.2.7 then 1.2.8, the body prints 1.2.8 (line 723) first.
    toc8 = "1.2.8 北京商报：优化专业、布局专业，教育部发文促就业 .....\t46\n"
    toc7 = "1.2.7 光明日报：强化类型定位，守住“职业本色” .....\t50\n"
    text = edit(text02, toc8 + toc7, toc7 + toc8)
    with pytest.raises(ImportFormatError) as info:
        parse_issue(text)
    assert str(info.value).startswith("第 723 行：正文中 1.2.8 的标题出现的位置与目录顺序不符")


def test_toc_entry_without_its_parent(text02: str) -> None:
    with pytest.raises(ImportFormatError, match=r"^第 22 行：目录中的 1\.1\.1 缺少上级条目 1\.1"):
        parse_issue(without_line(text02, 22))  # "1.1 重要通知 …"


def test_appendix_heading_is_the_one_with_the_toc_title(text02: str) -> None:
    source = "**资料来源：**《广州日报》\n\n**发布日期：**2024 年 8 月 27"
    text = edit(text02, source, "附录：超高清产业相关企业名单（略）\n\n" + source)
    doc = parse_issue(text)
    assert doc.appendix_text.startswith("## 附录：全国（及省级）行业产教融合共同体成立汇总表")
    assert art(doc, "4.3.3").body_html.endswith("<p>附录：超高清产业相关企业名单（略）</p>")


def test_appendix_listed_but_missing(text02: str) -> None:
    text = edit(text02, "## 附录：全国", "## 全国")
    with pytest.raises(ImportFormatError, match=r"^第 76 行：目录中的附录“全国"):
        parse_issue(text)


def test_damaged_files_give_a_format_error_or_an_issue(text02: str, text01: str) -> None:
    """Lines deleted, duplicated or swapped at random: never any other exception."""
    rng = random.Random(20240202)
    for attempt in range(40):
        lines = (text02, text01)[attempt % 2].split("\n")
        for _ in range(rng.randint(1, 20)):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            choice = rng.random()
            if choice < 0.4:
                del lines[i]
            elif choice < 0.7:
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
        try:
            doc = parse_issue("\n".join(lines))
        except ImportFormatError as error:
            assert "\n" not in str(error)
        else:
            assert doc.articles


# --- bytes --------------------------------------------------------------------------------------


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode_issue_bytes("职教通讯\r\n目录\r".encode()) == "职教通讯\n目录\n"
    assert decode_issue_bytes(b"\xef\xbb\xbf" + "职教通讯".encode()) == "职教通讯"


@pytest.mark.parametrize(
    "data", ["职教通讯 2024年第03期 目录".encode("gbk"), bytes(range(256)), "目录".encode("utf-16")]
)
def test_decode_refuses_other_encodings_and_binary(data: bytes) -> None:
    with pytest.raises(ImportFormatError, match=r"^文件不是 UTF-8 文本") as info:
        decode_issue_bytes(data)
    assert "\n" not in str(info.value)


# --- the pieces ---------------------------------------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2024 年 9 月 27 日") == datetime.date(2024, 9, 27)
    assert parse_date("2024年8月12日") == datetime.date(2024, 8, 12)
    assert parse_date("2024 年 8 月 27") == datetime.date(2024, 8, 27)
    assert parse_date("2024-08-12") == datetime.date(2024, 8, 12)
    assert parse_date("2024年9月") is None  # a month is not a date
    assert parse_date("2024年2月30日") is None


def _blocks(text: str) -> list[Block]:
    return split_blocks(text.split("\n"), 1)


def test_provenance_variants() -> None:
    body, prov = split_provenance(
        _blocks(
            "正文。\n\n信息来源：光明日报 2024 年 6 月 25 日\n\n摘编：陆 洁琰\n\nhttps://example.org/a?b=1"
        )
    )
    assert render_html(body) == "<p>正文。</p>"
    assert (prov.source, prov.date, prov.compiled_by, prov.url) == (
        "光明日报",
        datetime.date(2024, 6, 25),
        "陆洁琰",
        "https://example.org/a?b=1",
    )
    # A date that is only a month stays in the body; the source still leaves it.
    body, prov = split_provenance(
        _blocks("正文。\n\n**资料来源：**新华社\n\n**发布日期：**2024年9月")
    )
    assert render_html(body) == "<p>正文。</p>\n<p><strong>发布日期：</strong>2024年9月</p>"
    assert (prov.source, prov.date) == ("新华社", None)
    # Only the trailing run counts: a source line inside the text stays.
    body, prov = split_provenance(_blocks("资料来源：甲\n\n正文。"))
    assert len(body) == 2 and prov.source == ""


def test_subtitle_rules() -> None:
    subtitle, rest = take_subtitle(_blocks("#### 一、总体要求\n\n正文。"))
    assert subtitle == "" and len(rest) == 2  # numbered: a sub-heading, not a subtitle
    subtitle, rest = take_subtitle(_blocks("各地教育局：\n\n正文。"))
    assert subtitle == ""  # a salutation
    subtitle, rest = take_subtitle(_blocks("#### 标题甲\n\n##### 小标题乙\n\n正文。"))
    assert subtitle == "标题甲" and rest[0].text == "小标题乙"


# --- hostile text: time stays linear, every text fits its column (issue 10 of the tracker) ----

HOSTILE_CHARS = " \t\u3000\u2000.…·。，、；：！？（）()【】“”《》—*#1２x中和与及附录年月日牵头大学"


def _parse_all(text: str) -> None:
    """The issue and its registry, as the importer reads them; a format error is an answer."""
    try:
        doc = parse_issue(text)
        if doc.appendix_text:
            parse_registry(doc.appendix_text, first_line=doc.appendix_line or 1)
    except (ImportFormatError, RegistryError) as error:
        assert "\n" not in str(error)


# Where a hostile line can stand in a file; each takes the line and gives the whole text.
PLACES = {
    "toc title": lambda s: small_with("职业教育的新进展 .....", "职业" + s[: TOC_LINE_MAX - 20]),
    "toc tail": lambda s: small_with(" .....\t2", s[: TOC_LINE_MAX - 20] + "2"),
    "cover": lambda s: small_with("Information on Technical Vocational Education", s),
    "heading": lambda s: small_with("### 1.1.2 职业教育的新进展", "### 1.1.2 " + s),
    "paragraph": lambda s: small_with("第二篇文章的正文。", s),
    "short paragraphs": lambda s: small_with(
        "第二篇文章的正文。", "\n\n".join(s[i : i + 40] for i in range(0, len(s), 40))
    ),
    "provenance": lambda s: small_with("资料来源：教育部官网", "资料来源：" + s),
    "appendix heading": lambda s: small_with("## 附录：全国", "## 附录" + s + "：全国"),
    "community": lambda s: small_with("北京行业产教融合共同体", s),
    "lead units": lambda s: small_with("牵头单位：北京大学和", "牵头单位：" + s),
    "registry source": lambda s: small_with("资料来源：中教全媒体整理", "资料来源：" + s),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=6),
    end=st.sampled_from(["", "x", "12", "\t12", "。", "）", "共同体"]),
    place=st.sampled_from(sorted(PLACES)),
)
def test_parsing_time_stays_linear_on_hostile_lines(unit, end, place):
    """The work of parsing a file with the line 16 KB and 64 KB long: linear is 4 times the
    work (less, with the rest of the file), quadratic 16 times."""

    def work(size: int, limit: int | None = None) -> int:
        return _work(_parse_all, PLACES[place](unit * (size // len(unit)) + end), limit=limit)

    grown = _grows(work, 16_000, 64_000, first=500_000)
    assert grown < 6, (place, unit, end, f"4 times the line, {grown:.1f} times the work")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.text(alphabet=" \t\u3000.…·。，：（）x1", min_size=1, max_size=4),
    end=st.sampled_from(["", "x", "12", "\t12", " 12", "…12"]),
)
def test_toc_title_and_page_stay_linear(unit, end):
    def work(size: int, limit: int | None = None) -> int:
        return _work(_title_and_page, "标题" + unit * (size // len(unit)) + end, limit=limit)

    grown = _grows(work, 16_000, 64_000, first=500_000)
    assert grown < 6, (unit, end, f"4 times the text, {grown:.1f} times the work")


@pytest.mark.parametrize("size", [1000, 2000, 50_000])
def test_reported_toc_lines_are_fast(size):
    """ "标题" + spaces + dots + "x": 17 s at 1,000 each, 125 s at 2,000 before, in a regular
    expression that tried every split of the run (whose backtracking runs no line of Python):
    the tail is read without one, and the work at 4 times the run is about 4 times."""

    def work(n: int, limit: int | None = None) -> int:
        return _work(_title_and_page, "标题" + " " * n + "." * n + "x", limit=limit)

    with pytest.MonkeyPatch.context() as patch:  # first, on a short run: a regex could hang
        regexes = regex_chars(patch, (toc,), within=(toc, "_split_tail"))
        _title_and_page("标题" + " " * 20 + "." * 20 + "x")
        assert regexes.chars == 0, f"{regexes.chars} characters handed to a regex for the tail"
    grown = _grows(work, size, 4 * size, first=100_000)
    assert grown < 6, f"4 times the run, {grown:.1f} times the work"
    line = "1.1.2 标题" + " " * size + "." * size + "x"
    text = small_with("1.1.2 职业教育的新进展 .....\t2", line)
    with pytest.raises(ImportFormatError, match="太长") as info:
        parse_issue(text)
    assert info.value.line == line_of(text, line)


def test_toc_line_under_the_cap_with_spaces_and_dots_is_fast():
    """450 spaces and 450 dots: minutes before. Ending in "x" it is one long title (refused),
    ending in a number the leaders go and the number is the page. Counted against a run of
    110 of each: 4 times the run, under 6 times the work (quadratic in the run is 16)."""

    def text_with(tail: str, n: int) -> tuple[str, str]:
        line = "1.1.2 职业教育的新进展" + " " * n + "." * n + tail
        return line, small_with("1.1.2 职业教育的新进展 .....\t2", line)

    for tail in ("x", "12"):
        grown = _grows(
            lambda n, limit=None, tail=tail: _work(_parse_all, text_with(tail, n)[1], limit=limit),
            110,
            450,
            first=50_000,
        )
        assert grown < 6, (tail, f"4 times the run, {grown:.1f} times the work")
        line, text = text_with(tail, 450)
        if tail == "x":
            with pytest.raises(ImportFormatError, match=r"目录中 1\.1\.2 的标题太长") as info:
                parse_issue(text)
            assert info.value.line == line_of(text, line)
        else:
            article = art(parse_issue(text), "1.1.2")
            assert (article.toc_title, article.page_start) == ("职业教育的新进展", 12)


def _merge_as_before(blocks: list[Block]) -> list[Block]:
    """merge_continuations as it was (quadratic), the reference for the linear one."""
    from importer.markup import _continues, join_lines

    merged: list[Block] = []
    for block in blocks:
        if merged and _continues(merged[-1], block):
            previous = merged[-1]
            merged[-1] = Block("para", previous.line, text=join_lines(previous.text, block.text))
        else:
            merged.append(block)
    return merged


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet="中文，。；：）（*# \u3000\u2000abc1、一", min_size=1, max_size=60),
        min_size=1,
        max_size=12,
    )
)
def test_merging_continuations_is_as_before(paragraphs):
    from importer.markup import merge_continuations

    blocks = split_blocks("\n\n".join(paragraphs).split("\n"), 1)
    assert merge_continuations(list(blocks)) == _merge_as_before(list(blocks))


def test_merging_long_continuations_is_as_before(text02: str, text01: str) -> None:
    from importer.markup import merge_continuations

    for text in (text02, text01, seed_text("003_81997b96fc6b3f9d.txt")):
        blocks = split_blocks(text.split("\n"), 1)
        assert merge_continuations(list(blocks)) == _merge_as_before(list(blocks))


@pytest.mark.parametrize(
    ("rest", "title", "page"),
    [
        ("标题 .....\t11", "标题", 11),
        ("标题\t95", "标题", 95),
        ("标题  7", "标题", 7),
        ("标题……12", "标题", 12),
        ("标题 ·· 3", "标题", 3),
        ("标题 \t . … 4", "标题", 4),
        ("标题（2024—2026年）\t95", "标题（2024—2026年）", 95),
        ("第 2 期 3", "第 2 期 3", None),
        ("标题 2  12", "标题 2", 12),
        ("标题 .....", "标题", None),
        ("标题.", "标题.", None),
        ("..12", "..12", None),
        ("标题 １２", "标题 １２", None),
        ("标题\t１２", "标题", 12),
    ],
)
def test_toc_title_and_page_as_printed(rest, title, page):
    assert _title_and_page(rest) == (title, page)


def test_many_toc_entries_stay_linear():
    def text_with(count: int) -> str:
        entries = "\n".join(f"{n} 栏目{n}\t{n}" for n in range(2, count + 2))
        return small_with("1 职教动态\n", f"1 职教动态\n{entries}\n")

    grown = _grows(
        lambda n, limit=None: _work(parse_issue, text_with(n), limit=limit),
        5_000,
        20_000,
        first=4_000_000,
    )
    assert grown < 6, f"4 times the entries, {grown:.1f} times the work"
    doc = parse_issue(text_with(20_000))
    assert len(doc.sections) == 20_002


def test_registry_lead_units_do_not_explode():
    """Each 和 between complete names was tried with every split of the rest: 18 repeats took
    8.5 s, each one more tripled it. Counted: the work at 60 repeats against 30 (quadratic is 4
    times, exponential never ends: stopped past 100 times)."""

    def work(n: int, limit: int | None = None) -> int:
        return _work(split_lead_units, "北京大学和" * n + "x", limit=limit)

    grown = _grows(work, 30, 60, first=100_000)
    assert grown < 6, f"twice the names, {grown:.1f} times the work"
    assert split_lead_units("北京大学和" * 30 + "x") == ["北京大学和" * 30 + "x"]
    assert split_lead_units("北京大学和" * 30 + "清华大学") == ["北京大学"] * 1 + ["清华大学"]
    assert split_lead_units("甘肃农业大学和兰州现代职业学院") == [
        "甘肃农业大学",
        "兰州现代职业学院",
    ]


TOO_LONG = [
    (
        "1.1.2 职业教育的新进展 .....\t2",
        "1.1.2 " + "长" * 301 + " ..\t2",
        "目录中 1.1.2 的标题",
        "1.1.2 长",
    ),
    ("1.1 重要通知 .....\t1", "1.1 " + "长" * 201 + "\t1", "栏目 1.1 的标题", "1.1 长"),
    (
        "### 1.1.2 职业教育的新进展",
        "### 1.1.2 " + "长" * 301,
        "正文中 1.1.2 的标题",
        "### 1.1.2 长",
    ),
    ("资料来源：教育部官网", "资料来源：" + "长" * 301, "1.1.1 的信息来源", "资料来源：长"),
    (
        "资料来源：教育部官网",
        "资料来源：教育部\n\n摘编：" + "长" * 101,
        "1.1.1 的摘编",
        "摘编：长",
    ),
    (
        "资料来源：教育部官网",
        "资料来源：教育部\n\n原文链接：https://example.org/" + "a" * 500,
        "1.1.1 的原文链接",
        "原文链接：",
    ),
    ("# 职教通讯", "# 职教通讯" + "长" * 100, "刊名", "# 职教通讯长"),
    ("Information on", "Information " * 20 + "on", "英文刊名", "Information Information"),
    (
        "广州市白云工商技师学院\n",
        "广州市白云工商技师学院" + "长" * 200 + "\n",
        "学校",
        "广州市白云工商技师学院长",
    ),
    ("主办：广州市", "主办：" + "长" * 200 + "广州市", "主办", "主办：长"),
    ("总 编：赵顺灵", "总 编：" + "长" * 101, "总编", "总 编：长"),
    ("责 编：邱玉", "责 编：" + "长" * 101, "责编", "责 编：长"),
    ("1 职教动态\n", "1 职教动态\n" + "1" * 21 + " 栏目\t5\n", "编号 " + "1" * 21, "1" * 21),
]


@pytest.mark.parametrize(("old", "new", "what", "piece"), TOO_LONG, ids=[c[2] for c in TOO_LONG])
def test_text_too_long_for_its_column_names_the_line(old, new, what, piece):
    text = small_with(old, new)
    with pytest.raises(ImportFormatError) as info:
        parse_issue(text)
    message = str(info.value)
    assert what in message and "太长" in message and "\n" not in message, message
    assert info.value.line == line_of(text, piece), message


@pytest.mark.parametrize("page", ["123456", "9" * 900], ids=["six digits", "900 digits"])
def test_a_page_number_beyond_any_issue_names_the_line(page):
    line = "1.1.2 职业教育的新进展 .....\t" + page
    text = small_with("1.1.2 职业教育的新进展 .....\t2", line)
    with pytest.raises(ImportFormatError, match="页码") as info:
        parse_issue(text)
    assert info.value.line == line_of(text, line) and len(str(info.value)) < 200


def test_a_page_of_thousands_of_digits_is_a_format_error():
    # int() refuses more than 4,300 digits with a ValueError of its own.
    with pytest.raises(ImportFormatError, match="页码"):
        _title_and_page("标题\t" + "9" * 5000)


REGISTRY_TOO_LONG = [
    ("北京行业产教融合共同体", "北京" + "长" * 200 + "共同体", "第 1 条的名称", "北京长"),
    (
        "牵头单位：北京大学和",
        "牵头单位：" + "长" * 199 + "大学和",
        "第 1 条的一个牵头单位",
        "牵头单位：长",
    ),
    (
        "牵头单位：北京大学和",
        "牵头单位：" + "北京大学、" * 300 + "和",
        "第 1 条的牵头单位",
        "牵头单位：北京大学、北",
    ),
    ("资料来源：中教全媒体整理", "资料来源：" + "长" * 201, "资料来源", "资料来源：长"),
    ("（1-2）\n\n02", "（1-2）" + "长" * 200 + "\n\n02", "汇总表的名称", "## 附录"),
]


@pytest.mark.parametrize(
    ("old", "new", "what", "piece"), REGISTRY_TOO_LONG, ids=[c[2] for c in REGISTRY_TOO_LONG]
)
def test_registry_text_too_long_for_its_column_names_the_line(old, new, what, piece):
    text = small_with(old, new)
    doc = parse_issue(text)
    with pytest.raises(RegistryError) as info:
        parse_registry(doc.appendix_text, first_line=doc.appendix_line or 1)
    message = str(info.value)
    assert what in message and "太长" in message and "\n" not in message, message
    assert info.value.line == line_of(text, piece), message


# --- the linear rewrites read as the old regular expressions did (on short inputs) ----------

_OLD_PAGE_TAIL = re.compile(
    r"^(?P<title>.*?)(?:[ \t\u3000]*(?:\.{2,}|…+|·{2,}|\t)[ \t\u3000.…·]*|[ \t\u3000]{2,})"
    r"(?P<page>\d+)$"
)
_OLD_LEADERS = re.compile(r"[ \t\u3000]*(?:\.{2,}|…+|·{2,})[ \t\u3000.…·]*$")
_SHORT = {"deadline": None, "max_examples": 300}


@settings(**_SHORT)
@given(st.text(alphabet="标题 \t\u3000.…·1２x（）", max_size=14))
def test_toc_tail_reads_as_the_old_pattern(rest):
    rest = rest.strip()
    match = _OLD_PAGE_TAIL.match(rest)
    if match and match["title"].strip():
        expected = (strip_markup(match["title"]), int(match["page"]))
    else:
        expected = (strip_markup(_OLD_LEADERS.sub("", rest)), None)
    assert _title_and_page(rest) == expected


@settings(**_SHORT)
@given(st.text(alphabet="来源：:（）() \u3000\u2000a中", max_size=16))
def test_provenance_value_reads_as_the_old_pattern(text):
    from importer.provenance import _LINE, _value

    old = re.compile(r"^[（(]?\s*(?P<label>来源)\s*[：:]\s*(?P<value>.*?)\s*[）)]?\s*$").match(text)
    new = _LINE.match(text)
    assert (old is None) == (new is None)
    if old:
        assert (new["label"], _value(new["value"])) == (old["label"], old["value"])


@settings(**_SHORT)
@given(st.text(alphabet=" \u3000\u2000\ta中（简称x）)等牵头", max_size=16))
def test_registry_patterns_read_as_the_old_ones(text):
    from communities import registry

    cjk = registry._CJK
    old_fold = re.sub(r"\s+", " ", re.sub(rf"(?<=[{cjk}])\s+|\s+(?=[{cjk}])", "", text)).strip()
    assert registry._fold_spaces(text) == old_fold
    old_alias = re.compile(r"\s*[（(]\s*(?:以下简称|下称|简称)[^（）()]*[）)]")
    assert registry._ALIAS_NOTE.sub("", text) == old_alias.sub("", text)
    old_role = re.compile(r"\s*(?:共同牵头|联合牵头|牵头|指导|等)$")
    assert registry._ROLE_SUFFIX.sub("", text) == old_role.sub("", text)
    heading = "附录" + text + "：x"
    old_label = re.compile(r"^附\s*录\s*[一二三四五六七八九十\d]*\s*[：:]\s*")
    assert registry._APPENDIX_LABEL.sub("", heading) == old_label.sub("", heading)


@settings(**_SHORT)
@given(st.text(alphabet="大学（）()武汉 x", max_size=14))
def test_core_reads_as_before(name):
    from communities.registry import _core

    expected = name.strip()
    while (trimmed := re.sub(r"[（(][^（）()]*[）)]$", "", expected).strip()) != expected:
        expected = trimmed
    assert _core(name) == expected


@settings(**_SHORT)
@given(
    st.lists(
        st.sampled_from(["北京大学", "学院", "公司", "和", "与", "及", "联合", "会", " ", "x"]),
        max_size=9,
    ).map("".join)
)
def test_splitting_at_connectors_is_as_before(item):
    from communities.registry import _CONNECTOR, _split_connected, _tidy_item, looks_complete_org

    def before(item: str) -> list[str]:
        for match in _CONNECTOR.finditer(item):
            left, right = item[: match.start()].strip(), item[match.end() :].strip()
            if not left or not right or not looks_complete_org(_tidy_item(left)):
                continue
            rest = before(right)
            if all(looks_complete_org(_tidy_item(part)) for part in rest):
                return [left, *rest]
        return [item]

    assert _split_connected(item) == before(item)


@settings(**_SHORT)
@given(st.text(alphabet="ab ", max_size=12))
def test_undouble_is_as_before(title):
    from importer.parse import _undouble

    words = title.split(" ")
    expected = next(
        (
            " ".join(words[:cut])
            for cut in range(1, len(words))
            if " ".join(words[:cut]) == " ".join(words[cut:])
        ),
        title,
    )
    assert _undouble(title) == expected
