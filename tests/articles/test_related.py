"""Related articles by content (issue 14): alike texts, shared registry entries and tags, on the
real seeds; the list shown on an article page and what it costs."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import related as related_module
from articles.models import Article, RelatedLink
from articles.publishing import set_status
from articles.related import RELATED_LIMIT, refresh_related, related_articles, unwritten
from articles.similar import CosineIndex, name_terms, text_terms
from core.changes import content_change
from core.publishing import Status
from issues.models import Issue, Section
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY_NAME, seeds_dir
from tests.sources.seedfiles import NEWSLETTER

pytestmark = pytest.mark.django_db

# 2024年第02期's 1.1.3 教育部办公厅关于加强市域产教联合体建设的通知, and the subject it and
# seed 003 (NEWSLETTER, another school's) share.
NOTICE = "1.1.3"
SUBJECT = "市域产教联合体"


@pytest.fixture(autouse=True)
def _no_kept_archive():
    # A write outside any unit in another test keeps the token its rollback returns to.
    related_module.forget()
    yield
    related_module.forget()


def _article(number: str, issue: int = 2) -> Article:
    return Article.objects.select_related("issue", "section__parent").get(
        issue__year=2024, issue__number=issue, number=number
    )


def _related(article: Article) -> list[Article]:
    found = related_articles(article)
    articles = Article.objects.in_bulk([r.pk for r in found])
    return [articles[r.pk] for r in found]


def _related_section(html: str) -> str:
    found = re.search(r'<section class="related.*?</section>', html, re.S)
    assert found, "no related articles on the page"
    return found.group(0)


def _next_issue() -> Section:
    issue = Issue.objects.create(year=2025, number=1, status=Status.DRAFT)
    top = Section.objects.create(issue=issue, number="1", title="职教动态", position=0)
    return Section.objects.create(
        issue=issue, number="1.1", title="他山之石", parent=top, position=1
    )


def _excerpt_from_003(section: Section) -> Article:
    """The 素材库's way: seed 003 read and stored, its candidate on the subject (found by its
    title) excerpted into ``section`` as a draft."""
    from sources.excerpt import excerpt
    from sources.library import read_document, store_document
    from sources.models import Candidate

    data = (seeds_dir() / NEWSLETTER).read_bytes()
    text, doc = read_document(data=data, filename=NEWSLETTER)
    store_document(text=text, doc=doc, original_name=NEWSLETTER)
    candidate = Candidate.objects.filter(title__contains=SUBJECT).order_by("position").first()
    assert candidate and SUBJECT in candidate.plain_text
    (article,) = excerpt(candidates=[candidate], section=section)
    return Article.objects.select_related("issue", "section__parent").get(pk=article.pk)


def _publish(article: Article) -> None:
    set_status(objects=Issue.objects.filter(pk=article.issue_id), status=Status.PUBLISHED)
    set_status(objects=Article.objects.filter(pk=article.pk), status=Status.PUBLISHED)


# --- on the seeds ---------------------------------------------------------------------------------


def test_a_notice_and_another_schools_report_of_it_relate_both_ways(client):
    notice = _article(NOTICE)
    assert SUBJECT in notice.title
    # Another subject: the 低空经济 congress of 2024年第01期.
    (other,) = Article.objects.filter(title__contains="低空经济")
    report = _excerpt_from_003(_next_issue())
    _publish(report)

    for one, two in ((notice, report), (report, notice)):
        found = _related(one)
        assert two in found, f"{one} does not list {two}"
        assert other not in found[: found.index(two)]
        html = _related_section(client.get(one.get_absolute_url()).content.decode())
        assert two.get_absolute_url() in html


def test_an_editor_previewing_the_draft_excerpt_sees_the_notice(editor_client):
    report = _excerpt_from_003(_next_issue())  # a draft, in a draft issue
    assert report not in Article.objects.published()
    assert _article(NOTICE) in _related(report)
    html = _related_section(editor_client.get(report.get_absolute_url()).content.decode())
    assert _article(NOTICE).get_absolute_url() in html


def test_shared_registry_entries_make_articles_related(client):
    one, two = _article("4.2.1", issue=1), _article("1.1.2")  # 低空经济; 大国工匠
    assert two not in _related(one) and one not in _related(two)
    naming = f"<p>本届活动由{SEED_COMMUNITY_NAME}协办。</p>"
    with content_change():
        for article in (one, two):
            article.body += naming
            article.save()
    for article in (one, two):
        assert article.mentions.filter(community__name=SEED_COMMUNITY_NAME).exists()
    for a, b in ((one, two), (two, one)):
        found = {r.pk: r.reason for r in related_articles(a)}
        assert found.get(b.pk) == f"同提及 {SEED_COMMUNITY_NAME}"
    # SEED_ARTICLE names it too: both now list it, and the page says why.
    seed = _article(SEED_ARTICLE)
    assert seed in _related(one)
    html = _related_section(client.get(one.get_absolute_url()).content.decode())
    assert seed.get_absolute_url() in html and f"同提及 {SEED_COMMUNITY_NAME}" in html


def test_unpublished_articles_never_appear():
    article = _article(NOTICE)
    found = _related(article)
    third = next(a for a in found if a.issue_id != article.issue_id)
    first, second = [a for a in found if a != third][:2]
    first.status = Status.DRAFT
    first.save()
    # Scheduled: published, visible only tomorrow.
    second.published_at = timezone.now() + timedelta(days=1)
    second.save()
    # In an issue taken back to draft.
    set_status(objects=Issue.objects.filter(pk=third.issue_id), status=Status.DRAFT)
    found = _related(article)
    assert not {first, second, third} & set(found)
    assert found and set(found) <= set(Article.objects.published())


def test_each_list_is_short_without_duplicates_or_the_article_itself():
    articles = list(Article.objects.published().select_related("issue"))
    lengths = Counter()
    for article in articles:
        found = related_articles(article)
        pks = [r.pk for r in found]
        assert len(pks) == len(set(pks)) <= RELATED_LIMIT
        assert article.pk not in pks
        assert all(r.reason for r in found)
        lengths[len(found)] += 1
    # Most articles of the two seed issues have some related article.
    assert lengths[0] < len(articles) / 4


def test_an_article_like_no_other_has_no_related_section(client):
    article = _article("1.1.1")
    with content_change():
        article.title, article.subtitle = "Lorem ipsum", ""
        article.body = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>"
        article.save()
        article.tags.clear()
    assert related_articles(article) == []
    assert "相关文章" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("no_page_cache")
def test_an_article_page_costs_a_bounded_number_of_queries(client, django_assert_num_queries):
    seed, notice = (_article(n).get_absolute_url() for n in (SEED_ARTICLE, NOTICE))
    client.get(seed)
    # A page whose list is kept asks what it asks without a list.
    with django_assert_num_queries(5) as kept_list:
        assert client.get(seed).status_code == 200
    assert not [q for q in kept_list.captured_queries if "related" in q["sql"]]
    # Right after a change a page reads its own list, one query, and nothing of the archive.
    article = _article("1.1.2")
    with content_change():
        article.title += "（修订）"
        article.save()
    for url in (seed, notice):
        with django_assert_num_queries(6) as after_change:
            assert client.get(url).status_code == 200
        (read,) = [q for q in after_change.captured_queries if "related" in q["sql"]]
        assert "articles_relatedlink" in read["sql"]


def _stored_lists() -> dict[int, list[tuple[int, str]]]:
    lists: dict[int, list[tuple[int, str]]] = {}
    for article, other, reason in RelatedLink.objects.order_by("article", "rank").values_list(
        "article", "other", "reason"
    ):
        lists.setdefault(article, []).append((other, reason))
    return lists


def test_the_stored_lists_are_what_the_archive_gives_after_each_change():
    published = set(Article.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True))
    before = _stored_lists()
    assert before and set(before) <= published
    # Worked out again from the database, nothing differs.
    assert refresh_related() == 0
    one, two = _article("4.2.1", issue=1), _article("1.1.2")  # unrelated until they share a name
    with content_change():
        for article in (one, two):
            article.body += f"<p>本届活动由{SEED_COMMUNITY_NAME}协办。</p>"
            article.save()
    after = _stored_lists()
    assert two.pk in [other for other, _ in after[one.pk]]
    assert two.pk not in [other for other, _ in before.get(one.pk, [])]
    # The unit wrote only lists that changed, and they are the archive's.
    assert refresh_related() == 0
    # A list names no unpublished article: taken back to draft, it leaves every list.
    with content_change():
        two.status = Status.DRAFT
        two.save()
    lists = _stored_lists()
    assert two.pk not in lists
    assert all(two.pk not in [other for other, _ in found] for found in lists.values())


def test_the_command_writes_the_lists_where_none_are(django_capture_on_commit_callbacks):
    expected = _stored_lists()
    RelatedLink.objects.all().delete()  # as a new table leaves it
    assert unwritten()
    out = StringIO()
    call_command("rebuild_related", "--if-empty", stdout=out)
    assert "已重算" in out.getvalue()
    assert _stored_lists() == expected
    call_command("rebuild_related", "--if-empty", stdout=out)
    assert "无需重算" in out.getvalue()


# --- the measure ----------------------------------------------------------------------------------


def test_the_cosine_is_symmetric_and_an_article_most_like_itself():
    texts = [a.title + a.body for a in Article.objects.order_by("pk")[:12]]
    index = CosineIndex([text_terms(t) for t in texts])
    scores = [index.similarities(i) for i in range(len(texts))]
    for i, row in enumerate(scores):
        assert row[i] == pytest.approx(max(row))
        for j in range(len(texts)):
            assert row[j] == pytest.approx(scores[j][i])
    # A text outside the index scores as the same text inside it.
    assert index.similarities_to(text_terms(texts[3])) == pytest.approx(scores[3])


def test_terms_are_the_search_indexs_bigrams():
    # Single characters (合, 与) say little about a subject and are left out.
    terms = text_terms("廣州推动产教融合，5G 与 eVTOL")
    expected = name_terms(["广州", "州推", "推动", "动产", "产教", "教融", "融合", "5g", "evtol"])
    assert list(terms.hashes) == list(expected.hashes)


def test_a_deleted_article_leaves_every_list(client):
    notice = _article(NOTICE)
    named_by = [a for a, found in _stored_lists().items() if notice.pk in dict(found)]
    assert named_by
    with content_change():
        notice.delete()
    lists = _stored_lists()
    assert notice.pk not in lists
    assert all(notice.pk not in dict(found) for found in lists.values())
    assert not RelatedLink.objects.filter(other_id=notice.pk).exists()
    page = Article.objects.get(pk=named_by[0])
    assert notice.get_absolute_url() not in client.get(page.get_absolute_url()).content.decode()
    assert refresh_related() == 0
