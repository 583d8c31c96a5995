"""The source parser is linear in its input: a 500-page document costs per KB what a 25-page one
does, counted in lines of Python run and characters copied by join_pieces (no clock: the same
count on a loaded machine as on a quiet one); no Django needed."""

from __future__ import annotations

import pytest

from sources import lines
from sources.parse import parse_source
from tests.sources.generated import generated_document, seed_pages
from tests.sources.seedfiles import NEWSLETTER, UNIVERSITY
from tests.work import SOURCES, chars_through, steps

SMALL, LARGE = 25, 500


@pytest.mark.parametrize("name", [NEWSLETTER, UNIVERSITY])
def test_500_pages_cost_per_kb_what_25_pages_do(name, monkeypatch):
    small, large = generated_document(SMALL, name), generated_document(LARGE, name)
    copied = chars_through(monkeypatch, lines, "join_pieces")
    found = []

    def per_kb(text: str) -> float:
        copied.reset()
        work = steps(lambda: found.append(parse_source(text)), within=(SOURCES,)) + copied.chars
        return work / (len(text.encode()) / 1024)

    ratio = per_kb(large) / per_kb(small)
    copies = LARGE // len(seed_pages(name))
    assert len(found[0].articles) >= copies * (8 if name == NEWSLETTER else 19)
    assert ratio < 1.5, f"{ratio:.2f}× the work per KB at {LARGE} pages as at {SMALL}"
