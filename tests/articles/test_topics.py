"""Topics: the vocabulary, the matching rule, and the tags the seed articles end up with."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article, Topic, TopicSuggestion
from articles.topics import (
    MAX_TAGS,
    MIN_BODY_COUNT,
    TopicTerm,
    apply_topics,
    apply_topics_to_all,
    load_vocabulary_file,
    match_topics,
)
from core.changes import content_change
from core.text import html_to_text
from core.tokens import match_text
from importer.load import issue_edited_since_import
from issues.models import Issue
from tests.conftest import admin_form_data

# --- the matching rule (pure) --------------------------------------------------------------------


def test_a_topic_in_a_heading_always_counts_in_the_body_only_when_frequent():
    vocab = [TopicTerm("产教融合"), TopicTerm("低空经济"), TopicTerm("数字教材")]
    body = "产教融合" * MIN_BODY_COUNT + "数字教材" * (MIN_BODY_COUNT - 1)
    assert match_topics(headings=["低空经济大会"], body=body, vocabulary=vocab) == [
        "低空经济",
        "产教融合",
    ]


def test_a_longer_term_claims_its_occurrences():
    vocab = [TopicTerm("技能人才"), TopicTerm("高技能人才")]
    assert match_topics(headings=["培养高技能人才"], body="", vocabulary=vocab) == ["高技能人才"]


def test_aliases_and_traditional_characters_count_for_the_topic():
    vocab = [TopicTerm("职普融通", ("普职融通",))]
    assert match_topics(headings=["推進普職融通"], body="", vocabulary=vocab) == ["职普融通"]


def test_at_most_a_few_tags_strongest_first():
    vocab = [TopicTerm(f"主题{i}") for i in range(MAX_TAGS + 3)]
    body = "".join(f"主题{i}" * (MIN_BODY_COUNT + i) for i in range(MAX_TAGS + 3))
    names = match_topics(headings=[], body=body, vocabulary=vocab)
    assert names == [f"主题{i}" for i in range(MAX_TAGS + 2, 2, -1)]


def test_the_shipped_vocabulary_has_the_fields_terms():
    names = [t.name for t in load_vocabulary_file()]
    assert len(names) == len(set(names)) >= 50
    named_in_the_issue = [
        "产教融合", "市域产教联合体", "行业产教融合共同体", "工学一体化", "职普融通",
        "新质生产力", "三全五育", "数字教材", "中高职贯通", "技工教育", "低空经济",
    ]  # fmt: skip
    assert set(named_in_the_issue) <= set(names)


# --- on the seed articles ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_loaded_the_vocabulary():
    assert set(Topic.objects.values_list("name", flat=True)) == {
        t.name for t in load_vocabulary_file()
    }


@pytest.mark.django_db
def test_every_seed_article_has_a_meaningful_tag():
    topics = set(Topic.objects.values_list("name", flat=True))
    for article in Article.objects.prefetch_related("tags"):
        tags = {t.name for t in article.tags.all()}
        assert tags, f"{article} has no tag"
        assert tags <= topics  # every tag is a term of the field, not a stray word
        assert len(tags) <= MAX_TAGS


@pytest.mark.django_db
def test_a_topic_named_in_the_title_is_a_tag():
    topics = list(Topic.objects.all())
    for article in Article.objects.prefetch_related("tags"):
        title = match_text(article.title)
        named = [t.name for t in topics if match_text(t.name) in title]
        tags = {t.name for t in article.tags.all()}
        # Longer names win over names inside them (高技能人才 over 技能人才).
        named = [n for n in named if not any(n != m and n in m for m in named)]
        if len(named) <= MAX_TAGS:
            assert set(named) <= tags, article


@pytest.mark.django_db
def test_a_topic_frequent_in_the_body_is_a_tag():
    article = Article.objects.get(issue__number=1, number="1.1.3")
    assert "产教融合" not in match_text(article.title + article.subtitle)
    assert match_text(html_to_text(article.body)).count("产教融合") >= MIN_BODY_COUNT
    assert "产教融合" in article.tags.names()


@pytest.mark.django_db
def test_a_removed_suggestion_stays_removed(django_capture_on_commit_callbacks):
    article = Article.objects.get(issue__number=2, number="1.1.3")
    assert "市域产教联合体" in article.tags.names()
    article.tags.remove("市域产教联合体")
    article.title = article.title + "（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert "市域产教联合体" not in Article.objects.get(pk=article.pk).tags.names()


@pytest.mark.django_db
def test_a_new_topic_is_suggested_when_articles_are_saved(django_capture_on_commit_callbacks):
    Topic.objects.create(name="家政服务职业化")
    article = Article.objects.get(issue__number=2, number="1.1.1")
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert "家政服务职业化" in article.tags.names()
    assert TopicSuggestion.objects.filter(article=article, topic__name="家政服务职业化").exists()
    assert apply_topics(article=article) == []  # suggested once only


@pytest.mark.django_db
def test_tags_do_not_count_as_edits_since_import():
    for issue in Issue.objects.all():
        assert not issue_edited_since_import(issue)


@pytest.mark.django_db
def test_a_suggestion_survives_the_admin_form_setting_the_tags(
    client, superuser, django_capture_on_commit_callbacks
):
    """The admin form sets an article's tags after saving it: suggestions come after that."""
    client.force_login(superuser)
    article = Article.objects.get(issue__number=2, number="2.1.3")
    article.tags.clear()
    TopicSuggestion.objects.filter(article=article).delete()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(client, url)
    data["tag_list"] = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "三全五育" in Article.objects.get(pk=article.pk).tags.names()


@pytest.mark.django_db
def test_editors_manage_topics_in_the_admin(client, superuser):
    client.force_login(superuser)
    changelist = client.get(reverse("admin:articles_topic_changelist"))
    assert changelist.status_code == 200 and "产教融合" in changelist.content.decode()
    topic = Topic.objects.create(name="家政服务职业化")
    response = client.post(
        reverse("admin:articles_topic_changelist"),
        {"action": "apply_to_articles", "_selected_action": [topic.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Article.objects.filter(tags__name="家政服务职业化").exists()


# --- the writes: in bulk, as taggit's tags.add would make them ------------------------------------


@pytest.mark.django_db
def test_suggestions_for_every_article_are_written_in_a_few_queries(django_assert_max_num_queries):
    from taggit.models import Tag, TaggedItem

    before = {a.pk: set(a.tags.names()) for a in Article.objects.all()}
    with content_change():  # one unit, not one per deleted row
        TaggedItem.objects.all().delete()
        TopicSuggestion.objects.all().delete()
        Tag.objects.all().delete()
    # The topics, the articles, the suggestions made, the tags, the tagged items; then the
    # unit's steps (mentions, index, related lists). One article at a time this took hundreds
    # of queries.
    with django_assert_max_num_queries(50):
        added = apply_topics_to_all()
    assert added == sum(len(names) for names in before.values())
    assert {a.pk: set(a.tags.names()) for a in Article.objects.all()} == before
    assert all(t.slug == t.slugify(t.name) for t in Tag.objects.all())


@pytest.mark.django_db
def test_a_taken_slug_gets_the_suffix_taggit_gives_and_the_index_follows(
    django_capture_on_commit_callbacks,
):
    from taggit.models import Tag, TaggedItem

    from search.models import Kind, SearchDocument

    Tag.objects.create(name="Low Altitude")  # slug low-altitude
    other = Article.objects.get(issue__number=2, number="1.1.1")
    other.tags.add("low Altitude")  # taggit itself: low-altitude_1
    assert Tag.objects.get(name="low Altitude").slug == "low-altitude_1"
    topic = Topic.objects.create(name="LOW altitude")
    article = Article.objects.prefetch_related("tags").get(issue__number=2, number="1.1.3")
    article.title = "LOW altitude 论坛"  # matched in memory; nothing else of it is saved
    with django_capture_on_commit_callbacks(execute=True):
        # Outside any unit of content work: the writes are a unit of their own.
        assert apply_topics(article=article, topics=[topic]) == ["LOW altitude"]
    tag = Tag.objects.get(name="LOW altitude")
    assert tag.slug == "low-altitude_2"
    assert TaggedItem.objects.filter(tag=tag, object_id=article.pk).count() == 1
    # As tags.add does, the prefetched tags are forgotten.
    assert "LOW altitude" in {t.name for t in article.tags.all()}
    document = SearchDocument.objects.get(kind=Kind.ARTICLE, object_id=article.pk)
    assert "LOW altitude" in document.tags


@pytest.mark.django_db
def test_a_tag_the_article_already_has_is_recorded_as_suggested_and_not_added_twice():
    from taggit.models import TaggedItem

    topic = Topic.objects.create(name="家政服务职业化")
    article = Article.objects.get(issue__number=2, number="1.1.1")
    article.tags.add("家政服务职业化")  # by an editor, before the topic was suggested
    article.title = "家政服务职业化的路径"
    assert apply_topics(article=article, topics=[topic]) == ["家政服务职业化"]
    assert TaggedItem.objects.filter(tag__name="家政服务职业化", object_id=article.pk).count() == 1
    assert TopicSuggestion.objects.filter(article=article, topic=topic).exists()
    assert apply_topics(article=article, topics=[topic]) == []
