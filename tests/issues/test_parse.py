"""The issue parser on the two real seed issues and on small edits of them; no Django needed.

Run alone with ``pytest -p no:django --noconftest tests/issues/test_parse.py``.
"""

from __future__ import annotations

import datetime
import random
import time

import pytest

from issues.importer.markup import Block, render_html, split_blocks, take_subtitle
from issues.importer.parse import (
    ArticleDoc,
    ImportFormatError,
    IssueDoc,
    decode_issue_bytes,
    parse_issue,
)
from issues.importer.provenance import parse_date, split_provenance
from tests.seeds import ISSUE_01, ISSUE_02, seed_text


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
    assert a.subtitle == "何为教育的“新质生产力”？"
    assert art(issue01, "3.3").page_end == 94  # 4.1.1 starts on 95


def test_parsing_is_fast(text02: str, text01: str) -> None:
    for text in (text02, text01):
        started = time.perf_counter()
        parse_issue(text)
        assert time.perf_counter() - started < 1.0


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
    assert art(issue02, "2.1.1").source == "产教融合"
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
        "1.1.3": "教育部办公厅关于加强市域产教联合体建设的通知",  # restates the heading
        "1.2.2": "架好产教融合“立交桥”——代表委员热议如何增强职业教育适应性和吸引力",
        "4.1.1": "中国经济高质量发展扎实推进——国家统计局相关部门负责人解读前三季度主要经济数据",
        "4.3.2": "",  # the body starts with a paragraph
    }
    for number, subtitle in expected.items():
        assert art(issue02, number).subtitle == subtitle
    # The subtitle leaves the body; the next "#" line is the article's first sub-heading.
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
