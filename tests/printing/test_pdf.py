"""Issue PDFs (Typst) on the real seed issues: what they print, where, and who gets which."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pypdf
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from articles.models import Article
from core.publishing import Status
from issues.models import Issue, Section
from printing import render, storage
from printing.build import build_article_pdf, build_issue_pdf
from tests.printing.reading import Pdf, _norm
from tests.seeds import SEED_ARTICLE

ISSUE_PDF_URL = "/issues/2024/2/pdf/"

# For the tests of serving and storing: a document laid out before in the session (the seed issue,
# article 1.1.1) is not laid out again (see conftest.py). The tests of what is printed, of a layout
# that fails and of a missing font build afresh.
TYPESET_ONCE = pytest.mark.usefixtures("typeset_once")


def _heading(article: Article) -> str:
    return (
        f"{article.number} {article.source}：{article.title}"
        if article.source
        else (f"{article.number} {article.title}")
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ZHIJIAO_PDF_AUTOBUILD = False


@pytest.fixture
def issue_02(seed_issue_pdf) -> Pdf:
    """The public PDF of 2024年第02期 as the seeds make it, for the tests that only read it
    (built and read once a session: see conftest.py)."""
    return seed_issue_pdf


@pytest.fixture
def issue(db) -> Issue:
    return Issue.objects.get(year=2024, number=2)


# --- what the PDF prints ---------------------------------------------------------------------


def test_every_published_article_title_is_printed(issue_02, issue):
    text = _norm(issue_02.text)
    articles = list(Article.objects.published().filter(issue=issue))
    assert len(articles) == 40
    missing = [a.number for a in articles if _norm(_heading(a)) not in text]
    assert missing == []


def test_toc_page_numbers_are_the_pages_where_the_headings_stand(issue_02, issue):
    entries = issue_02.toc_entries()
    by_number = {text.split(" ", 1)[0]: page for text, page in entries}
    articles = Article.objects.published().filter(issue=issue).order_by("position")
    assert {a.number for a in articles} <= set(by_number)
    for article in articles:
        index = issue_02.page_of(_heading(article))
        # The number printed in the footer, and the page label, of the page with the heading.
        assert issue_02.footer_number(index) == by_number[article.number], article.number
        assert issue_02.labels[index] == str(by_number[article.number])
    for section in Section.objects.filter(issue=issue):
        assert section.number in by_number
    appendix = [page for text, page in entries if text.startswith("附录：")]
    assert appendix == [issue_02.footer_number(issue_02.page_of("附录：全国（及省级）"))]


def test_body_pages_are_numbered_from_one_after_the_front_matter(issue_02):
    body = issue_02.body_pages()
    assert issue_02.labels[: body[0]] == ["", "I", "II"][: body[0]]  # cover, 说明, 目录
    assert [issue_02.labels[i] for i in body] == [str(n) for n in range(1, len(body) + 1)]
    first = issue_02.page_text(body[0])
    assert first.startswith("职教通讯 · 2024 年第 02 期 · 职教动态")  # the running header
    assert issue_02.footer_number(body[0]) == 1


def test_cover_and_notes_page(issue_02):
    cover = _norm(issue_02.page_text(0))
    for text in (
        "广州市白云工商技师学院",
        "GUANGZHOUBAIYUNTECHNICIANCOLLEGEOFBUSINESS",
        "职教通讯",
        "InformationonTechnicalVocationalEducation",
        "2024年第02期",
        "内部资料",
        "主办：广州市白云工商技师学院—职教所（教师发展中心）",
    ):
        assert text in cover
    notes = _norm(issue_02.page_text(1))
    assert "《职教通讯》说明" in notes
    for text in ("总编：赵顺灵", "主编：刘乐", "责编：邱玉"):
        assert text in notes.replace("\u3000", "")


def test_running_header_names_the_current_top_section(issue_02, issue):
    pages = issue_02.body_pages()
    top = Section.objects.get(issue=issue, number="4")
    start = issue_02.page_of("4 经济产业聚焦 4.1 经济聚焦")
    assert issue_02.page_text(start + 1).startswith(f"职教通讯 · 2024 年第 02 期 · {top.title}")
    assert issue_02.page_text(pages[0] + 1).startswith("职教通讯 · 2024 年第 02 期 · 职教动态")


def test_registry_appendix_is_printed_as_a_table(issue_02):
    text = _norm(issue_02.text)
    assert "序号共同体名称牵头单位成立时间" in text
    # First and last rows of the 500, with their founding months.
    assert "1全国人工智能职业教育产教融合共同体" in text
    assert "500" in issue_02.page_text(len(issue_02.labels) - 1)


def test_outline_nests_articles_under_their_sections(issue_02, issue):
    outline = issue_02.reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[:2] == ["《职教通讯》说明", "目录"]
    assert [t for t in titles if t[0].isdigit()] == [
        f"{s.number} {s.title}" for s in Section.objects.filter(issue=issue, parent=None)
    ]
    # 1 职教动态 › 1.1 重要通知 › 1.1.1 …
    first_section = outline[titles.index("1 职教动态") + 1]
    assert first_section[0].title == "1.1 重要通知"
    assert first_section[1][0].title == "1.1.1 人力资源社会保障部：广东实施“南粤家政”工程"


def test_metadata_and_embedded_subset_fonts(issue_02):
    meta = issue_02.reader.metadata
    assert meta.title == "职教通讯 2024年第02期"
    assert meta.author == "广州市白云工商技师学院—职教所（教师发展中心）"
    assert "2024年第02期" in meta.subject
    fonts = {}
    for page in issue_02.reader.pages[:8]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":  # glyphs drawn in the file itself (emoji)
                continue
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert any("NotoSerifCJK" in name for name in fonts)
    assert any("NotoSansCJK" in name for name in fonts)
    assert all(fonts.values()), fonts  # every font embedded
    assert all(re.match(r"/?[A-Z]{6}\+", name) for name in fonts), fonts  # and subset


# --- drafts, hostile text --------------------------------------------------------------------


def test_draft_article_is_absent_from_the_public_pdf_and_marked_in_the_preview(db):
    issue = Issue.objects.get(year=2024, number=1)  # the smaller issue: text extraction is slow
    draft = Article.objects.get(issue=issue, number="1.1.2")
    draft.status = Status.DRAFT
    draft.save()
    public = Pdf.read(build_issue_pdf(issue=issue))
    assert _norm(draft.title) not in _norm(public.text)
    assert "1.1.2" not in [t.split(" ", 1)[0] for t, _ in public.toc_entries()]
    others = Article.objects.published().filter(issue=issue)
    assert all(_norm(_heading(a)) in _norm(public.text) for a in others)
    preview = Pdf.read(build_issue_pdf(issue=issue, include_drafts=True))
    page = preview.page_text(preview.bookmark_page(_heading(draft)))
    assert _norm(_heading(draft)) in _norm(page)
    assert "（草稿，尚未发布）" in page
    assert "预览稿（含未发布内容）" in page  # in the running header of every page
    assert "预览稿（含未发布内容）" in preview.page_text(0)


def test_hostile_text_prints_as_text(issue):
    section = Section.objects.get(issue=issue, number="1.1")
    hostile = [
        '#set page(width: 1cm) #{panic("boom")}',
        "$x^2$ [link](x) *bold* _it_ @ref <lbl> // c /* d */ \\ ` ~",
        "<script>alert(1)</script>",
        '#import "/etc/passwd": * #read("/etc/passwd")',
    ]
    # Twenty lines' worth with no break opportunity. (Not longer: PostgreSQL's tsvector refuses a
    # word over 2046 bytes, and the search index stores Latin runs as words.)
    long_line = "x" * 2000
    escaped = [s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for s in hostile]
    article = Article.objects.create(
        issue=issue,
        section=section,
        number="1.1.99",
        position=99,
        status=Status.PUBLISHED,
        title="#set text(red) $1$ <b>标题</b>",
        source="#source",
        body="".join(f"<p>{s}</p>" for s in escaped)
        + f"<p>{long_line}</p>"
        + f"<h3>{escaped[0]}</h3><table><tr><td>{escaped[1]}</td></tr></table>",
    )
    pdf = Pdf.read(build_article_pdf(article=article))
    text = _norm(pdf.body_text())
    for line in [article.title, article.source, *hostile, long_line]:
        assert _norm(line) in text
    assert "root:" not in pdf.text  # #read was printed, not run
    width = float(pdf.reader.pages[0].mediabox.width)
    assert round(width) == 595  # still A4: "#set page(width: 1cm)" did nothing
    # The 2000-character line wraps inside the page instead of running off its edge.
    right = []
    for page in pdf.reader.pages:
        page.extract_text(
            visitor_text=lambda t, cm, tm, *_: t.strip() and right.append(tm[4] * cm[0] + cm[4])
        )
    assert max(right) < width


@pytest.mark.skipif(not render.emoji_font_dirs(), reason="install fonts-noto-color-emoji")
def test_emoji_print_with_the_emoji_font(issue):
    article = Article.objects.get(issue=issue, number="1.1.1")
    article.body = "<p>点赞 👍🏽 和 😀 表情</p>"
    assert "点赞👍🏽和😀表情" in _norm(Pdf.read(build_article_pdf(article=article)).text)


def test_without_a_cjk_font_the_export_says_what_to_install(client, issue, monkeypatch, tmp_path):
    monkeypatch.setattr(render, "cjk_font_dirs", lambda: [])
    response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()
    with pytest.raises(CommandError, match="fonts-noto-cjk"):
        call_command("export_issue_pdf", "2024", "2", "-o", str(tmp_path / "x.pdf"))


# --- serving and storage -----------------------------------------------------------------------


@TYPESET_ONCE
def test_public_pdf_is_stored_then_served_from_storage(client, issue, monkeypatch):
    response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=utf-8''%E8%81%8C%E6%95%99%E9%80%9A%E8%AE%AF-2024"
        in (response["Content-Disposition"])
    )
    assert response["Content-Disposition"].startswith("inline")
    first = b"".join(response.streaming_content)
    assert first.startswith(b"%PDF")
    stored = default_storage.listdir(storage.folder(issue.pk))[1]
    assert len(stored) == 1 and stored[0].startswith("issue-")

    def no_build(*args, **kwargs):
        raise AssertionError("a stored PDF must not be built again")

    monkeypatch.setattr(storage, "render_source", no_build)
    again = client.get(ISSUE_PDF_URL)
    assert b"".join(again.streaming_content) == first
    assert client.get(ISSUE_PDF_URL, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


@TYPESET_ONCE
def test_a_pdf_replaced_while_being_served_is_served_in_its_new_version(client, issue, monkeypatch):
    first = storage.issue_pdf(issue=issue)
    default_storage.delete(first.name)  # as another process does after an edit
    stale = iter([storage.StoredPdf(name=first.name, etag=first.etag)])
    real = storage.issue_pdf
    monkeypatch.setattr(
        storage, "issue_pdf", lambda *, issue: next(stale, None) or real(issue=issue)
    )
    response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@TYPESET_ONCE
def test_a_change_gives_a_new_file_and_deletes_the_old_one(client, issue):
    client.get(ISSUE_PDF_URL)
    before = set(default_storage.listdir(storage.folder(issue.pk))[1])
    article = Article.objects.get(issue=issue, number=SEED_ARTICLE)
    article.title = "改过的标题"
    article.save()
    response = client.get(ISSUE_PDF_URL)
    after = set(default_storage.listdir(storage.folder(issue.pk))[1])
    assert len(after) == 1 and after != before
    pdf = Pdf.read(b"".join(response.streaming_content))
    heading = "2.1.1 产教融合：改过的标题"
    assert _norm(heading) in _norm(pdf.page_text(pdf.bookmark_page(heading)))


def test_draft_issue_pdf_is_not_public_but_editors_preview_it(editor_client, issue):
    client = Client()  # anonymous (editor_client logs the shared client in)
    Issue.objects.filter(pk=issue.pk).update(status=Status.DRAFT)
    assert client.get(ISSUE_PDF_URL).status_code == 404
    assert client.get(reverse("pdf:print", args=[2024, 2])).status_code == 404
    response = editor_client.get(ISSUE_PDF_URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "%E9%A2%84%E8%A7%88" in response["Content-Disposition"]  # …-预览.pdf
    assert not default_storage.exists(storage.folder(issue.pk))  # previews are never stored


@TYPESET_ONCE
def test_preview_parameter_is_ignored_for_the_public(client, teacher, issue):
    client.force_login(teacher)
    response = client.get(ISSUE_PDF_URL + "?preview=1")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


@TYPESET_ONCE
def test_article_pdf_public_and_draft(editor_client, issue):
    client = Client()
    url = reverse("pdf:article", args=[2024, 2, "1.1.1"])
    response = client.get(url)
    assert response.status_code == 200
    pdf = Pdf.read(b"".join(response.streaming_content))
    assert _norm("1.1.1 人力资源社会保障部：广东实施“南粤家政”工程") in _norm(pdf.text)
    assert pdf.labels[0] == "1" and "1.1.2" not in pdf.text
    Article.objects.filter(issue=issue, number="1.1.1").update(status=Status.DRAFT)
    assert client.get(url).status_code == 404
    assert editor_client.get(url).status_code == 200
    assert client.get(reverse("pdf:article", args=[2024, 2, "9.9.9"])).status_code == 404


# --- print view, command, admin ----------------------------------------------------------------


def test_print_view_has_every_article_and_the_appendix(client, issue):
    response = client.get(reverse("pdf:print", args=[2024, 2]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for article in Article.objects.published().filter(issue=issue):
        assert f'id="a-{article.pk}"' in html
    assert 'href="/static/css/print.css"' in html
    assert html.count("<tr><td>") >= 500  # the registry table


@TYPESET_ONCE
def test_export_command_writes_the_issue_and_one_article(tmp_path, issue):
    out = tmp_path / "issue.pdf"
    call_command("export_issue_pdf", "2024", "2", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    one = tmp_path / "one.pdf"
    call_command("export_issue_pdf", "2024", "2", "--article", "1.1.1", "-o", str(one))
    assert len(pypdf.PdfReader(one).pages) < len(pypdf.PdfReader(out).pages)
    with pytest.raises(CommandError, match="没有 2024年第09期"):
        call_command("export_issue_pdf", "2024", "9")
    with pytest.raises(CommandError, match=r"9\.9\.9"):
        call_command("export_issue_pdf", "2024", "2", "--article", "9.9.9", "-o", str(one))
    Issue.objects.filter(pk=issue.pk).update(status=Status.DRAFT)
    with pytest.raises(CommandError, match="--include-drafts"):
        call_command("export_issue_pdf", "2024", "2", "-o", str(out))
    call_command("export_issue_pdf", "2024", "2", "--include-drafts", "-o", str(out))
    assert "预览稿" in Pdf.read(out.read_bytes()).page_text(0)


@TYPESET_ONCE
def test_admin_action_and_buttons(chief_client, issue):
    response = chief_client.post(
        reverse("admin:issues_issue_changelist"),
        {"action": "export_pdf", "_selected_action": [issue.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = chief_client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert reverse("pdf:issue", args=[2024, 2]) + "?preview=1" in page
    assert reverse("pdf:print", args=[2024, 2]) in page


@TYPESET_ONCE
def test_cli_output_defaults_to_the_issue_file_name(tmp_path, monkeypatch, issue):
    monkeypatch.chdir(tmp_path)
    call_command("export_issue_pdf", "2024", "2", "--article", "1.1.1")
    assert Path("职教通讯-2024年第02期-1.1.1.pdf").exists()


def _png(width: int, height: int) -> bytes:
    """A small solid-colour PNG, made here (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )


def test_images_from_storage_are_printed_and_others_described(issue):
    from django.core.files.base import ContentFile

    name = default_storage.save("articles/campus.png", ContentFile(_png(40, 20)))
    article = Article.objects.get(issue=issue, number="1.1.1")
    article.body = (
        f'<figure><img src="/media/{name}" alt="校园"><figcaption>图一 校园一角</figcaption>'
        "</figure>"
        '<p>正文</p><img src="https://example.org/remote.png" alt="外站图片">'
    )
    pdf = Pdf.read(build_article_pdf(article=article))
    images = [
        (int(x["/Width"]), int(x["/Height"]))
        for page in pdf.reader.pages
        for x in (o.get_object() for o in page["/Resources"].get("/XObject", {}).values())
        if x["/Subtype"] == "/Image"
    ]
    assert images == [(40, 20)]
    text = _norm(pdf.text)
    # Another site's image is not fetched: its placeholder says so (it printed "［图片：…］").
    assert "图一校园一角" in text and "图片无法显示：外站图片（不是本站保存的图片）" in text


# --- what Typst cannot do, and storage that fails ------------------------------------------------

# One ASCII letter and 21,845 full-width commas: 65,536 bytes in one paragraph, on which Typst's PDF
# writer panics ("end byte index 65535 is not a char boundary"), a BaseException in Python.
PANIC_PARAGRAPH = "a" + "，" * 21845


def _panicking_article(issue: Issue, number: str = SEED_ARTICLE) -> Article:
    article = Article.objects.get(issue=issue, number=number)
    article.body = f"<p>{PANIC_PARAGRAPH}</p>"
    article.save()
    return article


def _logged(caplog, *words: str) -> bool:
    return any(all(w in r.getMessage() for w in words) for r in caplog.records)


def test_a_typst_panic_gives_the_unavailable_page_and_names_the_article(client, issue, caplog):
    _panicking_article(issue)
    with caplog.at_level(logging.ERROR, logger="printing.render"):
        response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 503
    assert "暂时无法生成 PDF" in response.content.decode()
    assert _logged(caplog, "2024年第02期", SEED_ARTICLE)
    assert not _logged(caplog, "1.1.1")  # only the article that causes it is named
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="printing.render"):
        response = client.get(reverse("pdf:article", args=[2024, 2, SEED_ARTICLE]))
    assert response.status_code == 503
    assert _logged(caplog, "2024年第02期", SEED_ARTICLE)
    # Every other article's PDF is unaffected, and the compiler still works.
    assert client.get(reverse("pdf:article", args=[2024, 2, "1.1.1"])).status_code == 200


def test_keyboard_interrupt_during_a_build_is_not_swallowed(issue, monkeypatch):
    class Stopped:
        def compile_with_warnings(self, **kwargs):
            raise KeyboardInterrupt

    monkeypatch.setattr(render, "_compilers", {tuple(render.font_dirs()): Stopped()})
    with pytest.raises(KeyboardInterrupt):
        build_issue_pdf(issue=issue)


class ReadOnlyStorage(FileSystemStorage):
    """A storage that reads but cannot write, as a read-only volume or a full disk."""

    def _save(self, name, content):
        raise PermissionError(13, "Read-only file system", name)


@pytest.fixture
def read_only_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.ReadOnlyStorage",
            "OPTIONS": {"location": str(tmp_path / "read-only")},
        },
    }
    return default_storage


@TYPESET_ONCE
def test_a_pdf_that_cannot_be_stored_is_served_anyway_and_the_error_logged(
    client, issue, read_only_storage, caplog
):
    article_url = reverse("pdf:article", args=[2024, 2, "1.1.1"])
    with caplog.at_level(logging.ERROR, logger="printing.storage"):
        responses = [client.get(ISSUE_PDF_URL), client.get(article_url)]
    for response in responses:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["ETag"]
    assert _logged(caplog, "not stored", f"issue-{issue.pk}/issue-", "Read-only")
    assert _logged(caplog, "not stored", f"issue-{issue.pk}/article-", "Read-only")
    assert not read_only_storage.exists(storage.folder(issue.pk))


CLOSED_SITES = [
    pytest.param({"ZHIJIAO_REQUIRE_LOGIN": True}, id="login-required"),
    pytest.param({"ZHIJIAO_ALLOWED_NETWORKS": ["127.0.0.0/8"]}, id="campus-network"),
]


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("closed", CLOSED_SITES)
@TYPESET_ONCE
def test_pdfs_of_a_closed_site_are_private(client, teacher, settings, issue, closed):
    for name, value in closed.items():
        setattr(settings, name, value)
    client.force_login(teacher)
    for url in (ISSUE_PDF_URL, reverse("pdf:article", args=[2024, 2, "1.1.1"])):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in _cache_control(response) and "public" not in _cache_control(response)
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert unchanged.status_code == 304
        assert "private" in _cache_control(unchanged)
        assert "public" not in _cache_control(unchanged)


@TYPESET_ONCE
def test_pdfs_of_an_open_site_stay_public(client, issue):
    response = client.get(ISSUE_PDF_URL)
    assert {"public", "max-age=0", "must-revalidate"} <= _cache_control(response)


class UnreachableStorage(FileSystemStorage):
    """An object store that does not answer (botocore errors arrive as OSError)."""

    def exists(self, name):
        raise OSError("Could not connect to the endpoint URL")

    def _save(self, name, content):
        raise OSError("Could not connect to the endpoint URL")


@TYPESET_ONCE
def test_a_pdf_is_served_when_the_storage_does_not_answer(
    client, issue, settings, tmp_path, caplog
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.UnreachableStorage",
            "OPTIONS": {"location": str(tmp_path / "unreachable")},
        },
    }
    with caplog.at_level(logging.ERROR, logger="printing.storage"):
        response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert _logged(caplog, "not reachable")
