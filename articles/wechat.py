"""复制到公众号: an article (or an issue's 目录) as HTML the WeChat 公众号 editor keeps when pasted.

The editor drops <style>, classes, ids and scripts and refuses links to outside pages, so every
element carries its own inline style, each link becomes its text with a numbered note (the URL
listed at the end), and images are listed for the editor to upload (the 公众号 keeps only images it
hosts). A pure function over the sanitised body (articles.sanitize), so the rules are tested on
every seed article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

from articles.sanitize import ALLOWED_TAGS

FONT = "font-size:15px;line-height:1.8;color:#333;"
STYLES = {
    "section": f"{FONT}letter-spacing:.5px;",
    "p": "margin:0 0 1em;text-indent:2em;",
    "title": "margin:0 0 .6em;font-size:20px;font-weight:bold;line-height:1.4;color:#1d2733;",
    "h2": "margin:1.6em 0 .6em;font-size:17px;font-weight:bold;color:#a3201b;",
    "h3": "margin:1.4em 0 .5em;font-size:16px;font-weight:bold;color:#1d2733;",
    "h4": "margin:1.2em 0 .5em;font-size:15px;font-weight:bold;",
    "h5": "margin:1em 0 .4em;font-size:15px;font-weight:bold;",
    "h6": "margin:1em 0 .4em;font-size:15px;font-weight:bold;",
    "strong": "font-weight:bold;",
    "b": "font-weight:bold;",
    "em": "font-style:italic;",
    "i": "font-style:italic;",
    "u": "text-decoration:underline;",
    "s": "text-decoration:line-through;",
    "sub": "font-size:.8em;",
    "sup": "font-size:.8em;",
    "blockquote": "margin:1em 0;padding:.5em 1em;border-left:3px solid #d9dee4;color:#5b6572;",
    "ul": "margin:0 0 1em;padding-left:2em;",
    "ol": "margin:0 0 1em;padding-left:2em;",
    "li": "margin:.2em 0;",
    "table": "border-collapse:collapse;margin:1em 0;font-size:14px;line-height:1.6;",
    "thead": "",
    "tbody": "",
    "tfoot": "",
    "tr": "",
    "caption": "font-weight:bold;margin-bottom:.3em;",
    "th": "border:1px solid #d9dee4;padding:4px 8px;background:#f5f3ef;font-weight:bold;",
    "td": "border:1px solid #d9dee4;padding:4px 8px;vertical-align:top;",
    "figure": "margin:1.5em 0;text-align:center;",
    "figcaption": "font-size:13px;color:#5b6572;margin-top:.4em;text-indent:0;",
    "img": "max-width:100%;height:auto;display:block;margin:0 auto;",
    "hr": "border:0;border-top:1px solid #d9dee4;margin:1.5em 0;",
    "span": "",
    "code": "font-family:monospace;",
    "pre": "white-space:pre-wrap;font-family:monospace;font-size:13px;",
    "note": "font-size:13px;color:#5b6572;margin:0 0 .3em;text-indent:0;word-break:break-all;",
    "meta": "font-size:14px;color:#5b6572;margin:0 0 .3em;text-indent:0;",
}
# Inside these a paragraph is not a paragraph of running text: no first-line indent.
_NO_INDENT = {"li", "td", "th", "blockquote", "figure", "caption"}
_KEPT_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "ol": {"start"}}


@dataclass(frozen=True)
class Image:
    url: str
    caption: str


@dataclass
class WechatCopy:
    html: str
    images: list[Image] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, url), numbered from 1


def _style(tag: str, inside: list[str]) -> str:
    style = STYLES.get(tag, "")
    if tag == "p" and _NO_INDENT & set(inside):
        style = style.replace("text-indent:2em;", "text-indent:0;")
    return style


def _open(tag: str, style: str, attrs: str = "") -> str:
    return f'<{tag}{attrs} style="{style}">' if style else f"<{tag}{attrs}>"


class _Rewriter(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.out: list[str] = []
        self.stack: list[str] = []
        self.images: list[Image] = []
        self.links: list[tuple[str, str]] = []
        self.link: tuple[str, list[str]] | None = None  # (href, text so far)
        self.pending_image: int | None = None  # index of an image waiting for its figcaption

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a":
            self.link = (values.get("href") or "", [])
            return
        if tag not in ALLOWED_TAGS:
            return  # not in the body policy (articles.sanitize): dropped, its text kept
        if tag == "img":
            src = urljoin(self.base_url, values.get("src") or "")
            alt = values.get("alt") or ""
            self.images.append(Image(src, alt))
            self.pending_image = len(self.images) - 1
            self.out.append(
                f'<img src="{escape(src)}" alt="{escape(alt)}" style="{STYLES["img"]}">'
            )
            return
        if tag == "br":
            self.out.append("<br>")
            return
        if tag == "hr":
            self.out.append(f'<hr style="{STYLES["hr"]}">')
            return
        kept = "".join(
            f' {name}="{escape(values[name])}"'
            for name in sorted(_KEPT_ATTRIBUTES.get(tag, set()) & values.keys())
            if values[name]
        )
        self.out.append(_open(tag, _style(tag, self.stack), kept))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            href, text = self.link
            self.link = None
            label = "".join(text)
            if href.startswith(("http://", "https://")):
                self.links.append((label, href))
                n = len(self.links)
                self.out.append(f'{escape(label)}<sup style="{STYLES["sup"]}">[{n}]</sup>')
            else:
                self.out.append(escape(label))
            return
        if tag in self.stack:
            while self.stack:
                top = self.stack.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data):
        if self.link is not None:
            self.link[1].append(data)
        else:
            self.out.append(escape(data, quote=False))
        if self.stack and self.stack[-1] == "figcaption" and self.pending_image is not None:
            image = self.images[self.pending_image]
            self.images[self.pending_image] = Image(image.url, image.caption or data.strip())

    def result(self) -> str:
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def _paragraph(text: str, style: str) -> str:
    return f'<p style="{style}">{escape(text, quote=False)}</p>'


def article_copy(article, *, base_url: str) -> WechatCopy:
    """The article's body as the 公众号 editor keeps it, with 信息来源, 摘编 and the link notes (the
    title goes in the editor's own title field)."""
    rewriter = _Rewriter(base_url)
    rewriter.feed(article.body or "")
    rewriter.close()
    parts = []
    if article.subtitle:
        parts.append(_paragraph(article.subtitle, STYLES["meta"]))
    parts.append(rewriter.result())
    if article.source_line:
        parts.append(_paragraph(article.source_line, STYLES["meta"]))
    if article.compiled_by:
        parts.append(_paragraph(f"摘编：{article.compiled_by}", STYLES["meta"]))
    issue = article.issue
    parts.append(_paragraph(f"原载《职教通讯》{issue.label} {article.number}", STYLES["meta"]))
    if rewriter.links:
        parts.append(_paragraph("注释", STYLES["meta"] + "font-weight:bold;margin-top:1em;"))
        for n, (text, url) in enumerate(rewriter.links, 1):
            parts.append(_paragraph(f"[{n}] {text}：{url}", STYLES["note"]))
    html = _open("section", STYLES["section"]) + "".join(parts) + "</section>"
    return WechatCopy(html=html, images=rewriter.images, links=rewriter.links)


def toc_copy(issue, toc) -> WechatCopy:
    """An issue's 目录 (articles.toc.table_of_contents) for a 公众号 post."""
    line = "margin:0 0 .35em;text-indent:0;"
    parts = [_paragraph(f"《{issue.title}》{issue.label} 目录", STYLES["title"] + "text-indent:0;")]

    def articles(items, indent):
        for a in items:
            page = f"　{a.page_label}" if getattr(a, "page_label", "") else ""
            text = f"{a.number} {a.toc_title or a.title}{page}"
            parts.append(_paragraph(text, f"{line}padding-left:{indent}em;"))

    for node in toc:
        section = node.section
        parts.append(
            _paragraph(f"{section.number} {section.title}", STYLES["h2"] + "text-indent:0;")
        )
        articles(node.articles, 0)
        for child in node.children:
            head = f"{child.section.number} {child.section.title}"
            parts.append(_paragraph(head, STYLES["h3"] + "text-indent:0;"))
            articles(child.articles, 1)
    return WechatCopy(html=_open("section", STYLES["section"]) + "".join(parts) + "</section>")
