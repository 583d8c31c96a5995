"""The one HTML policy: what an article body may contain, enforced with nh3 on every save.

Allowed is what a printed article needs (paragraphs, sub-headings, lists, tables, emphasis, links,
images); scripts, event handlers, styles, frames and ``javascript:``/``data:`` URLs never survive.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "img",
    "figure",
    "figcaption",
    "hr",
    "span",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """Return ``html`` reduced to the allowed tags, attributes and URL schemes."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def for_reading(html: str) -> str:
    """The stored body as the article page shows it: a table (which scrolls sideways when wider
    than the column) can take the keyboard focus, so it can be scrolled without a mouse. The
    policy above lets no attribute onto <table>, so the bare tag is all there is to find."""
    return html.replace("<table>", '<table tabindex="0">')
