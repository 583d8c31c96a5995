"""What an issue says before its first section: the cover, 总编/主编/责编 and the 说明.

Pure Python, no Django. The cover of both seed issues, in this order::

    广州市白云工商技师学院 (国家重点技校)
    GUANGZHOU BAIYUN TECHNICIAN COLLEGE OF BUSINESS
    2024年第02期
    内部资料
    # 职教通讯
    Information on Technical Vocational Education
    主办：广州市白云工商技师学院—职教所（教师发展中心）

Lines are recognised by what they are (the issue id, 主办：, Chinese or Latin script, a school's
name) rather than by position, and kept as printed apart from markup and folded whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from importer.errors import ImportFormatError
from importer.limits import check_length
from importer.markup import block_plain_text, fold_cjk_spaces, split_blocks, strip_markup
from importer.toc import no_spaces

_ISSUE_ID = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,2})\s*期")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_PUBLISHER = re.compile(r"^主\s*办\s*[：:]\s*(?P<name>.*)$")
_INTERNAL = re.compile(r"^内部.{0,4}资料$")
_ENGLISH_SCHOOL = re.compile(r"COLLEGE|SCHOOL|UNIVERSITY|INSTITUTE|ACADEMY", re.I)
_CHINESE_SCHOOL = re.compile(r"学院|学校|大学|技校")
_STAFF = re.compile(r"^(?P<role>总\s*编|主\s*编|责\s*编)\s*[：:]\s*(?P<name>.*)$")


@dataclass(frozen=True)
class Cover:
    year: int
    number: int
    title: str
    title_en: str
    school: str
    school_en: str
    publisher: str


def parse_cover(lines: Sequence[str]) -> Cover:
    """Read the lines before the 目录; raises ImportFormatError without an issue id (年第 期)."""
    cleaned = [(i, strip_markup(line)) for i, line in enumerate(lines)]
    cleaned = [(i, text) for i, text in cleaned if text]
    found = next(((i, m) for i, text in cleaned if (m := _ISSUE_ID.search(text))), None)
    if found is None:
        raise ImportFormatError("找不到期号：目录前应有“2024年第02期”这样的一行。")
    id_at, match = found

    publisher, publisher_at = "", -1
    chinese: list[tuple[int, str]] = []
    english: list[tuple[int, str]] = []
    for i, text in cleaned:
        if i == id_at or _INTERNAL.match(text):
            continue
        if (named := _PUBLISHER.match(text)) is not None:
            publisher, publisher_at = fold_cjk_spaces(named["name"]), i
        elif _CJK_CHAR.search(text):
            chinese.append((i, text))
        else:
            english.append((i, text))

    school_at, school = next(
        ((i, t) for i, t in chinese if _CHINESE_SCHOOL.search(t) and i < id_at), (-1, "")
    )
    titles = [(i, t) for i, t in chinese if i != school_at]
    # The title follows the issue id; if nothing does, take the first other Chinese line.
    title_at, title = next(
        ((i, t) for i, t in titles if i > id_at), titles[0] if titles else (-1, "")
    )
    school_en_at, school_en = next(
        ((i, t) for i, t in english if _ENGLISH_SCHOOL.search(t)), (-1, "")
    )
    title_en_at, title_en = next(
        ((i, t) for i, t in english if i > title_at and t != school_en), (-1, "")
    )
    for text, column, what, at in (
        (title, "issues.Issue.title", "刊名", title_at),
        (title_en, "issues.Issue.title_en", "英文刊名", title_en_at),
        (school, "issues.Issue.school", "学校", school_at),
        (school_en, "issues.Issue.school_en", "学校英文名", school_en_at),
        (publisher, "issues.Issue.publisher", "主办", publisher_at),
    ):
        check_length(text, column, what, at + 1)
    return Cover(int(match[1]), int(match[2]), title, title_en, school, school_en, publisher)


_STAFF_COLUMNS = {
    "总编": "issues.Issue.chief_editor",
    "主编": "issues.Issue.editor",
    "责编": "issues.Issue.managing_editor",
}


def staff_and_notes(lines: Sequence[str], start: int, end: int) -> tuple[dict[str, str], str]:
    """总编/主编/责编 (keyed so) and the 说明 text, from ``lines[start:end]``.

    The notes run from the line after the heading ending in 说明 (《职教通讯》说明) to the staff
    block (its heading 《职教通讯》总编、主编和责编 or the first 总 编：line); markup is removed,
    blocks are separated by a blank line and list items put one a line.
    """
    staff: dict[str, str] = {}
    notes_from: int | None = None
    notes_to = end
    for index in range(start, end):
        text = strip_markup(lines[index])
        if not text:
            continue
        match = _STAFF.match(text)
        if match:
            role = no_spaces(match["role"])
            if role not in staff:
                name = fold_cjk_spaces(match["name"])
                staff[role] = check_length(name, _STAFF_COLUMNS[role], role, index + 1)
            notes_to = min(notes_to, index)
        elif "总编" in no_spaces(text) and ("主编" in text or "责编" in text):
            notes_to = min(notes_to, index)
        elif notes_from is None and no_spaces(text).endswith("说明"):
            notes_from = index + 1
    notes = ""
    if notes_from is not None and notes_from < notes_to:
        blocks = split_blocks(lines[notes_from:notes_to], notes_from + 1)
        notes = "\n\n".join(text for text in map(block_plain_text, blocks) if text)
    return staff, notes
