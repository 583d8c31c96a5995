"""Parse the registry appendix (全国（及省级）行业产教融合共同体成立汇总表) into plain data.

Pure Python, no Django: the importer hands in the appendix text, this module returns a
:class:`RegistryDoc` or raises :class:`RegistryError` naming the line of the file at fault.

The printed shape, one entry after another (newest first), blank lines in between::

    500
    中国兰州牛肉拉面行业产教融合共同体
    牵头单位：甘肃金味德拉面文化产业集团、甘肃农业大学和兰州现代职业学院
    成立时间：2024年9月

and at the end the registry's provenance, ``**资料来源：**中教全媒体整理`` and
``**发布日期：**2024 年 11 月 11 日``. Numbers are zero-padded below 10, lines may end in two
spaces (markdown line breaks) and a lead-unit list may wrap onto following lines, even in the
middle of a name (``东`` / ``北师范大学``), so wrapped lines are joined without a separator.

Lead-unit lists are the hard part: see :func:`split_lead_units`.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field, replace

__all__ = [
    "FLAG_DANGLING_SEPARATOR",
    "FLAG_DUPLICATE_NAME",
    "FLAG_NAME_IRREGULAR",
    "FLAG_NAME_TRIMMED",
    "FLAG_NOTES",
    "FLAG_TRUNCATED",
    "ORG_SUFFIXES",
    "RegistryDoc",
    "RegistryEntry",
    "RegistryError",
    "find_registry",
    "looks_complete_org",
    "normalize_name",
    "normalize_org_name",
    "parse_registry",
    "split_lead_units",
]

# --- flags: warnings for editors; the data is kept as printed -----------------------------------

#: A lead unit is cut off in the source (entry 196: ``…、武汉职业技术``).
FLAG_TRUNCATED = "truncated"
#: The lead-unit list ends in a separator (``…、安徽中医药大学、``): something may be missing.
FLAG_DANGLING_SEPARATOR = "dangling_separator"
#: The printed name carried words that are not part of it (``…共同体成立大会``); they were removed.
FLAG_NAME_TRIMMED = "name_trimmed"
#: The name does not end in 共同体 as every other does (``…产教融合共用体``): possibly a misprint.
FLAG_NAME_IRREGULAR = "name_irregular"
#: Another entry has the same name (the same community listed twice, or two of one name).
FLAG_DUPLICATE_NAME = "duplicate_name"

FLAG_NOTES: dict[str, str] = {
    FLAG_TRUNCATED: "原文牵头单位不完整（被截断），请核对",
    FLAG_DANGLING_SEPARATOR: "原文牵头单位以顿号结尾，可能有遗漏，请核对",
    FLAG_NAME_TRIMMED: "原文名称带有“成立大会”等字样，已去除，请核对",
    FLAG_NAME_IRREGULAR: "名称不以“共同体”结尾，可能有错字，请核对",
    FLAG_DUPLICATE_NAME: "与另一条目同名，请核对是否重复收录",
}

YEAR_MIN, YEAR_MAX = 1949, 2100
_LINE_BREAKS = dict.fromkeys(map(ord, "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), " ")

#: "app.Model.field" → max_length of each bounded column the registry loader writes (checked
#: against the models by tests/importer/test_importer.py), so that a name too long is refused
#: here, with its line, and not by PostgreSQL at the confirm.
MAX_LENGTH: dict[str, int] = {
    "communities.Registry.title": 200,
    "communities.Registry.source": 200,
    "communities.Community.name": 200,
    "communities.Community.review_note": 200,
    "communities.Organization.name": 200,
}
#: A printed lead-unit list (TextField) is under 100 characters; splitting it tries each 和/与/
#: space in it, so a list past this is refused rather than split.
LEAD_UNITS_TEXT_MAX = 1000


class RegistryError(ValueError):
    """The appendix text cannot be read; ``line`` is the 1-based line in the whole file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message.translate(_LINE_BREAKS)  # it quotes the file: kept on one line
        self.line = line
        super().__init__(f"第 {line} 行：{self.message}" if line is not None else self.message)


def _check_length(text: str, column: str, what: str, line: int | None) -> str:
    """``text`` if it fits ``column``; else a :class:`RegistryError` naming ``line``."""
    limit = MAX_LENGTH[column]
    if len(text) > limit:
        preview = text[:20]
        raise RegistryError(
            f"{what}太长（{len(text)} 个字，最多 {limit} 个字）：“{preview}…”", line
        )
    return text


@dataclass(frozen=True)
class RegistryEntry:
    number: int  # 1..500
    name: str  # community name, normalised (normalize_name)
    lead_units_text: str  # as printed: wrapped lines joined, markdown and line-end spaces removed
    lead_units: tuple[str, ...]  # split, normalised organisation names, printed order, no repeats
    founded_year: int
    founded_month: int
    flags: tuple[str, ...]  # editor warnings (FLAG_*); empty normally
    line: int  # 1-based line of the entry's number line in the whole file


@dataclass(frozen=True)
class RegistryDoc:
    title: str  # e.g. 全国（及省级）行业产教融合共同体成立汇总表（1-500）
    entries: tuple[RegistryEntry, ...]  # by number, ascending
    source: str  # 资料来源
    published: datetime.date | None  # 发布日期


# --- text normalisation ---------------------------------------------------------------------------

# CJK ideographs plus full-width punctuation and the curly quotes used around Chinese words.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018\u2019\u201c\u201d"
_HAS_CJK = re.compile(rf"[{_CJK}]")
# Whitespace with a CJK character (or full-width punctuation) on at least one side is a typesetting
# artefact: "2023 年 11 月", "全国 AI 设计", "洛阳 LYC 轴承有限公司". Each run of whitespace is
# looked at once (_fold_run): the pattern once used, ``(?<=[CJK])\s+|\s+(?=[CJK])``, retried
# the whole run from each of its positions, quadratic in its length.
_WHITESPACE_RUN = re.compile(r"\s+")
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]")
# "（下称“广外艺”）": the article's own abbreviation, not part of the organisation's name.
# (?<!\s): a match starts where a run of spaces does, not again at each of its positions.
_ALIAS_NOTE = re.compile(r"(?<!\s)\s*[（(]\s*(?:以下简称|下称|简称)[^（）()]*[）)]")
# Full-width Latin letters and digits (ＴＣＬ, ５Ｇ) fold to ASCII; full-width punctuation stays.
_FULLWIDTH_ALNUM = {
    **{cp: cp - 0xFEE0 for cp in range(ord("０"), ord("９") + 1)},
    **{cp: cp - 0xFEE0 for cp in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{cp: cp - 0xFEE0 for cp in range(ord("ａ"), ord("ｚ") + 1)},
}
_EDGE_PUNCT = "、，,；;：: \t\u3000"
_EVENT_SUFFIX = re.compile(r"(?<=共同体)(?:成立大会|成立仪式|揭牌仪式|成立)$")
_NAME_ENDING = re.compile(r"共同体(?:（[^（）]*）)?$|共同体）$")


def _strip_markdown(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def _fold_run(run: str, before: str, after: str) -> str:
    r"""What ``(?<=[CJK])\s+|\s+(?=[CJK])`` substituted by "" leaves of a whitespace ``run``
    between ``before`` and ``after``, in one pass. Nothing when a neighbour is CJK; else
    the ideographic spaces (U+3000: whitespace and CJK both) remove what touches them."""
    if _HAS_CJK.match(before) or _HAS_CJK.match(after):
        return ""
    last_ideographic = run.rfind("\u3000")
    kept: list[str] = []
    index = 0
    while index < len(run):
        if index and run[index - 1] == "\u3000":
            break  # the rest of the run follows an ideographic space
        if last_ideographic > index:
            index = last_ideographic  # up to the last one before it goes
        else:
            kept.append(run[index])
            index += 1
    return "".join(kept)


def _fold_spaces(text: str) -> str:
    def fold(match: re.Match[str]) -> str:
        start, end = match.span()
        kept = _fold_run(match.group(), text[start - 1 : start], text[end : end + 1])
        return " " if kept else ""

    return _WHITESPACE_RUN.sub(fold, text).strip()


def _fix_brackets(text: str) -> str:
    """Full-width brackets around Chinese content, as most names print them: (北京) → （北京）.

    Brackets around Latin letters or digits stay as printed: （1-500）, (GF).
    """

    def fix(match: re.Match[str]) -> str:
        inner = match.group(1)
        return f"（{inner}）" if _HAS_CJK.search(inner) else match.group(0)

    return _BRACKETED.sub(fix, text)


def _clean(text: str) -> str:
    text = _strip_markdown(text).translate(_FULLWIDTH_ALNUM)
    return _fix_brackets(_fold_spaces(text))


def normalize_org_name(name: str) -> str:
    """An organisation's name as stored: the printed name, consistently spelled.

    Spaces next to Chinese characters go, brackets around Chinese content become full-width,
    and an article's "（下称“…”）" note is dropped. Everything the name itself says stays:
    ``（筹）``, ``（武汉）``, ``GF``, ``LYC``, ``（字节跳动旗下）``.
    """
    name = _ALIAS_NOTE.sub("", _strip_markdown(name))
    return _clean(name).strip(_EDGE_PUNCT)


def normalize_name(name: str) -> str:
    """A community's name as stored: cleaned like an organisation's name, and without the event
    words the print sometimes appends (``全国现代旅游酒店业产教融合共同体成立大会``)."""
    return _EVENT_SUFFIX.sub("", normalize_org_name(name))


# --- lead units -----------------------------------------------------------------------------------

#: Endings of a complete organisation name. Used to decide whether 和/与/及/联合 or a space joins
#: two organisations or is part of one name (人力资源和社会保障部, 南非能源和水利培训署).
ORG_SUFFIXES: tuple[str, ...] = (
    "公司",
    "集团",
    "股份",
    "工厂",
    "厂",
    "酒店",
    "银行",
    "医院",
    "大学",
    "学院",
    "学校",
    "中学",
    "小学",
    "幼儿园",
    "校区",
    "师大",
    "幼专",
    "研究院",
    "研究所",
    "研究总院",
    "科学院",
    "工程院",
    "实验室",
    "院",
    "所",
    "中心",
    "基地",
    "平台",
    "园",
    "馆",
    "站",
    "社",
    "协会",
    "学会",
    "联合会",
    "商会",
    "促进会",
    "研究会",
    "委员会",
    "理事会",
    "基金会",
    "总会",
    "联盟",
    "共同体",
    "委",
    "局",
    "厅",
    "部",
    "署",
    "办公室",
    "政府",
    "管委会",
    "（筹）",
)
# Printed endings of a name whose rest is missing: 武汉职业技术(学院), …有限(公司).
_INCOMPLETE_TAILS = (
    "职业技术",
    "职业技术学",
    "职业",
    "职业学",
    "高等专科",
    "专科",
    "有限",
    "有限责任",
    "股份有限",
)
_TOP_SEPARATORS = "、，；;,"
_OPEN, _CLOSE = "（(“‘《", "）)”’》"
# Connectors that may join two organisations inside one list item. 联合 must not eat 联合会.
_CONNECTOR = re.compile(r"以及|联合(?!会|国)|和|与|及|\s+")
_LEADING_CONNECTOR = re.compile(r"^(?:以及|和|与|及|并)\s*")
# Role words after a name: "X牵头，Y、Z", "X牵头、Y", "现代职业教育研究院指导、…", "…等".
_ROLE_SUFFIX = re.compile(r"(?<!\s)\s*(?:共同牵头|联合牵头|牵头|指导|等)$")


def _core(name: str) -> str:
    """The name without trailing bracketed qualifiers: 中国地质大学（武汉） → 中国地质大学.

    Read from the end, one bracket at a time (a regular expression searched from the start
    once per bracket: quadratic on a name of many brackets).
    """
    name = name.strip()
    while name.endswith(("）", ")")):
        opening = max(name.rfind(ch, 0, len(name) - 1) for ch in "（(）)")
        if opening < 0 or name[opening] not in "（(":
            return name
        name = name[:opening].strip()
    return name


def looks_complete_org(name: str) -> bool:
    """True if ``name`` ends like a complete organisation name (公司, 大学, 协会, （筹）…)."""
    name = normalize_org_name(name)
    if name.endswith("（筹）") and len(name) > 3:
        return True
    core = _core(name)
    # A bare suffix ("会", "院") left over from a wrong split is not a name.
    return any(core.endswith(s) and len(core) > len(s) for s in ORG_SUFFIXES)


def _split_top(text: str) -> list[str]:
    """Split at 、，；, outside brackets and quotes."""
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in _TOP_SEPARATORS:
            # An ASCII comma between Latin words ("Co., Ltd.") is not a list separator.
            if ch == "," and not _HAS_CJK.search(text[max(0, i - 1) : i + 2]):
                current.append(ch)
                continue
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _tidy_item(item: str) -> str:
    item = item.strip(_EDGE_PUNCT)
    item = _LEADING_CONNECTOR.sub("", item)
    return _ROLE_SUFFIX.sub("", item).strip(_EDGE_PUNCT)


def _split_connected(item: str) -> list[str]:
    """Split one list item at 和/与/及/联合/space where both sides are complete names.

    "甘肃农业大学和兰州现代职业学院" splits; "南非能源和水利培训署", "北京和利时教育科技有限公司",
    "香港理工大学时装及纺织学院" and "瑞士联邦乔治费歇尔 GF 加工方案公司" do not, because the
    part before the connector does not end like an organisation.

    The first connector whose left side is complete and whose right side splits into complete
    names wins, the right side split by the same rule. Each right side (the text after a
    connector) is split once and remembered, without recursion: tried afresh for every
    connector before it, the work tripled with each more connector.
    """
    connectors = list(_CONNECTOR.finditer(item))
    complete: dict[str, bool] = {}

    def is_complete(text: str) -> bool:
        if text not in complete:
            complete[text] = looks_complete_org(_tidy_item(text))
        return complete[text]

    # parts[k]: the split of the text after connector k - 1 (k = 0: the whole item); good[k]:
    # whether all its parts are complete names.
    parts: dict[int, list[str]] = {}
    good: dict[int, bool] = {}
    stack = [(0, 0)]  # (k, next connector to try)
    while stack:
        k, j = stack.pop()
        start = connectors[k - 1].end() if k else 0
        while j < len(connectors):
            match = connectors[j]
            left, right = item[start : match.start()].strip(), item[match.end() :].strip()
            if left and right and is_complete(left):
                if j + 1 not in good:
                    stack.extend([(k, j), (j + 1, j + 1)])  # split the right side first
                    break
                if good[j + 1]:
                    parts[k], good[k] = [left, *parts[j + 1]], True
                    break
            j += 1
        else:
            rest = item[start:].strip() if k else item
            parts[k], good[k] = [rest], is_complete(rest)
    return parts[0]


def split_lead_units(text: str) -> list[str]:
    """The organisations in a printed lead-unit list, normalised, in order, without repeats.

    Separators: 、，；, at the top level; then inside an item 和/与/及/联合/space when both sides
    are complete names; a leading 与/和/及 ("、与Y") and role words (牵头, 指导, 等) are dropped.
    """
    names: list[str] = []
    for item in _split_top(_strip_markdown(text)):
        for part in _split_connected(_tidy_item(item)):
            name = normalize_org_name(_tidy_item(part))
            if name and name not in names:
                names.append(name)
    return names


def _looks_truncated(unit: str) -> bool:
    core = _core(unit)
    if core.endswith(_INCOMPLETE_TAILS):
        return True
    # "携程旅游网络技术（上海）": a place qualifier normally sits before 有限公司 or after 大学;
    # with nothing complete before it, the end of the name is missing.
    return core != unit and not looks_complete_org(core) and not unit.endswith("（筹）")


# --- the document ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,4}")
_LABEL = re.compile(r"(牵头单位|成立时间|资料来源|发布日期)\s*[：:]\s*(.*)")
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*月?")
_FULL_DATE = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})\s*日?")
_APPENDIX_LABEL = re.compile(r"^附\s*录\s*(?:[一二三四五六七八九十\d]+\s*)?[：:]\s*")
_HEADING_MAX = 80
# Only tried on lines of at most _HEADING_MAX characters: ``[#\s*]*`` and ``[^\t]*`` can take the
# same characters, quadratic on a long line of them.
_REGISTRY_HEADING = re.compile(r"^[#\s*]*(?:附\s*录[^：:]*[：:])?[^\t]*共同体成立汇总表[^\t]*$")


@dataclass
class _Draft:
    number: int
    line: int
    name_parts: list[str] = field(default_factory=list)  # a long name may wrap
    name_line: int = 0
    lead_parts: list[str] | None = None
    lead_line: int = 0
    founded: tuple[int, int] | None = None


def _clean_line(raw: str) -> str:
    return _strip_markdown(raw).strip(" \t\u3000\r\ufeff")


def _parse_year_month(value: str, line: int) -> tuple[int, int]:
    match = _YEAR_MONTH.fullmatch(value.strip())
    if not match:
        raise RegistryError(f"成立时间“{value}”无法识别，应为“2024年9月”的形式。", line)
    year, month = int(match.group(1)), int(match.group(2))
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise RegistryError(f"成立时间的年份 {year} 不合理。", line)
    if not 1 <= month <= 12:
        raise RegistryError(f"成立时间的月份 {month} 不在 1–12 之间。", line)
    return year, month


def _parse_date(value: str, line: int) -> datetime.date:
    match = _FULL_DATE.fullmatch(value.strip())
    try:
        if not match:
            raise ValueError(value)
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise RegistryError(f"发布日期“{value}”无法识别。", line) from None


def _finish(draft: _Draft) -> RegistryEntry:
    printed_name = "".join(draft.name_parts)
    if not printed_name:
        raise RegistryError(f"第 {draft.number} 条没有共同体名称。", draft.line)
    lead_line = draft.lead_line or draft.line
    lead_text = "".join(draft.lead_parts or []).strip()
    if len(lead_text) > LEAD_UNITS_TEXT_MAX:
        raise RegistryError(
            f"第 {draft.number} 条的牵头单位太长（{len(lead_text)} 个字，"
            f"最多 {LEAD_UNITS_TEXT_MAX} 个字）。",
            lead_line,
        )
    lead_units = split_lead_units(lead_text)
    if not lead_units:
        raise RegistryError(f"第 {draft.number} 条没有牵头单位。", lead_line)
    for unit in lead_units:
        what = f"第 {draft.number} 条的一个牵头单位"
        _check_length(unit, "communities.Organization.name", what, lead_line)
    if draft.founded is None:
        raise RegistryError(f"第 {draft.number} 条缺少成立时间。", draft.line)
    name = normalize_name(printed_name)
    _check_length(
        name, "communities.Community.name", f"第 {draft.number} 条的名称", draft.name_line
    )
    flags: list[str] = []
    if any(_looks_truncated(u) for u in lead_units):
        flags.append(FLAG_TRUNCATED)
    if lead_text.endswith(tuple(_TOP_SEPARATORS)):
        flags.append(FLAG_DANGLING_SEPARATOR)
    if name != normalize_org_name(printed_name):
        flags.append(FLAG_NAME_TRIMMED)
    if not _NAME_ENDING.search(name):
        flags.append(FLAG_NAME_IRREGULAR)
    return RegistryEntry(
        number=draft.number,
        name=name,
        lead_units_text=lead_text,
        lead_units=tuple(lead_units),
        founded_year=draft.founded[0],
        founded_month=draft.founded[1],
        flags=tuple(flags),
        line=draft.line,
    )


def parse_registry(text: str, *, first_line: int = 1) -> RegistryDoc:
    """Parse the appendix: ``text`` starts at its heading, which is line ``first_line`` of the file.

    Raises :class:`RegistryError` (with the file's line number) for an entry without a name, lead
    units or a valid 成立时间, for a number printed twice and for text it cannot place.
    """
    lines = text.splitlines()
    title = ""
    index = 0
    while index < len(lines) and not _clean_line(lines[index]):
        index += 1
    if index < len(lines):
        heading = _clean_line(lines[index]).lstrip("#").strip()
        if not _NUMBER.fullmatch(heading):
            title = _clean(_APPENDIX_LABEL.sub("", heading))
            _check_length(title, "communities.Registry.title", "汇总表的名称", first_line + index)
            index += 1

    drafts: list[_Draft] = []
    draft: _Draft | None = None
    source = ""
    published: datetime.date | None = None
    seen: dict[int, int] = {}

    for offset in range(index, len(lines)):
        line_no = first_line + offset
        line = _clean_line(lines[offset])
        if not line:
            continue
        if _NUMBER.fullmatch(line):
            number = int(line)
            if number < 1:
                raise RegistryError(f"序号 {line} 不合理。", line_no)
            if number in seen:
                raise RegistryError(f"序号 {number} 重复（第 {seen[number]} 行已有）。", line_no)
            seen[number] = line_no
            draft = _Draft(number=number, line=line_no)
            drafts.append(draft)
            continue
        label = _LABEL.fullmatch(line)
        key, value = (label.group(1), label.group(2)) if label else ("", line)
        if key == "资料来源":
            source = _check_length(
                _fold_spaces(value), "communities.Registry.source", "资料来源", line_no
            )
            draft = None  # provenance closes the list: nothing after it belongs to an entry
        elif key == "发布日期":
            published = _parse_date(value, line_no)
            draft = None
        elif draft is None:
            raise RegistryError(f"无法识别的内容“{line[:30]}”：此处应为条目序号。", line_no)
        elif key == "牵头单位":
            if draft.lead_parts is not None:
                raise RegistryError(f"第 {draft.number} 条有两处牵头单位。", line_no)
            draft.lead_parts = [value]
            draft.lead_line = line_no
        elif key == "成立时间":
            if draft.founded is not None:
                raise RegistryError(f"第 {draft.number} 条有两处成立时间。", line_no)
            draft.founded = _parse_year_month(value, line_no)
        elif draft.founded is not None:
            raise RegistryError(
                f"第 {draft.number} 条成立时间之后有无法识别的内容“{line[:30]}”。", line_no
            )
        elif draft.lead_parts is not None:
            draft.lead_parts.append(line)  # the list wraps onto this line (even mid-name)
        else:
            draft.name_line = draft.name_line or line_no
            draft.name_parts.append(line)  # the name (a long one may wrap)

    if not drafts:
        raise RegistryError("汇总表中没有找到任何条目。", first_line)
    entries = [_finish(d) for d in drafts]
    names = Counter(e.name for e in entries)
    entries = [
        replace(e, flags=(*e.flags, FLAG_DUPLICATE_NAME)) if names[e.name] > 1 else e
        for e in entries
    ]
    return RegistryDoc(
        title=title,
        entries=tuple(sorted(entries, key=lambda e: e.number)),
        source=source,
        published=published,
    )


def find_registry(text: str) -> tuple[str, int] | None:
    """Locate the appendix in a whole issue: ``(text from its heading on, heading's line number)``.

    The 目录 line naming the appendix ends in a tab and a page number and is skipped, and so is
    a sentence that mentions the table; the last matching heading wins.
    """
    lines = text.splitlines()
    found: int | None = None
    for i, raw in enumerate(lines):
        line = _clean_line(raw)
        if (
            len(line) <= _HEADING_MAX
            and _REGISTRY_HEADING.match(line)
            and not re.search(r"\s\d+$", line)
            and not line.endswith(("。", "，", "；", "："))
        ):
            found = i
    if found is None:
        return None
    return "\n".join(lines[found:]), found + 1
