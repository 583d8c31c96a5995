"""复制到公众号 on every seed article: only what the 公众号 editor keeps — inline styles, no
<style>, classes, ids or scripts, no links (numbered notes instead), images listed — and the
信息来源 and 摘编 lines kept."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from articles.models import Article
from articles.toc import table_of_contents
from articles.wechat import article_copy, toc_copy
from core.text import html_to_text
from issues.models import Issue

pytestmark = pytest.mark.django_db

BASE = "http://zhijiao.example/"
UNSTYLED = {"br", "tr", "thead", "tbody", "tfoot", "span"}


class _Check(HTMLParser):
    def __init__(self):
        super().__init__()
        self.faults: list[str] = []
        self.tags: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append(tag)
        if tag in {"style", "script", "link", "a", "iframe", "form"}:
            self.faults.append(f"<{tag}>")
        for name in values:
            if name in {"class", "id"} or name.startswith("on"):
                self.faults.append(f"<{tag} {name}>")
        if tag not in UNSTYLED and not values.get("style"):
            self.faults.append(f"<{tag}> without a style")
        if tag == "img":
            self.images.append(values.get("src") or "")
            if not (values.get("src") or "").startswith(BASE):
                self.faults.append(f"<img src={values.get('src')}>")


def _check(html: str) -> _Check:
    check = _Check()
    check.feed(html)
    check.close()
    return check


def test_every_seed_article_follows_the_rules():
    articles = list(Article.objects.select_related("issue"))
    assert len(articles) == 74
    for article in articles:
        copy = article_copy(article, base_url=BASE)
        check = _check(copy.html)
        assert not check.faults, (article.number, check.faults[:5])
        assert check.tags[0] == "section"
        text = html_to_text(copy.html)
        # Nothing of the text is lost: every line of the body is there.
        for line in html_to_text(article.body).splitlines():
            assert line in text, (article.number, line)
        source = article.source_name or article.source
        if source:
            assert f"信息来源：{source}" in text
        assert f"原载《职教通讯》{article.issue.label} {article.number}" in text
        assert [i.url for i in copy.images] == check.images


def test_links_become_numbered_notes_and_images_are_listed():
    article = Article.objects.select_related("issue").get(
        issue__year=2024, issue__number=2, number="1.1.3"
    )
    article.compiled_by = "职教所"
    article.body = (
        '<p>详见<a href="https://www.moe.gov.cn/">教育部网站</a>和'
        '<a href="http://example.org/a?b=1&amp;c=2">附件</a>。</p>'
        '<figure><img src="/articles/attachments/7/" alt="实训车间">'
        "<figcaption>实训车间</figcaption></figure>"
        "<ul><li><p>校企共建</p></li></ul>"
    )
    copy = article_copy(article, base_url=BASE)
    assert not _check(copy.html).faults
    assert "教育部网站<sup" in copy.html and ">[1]</sup>和附件<sup" in copy.html
    assert copy.links == [
        ("教育部网站", "https://www.moe.gov.cn/"),
        ("附件", "http://example.org/a?b=1&c=2"),
    ]
    text = html_to_text(copy.html)
    assert "[1] 教育部网站：https://www.moe.gov.cn/" in text
    assert "[2] 附件：http://example.org/a?b=1&c=2" in text
    assert "摘编：职教所" in text
    assert [(i.url, i.caption) for i in copy.images] == [
        (BASE + "articles/attachments/7/", "实训车间")
    ]
    # A list item's paragraph is not indented like running text.
    assert 'style="margin:0 0 1em;text-indent:0;">校企共建' in copy.html


def test_the_toc_of_an_issue():
    issue = Issue.objects.get(year=2024, number=2)
    copy = toc_copy(issue, table_of_contents(issue))
    assert not _check(copy.html).faults
    text = html_to_text(copy.html)
    assert text.startswith("《职教通讯》2024年第02期 目录")
    for article in Article.objects.published().filter(issue=issue):
        assert f"{article.number} {article.toc_title or article.title}" in text


def test_the_pages_offer_the_copy(client):
    article = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.3")
    url = reverse("articles:wechat", args=[2024, 2, "1.1.3"])
    assert f'href="{url}"' in client.get(article.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert (
        'data-copy="#wechat-copy" data-copy-html' in page
        and '<div class="wechat-preview" id="wechat-copy"><section style=' in page
    )
    toc = reverse("issues:wechat", args=[2024, 2])
    assert f'href="{toc}"' in client.get(reverse("issues:detail", args=[2024, 2])).content.decode()
    assert "2024年第02期 目录" in client.get(toc).content.decode()
