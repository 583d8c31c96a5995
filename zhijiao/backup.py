"""Consistent backups: the database (SQLite's online backup, or pg_dump) plus the media files.

One archive a backup, named for the moment it was made: ``zhijiao-20261123-201500.tar.gz`` holding
``manifest.json``, ``database.sqlite3`` or ``database.pgdump``, and ``media/``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MANIFEST = "manifest.json"


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


def create_backup(*, directory: Path, using: str = "default") -> Path:
    """Write a dated archive into ``directory`` and return its path."""
    connection = connections[using]
    db = connection.settings_dict
    directory.mkdir(parents=True, exist_ok=True)
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
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
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
    *, archive: Path, database: dict[str, Any], vendor: str, media_root: Path | None
) -> dict[str, Any]:
    """Replace the database described by ``database`` (a settings dict) with the backup's."""
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
        media = Path(tmp) / "media"
        if media_root is not None and media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest
