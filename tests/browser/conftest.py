"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

``live_server`` needs real commits, so these tests are transactional: Django empties every table
after each of them. Hence:

* they run last in the session (``pytest_collection_modifyitems`` below);
* each test starts from the database as the session seeded it (``seeded_server``: on SQLite, the
  only database they run on, a copy put back in a tenth of a second, tests/conftest.py's
  ``import_seeds``);
* after the last one of a module, the module fixture puts it back again, so that any test that
  still follows sees the database as every other test does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.axe import axe_source, run_axe
from tests.conftest import import_seeds

# Playwright's sync API keeps an event loop in this thread; Django would refuse database access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent


def _is_browser_test(item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # After pytest-django's own ordering: the browser tests at the very end.
    items[:] = [i for i in items if not _is_browser_test(i)] + [
        i for i in items if _is_browser_test(i)
    ]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "accept_downloads": True}


@pytest.fixture(scope="module", autouse=True)
def _restore_seeds_afterwards(seeds_afterwards):
    """Every browser module, as tests/conftest.py's ``seeds_afterwards``."""


@pytest.fixture
def seeded_server(live_server):
    import_seeds()
    return live_server


# The widths our guide asks for: a laptop screen and a phone.
SCREENSHOT_SIZES = ((1366, 768), (390, 844))


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: the whole page at 1366 px and at 390 px wide, saved as
    test-artifacts/screenshots/<name>-1366.png and <name>-390.png; returns the paths. The page
    keeps the viewport it had."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> list[Path]:
        before = page.viewport_size
        paths = []
        for width, height in SCREENSHOT_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        if before:
            page.set_viewport_size(before)
        return paths

    return take


@pytest.fixture
def axe():
    """``axe(page)``: axe-core's violations on the page as it is now (tests/browser/axe.py). A test
    that asks for it fails at once when axe-core is not installed (``npm ci``)."""
    axe_source()
    return run_axe
