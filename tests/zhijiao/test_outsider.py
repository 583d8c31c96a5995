"""A closed intranet: with ZHIJIAO_REQUIRE_LOGIN (and a visitor outside ZHIJIAO_ALLOWED_NETWORKS)
every URL pattern of the project, filled with real values from the seeds, serves nothing to an
outsider — only /healthz, static files and the two login pages answer.

The walk goes through the resolver, not a list: a URL added later is walked too, and one whose
parameters the walk cannot fill fails here until `_value` learns them.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from articles.models import Article, Attachment
from communities.models import Organization
from sources.models import SourceDocument
from tests.conftest import import_seeds
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY, seed_text

pytestmark = pytest.mark.django_db


@dataclass
class Leaf:
    name: str  # "namespace:name", or the route for an unnamed pattern
    route: str  # the patterns joined, for messages
    path: str  # filled with real values
    pattern: URLPattern

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.route.startswith(_admin_prefix())

    @property
    def is_catch_all(self) -> bool:
        return ".*" in self.route


def _admin_prefix() -> str:
    return reverse("admin:index").lstrip("/")


def _store_a_source_document() -> None:
    # The 素材库's pages need a document to show (editors' material, not in the seeds).
    from sources.library import read_document, store_document
    from tests.sources.seedfiles import NEWSLETTER

    text, doc = read_document(pasted=seed_text(NEWSLETTER))
    store_document(text=text, doc=doc)


@pytest.fixture(scope="module", autouse=True)
def _a_source_document(django_db_setup, django_db_blocker):
    """The walks of a module share one stored source document: storing it (its candidates, and
    their similarity to every article) costs about a second, and each walking test would store it
    again in its own transaction. Committed before the module's first test, and the database put
    back as the session seeded it after its last (tests/conftest.py's ``import_seeds``), so no
    other module sees it. A walk without this fixture stores one itself (``_samples``)."""
    with django_db_blocker.unblock():
        if not SourceDocument.objects.exists():
            _store_a_source_document()
    yield
    with django_db_blocker.unblock():
        import_seeds()


def _samples() -> dict[str, object]:
    article = (
        Article.objects.published()
        .select_related("issue", "section")
        .get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    )
    if not article.tags.exists():
        article.tags.add("产教融合")
    if not SourceDocument.objects.exists():
        _store_a_source_document()
    return {
        "article": article,
        "organization": Organization.objects.filter(communities__number=SEED_COMMUNITY).first(),
        "first": {},  # per admin model: its first row and that row's first history record
        "fixed": None,  # the values that depend on no route, read once per walk
    }


def _first(model, samples: dict):
    """The model's first row, and its first history record where it has a history: read once per
    walk (a walk asks for them for every parameter of every URL of the model)."""
    if model not in samples["first"]:
        obj = model._default_manager.order_by("pk").first()
        history = getattr(model, "history", None)
        record = history.filter(id=obj.pk).first() if history is not None and obj else None
        samples["first"][model] = obj, record
    return samples["first"][model]


def _admin_model(route: str):
    """The model of an admin URL such as "admin/issues/issue/<path:object_id>/change/"."""
    parts = route[len(_admin_prefix()) :].split("/")
    try:
        return apps.get_model(parts[0], parts[1])
    except (LookupError, IndexError, ValueError):
        return None


def _value(param: str, name: str, route: str, samples: dict) -> str:
    article, organization = samples["article"], samples["organization"]
    model = _admin_model(route) if route.startswith(_admin_prefix()) else None
    obj, record = _first(model, samples) if model is not None else (None, None)
    if param in ("object_id", "id"):  # "id": the admin's user password page
        if name == "admin:view_on_site":
            return str(article.pk)
        return str(obj.pk) if obj is not None else "1"
    if param == "history_id":
        return str(record.history_id) if record is not None else "1"
    if samples["fixed"] is None:
        samples["fixed"] = {
            "year": "2024",
            "article": article.number,
            "title": article.section.title,
            "source": "中国教育报",
            "place": "广州",
            "slug": article.tags.first().slug,
            "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
            "app_label": "issues",
            "url": "nothing/",
            "rest": "nothing/",
        }
    fixed = {**samples["fixed"], "number": str(SEED_COMMUNITY) if "communit" in route else "2"}
    if param == "pk":
        if name == "articles:attachment":
            first = Attachment.objects.order_by("pk").first()
            return str(first.pk) if first is not None else "1"
        return str(article.pk if name == "api:article" else organization.pk)
    if param not in fixed:
        raise AssertionError(f"{route}: teach _value a sample for <{param}>")
    return fixed[param]


def _fill(pattern, name: str, route: str, samples: dict) -> str:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _value(m.group(1), name, route, samples), text)
    assert isinstance(pattern, RegexPattern), pattern
    text = text.removeprefix("^").removesuffix("$")
    text = re.sub(r"\(\?P<(\w+)>[^()]*\)", lambda m: _value(m.group(1), name, route, samples), text)
    unnamed = iter(("object_id", "history_id"))  # simple_history's ^([^/]+)/history/([^/]+)/$
    text = re.sub(r"\([^()?]*\)", lambda m: _value(next(unnamed), name, route, samples), text)
    assert not re.search(r"[\\()\[\]*+?^$|]", text), f"{route}: cannot fill {text!r}"
    return text


def walk(samples: dict | None = None) -> list[Leaf]:
    """Every leaf pattern of the project with its URL filled from the seeds."""
    samples = samples or _samples()
    leaves: list[Leaf] = []

    def visit(patterns, parents, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                inner = f"{namespace}:{ns}" if namespace and ns else ns or namespace
                visit(pattern.url_patterns, [*parents, pattern.pattern], inner)
                continue
            chain = [*parents, pattern.pattern]
            route = "".join(str(p) for p in chain)
            name = pattern.name or route
            if pattern.name and namespace:
                name = f"{namespace}:{pattern.name}"
            path = "/" + "".join(_fill(p, name, route, samples) for p in chain)
            leaves.append(Leaf(name, route, path, pattern))

    visit(get_resolver().url_patterns, [], None)
    return leaves


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def attachment(settings, tmp_path):
    """An image attached to a published article: a media file the walk must find closed."""
    settings.MEDIA_ROOT = tmp_path
    article = Article.objects.published().order_by("pk").first()
    item = Attachment(article=article, title="图", file=ContentFile(_png(), name="figure.png"))
    item.full_clean()
    item.save()
    return item


OPEN = {"healthz", "login", "admin:login"}
# Open as well (zhijiao/access.py): /favicon.ico, a redirect to the static file, which is open.
OPEN_REDIRECTS = {"favicon"}
# POST-only views answer GET with 405 and serve nothing.
# The rich-text editor's clean-paste endpoint is a JSON POST (articles/admin.py).
POST_ONLY = {"logout", "admin:logout", "admin:articles_article_editor_paragraphs"}


def test_the_walk_fills_every_pattern_with_a_url_that_resolves_to_it():
    leaves = walk()
    assert len(leaves) > 60
    for leaf in leaves:
        match = resolve(leaf.path)
        assert match.func == leaf.pattern.callback, (leaf.route, leaf.path, match)


@pytest.mark.usefixtures("typeset_once")  # the PDFs are served, their layout is tested elsewhere
def test_the_walk_uses_real_values(client, superuser, attachment):
    """Logged in as a superuser, the same URLs are served: the outsider's refusals below are the
    middleware's, not a 404 for a made-up number."""
    client.force_login(superuser)
    for leaf in walk():
        if leaf.is_catch_all:
            continue
        response = client.get(leaf.path)
        expected = (405,) if leaf.name in POST_ONLY else (200, 302)
        if leaf.is_admin:
            # Read-only admins (axes' logs) refuse add with 403; autocomplete refuses a request that
            # names no field. What matters here: found, and no error.
            expected = (*expected, 403)
        assert response.status_code in expected, (leaf.route, leaf.path, response.status_code)


def _assert_refused(leaf: Leaf, response) -> None:
    where = (leaf.route, leaf.path, response.status_code)
    if leaf.name in POST_ONLY:
        assert response.status_code in (302, 405), where
    elif leaf.path.startswith("/api/"):
        assert response.status_code in (401, 403), where
        assert response["Content-Type"].startswith("application/json"), where
        assert response.json()["detail"], where
    elif leaf.is_admin:
        # The admin is left open by the middleware; its own staff check sends to its login.
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("admin:login") + "?next="), where
    else:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("login") + "?next="), where


OUTSIDERS = [
    pytest.param(
        {"ZHIJIAO_REQUIRE_LOGIN": True, "ZHIJIAO_ALLOWED_NETWORKS": []}, "10.1.2.3", id="login"
    ),
    pytest.param(
        {"ZHIJIAO_REQUIRE_LOGIN": True, "ZHIJIAO_ALLOWED_NETWORKS": ["10.0.0.0/8"]},
        "203.0.113.9",
        id="outside-the-campus-network",
    ),
    pytest.param(
        # The network list alone closes the site as well.
        {"ZHIJIAO_REQUIRE_LOGIN": False, "ZHIJIAO_ALLOWED_NETWORKS": ["10.0.0.0/8"]},
        "203.0.113.9",
        id="network-list-only",
    ),
]


@pytest.mark.parametrize(("overrides", "address"), OUTSIDERS)
def test_an_outsider_gets_nothing_from_any_url(client, overrides, address, attachment):
    leaves = walk()
    with override_settings(**overrides):
        for leaf in leaves:
            response = client.get(leaf.path, REMOTE_ADDR=address)
            if leaf.name in OPEN:
                assert response.status_code == 200, (leaf.route, response.status_code)
                continue
            if leaf.name in OPEN_REDIRECTS:
                assert response.status_code == 302, (leaf.route, response.status_code)
                assert response["Location"].startswith(settings.STATIC_URL), leaf.route
                continue
            _assert_refused(leaf, response)
            body = response.content.decode(errors="replace")
            assert "2024" not in body and "共同体" not in body, leaf.route


EXTRA = [
    "/search/?q=职业教育",
    "/api/search/?q=职业教育",
    "/articles/feed/?page=2",
    "/sitemap.xml?section=articles",
    "/media/pdf/2024-02.pdf",
    "/media/anything.png",
    "/api/schema/?format=json",
    "/nothing-here/",
]


@pytest.mark.parametrize(("overrides", "address"), OUTSIDERS)
def test_queries_media_and_unknown_paths_are_refused_too(client, overrides, address):
    with override_settings(**overrides):
        for url in EXTRA:
            response = client.get(url, REMOTE_ADDR=address)
            if url.startswith("/api/"):
                assert response.status_code == 403, url
            else:
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("login") + "?next="), url


@override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=[])
def test_only_health_static_and_login_are_open(client):
    assert client.get(reverse("healthz")).status_code == 200
    static = client.get("/static/css/site.css")
    assert static.status_code in (200, 404)  # served (collected) or absent, never a redirect
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("admin:login")).status_code == 200


@override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_the_campus_network_and_a_logged_in_teacher_are_served(client, teacher):
    home = reverse("issues:home")
    assert client.get(home, REMOTE_ADDR="10.9.8.7").status_code == 200
    client.force_login(teacher)
    assert client.get(home, REMOTE_ADDR="203.0.113.9").status_code == 200
