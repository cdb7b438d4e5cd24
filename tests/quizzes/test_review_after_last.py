"""The review option "after the last allowed attempt": right answers (and the feedback that gives
them away) stay hidden while the learner can still try again, so a later attempt is not a memory
test; they show once no attempt is left, or the quiz closes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.api import ModulePage
from quizzes.curriculum import QUIZ_SCHEMA, _quiz_fields
from quizzes.models import Attempt, QuestionType, Quiz, ReviewWhen
from quizzes.services import review_for
from tests.factories import ModulePageFactory, practitioner
from tests.factories.quizzes import SECRETS, make_question

from .helpers import attempt_url, form, placed_quiz, quiz_url, wrong

pytestmark = pytest.mark.django_db

AFTER_LAST = ReviewWhen.AFTER_LAST
#: On the review page only when the right answers, or the feedback on them, are shown.
GIVEAWAYS = ["The right answer", SECRETS[QuestionType.SHORT_ANSWER], "FB-general"]


def quiz_of(module: ModulePage, **rules: Any) -> Quiz:
    """A quiz of one short-answer question whose answers and feedback show after the last try."""
    rules = {"review_answers": AFTER_LAST, "review_feedback": AFTER_LAST} | rules
    question = make_question(QuestionType.SHORT_ANSWER, general_feedback="FB-general")
    return placed_quiz(module, [question], **rules)


def take(client: Client, quiz: Quiz) -> Attempt:
    """Start, answer wrongly and submit one attempt."""
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.filter(quiz=quiz).latest("pk")
    client.post(attempt_url(attempt.pk), form(attempt, wrong, action="save"))
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert attempt.state == "finished"
    return attempt


def gives_away(client: Client, attempt: Attempt) -> bool:
    response = client.get(attempt_url(attempt.pk, "review"))
    assert response.status_code == 200
    text = response.content.decode()
    shown = [marker in text for marker in GIVEAWAYS]
    assert len(set(shown)) == 1, dict(zip(GIVEAWAYS, shown, strict=True))
    return shown[0]


def test_answers_show_only_after_the_third_of_three_attempts(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=3)
    client.force_login(learner)
    first = take(client, quiz)
    assert not gives_away(client, first)
    second = take(client, quiz)
    assert not gives_away(client, second)
    assert not gives_away(client, first)
    third = take(client, quiz)
    assert gives_away(client, third)
    assert gives_away(client, first)  # nothing left to protect: every attempt's review shows


def test_the_score_option_is_independent(module: ModulePage, learner: Any) -> None:
    quiz = quiz_of(module, attempts_allowed=2, review_score=ReviewWhen.AFTER_SUBMIT)
    client = Client()
    client.force_login(learner)
    attempt = take(client, quiz)
    review = review_for(quiz=quiz, attempt=attempt)
    assert (review.score, review.answers, review.feedback) == (True, False, False)


def test_answers_show_once_the_quiz_closes_with_attempts_left(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=3, closes_at=timezone.now() + timedelta(days=1))
    client.force_login(learner)
    attempt = take(client, quiz)
    assert not gives_away(client, attempt)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert gives_away(client, attempt)


def test_with_unlimited_attempts_answers_show_only_after_the_quiz_closes(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=0, closes_at=timezone.now() + timedelta(days=1))
    client.force_login(learner)
    attempts = [take(client, quiz) for _ in range(4)]
    assert not any(gives_away(client, attempt) for attempt in attempts)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert all(gives_away(client, attempt) for attempt in attempts)


def test_unlimited_attempts_and_no_closing_time_never_show(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=0)
    client.force_login(learner)
    assert not gives_away(client, take(client, quiz))


def test_raising_the_limit_hides_the_answers_again(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=1)
    client.force_login(learner)
    attempt = take(client, quiz)
    assert gives_away(client, attempt)
    Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=2)  # a second try is possible now
    assert not gives_away(client, attempt)


def test_another_learners_attempts_do_not_count(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = quiz_of(module, attempts_allowed=1)
    other = Client()
    other.force_login(practitioner())
    take(other, quiz)
    client.force_login(learner)
    Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=2)
    quiz.refresh_from_db()
    mine = take(client, quiz)
    assert not gives_away(client, mine)


def review_queries(client: Client, attempt: Attempt) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(attempt_url(attempt.pk, "review"))
    return len(ctx.captured_queries)


def test_the_review_page_costs_a_few_queries_more_and_does_not_grow(
    module: ModulePage, learner: Any
) -> None:
    """While attempts are left: one query for the learner's attempts. Once they are used up, also
    the learner and the certification renewal window (``register_attempt_window``). Neither
    grows with the number of attempts."""
    client = Client()
    client.force_login(learner)
    plain = placed_quiz(module, [make_question(QuestionType.SHORT_ANSWER)], attempts_allowed=5)
    plain_attempts = [take(client, plain) for _ in range(4)]
    baseline = [review_queries(client, attempt) for attempt in plain_attempts]
    quiz = quiz_of(ModulePageFactory(parent=module.get_parent()), attempts_allowed=5)
    attempts = [take(client, quiz) for _ in range(4)]
    left = [review_queries(client, attempt) for attempt in attempts]
    # The first review of each quiz does more (the session and page caches warm up).
    baseline, left = baseline[1:], left[1:]
    attempts.append(take(client, quiz))
    used_up = [review_queries(client, attempt) for attempt in attempts[1:]]
    assert left == [count + 1 for count in baseline], (baseline, left)
    assert used_up == [used_up[0]] * 4 and used_up[0] <= baseline[0] + 3, (baseline, used_up)


# --- the curriculum files ------------------------------------------------------------------------


def test_a_quiz_file_may_ask_for_answers_after_the_last_attempt() -> None:
    _required, check = QUIZ_SCHEMA["review"]
    review = check({"answers": "after_last", "feedback": "after_last"})
    fields = _quiz_fields({"title": "T", "review": review})
    assert (fields["review_answers"], fields["review_feedback"], fields["review_score"]) == (
        AFTER_LAST,
        AFTER_LAST,
        ReviewWhen.AFTER_SUBMIT,
    )


def test_a_quiz_file_with_an_unknown_review_value_names_the_choices() -> None:
    _required, check = QUIZ_SCHEMA["review"]
    with pytest.raises(ValueError, match="after_last") as info:
        check({"answers": "after_final"})
    assert "'answers'" in str(info.value)
