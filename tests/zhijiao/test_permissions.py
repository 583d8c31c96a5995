"""Who may see what, for every admin view and every public view: an outsider, a teacher (logged
in, not staff), 编辑 and 主编. Complements test_pages.py (public pages, site open) and
test_admin_pages.py (changelist/change/add for staff) with the closed intranet, the teacher, and
every other admin URL (history, delete, import, the admin's own pages), walked from the resolver.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.zhijiao.test_outsider import Leaf, _a_source_document, _admin_model, attachment, walk

__all__ = ["_a_source_document", "attachment"]  # the fixtures, shared with test_outsider

pytestmark = pytest.mark.django_db

ROLES = ["outsider", "teacher", "editor", "chief"]
closed = override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=[])


def _as(client, request, role):
    user = None if role == "outsider" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)
    return user


# --- public views ---------------------------------------------------------------------------------


@closed
@pytest.mark.usefixtures("typeset_once")  # the PDFs are served, their layout is tested elsewhere
@pytest.mark.parametrize("role", ROLES)
def test_every_public_view_in_the_closed_intranet(client, request, role, attachment):
    user = _as(client, request, role)
    for leaf in walk():
        if leaf.is_admin or leaf.is_catch_all:
            continue
        response = client.get(leaf.path)
        where = (role, leaf.route, response.status_code)
        if leaf.name in {"healthz", "login"}:
            # The login page for a logged-in user is the form again (no redirect loop).
            assert response.status_code == 200, where
        elif leaf.name == "favicon":  # open to all, like the static file it points at
            assert response.status_code == 302, where
            assert response["Location"].startswith("/static/"), where
        elif user is None:
            if leaf.path.startswith("/api/"):
                assert response.status_code == 403, where
            else:
                assert response.status_code == 302, where
                assert response["Location"].startswith(reverse("login") + "?next="), where
        elif leaf.name == "logout":
            assert response.status_code == 405, where  # POST only
        else:
            assert response.status_code == 200, where


@closed
@pytest.mark.parametrize("role", ["teacher", "editor", "chief"])
def test_logging_out_closes_the_site_again(client, request, role):
    _as(client, request, role)
    home = reverse("issues:home")
    assert client.get(home).status_code == 200
    assert client.post(reverse("logout")).status_code in (200, 302)
    assert client.get(home).status_code == 302


# --- admin views ----------------------------------------------------------------------------------


# The admin's own views for each kind of model URL and the permission each needs; a model admin's
# custom views (import, deleted, …) are checked by the rule in _expected.
_STANDARD = {
    "changelist": "view",
    "change": "view",  # read-only without change permission
    "history": "view",
    "add": "add",
    "delete": "delete",
}


POST_ONLY = {"admin:articles_article_editor_paragraphs"}


def _expected(user, leaf: Leaf) -> tuple[int, ...]:
    model = _admin_model(leaf.route)
    own = {
        "admin:index": (200,),
        "admin:app_list": (200,) if user.has_module_perms("issues") else (403, 404),
        "admin:login": (302,),  # already logged in: on to the index
        "admin:logout": (405,),  # POST only
        "admin:password_change": (200,),
        "admin:password_change_done": (200,),
        "admin:jsi18n": (200,),
        "admin:autocomplete": (403,),  # names no field: refused for everyone
        "admin:view_on_site": (302,),
    }
    if model is None:
        return own[leaf.name]
    label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
    may_view = user.has_perm(label % "view") or user.has_perm(label % "change")
    if leaf.pattern.name is None:
        return (302,)  # /<id>/ redirects to /<id>/change/, which then checks
    action = _STANDARD.get(leaf.name.rsplit("_", 1)[-1])
    if action is None:
        # A custom view (import, restore deleted, …): never for someone who may not even see
        # the model; otherwise its own rule decides, and it must not fail. A POST-only one (the
        # editor's clean paste) answers a GET with 405.
        if leaf.name in POST_ONLY:
            return (403, 405) if may_view else (403,)
        return (200, 302, 403) if may_view else (403,)
    allowed = may_view if action == "view" else user.has_perm(label % action)
    if action == "delete" and allowed:
        # What the public reads is deleted only by those who may publish (test_admin_roles.py).
        obj = model._default_manager.filter(pk=leaf.path.rstrip("/").split("/")[-2]).first()
        if getattr(obj, "status", None) == "published":
            allowed = user.has_perm(label % "publish")
    if "object_id" in leaf.route and not model._default_manager.exists():
        # No such object (axes' empty logs): the admin says so on its index, or refuses first.
        return (302,) if allowed else (302, 403)
    return (200,) if allowed else (403,)


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_view(client, request, role):
    user = _as(client, request, role)
    for leaf in walk():
        if not leaf.is_admin or leaf.is_catch_all:
            continue
        response = client.get(leaf.path)
        where = (role, leaf.route, response.status_code)
        if leaf.name == "admin:login":
            expected = (200,) if user is None or not user.is_staff else (302,)
            assert response.status_code in expected, where
        elif user is None or not user.is_staff:
            if leaf.name == "admin:logout":
                # GET logs nobody out: 405, or back to the admin (and so to its login).
                assert response.status_code in (302, 405), where
                continue
            # Outsider and teacher alike: the admin's login page, nothing else.
            assert response.status_code == 302, where
            assert response["Location"].startswith(reverse("admin:login") + "?next="), where
        else:
            assert response.status_code in _expected(user, leaf), where


def test_chief_may_do_what_the_editor_may_not(editor, chief):
    """The roles differ where core/roles.py says: 主编 delete issues and publish."""
    for perm in ("issues.delete_issue", "issues.publish_issue", "articles.publish_article"):
        assert chief.has_perm(perm) and not editor.has_perm(perm), perm
    for perm in ("auth.view_user", "axes.view_accessattempt"):
        assert not chief.has_perm(perm) and not editor.has_perm(perm), perm
