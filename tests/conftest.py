"""Shared fixtures: the two real seed issues imported once per session, and a user for each role.

Tests that only read use the imported content as it is; tests that write run inside pytest-django's
per-test transaction, which is rolled back, so the seeds stay as imported for the next test.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from core.roles import CHIEF_EDITOR, EDITOR
from tests.seeds import ISSUE_01, ISSUE_02, seed_text, seeds_dir  # noqa: F401 (re-exported)


def pytest_configure(config):
    # Password hashing on purpose slow in production; the tests log users in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from importer.load import import_issue

    with django_db_blocker.unblock():
        for name in (ISSUE_02, ISSUE_01):
            import_issue(text=seed_text(name), publish=True)
        _seeded.take()
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            # The live server's thread leaves its connection open; PostgreSQL would refuse to
            # drop the test database while it is.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        _seeded.drop()


class _SeededCopy:
    """The test database as the session left it (the migrations' rows and the two seed issues),
    for putting back after a transactional test in a fraction of a second; importing the seeds
    again takes seconds. On SQLite a copy in memory, made and put back with SQLite's backup API;
    on PostgreSQL a second database, the test database's template when it is made again."""

    def __init__(self) -> None:
        self.copy = None  # SQLite: the copy's connection; PostgreSQL: the copy's name

    def take(self) -> None:
        import sqlite3

        from django.db import connection

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
        elif connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            copy = f"{name}_seeded"
            connection.close()  # a template must have no other session
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
                cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            self.copy = copy

    def restore(self) -> bool:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        if self.copy is None or connection.in_atomic_block:
            return False
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.copy.backup(connection.connection)
        else:
            name = connection.settings_dict["NAME"]
            connection.close()
            with connection._nodb_cursor() as cursor:
                # FORCE: a thread of the test may have left its connection open.
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.copy}"')
        ContentType.objects.clear_cache()
        return True

    def drop(self) -> None:
        from django.db import connection

        if connection.vendor == "postgresql" and self.copy is not None:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')
        self.copy = None


_seeded = _SeededCopy()


def import_seeds() -> None:
    """The database as every test finds it, back in place after a transactional test, which
    Django ends by emptying every table: the session's copy where there is one, else what the
    migrations wrote first (groups, topics) and then the two issues, imported again."""
    from django.core.management import call_command
    from django.db import connection

    from importer.load import import_issue
    from issues.models import Issue

    if _seeded.restore():
        return
    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized and not Issue.objects.filter(year=2024, number=2).exists():
        # Empty the tables again without post_migrate's content types, which would clash with
        # the serialised ones.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(serialized)
    for name in (ISSUE_02, ISSUE_01):
        import_issue(text=seed_text(name), publish=True)


@pytest.fixture(scope="module")
def seeds_afterwards(django_db_blocker):
    """For a transactional test: the seeds are imported again once it has ended. (Module scope,
    so that this runs after Django has emptied the tables at the end of the test.)"""
    yield
    with django_db_blocker.unblock():
        import_seeds()


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with no cached pages and no kept parts, as a newly started process does.
    (The tokens in the database are rolled back with the test; what is kept in memory is not,
    and a test's write that bypasses a unit, a ``QuerySet.update``, leaves it kept under the
    token the rollback brings back.)"""
    from django.core.cache import caches

    from core import kept, pagecache

    caches[pagecache.CACHE_ALIAS].clear()
    caches[kept.CACHE_ALIAS].clear()


@pytest.fixture
def no_page_cache(settings):
    """For tests that count what a view itself costs, every time it runs."""
    settings.ZHIJIAO_PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="session")
def _media_folders(tmp_path_factory) -> Iterator[Path]:
    """Under one session folder, a name per test (``tmp_path`` would make and number a folder for
    every test, most of which write nothing; the storage makes it at its first file)."""
    base = tmp_path_factory.mktemp("media")
    return (base / str(n) for n in itertools.count())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, _media_folders):
    """Files the code writes (PDFs, attachments) go to a folder of the test's own."""
    settings.MEDIA_ROOT = next(_media_folders)


class TypesetOnce:
    """``render_pdf`` that lays each document out once a session: Typst lays out the same data
    into the same bytes (the file's dates come from the content), so the same data, time stamp
    and fonts give the bytes (and the headings' pages) of the first layout. A layout that fails is
    not kept, so it fails again the next time it is asked for."""

    def __init__(self) -> None:
        self.pdfs: dict = {}
        self.layouts = 0  # how many documents were actually typeset

    @staticmethod
    def key(data: dict[str, Any], timestamp) -> str:
        from printing import render

        images = {k: hashlib.sha256(v).hexdigest() for k, v in data.get("images", {}).items()}
        payload = json.dumps({**data, "images": images}, ensure_ascii=False, sort_keys=True)
        # font_dirs() as render_pdf calls it: without a CJK font it raises PdfUnavailable here.
        return f"{render.font_dirs()}|{timestamp}|{payload}"

    def render_pdf(self, data: dict[str, Any], *, timestamp=None):
        from printing import render

        key = self.key(data, timestamp)
        if key not in self.pdfs:
            self.pdfs[key] = render.render_pdf(data, timestamp=timestamp)
            self.layouts += 1
        return self.pdfs[key]


@pytest.fixture(scope="session")
def _typeset_once() -> TypesetOnce:
    return TypesetOnce()


@pytest.fixture
def typeset_once(monkeypatch, _typeset_once) -> TypesetOnce:
    """For a test about serving or storing PDFs rather than laying them out: every build in it
    (views, storage, commands) reuses the layout of a document typeset before in the session, by
    any test (the printing tests, the walks through every page in tests/zhijiao). Not for tests of
    what a failing layout or a fresh compiler does, nor of what is printed."""
    from printing import build

    monkeypatch.setattr(build, "render_pdf", _typeset_once.render_pdf)
    return _typeset_once


def role_group(name: str) -> Group:
    """The role's group as the data migration makes it, made again where a transactional test's
    flush emptied the table (the browser tests)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from core.roles import ROLE_PERMISSIONS

    group, created = Group.objects.get_or_create(name=name)
    if created:
        wanted = Q(pk__in=[])
        for app_label, codename in ROLE_PERMISSIONS[name]:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
    return group


def _staff(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=group is not None)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def teacher(db) -> User:
    return _staff("teacher", None)


@pytest.fixture
def editor(db) -> User:
    return _staff("editor", EDITOR)


@pytest.fixture
def chief(db) -> User:
    return _staff("chief", CHIEF_EDITOR)


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", password="pw")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


def admin_form_data(client, url: str) -> dict:
    """What the admin's change form would post unchanged: its fields and its inlines' forms."""
    response = client.get(url)
    adminform = response.context["adminform"]
    form = adminform.form
    # Only the fields the page shows and a browser would send, read-only ones excepted.
    shown = {
        admin_field.field.name
        for fieldset in adminform
        for line in fieldset
        for admin_field in line
        if not admin_field.is_readonly
    }
    data: dict = {}
    for name, field in form.fields.items():
        if name not in shown:
            continue
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, (list, tuple)):
            value = [getattr(v, "pk", v) for v in value]
        data[name] = value
    # The history form (a revert) has no inlines.
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, 0)
        for i, sub in enumerate(formset.forms):
            for name in sub.fields:
                value = sub.initial.get(name)
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    return data


# --- which tests the PostgreSQL run repeats -------------------------------------------------------

_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def touches_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """``ZHIJIAO_TESTS=database``: only the tests that touch the database (make test runs the
    whole suite on SQLite, then these again on PostgreSQL). Parsers, tokens, Typst layouts and
    the browser (which drives the same Django views) say nothing new on a second database."""
    if os.environ.get("ZHIJIAO_TESTS") != "database":
        return
    browser = Path(__file__).resolve().parent / "browser"
    keep = [i for i in items if touches_database(i) and browser not in Path(str(i.path)).parents]
    kept = set(keep)
    dropped = [i for i in items if i not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
