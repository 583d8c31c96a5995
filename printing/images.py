"""The images an article body shows, as files Typst can print: found, read, checked, normalised.

A body shows an image by its address: an attachment (``/articles/attachments/<pk>/``) or a file
under ``MEDIA_URL``. Either is read through ``default_storage`` (never a local path), decoded by
Pillow and written again as a plain PNG or JPEG no wider than print needs, so that Typst only ever
sees a file it reads. Whatever cannot be printed (another site's image, a missing, truncated,
oversized or foreign file) gets a reason instead, printed as 「图片无法显示：…」; a bad image never
fails nor stalls the PDF.

The content hash of each file is part of the PDF's fingerprint (``printing.data``), so a changed
image gives a new PDF. Hashes and normalised files are kept per process, keyed by the file's name,
size and modification time, so a request for a stored PDF reads no image.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import Resolver404, resolve

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 12 * 1024 * 1024  # above the upload limit: a file this big was not uploaded
MAX_IMAGES_BYTES = 40 * 1024 * 1024  # normalised, per PDF
# Decoding is refused above this: a small file can claim a huge canvas (a decompression bomb).
MAX_PIXELS = 60_000_000
# The longest side printed: about 300 dpi over the A4 text width.
PRINT_PIXELS = 2000

_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)

NOT_HERE = "不是本站保存的图片"
MISSING = "文件不存在"
TOO_BIG = "文件过大"
TOO_MANY_PIXELS = "图片尺寸过大"
BROKEN = "文件已损坏或不是支持的图片格式"
TOO_MUCH = "本期图片总量超出上限"


@dataclass(frozen=True)
class Found:
    """An image address as resolved: the storage name, or why it is not printed."""

    name: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Printable:
    """A file to print (``key`` is its file name for Typst), or the reason it is not printed."""

    key: str = ""
    content: bytes = b""
    reason: str = ""
    width: int = 0  # pixels
    height: int = 0


def sources_in(body: str) -> list[str]:
    """The image addresses of a body, in order (sanitised HTML: quoted attributes)."""
    return [html.unescape(a or b).strip() for a, b in _IMG_SRC.findall(body or "")]


def _media_name(path: str) -> str | None:
    media = "/" + settings.MEDIA_URL.strip("/") + "/" if settings.MEDIA_URL.strip("/") else None
    if media and path.startswith(media):
        return path[len(media) :]
    return None


def _attachment_pk(path: str) -> int | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "articles:attachment":
        return None
    return int(match.kwargs["pk"])


def resolve_sources(
    srcs: list[str], *, article_ids: set[int], include_drafts: bool
) -> dict[str, Found]:
    """Where each address's file is in storage. An attachment prints if its article is printed
    here or is public (one query for all of them), so a public PDF shows no draft's image."""
    from articles.models import Article, Attachment

    found: dict[str, Found] = {}
    attachments: dict[str, int] = {}
    for src in dict.fromkeys(srcs):
        parts = urlsplit(src)
        path = unquote(parts.path)
        if parts.scheme or parts.netloc or not path.startswith("/"):
            found[src] = Found(reason=NOT_HERE)
        elif (pk := _attachment_pk(parts.path)) is not None:
            attachments[src] = pk
        elif (name := _media_name(path)) and ".." not in name.split("/"):
            found[src] = Found(name=name)
        else:
            found[src] = Found(reason=NOT_HERE)
    if attachments:
        rows = Attachment.objects.filter(pk__in=set(attachments.values()))
        if not include_drafts:
            published = Article.objects.published().values("pk")
            rows = rows.filter(Q(article_id__in=article_ids) | Q(article_id__in=published))
        names = dict(rows.values_list("pk", "file"))
        for src, pk in attachments.items():
            name = names.get(pk)
            found[src] = Found(name=name) if name else Found(reason=MISSING)
    return found


# --- reading and normalising ---------------------------------------------------------------------

_lock = threading.Lock()
_hashes: OrderedDict[tuple, str] = OrderedDict()  # (name, size, mtime) -> sha256 of the bytes
_printed: OrderedDict[str, Printable] = OrderedDict()  # sha256 -> normalised file or reason
_MAX_KEPT = 256
_MAX_KEPT_BYTES = 64 * 1024 * 1024


def _keep(cache: OrderedDict, key, value) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > _MAX_KEPT or (
            cache is _printed and sum(len(p.content) for p in cache.values()) > _MAX_KEPT_BYTES
        ):
            cache.popitem(last=False)


def _stat(name: str) -> tuple | None:
    """(name, size, mtime) of a stored file, or None if it is not there."""
    try:
        size = default_storage.size(name)
    except (OSError, ValueError, NotImplementedError):
        return None
    try:
        mtime = default_storage.get_modified_time(name).timestamp()
    except (OSError, ValueError, NotImplementedError, AttributeError):
        mtime = None
    return (name, size, mtime)


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read(MAX_IMAGE_BYTES + 1)


def content_hash(name: str) -> str:
    """The sha256 of a stored file, or a reason (``!…``) it cannot be printed."""
    stat = _stat(name)
    if stat is None:
        return "!" + MISSING
    if stat[1] > MAX_IMAGE_BYTES:
        return "!" + TOO_BIG
    with _lock:
        known = _hashes.get(stat)
    if known:
        return known
    try:
        content = _read(name)
    except (OSError, ValueError):
        return "!" + MISSING
    digest = hashlib.sha256(content).hexdigest()
    _keep(_hashes, stat, digest)
    return digest


def printable(name: str, digest: str) -> Printable:
    """The normalised file of ``name`` (whose bytes hash to ``digest``), or why not."""
    if digest.startswith("!"):
        return Printable(reason=digest[1:])
    with _lock:
        known = _printed.get(digest)
    if known:
        return known
    try:
        content = _read(name)
    except (OSError, ValueError):
        return Printable(reason=MISSING)
    result = normalise(content)
    _keep(_printed, digest, result)
    return result


def normalise(content: bytes) -> Printable:
    """Decode ``content`` with Pillow and write it as PNG (JPEG for photos), scaled for print."""
    from PIL import Image, ImageOps

    digest = hashlib.sha256(content).hexdigest()
    if len(content) > MAX_IMAGE_BYTES:
        return Printable(reason=TOO_BIG)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=("PNG", "JPEG", "GIF", "WEBP")) as image:
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                    return Printable(reason=TOO_MANY_PIXELS)
                photo = image.format == "JPEG"
                if image.format == "JPEG":
                    image.draft("RGB", (PRINT_PIXELS, PRINT_PIXELS))  # decode at a lower scale
                image.seek(0)  # a GIF's or WebP's first frame
                image.load()
                picture = ImageOps.exif_transpose(image)
                picture = _plain_mode(picture, photo=photo)
                picture.thumbnail((PRINT_PIXELS, PRINT_PIXELS))
                out = io.BytesIO()
                if photo:
                    picture.save(out, "JPEG", quality=88, optimize=True)
                else:
                    picture.save(out, "PNG", optimize=False)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Printable(reason=TOO_MANY_PIXELS)
    except Exception as exc:  # Pillow raises many kinds on a bad file; none may fail the PDF
        log.info("Image not printed (%s): %s", digest[:12], exc)
        return Printable(reason=BROKEN)
    return Printable(
        key=f"img-{digest[:24]}.{'jpg' if photo else 'png'}",
        content=out.getvalue(),
        width=picture.width,
        height=picture.height,
    )


def _plain_mode(image, *, photo: bool):
    if photo:
        return image.convert("RGB") if image.mode != "RGB" else image
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    has_alpha = (image.mode in ("PA", "P") and "transparency" in image.info) or "A" in image.mode
    return image.convert("RGBA" if has_alpha else "RGB")
