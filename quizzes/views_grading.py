"""The grading queue and the marking page, for trainers and course reviewers (``quizzes.grading``).

The queue lists the attempts awaiting grading that the reader may grade, oldest first, with
filters for the quiz, the cohort and the stage (first marking, second marking, waiting too
long). The marking page shows each written answer beside its prompt, the model answer and the
rubric, and takes a level per criterion and feedback. Both pages run a fixed number of queries
whatever the number of submissions (``tests/quizzes/test_grading_queue.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.api import AuthenticatedRequest
from learners.api import cohort_user_ids, cohorts_trained_by

from .grading import (
    AnswerMarking,
    GradingRefused,
    attempt_grade,
    first_marker_subquery,
    gradable_attempts,
    marker_due,
    rubric_maximum,
)
from .models import Attempt, Quiz
from .notices import overdue_before
from .permissions import can_open_grading_queue
from .scoring import GRADED_BY_PERSON, Status, word_count

PAGE_SIZE = 25
STAGES = ("first", "second", "overdue")


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, read from the query string; values not on offer are dropped."""

    quiz: int | None = None
    cohort: int | None = None
    stage: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> QueueFilters:
        def number(name: str) -> int | None:
            value = query.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

        stage = query.get("stage", "")
        return cls(number("quiz"), number("cohort"), stage if stage in STAGES else "")

    def as_query(self) -> str:
        pairs = {"quiz": self.quiz, "cohort": self.cohort, "stage": self.stage}
        return urlencode({k: v for k, v in pairs.items() if v})


def _check_reader(request: HttpRequest) -> None:
    if not can_open_grading_queue(request.user):
        raise PermissionDenied(_("Only trainers and course reviewers grade written work."))


def _queue(request: AuthenticatedRequest, filters: QueueFilters) -> QuerySet[Attempt]:
    attempts = (
        gradable_attempts(request.user)
        .select_related("quiz", "user")
        .annotate(first_marker_id=first_marker_subquery())
        .order_by("finished_at", "pk")
    )
    if filters.quiz:
        attempts = attempts.filter(quiz_id=filters.quiz)
    if filters.cohort:
        # Only a cohort the reader runs: another id filters to nothing.
        if any(c.pk == filters.cohort for c in cohorts_trained_by(user=request.user)):
            attempts = attempts.filter(user_id__in=cohort_user_ids(cohort_id=filters.cohort))
        else:
            attempts = attempts.none()
    if filters.stage == "first":
        attempts = attempts.filter(needs_second_marker=False)
    elif filters.stage == "second":
        attempts = attempts.filter(needs_second_marker=True)
    elif filters.stage == "overdue":
        attempts = attempts.filter(finished_at__lt=overdue_before())
    return attempts


@never_cache
@login_required
def grading_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Written work waiting for the reader's grading, oldest first."""
    _check_reader(request)
    filters = QueueFilters.from_query(request.GET)
    page = Paginator(_queue(request, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    cutoff = overdue_before()
    rows = [
        {
            "attempt": attempt,
            "learner": attempt.user.get_full_name() or attempt.user.username,
            "stage": marker_due(attempt),
            "overdue": attempt.finished_at is not None and attempt.finished_at < cutoff,
            "days": (timezone.now() - attempt.finished_at).days if attempt.finished_at else 0,
            # A second marker must be someone else: the first marker sees the row, greyed.
            "blocked": attempt.needs_second_marker and attempt.first_marker_id == request.user.pk,
        }
        for attempt in page.object_list
    ]
    quizzes = Quiz.objects.filter(pk__in=gradable_attempts(request.user).values("quiz_id")).only(
        "pk", "title"
    )
    return render(
        request,
        "quizzes/grading_queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": filters.as_query(),
            "quizzes": list(quizzes),
            "cohorts": list(cohorts_trained_by(user=request.user)),
            "stages": [
                ("first", _("First marking")),
                ("second", _("Second marking")),
                ("overdue", _("Waiting too long")),
            ],
        },
    )


def _answers_to_grade(attempt: Attempt) -> list[Any]:
    return [
        answer
        for answer in attempt.answers.order_by("position")
        if answer.snapshot.get("kind") in GRADED_BY_PERSON and answer.status == Status.AWAITING
    ]


def _markings_from_post(answers: list[Any], data: QueryDict) -> dict[int, AnswerMarking]:
    """Levels and feedback from the form; a missing or unreadable level is left out, and
    ``attempt_grade`` then names the question."""
    markings = {}
    for answer in answers:
        levels: list[int] = []
        for index, _criterion in enumerate(answer.snapshot.get("rubric") or []):
            value = data.get(f"a{answer.pk}-c{index}", "")
            if not (value.isascii() and value.isdigit() and len(value) < 3):
                break
            levels.append(int(value))
        else:
            markings[answer.pk] = AnswerMarking(levels, data.get(f"a{answer.pk}-feedback", ""))
    return markings


@never_cache
@login_required
def grade_attempt(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    """Mark every written answer of one attempt with its rubric."""
    _check_reader(request)
    attempt = (
        gradable_attempts(request.user)
        .select_related("quiz", "user")
        .annotate(first_marker_id=first_marker_subquery())
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404(_("This attempt is not waiting for your grading."))
    answers = _answers_to_grade(attempt)
    posted: QueryDict | None = None
    if request.method == "POST":
        posted = request.POST
        try:
            outcome = attempt_grade(
                attempt_id=attempt.pk,
                grader=request.user,
                markings=_markings_from_post(answers, request.POST),
            )
        except GradingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if outcome.settled:
                messages.success(request, _("Graded. The learner has been told."))
            else:
                messages.info(
                    request,
                    _(
                        "Graded. The result is close to the pass mark, so a second marker "
                        "will grade it too before the learner is told."
                    ),
                )
            return HttpResponseRedirect(reverse("quizzes:grading_queue"))
    blocked = attempt.needs_second_marker and attempt.first_marker_id == request.user.pk
    return render(
        request,
        "quizzes/grading_attempt.html",
        {
            "attempt": attempt,
            "learner": attempt.user.get_full_name() or attempt.user.username,
            "stage": marker_due(attempt),
            "blocked": blocked,
            "answers": [_answer_shown(answer, posted) for answer in answers],
        },
    )


def _answer_shown(answer: Any, posted: QueryDict | None) -> dict[str, Any]:
    snapshot = answer.snapshot
    text = (answer.response or {}).get("text", "")
    rubric = snapshot.get("rubric") or []
    return {
        "answer": answer,
        "prompt": snapshot.get("text", ""),
        "attachments": snapshot.get("attachments", []),
        "text": text if isinstance(text, str) else "",
        "words": word_count(text if isinstance(text, str) else ""),
        "min_words": snapshot.get("min_words"),
        "max_words": snapshot.get("max_words"),
        "model_answer": snapshot.get("model_answer", ""),
        "maximum": rubric_maximum(rubric),
        "feedback": posted.get(f"a{answer.pk}-feedback", "") if posted else "",
        "criteria": [
            {
                "index": index,
                "field": f"a{answer.pk}-c{index}",
                "title": criterion["title"],
                "description": criterion.get("description", ""),
                "chosen": posted.get(f"a{answer.pk}-c{index}", "") if posted else "",
                "levels": [
                    {"value": str(number), **level}
                    for number, level in enumerate(criterion["levels"])
                ],
            }
            for index, criterion in enumerate(rubric)
        ],
    }
