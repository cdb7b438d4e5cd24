"""Taking a quiz: the quiz page, starting, answering (autosaved), submitting and the review.

Everything works as plain form posts; ``static/js/quiz.js`` adds autosave, a countdown and a guard
against double submits on top. Each view checks that the attempt belongs to the signed-in
learner; the rules themselves live in ``services``.

The attempt form carries the attempt's ``revision``; every save and the countdown's submit send
it back, and one sent from a page older than the last save (another tab or window) is refused:
the autosave with a 409 the page shows, a plain post with a message over the latest answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Page

from core.api import AuthenticatedRequest
from courses.api import ModulePage, ModuleSequel, module_sequel, page_viewable

from .models import Attempt, AttemptState, Quiz
from .permissions import can_open_unplaced_quiz
from .scoring import GRADED_BY_PERSON, NOT_ANSWERED, is_answered
from .selectors import attempts_of, live_placements, quiz_result_of
from .services import (
    AttemptChanged,
    AttemptClosed,
    AttemptNotAllowed,
    attempt_availability,
    attempt_save,
    attempt_start,
    attempt_submit,
    question_display,
    responses_from_post,
    review_for,
)
from .translations import quiz_in_language


def _quiz_for(request: HttpRequest, quiz_id: int) -> tuple[Quiz, Page | None]:
    """The quiz, if it is placed on a live page the reader may view (Wagtail's page privacy,
    ``courses.api.page_viewable``; trainers may open a quiz placed nowhere to try it), and the
    page the learner came from (``?from=``), when it is one of those placements. A quiz whose
    every placement is private to others is a 404, as an unplaced one is.

    Any translation's id leads to the same quiz: the one returned is the quiz's identity (its
    rules, attempts and results, ``quizzes.translations``), showing the title and description
    of its translation in the reader's language, with that translation as ``quiz.text``. It is
    for reading: nothing saves it."""
    found = quiz_in_language(get_object_or_404(Quiz, pk=quiz_id))
    quiz = found.quiz
    quiz.text = found.text
    quiz.title, quiz.description = found.text.title, found.text.description
    everywhere = live_placements(quiz=quiz)
    placements = [p for p in everywhere if page_viewable(request, p.page)]
    if not placements and (everywhere or not can_open_unplaced_quiz(request.user)):
        raise Http404
    origin = request.GET.get("from") or request.POST.get("from") or ""
    page = next((p.page for p in placements if str(p.page_id) == origin), None)
    if page is None and placements:
        page = placements[0].page
    return quiz, page


def _after_module(request: HttpRequest, page: Page | None) -> ModuleSequel | None:
    """Where a learner goes after passing a module's quiz (``page``, the module it was opened
    from): the next module, or the course after the last one. None for a lesson's quiz."""
    if page is None or page.specific_class is not ModulePage:
        return None
    return module_sequel(module=page, request=request)


def _own_attempt(request: AuthenticatedRequest, attempt_id: int) -> Attempt:
    """The attempt, only for its own learner: anyone else gets a 404, not a hint it exists."""
    return get_object_or_404(attempts_of(user=request.user).select_related("quiz"), pk=attempt_id)


def _posted_revision(request: HttpRequest) -> int | None:
    """The revision the posting page was built from; None when it sent none. A value that is not
    a revision never matches one, so the save is refused as stale."""
    value = request.POST.get("revision", "").strip()
    if not value:
        return None
    return int(value) if len(value) <= 9 and value.isascii() and value.isdigit() else -1


def _stale_post_message() -> str:
    return _(
        "The answers on that page were not saved, because this attempt was changed in another "
        "tab or window. The page now shows the answers saved there."
    )


def _overdue(attempt: Attempt) -> bool:
    """An attempt in progress whose time limit has passed. A GET never grades it (no writes on
    a GET): the page says the time is up and offers the POST that grades it on what was saved
    in time (``submit``); the beat task ``close_overdue_attempts`` grades the rest."""
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and timezone.now() > attempt.deadline
    )


def _time_up(request: HttpRequest, quiz: Quiz, page: Page | None, attempt: Attempt) -> HttpResponse:
    return render(request, "quizzes/time_up.html", {"quiz": quiz, "page": page, "attempt": attempt})


@never_cache
@login_required
def quiz_detail(request: AuthenticatedRequest, quiz_id: int) -> HttpResponse:
    """The quiz's rules, the learner's attempts and grade, and the way to start or continue."""
    quiz, page = _quiz_for(request, quiz_id)
    user = request.user
    now = timezone.now()
    availability = attempt_availability(user=user, quiz=quiz, now=now)
    attempts = list(attempts_of(user=user, quiz=quiz).order_by("number"))
    rows = [(a, review_for(quiz=quiz, attempt=a, now=now, attempts=attempts)) for a in attempts]
    result = quiz_result_of(user=user, quiz=quiz)
    show_grade = any(review.score for _attempt, review in rows)
    passed = result is not None and result.passed
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "page": page,
            "availability": availability,
            "rows": rows,
            "result": result if show_grade else None,
            "passed": passed,
            "sequel": _after_module(request, page) if passed else None,
            "overdue": next((a for a in attempts if _overdue(a)), None),
        },
    )


@require_POST
@login_required
def start(request: AuthenticatedRequest, quiz_id: int) -> HttpResponse:
    """Start an attempt (or resume the one in progress) and go to it."""
    quiz, page = _quiz_for(request, quiz_id)
    try:
        attempt = attempt_start(user=request.user, quiz=quiz, questions_from=quiz.text)
    except AttemptNotAllowed as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_quiz_url(quiz, page))
    return HttpResponseRedirect(_attempt_url(attempt, page))


def _quiz_url(quiz: Quiz, page: Page | None) -> str:
    url = reverse("quizzes:quiz", args=[quiz.pk])
    return f"{url}?from={page.pk}" if page else url


def _attempt_url(attempt: Attempt, page: Page | None, name: str = "attempt") -> str:
    url = reverse(f"quizzes:{name}", args=[attempt.pk])
    return f"{url}?from={page.pk}" if page else url


@never_cache
@login_required
def attempt_view(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    """The attempt form. Posting it saves the answers ("save"), or saves them and shows the
    summary before the final submit ("finish")."""
    attempt = _own_attempt(request, attempt_id)
    quiz, page = _quiz_for(request, attempt.quiz_id)
    if request.method != "POST" and _overdue(attempt):  # a late post: attempt_save refuses it
        return _time_up(request, quiz, page, attempt)
    if attempt.state != AttemptState.IN_PROGRESS:
        return HttpResponseRedirect(_attempt_url(attempt, page, "review"))
    answers = list(attempt.answers.order_by("position"))
    if request.method == "POST":
        responses, problems = responses_from_post(answers, request.POST)
        try:
            attempt_save(attempt=attempt, responses=responses, revision=_posted_revision(request))
        except AttemptChanged:
            messages.warning(request, _stale_post_message())
            return HttpResponseRedirect(_attempt_url(attempt, page))
        except AttemptClosed as exc:
            messages.warning(request, str(exc))
            return HttpResponseRedirect(_attempt_url(attempt, page, "review"))
        for problem in problems:
            messages.warning(request, problem)
        if request.POST.get("action") == "finish" and not problems:
            return HttpResponseRedirect(_attempt_url(attempt, page, "summary"))
        if not problems:
            messages.success(request, _("Your answers are saved."))
        return HttpResponseRedirect(_attempt_url(attempt, page))
    # The attempt (and its revision) was read before its answers: if another tab saves in between,
    # this page shows the newer answers with the older revision, and its first save is refused
    # as stale; the other order could show older answers that a save would then store.
    questions = [question_display(answer) for answer in answers]
    return render(
        request,
        "quizzes/attempt.html",
        {
            "quiz": quiz,
            "page": page,
            "attempt": attempt,
            "questions": questions,
            "answered": sum(1 for q in questions if q["answered"]),
            "total": sum(1 for q in questions if not q.get("description")),
            "remaining_seconds": max(0, int((attempt.deadline - timezone.now()).total_seconds()))
            if attempt.deadline
            else None,
        },
    )


#: Fields of the attempt form besides the questions' (``q<position>`` and ``q<position>-<id>``).
_FORM_FIELDS = frozenset({"csrfmiddlewaretoken", "revision", "from", "action", "with_answers"})
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _readable_autosave(request: HttpRequest, answers: list[Any]) -> bool:
    """Whether the body is the attempt form: a form body that parses, with only the form's
    fields. Anything else (JSON, a truncated or garbled body) must not be read as "every question
    unanswered", which would clear the saved answers. (A revision that is not a number is the
    form's, and refused as stale: ``_posted_revision``.)"""
    if not request.content_type or request.content_type not in _FORM_TYPES:
        return False
    try:
        data = request.POST
    except (MultiPartParserError, UnicodeDecodeError):
        return False
    if not data:
        return False  # the page always sends its fields (the token and the revision at least)
    names = {f"q{answer.position}" for answer in answers}
    for key in data:
        if key not in _FORM_FIELDS and key not in names and key.partition("-")[0] not in names:
            return False
    return True


@require_POST
@login_required
def autosave(request: AuthenticatedRequest, attempt_id: int) -> JsonResponse:
    """The attempt form, saved in the background as the learner answers (``quiz.js``)."""
    attempt = _own_attempt(request, attempt_id)
    _quiz_for(request, attempt.quiz_id)  # a quiz no longer placed anywhere live: 404, as elsewhere
    answers = list(attempt.answers.order_by("position"))
    if attempt.state != AttemptState.IN_PROGRESS:
        return _closed_json(attempt, _("This attempt has already been submitted."))
    if not _readable_autosave(request, answers):
        message = _("These answers could not be read, so nothing was saved. Reload the page.")
        return JsonResponse({"saved": False, "message": message}, status=400)
    responses, problems = responses_from_post(answers, request.POST)
    try:
        attempt_save(attempt=attempt, responses=responses, revision=_posted_revision(request))
    except AttemptChanged as exc:
        return JsonResponse(
            {"saved": False, "stale": True, "message": str(exc), "revision": exc.revision},
            status=409,
        )
    except AttemptClosed as exc:
        return _closed_json(attempt, str(exc))
    # Counted as the attempt page counts (an ordering with a position missing is not answered).
    answered = sum(1 for a in answers if is_answered(a.snapshot, responses.get(a.position)))
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime(attempt.saved_at).strftime("%H:%M:%S")
            if attempt.saved_at
            else "",
            "answered": answered,
            "total": sum(1 for a in answers if a.snapshot.get("kind") not in NOT_ANSWERED),
            "revision": attempt.revision,
            "problems": problems,
        }
    )


def _closed_json(attempt: Attempt, message: str) -> JsonResponse:
    return JsonResponse(
        {
            "saved": False,
            "closed": True,
            "message": message,
            "redirect": reverse("quizzes:review", args=[attempt.pk]),
        },
        status=409,
    )


@never_cache
@login_required
def summary(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    """Before the final submit: which questions are answered, with a way back to each."""
    attempt = _own_attempt(request, attempt_id)
    quiz, page = _quiz_for(request, attempt.quiz_id)
    if _overdue(attempt):
        return _time_up(request, quiz, page, attempt)
    if attempt.state != AttemptState.IN_PROGRESS:
        return HttpResponseRedirect(_attempt_url(attempt, page, "review"))
    questions = [question_display(a) for a in attempt.answers.order_by("position")]
    return render(
        request,
        "quizzes/summary.html",
        {
            "quiz": quiz,
            "page": page,
            "attempt": attempt,
            "questions": questions,
            "answered": sum(1 for q in questions if q["answered"]),
            "total": sum(1 for q in questions if not q.get("description")),
            "has_written_task": any(q["kind"] in GRADED_BY_PERSON for q in questions),
        },
    )


@require_POST
@login_required
def submit(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    """Grade the attempt, once: a second submit (double click, another tab) only shows the
    review. Answers posted with the submit are stored first, if they arrive in time. A submit
    from a page older than the last save (its revision) is refused: back to the attempt, which
    shows the newer answers (or, past the deadline, grades them)."""
    attempt = _own_attempt(request, attempt_id)
    _quiz, page = _quiz_for(request, attempt.quiz_id)
    responses: dict[int, Any] | None = None
    if request.POST.get("with_answers"):
        responses, _problems = responses_from_post(
            list(attempt.answers.order_by("position")), request.POST
        )
    try:
        attempt, graded = attempt_submit(
            attempt=attempt, responses=responses, revision=_posted_revision(request)
        )
    except AttemptChanged:
        messages.warning(request, _stale_post_message())
        return HttpResponseRedirect(_attempt_url(attempt, page))
    if attempt.closed_at_deadline and graded:
        messages.warning(
            request, _("The time limit had passed; answers given after it were not counted.")
        )
    elif not graded:
        messages.info(request, _("This attempt had already been submitted."))
    return HttpResponseRedirect(_attempt_url(attempt, page, "review"))


@never_cache
@login_required
def review(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    """A finished attempt, showing what the review options allow now."""
    attempt = _own_attempt(request, attempt_id)
    quiz, page = _quiz_for(request, attempt.quiz_id)
    if attempt.state == AttemptState.IN_PROGRESS:  # an overdue one: the attempt page says so
        return HttpResponseRedirect(_attempt_url(attempt, page))
    allowed = review_for(quiz=quiz, attempt=attempt)
    questions = (
        [
            question_display(a, review=allowed)
            for a in attempt.answers.order_by("position").prefetch_related("grades")
        ]
        if allowed.answers or allowed.feedback or allowed.score
        else []
    )
    sequel = _after_module(request, page) if attempt.passed and allowed.score else None
    return render(
        request,
        "quizzes/review.html",
        {
            "quiz": quiz,
            "page": page,
            "attempt": attempt,
            "review": allowed,
            "questions": questions,
            "sequel": sequel,
        },
    )
