"""Reading source files and pasted text (sources.readers), good and bad; no Django needed.

Every refusal is a :class:`SourceError` whose message is one Chinese line naming the problem and
what to do. Word files go through the issue importer's archive guard (importer/archive.py),
whose own tests cover the hostile archives in depth; here one bomb and one broken file.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from sources.errors import SourceError
from sources.lines import join_broken_lines
from sources.parse import parse_source
from sources.readers import (
    DEFAULT_MAX_BYTES,
    MAX_PDF_PAGES,
    read_docx,
    read_pasted,
    read_pdf,
    read_source,
    read_source_file,
    read_text,
)
from tests.seeds import seed_text
from tests.sources.pdfs import FONTS, minimal_pdf, newsletter_pdf
from tests.sources.seedfiles import NEWSLETTER, UNIVERSITY
from tests.work import steps


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(SourceError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    # one line: what is wrong, then (after ： or ；) what to do
    assert "\n" not in message and ("：" in message or "；" in message)
    return message


@pytest.fixture(scope="module")
def newsletter():
    return parse_source(seed_text(NEWSLETTER))


# --- text ----------------------------------------------------------------------------------------


def test_utf8_text_with_or_without_bom_reads_alike():
    text = seed_text(UNIVERSITY)
    assert read_text(text.encode()) == read_text(b"\xef\xbb\xbf" + text.encode())
    assert read_text(text.encode()) == read_pasted(text)
    assert read_text(text.encode("utf-16")) == read_pasted(text)


def test_a_file_and_the_same_text_pasted_parse_alike():
    text = seed_text(UNIVERSITY)
    from_file = parse_source(read_source(text.encode(), filename="校报.txt"))
    assert from_file == parse_source(read_pasted(text)) == parse_source(text)


def test_gbk_text_is_refused_with_the_line_and_what_to_do():
    message = refused(read_source, "第一行\n第二行：职业教育".encode("gbk"), filename="a.txt")
    assert "GBK" in message and "UTF-8" in message and "第 1 行" in message


def test_binary_data_named_txt_is_refused():
    assert "二进制" in refused(read_source, b"\x89PNG\r\n\x1a\n\x00\x00\x00", filename="a.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\n"])
def test_an_empty_file_is_refused(data):
    assert "空" in refused(read_source, data, filename="a.md")


def test_nothing_pasted_is_refused():
    assert "粘贴" in refused(read_pasted, " \n \n")


def test_a_file_over_the_limit_is_refused(tmp_path):
    assert "太大" in refused(read_source, b"x" * 2000, filename="a.txt", max_bytes=1000)
    big = tmp_path / "50MB.txt"
    with big.open("wb") as handle:  # a sparse 50 MB file: refused before it is read
        handle.truncate(50 * 1024 * 1024)
    message = refused(read_source_file, big)
    assert "50.0 MB" in message and "20.0 MB" in message


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("a.xlsx", b"abc", "不支持的文件类型 .xlsx"),
        ("a.doc", b"\xd0\xcf\x11\xe0", ".doc"),
        ("a.zip", b"PK\x03\x04" + b"\x00" * 40, "压缩包"),
        ("a.pdf", b"not a pdf at all", "PDF"),
        ("a.docx", b"not a docx", ".docx"),
    ],
)
def test_other_files_are_refused(filename, data, words):
    assert words in refused(read_source, data, filename=filename)


# --- Word ----------------------------------------------------------------------------------------


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_file_paragraphs_and_table_rows(newsletter):
    article = newsletter.articles[0]
    paragraphs = [
        "要闻纵览",
        article.title,
        *article.paragraphs,
        "信息来源：教育部",
        "摘编：陆洁琰",
    ]
    table = [
        ["序号", "名称", "省份"],
        ["1", "民政职业大学", "北京市"],
        ["2", "南京工业职业技术大学", "江苏省"],
    ]
    lines = read_source(docx_bytes(paragraphs, table), filename="素材.docx")
    assert "1\t民政职业大学\t北京市" in lines
    doc = parse_source(lines)
    (found,) = doc.articles
    assert (found.column, found.title, found.source, found.compiled_by) == (
        "要闻纵览", article.title, "教育部", "陆洁琰",
    )  # fmt: skip
    assert found.paragraphs[:4] == article.paragraphs
    assert found.blocks[-1].kind == "table"


def test_word_file_without_text_is_refused():
    assert "没有文字" in refused(read_docx, docx_bytes([]))


def test_broken_word_file_is_refused():
    data = docx_bytes(["正文。"])
    assert ".docx" in refused(read_source, data[: len(data) // 2], filename="a.docx")


def test_word_file_that_unpacks_to_far_more_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(20):
                member.write(b"\0" * (1024 * 1024))
    assert "压缩炸弹" in refused(read_source, buffer.getvalue(), filename="a.docx")


# --- PDF -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_columns(newsletter) -> bytes:
    return newsletter_pdf(newsletter, columns=2)


def test_two_column_newsletter_pdf_reads_as_the_text_file(newsletter, two_columns):
    lines = read_source(two_columns, filename="职教资讯.pdf")
    assert lines.count("\f") == 7  # 8 pages
    doc = parse_source(lines)
    assert (doc.title, doc.publisher, doc.date) == (
        "职教资讯 2023年第3期", "某某职业技术学院职教研究所", "2023-06",
    )  # fmt: skip
    # (the note's line ends after "2025": at a join no space goes between a digit and 年)
    assert doc.editors_note.replace(" ", "") == newsletter.editors_note.replace(" ", "")
    assert [a.title for a in doc.articles] == [a.title for a in newsletter.articles]
    assert [a.column for a in doc.articles] == [a.column for a in newsletter.articles]
    assert [a.source for a in doc.articles] == [a.source for a in newsletter.articles]
    assert [a.author for a in doc.articles] == [a.author for a in newsletter.articles]
    for found, expected in zip(doc.articles, newsletter.articles, strict=True):
        assert found.paragraphs == expected.paragraphs
    everything = "\n".join(p for a in doc.articles for p in a.paragraphs)
    assert "职教资讯 · 2023年第3期" not in everything  # the running head
    assert "— 3 —" not in everything


def test_one_column_pdf_reads_too(newsletter):
    doc = parse_source(read_pdf(newsletter_pdf(newsletter, columns=1)))
    assert [a.title for a in doc.articles] == [a.title for a in newsletter.articles]


def test_encrypted_pdf_is_refused(two_columns):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(two_columns)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "加密" in refused(read_source, buffer.getvalue(), filename="a.pdf")


def test_pdf_protected_only_against_editing_reads():
    import pypdf
    import typst

    page = typst.compile(
        '#set text(font: "Noto Serif CJK SC")\n只限制编辑的文件，正文照样可以读取。'.encode(),
        font_paths=FONTS,
        ignore_system_fonts=True,
    )
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(page)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert read_pdf(buffer.getvalue())[0].strip() == "只限制编辑的文件，正文照样可以读取。"


def test_pdf_of_pictures_only_is_refused():
    import typst

    scan = typst.compile(
        b"#rect(width: 10cm, height: 6cm, fill: gray)\n#circle(radius: 2cm, fill: black)",
        font_paths=FONTS,
        ignore_system_fonts=True,
    )
    assert "OCR" in refused(read_source, scan, filename="扫描件.pdf")


def test_broken_pdf_is_refused():
    assert "无法读取 PDF" in refused(read_source, b"%PDF-1.7\n%garbage\n", filename="a.pdf")


# --- what the parser makes of nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/a\nhttps://example.org/b\n\n12\n",
        "序号\t名称\n1\t民政职业大学\n2\t南京工业职业技术大学\n",
        "只有一个标题\n",
    ],
)
def test_no_recognisable_article_is_refused(text):
    assert refused(parse_source, text)


# --- pasted text --------------------------------------------------------------------------------


def test_pasted_markdown_article():
    pasted = (
        "# 职业教育新闻标题\n\n正文第一段，写了一些内容。\n\n## 小标题在此\n\n"
        "正文第二段，也写了一些内容。\n\n- 第一项\n- 第二项\n\n来源：中国教育报 2024 年 6 月"
    )
    doc = parse_source(read_pasted(pasted))
    (article,) = doc.articles
    assert (doc.kind, article.title, article.source, article.source_date) == (
        "other", "职业教育新闻标题", "中国教育报", "2024-06",
    )  # fmt: skip
    assert article.body_html == (
        "<p>正文第一段，写了一些内容。</p>\n<h3>小标题在此</h3>\n"
        "<p>正文第二段，也写了一些内容。</p>\n<ul><li>第一项</li><li>第二项</li></ul>"
    )


def test_pasted_web_page_one_paragraph_a_line():
    pasted = (
        "教育部：培养更多高素质技术技能人才\n"
        "6 月 12 日，教育部召开新闻发布会，介绍职业教育有关情况。\n"
        "发布会指出，要深化产教融合，<推进>校企合作 & 协同育人。\n"
        "（作者：张三）\n"
        "信息来源：中国教育报 2024 年 6 月 13 日\n"
    )
    (article,) = parse_source(read_pasted(pasted)).articles
    assert article.title == "教育部：培养更多高素质技术技能人才"
    assert (article.author, article.source, article.source_date) == (
        "张三",
        "中国教育报",
        "2024-06-13",
    )
    assert len(article.paragraphs) == 2
    assert "&lt;推进&gt;校企合作 &amp; 协同育人" in article.body_html


def test_form_feeds_of_a_pdftotext_file_are_page_breaks():
    bodies = ["第一页的正文。", "第二页的正文。", "第三页的正文。", "第四页的正文。"]
    text = "\f".join(
        f"职教资讯 · 2023年第3期\n{body}\n\n— {n} —\n" for n, body in enumerate(bodies, start=1)
    )
    lines = read_source(text.encode(), filename="pdftotext.txt")
    assert sum("\f" in line for line in lines) == 3  # kept for the line reader
    assert join_broken_lines(lines) == bodies  # running head and page numbers gone


def test_word_file_with_a_dtd_is_refused():
    data = docx_bytes(["正文。"])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            blob = source.read(info)
            if info.filename == "word/document.xml":
                head, rest = blob.split(b"?>", 1)
                blob = head + b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + rest
            archive.writestr(info, blob)
    assert "DTD" in refused(read_source, buffer.getvalue(), filename="a.docx")


def test_zip_without_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    assert "word/document.xml" in refused(read_source, buffer.getvalue(), filename="a.docx")


# --- hostile PDFs (review findings 11, 12) and a long paste (14) -------------------------------


def test_text_beyond_the_page_is_not_read():
    """Text set outside the MediaBox once put the column gutter off the page, and
    page.within_bbox raised ValueError (a 500 on upload). It is not printed, so not read."""
    data = minimal_pdf(
        [
            b"BT /F1 12 Tf 50 700 Td (Hello world, this is a sentence.) Tj ET "
            b"BT /F1 12 Tf 3000000 700 Td (far away text) Tj ET"
        ]
    )
    assert read_source(data, filename="x.pdf") == ["Hello world, this is a sentence. "]


def test_a_page_whose_mediabox_does_not_start_at_zero_reads():
    data = minimal_pdf(
        [b"BT /F1 12 Tf 150 700 Td (One line of text, and that is all.) Tj ET"],
        mediabox=(100, 100, 695, 942),
    )
    assert read_pdf(data) == ["One line of text, and that is all. "]


def test_whatever_pdfplumber_raises_on_a_page_is_a_source_error(monkeypatch):
    import pdfplumber.page

    data = minimal_pdf([b"BT /F1 12 Tf 50 700 Td (Hello.) Tj ET"] * 2)

    raising: list[BaseException] = []

    def broken(self, *args, **kwargs):
        raise raising[-1]

    monkeypatch.setattr(pdfplumber.page.Page, "extract_text_lines", broken)
    for error in (ValueError("bbox"), IndexError(), KeyError("x"), ZeroDivisionError()):
        raising.append(error)
        message = refused(read_source, data, filename="x.pdf")
        assert message.startswith("PDF 文件已损坏或格式异常（第 1 页")
    for error in (KeyboardInterrupt(), SystemExit(1)):  # no fault of the file
        raising.append(error)
        with pytest.raises(type(error)):
            read_pdf(data)


def _glyph_pages(pages: int, *, huge: bool) -> bytes:
    """``pages`` pages of one line of 300 W and a sentence: set 20 000 pt high on a page
    8 000 000 pt wide (a 10 KB file for 15 pages), or small on A4."""
    size, second, mediabox = (20000, 30000, (0, 0, 8_000_000, 60_000)) if huge else (1, 200, None)
    page = (
        b"BT /F1 %d Tf 0 100 Td (" % size + b"W" * 300 + b") Tj ET "
        b"BT /F1 %d Tf 0 %d Td (Hello there. A sentence.) Tj ET" % (size, second)
    )
    return minimal_pdf([page] * pages, **({"mediabox": mediabox} if mediabox else {}))


def test_huge_glyphs_cost_what_small_ones_do():
    """The gutter was found by counting every point of every character's width: a 10 KB PDF of
    15 pages with glyphs 20 000 pt wide took 5–15 s. Now the cost is in the characters."""
    huge, small = _glyph_pages(15, huge=True), _glyph_pages(15, huge=False)
    assert len(huge) < 12_000
    assert read_pdf(huge)[-1].strip().endswith("A sentence.")
    # Counted in lines of Python run (the gutter's count point by point was a loop of ours).
    ratio = steps(read_pdf, huge) / steps(read_pdf, small)
    assert ratio < 3, f"huge glyphs cost {ratio:.1f}× what small ones do"


def _gutter_point_by_point(chars, left, right):
    """readers._gutter as it was: one count a point of the middle 40 %."""
    width = right - left
    low, high = left + 0.3 * width, left + 0.7 * width
    steps = int(high - low)
    if steps <= 0:
        return None
    cover = [0] * (steps + 1)
    for char in chars:
        a, b = max(low, char["x0"]), min(high, char["x1"])
        for x in range(int(a - low), int(b - low) + 1):
            if 0 <= x <= steps and low + x < b:
                cover[x] += 1
    limit = max(2, len(chars) // 100)
    best = (0, -1)
    start = None
    for x, n in enumerate([*cover, limit + 1]):
        if n <= limit:
            start = x if start is None else start
        elif start is not None:
            if x - start > best[1] - best[0]:
                best = (start, x)
            start = None
    if best[1] - best[0] < 6:
        return None
    return low + (best[0] + best[1]) / 2


def test_the_gutter_is_where_counting_point_by_point_put_it():
    import random

    from sources.readers import _gutter

    rng = random.Random(11)
    for _ in range(2000):
        left = rng.uniform(0, 100)
        right = left + rng.uniform(-5, 600)
        chars = []
        for _ in range(rng.randint(1, 120)):
            x0 = rng.uniform(left - 50, right + 50)
            if rng.random() < 0.3:
                x0 = round(x0)
            x1 = x0 + rng.choice([rng.uniform(0, 12), rng.uniform(-2, 2), rng.randint(0, 10)])
            chars.append({"x0": x0, "x1": x1})
        assert _gutter(chars, left, right) == _gutter_point_by_point(chars, left, right)


def test_a_pdf_of_more_than_500_pages_is_refused_before_its_pages_are_read(monkeypatch):
    from sources import readers

    read: list[int] = []
    page_lines = readers._page_lines
    monkeypatch.setattr(
        readers,
        "_page_lines",
        lambda page, number, region: read.append(number) or page_lines(page, number, region),
    )
    page = b"BT /F1 12 Tf 50 700 Td (Hello world. A sentence on a page.) Tj ET"
    assert (
        read_pdf(minimal_pdf([page] * MAX_PDF_PAGES))[-1] == "Hello world. A sentence on a page. "
    )
    assert len(read) == MAX_PDF_PAGES
    read.clear()
    message = refused(read_source, minimal_pdf([page] * 3000), filename="x.pdf")
    assert "超过 500 页" in message and "拆分" in message
    assert read == []


def test_pages_with_too_many_characters_are_refused(monkeypatch):
    from sources import readers

    data = minimal_pdf([b"BT /F1 12 Tf 50 700 Td (0123456789 0123456789) Tj ET"] * 3)
    assert read_pdf(data).count("\f") == 2
    monkeypatch.setattr(readers, "MAX_PAGE_CHARS", 20)
    assert "第 1 页的字符过多（超过 20 个）" in refused(read_pdf, data)
    monkeypatch.setattr(readers, "MAX_PAGE_CHARS", 100)
    monkeypatch.setattr(readers, "MAX_PDF_CHARS", 50)  # 21 a page
    assert "文字太多" in refused(read_pdf, data)


def test_reading_pdf_pages_is_linear():
    """Four times the pages (of 12 lines each) cost about four times the work, counted in lines
    of Python run (the PDF library's and ours; quadratic: 16×)."""
    page = b" ".join(
        b"BT /F1 10 Tf 50 %d Td (Line %d of the page, with some words on it.) Tj ET"
        % (800 - 18 * i, i)
        for i in range(12)
    )
    small, large = minimal_pdf([page] * 4), minimal_pdf([page] * 16)
    assert read_pdf(large).count("\f") == 15
    ratio = steps(read_pdf, large) / steps(read_pdf, small)
    assert ratio < 6, f"4× the pages cost {ratio:.1f}× the lines"


def test_a_paste_over_the_limit_is_refused_in_chinese():
    assert len(read_pasted("职" * 333, max_bytes=1000)) == 1  # 999 bytes
    message = refused(read_pasted, "职" * 334, max_bytes=1000)
    assert "粘贴的文字太长" in message and "1 KB" in message
    message = refused(read_pasted, "x" * (DEFAULT_MAX_BYTES + 1))
    assert "20.0 MB" in message
