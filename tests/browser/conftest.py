"""Browser tests: Debian's chromium (its headless shell) driven by Playwright against
pytest-django's live server.

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

import base64
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.axe import axe_source, run_axe
from tests.conftest import import_seeds

# Playwright's sync API keeps an event loop in this thread; Django would refuse database access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's build of Chromium's headless shell (package chromium-headless-shell, the same source and
# version as the chromium package): the browser without the desktop one's windowing and
# compositing, which the tests never look at, for less CPU per run.
CHROMIUM = "/usr/bin/chromium-headless-shell"
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
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium-headless-shell)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "accept_downloads": True}


@pytest.fixture(scope="module", autouse=True)
def _restore_seeds_afterwards(seeds_afterwards):
    """Every browser module, as tests/conftest.py's ``seeds_afterwards``."""


@pytest.fixture(scope="module", autouse=True)
def _nothing_to_deserialize():
    """Each test's ``seeded_server`` puts the whole seeded database back, so the rows Django's
    serialized rollback writes first (what the migrations made, ``_test_serialized_contents``)
    would be written only to be replaced a moment later. The modules keep
    ``serialized_rollback=True`` for what it does after a test (the tables emptied without
    post_migrate's content types and permissions, replaced just as well) and are given an empty
    serialization for their time. Where the session has no seeded copy to put back, as
    tests/conftest.py's ``import_seeds`` falls back, Django's own stays."""
    from django.db import connection

    from tests.conftest import _seeded

    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized is None or _seeded.copy is None:
        yield
        return
    connection._test_serialized_contents = "[]"
    try:
        yield
    finally:
        connection._test_serialized_contents = serialized


@pytest.fixture
def seeded_server(live_server):
    import_seeds()
    return live_server


def log_in(context, server, user) -> None:
    """``user`` logged in in the browser ``context`` (a Playwright BrowserContext) as the login
    form would leave them: a session made on the server side, set as the browser's session
    cookie. Saves a trip through the form and the admin index for each user; the form itself is
    still what tests/browser/test_admin_editor.py and test_sources.py log in with."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": server.url,
                "httpOnly": True,
            }
        ]
    )


# What Playwright's full-page screenshot measures (its screenshotter.ts _fullPageSize).
_FULL_SIZE = """() => {
    const b = document.body, d = document.documentElement
    return [
        Math.max(b.scrollWidth, d.scrollWidth, b.offsetWidth, d.offsetWidth, b.clientWidth,
                 d.clientWidth),
        Math.max(b.scrollHeight, d.scrollHeight, b.offsetHeight, d.offsetHeight, b.clientHeight,
                 d.clientHeight),
    ]
}"""


# The longest picture taken: some 14 phone screens. Only a page's very end is left out, on the
# few pages longer (the article history at 390 px is some 47 000 px, which took as long as ten
# other pictures and which no one scrolls to the end of).
FULL_PAGE_MAX_HEIGHT = 12000


def full_page_png(page, path: Path) -> Path:
    """``page.screenshot(path=path, full_page=True)`` made the same way (the DevTools protocol's
    captureScreenshot of the whole document, once the fonts are in) but with Chromium's PNG
    encoder set to speed (``optimizeForSpeed``): the same picture, a file a fifth larger, in
    about half the time on a long page, which Playwright's own call cannot ask for. At most
    ``FULL_PAGE_MAX_HEIGHT`` px of it, from the top."""
    page.evaluate("() => document.fonts.ready.then(() => null)")
    width, height = page.evaluate(_FULL_SIZE)
    height = min(height, FULL_PAGE_MAX_HEIGHT)
    viewport = page.viewport_size or {"width": 0, "height": 0}
    fits = width <= viewport["width"] and height <= viewport["height"]
    session = page.context.new_cdp_session(page)
    try:
        shot = session.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                "captureBeyondViewport": not fits,
                "optimizeForSpeed": True,
            },
        )
    finally:
        session.detach()
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


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
            if page.viewport_size != {"width": width, "height": height}:
                page.set_viewport_size({"width": width, "height": height})
            paths.append(full_page_png(page, SCREENSHOTS / f"{name}-{width}.png"))
        if before and before != page.viewport_size:
            page.set_viewport_size(before)
        return paths

    return take


@pytest.fixture
def axe():
    """``axe(page)``: axe-core's violations on the page as it is now (tests/browser/axe.py). A test
    that asks for it fails at once when axe-core is not installed (``npm ci``)."""
    axe_source()
    return run_axe
