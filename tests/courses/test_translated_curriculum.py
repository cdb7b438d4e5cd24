"""Courses in three languages: one tree per language in the curriculum files, linked by slug to
the source, imported, exported and imported again unchanged; errors name the file and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from courses.api import (
    CoursePage,
    LessonPage,
    ModulePage,
    curriculum_export,
    curriculum_import,
)
from quizzes.models import Question, Quiz, QuizPlacement
from tests.conftest import FLAGSHIP_CURRICULUM
from tests.courses.helpers import edit, errors_of

pytestmark = pytest.mark.django_db

RU_COURSE = "ru/trauma-informed-care/course.md"
KK_QUIZ = "kk/trauma-informed-care/quizzes/principles-of-trauma-informed-care-check"


def state() -> list[tuple[str, str, str, str, int | None]]:
    """Every course page: language, path, title, translation group, live revision."""
    return sorted(
        (p.locale.language_code, p.url_path, p.title, str(p.translation_key), p.live_revision_id)
        for p in CoursePage.objects.select_related("locale")
    ) + sorted(
        (p.locale.language_code, p.url_path, p.title, str(p.translation_key), p.live_revision_id)
        for p in LessonPage.objects.select_related("locale")
    )


def test_each_language_tree_becomes_translations_of_the_source() -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    courses = {c.locale.language_code: c for c in CoursePage.objects.select_related("locale")}
    assert set(courses) == {"en", "ru", "kk"}
    assert len({c.translation_key for c in courses.values()}) == 1
    assert courses["ru"].title.startswith("Травма-информированный подход")
    assert "ә" in courses["kk"].title or "қ" in courses["kk"].title
    for language in ("ru", "kk"):
        # Served under the language's own home page: /ru/courses/…, /kk/courses/…
        assert courses[language].get_url().startswith(f"/{language}/courses/")
        source_lessons = LessonPage.objects.descendant_of(courses["en"]).order_by("path")
        translated = LessonPage.objects.descendant_of(courses[language]).order_by("path")
        assert [p.translation_key for p in translated] == [
            p.translation_key for p in source_lessons
        ]
    # A translated module's assessment is the quiz in its language; its placement names the
    # source quiz (the quiz's identity: one set of attempts and results).
    module = ModulePage.objects.get(
        slug="principles-of-trauma-informed-care", locale__language_code="kk"
    )
    assert module.assessment is not None
    assert module.assessment.locale.language_code == "kk"
    source = Quiz.objects.get(slug=module.assessment.slug, locale__language_code="en")
    assert module.assessment.translation_key == source.translation_key
    assert QuizPlacement.objects.filter(page_id=module.pk, quiz=source).exists()
    kk_questions = Question.objects.filter(locale__language_code="kk")
    assert kk_questions.count() == Question.objects.filter(locale__language_code="en").count()
    assert set(kk_questions.values_list("translation_key", flat=True)) == set(
        Question.objects.filter(locale__language_code="en").values_list(
            "translation_key", flat=True
        )
    )


def test_second_import_of_three_languages_changes_nothing() -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    before = state()
    report = curriculum_import(path=FLAGSHIP_CURRICULUM)
    assert not report.changed, report
    assert not report.warnings
    assert state() == before


def test_export_writes_a_tree_per_language_and_reimports_unchanged(tmp_path: Path) -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    before = state()
    report = curriculum_export(path=tmp_path / "out")
    assert sorted(report.courses) == [
        "kk/trauma-informed-care",
        "ru/trauma-informed-care",
        "trauma-informed-care",
    ]
    out = tmp_path / "out"
    front = (out / RU_COURSE).read_text(encoding="utf-8").split("---")[1]
    assert yaml.safe_load(front)["locale"] == "ru"
    assert "locale" not in yaml.safe_load(
        (out / "trauma-informed-care/course.md").read_text(encoding="utf-8").split("---")[1]
    )
    gift = (out / f"{KK_QUIZ}.gift").read_text(encoding="utf-8")
    assert "::M2-Q1 Opening a meeting::" in gift and "қ" in gift
    again = curriculum_import(path=out)
    assert not again.changed, again
    assert state() == before


def test_a_changed_translation_updates_only_its_page(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    curriculum_import(path=root)
    lesson = LessonPage.objects.get(slug="coming-home", locale__language_code="ru")
    english = LessonPage.objects.get(slug="coming-home", locale__language_code="en")
    old_revision, english_revision = lesson.live_revision_id, english.live_revision_id
    path = "ru/trauma-informed-care/01-understanding-trauma-and-return/01-coming-home.md"
    text = (root / path).read_text(encoding="utf-8")
    assert lesson.title in text
    (root / path).write_text(text.replace(lesson.title, f"Новое {lesson.title}", 1), "utf-8")
    report = curriculum_import(path=root)
    assert report.updated == ["curriculum/" + path]
    lesson.refresh_from_db()
    english.refresh_from_db()
    assert lesson.title.startswith("Новое ")
    assert lesson.live_revision_id != old_revision
    assert english.live_revision_id == english_revision


def test_a_translation_without_a_source_is_refused_naming_the_file(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, RU_COURSE, "slug: trauma-informed-care", "slug: no-such-course")
    errors = errors_of(root)
    assert errors == [
        f"curriculum/{RU_COURSE}:2: field 'slug': translates the course 'no-such-course', which "
        "the en tree does not have (a translation keeps its source's slugs; import the source too)"
    ]
    assert not CoursePage.objects.exists()  # nothing was written


def test_a_locale_that_contradicts_its_folder_is_refused(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, RU_COURSE, "locale: ru", "locale: kk")
    errors = errors_of(root)
    assert any(
        e.startswith(f"curriculum/{RU_COURSE}:")
        and "field 'locale': says 'kk' but the course is in the 'ru/' folder" in e
        for e in errors
    ), errors
    edit(root, RU_COURSE, "locale: kk", "locale: de")
    assert any("field 'locale': must be one of: en, ru, kk" in e for e in errors_of(root))


def test_a_translated_question_must_keep_its_source_title(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, f"{KK_QUIZ}.gift", "::M2-Q1 Opening a meeting::", "::M2-Q1 Кездесу::")
    errors = errors_of(root)
    assert len(errors) == 1
    assert errors[0].startswith(f"curriculum/{KK_QUIZ}.gift:")
    assert "the title 'M2-Q1 Кездесу' is not a question of the source quiz" in errors[0]
    assert not Quiz.objects.exists()


def test_a_translation_takes_its_source_quiz_rules(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, f"{KK_QUIZ}.yaml", "pass_mark: 80", "pass_mark: 50")
    report = curriculum_import(path=root)
    assert any(
        w.startswith(f"curriculum/{KK_QUIZ}.yaml: pass_mark differ") for w in report.warnings
    )
    kk = Quiz.objects.get(slug=Path(KK_QUIZ).name, locale__language_code="kk")
    assert kk.pass_mark == 80
    # Changing the source's rules changes its translations' in the same import.
    edit(
        root,
        "trauma-informed-care/quizzes/principles-of-trauma-informed-care-check.yaml",
        "pass_mark: 80",
        "pass_mark: 70",
    )
    curriculum_import(path=root)
    assert set(
        Quiz.objects.filter(slug=Path(KK_QUIZ).name).values_list("pass_mark", flat=True)
    ) == {70}
