"""`make backup` / `make restore`: a backup restored into an empty database holds everything."""

from __future__ import annotations

import os
import sqlite3
import stat
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue
from zhijiao.backup import (
    BackupError,
    create_backup,
    read_manifest,
    restore_backup,
    storage_files,
)

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
        storage=FileSystemStorage(location=tmp_path / "restored-media"),
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


# --- who may read a backup: it holds password hashes and sessions ---------------------------------


@pytest.fixture
def open_umask():
    """The most permissive umask: the modes below must come from the code, not the process."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_archive_is_private_from_its_first_byte(tmp_path, monkeypatch, open_umask):
    folder = tmp_path / "backups"
    seen = []
    real_open = tarfile.open

    def watching_open(*args, **kwargs):
        tar = real_open(*args, **kwargs)
        # The archive is being written: whatever is in the folder must already be private.
        seen.extend((path.name, _mode(path)) for path in folder.iterdir())
        return tar

    monkeypatch.setattr(tarfile, "open", watching_open)
    archive = create_backup(directory=folder)
    assert seen and all(mode == 0o600 for _, mode in seen), seen
    assert _mode(archive) == 0o600
    assert _mode(folder) == 0o700
    assert [p.name for p in folder.iterdir()] == [archive.name]  # no partial file left behind


def test_an_existing_backup_folder_is_tightened(tmp_path, open_umask):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    archive = create_backup(directory=folder)
    assert _mode(folder) == 0o700 and _mode(archive) == 0o600


def test_the_backup_command_writes_a_private_archive(tmp_path, open_umask):
    out = StringIO()
    call_command("backup", "--dir", str(tmp_path / "b"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert _mode(archive) == 0o600 and _mode(archive.parent) == 0o700


# --- media come back exactly as they were ---------------------------------------------------------


def _media_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_restore_puts_the_media_back_exactly(tmp_path, settings, empty_database):
    media = Path(settings.MEDIA_ROOT)
    default_storage.save("attachments/2024/photo.png", ContentFile(b"\x89PNG old"))
    default_storage.save("pdf/1/issue-abc.pdf", ContentFile(b"%PDF- old"))
    default_storage.save("empty.txt", ContentFile(b""))
    before = _media_files(media)
    archive = create_backup(directory=tmp_path / "backups")

    # After the backup: a file changed, one deleted, new ones added (at the top and deep down).
    (media / "attachments/2024/photo.png").write_bytes(b"\x89PNG changed")
    default_storage.delete("pdf/1/issue-abc.pdf")
    default_storage.save("pdf/1/issue-def.pdf", ContentFile(b"%PDF- after"))
    default_storage.save("attachments/2025/new/after.png", ContentFile(b"\x89PNG after"))
    default_storage.save("stray.txt", ContentFile(b"after"))

    _restore(archive, empty_database)
    assert _media_files(media) == before


def test_restoring_a_backup_without_media_empties_the_media(tmp_path, settings, empty_database):
    archive = create_backup(directory=tmp_path / "backups")  # nothing stored yet
    default_storage.save("attachments/after.png", ContentFile(b"\x89PNG after"))
    _restore(archive, empty_database)
    assert _media_files(Path(settings.MEDIA_ROOT)) == {}


def _storage_contents(storage) -> dict[str, bytes]:
    result = {}
    for name in storage_files(storage):
        with storage.open(name, "rb") as fh:
            result[name] = fh.read()
    return result


def test_backup_and_restore_go_through_the_storage_api(tmp_path, empty_database):
    """Not a folder of files: whatever storage holds the media (here one in memory)."""
    source = InMemoryStorage()
    source.save("attachments/a.png", ContentFile(b"\x89PNG a"))
    source.save("pdf/2/x.pdf", ContentFile(b"%PDF- x"))
    archive = create_backup(directory=tmp_path / "backups", storage=source)
    target = InMemoryStorage()
    target.save("attachments/a.png", ContentFile(b"\x89PNG changed"))
    target.save("attachments/b.png", ContentFile(b"\x89PNG b"))
    restore_backup(
        archive=archive, database=empty_database, vendor=connection.vendor, storage=target
    )
    assert _storage_contents(target) == _storage_contents(source)
    assert set(_storage_contents(target)) == {"attachments/a.png", "pdf/2/x.pdf"}


def _restore(archive: Path, database: dict) -> None:
    restore_backup(
        archive=archive, database=database, vendor=connection.vendor, storage=default_storage
    )
