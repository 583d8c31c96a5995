"""The search index follows every change, in the change's own transaction; drafts never appear;
the rebuild command and the startup check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from communities.models import Community, LeadUnit, Organization
from core.changes import Change
from core.publishing import Status
from issues.models import Issue, Section
from search import service
from search.backends import FTS_TABLE, GIN_INDEX, TABLE, TITLE_GIN_INDEX
from search.checks import search_index_present
from search.models import Kind, SearchDocument
from tests.search.test_search import found, organization_ids

pytestmark = pytest.mark.django_db

WORD = "蓝鲸测试词"  # in no seed text


def _issue() -> Issue:
    return Issue.objects.get(year=2024, number=2)


def _new_article(**fields) -> Article:
    issue = _issue()
    values = {
        "issue": issue,
        "section": Section.objects.get(issue=issue, number="1.1"),
        "number": "9.9.9",
        "position": 999,
        "title": "测试文章",
        "body": f"<p>正文提到{WORD}。</p>",
        "status": Status.PUBLISHED,
    }
    values.update(fields)
    return Article.objects.create(**values)


def test_the_index_holds_exactly_the_published_articles():
    indexed = set(SearchDocument.objects.filter(kind="article").values_list("object_id", flat=True))
    assert indexed == set(Article.objects.published().values_list("pk", flat=True))
    assert SearchDocument.objects.filter(kind="community").count() == Community.objects.count()


def test_a_draft_is_not_found_until_published_and_not_after_unpublishing():
    article = _new_article(status=Status.DRAFT)
    assert found(WORD) == []
    article.status = Status.PUBLISHED
    article.save(update_fields=["status", "updated_at"])
    assert found(WORD) == [article.pk]
    article.status = Status.REVIEW
    article.save()
    assert found(WORD) == []


def test_a_scheduled_article_appears_when_its_time_comes(monkeypatch):
    article = _new_article(published_at=timezone.now() + timedelta(days=1))
    assert found(WORD) == []
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(service.timezone, "now", lambda: later)
    assert found(WORD) == [article.pk]


def test_unpublishing_an_issue_hides_its_articles():
    issue = _issue()
    in_issue = {a.pk for a in issue.articles.all()}
    assert set(found("南粤家政")) & in_issue
    issue.status = Status.DRAFT
    issue.save()
    assert not set(found("南粤家政")) & in_issue
    issue.status = Status.PUBLISHED
    issue.save()
    assert set(found("南粤家政")) & in_issue


def test_edits_deletes_and_tags_are_searchable_at_once():
    article = _new_article()
    article.body = "<p>改写之后的正文：白鹭测试词。</p>"
    article.save()
    assert found(WORD) == [] and found("白鹭测试词") == [article.pk]
    article.tags.add("海豚测试标签")
    assert found("海豚测试标签") == [article.pk]
    page = service.search(query="白鹭测试词", kinds=["article"])
    assert "海豚测试标签" in {v.value for v in page.facets["tag"]}
    tag = article.tags.get(name="海豚测试标签")
    tag.name = "江豚测试标签"
    tag.save()
    assert found("江豚测试标签") == [article.pk] and found("海豚测试标签") == []
    article.tags.remove("江豚测试标签")
    assert found("江豚测试标签") == []
    article.delete()
    assert found("白鹭测试词") == []


def test_a_section_rename_changes_the_facet_and_location():
    section = Section.objects.get(issue=_issue(), number="1.1")
    section.title = "改名后的栏目"
    section.save()
    result = service.search(query="南粤家政", kinds=["article"]).results[0]
    assert "1.1 改名后的栏目" in result.location


def test_the_index_changes_in_the_same_transaction():
    article = _new_article()
    with pytest.raises(RuntimeError), transaction.atomic():
        article.body = "<p>回滚测试词</p>"
        article.save()
        assert found("回滚测试词") == [article.pk]  # visible inside the transaction …
        raise RuntimeError
    assert found("回滚测试词") == []  # … and gone with it
    assert found(WORD) == [article.pk]


def test_registry_edits_are_searchable_at_once():
    community = Community.objects.get(number=1)
    community.name = "全国测试改名行业产教融合共同体"
    community.save()
    assert found("测试改名", kind="community") == [community.pk]
    org = Organization.objects.create(name="测试牵头单位甲", kind="enterprise")
    assert found("测试牵头单位甲", kind="organization") == [org.pk]
    LeadUnit.objects.create(community=community, organization=org, position=99)
    assert found("测试牵头单位甲", kind="community") == [community.pk]
    org.name = "测试牵头单位乙"
    org.save()
    assert found("测试牵头单位乙", kind="community") == [community.pk]
    assert found("测试牵头单位乙", kind="organization") == [org.pk]
    community.delete()
    assert found("测试改名", kind="community") == []


def test_the_loader_indexes_what_it_bulk_creates():
    """Organisations and lead units are written with bulk_create (no signals): the registry loader
    must index them itself."""
    orgs = organization_ids()
    indexed = set(
        SearchDocument.objects.filter(kind="organization").values_list("object_id", flat=True)
    )
    assert indexed == set(orgs.values())


def test_each_kind_of_document_comes_from_its_own_app():
    from search.documents import sources

    assert [s.kind for s in sources()] == Kind.values  # the order a rebuild writes them in
    assert {type(s).__module__ for s in sources()} == {
        "articles.search_documents",
        "communities.search_documents",
    }


def test_a_documents_module_says_which_documents_a_change_touches():
    from articles.search_documents import ARTICLES
    from communities.search_documents import COMMUNITIES, ORGANIZATIONS

    section = Section.objects.get(issue=_issue(), number="1.1")
    change = Change()
    change.add(Section, [section.pk])
    assert ARTICLES.touched(change) == set(section.articles.values_list("pk", flat=True))
    assert COMMUNITIES.touched(change) == set() == ORGANIZATIONS.touched(change)
    link = LeadUnit.objects.select_related("community", "organization").first()
    change = Change()
    change.add(Organization, [link.organization_id])
    assert link.community_id in COMMUNITIES.touched(change)
    assert ORGANIZATIONS.touched(change) == {link.organization_id}
    assert ARTICLES.touched(change) == set()


def test_documents_are_plain_data_and_only_what_the_public_may_see():
    from articles.search_documents import ARTICLES

    article = _new_article(status=Status.DRAFT)
    published = Article.objects.published().select_related("issue").first()
    [doc] = ARTICLES.documents([article.pk, published.pk])
    assert (doc.kind, doc.object_id, doc.title) == ("article", published.pk, published.title)
    assert (doc.issue_year, doc.issue_number, doc.number) == (
        published.issue.year,
        published.issue.number,
        published.number,
    )
    assert article.pk not in set(ARTICLES.ids())


def test_rebuild_command_recreates_the_same_index(capsys):
    call_command("rebuild_search_index")
    assert "检索索引已重建" in capsys.readouterr().out
    queries = ("产教融合", "eVTOL", "家", "测试牵头")
    before = {q: found(q) for q in queries}
    texts = ("kind", "object_id", "head_norm", "body_norm")
    rows = sorted(SearchDocument.objects.values_list(*texts))
    SearchDocument.objects.all().delete()
    assert found("产教融合") == []
    call_command("rebuild_search_index")
    assert {q: found(q) for q in queries} == before
    assert sorted(SearchDocument.objects.values_list(*texts)) == rows


def test_rebuild_if_empty_rebuilds_only_an_emptied_index(capsys):
    before = found("产教融合")
    ids = set(SearchDocument.objects.values_list("id", flat=True))
    call_command("rebuild_search_index", "--if-empty")
    assert "无需重建" in capsys.readouterr().out
    assert set(SearchDocument.objects.values_list("id", flat=True)) == ids
    SearchDocument.objects.all().delete()  # as a migration that changes the rows' layout does
    call_command("rebuild_search_index", "--if-empty")
    assert "检索索引已重建" in capsys.readouterr().out
    assert found("产教融合") == before and search_index_present(None) == []


def test_the_startup_check_reports_a_missing_index():
    assert search_index_present(None) == []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {FTS_TABLE}_au")
        else:
            cursor.execute(f"DROP INDEX {GIN_INDEX}")
    [error] = search_index_present(None)
    assert error.id == "articles.E001"


def test_the_startup_check_reports_an_empty_index():
    SearchDocument.objects.all().delete()
    [warning] = search_index_present(None)
    assert warning.id == "articles.W001" and "rebuild_search_index" in warning.hint


def test_the_short_columns_come_before_the_long_texts():
    # What the ranking and the facets read for every match must not sit behind the long texts
    # (on SQLite, reading a column after them walks the row's overflow pages).
    short = ["kind", "issue_year", "number", "section", "source", "place", "tags", "title"]
    short += ["location", "head_norm"]
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, TABLE)]
    if connection.vendor == "sqlite":
        assert (
            max(columns.index(c) for c in short)
            < columns.index("text")
            < columns.index("body_norm")
        )
    else:  # PostgreSQL keeps them in line (not moved out to TOAST with the texts)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass",
                [TABLE],
            )
            storage = dict(cursor.fetchall())
        texts = [c for c in short if c not in ("kind", "issue_year")]
        assert {c: storage[c] for c in texts} == dict.fromkeys(texts, "m")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_the_gin_indexes_keep_no_pending_list():
    # With a pending list, every search reads all rows written since the last VACUUM: right after
    # an import, hundreds of index pages for a one-word query.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN (%s, %s)",
            [GIN_INDEX, TITLE_GIN_INDEX],
        )
        options = dict(cursor.fetchall())
    assert options == {index: ["fastupdate=off"] for index in (GIN_INDEX, TITLE_GIN_INDEX)}


def test_a_large_write_brings_the_planner_statistics_up_to_date(monkeypatch):
    from search import indexing

    calls = []
    backend = indexing.get_backend()
    monkeypatch.setattr(type(backend), "after_bulk_write", lambda self: calls.append(1))
    change = Change()
    change.add(Article, [_issue().articles.first().pk])
    indexing.follow_change(change)
    assert calls == []  # an editor's save: the statistics still describe the table
    change = Change()
    change.add(Community, Community.objects.values_list("pk", flat=True))
    indexing.follow_change(change)  # the whole registry, as its import writes it
    assert calls == [1]
