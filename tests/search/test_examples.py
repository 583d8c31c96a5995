"""Every example the search page gives works on the seeds, and Chinese quotation marks quote a
phrase as "…" does."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from search.service import search

pytestmark = pytest.mark.django_db


def _count(query: str) -> int:
    return search(query=query, kinds=["article"], page=1, per_page=10).count


def _examples(client) -> list[str]:
    page = client.get(reverse("search:results")).content.decode()
    placeholder = re.search(r'placeholder="如：([^"]+)"', page).group(1)
    examples = [html.unescape(e) for e in placeholder.split("\u3000")]
    help_text = page[page.index('<div class="search-help">') :]
    help_text = help_text[: help_text.index("</div>")]
    examples += [html.unescape(code) for code in re.findall(r"<code>(.*?)</code>", help_text)]
    return examples


def test_every_example_on_the_page_finds_articles(client):
    examples = _examples(client)
    assert len(examples) >= 6 and "“市域产教联合体”" in examples
    empty = [example for example in examples if not _count(example)]
    assert not empty, empty


def test_chinese_quotes_find_what_ascii_quotes_find():
    phrase = _count('"市域产教联合体"')
    assert phrase > 0
    for quoted in (
        "“市域产教联合体”",
        "「市域产教联合体」",
        "『市域产教联合体』",
        "‘市域产教联合体’",
    ):
        assert _count(quoted) == phrase, quoted
    # A phrase with a space is narrower than its words apart.
    assert 0 < _count('"AI 技术"') < _count("AI 技术")
