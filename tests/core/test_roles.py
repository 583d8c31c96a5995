"""The trust boundary between 编辑 and 主编 in the admin: every way to change what the public sees.

Only 主编 (the ``publish_*`` permissions) put things online or take them down. An editor writes and
edits; whatever path a change takes — the change form, a history revert, delete, restore from
已删除的条目, moving an article, the import — it must not publish, unpublish or delete what
teachers read. Each test here is a way in that was once open.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article
from core.publishing import Status
from core.roles import CHIEF_EDITOR, EDITOR, ROLE_PERMISSIONS
from issues.models import Issue, Section
from tests.conftest import ISSUE_01, admin_form_data, seeds_dir
from tests.importer.seeded import delete_issue
from tests.seeds import SEED_COMMUNITY

pytestmark = pytest.mark.django_db


# Each role its own browser (conftest's editor_client and chief_client share one test client).
@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def chief_client(chief) -> Client:
    client = Client()
    client.force_login(chief)
    return client


def _article(number: str = "1.1.1", issue: int = 2) -> Article:
    return Article.objects.get(issue__year=2024, issue__number=issue, number=number)


def _history_url(obj, record) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        args=[obj.pk, record.history_id],
    )


def _action(client: Client, model, name: str, pks: list[int]):
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": name, "_selected_action": pks, "post": "yes"},
        follow=True,
    )


def _is_public(obj) -> bool:
    return type(obj).objects.published().filter(pk=obj.pk).exists()


# --- history revert -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Article, Issue])
def test_an_editor_reverting_to_a_published_version_does_not_publish(
    model, editor_client, chief_client
):
    obj = _article() if model is Article else Issue.objects.get(year=2024, number=1)
    published_version = obj.history.filter(status=Status.PUBLISHED).earliest("history_date")
    _action(chief_client, model, "unpublish", [obj.pk])
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT and not _is_public(obj)

    url = _history_url(obj, published_version)
    data = admin_form_data(editor_client, url)
    for _ in range(2):  # once was refused by the conflict check, the second went through
        response = editor_client.post(url, data)
        if response.status_code == 302:
            break
        form = response.context["adminform"].form
        assert form.non_field_errors() and not form.errors.keys() - {"__all__"}, form.errors
        data["base_version"] = form.data["base_version"]
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT and not _is_public(obj)
    assert obj.history.latest("history_date").status == Status.DRAFT


def test_an_editor_reverting_a_published_article_to_a_draft_version_keeps_it_online(
    editor_client, chief_client
):
    article = _article()
    _action(chief_client, Article, "unpublish", [article.pk])
    draft_version = article.history.latest("history_date")
    _action(chief_client, Article, "publish", [article.pk])
    assert _is_public(article)

    url = _history_url(article, draft_version)
    data = admin_form_data(editor_client, url)
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and _is_public(article)


def test_a_chief_editor_may_revert_the_status_too(chief_client):
    article = _article()
    published_version = article.history.filter(status=Status.PUBLISHED).earliest("history_date")
    _action(chief_client, Article, "unpublish", [article.pk])
    url = _history_url(article, published_version)
    assert chief_client.post(url, admin_form_data(chief_client, url)).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED


def test_revert_works_on_the_first_click_and_keeps_the_version_counting(editor_client, chief):
    article = _article("1.1.2")
    change = reverse("admin:articles_article_change", args=[article.pk])
    first = admin_form_data(editor_client, change)
    first["title"] = "第一次修改"
    assert editor_client.post(change, first).status_code == 302
    original = article.history.earliest("history_date")

    # A second editor opened the form before the revert.
    other = Client()
    other.force_login(chief)
    stale = admin_form_data(other, change)

    url = _history_url(article, original)
    response = editor_client.post(url, admin_form_data(editor_client, url))
    assert response.status_code == 302, response.context and response.context["errors"]
    article.refresh_from_db()
    assert article.title == original.title
    versions = list(article.history.values_list("version", flat=True))
    assert len(versions) == len(set(versions)), versions  # each save a new version
    assert article.version == max(versions)

    stale["title"] = "旧表单的标题"
    response = other.post(change, stale)
    assert response.status_code == 200  # refused: the revert came in between
    assert "保存被拒绝" in " ".join(response.context["adminform"].form.non_field_errors())
    article.refresh_from_db()
    assert article.title == original.title


def test_reverting_a_section_and_a_community_works(editor_client):
    from communities.models import Community

    for obj in (
        Section.objects.filter(issue__number=2).first(),
        Community.objects.get(number=SEED_COMMUNITY),
    ):
        record = obj.history.earliest("history_date")
        url = _history_url(obj, record)
        assert editor_client.post(url, admin_form_data(editor_client, url)).status_code == 302


# --- delete and restore ---------------------------------------------------------------------------


def test_an_editor_cannot_delete_a_published_article(editor_client):
    article = _article()
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    _action(editor_client, Article, "delete_selected", [article.pk])
    assert Article.objects.filter(pk=article.pk).exists() and _is_public(article)


def test_an_editor_may_delete_a_draft_article(editor_client, chief_client):
    article = _article("1.1.2")
    _action(chief_client, Article, "unpublish", [article.pk])
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_an_editor_restores_a_deleted_article_as_a_draft(editor_client, chief_client):
    article = _article("1.1.3")
    chief_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    record = Article.history.filter(id=article.pk, history_type="-").get()
    editor_client.post(reverse("admin:articles_article_deleted"), {"record": record.history_id})
    restored = Article.objects.get(pk=article.pk)
    assert restored.status == Status.DRAFT and not _is_public(restored)


def test_a_chief_editor_restores_a_deleted_article_as_it_was(chief_client):
    article = _article("1.1.3")
    chief_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    record = Article.history.filter(id=article.pk, history_type="-").get()
    chief_client.post(reverse("admin:articles_article_deleted"), {"record": record.history_id})
    assert _is_public(Article.objects.get(pk=article.pk))


# --- moving ---------------------------------------------------------------------------------------


def test_an_editor_cannot_move_a_published_article_into_a_published_issue(
    editor_client, chief_client
):
    draft_issue = Issue.objects.get(year=2024, number=1)
    _action(chief_client, Issue, "unpublish", [draft_issue.pk])
    article = _article("1.1.1", issue=1)
    assert article.status == Status.PUBLISHED and not _is_public(article)
    target = Issue.objects.get(year=2024, number=2)
    section = target.sections.get(number="1.1")

    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data.update(issue=target.pk, section=section.pk, number="9.9.9")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "主编" in " ".join(response.context["adminform"].form.non_field_errors())
    article.refresh_from_db()
    assert article.issue_id == draft_issue.pk and not _is_public(article)

    # The 主编 may.
    data = admin_form_data(chief_client, url)
    data.update(issue=target.pk, section=section.pk, number="9.9.9")
    assert chief_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert _is_public(article)


def test_an_editor_moves_a_draft_article_freely(editor_client, chief_client):
    article = _article("1.1.2")
    _action(chief_client, Article, "unpublish", [article.pk])
    section = article.issue.sections.get(number="1.2")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data["section"] = section.pk
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.section_id == section.pk


# --- import ---------------------------------------------------------------------------------------


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("2024-01.txt", (seeds_dir() / ISSUE_01).read_bytes())


@pytest.fixture
def changer_client(client) -> Client:
    """Someone who may change issues but not create them (a group an admin made)."""
    user = User.objects.create_user("changer", password="pw", is_staff=True)
    group = Group.objects.create(name="只改不建")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["view_issue", "change_issue", "view_article"])
    )
    user.groups.add(group)
    client.force_login(user)
    return client


def test_import_needs_the_right_to_create_issues(changer_client):
    delete_issue(year=2024, number=1)
    url = reverse("admin:issues_issue_import")
    response = changer_client.post(url, {"file": _upload()})
    assert response.status_code == 200
    token = response.context.get("token")
    if token:
        response = changer_client.post(url, {"token": token, "publish": "0"})
    assert not Issue.objects.filter(year=2024, number=1).exists()


def test_the_import_offers_publishing_only_to_those_who_may_publish(editor_client, chief_client):
    url = reverse("admin:issues_issue_import")
    assert "publish" not in editor_client.get(url).context["form"].fields
    assert "publish" in chief_client.get(url).context["form"].fields


def test_editors_create_draft_issues_and_chief_editors_publish_them():
    editor = {codename for _, codename in ROLE_PERMISSIONS[EDITOR]}
    chief = {codename for _, codename in ROLE_PERMISSIONS[CHIEF_EDITOR]}
    assert "add_issue" in editor and "publish_issue" not in editor
    assert {"publish_issue", "publish_article", "delete_issue"} <= chief


def test_the_editor_group_holds_exactly_the_listed_permissions():
    for name, perms in ROLE_PERMISSIONS.items():
        held = set(
            Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        assert held == set(perms), name


# --- the registry, which has no draft state -------------------------------------------------------


def _issue_02_with_a_changed_appendix() -> str:
    from tests.conftest import ISSUE_02, seed_text

    text = seed_text(ISSUE_02)
    assert "2024年第02期" in text
    # Another issue number (a new draft), one registry entry renamed.
    entry = "\n长江游轮行业产教融合共同体\n"
    assert text.count(entry) == 1, entry
    return text.replace("2024年第02期", "2025年第01期").replace(entry, entry[:-1] + "（改）\n")


def test_a_draft_import_that_changes_the_registry_asks_first(chief_client):
    from communities.models import Community
    from importer.common import ImportRefused
    from importer.load import import_issue

    text = _issue_02_with_a_changed_appendix()
    names = dict(Community.objects.values_list("number", "name"))
    dry = import_issue(text=text, dry_run=True)
    assert dry.registry_changes and dry.registry_goes_public_before_the_issue
    changed = dry.registry_changes.changed
    assert len(changed) == 1 and "（改）" not in names[changed[0]]
    with pytest.raises(ImportRefused, match="附录会立即改变公开的共同体名录"):
        import_issue(text=text)
    assert dict(Community.objects.values_list("number", "name")) == names  # nothing written

    url = reverse("admin:issues_issue_import")
    response = chief_client.post(
        url, {"file": SimpleUploadedFile("2025-01.txt", text.encode()), "replace": "on"}
    )
    html = response.content.decode()
    assert "立即" in html and f"编号 {changed[0]}" in html and 'name="registry_now"' in html
    token = response.context["token"]
    response = chief_client.post(url, {"token": token, "publish": "0", "replace": "1"})
    assert dict(Community.objects.values_list("number", "name")) == names
    assert not Issue.objects.filter(year=2025, number=1).exists()


def test_a_confirmed_draft_import_changes_the_registry(chief_client):
    from communities.models import Community
    from importer.load import import_issue

    text = _issue_02_with_a_changed_appendix()
    dry = import_issue(text=text, dry_run=True)
    import_issue(text=text, registry_now=True, replace=True)
    number = dry.registry_changes.changed[0]
    assert Community.objects.get(number=number).name.endswith("（改）")
    assert Issue.objects.get(year=2025, number=1).status == Status.DRAFT


# --- storage that fails ---------------------------------------------------------------------------


@pytest.fixture
def failing_storage(monkeypatch):
    from django.core.files.storage import default_storage

    default_storage._setup()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(type(default_storage._wrapped), "_save", refuse)


def test_an_import_whose_file_cannot_be_stashed_says_so(chief_client, failing_storage):
    response = chief_client.post(reverse("admin:issues_issue_import"), {"file": _upload()})
    assert response.status_code == 200
    assert "存储暂时不可写" in " ".join(response.context["form"].errors["file"])


def test_an_attachment_that_cannot_be_stored_is_a_form_error(editor_client, failing_storage):
    from tests.articles.test_attachments import PNG

    article = _article("1.1.2")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data.update(
        {
            "title": "改过的标题",
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "图",
            "attachments-0-file": SimpleUploadedFile("x.png", PNG),
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "附件未能保存" in response.content.decode()
    assert "改过的标题" in response.content.decode()  # the editor's text is still in the form
    article.refresh_from_db()
    assert article.title != "改过的标题" and not article.attachments.exists()
