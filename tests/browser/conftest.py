"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Never runs ``playwright install``: the browser is the system one at /usr/bin/chromium. Without it
the tests are skipped locally, but fail when ``REQUIRE_BROWSER=1`` (as CI sets), so CI can never
pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import FLAGSHIP_CURRICULUM, SAMPLE_CURRICULUM

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    if not AXE.exists():
        return f"{AXE} not found (npm ci)"
    return None


@pytest.fixture(scope="session")
def browser(migrated_snapshot: str) -> Iterator[Any]:
    # migrated_snapshot is taken first: once Playwright's loop runs, this thread gets a new
    # database connection.
    problem = _missing()
    if problem:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required but cannot run: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server with both curricula, on the database as the migrations left it."""
    from courses.api import curriculum_import

    curriculum_import(path=FLAGSHIP_CURRICULUM)
    curriculum_import(path=SAMPLE_CURRICULUM)
    return str(live_server.url)


@pytest.fixture
def page_for(browser: Any, site: str) -> Any:
    contexts = []
    outside: list[str] = []

    def make(viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        host = urlsplit(site).netloc

        def watch(request: Any) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in {"http", "https"} and parts.netloc != host:
                outside.append(request.url)

        page.on("request", watch)
        return page

    yield make
    for context in contexts:
        context.close()
    assert outside == [], f"requests left the site: {outside}"
