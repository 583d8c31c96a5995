"""引用本文: an article's reference in GB/T 7714-2015 — as printed in 职教通讯, and the original it
was excerpted (摘编) from — and the same as RIS and BibTeX for reference managers.

Pure functions of the article and the day of access; the view only renders or downloads them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from articles.models import Article

PERIODICAL = "职教通讯"
PERIODICAL_EN = "Information on Technical Vocational Education"


@dataclass(frozen=True)
class Citation:
    periodical: str  # the article as printed in 职教通讯 ([J])
    original: str | None  # the source it was excerpted from ([EB/OL]), where the article names one


def _pages(article: Article) -> str:
    if article.page_start and article.page_end and article.page_end != article.page_start:
        return f"{article.page_start}-{article.page_end}"
    return str(article.page_start or article.pdf_page or "")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "。")) else text + "."


def gbt7714(article: Article, *, accessed: datetime.date) -> Citation:
    """GB/T 7714-2015, 4.4 (连续出版物中的析出文献) and 4.8 (电子资源)."""
    issue = article.issue
    # An internal periodical has no volume: 年(期).
    where = f"{PERIODICAL}, {issue.year}({issue.number})"
    pages = _pages(article)
    author = f"{article.compiled_by}. " if article.compiled_by else ""
    periodical = _sentence(f"{author}{article.title}[J]. {where}" + (f": {pages}" if pages else ""))
    original = None
    if article.outlet or article.source_name:
        responsible = article.outlet or article.source_name
        parts = [f"{responsible}. {article.title}[EB/OL]"]
        published = f"({article.source_date.isoformat()})" if article.source_date else ""
        publisher = article.source_name if article.source_name != responsible else ""
        parts.append(", ".join(p for p in (publisher, f"{published}[{accessed.isoformat()}]") if p))
        if article.source_url:
            parts.append(article.source_url)
        original = _sentence(". ".join(parts))
    return Citation(periodical=periodical, original=original)


def ris(article: Article, *, url: str, accessed: datetime.date) -> str:
    """RIS (Research Information Systems) as EndNote, Zotero and NoteExpress read it."""
    issue = article.issue
    lines = [
        ("TY", "JOUR"),
        ("TI", article.title),
        ("T2", PERIODICAL),
        ("J2", PERIODICAL_EN),
        ("PY", str(issue.year)),
        ("IS", str(issue.number)),
        ("SP", str(article.page_start or "")),
        ("EP", str(article.page_end or "")),
        ("A2", article.compiled_by),
        ("PB", issue.publisher),
        ("UR", url),
        ("Y2", accessed.isoformat()),
        (
            "N1",
            f"摘编自：{article.source_name or article.outlet}"
            if article.source_name or article.outlet
            else "",
        ),
        ("LA", "zh-CN"),
    ]
    body = [f"{tag}  - {_one_line(value)}" for tag, value in lines if value]
    return "\r\n".join([*body, "ER  - ", ""])


def bibtex(article: Article, *, url: str, accessed: datetime.date) -> str:
    """A BibTeX @article entry (UTF-8; biblatex and modern BibTeX read Chinese as it is)."""
    issue = article.issue
    fields = [
        ("title", article.title),
        ("journal", PERIODICAL),
        ("year", str(issue.year)),
        ("number", str(issue.number)),
        ("pages", _pages(article).replace("-", "--")),
        ("editor", article.compiled_by),
        ("publisher", issue.publisher),
        ("url", url),
        ("urldate", accessed.isoformat()),
        (
            "note",
            f"摘编自{article.source_name or article.outlet}"
            if article.source_name or article.outlet
            else "",
        ),
        ("langid", "chinese"),
    ]
    key = f"zhijiao{issue.year}-{issue.number:02d}-{article.number}"
    body = ",\n".join(
        f"  {name} = {{{value if name == 'url' else _bibtex_value(value)}}}"
        for name, value in fields
        if value
    )
    return f"@article{{{key},\n{body}\n}}\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_BIBTEX_SPECIAL = re.compile(r"([{}\\&%$#_^~])")


def _bibtex_value(text: str) -> str:
    # Braces balance and TeX's specials are escaped, so a title with % or & does not break the file.
    return _BIBTEX_SPECIAL.sub(r"\\\1", _one_line(text))
