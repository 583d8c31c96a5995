"""The 目录 of an issue: its entries, which of them are sections and which are articles.

Pure Python, no Django. An entry is ``number title [dot leaders] page``::

    1.1.4 国务院：推动优质高等职业教育资源下沉县域中职学校 ..\t11     (2024年第02期)
    4.1.1 数字经济发展行动方案（2024—2026年）\t95                     (2024年第01期)
    附录：全国（及省级）行业产教融合共同体成立汇总表（1-500）\t165

The 目录 runs from its heading to the first line that is neither blank nor an entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from importer.errors import ImportFormatError
from importer.limits import MAX_LENGTH, PAGE_MAX, TOC_LINE_MAX
from importer.markup import strip_markup

# The title's end is read without a regular expression (see _split_tail): the pattern once
# used, ``(?P<title>.*?)(?:[ \t\u3000]*(?:\.{2,}|…+|·{2,}|\t)[ \t\u3000.…·]*|…)(?P<page>\d+)$``,
# tried every split of a run of spaces and dots at every position: cubic in the run's length.
# Every regular expression here is linear: no two quantifiers
# next to each other can take the same characters.
_SPACE = " \t\u3000"
_LEADER_CHARS = _SPACE + ".…·"
_NUMBER_MAX = min(MAX_LENGTH["issues.Section.number"], MAX_LENGTH["articles.Article.number"])
_ENTRY = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?[ \t\u3000]+(?P<rest>\S.*)$")
#: 附录：…, 附录 …, 附录一：… (in the 目录 and as the appendix's heading in the body)
# (Linear with match(): only fullmatch() would backtrack over a run of spaces.)
APPENDIX = re.compile(
    r"^附\s*录\s*(?:[一二三四五六七八九十\d]+\s*)?(?:[：:][ \t\u3000]*|[ \t\u3000]+|$)"
)


def no_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class TocEntry:
    number: str  # "" for the appendix
    title: str  # as printed, without leaders and page
    page: int | None
    line: int  # 1-based line in the file

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1

    @property
    def parent(self) -> str | None:
        return self.number.rpartition(".")[0] or None


@dataclass(frozen=True)
class Toc:
    heading: int  # index of the 目录 heading line
    end: int  # index of the first line after the 目录
    entries: tuple[TocEntry, ...]
    appendix: TocEntry | None


def _leader_at(text: str, index: int) -> bool:
    """Whether dot leaders start at ``text[index]``: ``..``, ``…`` or ``··``."""
    char = text[index : index + 1]
    return char == "…" or (char in (".", "·") and text[index + 1 : index + 2] == char)


def _leaders_start(text: str, start: int, *, tab_counts: bool) -> int | None:
    """Where the leaders at the end of ``text`` begin, ``text[start:]`` being spaces, tabs and
    leader characters only; None if they do not read as leaders.

    A tail reads as leaders when, after a run of spaces, comes ``..``, ``…`` or ``··`` (or a tab
    in that run, if ``tab_counts``). The first position from which the tail reads so is the
    split with the shortest title, as the lazy ``(?P<title>.*?)`` of a regular expression would
    find it; but each run of spaces is looked at once, so this is linear.
    """
    index, end = start, len(text)
    while index < end:
        if text[index] in _SPACE:
            block_end = index
            while block_end < end and text[block_end] in _SPACE:
                block_end += 1
            if (tab_counts and "\t" in text[index:block_end]) or _leader_at(text, block_end):
                return index
            index = block_end
        elif _leader_at(text, index):
            return index
        else:
            index += 1
    return None


def _split_tail(rest: str) -> tuple[str, str]:
    """``rest`` → (title, page digits), or (``rest``, "") when it does not end in a page.

    The page is the digits at the end, and the run of spaces and leader characters before
    them must separate it from the title: leaders (dots, ``…``, ``··`` or a tab) after optional
    spaces, or two or more spaces. Read from the end without a regular expression.
    """
    end = len(rest)
    while end and rest[end - 1].isdecimal():
        end -= 1
    start = end
    while start and rest[start - 1] in _LEADER_CHARS:
        start -= 1
    if end == len(rest) or start == end:
        return rest, ""
    tail = rest[:end]
    split = _leaders_start(tail, start, tab_counts=True)
    if split is None:
        # Only spaces then: two or more of them, from the start of the trailing space run.
        spaces = len(tail) - len(tail.rstrip(_SPACE))
        if spaces < 2:
            return rest, ""
        split = end - spaces
    return rest[:split], rest[end:]


def _strip_leaders(text: str) -> str:
    """``text`` without trailing dot leaders and the spaces around them (a page-less entry)."""
    start = len(text)
    while start and text[start - 1] in _LEADER_CHARS:
        start -= 1
    split = _leaders_start(text, start, tab_counts=False)
    return text if split is None else text[:split]


def _title_and_page(rest: str, line: int | None = None) -> tuple[str, int | None]:
    """The title as printed and the page of a 目录 entry's text after its number."""
    rest = rest.strip()
    title, digits = _split_tail(rest)
    if digits and title.strip():
        # (int() itself refuses more than 4,300 digits, with a ValueError of its own)
        if len(digits) > 100 or int(digits) > PAGE_MAX:
            shown = digits if len(digits) <= 12 else digits[:12] + "…"
            raise ImportFormatError(f"目录中的页码 {shown} 不合理（最大为 {PAGE_MAX}）。", line)
        return strip_markup(title), int(digits)
    return strip_markup(_strip_leaders(rest)), None


def find_toc(lines: Sequence[str]) -> Toc:
    """The 目录: raises ImportFormatError without a 目录 heading, entries or with a number twice."""
    heading = next(
        (i for i, line in enumerate(lines) if no_spaces(strip_markup(line)) == "目录"), None
    )
    if heading is None:
        raise ImportFormatError("找不到目录：文件中应有一行“目录”，其后是带编号和页码的条目。")
    entries: list[TocEntry] = []
    appendix: TocEntry | None = None
    seen: dict[str, int] = {}
    index = heading + 1
    while index < len(lines):
        raw = lines[index].replace("**", "").strip(" \u3000")
        index += 1
        if not raw.strip():
            continue
        line_no = index
        entry = _ENTRY.match(raw)
        listed = None if entry or appendix is not None else APPENDIX.match(raw)
        if (entry or listed) and len(raw) > TOC_LINE_MAX:
            raise ImportFormatError(
                f"目录中的这一行太长（{len(raw)} 个字，最多 {TOC_LINE_MAX} 个字），"
                "不像目录条目：请检查文件。",
                line_no,
            )
        if entry:
            number = entry["number"]
            if len(number) > _NUMBER_MAX:
                raise ImportFormatError(
                    f"目录中的编号 {number[:30]} 太长（最多 {_NUMBER_MAX} 个字符）。", line_no
                )
            if number in seen:
                raise ImportFormatError(
                    f"目录中的编号 {number} 出现了两次（另一次在第 {seen[number]} 行）。", line_no
                )
            seen[number] = line_no
            title, page = _title_and_page(entry["rest"], line_no)
            entries.append(TocEntry(number, title, page, line_no))
            continue
        if listed:
            title, page = _title_and_page(raw[listed.end() :], line_no)
            appendix = TocEntry("", title, page, line_no)
            continue
        index -= 1  # the first line after the 目录
        break
    if not entries:
        raise ImportFormatError("目录下没有条目（应为“1.1.1 标题 …… 页码”这样的行）。", heading + 1)
    return Toc(heading, index, tuple(entries), appendix)


def classify(entries: Sequence[TocEntry]) -> tuple[set[str], list[TocEntry]]:
    """The numbers of the sections, and the article entries in 目录 order.

    An entry with children is a section, and so is every one-part number. A childless entry is an
    article three or more parts deep, and two parts deep when no entry beside it under the same
    top section has children (2024年第01期: 3.1–3.3 directly under 3 职教观点); beside sections
    that have children it is an empty section. Every entry's parent must come before it.
    """
    earlier: set[str] = set()
    all_numbers = {e.number for e in entries}
    with_children: set[str] = set()
    for entry in entries:
        parent = entry.parent
        if parent is not None:
            if parent not in earlier:
                problem = (
                    f"排在它的上级 {parent} 之前"
                    if parent in all_numbers
                    else f"缺少上级条目 {parent}"
                )
                raise ImportFormatError(f"目录中的 {entry.number} {problem}。", entry.line)
            with_children.add(parent)
        earlier.add(entry.number)

    def top(number: str) -> str:
        return number.split(".", 1)[0]

    tops_with_subsections = {top(n) for n in with_children if n.count(".") == 1}
    sections: set[str] = set()
    articles: list[TocEntry] = []
    for entry in entries:
        is_section = (
            entry.depth == 1
            or entry.number in with_children
            # a childless entry beside subsections that have articles: an empty section
            or (entry.depth == 2 and top(entry.number) in tops_with_subsections)
        )
        if is_section:
            sections.add(entry.number)
        else:
            articles.append(entry)
    return sections, articles
