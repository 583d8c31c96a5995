"""Published pages are served from the cache to anonymous readers, and never once stale: every
way content changes retires them, scheduled items appear on time, drafts and names never leak."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.db.models import Case, When
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.conflicts import find_conflict
from articles.models import Article
from articles.publishing import set_status
from communities.models import Community, Organization, Registry
from core.changes import content_change
from core.models import ContentGeneration
from core.pagecache import ACCOUNT, HEADER, current_token, published_page
from core.publishing import Status
from importer.load import import_issue
from issues.models import Issue
from search.indexing import reindex_all
from tests.conftest import admin_form_data
from tests.seeds import ISSUE_01, seed_text

pytestmark = pytest.mark.django_db

ARTICLE = {"issue__number": 2, "number": "1.1.1"}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _cached(client, url: str) -> str:
    """The page, after checking the second anonymous request is answered from the cache."""
    _page(client, url)
    response = client.get(url)
    assert response[HEADER] == "hit", url
    return response.content.decode()


def test_second_request_is_served_from_the_cache_with_one_query(client, django_assert_num_queries):
    url = reverse("communities:list")
    first = client.get(url)
    assert first[HEADER] == "miss"
    with django_assert_num_queries(1):  # the content token
        second = client.get(url)
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The headers added around the view are there on a hit too.
    assert second["X-Frame-Options"] == first["X-Frame-Options"]
    assert "Content-Security-Policy" in second


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/issues/",
        "/issues/2024/2/",
        "/articles/2024/2/1.1.1/",
        "/articles/",
        "/communities/",
        "/communities/?industry=&page=2",
        "/search/?q=产教融合",
        "/articles/feed/",
        "/sitemap.xml",
    ],
)
def test_published_pages_are_cached(client, url):
    assert _cached(client, url) == _page(client, url)


def test_query_strings_are_pages_of_their_own(client):
    one = _cached(client, "/search/?q=产教融合")
    other = _cached(client, "/search/?q=职业教育")
    assert one != other


def test_head_is_answered_from_the_cache(client):
    _page(client, "/")
    response = client.head("/")
    assert response.status_code == 200 and response[HEADER] == "hit"


def test_staff_get_their_own_pages_and_leave_nothing_behind(client, editor):
    issue = Issue.objects.get(year=2024, number=1)
    issue.status = Status.DRAFT
    issue.save()
    client.force_login(editor)
    _page(client, "/")
    preview = client.get(issue.get_absolute_url())
    assert "预览" in preview.content.decode() and HEADER not in preview
    home = client.get("/")
    assert "editor" in home.content.decode() and HEADER not in home
    client.logout()
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "editor" not in _cached(client, "/")


def test_a_teacher_gets_the_shared_page_with_their_own_account_area(client, teacher):
    anonymous = _cached(client, "/issues/2024/2/")
    client.force_login(teacher)
    response = client.get("/issues/2024/2/")
    assert response[HEADER] == "hit"
    mine = response.content.decode()
    assert '<span class="who">teacher</span>' in mine and "登录</a>" not in mine
    # Everything but the account area is the page everybody gets.
    assert ACCOUNT.sub(b"", mine.encode()) == ACCOUNT.sub(b"", anonymous.encode())
    client.logout()
    assert "teacher" not in _page(client, "/issues/2024/2/")


def test_a_teacher_first_to_ask_stores_the_page_as_anyone_sees_it(client, teacher):
    client.force_login(teacher)
    assert client.get("/")[HEADER] == "miss"
    client.logout()
    page = client.get("/")
    assert page[HEADER] == "hit" and "teacher" not in page.content.decode()


def test_the_logout_form_on_a_cached_page_carries_a_valid_csrf_token(teacher):
    browser = Client(enforce_csrf_checks=True)
    _cached(browser, "/")
    browser.force_login(teacher)
    page = browser.get("/")
    assert page[HEADER] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 200
    assert "_auth_user_id" not in browser.session


def test_a_closed_site_serves_nothing_from_the_cache_to_outsiders(client, settings):
    _cached(client, "/")
    settings.ZHIJIAO_REQUIRE_LOGIN = True
    response = client.get("/")
    assert response.status_code == 302 and HEADER not in response


def test_a_change_from_another_process_retires_the_pages(client):
    url = reverse("issues:home")
    _cached(client, url)
    # What a save on another machine does: only the row in the shared database changes.
    ContentGeneration.objects.update(token="from-another-process")
    assert client.get(url)[HEADER] == "miss"


def test_admin_edit_shows_at_once(client, editor):
    article = Article.objects.get(**ARTICLE)
    url = article.get_absolute_url()
    assert "改过的标题" not in _cached(client, url)
    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(client, change) | {"title": "改过的标题", "toc_title": "改过的标题"}
    assert client.post(change, data).status_code == 302
    client.logout()
    assert "改过的标题" in _page(client, url)
    assert "改过的标题" in _page(client, article.issue.get_absolute_url())


def test_unpublishing_an_issue_removes_it_at_once(client, chief):
    issue = Issue.objects.get(year=2024, number=2)
    article = issue.articles.get(number="1.1.1")
    for url in (issue.get_absolute_url(), article.get_absolute_url(), "/issues/"):
        _cached(client, url)
    client.force_login(chief)
    client.post(
        reverse("admin:issues_issue_changelist"),
        {"action": "unpublish", "_selected_action": [issue.pk]},
    )
    client.logout()
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert client.get(article.get_absolute_url()).status_code == 404
    assert issue.get_absolute_url() not in _page(client, "/issues/")


def test_reading_changes_nothing(client, editor):
    """Only changes retire pages: browsing, searching and previewing write no content."""
    token = current_token()
    for url in ("/", "/issues/2024/2/", "/articles/2024/2/1.1.1/", "/search/?q=职教"):
        _page(client, url)
    client.force_login(editor)
    for url in ("/", "/issues/2024/2/", reverse("admin:articles_article_changelist")):
        _page(client, url)
    assert current_token() == token


def _rename_community() -> tuple[str, str]:
    community = Community.objects.get(number=1)
    community.name = "改名后的共同体"
    community.save()
    return reverse("communities:list") + "?q=&page=1", community.name


def _rename_organization() -> tuple[str, str]:
    organization = Organization.objects.filter(lead_unit_links__community__number=1).first()
    organization.name = "改名后的牵头单位"
    organization.save()
    return reverse("communities:detail", args=[1]), organization.name


def _correct_registry_source() -> tuple[str, str]:
    # Nothing searchable changes: only the signal on the registry's own save retires the page.
    registry = Registry.objects.get()
    registry.source = "教育部办公厅（更正）"
    registry.save()
    return reverse("communities:list"), registry.source


def _rename_tag() -> tuple[str, str]:
    article = Article.objects.get(**ARTICLE)
    tag = article.tags.first()
    tag.name = "改名后的标签"
    tag.save()
    return article.get_absolute_url(), tag.name


def _tag_article() -> tuple[str, str]:
    article = Article.objects.get(**ARTICLE)
    article.tags.add("新加的标签")
    return article.get_absolute_url(), "新加的标签"


def _delete_tag() -> tuple[str, str]:
    article = Article.objects.get(**ARTICLE)
    tag = article.tags.first()
    link = reverse("articles:tag", args=[tag.slug])
    Tag.objects.filter(pk=tag.pk).delete()
    return article.get_absolute_url(), f"!{link}"


def _schedule_issue() -> tuple[str, str]:
    issue = Issue.objects.get(year=2024, number=2)
    issue.published_at = timezone.now() + timedelta(days=1)
    issue.save()
    return reverse("issues:archive"), f"!{issue.get_absolute_url()}"


def _bulk_write_in_a_unit() -> tuple[str, str]:
    # QuerySet.update sends no signal: the unit is told what was written, and the mentions follow.
    article = Article.objects.get(**ARTICLE)
    community = Community.objects.order_by("number").first()
    with content_change() as change:
        Article.objects.filter(pk=article.pk).update(body=article.body + f"<p>{community.name}</p>")
        change.add(Article, [article.pk])
    return reverse("communities:detail", args=[community.number]), article.title


def _reimport_changed_file() -> tuple[str, str]:
    # A whole issue rewritten in one transaction, through the importer.
    issue = Issue.objects.get(year=2024, number=1)
    title = issue.articles.order_by("position").first().toc_title
    text = seed_text(ISSUE_01).replace(title, title + "（修订）")
    import_issue(text=text, publish=True, replace=True)
    return issue.get_absolute_url(), title + "（修订）"


@pytest.mark.parametrize(
    "change",
    [
        _rename_community,
        _rename_organization,
        _correct_registry_source,
        _rename_tag,
        _tag_article,
        _delete_tag,
        _schedule_issue,
        _bulk_write_in_a_unit,
        _reimport_changed_file,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_every_kind_of_change_shows_at_once(client, change):
    for url in ("/", "/issues/", "/communities/", "/articles/2024/2/1.1.1/"):
        _cached(client, url)
    token = current_token()
    url, expected = change()
    assert current_token() != token
    page = _page(client, url)
    if expected.startswith("!"):
        assert expected[1:] not in page
    else:
        assert expected in page


def _asked_when_next(queries) -> int:
    """How many of the captured queries asked when the next scheduled item is due."""
    return sum(" UNION " in q["sql"] and "published_at" in q["sql"] for q in queries)


def test_a_scheduled_article_appears_on_time_on_a_cached_page(client):
    """No write happens when a scheduled item's time comes: the page must not outlive it. When
    the next item is due is asked once per content token in a process, not again for every page
    rendered under it."""
    article = Article.objects.get(**ARTICLE)
    pages = [article.issue.get_absolute_url(), reverse("issues:archive"), reverse("issues:home")]
    with CaptureQueriesContext(connection) as queries:
        for url in pages:
            assert client.get(url)[HEADER] == "miss"
    assert _asked_when_next(queries.captured_queries) == 1
    # A change can schedule something: under the new token it is asked again, and the page
    # rendered then is kept only until the newly scheduled article is due.
    article.published_at = timezone.now() + timedelta(seconds=2)
    article.save()
    issue_page, home = pages[0], pages[2]
    with CaptureQueriesContext(connection) as queries:
        for url in (issue_page, home):  # both kept, each only until the article is due
            assert article.get_absolute_url() not in _cached(client, url)
    assert _asked_when_next(queries.captured_queries) == 1
    time.sleep(2.5)
    # Its time has come: the kept answer is past, so it is asked again, and both pages show it.
    with CaptureQueriesContext(connection) as queries:
        for url in (issue_page, home):
            assert article.get_absolute_url() in _page(client, url)
    assert _asked_when_next(queries.captured_queries) == 1


@pytest.mark.parametrize(
    "url",
    [
        reverse("communities:list"),  # the page's token and the registry's (core/kept.py)
        reverse("articles:detail", args=[2024, 2, "1.1.1"]),  # and the related-articles archive
    ],
)
def test_a_rendered_page_reads_the_tokens_in_one_query(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url)[HEADER] == "miss"
    token_reads = [q for q in queries.captured_queries if "contentgeneration" in q["sql"]]
    assert len(token_reads) == 1, [q["sql"] for q in token_reads]


def test_rebuilding_the_index_replaces_the_token_once():
    with CaptureQueriesContext(connection) as queries:
        counts = reindex_all()
    token_writes = [q for q in queries.captured_queries if "contentgeneration" in q["sql"]]
    assert sum(counts.values()) > 500  # the articles, the 500 communities, their organisations
    assert len(token_writes) == 1


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite's IMMEDIATE transactions take turns before any row is read",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeds_afterwards")
def test_an_edit_and_a_publish_action_on_the_same_article_take_turns():
    """An editor's save (which locks the article) and a 主编 publishing [another, that article]
    take turns on the article and neither loses its write: the token is each unit's last lock
    (docs/architecture.md), so it is never held while waiting for a row."""
    article = Article.objects.get(**ARTICLE)
    other = Article.objects.filter(issue=article.issue).exclude(pk=article.pk).first()
    locked, failures = threading.Event(), []

    def editor() -> None:
        try:
            with content_change():
                assert find_conflict(article.pk, base_version=article.version) is None
                locked.set()
                time.sleep(0.5)  # the 主编's action starts meanwhile
                mine = Article.objects.get(pk=article.pk)
                mine.title = "编辑改过的标题"
                mine.save()
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            locked.set()
            connections.close_all()

    def chief() -> None:
        try:
            locked.wait(10)
            first = Case(When(pk=other.pk, then=0), default=1)  # the other article first
            objects = Article.objects.filter(pk__in=[other.pk, article.pk]).order_by(first)
            set_status(objects=objects, status=Status.REVIEW)
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=editor), threading.Thread(target=chief)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    article.refresh_from_db()
    assert article.title == "编辑改过的标题" and article.status == Status.REVIEW


def test_a_page_that_uses_its_csp_nonce_is_not_stored(rf):
    @published_page
    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    request = rf.get("/a-page-with-a-script/")
    request.user = AnonymousUser()
    CSPMiddleware(lambda r: HttpResponse()).process_request(request)
    assert HEADER not in view(request)
    again = rf.get("/a-page-with-a-script/")
    again.user = AnonymousUser()
    CSPMiddleware(lambda r: HttpResponse()).process_request(again)
    assert HEADER not in view(again)
