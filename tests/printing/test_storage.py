"""Stored PDFs off the save path: a save builds nothing, publishing builds once after the commit,
a missing file is built by one request while the others wait, and the fingerprint covers exactly
what is printed."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone

from articles.models import Article
from articles.publishing import set_status
from communities.models import Registry
from core.publishing import Status
from issues.models import Issue, Section
from printing import claims, data, storage
from printing.data import (
    PdfSource,
    article_sources,
    document_data,
    load_article_source,
    load_source,
    source_fingerprint,
)
from printing.models import PdfBuild
from tests.printing.test_pdf import ReadOnlyStorage, _logged, _panicking_article
from tests.seeds import SEED_ARTICLE

ISSUE_PDF_URL = "/issues/2024/2/pdf/"
STUB = b"%PDF-1.7 stub"


@pytest.fixture
def issue(db) -> Issue:
    return Issue.objects.get(year=2024, number=2)


@pytest.fixture
def builds(monkeypatch) -> list[PdfSource]:
    """Every PDF built from now on; each a stub, laid out as data but not typeset (fast)."""
    built: list[PdfSource] = []

    def render(source: PdfSource) -> bytes:
        document_data(source)  # what a build reads, so that its queries are counted
        built.append(source)
        return STUB

    monkeypatch.setattr(storage, "render_source", render)
    return built


def _stored_files(issue: Issue) -> list[str]:
    if not default_storage.exists(storage.folder(issue.pk)):
        return []
    return sorted(default_storage.listdir(storage.folder(issue.pk))[1])


# --- off the save path ---------------------------------------------------------------------------


def test_a_save_builds_no_pdf(settings, issue, builds, django_capture_on_commit_callbacks):
    settings.ZHIJIAO_PDF_AUTOBUILD = True
    with django_capture_on_commit_callbacks(execute=True):
        for article in Article.objects.filter(issue=issue)[:5]:
            article.subtitle = "新的副标题"
            article.save()
        issue.save()
    assert builds == []
    assert _stored_files(issue) == []


def _publish(issue: Issue) -> int:
    Issue.objects.filter(pk=issue.pk).update(status=Status.DRAFT)  # as it was before publishing
    return set_status(objects=Issue.objects.filter(pk=issue.pk), status=Status.PUBLISHED)


def test_publishing_builds_the_pdf_once_after_the_commit(
    settings, issue, builds, django_capture_on_commit_callbacks
):
    settings.ZHIJIAO_PDF_AUTOBUILD = True
    with django_capture_on_commit_callbacks() as callbacks:
        assert _publish(issue) == 1
    assert builds == []  # nothing in the transaction
    for callback in callbacks:
        callback()
    assert len(builds) == 1 and builds[0].article is None
    (name,) = _stored_files(issue)
    assert name.startswith("issue-")
    assert storage.issue_pdf(issue=issue).read() == STUB  # served as stored
    assert len(builds) == 1


def test_withdrawing_an_issue_removes_its_pdfs(issue, builds, django_capture_on_commit_callbacks):
    storage.issue_pdf(issue=issue)
    assert _stored_files(issue)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(objects=Issue.objects.filter(pk=issue.pk), status=Status.DRAFT)
    assert _stored_files(issue) == []


def test_a_publish_whose_pdf_makes_typst_panic_is_kept_and_the_article_logged(
    settings, issue, caplog, django_capture_on_commit_callbacks
):
    settings.ZHIJIAO_PDF_AUTOBUILD = True
    _panicking_article(issue)
    with (
        caplog.at_level(logging.WARNING, logger="printing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _publish(issue) == 1
    assert Issue.objects.published().filter(pk=issue.pk).exists()
    assert _logged(caplog, "2024年第02期", SEED_ARTICLE)
    assert [f for f in _stored_files(issue) if f.startswith("issue-")] == []
    assert not PdfBuild.objects.exists()  # the claim released after the failed build


def test_a_publish_whose_build_fails_unexpectedly_is_kept(
    settings, issue, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.ZHIJIAO_PDF_AUTOBUILD = True

    def broken(source):
        raise RuntimeError("the build broke")

    monkeypatch.setattr(storage, "render_source", broken)
    with (
        caplog.at_level(logging.ERROR, logger="printing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _publish(issue) == 1
    assert Issue.objects.published().filter(pk=issue.pk).exists()
    assert _logged(caplog, "PDF of issue", "not built")


def test_publishing_on_a_storage_that_cannot_be_written_is_kept(
    settings, tmp_path, issue, builds, caplog, django_capture_on_commit_callbacks
):
    settings.ZHIJIAO_PDF_AUTOBUILD = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{ReadOnlyStorage.__module__}.ReadOnlyStorage",
            "OPTIONS": {"location": str(tmp_path / "read-only")},
        },
    }
    with (
        caplog.at_level(logging.ERROR, logger="printing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _publish(issue) == 1
    assert len(builds) == 1
    assert _logged(caplog, "not stored", "Read-only")


# --- one build of a missing file -------------------------------------------------------------


def _issue_name(issue: Issue) -> str:
    return storage.stored_name(load_source(issue=issue))


def test_the_first_request_builds_under_a_claim_and_releases_it(client, issue, monkeypatch):
    name = _issue_name(issue)
    held = []

    def render(source):
        held.append(list(PdfBuild.objects.values_list("name", flat=True)))
        return STUB

    monkeypatch.setattr(storage, "render_source", render)
    response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == STUB
    assert held == [[name]]
    assert not PdfBuild.objects.exists()


def _held_by_another(name: str, *, age: timedelta = timedelta(0)) -> PdfBuild:
    return PdfBuild.objects.create(name=name, owner="another", claimed_at=timezone.now() - age)


def test_a_request_waits_for_the_build_another_process_holds(client, issue, builds, monkeypatch):
    name = _issue_name(issue)
    claim = _held_by_another(name)
    waited = []

    def the_other_finishes() -> None:
        waited.append(1)
        default_storage.save(name, ContentFile(b"%PDF-1.7 the other's"))
        claim.delete()

    monkeypatch.setattr(claims, "pause", the_other_finishes)
    response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the other's"
    assert waited == [1] and builds == []


def test_a_request_builds_itself_when_the_other_build_fails(client, issue, builds, monkeypatch):
    claim = _held_by_another(_issue_name(issue))
    monkeypatch.setattr(claims, "pause", claim.delete)  # gone, and no file: the other failed
    response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == STUB
    assert len(builds) == 1 and not PdfBuild.objects.exists()


def test_a_stale_claim_is_taken_over(client, issue, builds):
    _held_by_another(_issue_name(issue), age=timedelta(seconds=claims.STALE_SECONDS + 5))
    response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == STUB
    assert len(builds) == 1 and not PdfBuild.objects.exists()


def test_a_reader_that_waits_too_long_builds_the_pdf_itself(
    client, issue, builds, monkeypatch, caplog
):
    name = _issue_name(issue)
    _held_by_another(name)
    monkeypatch.setattr(claims, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(claims, "POLL_SECONDS", 0.05)
    with caplog.at_level(logging.WARNING, logger="printing.storage"):
        response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == STUB
    assert len(builds) == 1 and _logged(caplog, "took too long")
    assert PdfBuild.objects.get().owner == "another"  # not this reader's to release
    assert default_storage.exists(name)


def test_a_database_too_busy_for_the_claim_costs_the_lock_not_the_pdf(
    client, issue, builds, monkeypatch, caplog
):
    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(PdfBuild.objects, "create", busy)
    with caplog.at_level(logging.WARNING, logger="printing.claims"):
        response = client.get(ISSUE_PDF_URL)
    assert b"".join(response.streaming_content) == STUB
    assert len(builds) == 1 and _logged(caplog, "without a claim", "database is locked")


# --- what a refresh reads ------------------------------------------------------------------------


def test_a_refresh_costs_the_same_few_queries_for_3_articles_as_for_40(
    issue, builds, django_assert_max_num_queries
):
    published = list(Article.objects.published().filter(issue=issue).order_by("position"))
    assert len(published) == 40
    with django_assert_max_num_queries(12) as for_40:
        storage.refresh_issue_pdfs(issue_id=issue.pk)
    # The same issue with 3 published articles (an update: no change recorded, nothing built).
    Article.objects.filter(pk__in=[a.pk for a in published[3:]]).update(status=Status.DRAFT)
    with django_assert_max_num_queries(12) as for_3:
        storage.refresh_issue_pdfs(issue_id=issue.pk)
    assert [len(s.articles) for s in builds] == [40, 3]
    assert len(for_40) == len(for_3)


def test_an_article_source_from_the_issue_is_the_one_read_for_the_article(issue):
    from_issue = article_sources(load_source(issue=issue))
    assert len(from_issue) == 40
    for source in from_issue:
        alone = load_article_source(article=Article.objects.get(pk=source.article.pk))
        assert [n.section.pk for n in data._walk(alone.toc)] == [
            n.section.pk for n in data._walk(source.toc)
        ]
        assert source_fingerprint(source, engine="e") == source_fingerprint(alone, engine="e")


def _only(model, fields: tuple[str, ...], pks):
    names = [f.removesuffix("_id") for f in fields if f != "pk"]
    return model.objects.only(*names).in_bulk(pks)


def test_the_fingerprint_covers_every_field_the_pdf_prints(issue, django_assert_num_queries):
    """The layout, given rows that hold only the declared fields, reads no other (a deferred
    field would cost a query): whatever it prints changes the fingerprint."""
    full = load_source(issue=issue)
    nodes = list(data._walk(full.toc))
    sections = _only(Section, data.SECTION_FIELDS, [n.section.pk for n in nodes])
    articles = _only(Article, data.ARTICLE_FIELDS, [a.pk for a in full.articles])
    for node in nodes:
        node.section = sections[node.section.pk]
        node.articles = [articles[a.pk] for a in node.articles]
    narrow = PdfSource(
        issue=_only(Issue, data.ISSUE_FIELDS, [issue.pk])[issue.pk],
        include_drafts=False,
        toc=full.toc,
        registry=_only(Registry, data.REGISTRY_FIELDS, [issue.appendix_id])[issue.appendix_id],
        communities=full.communities,
    )
    with django_assert_num_queries(0):
        laid_out = document_data(narrow)
        fingerprint = source_fingerprint(narrow, engine="e")
    assert laid_out == document_data(load_source(issue=issue))
    assert fingerprint == source_fingerprint(load_source(issue=issue), engine="e")
    assert laid_out["appendix"] and len(laid_out["items"]) > 40
