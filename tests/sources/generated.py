"""Long source documents made of the real ones: a seed's printed pages (a page starts at a line
with a leading space, as the conversion marks them) repeated in order, for timing the reader on
hundreds of pages with the seeds' own irregularities; and excerpts such as an editor makes."""

from __future__ import annotations

import re
from functools import cache

from tests.seeds import seed_text
from tests.sources.seedfiles import NEWSLETTER


@cache
def seed_pages(name: str = NEWSLETTER) -> tuple[str, ...]:
    """A seed cut into its printed pages (003: 31, 004: 85)."""
    pages: list[list[str]] = [[]]
    for line in seed_text(name).split("\n"):
        if line.startswith(" ") and line.strip() and pages[-1]:
            pages.append([])
        pages[-1].append(line)
    return tuple("\n".join(page) for page in pages)


def generated_document(pages: int, name: str = NEWSLETTER) -> str:
    """A text of ``pages`` printed pages: the seed's pages, over and over."""
    source = seed_pages(name)
    return "\n".join(source[i % len(source)] for i in range(pages))


def excerpt_of(text: str, *, every: int = 3, reword: int = 5) -> str:
    """What an editor's 摘编 of ``text`` may look like: one sentence in ``every`` kept, one kept
    sentence in ``reword`` reworded (a character in four replaced), and a lead of their own."""
    sentences = [s for s in re_sentences(text) if len(s) > 8]
    kept = sentences[::every]
    out = ["本刊讯：据有关方面消息，近期相关工作取得新进展。"]
    for index, sentence in enumerate(kept):
        if index % reword == reword - 1:
            sentence = "".join("某" if i % 4 == 3 else c for i, c in enumerate(sentence))
        out.append(sentence)
    return "".join(out)


def re_sentences(text: str) -> list[str]:
    return re.findall(r"[^。！？\n]+[。！？]?", text)
