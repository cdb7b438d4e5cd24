"""The embedded default holds up: on SQLite, CMS saves that arrive together wait their turn.

Saving a new lesson once returned a 500 ("database is locked") when Wagtail's autosave and the
editor's click arrived together. The settings run SQLite in WAL mode, begin transactions
IMMEDIATE and give writers a busy timeout (docs/decisions/0006-sqlite-concurrent-writes.md).

The tests' own database is SQLite in memory, shared by one process, where writes never contend;
so the test copies it to a file and has ``tests/curriculum/sqlite_writers.py`` post the CMS's
"add a lesson" form from several threads at once, in a process with the project's settings.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from courses.api import LessonPage
from tests.factories import CoursePageFactory, ModulePageFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 8

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings")


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_timeout() -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        assert "init_command" not in options and "transaction_mode" not in options
        return
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10


def save_at_once(database: Path, module_id: int, user_id: int, *extra: str) -> dict[str, Any]:
    """Run the writers against ``database``; their statuses, errors and the options in force."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.curriculum.sqlite_writers",
         str(module_id), str(user_id), str(WRITERS), *extra],
        cwd=ROOT, env={**env, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def copy_database(target: Path) -> None:
    """The test database (committed, as a transactional test leaves it) into a SQLite file."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_cms_saves_at_once_on_a_sqlite_file_all_succeed(migrated_db: None, tmp_path: Path) -> None:
    module = ModulePageFactory(parent=CoursePageFactory())
    trainer = UserFactory(groups=["Trainer"])
    database = tmp_path / "db.sqlite3"
    copy_database(database)

    outcome = save_at_once(database, module.pk, trainer.pk)

    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"  # the project's settings
    assert outcome["errors"] == []
    assert outcome["statuses"] == [302] * WRITERS  # each saved, then sent to its edit page
    with sqlite3.connect(database) as saved:
        (mode,) = saved.execute("PRAGMA journal_mode").fetchone()
        titles = {
            title
            for (title,) in saved.execute(
                "SELECT title FROM wagtailcore_page WHERE slug LIKE 'saved-at-once-%'"
            )
        }
    assert mode == "wal"
    assert titles == {f"Lesson saved at once {i}" for i in range(WRITERS)}
    assert not LessonPage.objects.filter(slug__startswith="saved-at-once-").exists()  # a copy
