"""A double submit (double click, two tabs, concurrent requests) yields exactly one graded attempt.

The concurrent tests need real concurrency: PostgreSQL, several connections (``make
test-postgres``); SQLite serialises every write, so they are skipped there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from courses.api import ModulePage
from quizzes.models import Attempt, AttemptAnswer, AttemptState, QuizResult
from quizzes.services import attempt_start, attempt_submit
from tests.factories import practitioner
from tests.factories.quizzes import make_quiz

from .helpers import attempt_url, form, placed_quiz, quiz_url, responses, right, wrong

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrency"
)


@pytest.mark.django_db
def test_a_second_submit_changes_nothing(client: Client, module: ModulePage, learner: Any) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    client.post(attempt_url(attempt.pk), form(attempt, right, action="save"))
    first = client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    graded_at, score = attempt.finished_at, attempt.score
    # The second click brings other answers (with_answers, as the timer's submit does).
    second = client.post(
        attempt_url(attempt.pk, "submit"), form(attempt, wrong, with_answers="1"), follow=True
    )
    assert first["Location"].split("?")[0] == attempt_url(attempt.pk, "review")
    assert second.redirect_chain[0][0].split("?")[0] == attempt_url(attempt.pk, "review")
    assert "This attempt had already been submitted." in second.content.decode()
    attempt.refresh_from_db()
    assert (attempt.state, attempt.finished_at, attempt.score) == ("finished", graded_at, score)
    assert score == 100
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.attempts, result.grade) == (1, 100)
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 1


@pytest.mark.django_db
def test_a_save_from_a_second_tab_after_the_submit_is_refused(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    client.post(attempt_url(attempt.pk, "submit"))
    response = client.post(attempt_url(attempt.pk), form(attempt, right, action="save"))
    assert response["Location"].split("?")[0] == attempt_url(attempt.pk, "review")
    assert not AttemptAnswer.objects.filter(attempt=attempt).exclude(response=None).exists()


@pytest.mark.django_db
def test_submitting_through_the_service_twice(learner: Any) -> None:
    quiz = make_quiz()
    attempt = attempt_start(user=learner, quiz=quiz)
    stale = Attempt.objects.get(pk=attempt.pk)  # what a second request loaded before the first
    once, graded = attempt_submit(attempt=attempt, responses=responses(attempt, right))
    twice, graded_again = attempt_submit(attempt=stale, responses=responses(attempt, wrong))
    assert (graded, graded_again) == (True, False)
    assert once.score == twice.score == 100
    assert QuizResult.objects.get(quiz=quiz, user=learner).attempts == 1


# --- concurrent requests, on PostgreSQL ----------------------------------------------------------


def at_once(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads released together, each with its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            result = work(index)
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_submits_grade_once(migrated_db: None) -> None:
    learner = practitioner()
    quiz = make_quiz()
    attempt = attempt_start(user=learner, quiz=quiz)
    answers = [responses(attempt, right), responses(attempt, wrong)]

    def submit(index: int) -> tuple[bool, Any]:
        mine = Attempt.objects.get(pk=attempt.pk)  # each request loads the attempt itself
        submitted, graded = attempt_submit(attempt=mine, responses=answers[index % 2])
        return graded, submitted.score

    results, errors = at_once(8, submit)
    assert errors == []
    assert sorted(graded for graded, _score in results) == [False] * 7 + [True]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score in (0, 100)  # one request's answers, all of them, never a mixture
    assert {score for _graded, score in results} == {attempt.score}
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.attempts, result.grade) == (1, attempt.score)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_submits_through_the_views_grade_once(
    migrated_db: None, module: ModulePage
) -> None:
    learner = practitioner()
    quiz = placed_quiz(module)
    attempt = attempt_start(user=learner, quiz=quiz)
    data = form(attempt, right, with_answers="1")

    def click(_index: int) -> int:
        client = Client()
        client.force_login(learner)
        return client.post(attempt_url(attempt.pk, "submit"), data).status_code

    statuses, errors = at_once(6, click)
    assert errors == []
    assert statuses == [302] * 6
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == (AttemptState.FINISHED, 100)
    assert QuizResult.objects.get(quiz=quiz, user=learner).attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_starts_make_one_attempt(migrated_db: None) -> None:
    learner = practitioner()
    quiz = make_quiz()

    def begin(_index: int) -> int:
        return attempt_start(user=learner, quiz=quiz).pk

    started, errors = at_once(8, begin)
    assert errors == []
    attempts = Attempt.objects.filter(quiz=quiz, user=learner)
    assert attempts.count() == 1
    assert set(started) == {attempts.get().pk}
    assert attempts.get().state == AttemptState.IN_PROGRESS
    assert AttemptAnswer.objects.filter(attempt__quiz=quiz).count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_saves_and_a_submit_never_change_a_graded_attempt(migrated_db: None) -> None:
    """Autosaves racing the submit either land before the grading (and count) or are refused."""
    from quizzes.services import AttemptClosed, attempt_save

    learner = practitioner()
    quiz = make_quiz()
    attempt = attempt_start(user=learner, quiz=quiz)
    everything = responses(attempt, right)

    def work(index: int) -> str:
        mine = Attempt.objects.get(pk=attempt.pk)
        if index == 0:
            return "graded" if attempt_submit(attempt=mine)[1] else "not graded"
        try:
            attempt_save(attempt=mine, responses=everything)
        except AttemptClosed:
            return "refused"
        return "saved"

    results, errors = at_once(6, work)
    assert errors == []
    assert results.count("graded") == 1
    assert set(results) <= {"graded", "saved", "refused"}
    attempt.refresh_from_db()
    # A save either took its turn before the grading, and counts, or was refused: a save that
    # succeeded stored every answer right, so the score tells which happened.
    assert attempt.score == (100 if "saved" in results else 0)
    answered = attempt.answers.exclude(response=None).count()
    assert answered == (8 if "saved" in results else 0)
