"""Quizzes in the curriculum files: a course's quizzes/ folder, module assessments and the quiz
directive, with errors by file and line, idempotence and the round trip through an export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from courses.api import (
    LessonPage,
    ModulePage,
    curriculum_export,
    curriculum_import,
)
from quizzes.models import Question, Quiz, QuizPlacement, QuizQuestion
from tests.conftest import FLAGSHIP_CURRICULUM
from tests.courses.helpers import edit, errors_of

pytestmark = pytest.mark.django_db

QUIZ = "trauma-informed-care/quizzes/principles-of-trauma-informed-care-check"
MODULE = "trauma-informed-care/02-principles-of-trauma-informed-care/module.md"
LESSON = "trauma-informed-care/02-principles-of-trauma-informed-care/01-six-principles.md"


def quiz_state() -> tuple[int, int, int, int, list[tuple[str, int]]]:
    return (
        Quiz.objects.count(),
        Question.objects.count(),
        QuizQuestion.objects.count(),
        QuizPlacement.objects.count(),
        sorted(Quiz.objects.values_list("slug", "pass_mark")),
    )


def test_shipped_quizzes_import_as_module_assessments() -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    quizzes = {q.slug: q for q in Quiz.objects.filter(locale__language_code="en")}
    assert len(quizzes) == 5
    modules = list(ModulePage.objects.live().filter(locale__language_code="en"))
    for module in modules:
        assert module.assessment is not None
        assert QuizPlacement.objects.filter(
            quiz=module.assessment, page_id=module.pk, kind="module", required=True
        ).exists()
        links = list(module.assessment.fixed_questions.order_by("sort_order"))
        assert {link.question.category.name for link in links} == {
            f"trauma-informed-care/{module.assessment.slug}"
        }
    *teaching, final = modules
    for module in teaching:
        # Each module's check draws five questions from a pool of fifteen.
        quiz = module.assessment
        assert quiz is not None and quiz.slug == f"{module.slug}-check"
        assert quiz.selection == "random"
        assert [(d.category.name, d.count) for d in quiz.draws.all()] == [
            (f"trauma-informed-care/{quiz.slug}", 5)
        ]
        assert quiz.fixed_questions.count() >= 15
    # The final assessment: a fixed set of cases and one written task.
    assert final.assessment is not None and final.assessment.slug == "trauma-informed-care-final"
    kinds = [link.question.kind for link in final.assessment.fixed_questions.all()]
    assert final.assessment.selection == "fixed" and kinds.count("essay") == 1
    quiz = quizzes["principles-of-trauma-informed-care-check"]
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.time_limit_minutes) == (80, 3, 0)
    first = quiz.fixed_questions.order_by("sort_order").first()
    assert first is not None and first.question.title == "M2-Q1 Opening a meeting"


def test_second_import_changes_no_quiz() -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    before = quiz_state()
    report = curriculum_import(path=FLAGSHIP_CURRICULUM)
    assert not report.changed, report
    assert quiz_state() == before


def test_changed_quiz_file_updates_the_quiz_in_place(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    curriculum_import(path=root)
    quiz = Quiz.objects.get(
        slug="principles-of-trauma-informed-care-check", locale__language_code="en"
    )
    edit(root, f"{QUIZ}.yaml", "pass_mark: 80", "pass_mark: 70")
    edit(
        root,
        f"{QUIZ}.gift",
        "How should the adviser open their first meeting?",
        "How should he begin?",
    )
    questions = Question.objects.count()
    report = curriculum_import(path=root)
    assert report.changed
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70
    assert Question.objects.count() == questions  # updated by title, not duplicated
    assert Question.objects.filter(text__contains="How should he begin?").count() == 1


def test_lesson_quiz_directive_places_the_quiz(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    path = root / LESSON
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n\n::: quiz slug="principles-of-trauma-informed-care-check" required="false"\n:::\n',
        encoding="utf-8",
    )
    curriculum_import(path=root)
    lesson = LessonPage.objects.get(slug="six-principles", locale__language_code="en")
    assert [b.block_type for b in lesson.body][-1] == "quiz"
    placement = QuizPlacement.objects.get(page_id=lesson.pk)
    assert (placement.kind, placement.required) == ("lesson", False)


def test_export_writes_the_quizzes_and_reimports_unchanged(tmp_path: Path) -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    before = quiz_state()
    curriculum_export(path=tmp_path / "export")
    folder = tmp_path / "export" / "trauma-informed-care" / "quizzes"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (FLAGSHIP_CURRICULUM / "trauma-informed-care" / "quizzes").iterdir()
    )
    module_file = next((tmp_path / "export" / "trauma-informed-care").glob("02-*/module.md"))
    assert "assessment: principles-of-trauma-informed-care-check" in module_file.read_text()
    report = curriculum_import(path=tmp_path / "export")
    assert not report.changed, report
    assert quiz_state() == before


BAD_QUIZ_EDITS = [
    # (file, old, new, expected message)
    (f"{QUIZ}.yaml", "pass_mark: 80", "pass_mark: 180",
     f"{QUIZ}.yaml:5: field 'pass_mark': must be a whole number from 0 to 100"),
    (f"{QUIZ}.yaml", "grading: highest", "grading: best",
     "field 'grading': must be one of: highest, latest, first, average"),
    (f"{QUIZ}.yaml", "pass_mark: 80", "pass_mark: 80\ncolour: blue", "field 'colour': is unknown"),
    (f"{QUIZ}.yaml", "questions: principles-of-trauma-informed-care-check.gift",
     "questions: missing.gift", "'missing.gift' must be a GIFT file in the same folder"),
    (f"{QUIZ}.yaml", "score: after_submit", "score: sometimes", "'score' must be one of"),
    (f"{QUIZ}.gift", "::M2-Q2 Principles in words::", "", "needs a ::title::"),
    (f"{QUIZ}.gift", "::M2-Q2 Principles in words::", "::M2-Q1 Opening a meeting::",
     "the title 'M2-Q1 Opening a meeting' is already used at line 4"),
    (f"{QUIZ}.gift", "=Safety -> ", "=Safety -> \n}\n{", f"{QUIZ}.gift:"),
    (f"{QUIZ}.gift", "::M2-Q1 Opening", "$CATEGORY: elsewhere\n\n::M2-Q1 Opening",
     "a quiz file has no $CATEGORY lines"),
    (MODULE, "assessment: principles-of-trauma-informed-care-check", "assessment: Not A Slug",
     f"{MODULE}:5: field 'assessment': must be lowercase"),
    (LESSON, "## ", '::: quiz slug="principles-of-trauma-informed-care-check" required="maybe"\n:::\n\n## ',
     "attribute 'required' must be \"true\" or \"false\""),
]  # fmt: skip


@pytest.mark.parametrize(("relative", "old", "new", "expected"), BAD_QUIZ_EDITS)
def test_bad_quiz_files_are_rejected_with_file_and_line(
    curriculum_copy: Callable[[Path], Path], relative: str, old: str, new: str, expected: str
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, relative, old, new)
    before = quiz_state()
    errors = errors_of(root)
    assert any(expected in e for e in errors), errors
    assert quiz_state() == before


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        (
            MODULE,
            "assessment: principles-of-trauma-informed-care-check",
            "assessment: no-such-quiz",
        ),
        (LESSON, "## ", '::: quiz slug="no-such-quiz"\n:::\n\n## '),
    ],
    ids=["assessment", "directive"],
)
def test_unknown_quiz_slug_is_rejected_and_nothing_is_stored(
    curriculum_copy: Callable[[Path], Path], relative: str, old: str, new: str
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    edit(root, relative, old, new)
    errors = errors_of(root)
    assert any("no quiz with slug 'no-such-quiz'" in e and relative in e for e in errors), errors
    # The quizzes were written before the pages, in the same transaction: all rolled back.
    assert quiz_state() == (0, 0, 0, 0, [])


def test_engine_rules_in_a_quiz_file_are_rejected(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    """A question GIFT can hold but the engine refuses (right options worth 90% in all)."""
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    curriculum_import(path=root)
    before = quiz_state()
    gift = root / f"{QUIZ}.gift"
    text = gift.read_text(encoding="utf-8")
    gift.write_text(
        text + "\n::M2-Q9 Short of full credit::Which?{~%45%one ~%45%two ~three}\n",
        encoding="utf-8",
    )
    errors = errors_of(root)
    assert any(f"{QUIZ}.gift" in e and "100%" in e for e in errors), errors
    assert quiz_state() == before


WRITTEN_TASK = """
::M2-W1 A core story:: Write the core story for the composite family in the case. {}
"""

WRITTEN_TASK_YAML = """draw: 4
written_tasks:
  M2-W1 A core story:
    min_words: 120
    max_words: 400
    model_answer: "Short, true, in a child's words."
    rubric:
      - criterion: Truthful and simple
        description: Says what happened without detail a child cannot hold.
        levels:
          - points: 0
            description: Hides or invents the father's story.
          - points: 2
            description: True but too detailed.
          - points: 4
            description: True, short and in a child's words.
      - criterion: Safe to hear
        levels:
          - points: 0
            description: Blames the child or mother.
          - points: 3
            description: Separates the father's choices from the child.
"""


def with_written_task(root: Path) -> None:
    edit(root, f"{QUIZ}.gift", "::M2-Q1 Opening", WRITTEN_TASK.strip() + "\n\n::M2-Q1 Opening")
    edit(root, f"{QUIZ}.yaml", "grading: highest", WRITTEN_TASK_YAML + "grading: highest")


def test_a_quiz_file_draws_from_its_pool_and_holds_a_written_task(
    curriculum_copy: Callable[[Path], Path], tmp_path: Path
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    with_written_task(root)
    report = curriculum_import(path=root)
    assert not report.errors if hasattr(report, "errors") else True
    quiz = Quiz.objects.get(
        slug="principles-of-trauma-informed-care-check", locale__language_code="en"
    )
    assert quiz.selection == "random"
    draw = quiz.draws.get()
    assert (draw.count, draw.include_subcategories) == (4, False)
    assert draw.category.name == "trauma-informed-care/principles-of-trauma-informed-care-check"
    task = Question.objects.get(title="M2-W1 A core story", locale__language_code="en")
    assert (task.kind, task.live, task.min_words, task.max_words) == ("essay", True, 120, 400)
    assert [c["title"] for c in task.rubric_criteria()] == ["Truthful and simple", "Safe to hear"]
    assert [lv["points"] for lv in task.rubric_criteria()[0]["levels"]] == ["0", "2", "4"]
    # Loading again changes nothing; an export reads back to the same.
    before = quiz_state()
    assert not curriculum_import(path=root).changed
    curriculum_export(path=tmp_path / "export")
    exported = (tmp_path / "export" / f"{QUIZ}.yaml").read_text()
    assert "draw: 4" in exported and "Truthful and simple" in exported
    assert not curriculum_import(path=tmp_path / "export").changed
    assert quiz_state() == before


BAD_WRITTEN_TASKS = [
    ("min_words: 120", "min_words: 500", "min_words is above max_words"),
    ("points: 2\n", "points: 0\n", "gives two levels the same points"),
    ("  M2-W1 A core story:\n", "  M2-W1 Another story:\n", "needs its rubric under written_tasks"),
    ("draw: 4", "draw: 40", "draws 40 questions from a file of"),
    ("points: 3\n", "points: three\n", "each level has points (a number) and description (text)"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), BAD_WRITTEN_TASKS)
def test_bad_written_tasks_are_rejected_with_file_and_line(
    curriculum_copy: Callable[[Path], Path], old: str, new: str, expected: str
) -> None:
    root = curriculum_copy(FLAGSHIP_CURRICULUM)
    with_written_task(root)
    edit(root, f"{QUIZ}.yaml", old, new)
    errors = errors_of(root)
    assert any(expected in e and QUIZ in e for e in errors), errors
    assert quiz_state() == (0, 0, 0, 0, [])
