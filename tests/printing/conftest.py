"""The PDFs several printing tests read: typeset once a session where the content is the same.

Typst lays out the same data into the same bytes (the file's dates come from the content), so a
test that only reads the seed issue's public PDF, or that only serves it, need not wait for
another layout of it, nor for pypdf to read its hundred pages again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from issues.models import Issue
from printing import build, render
from tests.printing.reading import Pdf


class TypesetOnce:
    """``render_pdf`` that lays each document out once: the same data, time stamp and fonts give
    the bytes (and the headings' pages) of the first layout. A layout that fails is not kept, so
    it fails again the next time it is asked for."""

    def __init__(self) -> None:
        self.pdfs: dict[str, render.Rendered] = {}
        self.layouts = 0  # how many documents were actually typeset

    @staticmethod
    def key(data: dict[str, Any], timestamp) -> str:
        images = {k: hashlib.sha256(v).hexdigest() for k, v in data.get("images", {}).items()}
        payload = json.dumps({**data, "images": images}, ensure_ascii=False, sort_keys=True)
        # font_dirs() as render_pdf calls it: without a CJK font it raises PdfUnavailable here.
        return f"{render.font_dirs()}|{timestamp}|{payload}"

    def render_pdf(self, data: dict[str, Any], *, timestamp=None) -> render.Rendered:
        key = self.key(data, timestamp)
        if key not in self.pdfs:
            self.pdfs[key] = render.render_pdf(data, timestamp=timestamp)
            self.layouts += 1
        return self.pdfs[key]


@pytest.fixture(scope="session")
def _typeset_once() -> TypesetOnce:
    return TypesetOnce()


@pytest.fixture
def typeset_once(monkeypatch, _typeset_once) -> TypesetOnce:
    """For a test about serving or storing PDFs rather than laying them out: every build in it
    (views, storage, commands) reuses the layout of a document typeset before in the session.
    Not for tests of what a failing layout or a fresh compiler does."""
    monkeypatch.setattr(build, "render_pdf", _typeset_once.render_pdf)
    return _typeset_once


@pytest.fixture(scope="session")
def seed_issue_pdf(django_db_setup, django_db_blocker, _typeset_once) -> Pdf:
    """The public PDF of 2024年第02期 as the seeds make it, built and read (page text, once per
    page) once a session for the tests that only read it. Session-scoped, not module-scoped:
    pytest-django runs a module's database tests before the others, which would build it twice.
    Only reads the database, outside any test's transaction."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "render_pdf", _typeset_once.render_pdf)
        return Pdf.read(build.build_issue_pdf(issue=Issue.objects.get(year=2024, number=2)))
