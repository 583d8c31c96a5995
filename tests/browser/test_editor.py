"""The article body's rich-text editor as an 编辑 uses it (1366 px): Chinese labels, an image with
its 图注 inserted through the image button, a clean paste of lines cut by a PDF conversion, typing
after a link, a paragraph after a final table; and no serious accessibility fault in the editor."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from core.roles import EDITOR
from tests.browser.axe import describe, serious
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.editing import back_in_editor, click_in, cursor_to
from tests.conftest import role_group
from tests.seeds import seed_text
from tests.sources.seedfiles import NEWSLETTER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _photo() -> bytes:
    """A picture with something to see in the screenshots."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), "#dfe9f3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 160, 440, 260), fill="#41729f")
    draw.ellipse((330, 30, 410, 110), fill="#f2b134")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


EDITOR_PARTS = re.compile(r"prose|tiptap|ProseMirror|zj-")


def _open_article(server, page: Page) -> Article:
    user = User.objects.create_user("bianji", password="pw", is_staff=True)
    user.groups.add(role_group(EDITOR))
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page.context, server, user)
    article = Article.objects.get(issue__number=2, issue__year=2024, number="1.1.1")
    page.goto(server.url + reverse("admin:articles_article_change", args=[article.pk]))
    expect(page.locator("#user-tools")).to_contain_text("bianji")
    expect(page.locator(".tiptap.ProseMirror")).to_be_visible()
    return article


def _end_of_body(page: Page) -> None:
    """The cursor in a new empty paragraph at the end of the body."""
    click_in(page, page.locator(".tiptap.ProseMirror"))
    cursor_to(page, "Control+End")
    page.keyboard.press("Enter")


def _html(page: Page) -> str:
    return page.evaluate("document.querySelector('.tiptap.ProseMirror').editor.getHTML()")


def _save(page: Page, article: Article) -> str:
    page.click("input[name=_continue]")
    shown = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not shown, shown
    expect(page.locator(".messagelist")).to_be_visible()
    article.refresh_from_db()
    return article.body


def _editor_faults(violations: list[dict]) -> list[dict]:
    """The serious violations in the editor's own markup (the admin's are not this test's)."""
    found = []
    for v in serious(violations):
        nodes = [n for n in v["nodes"] if EDITOR_PARTS.search(" ".join(map(str, n["target"])))]
        nodes += [n for n in v["nodes"] if n not in nodes and EDITOR_PARTS.search(n["html"])]
        if nodes:
            found.append({**v, "nodes": nodes})
    return found


def test_chinese_labels_and_an_image_with_its_caption(seeded_server, page: Page, axe, screenshot):
    # CSP refusals of the page's own scripts; axe's injection (no URL) is the test's, and refused.
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(m.text)
            if "Content Security Policy" in m.text and m.location.get("url")
            else None
        ),
    )
    article = _open_article(seeded_server, page)
    menubar = page.locator(".prose-menubar").first

    titles = menubar.locator("button[title]").evaluate_all("bs => bs.map(b => b.title)")
    english = [t for t in titles if re.fullmatch(r"[A-Za-z :]+", t)]
    assert not english, english
    # The block-type menu's arrow is drawn, not a character some fonts lack (a box).
    selected = menubar.locator(".prose-menubar__selected")
    arrow = selected.evaluate("el => getComputedStyle(el, '::after').content")
    assert arrow in ('""', "none"), arrow
    selected.click()
    picker = page.locator(".prose-menubar__picker")
    expect(picker).to_contain_text("二级标题")
    assert "Heading" not in picker.inner_text()
    page.keyboard.press("Escape")
    found = _editor_faults(axe(page))
    assert not found, describe(found)

    _end_of_body(page)
    page.click("[data-name=figure]")
    dialog = page.locator("dialog.zj-image-dialog")
    expect(dialog).to_contain_text("插入图片")
    expect(dialog).to_contain_text("本文还没有图片附件")
    dialog.locator("input[type=file]").set_input_files(
        {"name": "车间.png", "mimeType": "image/png", "buffer": _photo()}
    )
    dialog.get_by_role("textbox", name=re.compile(r"^图注")).fill("学生在实训车间")
    found = _editor_faults(axe(page))
    assert not found, describe(found)
    screenshot(page, "editor-image-dialog")
    dialog.get_by_role("button", name="插入").click()
    expect(dialog).to_have_count(0)
    figure = page.locator(".tiptap figure")
    expect(figure.locator("figcaption")).to_have_text("学生在实训车间")
    expect(figure.locator("img")).to_have_js_property("complete", True)
    assert figure.locator("img").evaluate("img => img.naturalWidth") > 0  # served under the CSP

    body = _save(page, article)
    image = article.attachments.get()
    assert image.title == "学生在实训车间"
    assert (
        f'<figure><img src="{image.get_absolute_url()}" alt="学生在实训车间">'
        "<figcaption>学生在实训车间</figcaption></figure>"
    ) in body

    # Readers see the figure with its caption.
    page.goto(seeded_server.url + article.get_absolute_url())
    shown = page.locator(".body figure")
    expect(shown.locator("figcaption")).to_have_text("学生在实训车间")
    shown.scroll_into_view_if_needed()
    shown.screenshot(path=SCREENSHOTS / "editor-figure-public.png")
    page.go_back()

    # The second time, the image is there to pick.
    click_in(page, page.locator(".tiptap figcaption"))
    expect(selected.locator("button")).to_have_attribute("aria-label", "其他格式")
    cursor_to(page, "Control+End")
    page.click("[data-name=figure]")
    dialog.locator(".zj-image-choice").first.click()
    dialog.get_by_role("textbox", name=re.compile(r"^图注")).fill("再用一次")
    dialog.get_by_role("button", name="插入").click()
    expect(page.locator(".tiptap figure")).to_have_count(2)
    assert f'<img src="{image.get_absolute_url()}" alt="再用一次">' in _html(page)
    screenshot(page, "editor-figures")
    page.locator(".prose-editor").screenshot(path=SCREENSHOTS / "editor-figures-detail.png")
    assert not refused, refused


def test_paste_link_and_table(seeded_server, page: Page, screenshot):
    article = _open_article(seeded_server, page)
    editor = page.locator(".tiptap.ProseMirror")

    # A PDF conversion's lines, as the clipboard brings them.
    broken = "\n".join(seed_text(NEWSLETTER).splitlines()[:40])
    _end_of_body(page)
    editor.evaluate(
        """(dom, text) => {
            const data = new DataTransfer()
            data.setData("text/plain", text)
            dom.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                           cancelable: true}))
        }""",
        broken,
    )
    expect(page.locator(".zj-editor-status")).to_have_text("已把粘贴的 21 行整理为 5 段。")
    html = _html(page)
    assert "<p>要闻纵览</p><p>教育部办公厅印发《关于开展市域产教联合体建设的通知》</p>" in html
    assert "决定启动市域产教联合体创建工作" in html and "市域\n" not in html

    # Typing after a link does not go on linking.
    cursor_to(page, "Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("详见教育部网站")
    for _ in "教育部网站":
        page.keyboard.press("Shift+ArrowLeft")
    page.click("[data-name=link]")
    dialog = page.locator("dialog.prose-editor-dialog")
    expect(dialog).to_contain_text("编辑链接")
    dialog.get_by_label("网址").fill("https://www.moe.gov.cn/")
    dialog.get_by_role("button", name="确定").click()
    back_in_editor(page)
    expect(editor.locator("a", has_text="教育部网站")).to_have_attribute(
        "href", "https://www.moe.gov.cn/"
    )
    page.keyboard.press("End")
    page.keyboard.type("。此后的文字")
    assert "教育部网站</a>。此后的文字</p>" in _html(page)

    # A table at the very end still has a place for the cursor after it.
    page.keyboard.press("Enter")
    page.click("[data-name=table]")
    expect(dialog).to_contain_text("插入表格")
    expect(dialog).to_contain_text("行数")
    dialog.get_by_role("button", name="插入表格").click()
    back_in_editor(page)
    cursor_to(page, "Control+End")
    page.keyboard.type("表格之后的文字。")
    assert re.search(r"</table><p>表格之后的文字。</p>$", _html(page))
    screenshot(page, "editor-paste-link-table")
    page.locator(".prose-editor").screenshot(path=SCREENSHOTS / "editor-table-detail.png")

    body = _save(page, article)
    assert "<p>要闻纵览</p>" in body
    link = '<a href="https://www.moe.gov.cn/" rel="noopener noreferrer">教育部网站</a>'
    assert f"{link}。此后的文字" in body
    assert body.endswith("</table><p>表格之后的文字。</p>")
