"""发布前检查: what a 主编 should look at before publishing an issue. Warnings, never blocks:
each names one article, section or the issue, and links to its admin page to fix it.

The checks read the issue once and judge plain values (:func:`uncaptioned_images`,
:func:`missing_numbers` and :func:`out_of_order` take no database). Likely duplicates need the
素材库's measure, which lives above this package: the caller passes the module
(sources/similar.py) in.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Protocol

from django.db import models
from django.urls import reverse

from articles.models import Article
from core.text import html_to_text
from issues.models import Issue, Section


class Kind(models.TextChoices):
    """In the order the list shows them."""

    NOTES = "notes", "说明为空"
    SOURCE = "source", "缺信息来源或发布日期"
    TAGS = "tags", "没有标签"
    BODY = "body", "正文为空"
    IMAGE = "image", "图片没有图注"
    DUPLICATE = "duplicate", "可能重复"
    SECTION = "section", "栏目没有文章"
    NUMBERING = "numbering", "编号问题"


@dataclass(frozen=True)
class PrepublishWarning:
    kind: Kind
    message: str
    url: str  # the admin change page of what to fix

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


class Match(Protocol):
    key: Hashable
    overlap: float

    @property
    def likely_excerpted(self) -> bool: ...


class TextIndex(Protocol):
    def matches(self, value: Any, *, limit: int = ...) -> Sequence[Match]: ...


class Measure(Protocol):
    """What the duplicate check needs of sources.similar (a module)."""

    def fingerprint(self, text: str) -> Any: ...

    def Index(self, entries: Iterable[tuple[Hashable, Any]]) -> TextIndex: ...


def prepublish_warnings(issue: Issue, *, similar: Measure | None = None) -> list[PrepublishWarning]:
    """Everything worth a look in ``issue``, grouped by :class:`Kind`, in print order within each.

    ``similar``: the near-duplicate measure (the module sources.similar); without it, likely
    duplicates are not looked for."""
    articles = list(
        issue.articles.order_by("position", "pk").prefetch_related("tags").select_related("issue")
    )
    sections = list(issue.sections.order_by("position", "pk"))
    found: list[PrepublishWarning] = []
    if not issue.notes.strip():
        found.append(
            PrepublishWarning(
                Kind.NOTES,
                f"{issue.label}的“《职教通讯》说明”为空。",
                reverse("admin:issues_issue_change", args=[issue.pk]),
            )
        )
    for article in articles:
        found += _article_warnings(article)
    if similar is not None:
        found += _duplicates(issue, articles, similar)
    found += _empty_sections(sections, articles)
    found += _numbering(issue, sections, articles)
    order = list(Kind)
    return sorted(found, key=lambda w: order.index(w.kind))  # stable: print order stays


def _article_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _section_url(section: Section) -> str:
    return reverse("admin:issues_section_change", args=[section.pk])


def _name(article: Article) -> str:
    return f"{article.number}《{article.title}》"


def _article_warnings(article: Article) -> list[PrepublishWarning]:
    url = _article_url(article)
    found = []
    missing = [
        label
        for label, value in (
            ("信息来源", article.source_name.strip()),
            ("发布日期", article.source_date),
        )
        if not value
    ]
    if missing:
        found.append(
            PrepublishWarning(Kind.SOURCE, f"{_name(article)}缺{'和'.join(missing)}。", url)
        )
    if not article.tags.all():
        found.append(PrepublishWarning(Kind.TAGS, f"{_name(article)}没有标签。", url))
    images, uncaptioned = uncaptioned_images(article.body)
    if not images and not html_to_text(article.body).strip():
        found.append(PrepublishWarning(Kind.BODY, f"{_name(article)}的正文为空。", url))
    if uncaptioned:
        found.append(
            PrepublishWarning(
                Kind.IMAGE,
                f"{_name(article)}有 {uncaptioned} 张图片没有图注"
                "（图片应放在带非空图注 figcaption 的 figure 中）。",
                url,
            )
        )
    return found


class _Figures(HTMLParser):
    """Counts <img>, and those not inside a <figure> whose <figcaption> has text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images = 0
        self.uncaptioned = 0
        # Per open <figure>: its images so far, and whether its caption has text.
        self.figures: list[list] = []
        self.in_caption = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "figure":
            self.figures.append([0, False])
        elif tag == "figcaption" and self.figures:
            self.in_caption += 1
        elif tag == "img":
            self.images += 1
            if self.figures:
                self.figures[-1][0] += 1
            else:
                self.uncaptioned += 1

    def handle_endtag(self, tag) -> None:
        if tag == "figure" and self.figures:
            self._close()
        elif tag == "figcaption" and self.in_caption:
            self.in_caption -= 1

    def handle_data(self, data) -> None:
        if self.in_caption and data.strip() and self.figures:
            self.figures[-1][1] = True

    def _close(self) -> None:
        images, captioned = self.figures.pop()
        if not captioned:
            self.uncaptioned += images

    def close(self) -> None:
        super().close()
        while self.figures:  # an unclosed <figure>
            self._close()


def uncaptioned_images(html: str) -> tuple[int, int]:
    """(images, images without a caption) in body HTML."""
    parser = _Figures()
    parser.feed(html or "")
    parser.close()
    return parser.images, parser.uncaptioned


# Fingerprinting the whole archive is most of the check's time, and the archive barely changes:
# kept per process, by text, so an edited article is fingerprinted again.
@functools.lru_cache(maxsize=8192)
def _fingerprint(similar: Measure, title: str, subtitle: str, body: str) -> Any:
    return similar.fingerprint("\n".join([title, subtitle, html_to_text(body)]))


def _duplicates(issue: Issue, articles: list[Article], similar: Measure) -> list[PrepublishWarning]:
    """Articles of ``issue`` that another article (of any issue) likely repeats."""
    others = {a.pk: a for a in articles}
    others |= {
        a.pk: a
        for a in Article.objects.exclude(issue=issue)
        .select_related("issue")
        .only("title", "subtitle", "body", "number", "issue__year", "issue__number")
    }
    prints = {pk: _fingerprint(similar, a.title, a.subtitle, a.body) for pk, a in others.items()}
    index = similar.Index(prints.items())
    found = []
    reported: set[frozenset[int]] = set()
    for article in articles:
        for match in index.matches(prints[article.pk], limit=4):
            pair = frozenset((article.pk, match.key))
            if match.key == article.pk or not match.likely_excerpted or pair in reported:
                continue
            reported.add(pair)
            other = others[match.key]
            where = "本期" if other.issue_id == issue.pk else other.issue.label
            found.append(
                PrepublishWarning(
                    Kind.DUPLICATE,
                    f"{_name(article)}与{where}的{_name(other)}内容重合 "
                    f"{round(match.overlap * 100)}%，可能重复收录。",
                    _article_url(article),
                )
            )
    return found


def _empty_sections(sections: list[Section], articles: list[Article]) -> list[PrepublishWarning]:
    """Sections with neither articles nor subsections (a parent of empty ones is not named)."""
    used = {a.section_id for a in articles}
    parents = {s.parent_id for s in sections}
    return [
        PrepublishWarning(Kind.SECTION, f"栏目 {s.number} {s.title} 没有文章。", _section_url(s))
        for s in sections
        if s.pk not in used and s.pk not in parents
    ]


def missing_numbers(numbers: Iterable[str]) -> list[str]:
    """The numbers missing among siblings: 1.1.3 when 1.1.1, 1.1.2 and 1.1.4 are there."""
    places: dict[str, set[int]] = {}
    for number in numbers:
        parent, _, last = number.rpartition(".")
        if last.isdigit():
            places.setdefault(parent, set()).add(int(last))
    return [
        _join(parent, n)
        for parent, seen in places.items()
        for n in range(1, max(seen) + 1)
        if n not in seen
    ]


def out_of_order(numbers: Iterable[str]) -> list[tuple[str, str]]:
    """For numbers in print order: (number, the higher sibling printed before it)."""
    highest: dict[str, int] = {}
    found = []
    for number in numbers:
        parent, _, last = number.rpartition(".")
        if not last.isdigit():
            continue
        if parent in highest and int(last) < highest[parent]:
            found.append((number, _join(parent, highest[parent])))
        highest[parent] = max(highest.get(parent, 0), int(last))
    return found


def _join(parent: str, place: int) -> str:
    return f"{parent}.{place}" if parent else str(place)


def _numbering(
    issue: Issue, sections: list[Section], articles: list[Article]
) -> list[PrepublishWarning]:
    issue_url = reverse("admin:issues_issue_change", args=[issue.pk])
    by_number = {s.number: _section_url(s) for s in sections}
    by_number |= {a.number: _article_url(a) for a in articles}
    section_numbers = [s.number for s in sections]
    article_numbers = [a.number for a in articles]
    # A section's articles and subsections share its numbers (3.1 an article, 3.4 a section);
    # print order is compared within each kind, their positions being counted apart.
    missing = missing_numbers(section_numbers + article_numbers)
    swapped = out_of_order(section_numbers) + out_of_order(article_numbers)
    fix = "（可用“按顺序重新编号”操作修正）"
    found = []
    for number in missing:
        parent = number.rpartition(".")[0]
        found.append(
            PrepublishWarning(
                Kind.NUMBERING,
                f"缺少编号 {number}{fix}。",
                by_number.get(parent, issue_url),
            )
        )
    for number, before in swapped:
        found.append(
            PrepublishWarning(
                Kind.NUMBERING,
                f"{number} 印在 {before} 之后，编号与印刷顺序不一致{fix}。",
                by_number[number],
            )
        )
    sections_by_pk = {s.pk: s for s in sections}
    for article in articles:
        section = sections_by_pk.get(article.section_id)
        if section and article.number.rpartition(".")[0] != section.number:
            found.append(
                PrepublishWarning(
                    Kind.NUMBERING,
                    f"{_name(article)}的编号与所在栏目 {section.number} 不符{fix}。",
                    _article_url(article),
                )
            )
    return found
