"""Defects a review of the 素材库 and role changes found; each test failed on the code reviewed.

Area 1: the trust boundary between 编辑 and 主编 in the admin (and version/conflict logic).
Area 2: the 素材库 (sources/): hostile uploads, split/merge/excerpt edge cases.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from core.publishing import Status
from issues.models import Issue, Section
from sources.models import Candidate, SourceDocument
from tests.conftest import ISSUE_01, admin_form_data, seeds_dir

pytestmark = pytest.mark.django_db


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


@pytest.fixture
def chief_client(chief) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(chief)
    return client


def _reader() -> Client:
    """An anonymous teacher; a 500 comes back as a response, not as an exception."""
    return Client(raise_request_exception=False)


def _article(number: str = "1.1.1", issue: int = 2) -> Article:
    return Article.objects.get(issue__year=2024, issue__number=issue, number=number)


def _action(client: Client, model, name: str, pks: list[int], **extra):
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": name, "_selected_action": pks, "post": "yes", **extra},
    )


def _is_public(obj) -> bool:
    return type(obj).objects.published().filter(pk=obj.pk).exists()


def _issue_page_lists(issue: Issue, article: Article) -> bool:
    response = _reader().get(issue.get_absolute_url())
    assert response.status_code == 200, f"public issue page answered {response.status_code}"
    return article.get_absolute_url() in response.content.decode()


# ==================================================================================================
# Area 1: 编辑 / 主编
# ==================================================================================================


def test_editor_gives_a_published_article_a_section_of_another_issue_and_the_issue_page_500s(
    editor_client,
):
    """ArticleForm lets the section be any section (autocomplete over all issues) while the issue
    stays; articles/toc.py then does nodes[article.section_id] -> KeyError: the public 目录 of a
    published issue answers 500 (and the PDF build and renumbering fail the same way)."""
    article = _article("1.1.1", issue=2)
    foreign = Section.objects.filter(issue__year=2024, issue__number=1).order_by("position")[1]
    assert _issue_page_lists(article.issue, article)

    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data["section"] = foreign.pk
    response = editor_client.post(url, data)
    article.refresh_from_db()
    public = _reader().get(article.issue.get_absolute_url()).status_code
    # Either refused by the form, or harmless for readers; it is neither.
    assert (response.status_code, public) != (302, 500), "saved, and the public 目录 is a 500"
    assert article.section.issue_id == article.issue_id, "article's section is in another issue"


def test_editor_moves_a_section_to_another_issue_and_the_published_issue_page_500s(editor_client):
    """SectionAdmin (not a PublishingAdminMixin) lets an editor change a section's issue; the
    published articles in it stay in their issue, whose public page then answers 500."""
    section = Section.objects.get(issue__year=2024, issue__number=2, number="1.1")
    article = section.articles.order_by("position").first()
    other = Issue.objects.get(year=2024, number=1)
    url = reverse("admin:issues_section_change", args=[section.pk])
    data = admin_form_data(editor_client, url)
    data.update(issue=other.pk, parent="", number="99")
    response = editor_client.post(url, data)
    section.refresh_from_db()
    public = _reader().get(article.issue.get_absolute_url()).status_code
    assert (response.status_code, public) != (302, 500), "saved, and the public 目录 is a 500"
    assert section.issue_id == article.issue_id, "section moved away from its articles"


def test_editor_makes_a_section_its_own_ancestor_and_published_articles_vanish(editor_client):
    """The issue form's SectionInline offers every section of the issue as parent, itself and its
    own subsections included. A cycle (1 → 1.1 → 1) drops the whole board from the public 目录:
    published articles taken off the issue page by an editor (renumber then raises KeyError)."""
    issue = Issue.objects.get(year=2024, number=2)
    top = issue.sections.get(number="1")
    child = issue.sections.get(number="1.1")
    article = child.articles.order_by("position").first()
    assert _is_public(article) and _issue_page_lists(issue, article)

    url = reverse("admin:issues_issue_change", args=[issue.pk])
    data = admin_form_data(editor_client, url)
    # The inlines' primary keys (admin_form_data leaves them out), in the inlines' order.
    for prefix, rows in (("sections", issue.sections), ("articles", issue.articles)):
        for i, pk in enumerate(rows.order_by("position").values_list("pk", flat=True)):
            data[f"{prefix}-{i}-id"] = pk
    index = list(issue.sections.order_by("position").values_list("pk", flat=True)).index(top.pk)
    data[f"sections-{index}-parent"] = child.pk
    response = editor_client.post(url, data)
    assert response.status_code == 200  # refused, with the reason on the row
    assert "下级栏目" in response.content.decode()
    top.refresh_from_db()
    assert top.parent_id is None
    assert _issue_page_lists(issue, article), "a published article vanished from the 目录"


def test_editor_reimport_with_replace_deletes_published_articles(editor_client, chief):
    """importer/load.py _write_sections/_write_articles delete every article of the issue
    that the file lacks; the admin import runs that for an editor (replace is offered to all)."""
    issue = Issue.objects.get(year=2024, number=1)
    section = issue.sections.order_by("position").last()
    extra = Article.objects.create(
        issue=issue,
        section=section,
        number=f"{section.number}.99",
        position=999,
        title="主编加的已发布文章",
        status=Status.PUBLISHED,
    )
    assert _is_public(extra)

    url = reverse("admin:issues_issue_import")
    upload = SimpleUploadedFile("2024-01.txt", (seeds_dir() / ISSUE_01).read_bytes())
    response = editor_client.post(url, {"file": upload, "replace": "on"})
    assert response.status_code == 200
    token = response.context.get("token")
    if token:
        editor_client.post(url, {"token": token, "publish": "0", "replace": "1"})
    assert Article.objects.filter(pk=extra.pk).exists(), "an editor's import deleted it"
    assert _is_public(extra)


def test_editor_schedules_a_draft_article_so_the_chiefs_publish_does_not_show_it(
    editor_client, chief_client
):
    """get_readonly_fields makes published_at read-only for an editor only on published items
    (and the add form), although its comment says an editor may not schedule. An editor sets a
    far-future 发布时间 on a draft; the 主编's 发布 then does not put it online."""
    article = _article("1.1.2")
    _action(chief_client, Article, "unpublish", [article.pk])
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    later = timezone.localtime() + timedelta(days=3650)
    data["published_at_0"] = later.strftime("%Y-%m-%d")
    data["published_at_1"] = later.strftime("%H:%M:%S")
    data.pop("published_at", None)
    assert editor_client.post(url, data).status_code == 302
    _action(chief_client, Article, "publish", [article.pk])
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert _is_public(article), f"scheduled by the editor for {article.published_at}"


# --- version / conflict ---------------------------------------------------------------------------


def _next_issue() -> Issue:
    issue = Issue.objects.create(year=2025, number=1, status=Status.DRAFT)
    Section.objects.create(issue=issue, number="1", title="职教动态", position=0)
    Section.objects.create(issue=issue, number="2", title="职教观点", position=1)
    return issue


def _candidate(title: str = "候选", body: str = "<p>第一段。</p><p>第二段。</p>") -> Candidate:
    document = SourceDocument.objects.create(kind="other", title="素材")
    return Candidate.objects.create(document=document, position=1, title=title, body=body)


def test_excerpt_moves_later_articles_without_a_new_version_so_an_open_form_undoes_it(
    editor_client, chief_client
):
    """sources/excerpt.py shifts later articles with save(update_fields=["position", ...]):
    Article.save bumps the version only on full saves, so a form opened before the excerpt
    passes the conflict check and writes back its old position (two articles at one place)."""
    issue = _next_issue()
    first, second = issue.sections.order_by("position")
    later = Article.objects.create(
        issue=issue, section=second, number="2.1", position=0, title="后面的文章"
    )
    url = reverse("admin:articles_article_change", args=[later.pk])
    stale = admin_form_data(editor_client, url)  # the editor opens it
    stale["title"] = "编辑改了标题"

    (made,) = _excerpt_via_admin(chief_client, [_candidate()], first)
    later.refresh_from_db()
    assert later.position == made.position + 1

    response = editor_client.post(url, stale)
    later.refresh_from_db()
    if response.status_code == 302:  # saved: then at least not over the excerpt's place
        positions = list(issue.articles.values_list("position", flat=True))
        assert len(positions) == len(set(positions)), positions


def _excerpt_via_admin(client: Client, candidates: list[Candidate], section: Section):
    response = _action(
        client,
        Candidate,
        "excerpt_to_issue",
        [c.pk for c in candidates],
        section=section.pk,
    )
    assert response.status_code == 302, response.status_code
    return [Candidate.objects.get(pk=c.pk).article for c in candidates]


# ==================================================================================================
# Area 2: 素材库
# ==================================================================================================


def test_excerpt_number_taken_by_an_article_of_another_section_is_a_500(editor_client):
    """excerpt() numbers after the last article *of the section*; an article of another section
    that already holds that number (moved there, or numbered by hand) makes the INSERT fail on
    article_issue_number_unique: IntegrityError, a 500, instead of a next free number."""
    issue = _next_issue()
    first, second = issue.sections.order_by("position")
    Article.objects.create(issue=issue, section=second, number="1.1", position=0, title="移过去的")
    candidate = _candidate()
    response = _action(
        editor_client, Candidate, "excerpt_to_issue", [candidate.pk], section=first.pk
    )
    assert response.status_code in (200, 302), f"answered {response.status_code}"
    candidate.refresh_from_db()
    assert candidate.article is not None
    assert candidate.article.number != "1.1"


def test_merge_reads_the_second_title_as_html(editor_client):
    """sources/editing.py merge() parses the second candidate's *plain-text* title as HTML
    (fragment_fromstring), so a title with "<" loses its text in the merged body."""
    document = SourceDocument.objects.create(kind="other", title="素材")
    one = Candidate.objects.create(document=document, position=1, title="甲", body="<p>一。</p>")
    two = Candidate.objects.create(
        document=document, position=2, title="A<B 类院校名单", body="<p>二。</p>"
    )
    from sources.editing import merge

    kept = merge([one, two])
    assert "类院校名单" in kept.plain_text and "A" in kept.plain_text and "B" in kept.plain_text


def test_split_drops_text_that_is_not_inside_a_block():
    """body_blocks() skips top-level text, so split() rewrites the body without it: text lost."""
    candidate = _candidate(body="导语一句，没有段落标记。<p>第一段。</p><p>第二段。</p>")
    assert "导语一句" in candidate.plain_text
    from sources.editing import split

    second = split(candidate, at=1, title="后一篇")
    candidate.refresh_from_db()
    assert "导语一句" in candidate.plain_text + second.plain_text, "text lost by the split"


def test_split_title_longer_than_the_column_is_not_checked(editor_client):
    """split_view passes the posted title straight to Candidate(title=...) (max_length 300);
    SQLite stores 1000 characters, PostgreSQL raises DataError -> 500."""
    candidate = _candidate()
    url = reverse("admin:sources_candidate_split", args=[candidate.pk])
    response = editor_client.post(url, {"at": "1", "title": "长" * 1000})
    assert response.status_code in (200, 302)
    longest = max(len(t) for t in Candidate.objects.values_list("title", flat=True))
    assert longest <= 300, f"a title of {longest} characters was stored"


# --- hostile uploads ------------------------------------------------------------------------------


def _upload(client: Client, name: str, data: bytes):
    return client.post(
        reverse("admin:sources_sourcedocument_add"), {"file": SimpleUploadedFile(name, data)}
    )


def test_pasting_a_long_text_gets_a_bare_400_not_a_form_error(editor_client):
    """The paste box is a form field: over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, Django's default)
    Django answers 400 Bad Request with no Chinese message, while a file may be 20 MB."""
    text = ("职业教育产教融合，" * 40 + "\n") * 3000  # about 3.2 MB
    response = editor_client.post(reverse("admin:sources_sourcedocument_add"), {"pasted": text})
    # Django refuses the body before any form sees it; the page says why, in Chinese.
    assert response.status_code == 400
    assert "粘贴" in response.content.decode() and "上传" in response.content.decode()
    assert not SourceDocument.objects.exists()
