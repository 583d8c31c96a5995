"""Reading a PDF the way the printing tests compare it: pypdf, page text extracted once per page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdf
from pypdf import _page


def _norm(text: str) -> str:
    """Text as compared: Typst spaces Latin from CJK and wraps lines, so drop all white space."""
    return re.sub(r"[\s\u200b]+", "", text)


class Pdf:
    """A PDF read with pypdf; page text is extracted when first asked for (it takes a while)."""

    def __init__(self, content: bytes) -> None:
        self.reader = pypdf.PdfReader(io.BytesIO(content))
        self.labels: list[str] = list(self.reader.page_labels)  # printed page numbers
        self._texts: dict[int, str] = {}
        self._fonts: dict[tuple[int, int], Any] = {}

    @classmethod
    def read(cls, content: bytes) -> Pdf:
        return cls(content)

    def page_text(self, index: int) -> str:
        if index not in self._texts:
            with _fonts_read_once(self._fonts):
                self._texts[index] = self.reader.pages[index].extract_text()
        return self._texts[index]

    @property
    def texts(self) -> list[str]:
        return [self.page_text(i) for i in range(len(self.reader.pages))]

    def bookmark_page(self, title: str) -> int:
        """The page a bookmark (outline entry) with this title points to."""

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item)
                else:
                    yield item

        for item in walk(self.reader.outline):
            if item.title == title:
                return self.reader.get_destination_page_number(item)
        raise AssertionError(f"no bookmark {title!r}")

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def body_text(self) -> str:
        """The body pages without their running header and page number, so text runs on."""
        return "\n".join(
            "\n".join(self.page_text(i).strip().splitlines()[1:-1]) for i in self.body_pages()
        )

    def body_pages(self) -> list[int]:
        return [i for i, label in enumerate(self.labels) if label.isdigit()]

    def toc_entries(self) -> list[tuple[str, int]]:
        """(entry text, printed page number) for every line of the 目录."""
        front = [i for i, label in enumerate(self.labels) if label and not label.isdigit()]
        toc_pages = [i for i in front if self.page_text(i).lstrip().startswith("目 录")]
        assert toc_pages, "no 目录 page"
        entries, pending = [], ""
        for page in toc_pages:
            for line in self.page_text(page).splitlines()[1:]:
                pending = f"{pending} {line}".strip()
                match = re.fullmatch(r"(.+?)\s*(?:\.\s*){3,}(\d+)", pending)
                if match:  # a long title wraps; its page number ends its last line
                    entries.append((match.group(1), int(match.group(2))))
                    pending = ""
        return entries

    def page_of(self, heading: str) -> int:
        """The index of the body page where ``heading`` is printed."""
        wanted = _norm(heading)
        for i in self.body_pages():
            if wanted in _norm(self.page_text(i)):
                return i
        raise AssertionError(f"{heading!r} is printed on no body page")

    def footer_number(self, index: int) -> int:
        return int(self.page_text(index).strip().splitlines()[-1])


@contextmanager
def _fonts_read_once(fonts: dict[tuple[int, int], Any]) -> Iterator[None]:
    """pypdf reads each font of a page (its ToUnicode map: thousands of CJK glyphs) again for every
    page, a third of the time text extraction takes; Typst's fonts are objects that every page of
    the file shares, so they are read once per file here. The text extracted is the same."""
    font = getattr(_page, "Font", None)
    original = font.__dict__.get("from_font_resource") if font else None
    if original is None:  # another pypdf: read the fonts as it does
        yield
        return
    read = original.__get__(None, font)

    def from_font_resource(resource):
        ref = getattr(resource, "indirect_reference", None)
        if ref is None:
            return read(resource)
        key = (ref.idnum, ref.generation)
        if key not in fonts:
            fonts[key] = read(resource)
        return fonts[key]

    font.from_font_resource = from_font_resource
    try:
        yield
    finally:
        font.from_font_resource = original
