"""Hold an uploaded issue's text between the admin's dry run and the editor's confirmation.

Through Django's storage API, so any process on any machine can finish the import the editor
started on another one.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from importer.files import issue_text
from importer.parse import ImportFormatError

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_FOLDER = "imports"
# An upload not confirmed by then is an import the editor gave up on.
UNCONFIRMED_FOR = timedelta(days=1)


def read_upload(upload: UploadedFile) -> str:
    limit = settings.ZHIJIAO_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFormatError(
            f"文件太大（{upload.size / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。"
        )
    return issue_text(upload.read(), filename=upload.name or "")


def _path(token: str) -> str:
    return f"{_FOLDER}/{token}.txt"


def stash(text: str) -> str:
    _forget_unconfirmed()
    token = uuid.uuid4().hex
    default_storage.save(_path(token), ContentFile(text.encode("utf-8")))
    return token


def _forget_unconfirmed() -> None:
    """Remove the uploads nobody confirmed within a day (each new upload sweeps: no cron job)."""
    try:
        _, names = default_storage.listdir(_FOLDER)
    except FileNotFoundError:
        return
    oldest = timezone.now() - UNCONFIRMED_FOR
    for name in names:
        path = f"{_FOLDER}/{name}"
        if _TOKEN.match(name.removesuffix(".txt")) and (
            default_storage.get_modified_time(path) < oldest
        ):
            default_storage.delete(path)


def take(token: str) -> str | None:
    """The stashed text, removed from storage; None for an unknown or malformed token."""
    if not _TOKEN.match(token or ""):
        return None
    path = _path(token)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        text = fh.read().decode("utf-8")
    default_storage.delete(path)
    return text
