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
from dataclasses import dataclass, replace

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


class RegistryError(ValueError):
    """The appendix text cannot be read; ``line`` is the 1-based line in the whole file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"第 {line} 行：{message}" if line is not None else message)


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
# artefact: "2023 年 11 月", "全国 AI 设计", "洛阳 LYC 轴承有限公司".
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]")
# "（下称“广外艺”）": the article's own abbreviation, not part of the organisation's name.
_ALIAS_NOTE = re.compile(r"\s*[（(]\s*(?:以下简称|下称|简称)[^（）()]*[）)]")
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


def _fold_spaces(text: str) -> str:
    text = _SPACE_NEXT_TO_CJK.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


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
_ROLE_SUFFIX = re.compile(r"\s*(?:共同牵头|联合牵头|牵头|指导|等)$")


def _core(name: str) -> str:
    """The name without trailing bracketed qualifiers: 中国地质大学（武汉） → 中国地质大学."""
    name = name.strip()
    while True:
        trimmed = re.sub(r"[（(][^（）()]*[）)]$", "", name).strip()
        if trimmed == name:
            return name
        name = trimmed


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
    """
    for match in _CONNECTOR.finditer(item):
        left, right = item[: match.start()].strip(), item[match.end() :].strip()
        if not left or not right or not looks_complete_org(_tidy_item(left)):
            continue
        rest = _split_connected(right)
        if all(looks_complete_org(_tidy_item(part)) for part in rest):
            return [left, *rest]
    return [item]


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
_APPENDIX_LABEL = re.compile(r"^附\s*录\s*[一二三四五六七八九十\d]*\s*[：:]\s*")
_HEADING_MAX = 80
_REGISTRY_HEADING = re.compile(r"^[#\s*]*(?:附\s*录[^：:]*[：:])?[^\t]*共同体成立汇总表[^\t]*$")


@dataclass
class _Draft:
    number: int
    line: int
    name: str = ""
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
    if not draft.name:
        raise RegistryError(f"第 {draft.number} 条没有共同体名称。", draft.line)
    lead_text = "".join(draft.lead_parts or []).strip()
    lead_units = split_lead_units(lead_text)
    if not lead_units:
        raise RegistryError(f"第 {draft.number} 条没有牵头单位。", draft.lead_line or draft.line)
    if draft.founded is None:
        raise RegistryError(f"第 {draft.number} 条缺少成立时间。", draft.line)
    flags: list[str] = []
    if any(_looks_truncated(u) for u in lead_units):
        flags.append(FLAG_TRUNCATED)
    if lead_text.endswith(tuple(_TOP_SEPARATORS)):
        flags.append(FLAG_DANGLING_SEPARATOR)
    name = normalize_name(draft.name)
    if name != normalize_org_name(draft.name):
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
            source = _fold_spaces(value)
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
            draft.name += line  # the name (a long one may wrap)

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
            _REGISTRY_HEADING.match(line)
            and len(line) <= _HEADING_MAX
            and not re.search(r"\s\d+$", line)
            and not line.endswith(("。", "，", "；", "："))
        ):
            found = i
    if found is None:
        return None
    return "\n".join(lines[found:]), found + 1
