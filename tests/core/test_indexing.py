"""Wagtail's index updates held back in a bulk change (core/indexing.py): each object's once,
at the end, and the indexes as a full rebuild leaves them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks.signals import task_finished

from core.api import indexing_deferred
from tests.conftest import SAMPLE_CURRICULUM

pytestmark = pytest.mark.django_db


class _Runs:
    """The tasks run while it listens: (task's path, its arguments)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, tuple[Any, ...]]] = []

    def __enter__(self) -> list[tuple[str, tuple[Any, ...]]]:
        task_finished.connect(self.record)
        return self.runs

    def __exit__(self, *exc: object) -> None:
        task_finished.disconnect(self.record)

    def record(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.runs.append((task_result.task.module_path, tuple(task_result.args)))


def _catalogue_and_page() -> Any:
    from courses.api import CourseIndexPage, CoursePage

    catalogue = CourseIndexPage.objects.get(locale__language_code="en")
    course = CoursePage(title="Held back", slug="held-back", summary="A course.", estimated_hours=1)
    return catalogue, course


def _reference_task(page: Any) -> tuple[str, tuple[Any, ...]]:
    return ("wagtail.tasks.update_reference_index_task", ("courses", "coursepage", str(page.pk)))


def test_outside_a_block_each_save_updates_the_indexes_at_once() -> None:
    catalogue, course = _catalogue_and_page()
    with _Runs() as runs:
        catalogue.add_child(instance=course)
        assert _reference_task(course) in runs
        before = len(runs)
        course.save_revision().publish()
    assert runs.count(_reference_task(course)) >= 2
    assert len(runs) > before


def test_inside_a_block_an_object_saved_three_times_is_indexed_once_at_the_end() -> None:
    from courses.api import CoursePage

    catalogue, course = _catalogue_and_page()
    with _Runs() as runs:
        with indexing_deferred():
            catalogue.add_child(instance=course)
            course.title = "Held back, renamed"
            course.save_revision().publish()
            assert runs == []  # nothing yet
        assert runs.count(_reference_task(course)) == 1
        assert len(runs) == len(set(runs))
    # The search index holds the last title: the task read the page as the block left it.
    found = CoursePage.objects.search("renamed")
    assert [page.pk for page in found] == [course.pk]


def test_a_block_that_raises_runs_none_of_its_tasks() -> None:
    catalogue, course = _catalogue_and_page()

    def refused() -> None:
        with indexing_deferred():
            catalogue.add_child(instance=course)
            raise RuntimeError("the import was refused")

    with _Runs() as runs, pytest.raises(RuntimeError):
        refused()
    assert runs == []


def test_a_nested_block_joins_the_outer_one() -> None:
    catalogue, course = _catalogue_and_page()
    with _Runs() as runs:
        with indexing_deferred():
            with indexing_deferred():
                catalogue.add_child(instance=course)
            assert runs == []  # the inner block's end ran nothing
            course.save_revision().publish()
        assert runs.count(_reference_task(course)) == 1


def _rebuild() -> None:
    """Both indexes rebuilt from scratch."""
    call_command("rebuild_references_index", verbosity=0)
    call_command("update_index", verbosity=0)


def _references() -> set[tuple[Any, ...]]:
    from wagtail.models import ReferenceIndex

    return set(
        ReferenceIndex.objects.values_list(
            "content_type_id", "object_id", "to_content_type_id", "to_object_id", "content_path"
        )
    )


def _search_entries() -> set[tuple[Any, ...]]:
    from wagtail.search.models import IndexEntry

    return set(IndexEntry.objects.values_list("content_type_id", "object_id", "title", "body"))


def test_an_import_indexes_each_object_once_and_as_a_rebuild_would() -> None:
    from courses.api import curriculum_import

    _rebuild()  # what the migrations made (the site's root pages) is in the indexes too
    with _Runs() as runs:
        curriculum_import(path=SAMPLE_CURRICULUM)
    assert len(runs) == len(set(runs))  # each object's update ran once
    kinds = {path for path, _args in runs}
    assert kinds == {
        "wagtail.tasks.update_reference_index_task",
        "modelsearch.tasks.insert_or_update_object_task",
    }
    references, entries = _references(), _search_entries()
    assert references and entries

    _rebuild()
    assert _references() == references
    assert _search_entries() == entries


def test_a_dry_run_indexes_nothing() -> None:
    from courses.api import curriculum_import

    references, entries = _references(), _search_entries()
    with _Runs() as runs:
        curriculum_import(path=SAMPLE_CURRICULUM, dry_run=True)
    assert runs == []
    assert (_references(), _search_entries()) == (references, entries)
