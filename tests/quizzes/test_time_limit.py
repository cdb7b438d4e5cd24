"""The time limit is enforced on the server: an answer arriving after the deadline is not counted.

The services take ``now``; the views read the clock, which these tests move by patching
``django.utils.timezone.now``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from courses.api import ModulePage
from quizzes.models import Attempt, AttemptState, QuestionType, Quiz, QuizResult
from quizzes.services import (
    AttemptClosed,
    attempt_save,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)
from tests.factories import practitioner
from tests.factories.quizzes import make_question, make_quiz

from .helpers import answer_of, attempt_url, form, placed_quiz, quiz_url, right

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
LIMIT = timedelta(minutes=10)


def two_questions(**kwargs: Any) -> Quiz:
    """A true/false and a short answer question, 10 minutes."""
    return make_quiz(
        [make_question(QuestionType.TRUE_FALSE), make_question(QuestionType.SHORT_ANSWER)],
        time_limit_minutes=10,
        **kwargs,
    )


def only(attempt: Attempt, kind: str) -> dict[int, Any]:
    """The right response to the question of ``kind``, by position."""
    from .helpers import responses

    found = responses(attempt, right)
    position = answer_of(attempt, kind).position
    return {position: found[position]}


def stored(attempt: Attempt) -> dict[str, Any]:
    return dict(attempt.answers.values_list("snapshot__kind", "response"))


def test_the_deadline_is_the_start_plus_the_limit(learner: Any) -> None:
    attempt = attempt_start(user=learner, quiz=two_questions(), now=T0)
    assert attempt.deadline == T0 + LIMIT
    assert attempt_start(user=learner, quiz=make_quiz(), now=T0).deadline is None


def test_answers_saved_in_time_count(learner: Any) -> None:
    quiz = two_questions()
    attempt = attempt_start(user=learner, quiz=quiz, now=T0)
    attempt_save(attempt=attempt, responses=only(attempt, "true_false"), now=T0 + LIMIT / 2)
    attempt_save(attempt=attempt, responses=only(attempt, "short_answer"), now=T0 + LIMIT)
    attempt, graded = attempt_submit(attempt=attempt, now=T0 + LIMIT)  # on the dot: in time
    assert graded
    assert (attempt.score, attempt.closed_at_deadline, attempt.finished_at) == (
        100,
        False,
        T0 + LIMIT,
    )


def test_a_save_after_the_deadline_stores_nothing_and_grades(learner: Any) -> None:
    quiz = two_questions()
    attempt = attempt_start(user=learner, quiz=quiz, now=T0)
    attempt_save(attempt=attempt, responses=only(attempt, "true_false"), now=T0 + LIMIT / 2)
    late = T0 + LIMIT + timedelta(seconds=1)
    with pytest.raises(AttemptClosed) as closed:
        attempt_save(attempt=attempt, responses=only(attempt, "short_answer"), now=late)
    assert str(closed.value) == (
        "The time limit has passed; answers given after it were not counted."
    )
    assert stored(attempt)["short_answer"] is None
    fresh = Attempt.objects.get(pk=attempt.pk)  # graded, and the grading kept
    assert (fresh.state, fresh.score, fresh.closed_at_deadline, fresh.finished_at) == (
        AttemptState.FINISHED,
        50,
        True,
        T0 + LIMIT,
    )
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.grade, result.attempts) == (50, 1)
    with pytest.raises(AttemptClosed, match="already been submitted"):
        attempt_save(attempt=fresh, responses=only(attempt, "short_answer"), now=late)


def test_a_submit_after_the_deadline_ignores_the_answers_it_brings(learner: Any) -> None:
    quiz = two_questions()
    attempt = attempt_start(user=learner, quiz=quiz, now=T0)
    attempt_save(attempt=attempt, responses=only(attempt, "true_false"), now=T0 + LIMIT / 2)
    from .helpers import responses

    everything = responses(attempt, right)
    attempt, graded = attempt_submit(
        attempt=attempt, responses=everything, now=T0 + LIMIT + timedelta(minutes=3)
    )
    assert graded
    assert attempt.closed_at_deadline
    assert attempt.finished_at == T0 + LIMIT  # when it ended, not when the request came
    assert attempt.score == 50
    assert stored(attempt)["short_answer"] is None
    assert QuizResult.objects.get(quiz=quiz, user=learner).grade == 50


def test_closing_overdue_attempts_grades_only_those(learner: Any) -> None:
    quiz, untimed = two_questions(), make_quiz()
    overdue = attempt_start(user=learner, quiz=quiz, now=T0)
    attempt_save(attempt=overdue, responses=only(overdue, "true_false"), now=T0)
    running = attempt_start(user=practitioner(), quiz=quiz, now=T0 + LIMIT)
    open_ended = attempt_start(user=learner, quiz=untimed, now=T0)
    done = attempt_start(user=practitioner(), quiz=quiz, now=T0)
    attempt_submit(attempt=done, now=T0 + timedelta(minutes=1))

    assert attempts_close_overdue(now=T0 + LIMIT) == 0  # on the dot: still in time
    assert attempts_close_overdue(now=T0 + LIMIT + timedelta(seconds=1)) == 1
    assert attempts_close_overdue(now=T0 + LIMIT + timedelta(seconds=2)) == 0  # once
    states = dict(
        Attempt.objects.filter(pk__in=[overdue.pk, running.pk, open_ended.pk, done.pk])
        .values_list("pk", "state")
    )  # fmt: skip
    assert states == {
        overdue.pk: "finished",
        running.pk: "in_progress",
        open_ended.pk: "in_progress",
        done.pk: "finished",
    }
    overdue.refresh_from_db()
    assert (overdue.score, overdue.closed_at_deadline, overdue.finished_at) == (
        50,
        True,
        T0 + LIMIT,
    )
    done.refresh_from_db()
    assert not done.closed_at_deadline
    assert attempts_close_overdue(now=T0 + LIMIT * 10, attempts=Attempt.objects.none()) == 0


# --- through the views, with the clock moved -----------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], datetime]:
    """Set the server's clock to T0 + an offset."""

    def move(offset: timedelta) -> datetime:
        moment = T0 + offset
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    move(timedelta(0))
    return move


def test_the_attempt_page_counts_down_from_the_server_clock(
    client: Client, module: ModulePage, learner: Any, clock: Callable[[timedelta], datetime]
) -> None:
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    clock(timedelta(minutes=4))
    page = client.get(attempt_url(attempt.pk)).content.decode()
    assert 'data-remaining="360"' in page
    assert "answers given after that are not counted" in page


def test_an_answer_posted_after_the_deadline_is_not_counted(
    client: Client, module: ModulePage, learner: Any, clock: Callable[[timedelta], datetime]
) -> None:
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    early = right(answer_of(attempt, "true_false"))
    clock(timedelta(minutes=9, seconds=59))
    client.post(attempt_url(attempt.pk), {**early, "action": "save"})
    clock(timedelta(minutes=10, seconds=1))
    response = client.post(attempt_url(attempt.pk), form(attempt, right, action="save"))
    assert response["Location"].split("?")[0] == attempt_url(attempt.pk, "review")
    review = client.get(response["Location"]).content.decode()
    assert "The time limit has passed; answers given after it were not counted." in review
    assert "This attempt was closed at its time limit" in review
    assert "Your score: 12.50% (1 of 8 marks)." in review
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.closed_at_deadline) == ("finished", 12.5, True)
    assert attempt.answers.exclude(response=None).count() == 1


def test_the_autosave_after_the_deadline_is_refused(
    client: Client, module: ModulePage, learner: Any, clock: Callable[[timedelta], datetime]
) -> None:
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    clock(timedelta(minutes=11))
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right))
    assert response.status_code == 409
    body = response.json()
    assert body["message"] == "The time limit has passed; answers given after it were not counted."
    assert body["redirect"] == attempt_url(attempt.pk, "review")
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == ("finished", 0)
    assert not attempt.answers.exclude(response=None).exists()


def test_the_timer_submit_after_the_deadline_counts_only_what_was_saved(
    client: Client, module: ModulePage, learner: Any, clock: Callable[[timedelta], datetime]
) -> None:
    """quiz.js posts the page's answers to the submit URL at zero (``with_answers``)."""
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    clock(timedelta(minutes=5))
    client.post(attempt_url(attempt.pk, "autosave"), right(answer_of(attempt, "numeric")))
    clock(timedelta(minutes=10, seconds=2))
    response = client.post(
        attempt_url(attempt.pk, "submit"), form(attempt, right, with_answers="1"), follow=True
    )
    page = response.content.decode()
    assert "The time limit had passed; answers given after it were not counted." in page
    attempt.refresh_from_db()
    assert (attempt.score, attempt.closed_at_deadline) == (Decimal("12.50"), True)
    assert attempt.finished_at == T0 + LIMIT


def test_the_timer_submit_in_time_counts_the_answers_it_brings(
    client: Client, module: ModulePage, learner: Any, clock: Callable[[timedelta], datetime]
) -> None:
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    clock(timedelta(minutes=9, seconds=59))
    client.post(attempt_url(attempt.pk, "submit"), form(attempt, right, with_answers="1"))
    attempt.refresh_from_db()
    assert (attempt.score, attempt.closed_at_deadline) == (100, False)


@pytest.mark.parametrize("page", ["", "summary", "review", "quiz"])
def test_opening_an_attempt_past_its_deadline_offers_its_grade(
    client: Client,
    module: ModulePage,
    learner: Any,
    clock: Callable[[timedelta], datetime],
    page: str,
) -> None:
    """The learner closed the browser and comes back after the time limit: the page says the
    time is up, without grading on a GET (issue #12); the button it offers grades the attempt
    on what was saved in time, and the review says so."""
    quiz = placed_quiz(module, time_limit_minutes=10)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    client.post(attempt_url(attempt.pk, "autosave"), right(answer_of(attempt, "numeric")))
    clock(timedelta(hours=2))
    opened = quiz_url(quiz.pk) if page == "quiz" else attempt_url(attempt.pk, page)
    shown = client.get(opened, follow=True).content.decode()
    assert "The time limit for attempt 1 has passed." in shown
    assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"  # a GET grades nothing
    response = client.post(attempt_url(attempt.pk, "submit"), follow=True)
    assert response.redirect_chain[-1][0].startswith(attempt_url(attempt.pk, "review"))
    review = response.content.decode()
    assert "This attempt was closed at its time limit" in review
    assert "Your score: 12.50% (1 of 8 marks)." in review
    attempt.refresh_from_db()
    assert (attempt.state, attempt.closed_at_deadline, attempt.finished_at) == (
        "finished",
        True,
        T0 + LIMIT,
    )
    assert QuizResult.objects.get(quiz=quiz, user=learner).grade == Decimal("12.50")
    detail = client.get(quiz_url(quiz.pk)).content.decode()
    assert "(at the time limit)" in detail


def test_the_attempt_page_gives_the_day_of_a_deadline_that_is_not_today(
    client: Client, module: ModulePage, learner: Any
) -> None:
    """An attempt ends when the quiz closes; "Submit by 17:00" would hide that it is in a week."""
    closes = timezone.localtime() + timedelta(days=7)
    quiz = placed_quiz(module, closes_at=closes)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    page = client.get(attempt_url(attempt.pk)).content.decode()
    sentence = page[page.index("Submit by") : page.index(": answers given after")]
    assert f"{closes.day}, {closes.year}" in sentence
    timed = placed_quiz(module, time_limit_minutes=10)
    client.post(quiz_url(timed.pk, "start"))
    attempt = Attempt.objects.get(quiz=timed, user=learner)
    page = client.get(attempt_url(attempt.pk)).content.decode()
    deadline = timezone.localtime(attempt.deadline)
    if deadline.date() == timezone.localdate():  # not when the test runs just before midnight
        expected = f"Submit by {deadline:%H:%M}: answers given after that are not counted."
        assert expected in page
