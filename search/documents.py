"""Where the search finds its documents: each app says, in its own module, what of its objects
the index holds and which of them a change touches (``settings.ZHIJIAO_SEARCH_DOCUMENTS``, e.g.
articles/search_documents.py). So the search package knows no app's models."""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

__all__ = ["Source", "source", "sources"]


class Source(Protocol):
    """One kind of document, as an app supplies it."""

    #: The kind the rows get (search.models.Kind).
    kind: str
    #: Whether a row's text (what a result shows) is its body (what the ranking reads): then the
    #: ranking's first position in the body is the text's too (search.highlight.snippet).
    text_is_body: bool

    def ids(self) -> QuerySet:
        """Primary keys of every object the public may see, oldest first (a rebuild writes them
        in this order; broad queries list the highest row ids first)."""

    def documents(self, ids: list[int]) -> list:
        """The documents (core.documents.Document) of those of ``ids`` the public
        may see, in the order of ``ids``; none for the others."""

    def touched(self, change) -> set[int]:
        """Objects whose document a unit of content work (core/changes.py) may have changed:
        written, deleted, or related to what was."""

    def url(self, doc) -> str:
        """The page of an index row, from the row's own fields (a search.backends.base.Row:
        kind, object_id, issue_year, issue_number, number)."""


@cache
def sources() -> tuple[Source, ...]:
    """Every source, in the order of the setting (the order of a rebuild)."""
    return tuple(import_string(path) for path in settings.ZHIJIAO_SEARCH_DOCUMENTS)


@cache
def _by_kind() -> dict[str, Source]:
    return {s.kind: s for s in sources()}


def source(kind: str) -> Source:
    """The source of one kind of document (KeyError if no setting names it)."""
    return _by_kind()[kind]
