"""Counting tests write each event at once (no batch waiting in memory), never roll up by
themselves, and start with a fresh salt and an empty batch."""

from __future__ import annotations

import pytest

from readership import counting, rollup, visitors

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _counting_at_once(settings):
    settings.ZHIJIAO_READERSHIP_COUNTING = True
    settings.ZHIJIAO_READERSHIP_FLUSH_SECONDS = 0
    settings.ZHIJIAO_READERSHIP_ROLLUP_SECONDS = 0
    counting.flush()
    counting._results_cache.clear()
    visitors.forget()
    rollup.reset_schedule()
    yield
    with counting._lock:
        counting._pending.clear()
    visitors.forget()


@pytest.fixture
def reader(client):
    """An anonymous reader's browser."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER
    client.defaults["REMOTE_ADDR"] = "192.0.2.10"
    return client
