"""标签类别 (Article.source_kind): the data migration that brings stored articles to what the
importer now writes, and the field in the admin."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from articles.models import Article, SourceKind
from importer import labels
from importer import parse as parse_module
from importer.load import import_issue, issue_edited_since_import
from issues.models import Issue
from tests.conftest import admin_form_data
from tests.seeds import ISSUE_01, ISSUE_02, SEED_ARTICLE, seed_text

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("articles.migrations.0010_restated_subtitles_and_source_kinds")


def test_the_models_kinds_are_the_importers():
    assert {k.value for k in SourceKind} == set(labels.KINDS)
    assert (SourceKind.OUTLET, SourceKind.TOPIC, SourceKind.PLACE) == (
        labels.OUTLET,
        labels.TOPIC,
        labels.PLACE,
    )
    assert dict(SourceKind.choices) == {"outlet": "来源", "topic": "主题", "place": "地区"}


def _as_stored_before(monkeypatch) -> dict[tuple[int, str], str]:
    """Both seed issues as the importer stored them before issue 14: the line under the heading
    as 副标题 whatever it said, no kinds, and a fingerprint of those fields. Returns the subtitles
    and kinds a fresh import gives now."""
    now = {}
    for name in (ISSUE_02, ISSUE_01):
        # Only for this parse: the test's own import below must parse as the importer does now
        # (it parses again whenever its few kept parses no longer hold this text).
        with monkeypatch.context() as patched:
            patched.setattr(parse_module, "restates_title", lambda *args: False)
            doc = parse_module.parse_issue(seed_text(name))
        issue = Issue.objects.get(year=doc.year, number=doc.number)
        stored = {a.number: a for a in issue.articles.select_related("section")}
        for adoc in doc.articles:
            article = stored[adoc.number]
            now[(doc.number, adoc.number)] = (article.subtitle, article.source_kind)
            article.subtitle, article.source_kind = adoc.subtitle, ""
        Article.objects.bulk_update(stored.values(), ["subtitle", "source_kind"])
        sections = list(issue.sections.select_related("parent"))
        articles = list(issue.articles.select_related("section"))
        issue.import_fingerprint = MIGRATION.fingerprint(
            issue, sections, articles, MIGRATION.ARTICLE_FIELDS_BEFORE
        )
        issue.save(update_fields=["import_fingerprint"])
    return now


def test_the_migration_clears_restated_subtitles_and_classifies_labels(monkeypatch):
    now = _as_stored_before(monkeypatch)
    fresh = {i.number: i.import_fingerprint for i in Issue.objects.all()}
    assert Article.objects.filter(issue__number=2, number="1.1.3").get().subtitle != ""
    # One issue edited since its import: it stays edited.
    edited = Article.objects.get(issue__number=1, number="1.1.2")
    edited.title = "编辑改过的标题"
    edited.save()

    MIGRATION.forwards(apps, None)

    after = {
        (a.issue.number, a.number): (a.subtitle, a.source_kind)
        for a in Article.objects.select_related("issue")
    }
    assert after == now  # the same 副标题 and kinds as a fresh import writes
    second = Issue.objects.get(year=2024, number=2)
    assert not issue_edited_since_import(second)
    assert second.import_fingerprint != fresh[2]
    assert import_issue(text=seed_text(ISSUE_02), publish=True).action == "unchanged"
    assert issue_edited_since_import(Issue.objects.get(year=2024, number=1))


def test_the_migration_keeps_a_kind_already_chosen():
    article = Article.objects.get(issue__number=1, number="1.2.4")  # 广东职业技能
    Article.objects.filter(pk=article.pk).update(source_kind=SourceKind.OUTLET)
    MIGRATION.forwards(apps, None)
    assert Article.objects.get(pk=article.pk).source_kind == SourceKind.OUTLET


# --- the admin --------------------------------------------------------------------------------


def _change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _seed_article(number: str = SEED_ARTICLE, issue: int = 2) -> Article:
    return Article.objects.get(issue__year=2024, issue__number=issue, number=number)


def test_the_kind_is_editable_and_a_list_filter(chief_client):
    article = _seed_article()
    page = chief_client.get(_change_url(article)).content.decode()
    assert 'name="source_kind"' in page and "标签类别" in page
    assert '<option value="topic" selected>主题</option>' in page
    listing = chief_client.get(reverse("admin:articles_article_changelist"))
    assert "标签类别" in listing.content.decode()
    places = chief_client.get(
        reverse("admin:articles_article_changelist"), {"source_kind": "place"}
    )
    assert places.context["cl"].result_count == 8


def test_a_corrected_kind_is_saved(chief_client):
    article = _seed_article("1.2.4", issue=1)
    url = _change_url(article)
    data = admin_form_data(chief_client, url)
    assert data["source_kind"] == SourceKind.TOPIC
    data["source_kind"] = SourceKind.OUTLET
    assert chief_client.post(url, data).status_code == 302
    assert _seed_article("1.2.4", issue=1).source_kind == SourceKind.OUTLET


@pytest.mark.parametrize("value", ["media", "来源"])
def test_a_wrong_kind_is_refused_in_chinese(chief_client, value):
    article = _seed_article()
    url = _change_url(article)
    data = admin_form_data(chief_client, url)
    data["source_kind"] = value
    response = chief_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"标签类别只能是“来源”“主题”或“地区”，“{value}”不是其中之一。" in response.content.decode()
    )
    assert _seed_article().source_kind == SourceKind.TOPIC


@pytest.mark.parametrize(
    ("source", "kind", "saved"),
    [
        ("中国教育报", "", SourceKind.OUTLET),  # left empty: derived as on import
        ("山东", SourceKind.OUTLET, SourceKind.OUTLET),  # chosen with the label: kept
        ("", SourceKind.TOPIC, ""),  # no label, no kind
    ],
)
def test_the_kind_follows_the_label(chief_client, source, kind, saved):
    article = _seed_article()  # 产教融合, a topic
    url = _change_url(article)
    data = admin_form_data(chief_client, url)
    data["source"], data["source_kind"] = source, kind
    assert chief_client.post(url, data).status_code == 302
    assert (_seed_article().source, _seed_article().source_kind) == (source, saved)


def test_a_new_label_gets_its_own_kind_unless_the_editor_chose_one(chief_client):
    article = _seed_article()
    url = _change_url(article)
    data = admin_form_data(chief_client, url)
    data["source"] = "广州"  # the kind left as it was (主题): it was the old label's
    assert chief_client.post(url, data).status_code == 302
    assert _seed_article().source_kind == SourceKind.PLACE


def test_the_model_refuses_a_kind_without_a_label():
    from django.core.exceptions import ValidationError

    article = _seed_article()
    article.source = ""
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert excinfo.value.message_dict["source_kind"] == ["没有来源标签的文章不能选择标签类别。"]
    article.source, article.source_kind = "产教融合", ""
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "请选择来源标签的类别" in excinfo.value.message_dict["source_kind"][0]
