"""Page numbers of a born-digital issue (issue 13, item 9) and its 说明 page (item 2): the public
PDF's build stores the page each article starts on, the web and the API say which numbering a page
is, and an issue without 说明 prints no 说明 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article
from issues.models import Issue
from printing import storage
from printing.build import build_issue_pdf
from printing.data import load_source
from tests.printing.pdfs import born_digital_issue
from tests.printing.test_pdf import Pdf, _norm

pytestmark = pytest.mark.django_db

LONG = "<p>" + "职业教育产教融合。" * 400 + "</p>"  # about two pages


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ZHIJIAO_PDF_AUTOBUILD = False


def _heading(article: Article) -> str:
    return f"{article.number} {article.title}"


def test_the_public_pdf_stores_the_page_each_article_starts_on():
    issue = born_digital_issue([LONG, "<p>短文。</p>", LONG])
    assert not Article.objects.filter(issue=issue).exclude(pdf_page=None).exists()
    pdf = Pdf.read(storage.issue_pdf(issue=issue).read())
    toc = {_norm(text): page for text, page in pdf.toc_entries()}
    pages = []
    for article in Article.objects.filter(issue=issue).order_by("position"):
        where = pdf.page_of(_heading(article))  # read with pypdf: the heading's page
        assert article.pdf_page == pdf.footer_number(where) == toc[_norm(_heading(article))]
        pages.append(article.pdf_page)
    assert pages[0] == 1 and pages[0] < pages[1] < pages[2]


def test_storing_the_pages_does_not_make_the_pdf_out_of_date(monkeypatch):
    issue = born_digital_issue([LONG, "<p>短文。</p>"])
    name = storage.stored_name(load_source(issue=issue))
    first = storage.issue_pdf(issue=issue)
    assert first.name == name and first.content is not None  # built now
    assert storage.stored_name(load_source(issue=issue)) == name
    built = []
    monkeypatch.setattr(storage, "render_source", lambda source: built.append(source) or b"")
    again = storage.issue_pdf(issue=issue)
    assert again.name == name and again.content is None and built == []  # from storage


def test_printed_page_numbers_stand_and_no_pdf_page_is_stored():
    issue = Issue.objects.get(year=2024, number=2)
    source = load_source(issue=issue)
    pages = {f"a-{a.pk}": 99 for a in source.articles}
    assert storage.store_pdf_pages(source=source, pages=pages) == set()
    assert not Article.objects.filter(issue=issue).exclude(pdf_page=None).exists()


def test_a_withdrawn_article_loses_its_pdf_page():
    issue = born_digital_issue(["<p>一</p>", "<p>二</p>"])
    first, second = issue.articles.order_by("position")
    source = load_source(issue=issue)
    storage.store_pdf_pages(source=source, pages={f"a-{first.pk}": 1, f"a-{second.pk}": 2})
    source.toc[0].children[0].articles = [first]  # printed without the second
    assert storage.store_pdf_pages(source=source, pages={f"a-{first.pk}": 1}) == {second.pk}
    assert list(issue.articles.order_by("position").values_list("pdf_page", flat=True)) == [
        1,
        None,
    ]


def test_the_web_and_the_api_say_which_numbering_a_page_is(client):
    issue = born_digital_issue(["<p>一</p>", "<p>二</p>"])
    storage.issue_pdf(issue=issue)
    second = issue.articles.get(number="1.1.2")
    assert second.pdf_page == 2
    html = client.get(issue.get_absolute_url()).content.decode()
    assert 'aria-label="第 2 页（PDF）"' in html and "（PDF）" in html
    assert "第 2 页（PDF）" in client.get(second.get_absolute_url()).content.decode()
    printed = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.3")
    page = client.get(printed.get_absolute_url()).content.decode()
    assert f"第 {printed.page_label} 页（印刷版）" in page

    data = client.get(reverse("api:article", args=[second.pk])).json()
    assert (data["page"], data["pdf_page"], data["page_numbering"]) == (None, 2, "pdf")
    data = client.get(reverse("api:article", args=[printed.pk])).json()
    assert (data["page"], data["page_numbering"]) == (printed.page_start, "print")


def test_an_issue_without_notes_prints_no_notes_page():
    without = Pdf.read(build_issue_pdf(issue=born_digital_issue(["<p>一</p>"])))
    front = [i for i, label in enumerate(without.labels) if label and not label.isdigit()]
    assert len(front) == 1  # the 目录 alone
    assert "说明" not in _norm(without.text)
    assert "主编" in _norm(without.page_text(front[0]))  # the editors' box, under the 目录
    notes = "一、宗旨\n本刊为内部资料。"
    kept = Pdf.read(build_issue_pdf(issue=born_digital_issue(["<p>一</p>"], notes=notes, number=2)))
    assert "《职教通讯》说明" in _norm(kept.text) and "本刊为内部资料" in kept.text
