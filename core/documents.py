"""The form in which every app hands its objects to the search index (the apps' search_documents
modules make them, the search package writes them: neither knows the other)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Document:
    """What one object contributes to the search index, as text: the index makes the tokens."""

    kind: str  # article | community | organization
    object_id: int
    title: str
    headings: list[str]  # title-weighted fields (the title itself, subtitle, TOC title …)
    meta: list[str]  # source, tags, lead units …
    body: str
    text: str = ""  # what snippets are cut from (defaults to the body)
    location: str = ""
    number: str = ""
    # Facets of articles (communities have no issue, section or tag).
    issue_year: int | None = None
    issue_number: int | None = None
    section: str = ""
    source: str = ""  # who published what was excerpted (the 来源 facet)
    place: str = ""  # the place an article is labelled with (the 地区 facet)
    tags: list[str] = field(default_factory=list)
    #: Public from this moment (None: already); the search checks it at query time.
    visible_from: datetime | None = None


def in_order(ids: list[int], docs: list[Document]) -> list[Document]:
    """The documents in the order of ``ids`` (rows get ids in that order)."""
    by_id = {d.object_id: d for d in docs}
    return [by_id[i] for i in ids if i in by_id]
