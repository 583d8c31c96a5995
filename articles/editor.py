"""What the article editor's image button asks of the server: the article's images, and a new one
stored as an attachment through the same checks as the attachment form (articles/uploads.py).

The admin's endpoints (articles/admin.py) call these and turn their errors into JSON; the clean
paste's line joining is sources/lines.py's, called from the admin (this layer may not import it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError

from articles.models import Article, Attachment
from core.changes import content_change

# What a browser shows in <img>: the types articles/uploads.py takes as images.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True)
class EditorImage:
    id: int
    url: str
    title: str

    @classmethod
    def of(cls, item: Attachment) -> EditorImage:
        return cls(id=item.pk, url=item.get_absolute_url(), title=item.title or item.original_name)

    def as_json(self) -> dict:
        return asdict(self)


def article_images(article: Article) -> list[EditorImage]:
    """The article's image attachments, oldest first (the order of the attachment list)."""
    return [
        EditorImage.of(item)
        for item in article.attachments.filter(content_type__in=IMAGE_TYPES).order_by("pk")
    ]


def store_image(*, article: Article, upload, caption: str = "") -> EditorImage:
    """``upload`` stored as an image attachment of ``article``; ValidationError (in Chinese) for a
    file that is too big, not an image, or unreadable, and OSError when the storage fails (the
    transaction then leaves no row behind)."""
    if upload is None or not getattr(upload, "size", 0):
        raise ValidationError("请选择要上传的图片文件。")
    item = Attachment(article=article, file=upload, title=caption.strip()[:200])
    item.clean()  # the checks of articles/uploads.py: size, and the type by content
    if item.content_type not in IMAGE_TYPES:
        raise ValidationError(
            "这不是图片：正文中只能插入 PNG、JPEG、GIF 或 WebP 图片；"
            "PDF、Office 文档请在下方“附件”中上传。"
        )
    with content_change():
        item.save()
    return EditorImage.of(item)
