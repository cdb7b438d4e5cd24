"""Shared fixtures: uploads go to a temporary folder; the sample and shipped curricula."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_CURRICULUM = FIXTURES / "curriculum"
SHIPPED_CURRICULUM = Path(settings.BASE_DIR) / "content"
FLAGSHIP = "trauma-informed-care"


def _flagship_view() -> Path:
    """A copy of the flagship course of ``content/`` alone, in every language (a copy: the
    import refuses files outside the folder it is given, as links would be). Most tests that
    need a real course need only one, and importing all four courses in three languages costs
    a test about 20 seconds (``tests/content/`` imports them all)."""
    view = Path(tempfile.mkdtemp(prefix="zhusan-flagship-"))
    atexit.register(shutil.rmtree, view, ignore_errors=True)
    shutil.copytree(SHIPPED_CURRICULUM / FLAGSHIP, view / FLAGSHIP)
    for language, _name in settings.LANGUAGES:
        translated = SHIPPED_CURRICULUM / language / FLAGSHIP
        if translated.is_dir():
            shutil.copytree(translated, view / language / FLAGSHIP)
    return view


#: The flagship course in its three languages, without the other courses and the tracks file.
FLAGSHIP_CURRICULUM = _flagship_view()


def _sources_view() -> Path:
    """A copy of every English course of ``content/`` and the tracks file, without the
    translations: for tests of the shipped tracks, which name the English courses."""
    view = Path(tempfile.mkdtemp(prefix="zhusan-sources-"))
    atexit.register(shutil.rmtree, view, ignore_errors=True)
    languages = {code for code, _name in settings.LANGUAGES}
    for path in SHIPPED_CURRICULUM.iterdir():
        if path.is_dir() and path.name not in languages and (path / "course.md").is_file():
            shutil.copytree(path, view / path.name)
    shutil.copy(SHIPPED_CURRICULUM / "certification-tracks.yaml", view)
    return view


#: The four courses in English, and the certification tracks.
SOURCES_CURRICULUM = _sources_view()


def shipped_tracks_for(courses: set[str], folder: Path) -> Path:
    """The shipped tracks file cut down to ``courses`` (course slugs), written in ``folder``:
    for tests that import some courses only (the flagship) and need the shipped tracks as they
    are otherwise (names, translations, rules). A track left with no course is dropped."""
    import yaml

    tracks = yaml.safe_load((SHIPPED_CURRICULUM / "certification-tracks.yaml").read_text())
    kept = []
    for track in tracks:
        track["courses"] = [
            c for c in track["courses"] if (c if isinstance(c, str) else c["course"]) in courses
        ]
        if track["courses"]:
            kept.append(track)
    path = folder / "certification-tracks.yaml"
    path.write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploads (images, documents, H5P packages) go to temporary folders, never to media/ or
    private/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    settings.H5P_ROOT = tmp_path_factory.mktemp("h5p")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request leaves its language active
    in the thread (LocaleMiddleware activates it and nothing resets it), so a test that follows
    a Russian request on the same worker would otherwise run in Russian."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Each test starts with an empty cache (rendered lesson bodies are cached)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def curriculum_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a curriculum folder to a temporary place a test may change."""

    def copy(source: Path = SAMPLE_CURRICULUM) -> Path:
        target = tmp_path / "curriculum"
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture
def sample_course(db: None) -> Any:
    """The sample course (every block type) imported; returns the CoursePage."""
    from courses.api import CoursePage, curriculum_import

    curriculum_import(path=SAMPLE_CURRICULUM)
    return CoursePage.objects.get(slug="sample-course")


@contextmanager
def assert_max_queries(limit: int) -> Iterator[CaptureQueriesContext]:
    """Fail when the block runs more than ``limit`` SQL queries, listing them."""
    with CaptureQueriesContext(connection) as context:
        yield context
    count = len(context.captured_queries)
    listing = "\n".join(q["sql"][:200] for q in context.captured_queries)
    assert count <= limit, f"{count} queries (limit {limit}):\n{listing}"


@pytest.fixture(scope="session")
def migrated_snapshot(django_db_setup: None, django_db_blocker: Any) -> str:
    """The database as the migrations left it, serialized once per session."""
    from django.db import connection

    with django_db_blocker.unblock():
        return str(connection.creation.serialize_db_to_string())


@pytest.fixture
def migrated_db(transactional_db: None, migrated_snapshot: str) -> None:
    """A transactional test's database as the migrations left it.

    Transactional tests (live server, several connections) empty the database when they end, and
    with it the rows the migrations made (site tree, groups, locales); this puts them back.
    Django's ``serialized_rollback`` is not used: Playwright's event loop gives the test thread a
    fresh connection that lacks Django's serialized copy.
    """
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style

    from courses.api import CourseIndexPage

    if CourseIndexPage.objects.exists():
        return
    # Empty the tables post_migrate refilled (content types, permissions), then restore.
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(migrated_snapshot)
    with connection.cursor() as cursor:  # PostgreSQL: move sequences past the restored ids
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


@pytest.fixture
def sample_course_committed(migrated_db: None) -> Any:
    """The sample course in a transactional test (for tests with several connections)."""
    from courses.api import CoursePage, curriculum_import

    curriculum_import(path=SAMPLE_CURRICULUM)
    return CoursePage.objects.get(slug="sample-course")
