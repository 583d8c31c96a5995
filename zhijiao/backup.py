"""Consistent backups: the database (SQLite's online backup, or pg_dump) plus the media files.

One archive a backup, named for the moment it was made: ``zhijiao-20261123-201500.tar.gz`` holding
``manifest.json``, ``database.sqlite3`` or ``database.pgdump``, and ``media/`` (every file of
Django's default storage).

An archive holds password hashes and sessions: it is created 0600, from its first byte, in a
folder that is made (or tightened to) 0700. A restore puts the media back exactly: files the
archive does not hold are deleted from the storage, the others written as they were.

Where the archives go: with a bucket configured (``ZHIJIAO_S3_BUCKET``/``ZHIJIAO_STORAGE_URL``)
into ``storages["backups"]``, the bucket's ``backups/`` (``store_backup``: made in a private
temporary folder, then uploaded, so that any app server can restore it), else into
``VAR_DIR/backups`` on the local disk (``create_backup``).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.db import connections
from django.utils import timezone

SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MANIFEST = "manifest.json"
MEDIA = "media"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
BACKUPS = "backups"  # the alias in settings.STORAGES, when archives go to the bucket
ARCHIVE_NAME = re.compile(r"^zhijiao-\d{8}-\d{6}(-\d+)?\.tar\.gz$")


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    # Prefer the server's own major version: pg_dump refuses servers newer than itself.
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{name} not found (apt-get install postgresql-client-15)")


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-d", db["NAME"]]
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage`` (under ``folder``), depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a media folder nothing has been stored in yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from storage_files(storage, f"{folder}/{name}" if folder else name)


def _private_folder(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    # mkdir's mode passes through the umask, and an existing folder keeps its own: set it.
    directory.chmod(PRIVATE_FOLDER)


def _private_file(path: Path):
    """``path`` opened for writing, created 0600 by the open itself: at no moment may another
    user read it (a chmod afterwards would leave a window)."""
    path.unlink(missing_ok=True)  # a leftover of a crash: O_EXCL below creates a new file
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # exactly 0600 whatever the umask took away
    return os.fdopen(fd, "wb")


def _add_media(tar: tarfile.TarFile, storage: Storage) -> None:
    folder = tarfile.TarInfo(MEDIA)
    folder.type, folder.mode = tarfile.DIRTYPE, 0o755
    tar.addfile(folder)  # there even when empty: "no media" is then what the backup says
    for name in storage_files(storage):
        with storage.open(name, "rb") as content:
            info = tarfile.TarInfo(f"{MEDIA}/{name}")
            info.size = storage.size(name)
            info.mtime = int(storage.get_modified_time(name).timestamp())
            info.mode = 0o644
            tar.addfile(info, content)


def create_backup(
    *, directory: Path, using: str = "default", storage: Storage | None = None
) -> Path:
    """Write a dated archive into ``directory`` and return its path. ``storage``: where the
    media are (Django's default storage unless told)."""
    connection = connections[using]
    db = connection.settings_dict
    storage = default_storage if storage is None else storage
    _private_folder(directory)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"zhijiao-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "sqlite":
            dump = Path(tmp) / SQLITE_MEMBER
            # The online backup API copies a consistent snapshot while the site keeps running; a
            # connection of its own, so it never waits on a transaction of this process.
            source = sqlite3.connect(db["NAME"], timeout=30)
            target = sqlite3.connect(dump)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        elif connection.vendor == "postgresql":
            dump = Path(tmp) / PG_MEMBER
            args, env = _pg_args(db)
            result = subprocess.run(
                [_pg_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        manifest = {
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "counts": _counts(using),
        }
        partial = archive.with_suffix(".partial")
        try:
            # zlib's own default level: tarfile's 9 is much slower for an archive hardly smaller.
            with (
                _private_file(partial) as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar,
            ):
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=dump.name)
                _add_media(tar, storage)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(archive)  # never leave a half-written file under the final name
    return archive


def _counts(using: str) -> dict[str, int]:
    from articles.models import Article
    from communities.models import Community, Organization
    from issues.models import Issue

    return {
        model._meta.label: model.objects.using(using).count()
        for model in (Issue, Article, Community, Organization)
    }


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{archive}: no {MANIFEST}")
            return json.load(member)
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive}: not a backup made by this site ({exc})") from None


def check_backup(archive: Path, *, vendor: str) -> dict[str, Any]:
    """The backup's manifest; raises BackupError unless it can be restored into ``vendor``."""
    manifest = read_manifest(archive)
    if manifest.get("database") != vendor:
        raise BackupError(
            f"the backup is of a {manifest.get('database')} database; this site uses {vendor}"
        )
    return manifest


def restore_backup(
    *, archive: Path, database: dict[str, Any], vendor: str, storage: Storage | None
) -> dict[str, Any]:
    """Replace the database described by ``database`` (a settings dict) with the backup's, and
    the files of ``storage`` (unless None) with the backup's media."""
    manifest = check_backup(archive, vendor=vendor)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        if vendor == "sqlite":
            source = sqlite3.connect(Path(tmp) / SQLITE_MEMBER)
            target = sqlite3.connect(database["NAME"])
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            args, env = _pg_args(database)
            result = subprocess.run(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(Path(tmp) / PG_MEMBER),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        if storage is not None:
            restore_media(folder=Path(tmp) / MEDIA, storage=storage)
    return manifest


def restore_media(*, folder: Path, storage: Storage) -> None:
    """Make ``storage`` hold exactly the files under ``folder`` (none if it is missing: the
    backup had no media)."""
    wanted = (
        {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
        if folder.is_dir()
        else {}
    )
    for name in list(storage_files(storage)):
        if name in wanted and _same_content(storage, name, wanted[name]):
            del wanted[name]  # already as in the backup
        else:
            # Changed ones go too: save() never overwrites, it would pick another name.
            storage.delete(name)
    for name, path in sorted(wanted.items()):
        with path.open("rb") as content:
            saved = storage.save(name, File(content, name=name))
        if saved != name:
            raise BackupError(f"media: {name} was stored as {saved}")


def _same_content(storage: Storage, name: str, path: Path) -> bool:
    if storage.size(name) != path.stat().st_size:
        return False
    with storage.open(name, "rb") as stored, path.open("rb") as wanted:
        while True:
            a, b = stored.read(1 << 16), wanted.read(1 << 16)
            if a != b:
                return False
            if not a:
                return True


# --- archives in the bucket -----------------------------------------------------------------------


def backup_storage() -> Storage | None:
    """Where ``make backup`` keeps its archives when not on this machine's disk: the bucket's
    ``backups/`` when one is configured (``STORAGES["backups"]``), else None."""
    return storages[BACKUPS] if BACKUPS in settings.STORAGES else None


def describe(target: Storage, name: str = "") -> str:
    """Where an archive is, for messages: ``s3://bucket/backups/zhijiao-….tar.gz``."""
    named = getattr(target, "describe", None)
    return named(name) if named else f"{target.__class__.__name__}:{name}"


def store_backup(*, target: Storage, using: str = "default", storage: Storage | None = None) -> str:
    """Make a backup (as ``create_backup``) and put it into ``target``; returns its name there.

    The archive is written in a private temporary folder (0700, the file 0600) and removed from
    this machine once uploaded. An archive of the same second gets ``-2``, ``-3``…: a bucket
    would overwrite it."""
    with tempfile.TemporaryDirectory(prefix="zhijiao-backup-") as tmp:
        archive = create_backup(directory=Path(tmp) / "out", using=using, storage=storage)
        name, n = archive.name, 1
        while target.exists(name):
            n += 1
            name = archive.name.replace(".tar.gz", f"-{n}.tar.gz")
        with archive.open("rb") as content:
            saved = target.save(name, File(content, name=name))
    if saved != name:
        raise BackupError(f"the backup was stored as {saved}, not {name}")
    return saved


def list_backups(target: Storage) -> list[str]:
    """The archives in ``target``, in the order of their names (their dates)."""
    try:
        names = target.listdir("")[1]
    except FileNotFoundError:
        return []
    return sorted(name for name in names if ARCHIVE_NAME.match(name))


@contextmanager
def fetched_backup(target: Storage, name: str) -> Iterator[Path]:
    """The archive ``name`` of ``target`` as a private local file, for as long as the ``with``
    lasts (``restore_backup`` reads a file). BackupError if there is no such archive."""
    name = name.rsplit("/", 1)[-1]  # as printed: s3://bucket/backups/zhijiao-….tar.gz
    if not ARCHIVE_NAME.match(name) or not target.exists(name):
        raise BackupError(f"{describe(target, name)}: 不存在 (no such backup)")
    with tempfile.TemporaryDirectory(prefix="zhijiao-restore-") as tmp:
        path = Path(tmp) / name
        with target.open(name, "rb") as stored, _private_file(path) as local:
            shutil.copyfileobj(stored, local, 1 << 20)
        yield path
