"""The 素材库 in the admin: upload a real newsletter, correct candidates, excerpt them."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article
from core.publishing import Status
from issues.models import Issue, Section
from sources.models import Candidate, SourceDocument
from tests.seeds import seeds_dir

pytestmark = pytest.mark.django_db

NEWSLETTER_003 = "003_81997b96fc6b3f9d.txt"
NEWSLETTER_004 = "004_ca6ee7cbba4e5f1c.txt"
POLICY_002 = "002_67eb8ad90d2900c2.txt"
UPLOAD = "admin:sources_sourcedocument_add"


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def _upload(client: Client, name: str):
    data = (seeds_dir() / name).read_bytes()
    return client.post(reverse(UPLOAD), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def next_issue() -> Issue:
    issue = Issue.objects.create(year=2025, number=1, status=Status.DRAFT)
    top = Section.objects.create(issue=issue, number="1", title="职教动态", position=0)
    Section.objects.create(issue=issue, number="1.1", title="他山之石", parent=top, position=1)
    return issue


def test_an_editor_uploads_a_newsletter_and_gets_its_articles(editor_client):
    response = _upload(editor_client, NEWSLETTER_004)
    assert response.status_code == 302
    document = SourceDocument.objects.get()
    assert document.kind == "newsletter"
    candidates = list(document.candidates.order_by("position"))
    assert len(candidates) == 20
    assert {c.column for c in candidates} == {"新闻政策", "评建动态", "他山之石"}
    page = editor_client.get(response["Location"]).content.decode()
    assert candidates[0].title in page and "候选文章" in page
    for candidate in candidates:
        assert "http" not in candidate.plain_text
        assert "信息来源" not in candidate.plain_text


def test_pasted_text_is_read_like_a_file(editor_client):
    text = (seeds_dir() / NEWSLETTER_003).read_text(encoding="utf-8")
    response = editor_client.post(reverse(UPLOAD), {"pasted": text})
    assert response.status_code == 302
    assert SourceDocument.objects.get().candidates.count() == 9


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "空"),
        ("gbk.txt", "职业教育产教融合".encode("gbk") * 50, "UTF-8"),
        ("x.bin", b"\x00\x01\x02" * 300, ""),
        ("nothing.txt", "你好。\n".encode() * 3, ""),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(
    editor_client, name, data, message
):
    response = editor_client.post(reverse(UPLOAD), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and message in errors[0]
    assert not SourceDocument.objects.exists() and not Candidate.objects.exists()


def test_excerpt_two_candidates_into_a_section_of_the_next_issue(editor_client, editor, next_issue):
    _upload(editor_client, NEWSLETTER_004)
    first, second = Candidate.objects.order_by("position")[:2]
    section = next_issue.sections.get(number="1.1")
    changelist = reverse("admin:sources_candidate_changelist")
    data = {"action": "excerpt_to_issue", "_selected_action": [first.pk, second.pk]}
    page = editor_client.post(changelist, data)
    assert page.status_code == 200 and "摘编到期刊" in page.content.decode()
    response = editor_client.post(changelist, {**data, "section": section.pk})
    assert response.status_code == 302

    articles = list(section.articles.order_by("position"))
    assert [a.number for a in articles] == ["1.1.1", "1.1.2"]
    for article, candidate in zip(articles, (first, second), strict=True):
        candidate.refresh_from_db()
        assert candidate.article == article
        assert article.status == Status.DRAFT and article.title == candidate.title
        assert article.source_name == candidate.source and candidate.source
        assert article.compiled_by == (candidate.compiled_by or editor.get_username())
        assert article.history.latest("history_date").history_user == editor
    # Teachers do not see drafts; the editor's preview shows the provenance.
    assert Client().get(articles[0].get_absolute_url()).status_code == 404
    preview = editor_client.get(articles[0].get_absolute_url()).content.decode()
    assert "信息来源" in preview and first.source in preview

    # Taken once only.
    editor_client.post(changelist, {**data, "section": section.pk})
    assert section.articles.count() == 2


def test_excerpt_numbers_after_the_last_article_and_keeps_print_order(editor_client, next_issue):
    _upload(editor_client, NEWSLETTER_003)
    _top, sub = next_issue.sections.order_by("position")
    later = Section.objects.create(issue=next_issue, number="2", title="职教观点", position=2)
    Article.objects.create(issue=next_issue, section=sub, number="1.1.1", position=0, title="已有")
    Article.objects.create(issue=next_issue, section=later, number="2.1", position=1, title="后面")
    candidate = Candidate.objects.order_by("position").first()
    from sources.excerpt import excerpt

    (made,) = excerpt(candidates=[candidate], section=sub)
    assert made.number == "1.1.2"
    order = list(next_issue.articles.order_by("position").values_list("number", flat=True))
    assert order == ["1.1.1", "1.1.2", "2.1"]


def test_split_and_merge_candidates(editor_client):
    _upload(editor_client, NEWSLETTER_003)
    candidate = Candidate.objects.order_by("position").first()
    count = Candidate.objects.count()
    from sources.editing import body_blocks

    blocks = body_blocks(candidate.body)
    assert len(blocks) >= 3
    url = reverse("admin:sources_candidate_split", args=[candidate.pk])
    change = reverse("admin:sources_candidate_change", args=[candidate.pk])
    assert f'href="{url}"' in editor_client.get(change).content.decode()  # reachable from the form
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"at": "2", "title": "后半篇"})
    assert response.status_code == 302
    second = Candidate.objects.get(title="后半篇")
    candidate.refresh_from_db()
    assert len(body_blocks(candidate.body)) == 2
    assert body_blocks(second.body) == blocks[2:]
    assert Candidate.objects.count() == count + 1
    assert second.position == candidate.position + 1

    changelist = reverse("admin:sources_candidate_changelist")
    editor_client.post(
        changelist, {"action": "merge_candidates", "_selected_action": [candidate.pk, second.pk]}
    )
    candidate.refresh_from_db()
    assert Candidate.objects.count() == count
    assert "后半篇" in candidate.body and len(body_blocks(candidate.body)) == len(blocks) + 1


def test_editors_search_candidates_with_the_site_query_syntax(editor_client):
    _upload(editor_client, NEWSLETTER_003)
    changelist = reverse("admin:sources_candidate_changelist")
    target = Candidate.objects.filter(title__contains="市域产教联合体").first()
    assert target is not None
    # Traditional characters and the site's exclusion syntax, through the search package.
    found = editor_client.get(changelist, {"q": "市域產教聯合體"}).context["cl"].queryset
    assert target in found
    excluded = editor_client.get(changelist, {"q": "市域产教联合体 -市域"}).context["cl"].queryset
    assert not excluded.exists()


def test_teachers_never_see_the_library(client, teacher, editor_client):
    _upload(editor_client, NEWSLETTER_003)
    document = SourceDocument.objects.get()
    client.force_login(teacher)
    for url in (
        reverse("admin:sources_sourcedocument_changelist"),
        reverse("admin:sources_sourcedocument_change", args=[document.pk]),
        reverse("admin:sources_candidate_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    # Nor does the public search find candidates.
    title = document.candidates.first().title
    assert title not in client.get(reverse("search:results"), {"q": title[:8]}).content.decode()


def test_import_source_dry_run_json_writes_nothing(capsys):
    call_command("import_source", str(seeds_dir() / NEWSLETTER_004), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"document", "articles"}
    assert set(data["document"]) == {"kind", "title", "publisher", "date", "editors_note"}
    assert len(data["articles"]) == 20
    keys = {"column", "title", "subtitle", "source", "source_date", "compiled_by", "author"}
    assert keys | {"paragraphs", "body_html"} == set(data["articles"][0])
    assert not SourceDocument.objects.exists()


def test_import_source_stores_the_document():
    call_command("import_source", str(seeds_dir() / POLICY_002))
    document = SourceDocument.objects.get()
    assert document.kind == "policy" and document.candidates.count() == 1


def test_excerpted_articles_get_suggested_tags(
    editor_client, next_issue, django_capture_on_commit_callbacks
):
    from sources.excerpt import excerpt

    _upload(editor_client, NEWSLETTER_003)
    candidate = Candidate.objects.filter(title__contains="市域产教联合体").first()
    with django_capture_on_commit_callbacks(execute=True):
        (article,) = excerpt(candidates=[candidate], section=next_issue.sections.get(number="1.1"))
    # The topic vocabulary (articles/topics.py) names it in the title.
    assert "市域产教联合体" in set(article.tags.names())
