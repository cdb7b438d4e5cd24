""" "Passed the required quizzes" as a completion requirement (see ``learners.completion``).

Registered once in ``QuizzesConfig.ready``. For a whole batch of learners and courses it runs two
queries: the required placements on the courses' live modules and lessons, and the learners'
results on those quizzes. Every learner and course is then answered from memory.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import BooleanField, DecimalField, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.api import page_memo, read_once
from courses.api import CoursePage
from learners.api import MissingItem, ModuleStructure, RequirementLookup, single_learner

from .models import Attempt, AttemptState, Quiz, QuizPlacement, QuizResult, ReviewWhen
from .text import decimal_text

__all__ = ["quiz_links", "quizzes_passed_since", "required_quiz_ids", "required_quizzes"]


def quiz_links(quiz_ids: Collection[int]) -> list[tuple[str, str]]:
    """(title, url) of each quiz, by title: one query."""
    quizzes = Quiz.objects.filter(pk__in=list(quiz_ids)).only("title").order_by("title")
    return [(quiz.title, reverse("quizzes:quiz", args=[quiz.pk])) for quiz in quizzes]


def required_quiz_ids(courses: list[CoursePage]) -> set[int]:
    """The quizzes the courses require (required placements on their live pages): one query."""
    if not courses:
        return set()
    under_a_course = Q()
    for course in courses:
        under_a_course |= Q(page__path__startswith=course.path)
    return set(
        QuizPlacement.objects.filter(under_a_course, required=True, page__live=True).values_list(
            "quiz_id", flat=True
        )
    )


def quizzes_passed_since(*, user: User, quiz_ids: Collection[int], since: datetime) -> set[int]:
    """Which of ``quiz_ids`` ``user`` passed with an attempt finished at or after ``since``."""
    return set(
        Attempt.objects.filter(
            user=user, quiz_id__in=list(quiz_ids), passed=True, finished_at__gte=since
        ).values_list("quiz_id", flat=True)
    )


#: course id → [(module id, module title, quiz id, quiz title, pass mark, page id)], one per quiz
RequiredQuizzes = dict[int, list[tuple[int, str, int, str, int, int]]]


def _required_placements(
    structures: Mapping[int, list[ModuleStructure]],
) -> tuple[RequiredQuizzes, dict[int, Quiz]]:
    """The required quizzes of each course, and each quiz (for its review options): one query."""
    owner: dict[int, tuple[int, ModuleStructure]] = {}
    for course_id, modules in structures.items():
        for module in modules:
            owner[module.module_id] = (course_id, module)
            for lesson_id, _title in module.lessons:
                owner[lesson_id] = (course_id, module)
    if not owner:
        return {}, {}
    placements = (
        QuizPlacement.objects.filter(page_id__in=list(owner), required=True)
        .select_related("quiz")
        .only(
            "page_id",
            "kind",
            "quiz__title",
            "quiz__pass_mark",
            "quiz__review_score",
            "quiz__closes_at",
        )
        # The title in the reader's language (its live translation), in the same query.
        .annotate(
            shown_title=Subquery(
                Quiz.objects.filter(
                    translation_key=OuterRef("quiz__translation_key"),
                    locale__language_code=get_language(),
                    live=True,
                ).values("title")[:1]
            )
        )
        .order_by("page__path")
    )
    required: RequiredQuizzes = {}
    quizzes: dict[int, Quiz] = {}
    seen: set[tuple[int, int]] = set()
    for placement in placements:
        course_id, module = owner[placement.page_id]
        if (course_id, placement.quiz_id) in seen:
            continue
        seen.add((course_id, placement.quiz_id))
        quizzes[placement.quiz_id] = placement.quiz
        required.setdefault(course_id, []).append(
            (
                module.module_id,
                module.title,
                placement.quiz_id,
                placement.shown_title or placement.quiz.title,
                placement.quiz.pass_mark,
                placement.page_id,
            )
        )
    return required, quizzes


def _result_rows(users: Collection[int] | Any, quiz_ids: Collection[int] | None) -> Any:
    """The learners' results, and (in the same query) their attempts awaiting grading (submitted
    with a written task its grader has not marked yet): ``(user id, quiz id, grade, passed,
    awaiting)``; of every quiz when ``quiz_ids`` is None."""
    results = QuizResult.objects.filter(user_id__in=users)
    awaiting = Attempt.objects.filter(state=AttemptState.AWAITING, user_id__in=users)
    if quiz_ids is not None:
        results = results.filter(quiz_id__in=quiz_ids)
        awaiting = awaiting.filter(quiz_id__in=quiz_ids)
    return (
        results.order_by()
        .values_list("user_id", "quiz_id", "grade", "passed", Value(False, BooleanField()))
        .union(
            awaiting.order_by().values_list(
                "user_id",
                "quiz_id",
                Value(None, DecimalField(max_digits=5, decimal_places=2)),
                Value(None, BooleanField()),
                Value(True, BooleanField()),
            )
        )
    )


def learner_results(users: Collection[int] | Any, quiz_ids: set[int]) -> Any:
    """The learners' results and attempts awaiting grading in ``quiz_ids``: ``(user id, quiz
    id, grade, passed, awaiting)``. One learner's are read whole (a few rows), once per
    ``shared_reads`` block: the panels of one page (My learning's course cards and
    certification panel, a module page's completion and quiz panel) share them."""
    learner = single_learner(users)
    if learner is None:
        return _result_rows(users, quiz_ids)
    rows = read_once(("quiz-results", learner), lambda: _learner_results(learner))
    return [row for row in rows if row[1] in quiz_ids]


def _learner_results(user_id: int) -> list[tuple[int, int, Decimal | None, bool | None, bool]]:
    """:func:`_result_rows` for one learner, every quiz, as plain SQL: the rows are a handful,
    and building the ORM's union cost ten times running it, on every page that shows where a
    learner stands (course, module, My learning; docs/benchmarks.md)."""
    grade_field = QuizResult._meta.get_field("grade")
    places = Decimal(1).scaleb(-grade_field.decimal_places)
    q = connection.ops.quote_name

    def column(model: type[Any], name: str) -> str:
        return q(model._meta.get_field(name).column)

    results, attempts = q(QuizResult._meta.db_table), q(Attempt._meta.db_table)
    # Names from the models' metadata, quoted; every value is a parameter.
    sql = (
        f"SELECT {column(QuizResult, 'quiz')}, {column(QuizResult, 'grade')}, "  # noqa: S608
        f"{column(QuizResult, 'passed')}, 0 FROM {results} "
        f"WHERE {column(QuizResult, 'user')} = %s "
        f"UNION ALL SELECT {column(Attempt, 'quiz')}, NULL, NULL, 1 FROM {attempts} "
        f"WHERE {column(Attempt, 'user')} = %s AND {column(Attempt, 'state')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id, AttemptState.AWAITING.value])
        found = cursor.fetchall()
    return [
        (
            user_id,
            quiz_id,
            None if grade is None else Decimal(str(grade)).quantize(places),
            None if passed is None else bool(passed),
            bool(awaiting),
        )
        for quiz_id, grade, passed, awaiting in found
    ]


def required_quizzes(
    users: Collection[int] | Any,
    courses: list[CoursePage],
    structures: Mapping[int, list[ModuleStructure]],
) -> RequirementLookup:
    """Every required quiz placed on a live module or lesson of the courses must be passed."""
    # The placements are the same for every learner: kept in the page memo until a publish, or
    # a change to a quiz or a placement, moves the page cache's generation on.
    required, quizzes = page_memo(
        None,
        ("required-quizzes", tuple(sorted(structures)), get_language()),
        lambda: _required_placements(structures),
    )
    if not required:
        return _nothing
    now = timezone.now()
    grade_shown = {quiz_id: _score_shown(quiz, now) for quiz_id, quiz in quizzes.items()}
    quiz_ids = {entry[2] for entries in required.values() for entry in entries}
    rows = learner_results(users, quiz_ids)
    results: dict[tuple[int, int], tuple[Any, bool]] = {}
    awaiting: set[tuple[int, int]] = set()
    for user_id, quiz_id, grade, passed, is_awaiting in rows:
        if is_awaiting:
            awaiting.add((user_id, quiz_id))
        else:
            results[(user_id, quiz_id)] = (grade, passed)
    urls = page_memo(
        None,
        ("quiz-urls", tuple(sorted(quiz_ids)), get_language()),
        lambda: {quiz_id: reverse("quizzes:quiz", args=[quiz_id]) for quiz_id in quiz_ids},
    )

    def lookup(user_id: int, course_id: int) -> list[tuple[int | None, MissingItem | None]]:
        items: list[tuple[int | None, MissingItem | None]] = []
        for module_id, module_title, quiz_id, title, pass_mark, page_id in required.get(
            course_id, ()
        ):
            grade, passed = results.get((user_id, quiz_id), (None, False))
            if passed:
                items.append((module_id, None))
                continue
            if (user_id, quiz_id) in awaiting:
                reason = _("your written work is awaiting grading by your trainer")
            elif grade is None or not grade_shown[quiz_id]:
                reason = _("quiz not passed yet (pass mark %s%%)") % pass_mark
            else:
                reason = _("your grade is %(grade)s%%; the pass mark is %(mark)s%%") % {
                    "grade": decimal_text(grade),
                    "mark": pass_mark,
                }
            items.append(
                (
                    module_id,
                    MissingItem(
                        "quiz",
                        title,
                        module_title,
                        reason,
                        page_id,
                        f"{urls[quiz_id]}?from={page_id}",
                    ),
                )
            )
        return items

    return lookup


def _score_shown(quiz: Quiz, now: datetime) -> bool:
    """Whether the quiz's review options show a learner with a finished attempt the score."""
    if quiz.review_score == ReviewWhen.AFTER_SUBMIT:
        return True
    if quiz.review_score == ReviewWhen.AFTER_CLOSE:
        return quiz.closes_at is not None and now >= quiz.closes_at
    return False


def _nothing(user_id: int, course_id: int) -> list[tuple[int | None, MissingItem | None]]:
    return []
