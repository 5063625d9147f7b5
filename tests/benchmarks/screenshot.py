"""The README's picture of the chat page: `<page URL> <question> <PNG path>`, run with a render's Python.

Opens the page (a `start-server --demo`) at 1280x800 in headless Chromium, asks the
question, waits for the whole answer, its tool row and its feedback buttons, and saves
the viewport as a PNG. The row's SQL and rows stay closed: opened, they push the answer
or the page's title out of the picture.
"""

from __future__ import annotations

import sys

import browser
from playwright.sync_api import sync_playwright

WAIT_MS = 60_000


def main() -> None:
    url, question, path = sys.argv[1:4]
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(WAIT_MS)
        page.goto(url, wait_until="networkidle")
        page.fill("#question", question)
        page.press("#question", "Enter")
        page.wait_for_selector(".answer:not(.streaming) .feedback")
        page.evaluate("document.activeElement.blur()")  # no focus ring on the question box
        page.mouse.move(0, 0)  # nor hover styles
        page.wait_for_timeout(300)  # let the last frame paint
        page.screenshot(path=path)
        chromium.close()


if __name__ == "__main__":
    main()
