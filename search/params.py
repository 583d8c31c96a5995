"""Reading search parameters from a URL: the page and the API accept anything and never fail."""

from __future__ import annotations

import re
from collections.abc import Mapping

from search.backends import Filters
from search.service import MAX_PAGE

# Strings from the URL reach SQL as parameters: PostgreSQL refuses NUL, and no stored facet value
# contains control characters or is longer than this.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_VALUE = 300
#: Longer queries are cut here (a term that long matches nothing anyway).
MAX_QUERY = 10_000


def clean(value: str | None) -> str:
    """A short parameter (type, facet value) without control characters."""
    return _CONTROL.sub("", value or "")[:_MAX_VALUE].strip()


def query(value: str | None) -> str:
    """The query as typed, control characters as spaces (tokens.parse_query does the rest)."""
    return _CONTROL.sub(" ", (value or "")[:MAX_QUERY])


def is_int_or_blank(value: str | None) -> bool:
    return (
        value is None or value.strip() == "" or re.fullmatch(r"[+-]?\d+", value.strip()) is not None
    )


def positive_int(value: str | None, default: int, *, maximum: int = MAX_PAGE) -> int:
    try:
        return min(max(int(value or default), 1), maximum)
    except ValueError:
        return default


def filters(params: Mapping[str, str]) -> Filters:
    """Facet filters; a value that makes no sense is ignored."""
    issue = None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", clean(params.get("issue")))
    if m:
        issue = (int(m.group(1)), int(m.group(2)))
    return Filters(
        issue=issue,
        section=clean(params.get("section")),
        source=clean(params.get("source")),
        place=clean(params.get("place")),
        tag=clean(params.get("tag")),
    )
