"""Hold an uploaded issue's text between the admin's dry run and the editor's confirmation.

Through Django's storage API, so any process on any machine can finish the import the editor
started on another one.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from issues.importer.files import issue_text
from issues.importer.parse import ImportFormatError

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def read_upload(upload: UploadedFile) -> str:
    limit = settings.ZHIJIAO_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFormatError(
            f"文件太大（{upload.size / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。"
        )
    return issue_text(upload.read(), filename=upload.name or "")


def _path(token: str) -> str:
    return f"imports/{token}.txt"


def stash(text: str) -> str:
    token = uuid.uuid4().hex
    default_storage.save(_path(token), ContentFile(text.encode("utf-8")))
    return token


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
