"""The source parser is linear in its input: a 500-page document costs per KB what a 25-page one
does, measured side by side in one run (no absolute timing beyond "seconds"); no Django needed.

The garbage collector is paused while a parse is timed: its full collections grow with the heap
and would measure the allocator, not the parser.
"""

from __future__ import annotations

import time

import pytest

from sources.parse import parse_source
from tests.sources.generated import generated_document, seed_pages
from tests.sources.seedfiles import NEWSLETTER, UNIVERSITY
from tests.sources.timing import best_seconds

SMALL, LARGE = 25, 500


def seconds_per_kb(text: str, rounds: int) -> float:
    return best_seconds(parse_source, text, rounds=rounds) / (len(text.encode()) / 1024)


@pytest.mark.parametrize("name", [NEWSLETTER, UNIVERSITY])
def test_500_pages_cost_per_kb_what_25_pages_do(name):
    small, large = generated_document(SMALL, name), generated_document(LARGE, name)
    start = time.perf_counter()
    doc = parse_source(large)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed  # "in seconds" (about half a second on 2 shared cores)
    copies = LARGE // len(seed_pages(name))
    assert len(doc.articles) >= copies * (8 if name == NEWSLETTER else 19)
    ratio = seconds_per_kb(large, 2) / seconds_per_kb(small, 5)
    assert ratio < 2, f"{ratio:.2f}× the time per KB at {LARGE} pages as at {SMALL}"
