"""`make backup` / `make restore`: a backup restored into an empty database holds everything."""

from __future__ import annotations

import sqlite3
import tarfile
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue
from zhijiao.backup import BackupError, create_backup, read_manifest, restore_backup

pytestmark = pytest.mark.django_db

TABLES = {
    "issues_issue": Issue,
    "articles_article": Article,
    "communities_community": Community,
    "communities_organization": Organization,
    # Revisions come back too.
    "articles_historicalarticle": Article.history.model,
    "issues_historicalissue": Issue.history.model,
    "communities_historicalcommunity": Community.history.model,
}


def _count_rows(vendor: str, database: dict) -> dict[str, int]:
    if vendor == "sqlite":
        db = sqlite3.connect(database["NAME"])
    else:
        import psycopg

        db = psycopg.connect(
            dbname=database["NAME"],
            host=database["HOST"],
            port=database["PORT"],
            user=database["USER"],
            password=database["PASSWORD"] or None,
        )
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        db.close()


@pytest.fixture
def empty_database(tmp_path):
    """A database of the same kind as the one under test, with nothing in it."""
    if connection.vendor == "sqlite":
        yield {"NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    settings = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        dbname="postgres",
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield {**settings, "NAME": name}
    finally:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()


def test_backup_restores_into_an_empty_database(tmp_path, empty_database):
    archive = create_backup(directory=tmp_path / "backups")
    assert archive.name.startswith("zhijiao-") and archive.name.endswith(".tar.gz")
    manifest = read_manifest(archive)
    assert manifest["counts"]["issues.Issue"] == Issue.objects.count() == 2
    restore_backup(
        archive=archive,
        database=empty_database,
        vendor=connection.vendor,
        media_root=tmp_path / "media",
    )
    assert _count_rows(connection.vendor, empty_database) == {
        table: model.objects.count() for table, model in TABLES.items()
    }


def test_backup_includes_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads" / "photo.png").write_bytes(b"\x89PNG...")
    archive = create_backup(directory=tmp_path)
    with tarfile.open(archive) as tar:
        assert "media/uploads/photo.png" in tar.getnames()


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(BackupError):
        read_manifest(junk)
    with pytest.raises(CommandError):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
