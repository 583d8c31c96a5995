"""Keys for the article editor that wait for the editor, not for the clock."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

_TRIES = 3
_WAIT_MS = 5000


def click_in(page, locator) -> None:
    """Click into the editor and let the click settle: after a mouseup ProseMirror may write its
    selection back to the page in a zero-delay timer, and Chromium handles a key pressed in
    between first, so the key's cursor move would be undone. A timer set now runs after it."""
    locator.click()
    page.evaluate("() => new Promise(resolve => setTimeout(resolve))")


def cursor_to(page, key: str) -> None:
    """Press Control+Home or Control+End in the focused editor and wait until the editor has read
    the moved cursor: Chromium reports it by a later selectionchange, and a key pressed before
    that acts at the old place."""
    edge = {"Control+Home": "atStart", "Control+End": "atEnd"}[key]
    # Pressed again when the cursor has not arrived: ProseMirror may still have written back the
    # click's selection after the key (click_in waits for one timer, not for every one), which
    # undoes the move; the key goes to the same place however often it is pressed.
    for attempt in range(_TRIES):
        page.keyboard.press(key)
        try:
            page.wait_for_function(
                """edge => {
                    const editor = document.activeElement?.closest(".ProseMirror")?.editor
                    if (!editor) return false
                    const {selection, doc} = editor.state
                    return selection.empty
                        && selection.from === selection.constructor[edge](doc).from
                }""",
                arg=edge,
                timeout=_WAIT_MS,
            )
            return
        except PlaywrightTimeoutError:
            if attempt == _TRIES - 1:
                raise


def back_in_editor(page) -> None:
    """Wait until a closed editor dialog has handed the focus back: Tiptap's focus() lands on the
    next animation frame, and keys pressed before it go to the page, not to the text."""
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator(".tiptap.ProseMirror")).to_be_focused()
