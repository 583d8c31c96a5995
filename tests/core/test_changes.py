"""One unit of content work (core/changes.py): every kind of write keeps the search index, the
mentions and the pages current, each derived step runs once per unit in its written order, a
failing step never turns a saved edit into an error, and the page token is a unit's last write,
so that an editor never waits for another editor's (or an import's) unit."""

from __future__ import annotations

import logging
import re
import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Mention
from articles.numbering import renumber
from articles.publishing import set_status
from communities.models import Community
from core import changes
from core.changes import content_change
from core.pagecache import current_token
from core.publishing import Status
from core.recover import deleted_records, restore
from importer.load import import_issue
from issues.models import Issue
from search.models import SearchDocument
from tests.conftest import admin_form_data, import_seeds
from tests.seeds import ISSUE_01, seed_text

pytestmark = pytest.mark.django_db

ARTICLE = {"issue__number": 2, "number": "1.1.1"}
CALLS: list[str] = []


def indexed_title(article: Article) -> str | None:
    row = SearchDocument.objects.filter(kind="article", object_id=article.pk).first()
    return row.title if row else None


def mentioned(article: Article) -> set[int]:
    return set(
        Mention.objects.filter(article=article, community__isnull=False).values_list(
            "community__number", flat=True
        )
    )


def _community() -> Community:
    # One the seed article does not name yet.
    return Community.objects.exclude(mentions__article__number="1.1.1").order_by("number").first()


# --- the kinds of write ------------------------------------------------------------------------


def _shell_save(article: Article, title: str, extra: str) -> None:
    """A save outside any unit (the shell, a third-party action) is its own unit."""
    article.title = title
    article.body += extra
    article.save()


def _admin_save(article: Article, title: str, extra: str, *, client) -> None:
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(client, url)
    data.update(title=title, body=data["body"] + extra)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _unit_with_bulk_write(article: Article, title: str, extra: str) -> None:
    """QuerySet.update sends no signal: the caller tells the unit what it wrote."""
    with content_change() as change:
        Article.objects.filter(pk=article.pk).update(title=title, body=article.body + extra)
        change.add(Article, [article.pk])


def _restore_deleted(article: Article, title: str, extra: str) -> None:
    article.title = title
    article.body += extra
    article.save()
    pk = article.pk
    article.delete()
    assert indexed_title(Article(pk=pk)) is None
    record = deleted_records(Article).filter(id=pk).first()
    restore(Article, record_id=record.history_id)


@pytest.mark.parametrize(
    "write", [_shell_save, _admin_save, _unit_with_bulk_write, _restore_deleted]
)
def test_every_kind_of_write_keeps_index_mentions_and_pages_current(write, chief, client):
    article = Article.objects.get(**ARTICLE)
    community = _community()
    client.force_login(chief)
    token = current_token()
    title = "统一变更单元改过的标题"
    kwargs = {"client": client} if write is _admin_save else {}
    pk = article.pk
    write(article, title, f"<p>{community.name}</p>", **kwargs)
    article = Article.objects.get(pk=pk)
    assert article.title == title
    assert indexed_title(article) == title
    assert community.number in mentioned(article)
    assert current_token() != token
    client.logout()
    assert title in client.get(article.get_absolute_url()).content.decode()


def test_an_import_publish_and_renumbering_keep_the_index_current():
    issue = Issue.objects.get(year=2024, number=1)
    first = issue.articles.order_by("position").first()
    text = seed_text(ISSUE_01).replace(first.toc_title, first.toc_title + "（修订）")
    import_issue(text=text, publish=True, replace=True)
    first.refresh_from_db()
    assert indexed_title(first) == first.title

    set_status(objects=Issue.objects.filter(pk=issue.pk), status=Status.DRAFT)
    assert not SearchDocument.objects.filter(kind="article", object_id=first.pk).exists()
    set_status(objects=Issue.objects.filter(pk=issue.pk), status=Status.PUBLISHED)
    assert indexed_title(first) == first.title

    token = current_token()
    renumber(issue=issue)  # numbers already in order: nothing written, nothing retired
    assert current_token() == token


def test_the_form_sets_tags_before_topics_are_suggested(client, chief):
    """The unit ends after the admin form has saved the tags the editor chose, so the topic
    suggestions made for the new text are kept (they used to be wiped by the form)."""
    article = Article.objects.get(**ARTICLE)
    client.force_login(chief)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(client, url)
    data.update(body=data["body"] + "<p>工学一体化 工学一体化 工学一体化 工学一体化</p>", tags="")
    assert client.post(url, data).status_code == 302
    assert "工学一体化" in set(article.tags.names())


def _record_a(change):
    CALLS.append("a")


def _record_b(change):
    CALLS.append("b")


def _broken(change):
    raise RuntimeError("a derived step that fails")


def _broken_after_commit(change):
    raise RuntimeError("an after-commit step that fails")


@pytest.fixture
def steps(settings):
    def use(*names: str) -> None:
        settings.ZHIJIAO_CONTENT_STEPS = [f"{__name__}.{n}" for n in names]

    CALLS.clear()
    return use


def test_each_step_runs_once_per_unit_in_the_written_order(steps):
    steps("_record_b", "_record_a")
    with content_change():
        for article in Article.objects.filter(issue__number=2)[:5]:
            article.save()
    assert CALLS == ["b", "a"]


def test_an_empty_unit_changes_nothing(steps):
    steps("_record_a")
    token = current_token()
    with content_change():
        Article.objects.filter(issue__number=2).count()
    assert CALLS == [] and current_token() == token


def test_a_failing_step_is_logged_and_never_fails_the_save(steps, client, chief, caplog):
    steps("_broken", "_record_a")
    article = Article.objects.get(**ARTICLE)
    token = current_token()
    client.force_login(chief)
    with caplog.at_level(logging.ERROR, logger="core.changes"):
        _admin_save(article, "失败的后续步骤不影响保存", "", client=client)
    assert Article.objects.get(pk=article.pk).title == "失败的后续步骤不影响保存"
    assert CALLS == ["a"]  # the steps after it still ran
    assert current_token() != token
    assert "_broken" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeds_afterwards")
def test_a_failing_after_commit_step_never_fails_the_request(settings, client, chief, caplog):
    settings.ZHIJIAO_AFTER_COMMIT_STEPS = [f"{__name__}._broken_after_commit"]
    article = Article.objects.get(**ARTICLE)
    client.force_login(chief)
    with caplog.at_level(logging.ERROR, logger="core.changes"):
        _admin_save(article, "提交后的步骤失败也不影响", "", client=client)
    assert Article.objects.get(pk=article.pk).title == "提交后的步骤失败也不影响"
    assert "_broken_after_commit" in caplog.text


def test_the_page_token_is_the_units_last_write():
    article = Article.objects.get(**ARTICLE)
    with CaptureQueriesContext(connection) as queries, content_change():
        article.title = "最后写版本标记"
        article.save()
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    tokens = [w for w in writes if "contentgeneration" in w.lower()]
    # The page token last; before it, once each, the tokens of the kept parts the unit wrote
    # (an article: the related lists').
    assert writes[-1] == tokens[-1] and re.search(r"""\."?id"? = 1\b""", tokens[-1])
    assert len(tokens) == 2 and re.search(r"""\."?id"? = 3\b""", tokens[0])


def test_each_step_has_one_savepoint_and_no_more():
    # A savepoint per step is what lets a failing step leave the edit in place; the steps' own
    # atomic blocks join it rather than each costing two more round trips.
    article = Article.objects.get(**ARTICLE)
    # Inside the test's transaction the unit itself is a savepoint too.
    unit = 1 if connection.in_atomic_block else 0
    with CaptureQueriesContext(connection) as queries, content_change():
        article.title = "每个步骤一个保存点"
        article.save()
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == unit + len(settings.ZHIJIAO_CONTENT_STEPS)
    assert indexed_title(article) == "每个步骤一个保存点"


def test_a_unit_inside_a_unit_joins_it(steps):
    steps("_record_a")
    with content_change() as outer:
        with content_change() as inner:
            Article.objects.get(**ARTICLE).save()
        assert inner is outer
        assert CALLS == []
    assert CALLS == ["a"]


def test_a_unit_that_fails_writes_nothing(steps):
    steps("_record_a")
    article = Article.objects.get(**ARTICLE)
    token = current_token()
    with pytest.raises(ZeroDivisionError), content_change():
        article.title = "不会留下的标题"
        article.save()
        1 / 0  # noqa: B018
    assert Article.objects.get(pk=article.pk).title != "不会留下的标题"
    assert CALLS == [] and current_token() == token and changes.current() is None


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite has one writer at a time whatever the design",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeds_afterwards")
def test_an_editor_saves_while_an_import_is_running():
    """The token's row is locked only by a unit's last write, so an import that has written its
    rows and is still running holds nothing an editor's save of another issue needs. No clock:
    the save must end while the import is still inside its unit (it would have to wait for the
    import's commit otherwise), and a lock wait fails the save at once (lock_timeout; nothing
    else holds a lock here, so a loaded machine cannot trip it)."""
    if not Issue.objects.exists():  # emptied by an earlier transactional test of this module
        import_seeds()
    importing, release, committed = threading.Event(), threading.Event(), threading.Event()
    failures = []
    issue = Issue.objects.get(year=2024, number=1)
    other = Article.objects.get(**ARTICLE)

    def long_import() -> None:
        try:
            with content_change():
                for article in Article.objects.filter(issue=issue):
                    article.title += "（导入中）"
                    article.save()
                importing.set()
                release.wait(300)  # the rest of a long import, until the editor has saved
            committed.set()
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            importing.set()
            connections.close_all()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert importing.wait(300)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")  # a wait on the import's locks: an error
        try:
            with content_change():
                other.title = "导入期间编辑保存的标题"
                other.save()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        # The import is still open: the editor did not wait for it.
        assert not committed.is_set() and thread.is_alive()
        assert Article.objects.get(pk=other.pk).title == "导入期间编辑保存的标题"
    finally:
        release.set()
        thread.join(30)
        connections.close_all()
    assert not failures


def test_a_failed_unit_inside_a_unit_leaves_no_write(steps):
    """An inner unit joins the outer one in a savepoint: when it fails and its caller carries on
    (a refused 摘编 inside the admin's unit), its writes are gone and the outer unit's kept."""
    steps("_record_a")
    first, second = Article.objects.filter(issue__number=2).order_by("position")[:2]
    with content_change():
        first.title = "外层单元保存的标题"
        first.save()
        with pytest.raises(ZeroDivisionError), content_change():
            second.title = "内层单元失败前的标题"
            second.save()
            1 / 0  # noqa: B018
    assert Article.objects.get(pk=first.pk).title == "外层单元保存的标题"
    assert Article.objects.get(pk=second.pk).title != "内层单元失败前的标题"
    assert CALLS == ["a"]


def test_deleting_in_a_unit_with_other_writes_keeps_the_index_current(caplog):
    """Django has cleared a deleted row's pk by the time the unit's steps run: the unit keeps the
    id it had, so the index drops the row and still takes the unit's other writes."""
    gone, kept = Article.objects.filter(issue__year=2024, issue__number=1).order_by("position")[:2]
    assert indexed_title(gone) and indexed_title(kept)
    gone_pk = gone.pk
    with caplog.at_level(logging.ERROR, logger="core.changes"), content_change():
        kept.title = "同一单元里改过的标题"
        kept.save()
        gone.delete()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert indexed_title(kept) == "同一单元里改过的标题"
    assert not SearchDocument.objects.filter(kind="article", object_id=gone_pk).exists()
