"""The whole of issue 13 as an editor and a 主编 play it at 1366 px, one step after another on
the same issue: 以上一期为模板新建 → a subsection in one save → an article with a heading, a list,
a table, an image with its 图注 and a clean paste → a conflict resolved field by field → a revert
from the history → 发布前检查 and 发布 → the issue's PDF, read with pypdf. Each step leaves
test-artifacts/screenshots/story-NN-<step>-1366.png."""

from __future__ import annotations

import re

import pypdf
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from core.publishing import Status
from core.roles import CHIEF_EDITOR, EDITOR
from issues.models import Issue
from tests.browser.conftest import SCREENSHOTS, full_page_png, log_in
from tests.browser.editing import back_in_editor, click_in, cursor_to
from tests.browser.test_editor import _photo
from tests.conftest import role_group
from tests.printing.test_pdf import Pdf, _norm
from tests.seeds import seed_text
from tests.sources.seedfiles import NEWSLETTER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BODY = ".tiptap.ProseMirror >> visible=true"


class Story:
    def __init__(self) -> None:
        self.step = 0

    def shot(self, page: Page, name: str) -> None:
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        full_page_png(page, SCREENSHOTS / f"story-{self.step:02d}-{name}-1366.png")


def _staff(username: str, role: str, last: str, first: str) -> User:
    user = User.objects.create_user(
        username, password="pw", is_staff=True, last_name=last, first_name=first
    )
    user.groups.add(role_group(role))
    return user


def _open(browser: Browser, server, user: User, path: str) -> Page:
    """``user``'s own browser, logged in (tests/browser/conftest.py ``log_in``), at ``path``."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    log_in(context, server, user)
    page = context.new_page()
    page.goto(server.url + path)
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def _paste(page: Page, text: str) -> None:
    """What the clipboard brings, as tests/browser/test_editor.py pastes it."""
    page.locator(BODY).first.evaluate(
        """(dom, text) => {
            const data = new DataTransfer()
            data.setData("text/plain", text)
            dom.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                           cancelable: true}))
        }""",
        text,
    )


def _html(page: Page) -> str:
    return page.evaluate("document.querySelector('.tiptap.ProseMirror').editor.getHTML()")


def _saved(page: Page) -> None:
    page.click("input[name=_continue]")
    shown = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not shown, shown
    expect(page.locator(".messagelist")).to_be_visible()


def _image_pages(reader: pypdf.PdfReader) -> set[int]:
    found = set()
    for index, page in enumerate(reader.pages):
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        for ref in (xobjects.get_object() if xobjects else {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                found.add(index)
    return found


def test_the_next_issue_from_template_to_pdf(seeded_server, browser: Browser):
    bianji = _staff("bianji", EDITOR, "李", "编辑")
    zhubian = _staff("zhubian", CHIEF_EDITOR, "张", "主编")
    url = seeded_server.url
    story = Story()

    # (a) 以上一期为模板新建 → 2025年第01期.
    editor = _open(browser, seeded_server, bianji, reverse("admin:issues_issue_changelist"))
    editor.get_by_role("link", name="以上一期为模板新建").click()
    expect(editor.get_by_label("年份")).to_have_value("2025")
    expect(editor.get_by_label("期号")).to_have_value("1")
    story.shot(editor, "from-previous")
    editor.get_by_role("button", name="新建草稿").click()
    expect(editor.locator(".messagelist")).to_contain_text("为模板新建2025年第01期")
    issue = Issue.objects.get(year=2025, number=1)
    assert issue.status == Status.DRAFT
    story.shot(editor, "new-issue")

    # (b) A new board and its subsection, in one save of the issue page.
    saved = issue.sections.count()
    group = editor.locator("#sections-group")
    add = group.locator("tr.add-row a")
    add.click()
    board = editor.locator(f"#sections-{saved}")
    board.locator("input.section-title").fill("专家视点")
    board.locator("input.section-title").press("Tab")
    board_number = board.locator("input.section-number").input_value()
    add.click()
    sub = editor.locator(f"#sections-{saved + 1}")
    sub.locator("input.section-title").fill("名家谈")
    sub.locator("select.section-parent").select_option(label=f"{board_number} 专家视点（新）")
    expect(sub.locator("input.section-number")).to_have_value(f"{board_number}.1")
    story.shot(editor, "subsection")
    editor.locator("input[name=_continue]").click()
    expect(editor.locator(".messagelist")).to_contain_text("成功")
    subsection = issue.sections.get(title="名家谈")
    assert subsection.parent.title == "专家视点" and subsection.number == f"{board_number}.1"
    story.shot(editor, "subsection-saved")

    # (c) An article in it: a heading, a list, a table, an image with its 图注, a clean paste.
    editor.goto(url + reverse("admin:articles_article_add") + f"?issue={issue.pk}")
    editor.fill("#id_title", "产教融合的新探索")
    editor.locator("#id_section").select_option(str(subsection.pk))
    editor.fill("#id_number", f"{subsection.number}.1")
    editor.fill("#id_position", "100")
    body = editor.locator(BODY).first
    click_in(editor, body)
    editor.keyboard.type("## 一、背景")
    editor.keyboard.press("Enter")
    editor.keyboard.type("学院近年的三项做法：")
    editor.keyboard.press("Enter")
    editor.keyboard.type("- 校企共建实训基地")
    editor.keyboard.press("Enter")
    editor.keyboard.type("订单培养")
    editor.keyboard.press("Enter")
    editor.keyboard.press("Enter")
    editor.keyboard.type("各专业的合作企业数如下表。")
    editor.keyboard.press("Enter")
    editor.click("[data-name=table]")
    dialog = editor.locator("dialog.prose-editor-dialog")
    dialog.get_by_role("button", name="插入表格").click()
    back_in_editor(editor)
    editor.keyboard.type("专业")
    editor.keyboard.press("Tab")
    editor.keyboard.type("企业数")
    cursor_to(editor, "Control+End")
    editor.keyboard.type("实训车间一角：")
    # An image needs a saved article (its attachment belongs to it): 保存并继续编辑 first.
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_be_visible()
    article = Article.objects.get(issue=issue, title="产教融合的新探索")
    click_in(editor, editor.locator(BODY).first)
    cursor_to(editor, "Control+End")
    editor.keyboard.press("Enter")
    editor.click("[data-name=figure]")
    image = editor.locator("dialog.zj-image-dialog")
    expect(image).to_contain_text("插入图片")
    image.locator("input[type=file]").set_input_files(
        {"name": "车间.png", "mimeType": "image/png", "buffer": _photo()}
    )
    image.get_by_role("textbox", name=re.compile(r"^图注")).fill("学生在实训车间")
    image.get_by_role("button", name="插入").click()
    back_in_editor(editor)
    expect(editor.locator(".tiptap figure figcaption")).to_have_text("学生在实训车间")
    cursor_to(editor, "Control+End")
    editor.keyboard.press("Enter")
    _paste(editor, "\n".join(seed_text(NEWSLETTER).splitlines()[:40]))
    expect(editor.locator(".zj-editor-status")).to_have_text("已把粘贴的 21 行整理为 5 段。")
    html = _html(editor)
    assert "<h2>一、背景</h2>" in html, html
    assert "<ul><li><p>校企共建实训基地</p></li><li><p>订单培养</p></li></ul>" in html, html
    assert "<table>" in html and "企业数" in html
    story.shot(editor, "article-editor")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_be_visible()
    article.refresh_from_db()
    picture = article.attachments.get()
    assert (
        f'<figure><img src="{picture.get_absolute_url()}" alt="学生在实训车间">'
        "<figcaption>学生在实训车间</figcaption></figure>"
    ) in article.body
    assert "<p>要闻纵览</p><p>教育部办公厅印发《关于开展市域产教联合体建设的通知》</p>" in (
        article.body
    )
    assert "市域\n" not in article.body
    story.shot(editor, "article-saved")

    # (d) The 主编 and the editor both change it; the second resolves it field by field.
    change = reverse("admin:articles_article_change", args=[article.pk])
    chief = _open(browser, seeded_server, zhubian, change)
    editor.goto(url + change)
    expect(chief.locator(BODY).first).to_be_visible()
    expect(editor.locator(BODY).first).to_be_visible()
    chief.fill("#id_subtitle", "主编加的副标题")
    click_in(chief, chief.locator(".tiptap p", has_text="学院近年的三项做法"))
    chief.keyboard.press("Home")
    chief.keyboard.type("主编加的开头。")
    _saved(chief)
    theirs = Article.objects.get(pk=article.pk).body
    assert "学生在实训车间" in theirs, theirs
    editor.fill("#id_toc_title", "产教融合新探索")
    click_in(editor, editor.locator(BODY).first)
    cursor_to(editor, "Control+End")
    editor.keyboard.type("编辑加的结尾。")
    editor.click("input[name=_continue]")
    panel = editor.locator("section.conflict")
    expect(panel).to_be_visible()
    expect(panel.locator(".conflict-theirs")).to_contain_text("主编加的开头")
    expect(panel.locator(".conflict-mine")).to_contain_text("编辑加的结尾")
    expect(editor.locator("#id_subtitle")).to_have_value("主编加的副标题")
    story.shot(editor, "conflict")
    editor.get_by_label("合并双方的修改").check()
    _saved(editor)
    article.refresh_from_db()
    assert article.subtitle == "主编加的副标题" and article.toc_title == "产教融合新探索"
    assert "主编加的开头。" in article.body and "编辑加的结尾。" in article.body
    assert "学生在实训车间" in article.body and "<h2>一、背景</h2>" in article.body
    merged = article.body
    story.shot(editor, "conflict-resolved")

    # (e) A wrong title, undone from the history on the first click.
    editor.fill("#id_title", "误改的标题")
    _saved(editor)
    editor.goto(url + reverse("admin:articles_article_history", args=[article.pk]))
    rows = editor.locator("#change-history tbody tr")
    expect(rows.first).to_contain_text("误改的标题")
    story.shot(editor, "history")
    rows.nth(1).locator("a").first.click()
    expect(editor.locator("#id_title")).to_have_value("产教融合的新探索")
    editor.locator("input[name=_save]").click()
    expect(editor.locator(".messagelist .success, .messagelist li").first).to_be_visible()
    assert not editor.locator(".errornote").count()
    article.refresh_from_db()
    assert article.title == "产教融合的新探索"
    assert article.body == merged and article.subtitle == "主编加的副标题"
    story.shot(editor, "reverted")

    # (f) The 主编 publishes the issue's articles, opens 发布前检查 and publishes the issue.
    chief.goto(url + reverse("admin:articles_article_changelist") + f"?issue__id__exact={issue.pk}")
    chief.locator("#action-toggle").check()
    chief.locator("select[name=action]").select_option("publish")
    chief.locator("button[name=index]").click()
    expect(chief.locator(".messagelist")).to_be_visible()
    assert not issue.articles.exclude(status=Status.PUBLISHED).exists()
    chief.goto(url + reverse("admin:issues_issue_change", args=[issue.pk]))
    chief.get_by_role("link", name="发布前检查").click()
    expect(chief.locator("h1")).to_have_text("发布前检查：2025年第01期")
    story.shot(chief, "prepublish")
    chief.get_by_role("button", name="发布2025年第01期").click()
    expect(chief.locator(".messagelist")).to_contain_text("已发布")
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED
    story.shot(chief, "published")

    # (g) The issue's PDF from the admin: the image on the article's pages, the 目录 right.
    chief.goto(url + reverse("admin:issues_issue_changelist"))
    chief.locator(f'input[name=_selected_action][value="{issue.pk}"]').check()
    chief.locator("select[name=action]").select_option("export_pdf")
    with chief.expect_download() as download:
        chief.locator("button[name=index]").click()
    content = download.value.path().read_bytes()
    story.shot(chief, "pdf-exported")
    pdf = Pdf.read(content)
    toc = {_norm(text): page for text, page in pdf.toc_entries()}
    printed = list(issue.articles.order_by("position"))
    assert article in printed
    starts = {}
    for each in printed:
        each.refresh_from_db()
        heading = (
            f"{each.number} {each.source}：{each.title}"
            if each.source
            else (f"{each.number} {each.title}")
        )
        where = pdf.page_of(heading)
        # The 目录 lists the 目录标题 when there is one (set in step d).
        listed = f"{each.number} {each.toc_title}" if each.toc_title else heading
        assert each.pdf_page == pdf.footer_number(where) == toc[_norm(listed)], (heading, toc)
        starts[each.pk] = where
    first = starts[article.pk]
    after = sorted(i for i in starts.values() if i > first)
    last = after[0] if after else len(pdf.reader.pages) - 1
    images = _image_pages(pdf.reader)
    assert images & set(range(first, last + 1)), (images, first, last)
    assert images <= set(range(first, last + 1)) | {0}  # no other article has one (0: the cover)
    pdf_text = _norm(pdf.text)
    assert _norm("学生在实训车间") in pdf_text and _norm("一、背景") in pdf_text
