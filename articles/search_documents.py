"""What the search index holds of an article, and which articles a change touches: plain data
out, for the search package to write (it finds this module through
``settings.ZHIJIAO_SEARCH_DOCUMENTS``; nothing here imports search)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from articles.listings import source_key
from articles.models import Article, SourceKind, article_url
from core.documents import Document, in_order
from core.publishing import published_q, visible_from
from core.text import html_to_text

__all__ = ["ARTICLES"]


def _outlet(article: Article) -> str:
    """The 来源 facet, one value an article: the outlet label, else the 信息来源 line (a topic or
    place label is no source). 栏目与来源 lists an article under both when they differ."""
    return source_key(article.outlet or article.source_name)


class ArticleDocuments:
    kind = "article"
    text_is_body = True

    def ids(self) -> QuerySet:
        # Only what the public may see is indexed. The time part of visibility (a scheduled
        # published_at) is checked at query time instead, as visible_from. Oldest first, so that
        # the newest get the highest row ids (broad queries list those first).
        return (
            Article.objects.filter(published_q(), published_q("issue__"))
            .order_by("issue__year", "issue__number", "position", "pk")
            .values_list("pk", flat=True)
        )

    def documents(self, ids: list[int]) -> list[Document]:
        articles = (
            Article.objects.filter(published_q(), published_q("issue__"), pk__in=ids)
            .select_related("issue", "section", "section__parent")
            .prefetch_related("tags")
        )
        docs = []
        for a in articles:
            tags = sorted(t.name for t in a.tags.all())
            section = a.section
            path = [a.issue.label]
            if section.parent_id:
                path.append(f"{section.parent.number} {section.parent.title}")
            path.extend([f"{section.number} {section.title}", a.number])
            docs.append(
                Document(
                    kind=self.kind,
                    object_id=a.pk,
                    title=a.title,
                    headings=[a.title, a.subtitle, a.toc_title],
                    meta=[a.source, a.source_name, *tags],
                    body=html_to_text(a.body),
                    location=" › ".join(path),
                    number=a.number,
                    issue_year=a.issue.year,
                    issue_number=a.issue.number,
                    section=section.title,
                    source=_outlet(a),
                    place=a.source if a.source_kind == SourceKind.PLACE else "",
                    tags=tags,
                    visible_from=visible_from(a, a.issue),
                )
            )
        return in_order(ids, docs)

    def touched(self, change) -> set[int]:
        ids = set(change.ids("articles.Article"))
        ids |= {a.pk for a in change.removed("articles.Article")}
        # An issue's status and time decide whether its articles are visible; a section's title
        # is a facet and part of each location; a tag's name is in the articles that carry it.
        related = (
            Article.objects.filter(issue__in=change.ids("issues.Issue"))
            | Article.objects.filter(section__in=change.ids("issues.Section"))
            | Article.objects.filter(tags__in=change.ids("taggit.Tag"))
        )
        ids |= set(related.values_list("pk", flat=True))
        article_type = ContentType.objects.get_for_model(Article)
        ids |= {
            item.object_id
            for item in change.removed("taggit.TaggedItem")
            if item.content_type_id == article_type.pk
        }
        return ids

    def url(self, doc) -> str:
        return article_url(doc.issue_year, doc.issue_number, doc.number)


ARTICLES = ArticleDocuments()
