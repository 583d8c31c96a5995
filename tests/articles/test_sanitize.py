"""Article bodies keep what a printed article needs and nothing that runs.

Known XSS payloads go through the sanitiser, the model's save, the admin form, the importer and the
rendered page; none of them survives as markup anywhere.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles.models import Article
from articles.sanitize import clean_html
from importer.load import import_issue
from tests.conftest import ISSUE_01, admin_form_data, seed_text

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>X</text></a></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onclick="alert(1)">x</div>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table>"
    "</mtext></math>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<img src=x:alert(1) onerror=eval(src)>",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    '<a href="#" onmouseover="alert(1)">x</a>',
    "<marquee onstart=alert(1)>x</marquee>",
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|style|svg|math|form|input|meta|base|link|body|video|"
    r"audio|details|marquee|noscript)\b|\son[a-z]+\s*=|javascript:|vbscript:|data:|srcdoc",
    re.IGNORECASE,
)


def test_there_are_enough_payloads():
    assert len(XSS_PAYLOADS) >= 30


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitiser_removes_every_payload(payload):
    cleaned = clean_html(f"<p>前文</p>{payload}<p>后文</p>")
    assert not DANGEROUS.search(cleaned), cleaned
    assert "前文" in cleaned and "后文" in cleaned


def test_what_an_article_needs_is_kept():
    html = (
        "<h3>一、小标题</h3><p>段落<strong>加粗</strong><em>强调</em></p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol>"
        "<table><thead><tr><th>年份</th></tr></thead><tbody><tr><td>2024</td></tr></tbody></table>"
        '<p><a href="https://www.moe.gov.cn/">教育部</a><img src="/media/a.png" alt="图"></p>'
    )
    cleaned = clean_html(html)
    for fragment in (
        "<h3>",
        "<strong>",
        "<em>",
        "<ul>",
        "<ol>",
        "<table>",
        "<th>",
        "<td>",
        'href="https://www.moe.gov.cn/"',
        'src="/media/a.png"',
        'alt="图"',
    ):
        assert fragment in cleaned, fragment


@pytest.mark.django_db
def test_model_save_sanitises_every_payload():
    article = Article.objects.get(issue__number=2, number="1.1.1")
    article.body = "<p>正文</p>" + "".join(XSS_PAYLOADS)
    article.save()
    article.refresh_from_db()
    assert not DANGEROUS.search(article.body)
    assert "正文" in article.body


@pytest.mark.django_db
def test_admin_form_cannot_store_a_payload(client, superuser):
    client.force_login(superuser)
    article = Article.objects.get(issue__number=2, number="1.1.2")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(client, url)
    data["body"] = "<p>改过</p>" + "".join(XSS_PAYLOADS)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert "改过" in article.body and not DANGEROUS.search(article.body)


@pytest.mark.django_db
def test_imported_payloads_print_as_text_and_the_page_runs_none(client):
    anchor = "为贯彻落实习近平总书记重要批示精神"
    text = seed_text(ISSUE_01).replace(anchor, anchor + "".join(XSS_PAYLOADS), 1)
    import_issue(text=text, publish=True)
    article = Article.objects.get(issue__number=1, issue__year=2024, number="1.1.1")
    # Only markup counts: the payloads' own text is escaped and may mention "onerror=".
    tags = re.findall(r"<[^>]*>", article.body)
    assert not any(DANGEROUS.search(tag) for tag in tags), [t for t in tags if DANGEROUS.search(t)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article.body  # shown to readers as text
    page = client.get(article.get_absolute_url()).content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert article.title in main
    tags = re.findall(r"<[^>]*>", main)
    assert not any(DANGEROUS.search(tag) for tag in tags), [t for t in tags if DANGEROUS.search(t)]
