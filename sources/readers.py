"""Source files and pasted text → text lines for :func:`sources.parse.parse_source`.

Pure Python, no Django. Every reader returns the same thing: a list of text lines, ``"\\f"`` between
printed pages where the format knows them, so that one parser (and one line-joiner,
:mod:`sources.lines`) reads them all. Whatever cannot be read raises :class:`SourceError` with one
Chinese line saying what is wrong and what to do.

* ``.txt`` / ``.md``: UTF-8 (a BOM is fine; UTF-16 with a BOM too). GBK, binary or empty files are
  refused (:func:`importer.parse.decode_issue_bytes` words the encoding error).
* ``.docx``: one paragraph a line, a table row a line with its cells tab-separated. The archive
  goes through the issue importer's guard (:func:`importer.archive.open_safe_zip`); the
  XML is then walked directly (the importer's ``docx_text`` gives each table cell a line of its
  own, which loses the rows).
* ``.pdf`` with a text layer: pdfplumber, with the column split and paragraph ends taken from the
  layout: on a two-column newsletter made from seed 003 it finds every title and paragraph, where
  pypdf's text and pdfplumber's plain text lose titles and read across the columns
  (``bench/sources.py`` prints the comparison, figures in bench/README.md). pdfplumber knows where
  each character is, pypdf only gives text: so the page is cut at
  the gutter, full-width lines (running head, masthead, page number) are kept apart, and a line
  ends its paragraph (marked with a trailing space, the convention :mod:`sources.lines` reads as
  an end mark) when it stops short of the column's right edge, or the next line — in the next
  column or page too — is indented, set in another font or size, or further away than the line
  spacing.
* Encrypted PDFs, PDFs without text (scans), files over ``max_bytes`` are refused.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from pathlib import Path

from importer.parse import ImportFormatError, decode_issue_bytes
from sources.errors import SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_PAGE_CHARS",
    "MAX_PDF_CHARS",
    "MAX_PDF_PAGES",
    "read_docx",
    "read_pasted",
    "read_pdf",
    "read_source",
    "read_source_file",
    "read_text",
]

#: Largest file accepted by default (newsletters with pictures run to a few MB).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Most pages of a PDF read (a newsletter has 8–40; a ministry's plan with appendices 100 or so).
MAX_PDF_PAGES = 500
#: Most characters on one PDF page (a dense A4 page of Chinese has 3000–6000, a broadsheet
#: newspaper page about 12 000), and in a whole PDF (500 pages of 2000): pdfminer and pdfplumber
#: are slow per character, and a small file can repeat one page's text on every page.
MAX_PAGE_CHARS = 20_000
MAX_PDF_CHARS = 1_000_000

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
_SENTENCE_END = re.compile(r"[。！？!?；;]\s*[”’）)]*$")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _too_large(size: int, max_bytes: int) -> SourceError:
    return SourceError(
        f"文件太大（{_size(size)}）：素材文件最大 {_size(max_bytes)}，请删去图片或拆分后再上传。"
    )


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- text ----------------------------------------------------------------------------------------


def read_text(data: bytes) -> list[str]:
    """A UTF-8 text file's lines."""
    if not data.strip():
        raise SourceError("文件是空的：没有任何文字。请检查是否选对了文件。")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _lines(data.decode("utf-16").lstrip("\ufeff"))
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise SourceError(
            "文件不是文本：其中有二进制内容（可能是图片、压缩包或其他程序的文件）。"
            "请上传 .txt（UTF-8）、.docx 或 .pdf 文件。"
        )
    try:
        text = data.decode("utf-8-sig")  # "\f" (pdftotext's page break) is kept
    except UnicodeDecodeError:
        try:
            decode_issue_bytes(data)  # GBK and the like: it names the line and what to do
        except ImportFormatError as exc:
            raise SourceError(str(exc)) from None
        raise  # pragma: no cover (decode_issue_bytes refuses what UTF-8 cannot decode)
    if not text.strip():
        raise SourceError("文件是空的：没有任何文字。请检查是否选对了文件。")
    return _lines(text)


def read_pasted(text: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Pasted text's lines (the same lines a .txt file of that text gives); more than
    ``max_bytes`` of it (in UTF-8, as in a file) is refused, as a file that large would be."""
    # A character is 1–4 bytes: only a text near the limit is encoded to be measured.
    if len(text) * 4 > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise SourceError(
                f"粘贴的文字太长（{_size(size)}）：一次最多粘贴 {_size(max_bytes)}，"
                "请分几次粘贴，每次一篇或几篇文章。"
            )
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SourceError("没有粘贴任何文字：请先复制素材的正文，再粘贴到这里。")
    return _lines(text)


# --- Word ----------------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_xml(data: bytes) -> bytes:
    """``word/document.xml``, through the issue importer's archive guard
    (:mod:`importer.archive`: sizes, ratio and member count checked before anything is
    decompressed, the member read through a bounded stream)."""
    from importer.archive import open_safe_zip, read_member

    try:
        with open_safe_zip(data) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise SourceError(
                    "文件不是 Word 文档（其中没有 word/document.xml）："
                    "请用 Word 另存为 .docx 后再上传。"
                ) from None
            return read_member(archive, info)
    except ImportFormatError as exc:  # a zip bomb, a damaged or encrypted archive
        raise SourceError(str(exc)) from None


def read_docx(data: bytes) -> list[str]:
    """A Word file's paragraphs, one a line; a table row a line, cells tab-separated.

    The XML is read without resolving entities or loading a DTD, and a DTD is refused: Word
    writes none, so one is there for entity expansion or an external file.
    """
    from lxml import etree

    xml = _docx_xml(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(
            f"无法读取 Word 文件（其中的 XML 有误，第 {exc.lineno} 行）："
            "请用 Word 另存为 .docx 后再上传。"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise SourceError(
            "Word 文件中含有 DTD（实体声明），Word 不会写入这样的内容：可能是恶意构造的文件，"
            "请用 Word 另存为 .docx 后再上传。"
        )
    body = root.find(f"{_W}body")
    lines: list[str] = []
    if body is not None:
        _docx_blocks(body, lines)
    if not any(line.strip() for line in lines):
        raise SourceError("Word 文件里没有文字：请检查是否选对了文件。")
    return lines


def _docx_blocks(parent, lines: list[str]) -> None:
    for child in parent.iterchildren():
        if child.tag == f"{_W}p":
            lines.extend([_docx_text(child), ""])
        elif child.tag == f"{_W}tbl":
            for row in child.iterchildren(f"{_W}tr"):
                cells = [
                    "".join(_docx_text(p) for p in cell.iter(f"{_W}p")).replace("\t", " ")
                    for cell in row.iterchildren(f"{_W}tc")
                ]
                lines.append("\t".join(cells))
            lines.append("")
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            _docx_blocks(child, lines)  # content controls wrap paragraphs and tables


def _docx_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


# --- PDF -----------------------------------------------------------------------------------------


def _gutter(chars: list[dict], left: float, right: float) -> float | None:
    """The x of a column gutter between ``left`` and ``right``: the widest strip of the middle
    40 % that (almost) no character covers. Full-width lines (heads, feet) may cross it.

    The strip is measured in whole points, ``cover[x]`` the characters over point ``x``; each
    character adds 1 over a range of points, so the counts come from the ranges' ends, sorted
    (a difference array kept sparse): the cost grows with the characters, not with how wide
    they or the page are."""
    width = right - left
    low, high = left + 0.3 * width, left + 0.7 * width
    steps = int(high - low)
    if steps <= 0:
        return None
    changes: Counter[int] = Counter()
    for char in chars:
        a, b = max(low, char["x0"]), min(high, char["x1"])
        # The points x (0 <= x <= steps) from int(a - low) on with low + x < b, as the strip was
        # once counted point by point.
        first = int(a - low)
        if first > steps or not low + first < b:
            continue
        last = min(int(b - low), steps)
        while not low + last < b:  # float rounding: at most a step or two
            last -= 1
        changes[first] += 1
        changes[last + 1] -= 1
    limit = max(2, len(chars) // 100)
    best = (0, -1)
    start: int | None = None
    cover = 0
    # Runs of points covered by at most ``limit`` characters; one past the strip ends any run.
    for x in sorted({0, *(x for x in changes if x <= steps), steps + 1}):
        cover += changes[x]
        if x <= steps and cover <= limit:
            start = x if start is None else start
        elif start is not None:
            if x - start > best[1] - best[0]:
                best = (start, x)
            start = None
    if best[1] - best[0] < 6:
        return None
    return low + (best[0] + best[1]) / 2


def _on_page(char: dict, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a character lies on the page (text beyond the MediaBox is never printed)."""
    x0, top, x1, bottom = bbox
    return (
        char["text"].strip() != ""
        and x0 <= char["x0"] <= char["x1"] <= x1
        and top <= char["top"] <= char["bottom"] <= bottom
    )


def _clamp(
    box: tuple[float, float, float, float], bbox: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """``box`` cut to the page ``bbox``; None when nothing of it is left."""
    x0, top = max(box[0], bbox[0]), max(box[1], bbox[1])
    x1, bottom = min(box[2], bbox[2]), min(box[3], bbox[3])
    return (x0, top, x1, bottom) if x0 < x1 and top < bottom else None


def _regions(page, chars: list[dict]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(kind, bounding box) in reading order: "head" lines above the columns, each "column",
    "foot" lines below; a page without a gutter is one "column". ``chars`` are the page's
    printed characters (:func:`_on_page`); every box lies on the page."""
    if not chars:
        return []
    bbox = tuple(page.bbox)
    page_x0, page_top, page_x1, page_bottom = bbox
    full = ("column", bbox)
    gap = _gutter(chars, min(c["x0"] for c in chars), max(c["x1"] for c in chars))
    if gap is None:
        return [full]
    rows: dict[int, list[dict]] = {}
    for char in chars:
        rows.setdefault(round(char["top"]), []).append(char)
    crossing: list[tuple[float, float]] = []
    column: list[tuple[float, float]] = []
    for row in rows.values():
        top, bottom = min(c["top"] for c in row), max(c["bottom"] for c in row)
        crosses = any(c["x0"] < gap + 1 and c["x1"] > gap - 1 for c in row)
        (crossing if crosses else column).append((top, bottom))
    if not column:
        return [full]
    top = min(t for t, _ in column)
    bottom = max(b for _, b in column)
    boxes: list[tuple[str, tuple[float, float, float, float] | None]] = []
    if any(b <= top for _, b in crossing):
        boxes.append(("head", (page_x0, page_top, page_x1, top - 0.01)))
    boxes.append(("column", (page_x0, top - 0.01, gap, bottom + 0.01)))
    boxes.append(("column", (gap, top - 0.01, page_x1, bottom + 0.01)))
    if any(t >= bottom for t, _ in crossing):
        boxes.append(("foot", (page_x0, bottom + 0.01, page_x1, page_bottom)))
    clamped = [(kind, _clamp(box, bbox)) for kind, box in boxes]
    return [(kind, box) for kind, box in clamped if box is not None] or [full]


class _Line:
    """A printed line and the measures of the region it stands in."""

    def __init__(self, line: dict, region: int, measures: tuple[float, float, float, float]):
        self.text = line["text"].rstrip()
        self.x0, self.x1 = line["x0"], line["x1"]
        self.top, self.bottom = line["top"], line["bottom"]
        fonts = Counter((c["fontname"].split("+")[-1], round(c["size"], 1)) for c in line["chars"])
        self.font = fonts.most_common(1)[0][0]
        self.region = region
        self.left, self.right, self.size, self.gap = measures


def _measures(lines: list[dict]) -> tuple[float, float, float, float]:
    """A region's left and right edge (the most common ones: justified text fills the measure),
    its type size and its usual space between lines."""
    left = Counter(round(line["x0"]) for line in lines).most_common(1)[0][0]
    right = Counter(round(line["x1"]) for line in lines).most_common(1)[0][0]
    right = max(right, statistics.median(line["x1"] for line in lines))
    size = statistics.median(c["size"] for line in lines for c in line["chars"])
    gaps = [b["top"] - a["bottom"] for a, b in itertools.pairwise(lines)]
    return left, right, size, statistics.median(gaps) if gaps else 0.0


def _text_lines(lines: list[_Line | str]) -> list[str]:
    """Texts, with a trailing space after a line that ends its paragraph: it stops short of the
    right edge, or the next body line (in the next column or page too) is indented, in another
    font, or further away than the line spacing. A blank line where the space is much wider
    (a running head or a page number standing apart)."""
    following: list[_Line | None] = [None] * len(lines)  # the next body line after each item
    after: _Line | None = None
    for index in range(len(lines) - 1, -1, -1):
        following[index] = after
        item = lines[index]
        if isinstance(item, _Line):
            after = item
    out: list[str] = []
    for index, line in enumerate(lines):
        if isinstance(line, str):
            out.append(line)
            continue
        after = following[index]
        ends = after is None or line.x1 < line.right - 1.5 * line.size
        apart = False
        if after is not None:
            same = after.region == line.region
            space = after.top - line.bottom
            apart = same and space > line.gap + 1.5 * line.size
            indented = after.x0 > after.left + 0.8 * after.size
            # A flush-right paragraph (an author line) wrapped: its second line is not indented.
            flush_right = (
                same
                and after.x0 > after.left + 3 * after.size
                and after.x1 >= after.right - after.size
                and not _SENTENCE_END.search(line.text)
            )
            ends = (
                ends
                or (indented and not flush_right)
                or after.font != line.font
                or (same and space > line.gap + 0.6 * line.size)
            )
        out.append(line.text + (" " if ends else ""))
        if apart:
            out.append("")
    return out


def _page_lines(page, number: int, region: int) -> tuple[list[_Line | str], int]:
    """One page's lines in reading order (a head's or foot's lines as texts, each alone), and the
    number of the last region read; ``number`` is the page's, 1-based."""
    if len(page.chars) > MAX_PAGE_CHARS:
        raise SourceError(
            f"PDF 第 {number} 页的字符过多（超过 {MAX_PAGE_CHARS} 个），不像正常排版的页面："
            "请重新导出 PDF，或上传 Word、文本版本。"
        )
    bbox = tuple(page.bbox)
    chars = [c for c in page.chars if _on_page(c, bbox)]
    body: list[_Line | str] = []
    for kind, box in _regions(page, chars):
        found = page.within_bbox(box).extract_text_lines(return_chars=True)
        if not found:
            continue
        region += 1
        lines = [_Line(line, region, _measures(found)) for line in found]
        if kind == "column":
            body.extend(lines)
        else:  # a head or foot: each line alone
            body.append("")
            body.extend(f"{line.text} " for line in lines)
            body.append("")
    return body, region


def read_pdf(data: bytes) -> list[str]:
    """A text PDF's lines, page by page (``"\\f"`` between pages).

    At most :data:`MAX_PDF_PAGES` pages of at most :data:`MAX_PAGE_CHARS` characters each,
    :data:`MAX_PDF_CHARS` in all; text set beyond the page (the MediaBox) is not read. Whatever
    goes wrong inside pdfminer or pdfplumber on a page is the file's fault: a
    :class:`SourceError` naming the page."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.utils.exceptions import PdfminerException

    broken = "无法读取 PDF 文件：文件已损坏或不是 PDF。请重新导出 PDF 后再上传。"
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        # Counted lazily, before pdfplumber makes an object of every page.
        count = sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PDF_PAGES + 1))
        if count > MAX_PDF_PAGES:
            raise SourceError(
                f"PDF 超过 {MAX_PDF_PAGES} 页：一份素材最多 {MAX_PDF_PAGES} 页，请拆分后上传。"
            )
        pages = pdf.pages
    except SourceError:
        raise
    except PdfminerException as exc:
        if exc.args and isinstance(exc.args[0], PDFPasswordIncorrect):
            raise SourceError(
                "PDF 文件已加密：请先在 PDF 阅读器中输入密码并另存为未加密的 PDF，再上传。"
            ) from None
        raise SourceError(broken) from None
    except Exception:  # pdfminer raises many kinds of error on a broken file
        raise SourceError(broken) from None
    body: list[_Line | str] = []  # the columns' lines in reading order, over all pages
    region = 0
    number = 0
    chars = 0
    try:
        with pdf:
            for number, page in enumerate(pages, start=1):
                if number > 1:
                    body.append("\f")
                chars += len(page.chars)
                if chars > MAX_PDF_CHARS:
                    raise SourceError(
                        f"PDF 中的文字太多（超过 {MAX_PDF_CHARS // 10_000} 万个字符）："
                        "请拆分后上传，或上传 Word、文本版本。"
                    )
                lines, region = _page_lines(page, number, region)
                body.extend(lines)
                page.close()  # its characters and layout, no longer needed
            number = 0  # closing the file is not reading a page
    except SourceError:
        raise
    except Exception:  # not KeyboardInterrupt or SystemExit: those are no fault of the file
        where = f"第 {number} 页的文字无法读取" if number else "文件结构有误"
        raise SourceError(
            f"PDF 文件已损坏或格式异常（{where}）：请重新导出 PDF 后再上传，或上传 Word、文本版本。"
        ) from None
    out = _text_lines(body)
    if not any(line.strip() for line in out):
        raise SourceError(
            "PDF 中没有可提取的文字（可能是扫描件或图片）：请先做文字识别（OCR），"
            "或上传 Word、文本版本。"
        )
    return out


# --- by file -------------------------------------------------------------------------------------


def read_source(data: bytes, *, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """The lines of a source file, by its content (PDF, Word) or else its name's suffix."""
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    suffix = Path(filename).suffix.lower()
    if data[:5] == b"%PDF-":
        return read_pdf(data)
    if data[:4] == b"PK\x03\x04":
        if suffix == ".docx" or b"word/" in data[:4096]:
            return read_docx(data)
        raise SourceError("文件是压缩包而不是文档：请解压后上传其中的 .docx、.pdf 或 .txt 文件。")
    if suffix == ".pdf":
        raise SourceError("无法读取 PDF 文件：文件已损坏或不是 PDF。请重新导出 PDF 后再上传。")
    if suffix == ".docx":
        raise SourceError(
            "无法读取 Word 文件：文件已损坏或不是 .docx。请用 Word 另存为 .docx 后再上传。"
        )
    if suffix == ".doc":
        raise SourceError("不支持旧版 Word（.doc）文件：请在 Word 中另存为 .docx 后再上传。")
    if suffix in TEXT_SUFFIXES:
        return read_text(data)
    raise SourceError(f"不支持的文件类型 {suffix}：请上传 .txt、.md、.docx 或 .pdf 文件。")


def read_source_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """:func:`read_source` for a file on disk; a file over ``max_bytes`` is refused unread."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise _too_large(size, max_bytes)
    return read_source(path.read_bytes(), filename=path.name, max_bytes=max_bytes)
