"""Attempts: start, save, submit, grade, close at the deadline, and what a learner may see.

Fairness rules, all enforced here rather than in views or templates:

- **Scoring happens only on the server**, from the snapshot the attempt stored when it started.
- **One graded attempt per submit**, however many requests arrive: every save and the submit
  begin with a conditional ``UPDATE`` of the attempt row (``state = in progress``), which both
  PostgreSQL and SQLite serialise; the request that finds the attempt no longer in progress
  changes nothing.
- **One attempt, one truth**: the attempt page sends the ``revision`` it was built from with every
  save; the conditional ``UPDATE`` also requires that revision and increments it, so a save from
  a page older than the last save (another tab or window) changes nothing and raises
  :class:`AttemptChanged`: it never overwrites newer answers.
- **The time limit is enforced on the server**: answers arriving after the deadline are not
  stored; an attempt past its deadline is graded on what was saved in time.
- **Nothing of the answer key leaves the server before review allows it**: the attempt page is
  built from :func:`question_display`, which copies only what the learner may see.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from core.api import render_markdown, sanitize_html

from .models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    Question,
    QuestionType,
    Quiz,
    QuizResult,
    ReviewWhen,
    Selection,
    TextFormat,
)
from .scoring import (
    GRADED_BY_PERSON,
    NOT_ANSWERED,
    Status,
    aggregate,
    correct_answer_summary,
    essay_text,
    is_answered,
    score,
    word_count,
)

__all__ = [
    "AttemptChanged",
    "AttemptClosed",
    "AttemptNotAllowed",
    "Availability",
    "Review",
    "attempt_availability",
    "attempt_save",
    "attempt_start",
    "attempt_submit",
    "attempts_close_overdue",
    "marking_shown",
    "percent_of",
    "question_display",
    "question_snapshot",
    "quiz_rules",
    "register_attempt_window",
    "responses_from_post",
    "review_for",
    "rule",
    "update_result",
]

SNAPSHOT_VERSION = 1
MAX_TEXT_ANSWER = 500
#: The longest written answer kept (characters): several pages, far above any word range.
MAX_ESSAY_ANSWER = 30_000
CHOICE_KINDS = {QuestionType.SINGLE_CHOICE, QuestionType.SCENARIO}
#: Kinds whose options the learner sees (and which may be shuffled).
SHOWN_OPTION_KINDS = CHOICE_KINDS | {
    QuestionType.MULTIPLE_RESPONSE,
    QuestionType.MATCHING,
    QuestionType.ORDERING,
}


class AttemptNotAllowed(Exception):
    """The learner may not start an attempt now; the message says why, for the learner."""


class AttemptClosed(Exception):
    """The attempt is no longer in progress (submitted, or past its deadline)."""


class AttemptChanged(Exception):
    """The answers were saved from another tab or window after the page that sent these was
    built: storing them would overwrite newer answers, so nothing was stored."""

    def __init__(self, revision: int) -> None:
        super().__init__(
            _("This attempt was changed in another tab or window. Reload to continue.")
        )
        #: The attempt's revision now.
        self.revision = revision


# --- snapshots ----------------------------------------------------------------------------------


def _render(text: str, text_format: str, *, inline: bool = False) -> str:
    """Question text as sanitised HTML; ``inline`` drops the paragraph around a one-liner."""
    if not text:
        return ""
    if text_format == TextFormat.HTML:
        return sanitize_html(text)
    if text_format == TextFormat.PLAIN:
        return escape(text) if inline else linebreaks(escape(text))
    html = render_markdown(text).strip()
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def _decimal(value: Decimal | None) -> str | None:
    """A stored number as plain text: ``100``, ``0.5`` (never ``1E+2``)."""
    return None if value is None else format(value.normalize(), "f")


def question_snapshot(
    question: Question, *, rng: random.Random, shuffle: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot of ``question`` for one attempt, and its layout (what is shown in which order).

    Option ids are random per attempt, so they say nothing about authoring order. Matching
    answers and ordering items are always shuffled: shown in authoring order they would give the
    answer away.
    """
    fmt = question.text_format
    options = []
    used: set[str] = set()
    for option in question.options.all():
        option_id = secrets.token_urlsafe(6)
        while option_id in used:  # pragma: no cover - 48 random bits
            option_id = secrets.token_urlsafe(6)
        used.add(option_id)
        options.append(
            {
                "id": option_id,
                "text": option.text
                if question.kind == QuestionType.SHORT_ANSWER
                else _render(option.text, fmt, inline=True),
                "weight": _decimal(option.weight) or "0",
                "feedback": _render(option.feedback, fmt, inline=True),
                "match": option.match,
                "value": _decimal(option.value),
                "tolerance": _decimal(option.tolerance),
            }
        )
    snapshot = {
        "v": SNAPSHOT_VERSION,
        "kind": question.kind,
        "title": question.title,
        "text": _render(question.text, fmt),
        "scenario": _render(question.scenario, fmt),
        "general_feedback": _render(question.general_feedback, fmt),
        "partial_credit": question.partial_credit,
        "case_sensitive": question.case_sensitive,
        "options": options,
        "correct": question.correct_answer,
        "feedback_true": _render(question.feedback_true, fmt, inline=True),
        "feedback_false": _render(question.feedback_false, fmt, inline=True),
    }
    if question.kind == QuestionType.ESSAY:
        # What the learner needs to write it, and what graders need to grade it; the model
        # answer never reaches the learner (``question_display`` does not copy it).
        snapshot.update(
            {
                "min_words": question.min_words,
                "max_words": question.max_words,
                "response_template": question.response_template,
                "model_answer": _render(question.model_answer, fmt),
                "rubric": question.rubric_criteria(),
                "attachments": [
                    {"title": a.document.title, "url": a.document.url}
                    for a in question.attachments.all()
                ],
            }
        )
    layout: dict[str, Any] = {}
    if question.kind in SHOWN_OPTION_KINDS:
        if question.kind == QuestionType.MATCHING:
            ids = [o["id"] for o in options if o["text"]]
        else:
            ids = [o["id"] for o in options]
        if shuffle or question.kind == QuestionType.ORDERING:
            ids = _shuffled(ids, rng, avoid_identity=question.kind == QuestionType.ORDERING)
        layout["options"] = ids
    if question.kind == QuestionType.MATCHING:
        answers = sorted({o["match"] for o in options})
        layout["answers"] = _shuffled(answers, rng, avoid_identity=False)
    return snapshot, layout


def _shuffled(items: list[Any], rng: random.Random, *, avoid_identity: bool) -> list[Any]:
    shuffled = list(items)
    rng.shuffle(shuffled)
    if avoid_identity and len(items) > 1 and shuffled == items:
        shuffled = shuffled[1:] + shuffled[:1]  # a rotation is never the original order
    return shuffled


def _questions_for(quiz: Quiz, rng: random.Random) -> list[Question]:
    """The questions of a new attempt, with their options (three queries, plus one per draw).

    Only live (published) questions are asked: a question no reviewer has published yet is
    neither listed nor drawn. A listed question is asked in its live translation in the quiz's
    language when it has one (a quiz translated in the CMS still lists the source's questions
    until each is translated); draws take the questions of the quiz's language."""
    live = Question.objects.filter(live=True)
    if quiz.selection == Selection.FIXED:
        ids = list(
            quiz.fixed_questions.order_by("sort_order").values_list("question_id", flat=True)
        )
    else:
        draws = list(quiz.draws.select_related("category").order_by("sort_order"))
        # The narrowest draws choose first (a category alone before one with everything inside
        # it, deeper categories first), so a broad draw cannot take the questions a narrower one
        # needs; the questions are then asked in the order the draws are listed.
        chosen: dict[int, list[int]] = {}
        taken: set[int] = set()
        for draw in sorted(
            draws, key=lambda d: (d.include_subcategories, -d.category.name.count("/"))
        ):
            within = Q(category=draw.category)
            if draw.include_subcategories:
                within |= Q(category__name__startswith=f"{draw.category.name}/")
            pool = sorted(
                set(live.filter(within, locale_id=quiz.locale_id).values_list("pk", flat=True))
                - taken
            )
            if len(pool) < draw.count:
                raise AttemptNotAllowed(
                    _("This quiz is not ready yet: please tell your trainer.")
                    + " "
                    + _("(It draws %(count)s questions from “%(category)s”, which has %(found)s.)")
                    % {"count": draw.count, "category": draw.category.name, "found": len(pool)}
                )
            chosen[draw.pk] = rng.sample(pool, draw.count)
            taken.update(chosen[draw.pk])
        ids = [pk for draw in draws for pk in chosen[draw.pk]]
    if not ids:
        raise AttemptNotAllowed(_("This quiz has no questions yet: please tell your trainer."))
    listed = live.filter(pk__in=ids)
    translated = live.filter(
        locale_id=quiz.locale_id, translation_key__in=listed.values("translation_key")
    ).exclude(pk__in=ids)
    by_key = {
        q.translation_key: q for q in translated.prefetch_related("options")
    }  # the quiz's language
    by_id = {q.pk: by_key.get(q.translation_key, q) for q in listed.prefetch_related("options")}
    questions = [by_id[pk] for pk in ids if pk in by_id]
    if not questions:
        raise AttemptNotAllowed(_("This quiz has no questions yet: please tell your trainer."))
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


# --- the rules an attempt keeps -----------------------------------------------------------------

#: The quiz's rules an attempt keeps from its start (``Attempt.quiz_settings``). Opening and
#: closing times are not among them: they are the quiz's calendar, and the deadline an attempt
#: gets from them is stored on the attempt itself.
RULE_FIELDS = (
    "pass_mark",
    "grading_method",
    "attempts_allowed",
    "delay_minutes",
    "time_limit_minutes",
    "review_score",
    "review_answers",
    "review_feedback",
)


def quiz_rules(quiz: Quiz) -> dict[str, Any]:
    """The rules of the live ``quiz`` that a new attempt keeps as its snapshot."""
    return {name: getattr(quiz, name) for name in RULE_FIELDS}


def rule(attempt: Attempt, quiz: Quiz, name: str) -> Any:
    """The rule ``name`` the attempt started with; the quiz's own for an attempt with none."""
    return (attempt.quiz_settings or {}).get(name, getattr(quiz, name))


# --- availability -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """Whether ``user`` can start (or resume) an attempt at ``quiz`` now, and if not, why."""

    can_start: bool
    reason: str = ""
    resume: Attempt | None = None
    finished: int = 0
    next_at: datetime | None = None


class AttemptWindow(Protocol):
    """``hook(user=..., quiz=..., now=...) -> datetime | None``; see
    :func:`register_attempt_window`."""

    def __call__(self, *, user: User, quiz: Quiz, now: datetime) -> datetime | None: ...


_attempt_windows: list[AttemptWindow] = []


def register_attempt_window(hook: AttemptWindow) -> None:
    """Let another app start a fresh count of a learner's attempts at a quiz.

    ``hook(user=..., quiz=..., now=...)`` returns a moment, or None: attempts finished before the
    latest moment any hook returns do not count toward the quiz's attempt limit. Certification
    uses it so a holder can pass a final assessment again when their renewal window opens, even
    if they used every attempt to earn the certificate. Hooks are asked only when a learner has
    used up their attempts, so they cost nothing otherwise."""
    if hook not in _attempt_windows:
        _attempt_windows.append(hook)


def _attempts_counted(user: User, quiz: Quiz, finished: list[Attempt], now: datetime) -> int:
    """How many of ``finished`` count toward the attempt limit (all, unless a hook says from
    when)."""
    moments = [m for hook in _attempt_windows if (m := hook(user=user, quiz=quiz, now=now))]
    if not moments:
        return len(finished)
    since = max(moments)
    return sum(1 for a in finished if (a.finished_at or a.deadline or a.started_at) >= since)


def attempt_availability(*, user: User, quiz: Quiz, now: datetime | None = None) -> Availability:
    """Decide from the learner's attempts (one query) and the quiz's rules."""
    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    if open_attempt and not _overdue(open_attempt, now):
        return Availability(True, resume=open_attempt, finished=len(attempts) - 1)
    finished = [a for a in attempts if a.state != AttemptState.IN_PROGRESS]
    if open_attempt:  # overdue: it is closed as soon as anyone looks
        finished.append(open_attempt)
    count = len(finished)
    if quiz.opens_at and now < quiz.opens_at:
        when = timezone.localtime(quiz.opens_at)
        return Availability(False, _("This quiz opens on %s.") % _when(when), finished=count)
    if quiz.closes_at and now >= quiz.closes_at:
        return Availability(False, _("This quiz has closed."), finished=count)
    if (
        quiz.attempts_allowed
        and count >= quiz.attempts_allowed
        and _attempts_counted(user, quiz, finished, now) >= quiz.attempts_allowed
    ):
        return Availability(
            False,
            _("You have used all the attempts this quiz allows (%s).") % quiz.attempts_allowed,
            finished=count,
        )
    if quiz.delay_minutes and finished:
        # An attempt left open past its time limit ended at its deadline (it is being closed).
        last = max(a.finished_at or a.deadline or a.started_at for a in finished)
        next_at = last + timedelta(minutes=quiz.delay_minutes)
        if now < next_at:
            return Availability(
                False,
                _("You can try again from %s.") % _when(timezone.localtime(next_at)),
                finished=count,
                next_at=next_at,
            )
    return Availability(True, finished=count)


def _when(moment: datetime) -> str:
    from django.utils.formats import date_format

    return date_format(moment, "DATETIME_FORMAT")


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline


# --- start, save, submit ------------------------------------------------------------------------


def attempt_start(
    *,
    user: User,
    quiz: Quiz,
    questions_from: Quiz | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the one in progress (a second tab resumes, never duplicates).

    ``questions_from`` is the quiz's translation in the learner's language: its questions are
    asked, while the attempt, its rules and the result stay with ``quiz`` (the identity,
    ``quizzes.translations``)."""
    now = now or timezone.now()
    availability = attempt_availability(user=user, quiz=quiz, now=now)
    if availability.resume is not None:
        return availability.resume
    attempts_close_overdue(now=now, attempts=Attempt.objects.filter(quiz=quiz, user=user))
    if not availability.can_start:
        raise AttemptNotAllowed(availability.reason)
    rng = rng or random.SystemRandom()  # learners must not be able to predict the order
    questions = _questions_for(questions_from or quiz, rng)
    if any(q.kind == QuestionType.ESSAY and not q.rubric_criteria() for q in questions):
        # A written task without a rubric could never be graded: the attempt would wait forever.
        raise AttemptNotAllowed(
            _("This quiz is not ready yet: please tell your trainer.")
            + " "
            + _("(A written task in it has no rubric.)")
        )
    number = (Attempt.objects.filter(quiz=quiz, user=user).aggregate(n=Max("number"))["n"] or 0) + 1
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        # An attempt ends when the quiz closes: once closed, the review may show the answers.
        deadline = quiz.closes_at
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=number,
                started_at=now,
                deadline=deadline,
                quiz_settings=quiz_rules(quiz),
                quiz_revision_id=quiz.live_revision_id,
            )
            answers = []
            for position, question in enumerate(questions, start=1):
                snapshot, layout = question_snapshot(
                    question, rng=rng, shuffle=quiz.shuffle_options
                )
                answers.append(
                    AttemptAnswer(
                        attempt=attempt,
                        position=position,
                        question=question,
                        snapshot=snapshot,
                        layout=layout,
                        max_points=Decimal(0)
                        if question.kind in NOT_ANSWERED
                        else question.default_mark,
                    )
                )
            AttemptAnswer.objects.bulk_create(answers)
    except IntegrityError:
        # Two starts at once (two tabs, a double click): the other one won; resume it.
        existing = Attempt.objects.filter(
            quiz=quiz, user=user, state=AttemptState.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing
    return attempt


def attempt_save(
    *,
    attempt: Attempt,
    responses: Mapping[int, Any],
    revision: int | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Store the learner's answers (by position) and move the attempt's revision on.

    ``revision`` is the revision the learner's page was built from: when another save came
    in since (another tab or window), nothing is stored and :class:`AttemptChanged` is raised.
    None stores without that check. Raises :class:`AttemptClosed` when the attempt is no longer
    in progress; past the deadline, nothing is stored and the attempt is graded. The attempt
    returned carries the new revision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim_for_saving(attempt, now, revision)
        if claimed:
            _store_responses(attempt, responses, now)
            attempt.revision = (
                revision + 1
                if revision is not None
                else Attempt.objects.values_list("revision", flat=True).get(pk=attempt.pk)
            )
    if not claimed:
        # Outside the block: raising inside it would roll back the grading _closed_reason does.
        changed = _changed_since(attempt, now, revision)
        if changed is not None:
            raise AttemptChanged(changed)
        raise AttemptClosed(_closed_reason(attempt, now))
    attempt.saved_at = now
    return attempt


def attempt_submit(
    *,
    attempt: Attempt,
    responses: Mapping[int, Any] | None = None,
    revision: int | None = None,
    now: datetime | None = None,
) -> tuple[Attempt, bool]:
    """Store the last answers (if in time) and grade the attempt, exactly once.

    Returns the attempt and whether this call graded it (False: it was already submitted, by a
    double click, another tab or the deadline). A submit that carries the ``revision`` of its
    page (the attempt page's own, when its countdown ends) is refused with
    :class:`AttemptChanged`, storing and grading nothing, when the answers were saved from
    another tab or window since: it would grade answers the learner has since replaced.
    """
    now = now or timezone.now()
    with transaction.atomic():
        in_time = _claim_for_saving(attempt, now, revision)
        changed = None if in_time else _changed_since(attempt, now, revision)
        if changed is None:
            if in_time and responses:
                _store_responses(attempt, responses, now)
            graded = _finish(attempt.pk, now, at_deadline=not in_time)
    if changed is not None:
        raise AttemptChanged(changed)
    attempt.refresh_from_db()
    return attempt, graded


def _in_time(now: datetime) -> Q:
    return Q(deadline__isnull=True) | Q(deadline__gte=now)


def _claim_for_saving(attempt: Attempt, now: datetime, revision: int | None = None) -> bool:
    """Take the attempt's row for this transaction, if it is in progress, in time and (when
    ``revision`` is given) still at that revision; move its revision on. One conditional
    ``UPDATE``: of two requests sent from the same revision, only the first changes the row."""
    rows = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).filter(
        _in_time(now)
    )
    if revision is not None:
        rows = rows.filter(revision=revision)
    return bool(rows.update(saved_at=now, revision=F("revision") + 1))


def _changed_since(attempt: Attempt, now: datetime, revision: int | None) -> int | None:
    """After a refused claim: the attempt's revision now, when the only reason was that it had
    moved on from ``revision`` (the attempt is in progress and in time); else None."""
    if revision is None:
        return None
    current = (
        Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS)
        .filter(_in_time(now))
        .values_list("revision", flat=True)
        .first()
    )
    return current if current is not None and current != revision else None


def _closed_reason(attempt: Attempt, now: datetime) -> str:
    attempt.refresh_from_db()
    if attempt.state == AttemptState.IN_PROGRESS and _overdue(attempt, now):
        _finish(attempt.pk, now, at_deadline=True)
        attempt.refresh_from_db()
        return _("The time limit has passed; answers given after it were not counted.")
    return _("This attempt has already been submitted.")


def _store_responses(attempt: Attempt, responses: Mapping[int, Any], now: datetime) -> None:
    answers = list(attempt.answers.filter(position__in=list(responses)))
    changed = []
    for answer in answers:
        response = responses[answer.position]
        if response != answer.response:
            answer.response = response
            answer.answered_at = now
            changed.append(answer)
    if changed:
        AttemptAnswer.objects.bulk_update(changed, ["response", "answered_at"])


def _finish(attempt_id: int, now: datetime, *, at_deadline: bool) -> bool:
    """Grade an attempt in progress; False when another request got there first."""
    with transaction.atomic():
        won = Attempt.objects.filter(pk=attempt_id, state=AttemptState.IN_PROGRESS).update(
            state=AttemptState.GRADING, closed_at_deadline=at_deadline
        )
        if not won:
            return False
        attempt = Attempt.objects.select_related("quiz").get(pk=attempt_id)
        finished_at = min(now, attempt.deadline) if at_deadline and attempt.deadline else now
        answers = list(attempt.answers.all())
        points = Decimal(0)
        maximum = Decimal(0)
        awaiting = False
        for answer in answers:
            outcome = score(answer.snapshot, answer.response)
            answer.fraction = None if outcome.status is Status.AWAITING else outcome.fraction
            answer.status = outcome.status
            awaiting = awaiting or outcome.status is Status.AWAITING
            points += (answer.fraction or Decimal(0)) * answer.max_points
            maximum += answer.max_points
        AttemptAnswer.objects.bulk_update(answers, ["fraction", "status"])
        if awaiting:
            # A written answer waits for its grader: no score, no result, no completion until
            # ``quizzes.grading`` settles it.
            Attempt.objects.filter(pk=attempt_id).update(
                state=AttemptState.AWAITING,
                finished_at=finished_at,
                points=points.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                max_points=maximum,
            )
            return True
        Attempt.objects.filter(pk=attempt_id).update(
            state=AttemptState.FINISHED,
            finished_at=finished_at,
            points=points.quantize(Decimal("0.0001"), ROUND_HALF_UP),
            max_points=maximum,
            score=percent_of(points, maximum),
            passed=percent_of(points, maximum) >= rule(attempt, attempt.quiz, "pass_mark"),
        )
        update_result(attempt.quiz, attempt.user_id, rules_from=attempt)
    return True


def percent_of(points: Decimal, maximum: Decimal) -> Decimal:
    """A score in percent to two places (0 for a quiz worth nothing)."""
    if not maximum:
        return Decimal(0)
    return (points * 100 / maximum).quantize(Decimal("0.01"), ROUND_HALF_UP)


def update_result(quiz: Quiz, user_id: int, *, rules_from: Attempt) -> None:
    """Recompute the learner's grade on the quiz by its grading method.

    The grading method and pass mark are those ``rules_from`` (the attempt just graded) started
    with, so a change published while it was in progress does not decide this grade."""
    scores = list(
        Attempt.objects.filter(quiz=quiz, user_id=user_id, state=AttemptState.FINISHED)
        .order_by("number")
        .values_list("score", flat=True)
    )
    grade = aggregate(
        rule(rules_from, quiz, "grading_method"), [s for s in scores if s is not None]
    )
    if grade is None:
        return
    QuizResult.objects.update_or_create(
        quiz=quiz,
        user_id=user_id,
        defaults={
            "grade": grade,
            "passed": grade >= rule(rules_from, quiz, "pass_mark"),
            "attempts": len(scores),
        },
    )


def attempts_close_overdue(
    *, now: datetime | None = None, attempts: QuerySet[Attempt] | None = None
) -> int:
    """Grade every attempt in progress whose deadline has passed; returns how many."""
    now = now or timezone.now()
    queryset = attempts if attempts is not None else Attempt.objects.all()
    overdue = queryset.filter(state=AttemptState.IN_PROGRESS, deadline__lt=now)
    return sum(_finish(pk, now, at_deadline=True) for pk in overdue.values_list("pk", flat=True))


# --- what the learner sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """What the review of a finished attempt may show now, by the quiz's review options."""

    score: bool
    answers: bool
    feedback: bool

    @property
    def anything(self) -> bool:
        return self.score or self.answers or self.feedback


def review_for(
    *,
    quiz: Quiz,
    attempt: Attempt | None,
    now: datetime | None = None,
    attempts: Sequence[Attempt] | None = None,
) -> Review:
    """Apply the review options: never, after the attempt is submitted, after the quiz closes,
    after the learner's last allowed attempt (or the quiz closes).

    The options are those the attempt started with (a change published since does not reveal
    more, or less, of an attempt already taken). "After the last attempt" asks whether the
    learner can start another one *now*, by the live quiz's limit: raising the limit hides the
    answers again. ``attempts`` are the learner's attempts at the quiz, when the caller has them;
    otherwise they are read (one query) only if that option is in use and the quiz is open."""
    now = now or timezone.now()
    finished = attempt is not None and attempt.state == AttemptState.FINISHED
    closed = quiz.closes_at is not None and now >= quiz.closes_at
    used_up: list[bool] = []  # asked at most once, by the first option that needs it

    def no_attempts_left() -> bool:
        if not used_up:
            assert attempt is not None
            used_up.append(_attempts_used_up(quiz, attempt, now, attempts))
        return used_up[0]

    def allowed(when: str) -> bool:
        if when == ReviewWhen.AFTER_SUBMIT:
            return finished
        if when == ReviewWhen.AFTER_CLOSE:
            return finished and closed
        if when == ReviewWhen.AFTER_LAST:
            return finished and (closed or no_attempts_left())
        return False

    def option(name: str) -> Any:
        return rule(attempt, quiz, name) if attempt is not None else getattr(quiz, name)

    return Review(
        allowed(option("review_score")),
        allowed(option("review_answers")),
        allowed(option("review_feedback")),
    )


def _attempts_used_up(
    quiz: Quiz, attempt: Attempt, now: datetime, attempts: Sequence[Attempt] | None
) -> bool:
    """True when the attempt's learner may start no more attempts at ``quiz`` by its limit (as
    ``attempt_availability`` counts them); never with unlimited attempts."""
    limit = quiz.attempts_allowed
    if not limit:
        return False
    if attempts is None:
        attempts = list(Attempt.objects.filter(quiz=quiz, user_id=attempt.user_id))
    done = [a for a in attempts if a.state != AttemptState.IN_PROGRESS]
    return len(done) >= limit and _attempts_counted(attempt.user, quiz, done, now) >= limit


def question_display(answer: AttemptAnswer, *, review: Review | None = None) -> dict[str, Any]:
    """What the template may show of one question: text, options in display order, the learner's
    answer, and (only when ``review`` allows) the outcome, feedback and right answers.

    This is the only way snapshot data reaches a template, so the answer key cannot leak by a
    template mistake: weights, accepted answers, matches, numbers and feedback are not copied
    unless the review allows them.
    """
    snapshot, layout, response = answer.snapshot, answer.layout or {}, answer.response or {}
    kind = snapshot["kind"]
    by_id = {o["id"]: o for o in snapshot.get("options", [])}
    name = f"q{answer.position}"
    shown: dict[str, Any] = {
        "position": answer.position,
        "name": name,
        "kind": kind,
        "text": snapshot.get("text", ""),
        "scenario": snapshot.get("scenario", ""),
        "marks": answer.max_points,
        "answered": is_answered(snapshot, answer.response),
    }
    if kind in CHOICE_KINDS or kind == QuestionType.MULTIPLE_RESPONSE:
        chosen = set(_as_list(response.get("choices"))) | {response.get("choice")}
        shown["options"] = [
            {"id": oid, "text": by_id[oid]["text"], "checked": oid in chosen}
            for oid in layout.get("options", [])
            if oid in by_id
        ]
        shown["multiple"] = kind == QuestionType.MULTIPLE_RESPONSE
    elif kind == QuestionType.TRUE_FALSE:
        shown["choice"] = response.get("choice")
    elif kind in (QuestionType.SHORT_ANSWER, QuestionType.NUMERIC):
        shown["value"] = response.get("text", "") if isinstance(response.get("text"), str) else ""
    elif kind in GRADED_BY_PERSON:
        text = essay_text(response) if answer.response else snapshot.get("response_template", "")
        shown.update(
            {
                "value": text,
                "words": word_count(essay_text(response)),
                "min_words": snapshot.get("min_words"),
                "max_words": snapshot.get("max_words"),
                "attachments": snapshot.get("attachments", []),
                "awaiting": answer.status == Status.AWAITING,
            }
        )
    elif kind in NOT_ANSWERED:
        shown["description"] = True
    elif kind == QuestionType.MATCHING:
        answers = layout.get("answers", [])
        matches = _as_dict(response.get("matches"))
        shown["answers"] = [{"token": str(i), "text": text} for i, text in enumerate(answers)]
        shown["prompts"] = [
            {
                "id": oid,
                "field": f"{name}-{oid}",
                "text": by_id[oid]["text"],
                "selected": str(answers.index(matches[oid])) if matches.get(oid) in answers else "",
            }
            for oid in layout.get("options", [])
            if oid in by_id
        ]
    elif kind == QuestionType.ORDERING:
        order = _as_list(response.get("order"))
        positions = _as_dict(response.get("positions"))
        items = layout.get("options", [])
        shown["items"] = [
            {
                "id": oid,
                "field": f"{name}-{oid}",
                "text": by_id[oid]["text"],
                "position": str(order.index(oid) + 1)
                if oid in order
                else str(positions.get(oid, "")),
            }
            for oid in items
            if oid in by_id
        ]
        shown["item_positions"] = [str(i) for i in range(1, len(items) + 1)]
        if order:  # show the items in the learner's order
            shown["items"].sort(key=lambda item: int(item["position"] or 0))
    if review is not None:  # the caller passes a review only for a finished attempt
        if review.score:
            shown["status"] = answer.status
            shown["fraction"] = answer.fraction
            shown["points"] = ((answer.fraction or Decimal(0)) * answer.max_points).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        if review.feedback:
            outcome = score(snapshot, answer.response)
            shown["feedback"] = list(outcome.feedback)
            shown["general_feedback"] = snapshot.get("general_feedback", "")
        if review.answers:
            shown["right_answers"] = correct_answer_summary(snapshot)
        if kind in GRADED_BY_PERSON and (review.score or review.feedback):
            shown["marking"] = marking_shown(answer, show_feedback=review.feedback)
    return shown


def marking_shown(answer: AttemptAnswer, *, show_feedback: bool) -> dict[str, Any] | None:
    """A graded written answer's rubric with the level each marker picked, and their feedback,
    for the learner's review (the graders' names and the model answer stay out). Reads
    ``answer.grades`` (prefetch it for a page of answers)."""
    grades = sorted(answer.grades.all(), key=lambda grade: grade.marker)
    if not grades:
        return None
    criteria = []
    for index, criterion in enumerate(answer.snapshot.get("rubric", [])):
        picked = {g.levels[index] for g in grades if index < len(g.levels)}
        criteria.append(
            {
                "title": criterion["title"],
                "levels": [
                    {
                        "points": level["points"],
                        "description": level["description"],
                        "picked": number in picked,
                    }
                    for number, level in enumerate(criterion["levels"])
                ],
            }
        )
    return {
        "criteria": criteria,
        "feedback": [g.feedback for g in grades if g.feedback] if show_feedback else [],
        "markers": len(grades),
    }


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _form_index(value: str) -> int | None:
    """A small number the form offers ("0", "12"), or None: ``str.isdigit`` alone lets through
    "²" and 5,000-digit strings, on which ``int()`` raises."""
    if len(value) > 4 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _word_range_problem(position: int, snapshot: Mapping[str, Any], text: str) -> str | None:
    """What to tell a learner whose written answer is outside the task's word range."""
    if not text.strip():
        return None
    words = word_count(text)
    fewest, most = snapshot.get("min_words"), snapshot.get("max_words")
    if fewest and words < fewest:
        return _("Question %(n)s: write at least %(min)s words (you have %(words)s).") % {
            "n": position,
            "min": fewest,
            "words": words,
        }
    if most and words > most:
        return _("Question %(n)s: write at most %(max)s words (you have %(words)s).") % {
            "n": position,
            "max": most,
            "words": words,
        }
    return None


def responses_from_post(
    answers: Iterable[AttemptAnswer], data: Any
) -> tuple[dict[int, Any], list[str]]:
    """Turn a posted attempt form into responses by position, and problems to tell the learner.

    Every question of the attempt is on the form, so a question with nothing posted is stored
    as unanswered (that is how a learner clears a checkbox). Values that are not on offer
    (tampered ids, an answer index out of range) are dropped.
    """
    responses: dict[int, Any] = {}
    problems: list[str] = []
    for answer in answers:
        snapshot, layout = answer.snapshot, answer.layout or {}
        kind = snapshot["kind"]
        name = f"q{answer.position}"
        offered = set(layout.get("options", []))
        response: dict[str, Any] | None = None
        if kind in CHOICE_KINDS:
            choice = data.get(name)
            response = {"choice": choice} if choice in offered else None
        elif kind == QuestionType.MULTIPLE_RESPONSE:
            choices = [c for c in data.getlist(name) if c in offered]
            response = {"choices": list(dict.fromkeys(choices))} if choices else None
        elif kind == QuestionType.TRUE_FALSE:
            choice = data.get(name)
            response = {"choice": choice} if choice in ("true", "false") else None
        elif kind in (QuestionType.SHORT_ANSWER, QuestionType.NUMERIC):
            text = str(data.get(name, ""))[:MAX_TEXT_ANSWER]
            response = {"text": text} if text.strip() else None
        elif kind in GRADED_BY_PERSON:
            text = str(data.get(name, ""))[:MAX_ESSAY_ANSWER]
            response = {"text": text} if text.strip() else None
            problem = _word_range_problem(answer.position, snapshot, text)
            if problem:
                problems.append(problem)
        elif kind == QuestionType.MATCHING:
            texts = layout.get("answers", [])
            matches = {}
            for oid in layout.get("options", []):
                token = data.get(f"{name}-{oid}", "")
                index = _form_index(token)
                if index is not None and index < len(texts):
                    matches[oid] = texts[index]
            response = {"matches": matches} if matches else None
        elif kind == QuestionType.ORDERING:
            items = layout.get("options", [])
            positions = {}
            for oid in items:
                position = _form_index(data.get(f"{name}-{oid}", ""))
                if position is not None and 1 <= position <= len(items):
                    positions[oid] = position
            if (
                positions
                and len(positions) == len(items)
                and len(set(positions.values())) == len(items)
            ):
                response = {"order": sorted(items, key=lambda oid: positions[oid])}
            elif positions:
                response = {"positions": positions}
                problems.append(
                    _("Question %s: give every item a different position, from 1 to %s.")
                    % (answer.position, len(items))
                )
        responses[answer.position] = response
    return responses, problems
