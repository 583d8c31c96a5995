"""The Atom feed of newly published articles, and the "newest articles" the home page lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from articles.models import Article, article_url, outlet_of
from core.links import Linked
from core.text import html_to_text
from issues.archive import issue_date
from issues.models import issue_label

FEED_LENGTH = 30


def newest_articles(limit: int) -> QuerySet:
    """Published articles, the most recently published first.

    An article published on its own has its own time; one published with its issue has the
    issue's. Where neither was scheduled (published at import) the printed order decides:
    newest issue first, then as printed.
    """
    return (
        Article.objects.published()
        .annotate(published_on=Coalesce("published_at", "issue__published_at"))
        .select_related("issue", "section")
        .order_by(
            F("published_on").desc(nulls_last=True),
            "-issue__year",
            "-issue__number",
            "position",
        )[:limit]
    )


@dataclass(frozen=True)
class NewestLine(Linked):
    """An article as the home page's 最新文章 lists it, read as plain values (a list of six
    needs no model instances of articles, issues and sections)."""

    issue_label: str
    section_title: str
    title: str
    source: str  # the outlet, else the 信息来源
    url: str


def newest_lines(limit: int) -> list[NewestLine]:
    """``newest_articles(limit)`` as the home page shows them."""
    rows = newest_articles(limit).values_list(
        "issue__year",
        "issue__number",
        "section__title",
        "number",
        "title",
        "source",
        "source_kind",
        "source_name",
    )
    return [
        NewestLine(
            issue_label=issue_label(year, issue),
            section_title=section,
            title=title,
            source=outlet_of(source, kind) or source_name,
            url=article_url(year, issue, number),
        )
        for year, issue, section, number, title, source, kind, source_name in rows
    ]


def excerpt(article: Article, chars: int = 120) -> str:
    """The subtitle, else the body's beginning: its blocks apart, so that a heading does not run
    into the sentence after it."""
    text = article.subtitle or html_to_text(article.body)
    return Truncator(" ".join(text.split())).chars(chars)


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "职教通讯 · 最新文章"
    subtitle = "广州市白云工商技师学院《职教通讯》新发布的文章"
    language = "zh-CN"

    def link(self) -> str:
        return reverse("issues:home")

    def items(self):
        return newest_articles(FEED_LENGTH).prefetch_related("tags")

    def item_title(self, item: Article) -> str:
        return f"{item.number} {item.title}"

    def item_description(self, item: Article) -> str:
        return "\n".join(part for part in (excerpt(item), item.source_line) if part)

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Article) -> str:
        return item.source_name or item.outlet

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.title, *sorted(tag.name for tag in item.tags.all())]

    def item_pubdate(self, item: Article) -> datetime.datetime:
        if item.published_on:  # its own time, or its issue's
            return item.published_on
        # Published at import, with no time of its own: its issue's date, not the import's.
        return datetime.datetime.combine(
            issue_date(item.issue), datetime.time.min, tzinfo=timezone.get_current_timezone()
        )

    def item_updateddate(self, item: Article) -> datetime.datetime:
        return item.updated_at
