"""Images and links in the PDF (issue 13, item 6): attachments print as images with their caption,
a bad or missing image prints 「图片无法显示：…」 and never fails the PDF, a changed image gives a
new PDF, and a link's address prints as a footnote."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from articles.models import Article
from core.publishing import Status
from printing import images
from printing.blocks import html_to_blocks
from printing.build import build_article_pdf, build_issue_pdf
from printing.data import load_source, source_fingerprint
from tests.printing.pdfs import attach, born_digital_issue, image_bytes
from tests.printing.test_pdf import Pdf, _norm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ZHIJIAO_PDF_AUTOBUILD = False


def _page_images(pdf: Pdf, index: int) -> list[tuple[int, int]]:
    page = pdf.reader.pages[index]
    found = (o.get_object() for o in page["/Resources"].get("/XObject", {}).values())
    return [(int(x["/Width"]), int(x["/Height"])) for x in found if x["/Subtype"] == "/Image"]


def _all_images(pdf: Pdf) -> list[tuple[int, int]]:
    return [size for i in range(len(pdf.reader.pages)) for size in _page_images(pdf, i)]


def _figure(src: str, caption: str = "", alt: str = "") -> str:
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{src}" alt="{alt}">{cap}</figure>'


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge canvas (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_an_attachment_prints_as_an_image_on_its_articles_page_with_its_caption():
    issue = born_digital_issue(["<p>第一篇。</p>", "<p>占位</p>", "<p>第三篇。</p>"])
    second = issue.articles.get(number="1.1.2")
    item = attach(second, "校园.png", image_bytes("PNG", (300, 150)))
    second.body = "<p>图前。</p>" + _figure(item.get_absolute_url(), "图一 校园一角", "校园")
    second.save()
    pdf = Pdf.read(build_issue_pdf(issue=issue))
    page = pdf.page_of("1.1.2 第2篇文章")
    assert _page_images(pdf, page) == [(300, 150)]
    assert _all_images(pdf) == [(300, 150)]  # on that page only
    assert "图一校园一角" in _norm(pdf.page_text(page))
    assert "图片无法显示" not in pdf.text and "［图片" not in pdf.text


def test_an_image_inside_a_paragraph_prints_as_an_image():
    """Editors insert images inside a paragraph; before, they printed as '［图片：…］'."""
    issue = born_digital_issue(["<p>占位</p>"])
    article = issue.articles.get()
    item = attach(article, "a.png", image_bytes("PNG", (80, 40)))
    article.body = f'<p>前文<img src="{item.get_absolute_url()}" alt="示意图">后文</p>'
    article.save()
    blocks = html_to_blocks(article.body)
    assert [b["t"] for b in blocks] == ["p", "image", "p"]
    pdf = Pdf.read(build_article_pdf(article=article))
    assert _all_images(pdf) == [(80, 40)]
    assert "［图片" not in pdf.text and "前文" in pdf.text and "后文" in pdf.text


def test_png_jpeg_webp_and_the_first_frame_of_a_gif_print():
    issue = born_digital_issue(["<p>占位</p>"])
    article = issue.articles.get()
    files = {
        "a.png": image_bytes("PNG", (64, 32)),
        "b.jpg": image_bytes("JPEG", (60, 30)),
        "c.webp": image_bytes("WEBP", (50, 25)),
        "d.gif": image_bytes("GIF", (40, 20), save_all=True, append_images=[], duration=100),
    }
    srcs = [attach(article, name, data).get_absolute_url() for name, data in files.items()]
    article.body = "".join(_figure(src, f"图{i}") for i, src in enumerate(srcs, 1))
    article.save()
    pdf = Pdf.read(build_article_pdf(article=article))
    assert sorted(_all_images(pdf)) == [(40, 20), (50, 25), (60, 30), (64, 32)]


def test_a_large_photo_is_scaled_for_print():
    result = images.normalise(image_bytes("JPEG", (4000, 3000)))
    assert result.key.endswith(".jpg") and max(result.width, result.height) == 2000


def test_bad_images_print_a_placeholder_and_never_fail_the_pdf(monkeypatch):
    issue = born_digital_issue(["<p>占位</p>"])
    article = issue.articles.get()
    truncated = attach(article, "t.png", image_bytes("PNG", (400, 400)))
    with default_storage.open(truncated.file.name, "rb") as fh:
        whole = fh.read()
    default_storage.delete(truncated.file.name)
    default_storage.save(truncated.file.name, ContentFile(whole[: len(whole) // 2]))
    bomb = default_storage.save("articles/bomb.png", ContentFile(_png_header_only(60000, 60000)))
    text = default_storage.save("articles/not-an-image.png", ContentFile(b"<html>hello</html>"))
    gone = attach(article, "gone.png", image_bytes("PNG"))
    default_storage.delete(gone.file.name)
    article.body = "".join(
        [
            _figure(truncated.get_absolute_url(), alt="截断"),
            _figure(f"/media/{bomb}", alt="炸弹"),
            _figure(f"/media/{text}", alt="文本"),
            _figure(gone.get_absolute_url(), alt="已删"),
            _figure("/articles/attachments/999999/", alt="无此附件"),
            _figure("https://example.org/remote.png", "外站图注", alt="外站"),
            _figure("/media/../../etc/passwd", alt="越界"),
        ]
    )
    article.save()
    # The bomb is refused before it is decoded: counted as the sizes Pillow is asked to decode
    # (no timed tests; decoding runs in C, where no line count sees it).
    from PIL import ImageFile

    decoded, load = [], ImageFile.ImageFile.load

    def counted_load(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted_load)
    pdf = Pdf.read(build_article_pdf(article=article))
    assert decoded and max(w * h for w, h in decoded) <= images.MAX_PIXELS, decoded
    assert _all_images(pdf) == []
    text = _norm(pdf.text)
    assert text.count("图片无法显示") == 7
    for alt in ("截断", "炸弹", "文本", "已删", "无此附件", "外站", "越界"):
        assert f"图片无法显示：{alt}" in text
    assert f"（{images.TOO_MANY_PIXELS}）" in text and f"（{images.BROKEN}）" in text
    assert f"（{images.MISSING}）" in text and f"（{images.NOT_HERE}）" in text
    assert "外站图注" in text


def test_a_decompression_bomb_is_refused_without_decoding():
    result = images.normalise(_png_header_only(100000, 100000))
    assert result.reason == images.TOO_MANY_PIXELS and not result.content


def test_a_draft_articles_image_is_not_printed_in_the_public_pdf():
    issue = born_digital_issue(["<p>占位</p>", "<p>草稿</p>"])
    public, draft = issue.articles.order_by("position")
    Article.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    item = attach(draft, "secret.png", image_bytes("PNG", (30, 30)))
    public.body = _figure(item.get_absolute_url(), alt="未发布")
    public.save()
    public_pdf = Pdf.read(build_issue_pdf(issue=issue))
    assert _all_images(public_pdf) == []
    assert "图片无法显示：未发布" in _norm(public_pdf.text)
    preview = Pdf.read(build_issue_pdf(issue=issue, include_drafts=True))
    assert _all_images(preview) == [(30, 30)]


def test_a_changed_image_changes_the_fingerprint():
    issue = born_digital_issue(["<p>占位</p>"])
    article = issue.articles.get()
    item = attach(article, "a.png", image_bytes("PNG", (20, 20)))
    article.body = _figure(item.get_absolute_url())
    article.save()
    before = source_fingerprint(load_source(issue=issue), engine="e")
    assert before == source_fingerprint(load_source(issue=issue), engine="e")
    default_storage.delete(item.file.name)
    default_storage.save(item.file.name, ContentFile(image_bytes("PNG", (20, 21))))
    assert source_fingerprint(load_source(issue=issue), engine="e") != before


def test_a_link_prints_its_address_as_a_footnote():
    url = "https://www.moe.gov.cn/jyb_xwfb/gzdt_gzdt/202501/t20250101_1234567.html"
    body = (
        f'<p>见<a href="{url}">教育部<b>通知</b></a>。'
        '又见 <a href="https://example.org/">https://example.org/</a>。</p>'
    )
    spans = html_to_blocks(body)[0]["c"]
    notes = [s["note"].replace("\u200b", "") for s in spans if "note" in s]
    assert notes == [url]  # once per link, and not for a link that shows its address
    issue = born_digital_issue([body])
    pdf = Pdf.read(build_article_pdf(article=issue.articles.get()))
    text = _norm(pdf.text)
    assert "教育部通知" in text and _norm(url) in text
    assert text.count("example.org") == 1
