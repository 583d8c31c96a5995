"""Two app servers: two gunicorns on their own ports and local folders, one PostgreSQL, one bucket.

What lets a school run the site on several machines behind one reverse proxy, checked against
real processes: an attachment uploaded through one is served by the other, a PDF built by one is
served by the other without being built again, an edit saved through one is on the other's pages
at once (the page cache's content token is in the database), and a login on one is valid on the
other (sessions are in the database). Neither server writes a file on its own disk.

The servers use a copy of the test database (``CREATE DATABASE … TEMPLATE``: the seeds as
imported, in milliseconds), dropped afterwards, so the tests' own database is untouched and no
re-import is needed; and a bucket of their own on the S3 server of `scripts/with-s3.sh`. Needs
both services (`scripts/with-postgres.sh scripts/with-s3.sh .venv/bin/pytest`); skipped otherwise.
The same checks run in `bench/load.py --nodes 2`.
"""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import escape

from bench.load import (
    PNG,
    Browser,
    Node,
    _request,
    bucket_objects,
    save_title,
    start_nodes,
    stop_nodes,
    upload_attachment,
)
from core.env import parse_storage_url
from core.roles import CHIEF_EDITOR
from zhijiao.storage import client

S3_URL = os.environ.get("ZHIJIAO_TEST_STORAGE_URL", "")
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(
        not S3_URL, reason="needs an S3 server: ZHIJIAO_TEST_STORAGE_URL (scripts/with-s3.sh)"
    ),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="two app servers share one PostgreSQL (scripts/with-postgres.sh)"
    ),
    # The database run of `make test` keeps these; the servers use their own copy of it.
    pytest.mark.django_db,
]

ADMIN = settings.ZHIJIAO_ADMIN_PATH
EDITOR = "two-servers-editor"
TEACHER = "two-servers-teacher"
PASSWORD = secrets.token_urlsafe(16)


@dataclass
class Site:
    a: Node
    b: Node
    nodes: list[Node]
    storage_url: str
    database: dict
    bucket: str

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the servers' database (their copy, not the tests' own)."""
        with _connect(self.database) as db:
            return db.execute(sql, params).fetchall()


def _connect(database: dict, name: str | None = None, autocommit: bool = False):
    import psycopg

    return psycopg.connect(
        dbname=name or database["NAME"],
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        autocommit=autocommit,
    )


def _copy_test_database() -> dict:
    """A copy of the test database as it is now (the seeds, committed), for the servers."""
    from django.db import connection, connections

    source = connection.settings_dict
    connections.close_all()  # a template database must have no other session
    name = f"two_servers_{uuid.uuid4().hex[:8]}"
    with _connect(source, "postgres", autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [source["NAME"]],
        )
        admin.execute(f'CREATE DATABASE {name} TEMPLATE "{source["NAME"]}"')
    return {**source, "NAME": name}


def _drop(database: dict) -> None:
    with _connect(database, "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database['NAME']} WITH (FORCE)")


def _add_users(database: dict) -> None:
    """A 主编 and a teacher, with passwords the servers' own hasher reads (the tests' settings
    hash with MD5, which production settings do not accept)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hashed = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8))
    with _connect(database) as db:
        for username, staff in ((EDITOR, True), (TEACHER, False)):
            (user,) = db.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
                " email, is_staff, is_active, date_joined)"
                " VALUES (%s, false, %s, '', '', '', %s, true, now()) RETURNING id",
                [hashed, username, staff],
            ).fetchone()
            if staff:
                db.execute(
                    "INSERT INTO auth_user_groups (user_id, group_id)"
                    " SELECT %s, id FROM auth_group WHERE name = %s",
                    [user, CHIEF_EDITOR],
                )


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    config = replace(parse_storage_url(S3_URL), bucket=f"two-servers-{uuid.uuid4().hex[:8]}")
    s3 = client(config)
    s3.create_bucket(Bucket=config.bucket)
    storage_url = S3_URL.rsplit("/", 1)[0] + f"/{config.bucket}"
    database: dict | None = None
    nodes: list[Node] = []
    try:
        database = db = _copy_test_database()
        _add_users(database)
        env = {
            "DJANGO_SETTINGS_MODULE": "zhijiao.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),  # the same on both: sessions are shared
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}"
                f"/{db['NAME']}"
            ),
            "ZHIJIAO_STORAGE_URL": storage_url,
            "ZHIJIAO_MANIFEST_STATIC": "0",  # no collectstatic: pages only link static files
            "ZHIJIAO_PDF_AUTOBUILD": "0",
            "LOG_LEVEL": "WARNING",
        }
        # One worker each, so that "B keeps the page" below means B's one process.
        nodes = start_nodes(env, 2, 1, tmp_path_factory.mktemp("two-servers"))
        yield Site(nodes[0], nodes[1], nodes, storage_url, database, config.bucket)
    finally:
        stop_nodes(nodes)
        if database is not None:
            _drop(database)
        for key in bucket_objects(storage_url):
            s3.delete_object(Bucket=config.bucket, Key=key)
        s3.delete_bucket(Bucket=config.bucket)


def _logged_in(site: Site, node: Node, username: str = EDITOR) -> Browser:
    browser = Browser(node.port)
    browser.login(ADMIN, username, PASSWORD)
    return browser


def _article(site: Site, number: str) -> tuple[int, str, str]:
    """pk, title and public address of a published article of 2024年第02期."""
    ((pk, title),) = site.query(
        "SELECT a.id, a.title FROM articles_article a JOIN issues_issue i ON a.issue_id = i.id"
        " WHERE i.year = 2024 AND i.number = 2 AND a.number = %s",
        [number],
    )
    return pk, title, f"/articles/2024/2/{number}/"


def test_a_login_on_one_is_valid_on_the_other(site):
    on_a = _logged_in(site, site.a)
    on_b = Browser(site.b.port)
    on_b.cookies = dict(on_a.cookies)
    status, _, page = on_b.request("GET", f"/{ADMIN}")
    assert status == 200 and EDITOR in page
    # Logging out on B ends the session on A too: it is one row in the database.
    _, _, page = on_b.request("GET", f"/{ADMIN}")
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    status, _, _ = on_b.request("POST", f"/{ADMIN}logout/", [("csrfmiddlewaretoken", token)])
    assert status in {200, 302}
    status, found, _ = on_a.request("GET", f"/{ADMIN}")
    assert status == 302 and "/login/" in found["location"][0]


def test_an_attachment_uploaded_through_one_is_served_by_the_other(site):
    pk, _, _ = _article(site, "1.1.4")
    url = upload_attachment(_logged_in(site, site.a), ADMIN, pk, "两台服务器.png", PNG)
    status, found, body = _request(site.b.port, "GET", url)
    assert status == 200 and body == PNG
    assert found["content-type"] == ["image/png"]
    assert found["x-content-type-options"] == ["nosniff"]
    assert "sandbox" in found["content-security-policy"][0]
    ((name,),) = site.query("SELECT file FROM articles_attachment WHERE article_id = %s", [pk])
    assert f"media/{name}" in bucket_objects(site.storage_url, "media/attachments/")
    assert site.a.local_files() == site.b.local_files() == []


def test_a_pdf_built_by_one_is_served_by_the_other_without_rebuilding(site):
    path = "/issues/2024/2/pdf/"
    status, found_a, pdf = _request(site.a.port, "GET", path)
    assert status == 200 and pdf.startswith(b"%PDF")
    stored = bucket_objects(site.storage_url, "media/pdf/")
    assert len(stored) == 1
    status, found_b, again = _request(site.b.port, "GET", path)
    assert status == 200 and again == pdf and found_b["etag"] == found_a["etag"]
    # B wrote nothing: had it built the PDF, it would have stored it again (a new modification
    # time) or under another name.
    assert bucket_objects(site.storage_url, "media/pdf/") == stored
    status, _, _ = _request(site.b.port, "GET", path, headers={"If-None-Match": found_a["etag"][0]})
    assert status == 304
    assert site.a.local_files() == site.b.local_files() == []


def test_an_edit_saved_through_one_is_on_the_others_pages_at_once(site):
    pk, title, url = _article(site, "1.1.2")
    first = _request(site.b.port, "GET", url)
    second = _request(site.b.port, "GET", url)
    assert escape(title).encode() in first[2]
    assert second[1]["x-page-cache"] == ["hit"]  # B keeps the page in its own memory
    new = f"{title}（两台服务器）"
    save_title(_logged_in(site, site.a), ADMIN, pk, new)
    status, found, page = _request(site.b.port, "GET", url)
    assert status == 200 and escape(new).encode() in page
    assert found["x-page-cache"] == ["miss"]  # retired by the token A's save replaced


def test_a_teachers_login_on_one_gets_their_page_on_the_other(site):
    _, _, url = _article(site, "1.1.3")
    on_a = Browser(site.a.port)
    _, _, page = on_a.request("GET", "/accounts/login/")
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    status, _, _ = on_a.request(
        "POST",
        "/accounts/login/",
        [("csrfmiddlewaretoken", token), ("username", TEACHER), ("password", PASSWORD)],
    )
    assert status == 302
    on_b = Browser(site.b.port)
    on_b.cookies = dict(on_a.cookies)
    status, _, page = on_b.request("GET", url)
    assert status == 200 and f'<span class="who">{TEACHER}</span>' in page


def test_the_servers_are_really_two(site):
    """Different processes, ports and local folders, one database and one bucket."""
    assert site.a.port != site.b.port and site.a.process.pid != site.b.process.pid
    assert Path(site.a.directory) != Path(site.b.directory)
    assert all(node.process.poll() is None for node in site.nodes)
