"""Readers asking at once for a PDF not yet stored: one builds it, the others wait for its file.

Each thread has its own database connection, as separate processes would, so the test's data must
be committed: a transactional test, in a module of its own (the seeds are imported again after it).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from issues.models import Issue
from printing import claims, storage
from printing.data import load_source
from printing.models import PdfBuild

READERS = 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeds_afterwards")
def test_readers_asking_at_once_get_one_build(monkeypatch):
    monkeypatch.setattr(claims, "POLL_SECONDS", 0.05)
    builds, lock = [], threading.Lock()

    def slow_render(source) -> bytes:
        with lock:
            builds.append(threading.get_ident())
        time.sleep(0.5)  # long enough for every other reader to find the claim taken
        return b"%PDF-1.7 built once"

    monkeypatch.setattr(storage, "render_source", slow_render)
    issue = Issue.objects.get(year=2024, number=2)
    storage.stored_name(load_source(issue=issue))  # the engine's version, read once
    start = threading.Barrier(READERS)
    results, failures = [], []

    def reader() -> None:
        try:
            start.wait(10)
            results.append(storage.issue_pdf(issue=issue).read())
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    assert len(builds) == 1
    assert results == [b"%PDF-1.7 built once"] * READERS
    assert not PdfBuild.objects.exists()
    assert len(storage._files(issue.pk)) == 1
