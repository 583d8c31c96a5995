"""An article's trailing provenance lines (资料来源：…, 发布日期：…, 摘编：…) → source fields.

Pure Python, no Django. The lines seen in the material::

    **资料来源：**人力资源和社会保障部官网        (2024年第02期, bold label)
    资料来源：观察者                             (plain)
    **发布日期：**2024 年 8 月 27                 (no 日)
    信息来源：中国教育报 / 摘编：陆洁琰           (another newsletter)
    信息来源：重庆市人民政府网 2024 年 6 月 22 日  (date inside the source line)
    （来源：职教前沿 2024 年 6 月 16 日）

Only the run of such lines at the very end of an article is provenance; the same words inside
the text stay where they are.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from importer.markup import Block, fold_cjk_spaces

_SOURCE_LABELS = ("信息来源", "资料来源", "文章来源", "新闻来源", "来源")
_DATE_LABELS = ("发布日期", "发布时间")
_URL_LABELS = ("原文链接", "原文地址", "链接", "网址")
_COMPILER_LABELS = ("摘编",)

# The value is cut from the rest of the line in Python (_value): the pattern once used,
# ``[：:]\s*(?P<value>.*?)\s*[）)]?\s*$``, tried every split of a run of spaces between its
# three ``\s*`` at every step of the lazy value: cubic on a run of spaces (U+2000 and the like
# survive strip_markup).
_LINE = re.compile(
    r"^[（(]?\s*(?P<label>"
    + "|".join(_SOURCE_LABELS + _DATE_LABELS + _URL_LABELS + _COMPILER_LABELS)
    + r")\s*[：:](?P<value>.*)$"
)
_URL = re.compile(r"https?://[^\s<>\"'，。；）)]+")
# A full date: 2024年9月27日, 2024 年 9 月 27 日, 2024 年 8 月 27 (no 日), 2024-09-27, 2024.9.27
_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})(?!\d)\s*日?")


@dataclass(frozen=True)
class Provenance:
    source: str = ""
    date: datetime.date | None = None
    url: str = ""
    compiled_by: str = ""
    #: The 1-based line each field was read from ("source", "date", "url", "compiled_by").
    lines: dict[str, int] = field(default_factory=dict, compare=False)


def _value(rest: str) -> str:
    """What follows the label's colon, without the spaces and one closing bracket around it
    (``（来源：职教前沿 2024 年 6 月 16 日）``)."""
    value = rest.strip()
    if value.endswith(("）", ")")):
        value = value[:-1].rstrip()
    return value


def parse_date(text: str) -> datetime.date | None:
    """The first full date (year, month, day) in ``text``; None if there is none or it is invalid.

    A year and month alone (``2024年9月``) gives None: a DateField would have to invent a day.
    """
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def provenance_line(block: Block) -> tuple[str, str] | None:
    """(label, value) when the block is one provenance line; a bare URL counts, labelled 链接."""
    if block.kind != "para":
        return None
    text = block.plain
    match = _LINE.match(text)
    if match:
        return match["label"], _value(match["value"])
    if _URL.fullmatch(text):
        return "链接", text
    return None


def split_provenance(blocks: list[Block]) -> tuple[list[Block], Provenance]:
    """Remove the trailing provenance lines from ``blocks`` and read them.

    A 发布日期 line whose date cannot be read in full (a year and month only, an impossible day)
    stays in the body, so that what it says is not lost; the article then has no source date.
    """
    start = len(blocks)
    while start > 0 and provenance_line(blocks[start - 1]) is not None:
        start -= 1
    body, tail = blocks[:start], blocks[start:]

    source = url = compiled_by = ""
    date: datetime.date | None = None
    lines: dict[str, int] = {}
    kept: list[Block] = []
    for block in tail:
        label, value = provenance_line(block) or ("", "")
        found_url = _URL.search(value)
        if found_url and not url:
            url = found_url.group(0)
            lines["url"] = block.line
        if label in _DATE_LABELS:
            parsed = parse_date(value)
            if parsed is None:
                kept.append(block)
            elif date is None:
                date = parsed
                lines["date"] = block.line
        elif label in _SOURCE_LABELS and not source:
            source = _URL.sub("", value).strip()
            lines["source"] = block.line
        elif label in _COMPILER_LABELS and not compiled_by:
            compiled_by = fold_cjk_spaces(value)
            lines["compiled_by"] = block.line

    # A source line may carry the date itself (信息来源：光明日报 2024 年 6 月 25 日).
    if date is None and source:
        match = _DATE.search(source)
        if match and parse_date(match.group(0)):
            date = parse_date(match.group(0))
            if match.end() == len(source):
                source = source[: match.start()].strip()
    provenance = Provenance(source=source, date=date, url=url, compiled_by=compiled_by, lines=lines)
    return body + kept, provenance
