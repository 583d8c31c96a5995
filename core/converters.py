"""Path converters for the numbers in the site's URLs: what a row can have, or no match at all.

Django's ``int`` matches any run of ASCII digits and ``str`` anything without a slash, so a view
used to receive ``\\x00`` (which PostgreSQL refuses in a query: a 500) or a number past its
column's range and had to guard each parameter itself. These converters accept only values the
column can hold, so anything else matches no route and is a 404 before any view runs (under /api/
the API's JSON 404). ``to_python`` raising ValueError is Django's "this route does not match".

The ranges are the columns', not today's data: an editor's issue number 100 must stay reachable.
"""

from __future__ import annotations

from django.urls import register_converter

from core.numbers import NUMBER_PATTERN

SMALL_MAX = 32767  # PositiveSmallIntegerField: Issue.year, Issue.number
NUMBER_MAX = 2**31 - 1  # PositiveIntegerField: Community.number
ID_MAX = 2**63 - 1  # BigAutoField: every primary key
ARTICLE_MAX_LENGTH = 20  # Article.number's max_length


class _BoundedNumber:
    maximum: int

    @property
    def openapi(self) -> dict:
        """The parameter's schema in the API's OpenAPI document (core.api.ApiSchema)."""
        return {"type": "integer", "minimum": 0, "maximum": self.maximum}

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.maximum:
            raise ValueError(f"{value} is past the column's range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class SmallNumberConverter(_BoundedNumber):
    """A year or an issue's number: up to five ASCII digits, at most 32767."""

    regex = "[0-9]{1,5}"
    maximum = SMALL_MAX


class NumberConverter(_BoundedNumber):
    """A community's number in the registry: up to ten ASCII digits, at most 2³¹ − 1."""

    regex = "[0-9]{1,10}"
    maximum = NUMBER_MAX


class IdConverter(_BoundedNumber):
    """A primary key: up to 19 ASCII digits, at most 2⁶³ − 1."""

    regex = "[0-9]{1,19}"
    maximum = ID_MAX


class ArticleNumberConverter:
    """An article's number in its issue, such as 1.1.1: ASCII digits joined by single dots."""

    regex = NUMBER_PATTERN
    openapi = {"type": "string", "pattern": f"^{regex}$", "maxLength": ARTICLE_MAX_LENGTH}

    def to_python(self, value: str) -> str:
        if len(value) > ARTICLE_MAX_LENGTH:
            raise ValueError("longer than any article number")
        return value

    def to_url(self, value: str) -> str:
        return value


#: name in a route (``<year:year>``) → converter.
NUMBER_CONVERTERS = {
    "year": SmallNumberConverter,
    "issue": SmallNumberConverter,
    "community": NumberConverter,
    "id": IdConverter,
    "article": ArticleNumberConverter,
}

# Registered when this module is first imported; every urls.py that uses them imports it.
for _name, _converter in NUMBER_CONVERTERS.items():
    register_converter(_converter, _name)
