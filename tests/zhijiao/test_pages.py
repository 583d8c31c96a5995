"""Safety net: every named URL (but the admin's) answers for every role allowed to see it, and each
HTML page has exactly one <h1>, lang="zh-CN" and the search box. Also sitemap.xml."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from articles.models import Article, Attachment
from communities.models import Community, Organization
from core.publishing import Status
from issues.models import Issue
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "teacher", "editor", "chief"]
# Need a login (anonymous visitors are sent to it); everything else is public.
LOGIN_ONLY = {"password_change", "password_change_done"}
POST_ONLY = {"logout"}


def _named_urls(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from _named_urls(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _samples() -> dict[str, dict]:
    """Arguments for every named URL that takes some, from the imported seeds."""
    article = (
        Article.objects.published()
        .select_related("issue")
        .get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    )
    if not article.tags.exists():
        article.tags.add("产教融合")
    issue = {"year": 2024, "number": 2}
    organization = Organization.objects.filter(communities__number=SEED_COMMUNITY).first()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    attachment = Attachment.objects.create(
        article=article, file=SimpleUploadedFile("a.png", png), title="图"
    )
    return {
        "issues:detail": issue,
        "articles:detail": {**issue, "article": article.number},
        "articles:section": {"title": article.section.title},
        "articles:source": {"source": "中国教育报"},
        "articles:place": {"place": "广州"},
        "articles:tag": {"slug": article.tags.first().slug},
        "communities:detail": {"number": SEED_COMMUNITY},
        "communities:organization": {"pk": organization.pk},
        "api:issue": issue,
        "api:article": {"pk": article.pk},
        "api:community": {"number": SEED_COMMUNITY},
        "api:organization": {"pk": organization.pk},
        "articles:attachment": {"pk": attachment.pk},
        "pdf:issue": issue,
        "pdf:print": issue,
        "pdf:article": {**issue, "article": article.number},
        "articles:cite-ris": {**issue, "article": article.number},
        "articles:wechat": {**issue, "article": article.number},
        "issues:wechat": issue,
        "articles:cite-bib": {**issue, "article": article.number},
    }


NAMES = sorted(name for name in _named_urls() if not name.startswith("admin:"))


def _login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


@pytest.mark.usefixtures("typeset_once")  # the PDFs are served, their layout is tested elsewhere
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NAMES)
def test_every_named_url_renders_with_one_h1(client, request, role, name):
    _login(client, request, role)
    samples = _samples()
    kwargs = samples.get(name, {})
    url = reverse(name, kwargs=kwargs)  # a name missing from _samples fails here: add it
    response = client.post(url) if name in POST_ONLY else client.get(url)
    if name in LOGIN_ONLY and role == "anonymous":
        assert response.status_code == 302
        return
    if name == "favicon":  # to the static file
        assert response.status_code == 302 and response["Location"].startswith("/static/")
        return
    assert response.status_code == 200, (name, role, response.status_code)
    if not response.get("Content-Type", "").startswith("text/html") or name == "api:docs":
        return  # JSON, XML, CSV, PDF; Swagger UI draws its page with JavaScript
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1, (name, role)
    if name.split(":")[0] in {"issues", "articles", "communities", "search"} or name == "login":
        assert '<html lang="zh-CN">' in html
        assert re.search(r'<form[^>]*role="search"[^>]*action="[^"]*"', html)
        assert '<input id="q" name="q" type="search"' in html
        # One search landmark, labelled (the search page's own form replaces the header's).
        assert len(re.findall(r'<form[^>]*role="search" aria-label="[^"]+"', html)) == 1
        assert html.count('role="search"') == 1


@pytest.mark.parametrize(
    "name",
    [n for n in NAMES if n.split(":")[0] in {"issues", "articles", "communities"}],
)
def test_headings_are_in_order(client, name):
    response = client.get(reverse(name, kwargs=_samples().get(name, {})))
    if not response["Content-Type"].startswith("text/html"):
        return
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", response.content.decode())]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (name, levels)


def _sitemap_urls(client) -> set[str]:
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    tree = ET.fromstring(response.content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return {loc.text.split("://", 1)[1].split("/", 1)[1] for loc in tree.iter(f"{ns}loc")}


def test_sitemap_lists_published_pages(client):
    paths = _sitemap_urls(client)
    for issue in Issue.objects.published():
        assert issue.get_absolute_url().lstrip("/") in paths
    articles = Article.objects.published().select_related("issue")
    assert {a.get_absolute_url().lstrip("/") for a in articles} <= paths
    assert Community.objects.get(number=SEED_COMMUNITY).get_absolute_url().lstrip("/") in paths


def test_draft_is_not_in_sitemap(client):
    draft = Article.objects.select_related("issue").get(
        issue__year=2024, issue__number=2, number="1.1.1"
    )
    draft.status = Status.DRAFT
    draft.save()
    issue = Issue.objects.get(year=2024, number=1)
    issue.status = Status.DRAFT
    issue.save()
    paths = _sitemap_urls(client)
    assert draft.get_absolute_url().lstrip("/") not in paths
    assert issue.get_absolute_url().lstrip("/") not in paths
    assert not any(p.startswith("articles/2024/1/") for p in paths)


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/没有这个页面/", 404, "页面不存在"), ("/articles/2024/2/9.9.9/", 404, "页面不存在")],
)
def test_error_pages_are_in_chinese(client, path, status, heading):
    response = client.get(path)
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_a_refusal_in_the_admin_says_why_in_chinese(client, editor):
    from articles.models import Article

    client.force_login(editor)
    article = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.1")
    response = client.get(reverse("admin:articles_article_delete", args=[article.pk]))
    assert response.status_code == 403
    assert "<h1>没有权限</h1>" in response.content.decode() and "主编" in response.content.decode()


def test_a_request_too_large_says_so_in_chinese(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 400
    assert "<h1>请求无法处理</h1>" in response.content.decode()
