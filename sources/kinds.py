"""What a paragraph of a source document is: a title, a heading, a column mark, provenance, an
author line, a caption… — the tests :mod:`sources.parse` puts paragraphs to. Pure Python, no
Django."""

from __future__ import annotations

import re

from importer.markup import ENUMERATOR, fold_cjk_spaces
from importer.markup import Block as MarkupBlock
from importer.provenance import provenance_line
from sources.tables import fold_spaced_out

HAN = re.compile(r"[\u3400-\u9fff]")
COLUMN_MARK = re.compile(r"^[「『]\s*([^」』]{1,12}?)\s*[」』]$")
NOTE = re.compile(r"^[【\[〔]?\s*编者按\s*[】\]〕]?\s*[：:]?\s*")
LABEL = re.compile(r"^附(?:件|表|录)?\s*\d{0,2}\s*[：:]?$")
CREDIT = re.compile(r"供\s*图$|(?:摄影|图片|图)\s*[：:／/]\s*\S{1,12}$")
DATE_ONLY = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$")
DOC_NUMBER = re.compile(r"[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d+\s*号$")
# "1 组织实施…", not "6 月 12 日…" or "16 名…"
NUMBERED_HEAD = re.compile(
    r"^\d{1,2}\s+(?![月日年个所名万亿千百家项人次门倍天岁号届期批类种件条位座余多部分元])"
    r"[\u4e00-\u9fff]"
)
MINOR = re.compile(r"^(?:[（(][一二三四五六七八九十百\d]+[）)]|\d+[.、．](?!\d)|[①-⑳]|\d{1,2}\s)")
MAJOR = re.compile(r"^[一二三四五六七八九十百]+、")
BULLET = re.compile(r"^[•·▪●◆■□\-*+][ \t\u3000]+(\S.*)$")
MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$")
DOC_TYPE = re.compile(
    r"(?:通知|意见|方案|办法|措施|决定|规定|规划|计划|纲要|条例|细则|公告|通告|通报|指南|函)$"
)
AUTHOR_LABEL = re.compile(
    r"^[（(]?\s*(?:作者|文|撰稿|撰文|记者|通讯员|供稿)\s*[：:／/]\s*(.+?)\s*[）)]?$"
)
NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
DASHES = "—–－-~～ "
PAIRS = (("《", "》"), ("“", "”"), ("（", "）"), ("(", ")"), ("「", "」"))
ISSUE_ID = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,3})\s*期")
MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
PUBLISHER = re.compile(
    r"(?:主办|编印|主编单位|编辑出版)\s*[：:]\s*(\S.*)$|^(\S.*?)\s*(?:主办|编印)$"
)
SOURCE_DATE = re.compile(r"\d{4}\s*[年./-]\s*\d{1,2}(?:\s*[月./-]\s*\d{1,2}\s*日?)?\s*月?")
HEADING_MAX = 40
TITLE_MAX = 60


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def is_provenance(text: str) -> bool:
    return provenance_line(MarkupBlock("para", 0, text=text)) is not None


def enumerated(text: str) -> bool:
    return bool(ENUMERATOR.match(text) or NUMBERED_HEAD.match(text))


def bracketed(text: str) -> bool:
    return len(text) > 2 and text[0] in "（(" and text[-1] in "）)"


def title_like(text: str) -> bool:
    """Reads as a title or a plain sub-heading: short, Chinese, no sentence in it."""
    if not text or len(text) > TITLE_MAX or len(HAN.findall(text)) < 2:
        return False
    if "。" in text or "\t" in text or text[-1] in "，、；：,;:":
        return False
    return not (
        enumerated(text)
        or bracketed(text)
        or LABEL.match(text)
        or CREDIT.search(text)
        or DATE_ONLY.match(text)
        or DOC_NUMBER.search(text)
        or COLUMN_MARK.match(text)
        or BULLET.match(text)
        or NOTE.match(text)
        or is_provenance(text)
    )


def heading_like(text: str) -> bool:
    if enumerated(text):
        return (
            len(text) <= HEADING_MAX
            and "；" not in text
            and "。" not in text[:-1]
            and text[-1] not in "，、；：,;:"
        )
    return len(text) <= HEADING_MAX and title_like(text)


def ends_sentence(text: str) -> bool:
    """Ends with 。！？!?… before any closing quotes or brackets (as the regex
    ``[。！？!?…]+[”’」』）)》]*$`` says, without its quadratic search on a long run of 。)."""
    body = text.removesuffix("\n").rstrip("”’」』）)》")
    return body != "" and body[-1] in "。！？!?…"


def author_of(text: str) -> str | None:
    """The author an author line names (``（作者：章春苗）`` → 章春苗), else None."""
    labelled = AUTHOR_LABEL.match(text)
    if labelled and len(text) <= 60:
        return collapse(labelled[1])
    if bracketed(text) and len(text) <= 150:
        inner = collapse(text[1:-1])
        if NAME.match(re.split(r"[，,：:\s、]", inner, maxsplit=1)[0]):
            return inner
    return None


def unbalanced(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in PAIRS)


def title_text(text: str) -> str:
    """A title as printed, except letter spacing, and the spaces a conversion left where it
    wrapped a long title (two or more gaps between Chinese words: 002's title)."""
    text = fold_spaced_out(collapse(text))
    if len(re.findall(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", text)) >= 2:
        text = fold_cjk_spaces(text)
    return text
