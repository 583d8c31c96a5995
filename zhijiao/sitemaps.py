"""sitemap.xml: the public pages, read through the same ``published()`` querysets as the pages."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["issues:home", "issues:archive", "articles:index", "communities:list"]

    def location(self, item: str) -> str:
        return reverse(item)


class IssuesSitemap(Sitemap):
    def items(self):
        return Issue.objects.published().order_by("-year", "-number")

    def lastmod(self, issue: Issue):
        return issue.updated_at


class ArticlesSitemap(Sitemap):
    def items(self):
        return Article.objects.published().select_related("issue").order_by("pk")

    def lastmod(self, article: Article):
        return article.updated_at


class CommunitiesSitemap(Sitemap):
    def items(self):
        return Community.objects.order_by("number")


class OrganizationsSitemap(Sitemap):
    def items(self):
        return Organization.objects.order_by("pk")


SITEMAPS = {
    "pages": PagesSitemap,
    "issues": IssuesSitemap,
    "articles": ArticlesSitemap,
    "communities": CommunitiesSitemap,
    "organizations": OrganizationsSitemap,
}
