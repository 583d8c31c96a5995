"""What editors may upload beside an article (images and documents), checked by content.

The file's own bytes decide its type (``filetype`` reads the magic numbers), never its name or the
browser's word: an HTML page renamed photo.png is refused. SVG is not accepted at all (it can carry
scripts). Files are stored through Django's storage under a random name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# MIME type → (extension, shown inline in the browser)
ALLOWED: dict[str, tuple[str, bool]] = {
    "image/png": ("png", True),
    "image/jpeg": ("jpg", True),
    "image/gif": ("gif", True),
    "image/webp": ("webp", True),
    "application/pdf": ("pdf", True),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", False),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx", False),
    "application/zip": ("zip", False),
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    inline: bool


def check_upload(file) -> CheckedFile:
    """The file's real type; raises ValidationError (in Chinese) for a file we do not take."""
    limit = settings.ZHIJIAO_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"文件太大（{file.size / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。"
        )
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        found = kind.mime if kind else "无法识别"
        raise ValidationError(
            f"不支持的文件类型（{found}）：可上传 PNG、JPEG、GIF、WebP 图片，PDF 或 Office 文档。"
        )
    extension, inline = ALLOWED[kind.mime]
    return CheckedFile(content_type=kind.mime, extension=extension, inline=inline)


def shows_inline(content_type: str) -> bool:
    """Whether a browser shows a file of this (checked) type itself, rather than downloading it."""
    return ALLOWED.get(content_type, ("", False))[1]


def upload_path(instance, filename: str) -> str:
    """A random name: nothing the uploader chose reaches the file system."""
    extension = getattr(instance, "_checked_extension", "bin")
    return f"attachments/{uuid.uuid4().hex}.{extension}"
