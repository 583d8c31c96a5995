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

from issues.importer.errors import ImportFormatError
from issues.importer.markup import strip_markup

_PAGE_TAIL = re.compile(
    r"^(?P<title>.*?)(?:[ \t\u3000]*(?:\.{2,}|…+|·{2,}|\t)[ \t\u3000.…·]*|[ \t\u3000]{2,})"
    r"(?P<page>\d+)$"
)
_LEADERS = re.compile(r"[ \t\u3000]*(?:\.{2,}|…+|·{2,})[ \t\u3000.…·]*$")
_ENTRY = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?[ \t\u3000]+(?P<rest>\S.*)$")
#: 附录：…, 附录 …, 附录一：… (in the 目录 and as the appendix's heading in the body)
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


def _title_and_page(rest: str) -> tuple[str, int | None]:
    rest = rest.strip()
    match = _PAGE_TAIL.match(rest)
    if match and match["title"].strip():
        return strip_markup(match["title"]), int(match["page"])
    return strip_markup(_LEADERS.sub("", rest)), None


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
        if entry:
            number = entry["number"]
            if number in seen:
                raise ImportFormatError(
                    f"目录中的编号 {number} 出现了两次（另一次在第 {seen[number]} 行）。", line_no
                )
            seen[number] = line_no
            title, page = _title_and_page(entry["rest"])
            entries.append(TocEntry(number, title, page, line_no))
            continue
        match = APPENDIX.match(raw)
        if match and appendix is None:
            title, page = _title_and_page(raw[match.end() :])
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
