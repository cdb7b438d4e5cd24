"""Activities in curriculum files: ``::: h5p file="…"``, sources built on import, packages stored
as they are, translations, export, and the errors a wrong file gets."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from activities.models import Activity, ActivityPlacement, ActivityVersion
from courses.api import CurriculumInvalid, LessonPage, curriculum_export, curriculum_import
from tests.conftest import SAMPLE_CURRICULUM
from tests.factories.activities import myth_source, package_file, scenario_source

pytestmark = pytest.mark.django_db

LESSON = "sample-course/01-first-module/02-second-lesson.md"


def _curriculum(tmp_path: Path, directive: str, *, files: dict[str, Any] | None = None) -> Path:
    """The sample curriculum with ``files`` in the course's activities/ folder (a dict is written
    as YAML, bytes as they are) and ``directive`` appended to the second lesson."""
    root = tmp_path / "curriculum"
    shutil.copytree(SAMPLE_CURRICULUM, root)
    folder = root / "sample-course" / "activities"
    folder.mkdir()
    for name, content in (files or {}).items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    lesson = root / LESSON
    lesson.write_text(lesson.read_text("utf-8") + "\n" + directive + "\n", "utf-8")
    return root


def _errors(root: Path) -> list[str]:
    with pytest.raises(CurriculumInvalid) as raised:
        curriculum_import(path=root)
    return [str(error) for error in raised.value.errors]


def test_a_source_and_a_package_are_imported_and_placed(tmp_path: Path) -> None:
    myths = package_file(myth_source(), tmp_path)
    root = _curriculum(
        tmp_path,
        '::: h5p file="activities/first-visit.yaml"\n:::\n\n'
        '::: h5p file="activities/myths.h5p" required="false"\n:::',
        files={
            "first-visit.yaml": scenario_source("A first visit"),
            "myths.h5p": myths.read_bytes(),
        },
    )
    report = curriculum_import(path=root)
    assert "activity en/first-visit" in report.created
    visit = Activity.objects.get(slug="first-visit")
    assert visit.title == "A first visit" and visit.mastery_score == 60
    assert visit.current_version and visit.current_version.main_library == "Zhusan.DecisionScenario"
    assert Activity.objects.get(slug="myths").title == "Myth or fact?"
    lesson = LessonPage.objects.get(slug="second-lesson")
    blocks = [
        (b.block_type, b.value["required"]) for b in lesson.body if b.block_type == "activity"
    ]
    assert blocks == [("activity", True), ("activity", False)]
    placements = ActivityPlacement.objects.filter(page=lesson).order_by("activity__slug")
    assert [(p.activity.slug, p.required) for p in placements] == [
        ("first-visit", True),
        ("myths", False),
    ]

    # Importing the same files again changes nothing.
    again = curriculum_import(path=root)
    assert "activity en/first-visit" in again.unchanged
    assert ActivityVersion.objects.count() == 2

    # A changed source adds a version.
    changed = scenario_source("A first visit, revised")
    (root / "sample-course/activities/first-visit.yaml").write_text(yaml.safe_dump(changed))
    assert "activity en/first-visit" in curriculum_import(path=root).updated
    assert ActivityVersion.objects.filter(activity__slug="first-visit").count() == 2


def test_export_writes_the_activities_back(tmp_path: Path) -> None:
    source = scenario_source("A first visit")
    root = _curriculum(
        tmp_path,
        '::: h5p file="activities/first-visit.yaml" required="false"\n:::',
        files={
            "first-visit.yaml": source,
            "myths.h5p": package_file(myth_source(), tmp_path).read_bytes(),
        },
    )
    curriculum_import(path=root)
    out = tmp_path / "export"
    curriculum_export(path=out)
    exported = out / "sample-course"
    assert yaml.safe_load((exported / "activities/first-visit.yaml").read_text()) == source
    lesson = (exported / "01-first-module/02-second-lesson.md").read_text()
    assert '::: h5p file="activities/first-visit.yaml" required="false"' in lesson
    # And the export imports again as it is.
    assert curriculum_import(path=out).changed is False


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ('::: h5p file="first-visit.yaml"\n:::', "in the course's activities/ folder"),
        ('::: h5p file="activities/none.yaml"\n:::', "file not found: 'activities/none.yaml'"),
        ('::: h5p file="activities/first-visit.txt"\n:::', "a .yaml or .h5p file"),
        ('::: h5p file="../activities/first-visit.yaml"\n:::', "in the course's activities/"),
        ('::: h5p file="activities/first-visit.yaml" required="maybe"\n:::', "'required' must"),
        ("::: h5p\n:::", "missing attribute 'file'"),
    ],
)
def test_a_wrong_directive_is_named_with_its_line(
    tmp_path: Path, directive: str, message: str
) -> None:
    root = _curriculum(tmp_path, directive, files={"first-visit.yaml": scenario_source()})
    errors = _errors(root)
    assert any(LESSON in e and message in e for e in errors), errors
    assert not Activity.objects.exists()


def test_a_bad_source_is_named_with_its_field(tmp_path: Path) -> None:
    bad = scenario_source()
    bad["steps"][1]["choices"][0]["feedback"] = ""
    root = _curriculum(
        tmp_path, '::: h5p file="activities/first-visit.yaml"\n:::', files={"first-visit.yaml": bad}
    )
    errors = _errors(root)
    assert any("activities/first-visit.yaml" in e and "steps[2].choices[1].feedback" in e
               for e in errors), errors  # fmt: skip
    assert not Activity.objects.exists()


def test_a_broken_package_is_refused_with_the_rule(tmp_path: Path) -> None:
    root = _curriculum(
        tmp_path,
        '::: h5p file="activities/broken.h5p"\n:::',
        files={"broken.h5p": b"this is not a zip file"},
    )
    errors = _errors(root)
    assert any("activities/broken.h5p" in e for e in errors), errors
    assert not ActivityVersion.objects.exists()


def test_a_translation_keeps_the_structure_and_shares_the_identity(tmp_path: Path) -> None:
    source = scenario_source("A first visit")
    root = _curriculum(
        tmp_path, '::: h5p file="activities/first-visit.yaml"\n:::',
        files={"first-visit.yaml": source},
    )  # fmt: skip
    translated_course = root / "ru" / "sample-course"
    shutil.copytree(root / "sample-course", translated_course)
    course_md = translated_course / "course.md"
    course_md.write_text(course_md.read_text("utf-8").replace("---\n", "---\nlocale: ru\n", 1))
    russian = scenario_source("Первый визит")
    (translated_course / "activities/first-visit.yaml").write_text(
        yaml.safe_dump(russian, allow_unicode=True), "utf-8"
    )
    curriculum_import(path=root)
    english, translation = Activity.objects.filter(slug="first-visit").order_by("pk")
    assert translation.locale.language_code == "ru" and translation.title == "Первый визит"
    assert translation.translation_key == english.translation_key
    assert translation.current_version and translation.current_version.language == "ru"

    # A translation that changes the points is refused, naming the field.
    russian["steps"][0]["choices"][0]["points"] = 0
    russian["steps"][0]["choices"][2]["points"] = 2
    (translated_course / "activities/first-visit.yaml").write_text(
        yaml.safe_dump(russian, allow_unicode=True), "utf-8"
    )
    errors = _errors(root)
    assert any("ru/sample-course/activities/first-visit.yaml" in e and "points" in e
               for e in errors), errors  # fmt: skip
