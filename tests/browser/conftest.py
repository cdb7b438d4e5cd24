"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Never runs ``playwright install``: the browser is the system one at /usr/bin/chromium. Without it
the tests are skipped locally, but fail when ``REQUIRE_BROWSER=1`` (as CI sets), so CI can never
pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CurriculumSnapshot:
    """The database with both curricula imported, serialized, and the uploads folder that holds
    their documents and images."""

    data: str
    media: Path


@pytest.fixture(scope="session")
def curriculum_snapshot(
    migrated_snapshot: str,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> CurriculumSnapshot:
    """Both curricula imported once for the session (the flagship in three languages takes
    about ten seconds to import), then the database put back as the migrations left it, for the
    tests that follow on this worker. ``site`` restores the snapshot for each browser test."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from courses.api import CourseIndexPage, curriculum_import

    media = tmp_path_factory.mktemp("browser-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), H5P_ROOT=media / "h5p"),
    ):
        if not CourseIndexPage.objects.exists():  # a transactional test emptied the database
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            restore(migrated_snapshot)
        curriculum_import(path=FLAGSHIP_CURRICULUM)
        curriculum_import(path=SAMPLE_CURRICULUM)
        data = str(connection.creation.serialize_db_to_string())
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        restore(migrated_snapshot)
    return CurriculumSnapshot(data=data, media=media)


def restore(snapshot: str) -> None:
    """Put a serialized database back (into an empty one), moving PostgreSQL's sequences past
    the restored ids. Content types go first: saving a page runs handlers (Wagtail's reference
    index) that would otherwise create the content types they look up, ahead of their rows."""
    import json

    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    rows = json.loads(snapshot)
    rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
    connection.creation.deserialize_db_from_string(json.dumps(rows))
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


@pytest.fixture(scope="session")
def browser(curriculum_snapshot: CurriculumSnapshot) -> Iterator[Any]:
    # The snapshots are taken first: once Playwright's loop runs, this thread gets a new
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
def site(
    transactional_db: None,
    live_server: Any,
    curriculum_snapshot: CurriculumSnapshot,
    settings: Any,
) -> str:
    """The live server with both curricula, on the database as the migrations left it (the
    session's snapshot, restored: an import for every test would cost ten seconds each)."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(curriculum_snapshot.media)
    settings.H5P_ROOT = curriculum_snapshot.media / "h5p"
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    restore(curriculum_snapshot.data)
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
