"""The COUNTER rules, each on its own: what is counted, what is not, and what is never stored."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import models
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from articles.models import Article
from communities.models import Community
from core.pagecache import CACHE_ALIAS, HEADER
from issues.models import Issue
from readership import counting, items, rollup, visitors
from readership.models import DailyCount, DailySalt, DailySearch, Event, Kind
from readership.robots import is_robot
from tests.readership.conftest import BROWSER
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

pytestmark = pytest.mark.django_db


def _article() -> Article:
    return Article.objects.select_related("issue").get(
        issue__year=2024, issue__number=2, number=SEED_ARTICLE
    )


def _views(kind: str, object_id: int | None = None) -> tuple[int, int]:
    rows = DailyCount.objects.filter(kind=kind)
    if object_id is not None:
        rows = rows.filter(object_id=object_id)
    return sum(r.views for r in rows), sum(r.readers for r in rows)


def test_an_article_page_is_counted_with_its_row(reader):
    article = _article()
    assert reader.get(article.get_absolute_url()).status_code == 200
    event = Event.objects.get()
    assert (event.kind, event.object_id, event.key) == (
        Kind.ARTICLE,
        article.pk,
        f"2024/2/{SEED_ARTICLE}",
    )
    assert event.day == timezone.localdate()
    assert len(event.visitor) == 16


def test_cached_pages_are_counted(reader):
    url = _article().get_absolute_url()
    first = reader.get(url)
    reader.defaults["HTTP_USER_AGENT"] = BROWSER + " second"
    second = reader.get(url)
    assert first[HEADER] == "miss" and second[HEADER] == "hit"
    assert Event.objects.count() == 2
    assert Event.objects.values("visitor").distinct().count() == 2


def test_issue_community_organisation_and_registry_files_are_counted(reader):
    community = Community.objects.get(number=SEED_COMMUNITY)
    organization = community.lead_units.first()
    for url in (
        reverse("issues:detail", kwargs={"year": 2024, "number": 2}),
        community.get_absolute_url(),
        organization.get_absolute_url(),
        reverse("communities:csv"),
        reverse("communities:json"),
    ):
        assert reader.get(url).status_code == 200, url
    found = {(e.kind, e.object_id) for e in Event.objects.all()}
    issue = Issue.objects.get(year=2024, number=2)
    assert found == {
        (Kind.ISSUE, issue.pk),
        (Kind.COMMUNITY, community.pk),
        (Kind.ORGANIZATION, organization.pk),
        (Kind.REGISTRY_CSV, None),
        (Kind.REGISTRY_JSON, None),
    }


def test_pdf_and_attachment_urls_are_items():
    request = type("R", (), {})()
    for url, kind, key in (
        ("/issues/2024/2/pdf/", Kind.ISSUE_PDF, "2024/2"),
        (f"/articles/2024/2/{SEED_ARTICLE}/pdf/", Kind.ARTICLE_PDF, f"2024/2/{SEED_ARTICLE}"),
        ("/articles/attachments/7/", Kind.ATTACHMENT, "7"),
    ):
        request.resolver_match = resolve(url)
        assert items.item_of(request) == (kind, key)
    article = _article()
    found = items.resolve(
        [(Kind.ISSUE_PDF, "2024/2"), (Kind.ARTICLE_PDF, f"2024/2/{SEED_ARTICLE}")]
    )
    assert found == {
        (Kind.ISSUE_PDF, "2024/2"): article.issue_id,
        (Kind.ARTICLE_PDF, f"2024/2/{SEED_ARTICLE}"): article.pk,
    }


def test_other_pages_are_not_items(reader):
    for url in ("/", "/issues/", "/articles/", "/communities/", "/healthz"):
        reader.get(url)
    assert not Event.objects.exists()


def test_a_404_is_not_counted(reader):
    assert reader.get("/articles/2024/2/9.9.9/").status_code == 404
    assert not Event.objects.exists()


def test_repeats_within_30_seconds_count_once():
    now = timezone.now().replace(hour=12)
    day = timezone.localdate(now)
    seconds = [0, 10, 25, 50, 90, 115]  # a run of clicks each < 30 s apart is one view
    Event.objects.bulk_create(
        [Event(at=now + timedelta(seconds=s), day=day, kind=Kind.ARTICLE, object_id=1,
               key="k", visitor="a") for s in seconds]
        + [Event(at=now, day=day, kind=Kind.ARTICLE, object_id=1, key="k", visitor="b")]
    )  # fmt: skip
    rollup.rollup()
    # a: 0-10-25-50 is one run, 90-115 another → 2 views; b → 1
    assert _views(Kind.ARTICLE, 1) == (3, 2)


def test_two_quick_requests_by_one_reader_are_one_view(reader):
    url = _article().get_absolute_url()
    reader.get(url)
    reader.get(url)
    rollup.rollup()
    assert Event.objects.count() == 2
    assert _views(Kind.ARTICLE, _article().pk) == (1, 1)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "",
    ],
)
def test_robots_and_machines_are_not_counted(reader, user_agent):
    reader.defaults["HTTP_USER_AGENT"] = user_agent
    assert reader.get(_article().get_absolute_url()).status_code == 200
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER,
        # QQ browser: "Core/1.70" must not meet the list's "core" (matched case-sensitively)
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.25 Safari/537.36 Core/1.70.3877.400 QQBrowser/10.8.4506.400",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/107.0.0.0 Safari/537.36 DingTalk(7.0.40-Release.30219001) nw Channel/201200",
    ],
)
def test_teachers_browsers_are_not_robots(user_agent):
    assert not is_robot(user_agent)


def test_staff_are_not_counted_previews_or_not(reader, editor):
    reader.force_login(editor)
    url = _article().get_absolute_url()
    reader.get(url)
    reader.get(url + "?preview=1")
    assert not Event.objects.exists()


def test_a_preview_link_is_not_counted(reader):
    reader.get(_article().get_absolute_url() + "?preview=1")
    assert not Event.objects.exists()


def test_a_logged_in_teacher_is_counted_like_anyone(reader, teacher):
    url = _article().get_absolute_url()
    reader.get(url)
    reader.force_login(teacher)
    reader.get(url)
    first, second = Event.objects.order_by("pk")
    # Address and browser, not the account: the same reader, nothing that names them.
    assert first.visitor == second.visitor


def test_a_closed_site_counts_only_who_may_read(reader, settings, teacher):
    settings.ZHIJIAO_REQUIRE_LOGIN = True
    url = _article().get_absolute_url()
    assert reader.get(url).status_code == 302  # to the login page: not a view
    assert not Event.objects.exists()
    reader.force_login(teacher)
    assert reader.get(url).status_code == 200
    assert Event.objects.count() == 1


def test_no_address_user_agent_or_user_is_stored(reader, teacher):
    address, agent = "203.0.113.77", BROWSER + " marker-4711"
    reader.defaults.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    reader.force_login(teacher)
    article = _article()
    reader.get(article.get_absolute_url())
    reader.get(reverse("search:results") + "?q=产教融合")
    reader.get(reverse("communities:csv"))
    rollup.rollup()
    assert Event.objects.count() == 3 and DailyCount.objects.exists()
    # Every text column of every table (the sessions' data is signed and encoded: no plain text)
    for model in apps.get_models():
        text = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.GenericIPAddressField)
        ]
        for name in text:
            for needle in (address, "marker-4711", "203.0.113"):
                found = model._default_manager.filter(**{f"{name}__contains": needle})
                assert not found.exists(), f"{model._meta.label}.{name} holds {needle}"
    # Readers are 16 hex digits of HMAC; no column holds the account.
    assert all(
        len(v) == 16 and int(v, 16) >= 0 for v in Event.objects.values_list("visitor", flat=True)
    )
    assert not Event.objects.filter(key__contains=teacher.username).exists()


def test_the_salt_is_shared_replaced_daily_and_not_stored():
    today = timezone.localdate()
    salt = visitors.salt_for(today)
    visitors.forget()  # another process: reads the same row
    assert visitors.salt_for(today) == salt
    row = DailySalt.objects.get()
    assert salt.hex() not in row.seed and row.seed not in salt.hex()
    a = visitors.visitor(day=today, address="192.0.2.1", user_agent=BROWSER)
    tomorrow = today + timedelta(days=1)
    b = visitors.visitor(day=tomorrow, address="192.0.2.1", user_agent=BROWSER)
    assert a != b
    assert DailySalt.objects.count() == 1
    assert DailySalt.objects.get().seed != row.seed  # yesterday's seed is gone
    assert DailySalt.objects.get().day == tomorrow


def test_searches_are_counted_with_their_results(reader):
    url = reverse("search:results")
    reader.get(url + "?q=" + "產教融合")  # traditional: normalised to 产教融合
    reader.get(url + "?q=没有这个词的文章xyz&type=community")
    reader.get(url + "?q=产教融合&page=2")  # turning a page is not a new search
    reader.get(url + "?q=")
    events = {e.query: e for e in Event.objects.filter(kind=Kind.SEARCH)}
    assert set(events) == {"产教融合", "没有这个词的文章xyz"}
    assert events["产教融合"].key == "article" and events["产教融合"].results > 0
    assert events["没有这个词的文章xyz"].key == "community"
    assert events["没有这个词的文章xyz"].results == 0
    rollup.rollup()
    assert DailySearch.objects.get(query="没有这个词的文章xyz").results == 0


def test_counting_changes_no_header(reader, settings):
    url = _article().get_absolute_url()
    settings.ZHIJIAO_READERSHIP_COUNTING = False
    off = [reader.get(url) for _ in range(2)]
    settings.ZHIJIAO_READERSHIP_COUNTING = True
    caches[CACHE_ALIAS].clear()
    on = [reader.get(url) for _ in range(2)]
    assert Event.objects.count() == 2
    for a, b in zip(off, on, strict=True):
        assert sorted(a.headers.items()) == sorted(b.headers.items())
        assert not b.cookies


def test_a_failing_write_is_logged_and_the_page_served(reader, monkeypatch, caplog):
    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(counting, "write", fail)
    with caplog.at_level(logging.ERROR, logger="readership.counting"):
        response = reader.get(_article().get_absolute_url())
    assert response.status_code == 200
    assert "events dropped" in caplog.text


def test_a_failing_count_is_logged_and_the_page_served(reader, monkeypatch, caplog):
    monkeypatch.setattr(visitors, "salt_for", lambda day: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="readership.counting"):
        response = reader.get(_article().get_absolute_url())
    assert response.status_code == 200
    assert "not counted" in caplog.text


def test_events_are_written_in_batches(reader, settings, django_assert_num_queries):
    settings.ZHIJIAO_READERSHIP_FLUSH_SECONDS = 3600
    settings.ZHIJIAO_READERSHIP_FLUSH_EVENTS = 3
    url = _article().get_absolute_url()
    reader.get(url)  # the page is now in the cache
    for n in range(1):
        reader.defaults["HTTP_USER_AGENT"] = BROWSER + str(n)
        reader.get(url)
    assert counting.pending() == 2 and not Event.objects.exists()
    reader.defaults["HTTP_USER_AGENT"] = BROWSER + "x"
    reader.get(url)
    assert counting.pending() == 0 and Event.objects.count() == 3


def test_a_cached_page_counted_without_a_write_costs_no_query(reader, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ZHIJIAO_READERSHIP_FLUSH_SECONDS = 3600
    settings.ZHIJIAO_READERSHIP_FLUSH_EVENTS = 1000
    url = _article().get_absolute_url()
    reader.get(url)
    settings.ZHIJIAO_READERSHIP_COUNTING = False
    with CaptureQueriesContext(connection) as off:
        reader.get(url)
    settings.ZHIJIAO_READERSHIP_COUNTING = True
    reader.defaults["HTTP_USER_AGENT"] = BROWSER + " other"
    with CaptureQueriesContext(connection) as on:
        reader.get(url)
    assert len(on) == len(off)  # the salt is known; the event waits in memory
    assert counting.pending() == 2


def test_the_rollup_keeps_what_it_should_for_as_long_as_it_should(settings):
    settings.ZHIJIAO_READERSHIP_RAW_DAYS = 2
    settings.ZHIJIAO_READERSHIP_DAILY_DAYS = 400
    today = timezone.localdate()
    noon = timezone.now().replace(hour=12)
    for back in (0, 1, 2, 3):
        Event.objects.create(
            at=noon - timedelta(days=back), day=today - timedelta(days=back),
            kind=Kind.ARTICLE, object_id=1, key="k", visitor="a",
        )  # fmt: skip
    DailyCount.objects.create(day=today - timedelta(days=401), kind=Kind.ARTICLE, views=5)
    DailyCount.objects.create(day=today - timedelta(days=399), kind=Kind.ARTICLE, views=5)
    summary = rollup.rollup(today=today)
    assert summary.raw_deleted == 2 and summary.daily_deleted == 1
    assert sorted(Event.objects.values_list("day", flat=True)) == [
        today - timedelta(days=1),
        today,
    ]
    # The deleted days' rows were made before their events went.
    days = set(DailyCount.objects.filter(object_id=1).values_list("day", flat=True))
    assert days == {today - timedelta(days=b) for b in range(4)}
    before = sorted(DailyCount.objects.values_list("day", "kind", "object_id", "views"))
    rollup.rollup(today=today)  # again: the same rows
    assert sorted(DailyCount.objects.values_list("day", "kind", "object_id", "views")) == before


def test_an_issue_counts_its_readers_once_a_day_across_its_pages(reader):
    article = _article()
    other = Article.objects.filter(issue=article.issue).exclude(pk=article.pk).first()
    reader.get(article.issue.get_absolute_url())
    reader.get(article.get_absolute_url())
    reader.get(other.get_absolute_url())
    reader.defaults["HTTP_USER_AGENT"] = BROWSER + " two"
    reader.get(article.get_absolute_url())
    rollup.rollup()
    total = DailyCount.objects.get(kind=Kind.ISSUE_TOTAL, object_id=article.issue_id)
    assert (total.views, total.readers) == (4, 2)


def test_the_app_rolls_up_by_itself_once_per_interval(reader, settings):
    settings.ZHIJIAO_READERSHIP_ROLLUP_SECONDS = 300
    url = _article().get_absolute_url()
    reader.get(url)
    assert DailyCount.objects.filter(kind=Kind.ARTICLE).exists()  # never ran: ran now
    reader.defaults["HTTP_USER_AGENT"] = BROWSER + " two"
    rollup.reset_schedule()
    reader.get(url)
    assert _views(Kind.ARTICLE, _article().pk) == (1, 1)  # not due again yet


def test_the_management_command_rolls_up(reader):
    from io import StringIO

    from django.core.management import call_command

    reader.get(_article().get_absolute_url())
    out = StringIO()
    call_command("readership_rollup", stdout=out)
    assert "1 条原始记录" in out.getvalue()
    assert DailyCount.objects.filter(kind=Kind.ARTICLE).exists()


def test_a_renumbered_article_keeps_its_counts(reader):
    article = _article()
    reader.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(number="9.9.9")
    rollup.rollup()
    assert _views(Kind.ARTICLE, article.pk) == (1, 1)


def test_two_processes_add_up(reader):
    """Each process only writes events; the figures come from the database."""
    url = _article().get_absolute_url()
    other = Client(HTTP_USER_AGENT=BROWSER + " elsewhere", REMOTE_ADDR="192.0.2.99")
    reader.get(url)
    other.get(url)
    rollup.rollup()
    assert _views(Kind.ARTICLE, _article().pk) == (2, 2)
