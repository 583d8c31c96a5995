"""A born-digital issue for the PDF tests (made in the admin: no printed page numbers), and image
files made with Pillow."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article, Attachment
from core.changes import content_change
from core.publishing import Status
from issues.models import Issue, Section


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 60), **save) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    mode = "RGB" if fmt in ("JPEG",) else "RGBA"
    Image.new(mode, size, (200, 40, 40)).save(out, fmt, **save)
    return out.getvalue()


def born_digital_issue(
    bodies: list[str], *, notes: str = "", year: int = 2025, number: int = 1
) -> Issue:
    """2025年第01期, published: one section 1 › 1.1, articles 1.1.1… with these bodies."""
    with content_change():
        issue = Issue.objects.create(
            year=year,
            number=number,
            school="广州市白云工商技师学院",
            publisher="广州市白云工商技师学院",
            editor="李主编",
            notes=notes,
            status=Status.PUBLISHED,
        )
        top = Section.objects.create(issue=issue, number="1", title="政策文件", position=1)
        sub = Section.objects.create(
            issue=issue, number="1.1", title="国家政策", parent=top, position=2
        )
        for i, body in enumerate(bodies, 1):
            Article.objects.create(
                issue=issue,
                section=sub,
                number=f"1.1.{i}",
                position=i,
                title=f"第{i}篇文章",
                body=body,
                status=Status.PUBLISHED,
            )
    return issue


def attach(article: Article, name: str, data: bytes) -> Attachment:
    """An attachment as the admin stores it (checked by content); the file may be damaged after."""
    item = Attachment(article=article, file=SimpleUploadedFile(name, data), title=name)
    item.full_clean()
    item.save()
    return item
