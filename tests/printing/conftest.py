"""The PDF several printing tests read: the seed issue's, typeset and read once a session.

A test that only reads the seed issue's public PDF need not wait for another layout of it, nor for
pypdf to read its hundred pages again. (``typeset_once``, for the tests that serve or store PDFs
rather than lay them out, is in tests/conftest.py: the pages tests use it too.)
"""

from __future__ import annotations

import pytest

from issues.models import Issue
from printing import build
from tests.printing.reading import Pdf


@pytest.fixture(scope="session")
def seed_issue_pdf(django_db_setup, django_db_blocker, _typeset_once) -> Pdf:
    """The public PDF of 2024年第02期 as the seeds make it, built and read (page text, once per
    page) once a session for the tests that only read it. Session-scoped, not module-scoped:
    pytest-django runs a module's database tests before the others, which would build it twice.
    Only reads the database, outside any test's transaction."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "render_pdf", _typeset_once.render_pdf)
        return Pdf.read(build.build_issue_pdf(issue=Issue.objects.get(year=2024, number=2)))
