"""Correcting what the reader found: split one candidate in two, merge two into one."""

from __future__ import annotations

from django.db import transaction
from lxml import html as lxml_html

from sources.models import Candidate

_PROVENANCE = ("source", "source_date", "source_url", "compiled_by", "author")


def body_blocks(body: str) -> list[str]:
    """The body's top-level elements as HTML strings, in order."""
    if not body.strip():
        return []
    blocks = []
    for element in lxml_html.fragments_fromstring(body):
        if isinstance(element, str):  # text outside any element: a paragraph of its own
            if element.strip():
                blocks.append(_element("p", element.strip()))
        else:
            blocks.append(lxml_html.tostring(element, encoding="unicode").strip())
    return blocks


def _element(tag: str, text: str) -> str:
    """An element holding ``text`` as text (never read as markup)."""
    element = lxml_html.Element(tag)
    element.text = text
    return lxml_html.tostring(element, encoding="unicode")


def _text(block: str) -> str:
    return " ".join(lxml_html.fragment_fromstring(block).text_content().split())


def split(candidate: Candidate, *, at: int, title: str = "", user=None) -> Candidate:
    """Blocks from ``at`` on become a new candidate right after this one; its title is ``title``
    or, when that is empty, the first of those blocks (taken out of the body)."""
    if candidate.article_id:
        raise ValueError("已摘编的候选文章不能拆分。")
    blocks = body_blocks(candidate.body)
    if not 0 < at < len(blocks):
        raise ValueError("请选择从哪一段开始拆分（不能是第一段之前或最后一段之后）。")
    head, tail = blocks[:at], blocks[at:]
    title = title.strip()
    limit = Candidate._meta.get_field("title").max_length
    if len(title) > limit:
        raise ValueError(f"标题不能超过 {limit} 个字。")
    if not title:
        title, tail = _text(tail[0])[:limit], tail[1:]
    with transaction.atomic():
        later = Candidate.objects.filter(
            document=candidate.document, position__gt=candidate.position
        )
        for other in later.order_by("-position"):
            other.position += 1
            other.save(update_fields=["position"])
        second = Candidate(
            document=candidate.document,
            position=candidate.position + 1,
            column=candidate.column,
            title=title,
            body="\n".join(tail),
            # Provenance lines close an article: they belong to the second part.
            **{name: getattr(candidate, name) for name in _PROVENANCE},
        )
        second._history_user = user
        second.save()
        candidate.body = "\n".join(head)
        candidate._history_user = user
        candidate.save()
    return second


def merge(candidates: list[Candidate], *, user=None) -> Candidate:
    """Two candidates of one document as one: the first keeps its title, the second's title
    becomes a heading before its text, and what the first lacks of provenance comes from the
    second (provenance closes an article, so it is usually the second's)."""
    if len(candidates) != 2:
        raise ValueError("请选择正好两篇候选文章来合并。")
    first, second = candidates
    if first.document_id != second.document_id:
        raise ValueError("只能合并同一份素材中的候选文章。")
    if first.article_id or second.article_id:
        raise ValueError("已摘编的候选文章不能合并。")
    with transaction.atomic():
        heading = _element("h3", second.title)
        first.body = "\n".join(part for part in (first.body, heading, second.body) if part)
        for name in _PROVENANCE:
            if not getattr(first, name):
                setattr(first, name, getattr(second, name))
        first._history_user = user
        first.save()
        second._history_user = user
        second.delete()
    return first
