"""Taking a quiz with plain form posts (no JavaScript), and the rules of the attempt services.

Start → the attempt page → save → come back (resume) → finish → summary → submit → review.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from courses.api import ModulePage
from quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    GradingMethod,
    QuestionType,
    Quiz,
    QuizDraw,
    QuizResult,
)
from quizzes.services import (
    AttemptNotAllowed,
    attempt_availability,
    attempt_start,
    attempt_submit,
)
from tests.factories.quizzes import (
    AUTO_KINDS,
    QuestionCategoryFactory,
    QuizFactory,
    make_question,
    make_quiz,
)

from .helpers import answer_of, attempt_url, form, placed_quiz, quiz_url, responses, right, wrong

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(300))  # 09:00 in Almaty


def start(client: Client, quiz: Quiz) -> Attempt:
    response = client.post(quiz_url(quiz.pk, "start"))
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/", response["Location"])[1])  # type: ignore[index]
    return Attempt.objects.get(pk=attempt_id)


def where(response: Any) -> str:
    """Where a redirect goes, without the ``?from=`` the views carry along."""
    assert response.status_code == 302, response.status_code
    return str(response["Location"]).split("?")[0]


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- the whole attempt through the views --------------------------------------------------------


def test_start_save_resume_finish_submit_review(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    assert "Start the quiz" in html(client, quiz_url(quiz.pk))

    response = client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz, user=learner)
    assert response["Location"] == f"{attempt_url(attempt.pk)}?from={module.pk}"
    assert "Answered 0 of 8." in html(client, attempt_url(attempt.pk))

    response = client.post(attempt_url(attempt.pk), form(attempt, right, action="save"))
    assert where(response) == attempt_url(attempt.pk)
    page = html(client, attempt_url(attempt.pk))
    assert "Your answers are saved." in page
    assert "Answered 8 of 8." in page

    # The browser is closed; a new session starts the quiz again and lands in the same attempt,
    # with every answer in place.
    other = Client()
    other.force_login(learner)
    assert start(other, quiz).pk == attempt.pk
    page = html(other, attempt_url(attempt.pk))
    for key, value in form(attempt, right).items():
        for one in value if isinstance(value, list) else [value]:
            if key.count("-"):  # matching and ordering: a select with the option selected
                select = re.search(rf'<select id="{key}".*?</select>', page, re.S)
                assert select and f'<option value="{one}" selected>' in select[0], key
            elif one in ("true", "false") or re.fullmatch(r"[\w-]{8}", one):  # radio, checkbox
                assert re.search(rf'name="{key}" value="{one}" checked', page), key
            else:  # text
                assert f'name="{key}" value="{one}"' in page, key

    response = other.post(attempt_url(attempt.pk), form(attempt, right, action="finish"))
    assert where(response) == attempt_url(attempt.pk, "summary")
    assert "You have answered 8 of 8 questions." in html(other, attempt_url(attempt.pk, "summary"))

    response = other.post(attempt_url(attempt.pk, "submit"))
    assert where(response) == attempt_url(attempt.pk, "review")
    review = html(other, attempt_url(attempt.pk, "review"))
    assert "Your score: 100% (8 of 8 marks)." in review
    assert "passed" in review
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.passed) == (AttemptState.FINISHED, 100, True)
    assert not attempt.closed_at_deadline
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.grade, result.passed, result.attempts) == (Decimal(100), True, 1)
    # A finished attempt's pages lead to the review.
    assert where(other.get(attempt_url(attempt.pk))) == attempt_url(attempt.pk, "review")
    assert where(other.get(attempt_url(attempt.pk, "summary"))) == attempt_url(attempt.pk, "review")


@pytest.mark.parametrize("kind", AUTO_KINDS)
def test_each_type_answered_right_earns_its_mark(
    client: Client, module: ModulePage, learner: Any, kind: str
) -> None:
    """Everything wrong except ``kind``: exactly one mark of eight."""
    quiz = placed_quiz(module, pass_mark=10)
    client.force_login(learner)
    attempt = start(client, quiz)
    data = form(attempt, wrong)
    data.update(right(answer_of(attempt, kind)))
    client.post(attempt_url(attempt.pk), {**data, "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert (attempt.points, attempt.max_points, attempt.score) == (1, 8, Decimal("12.50"))
    assert attempt.passed
    statuses = dict(attempt.answers.values_list("snapshot__kind", "status"))
    assert statuses == {k: "correct" if k == kind else "incorrect" for k in AUTO_KINDS}


def test_wrong_and_partial_answers_give_the_exact_score(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module, pass_mark=50)
    client.force_login(learner)
    attempt = start(client, quiz)
    data = form(attempt, wrong)
    for kind in (QuestionType.SINGLE_CHOICE, QuestionType.SHORT_ANSWER):
        data.update(right(answer_of(attempt, kind)))
    multiple = answer_of(attempt, QuestionType.MULTIPLE_RESPONSE)  # one of two right: 0.5
    data[f"q{multiple.position}"] = [
        o["id"] for o in multiple.snapshot["options"] if o["text"] == "Predictable routines"
    ]
    matching = answer_of(attempt, QuestionType.MATCHING)  # one prompt of two: 0.5
    first = right(matching)
    data.update(dict(list(first.items())[:1]))
    ordering = answer_of(attempt, QuestionType.ORDERING)  # B, C, A keeps one pair of two: 0.5
    a, b, c = (o["id"] for o in ordering.snapshot["options"])
    data.update({f"q{ordering.position}-{b}": "1", f"q{ordering.position}-{c}": "2"})
    data[f"q{ordering.position}-{a}"] = "3"
    del data[f"q{answer_of(attempt, QuestionType.SCENARIO).position}"]  # not answered
    client.post(attempt_url(attempt.pk), {**data, "action": "finish"})
    assert "You have answered 7 of 8 questions." in html(client, attempt_url(attempt.pk, "summary"))
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    # 1 + 0.5 + 0 + 1 + 0 + 0.5 + 0.5 + 0 = 3.5 of 8
    assert (attempt.points, attempt.score, attempt.passed) == (
        Decimal("3.5"),
        Decimal("43.75"),
        False,
    )
    statuses = dict(attempt.answers.values_list("snapshot__kind", "status"))
    assert statuses == {
        "single_choice": "correct",
        "multiple_response": "partial",
        "true_false": "incorrect",
        "short_answer": "correct",
        "numeric": "incorrect",
        "matching": "partial",
        "ordering": "partial",
        "scenario": "unanswered",
    }
    review = html(client, attempt_url(attempt.pk, "review"))
    assert "Your score: 43.75% (3.50 of 8 marks)." in review
    assert "not passed: the pass mark is 50%" in review


def test_marks_weight_the_score(client: Client, module: ModulePage, learner: Any) -> None:
    heavy = make_question(QuestionType.SINGLE_CHOICE, default_mark=Decimal(3))
    light = make_question(QuestionType.TRUE_FALSE)
    quiz = placed_quiz(module, [heavy, light])
    client.force_login(learner)
    attempt = start(client, quiz)
    data = {**right(answer_of(attempt, "single_choice")), **wrong(answer_of(attempt, "true_false"))}
    client.post(attempt_url(attempt.pk), {**data, "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert (attempt.points, attempt.max_points, attempt.score) == (3, 4, Decimal(75))


def test_a_second_start_resumes_the_attempt_in_progress(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    first = start(client, quiz)
    assert start(client, quiz).pk == first.pk
    assert "Continue your attempt" in html(client, quiz_url(quiz.pk))
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 1
    client.post(attempt_url(first.pk, "submit"))
    second = start(client, quiz)
    assert (second.pk != first.pk, second.number) == (True, 2)


def test_a_quiz_that_cannot_start_says_why(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module, attempts_allowed=1)
    client.force_login(learner)
    client.post(attempt_url(start(client, quiz).pk, "submit"))
    response = client.post(quiz_url(quiz.pk, "start"), follow=True)
    assert response.redirect_chain[0][0] == f"{quiz_url(quiz.pk)}?from={module.pk}"
    assert "You have used all the attempts this quiz allows (1)." in response.content.decode()
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 1


# --- autosave -----------------------------------------------------------------------------------


def test_autosave_stores_answers_and_counts_them(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    data = right(answer_of(attempt, "short_answer")) | right(answer_of(attempt, "matching"))
    response = client.post(attempt_url(attempt.pk, "autosave"), data)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("saved", "answered", "total", "problems")} == {
        "saved": True,
        "answered": 2,
        "total": 8,
        "problems": [],
    }
    assert re.fullmatch(r"\d\d:\d\d:\d\d", body["saved_at"])
    stored = dict(attempt.answers.values_list("snapshot__kind", "response"))
    assert stored["short_answer"] == {"text": "tolerance"}
    assert stored["matching"]["matches"]  # the answer texts, by prompt id
    assert stored["single_choice"] is None
    assert "Answered 2 of 8." in html(client, attempt_url(attempt.pk))


def test_autosave_counts_as_the_attempt_page_does(
    client: Client, module: ModulePage, learner: Any
) -> None:
    """An ordering with a position missing is reported, and not counted as answered, by the
    autosave reply as by the page."""
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    ordering = answer_of(attempt, QuestionType.ORDERING)
    first_item = ordering.snapshot["options"][0]["id"]
    data = right(answer_of(attempt, "numeric")) | {f"q{ordering.position}-{first_item}": "1"}
    body = client.post(attempt_url(attempt.pk, "autosave"), data).json()
    assert body["problems"] == [
        f"Question {ordering.position}: give every item a different position, from 1 to 3."
    ]
    assert "Answered 1 of 8." in html(client, attempt_url(attempt.pk))
    assert (body["answered"], body["total"]) == (1, 8)


def test_autosave_after_submit_is_refused_with_the_way_to_the_review(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    client.post(attempt_url(attempt.pk, "submit"))
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right))
    assert response.status_code == 409
    assert response.json() == {
        "saved": False,
        "closed": True,
        "message": "This attempt has already been submitted.",
        "redirect": attempt_url(attempt.pk, "review"),
    }
    assert not attempt.answers.exclude(response=None).exists()


# --- tampered forms -----------------------------------------------------------------------------


TAMPERED = ["", "x", "-1", "3", "99", "\u00b2", "\u0661", "1" * 5000, " 1", "1.0", "0x1"]


@pytest.mark.parametrize("value", TAMPERED, ids=lambda v: ascii(v)[:12])
def test_tampered_values_are_ignored_never_a_crash(
    client: Client, module: ModulePage, learner: Any, value: str
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    data: dict[str, Any] = {}
    for answer in attempt.answers.all():
        name, layout = f"q{answer.position}", answer.layout
        if answer.snapshot["kind"] in ("matching", "ordering"):
            data.update({f"{name}-{oid}": value for oid in layout["options"]})
        elif answer.snapshot["kind"] in ("single_choice", "scenario", "multiple_response"):
            data[name] = [value, "AAAAAAAA"]
        elif answer.snapshot["kind"] == "true_false":
            data[name] = value
    response = client.post(attempt_url(attempt.pk), {**data, "action": "save"})
    assert response.status_code == 302
    autosaved = client.post(attempt_url(attempt.pk, "autosave"), data)
    assert autosaved.status_code == 200
    stored = dict(attempt.answers.values_list("snapshot__kind", "response"))
    for kind in ("single_choice", "scenario", "multiple_response", "true_false", "matching"):
        assert stored[kind] is None, kind
    assert stored["ordering"] in (None, {"positions": {}}) or "order" not in stored["ordering"]
    assert autosaved.json()["answered"] == 0


def test_an_option_of_another_question_is_not_accepted(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    single = answer_of(attempt, "single_choice")
    scenario = answer_of(attempt, "scenario")
    data = {f"q{single.position}": scenario.layout["options"][0], "action": "save"}
    client.post(attempt_url(attempt.pk), data)
    single.refresh_from_db()
    assert single.response is None


def test_ordering_duplicates_are_reported_and_not_scored(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    ordering = answer_of(attempt, QuestionType.ORDERING)
    ids = [o["id"] for o in ordering.snapshot["options"]]
    data = {f"q{ordering.position}-{oid}": "1" for oid in ids}
    response = client.post(attempt_url(attempt.pk), {**data, "action": "finish"}, follow=True)
    # Not on to the summary: the learner is asked to fix the positions.
    assert response.redirect_chain[-1][0].split("?")[0] == attempt_url(attempt.pk)
    assert (
        f"Question {ordering.position}: give every item a different position, from 1 to 3."
        in response.content.decode()
    )
    ordering.refresh_from_db()
    assert ordering.response == {"positions": dict.fromkeys(ids, 1)}
    # The positions given are shown back, so the learner can correct them.
    page = response.content.decode()
    for oid in ids:
        select = re.search(rf'<select id="q{ordering.position}-{oid}".*?</select>', page, re.S)
        assert select and '<option value="1" selected>' in select[0]
    client.post(attempt_url(attempt.pk, "submit"))
    ordering.refresh_from_db()
    assert (ordering.status, ordering.fraction) == ("unanswered", 0)


# --- the rules, through the services -------------------------------------------------------------


def finish(quiz: Quiz, user: Any, *, now: datetime, choose: Any = right) -> Attempt:
    attempt = attempt_start(user=user, quiz=quiz, now=now)
    attempt, graded = attempt_submit(
        attempt=attempt, responses=responses(attempt, choose), now=now + timedelta(minutes=1)
    )
    assert graded
    return attempt


def test_attempts_allowed(learner: Any) -> None:
    quiz = make_quiz(attempts_allowed=2)
    finish(quiz, learner, now=T0)
    finish(quiz, learner, now=T0 + timedelta(hours=1))
    with pytest.raises(AttemptNotAllowed, match=r"all the attempts this quiz allows \(2\)"):
        attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(hours=2))
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 2


def test_unlimited_attempts(learner: Any) -> None:
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)], attempts_allowed=0)
    for hour in range(5):
        finish(quiz, learner, now=T0 + timedelta(hours=hour))
    assert QuizResult.objects.get(quiz=quiz, user=learner).attempts == 5


def test_delay_between_attempts(learner: Any) -> None:
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)], delay_minutes=60)
    finish(quiz, learner, now=T0)  # finished at T0 + 1 minute
    availability = attempt_availability(user=learner, quiz=quiz, now=T0 + timedelta(minutes=30))
    assert not availability.can_start
    assert availability.next_at == T0 + timedelta(minutes=61)
    assert availability.reason.startswith("You can try again from ")
    with pytest.raises(AttemptNotAllowed, match="You can try again from"):
        attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(minutes=60))
    second = attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(minutes=61))
    assert second.number == 2


def test_delay_counts_from_the_deadline_of_an_attempt_left_open(learner: Any) -> None:
    """An attempt abandoned at its time limit ended at its deadline, not when it started."""
    quiz = make_quiz(
        [make_question(QuestionType.TRUE_FALSE)], time_limit_minutes=30, delay_minutes=60
    )
    attempt_start(user=learner, quiz=quiz, now=T0)  # never submitted: ends at T0 + 30 minutes
    with pytest.raises(AttemptNotAllowed, match="You can try again from"):
        attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(minutes=65))
    first = Attempt.objects.get(quiz=quiz, user=learner, number=1)
    assert (first.state, first.finished_at) == (AttemptState.FINISHED, T0 + timedelta(minutes=30))
    assert attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(minutes=90)).number == 2


def test_opens_and_closes(learner: Any) -> None:
    quiz = make_quiz(
        [make_question(QuestionType.TRUE_FALSE)],
        opens_at=T0,
        closes_at=T0 + timedelta(days=1),
    )
    with pytest.raises(AttemptNotAllowed, match="This quiz opens on "):
        attempt_start(user=learner, quiz=quiz, now=T0 - timedelta(seconds=1))
    assert attempt_start(user=learner, quiz=quiz, now=T0).number == 1
    other = make_quiz([make_question(QuestionType.TRUE_FALSE)], closes_at=T0)
    assert attempt_availability(user=learner, quiz=other, now=T0 - timedelta(seconds=1)).can_start
    with pytest.raises(AttemptNotAllowed, match=r"This quiz has closed\."):
        attempt_start(user=learner, quiz=other, now=T0)


def test_an_attempt_started_before_the_quiz_closes_ends_when_it_closes(learner: Any) -> None:
    """Otherwise an attempt left open could go on after "after the quiz closes" shows others
    the right answers."""
    from quizzes.services import AttemptClosed, attempt_save

    quiz = make_quiz([make_question(QuestionType.SHORT_ANSWER)], closes_at=T0 + timedelta(hours=1))
    attempt = attempt_start(user=learner, quiz=quiz, now=T0)
    assert attempt.deadline == T0 + timedelta(hours=1)
    with pytest.raises(AttemptClosed):
        attempt_save(
            attempt=attempt, responses=responses(attempt), now=T0 + timedelta(hours=1, seconds=1)
        )
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.closed_at_deadline) == ("finished", 0, True)
    timed = make_quiz(
        [make_question(QuestionType.SHORT_ANSWER)],
        closes_at=T0 + timedelta(hours=1),
        time_limit_minutes=20,
    )
    assert attempt_start(user=learner, quiz=timed, now=T0).deadline == T0 + timedelta(minutes=20)
    late = attempt_start(user=learner, quiz=timed, now=T0 + timedelta(minutes=50))
    assert late.deadline == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    ("method", "grade", "passed"),
    [
        (GradingMethod.HIGHEST, Decimal(100), True),
        (GradingMethod.LATEST, Decimal(25), False),
        (GradingMethod.FIRST, Decimal(50), False),
        (GradingMethod.AVERAGE, Decimal("58.33"), False),
    ],
)
def test_grading_methods(learner: Any, method: str, grade: Decimal, passed: bool) -> None:
    questions = [make_question(QuestionType.SINGLE_CHOICE) for _ in range(4)]
    quiz = make_quiz(questions, grading_method=method, pass_mark=80)
    scores = []
    for hour, right_count in enumerate((2, 4, 1)):

        def choose(answer: AttemptAnswer, count: int = right_count) -> dict[str, Any]:
            return right(answer) if answer.position <= count else wrong(answer)

        scores.append(finish(quiz, learner, now=T0 + timedelta(hours=hour), choose=choose).score)
    assert scores == [50, 100, 25]
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.grade, result.passed, result.attempts) == (grade, passed, 3)


def test_the_grade_follows_each_attempt(learner: Any) -> None:
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)], grading_method="latest")
    finish(quiz, learner, now=T0)
    assert QuizResult.objects.get(quiz=quiz, user=learner).passed
    finish(quiz, learner, now=T0 + timedelta(hours=1), choose=wrong)
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert (result.grade, result.passed, result.attempts) == (0, False, 2)


# --- random draws and shuffling ------------------------------------------------------------------


@pytest.fixture
def bank() -> dict[str, list[int]]:
    """ "Bank" (2 questions), "Bank/Sub" (3) and "Bankrupt" (2), a sibling, not inside."""
    found: dict[str, list[int]] = {}
    for name, count in (("Bank", 2), ("Bank/Sub", 3), ("Bankrupt", 2)):
        category = QuestionCategoryFactory(name=name)
        found[name] = [
            make_question(QuestionType.TRUE_FALSE, category=category).pk for _ in range(count)
        ]
    return found


def drawn(attempt: Attempt) -> list[int]:
    return list(attempt.answers.order_by("position").values_list("question_id", flat=True))


def test_a_draw_includes_the_categories_inside(learner: Any, bank: dict[str, list[int]]) -> None:
    quiz = QuizFactory(selection="random")
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank"), count=5, sort_order=0
    )
    attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(1))
    assert sorted(drawn(attempt)) == sorted(bank["Bank"] + bank["Bank/Sub"])


def test_a_draw_without_the_categories_inside(learner: Any, bank: dict[str, list[int]]) -> None:
    quiz = QuizFactory(selection="random")
    category = QuestionCategoryFactory(name="Bank")
    QuizDraw.objects.create(
        quiz=quiz, category=category, count=2, include_subcategories=False, sort_order=0
    )
    assert sorted(drawn(attempt_start(user=learner, quiz=quiz, now=T0))) == sorted(bank["Bank"])
    quiz.draws.update(count=3)
    attempt_submit(attempt=Attempt.objects.get(quiz=quiz), now=T0)
    with pytest.raises(AttemptNotAllowed) as refused:
        attempt_start(user=learner, quiz=quiz, now=T0 + timedelta(hours=1))
    assert str(refused.value) == (
        "This quiz is not ready yet: please tell your trainer. "
        "(It draws 3 questions from “Bank”, which has 2.)"
    )


def test_draws_from_several_categories_never_repeat_a_question(
    learner: Any, bank: dict[str, list[int]]
) -> None:
    quiz = QuizFactory(selection="random")
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank/Sub"), count=2, sort_order=0
    )
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank"), count=3, sort_order=1
    )
    for seed in range(10):
        attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(seed))
        questions = drawn(attempt)
        assert len(set(questions)) == 5
        assert set(questions[:2]) <= set(bank["Bank/Sub"])
        assert not set(questions) & set(bank["Bankrupt"])
        attempt_submit(attempt=attempt, now=T0)


def test_a_broad_draw_listed_first_leaves_the_narrow_draw_its_questions(
    learner: Any, bank: dict[str, list[int]]
) -> None:
    """ "Bank" with everything inside, then "Bank/Sub": the narrower draw chooses first, so the
    broad one can never take the questions it needs; the questions keep the listed order."""
    quiz = QuizFactory(selection="random", attempts_allowed=0)
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank"), count=2, sort_order=0
    )
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank/Sub"), count=3, sort_order=1
    )
    for seed in range(10):
        attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(seed))
        questions = drawn(attempt)
        assert sorted(questions[:2]) == sorted(bank["Bank"])
        assert sorted(questions[2:]) == sorted(bank["Bank/Sub"])
        attempt_submit(attempt=attempt, now=T0)


def test_random_draws_differ_between_attempts(learner: Any, bank: dict[str, list[int]]) -> None:
    quiz = QuizFactory(selection="random")
    QuizDraw.objects.create(
        quiz=quiz, category=QuestionCategoryFactory(name="Bank"), count=2, sort_order=0
    )
    seen = set()
    for seed in range(10):
        attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(seed))
        seen.add(tuple(sorted(drawn(attempt))))
        attempt_submit(attempt=attempt, now=T0)
    assert len(seen) > 1


def test_an_empty_quiz_cannot_start(learner: Any) -> None:
    with pytest.raises(AttemptNotAllowed, match="This quiz has no questions yet"):
        attempt_start(user=learner, quiz=QuizFactory(), now=T0)


def authored(quiz: Quiz) -> list[int]:
    return list(quiz.fixed_questions.order_by("sort_order").values_list("question_id", flat=True))


def option_texts(answer: AttemptAnswer) -> list[str]:
    by_id = {o["id"]: o["text"] for o in answer.snapshot["options"]}
    return [by_id[oid] for oid in answer.layout["options"]]


def test_without_shuffling_the_authoring_order_is_kept(learner: Any) -> None:
    """…except for ordering items and matching answers, which would give the answer away."""
    quiz = make_quiz(shuffle_questions=False, shuffle_options=False)
    matching_orders = set()
    for seed in range(8):
        attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(seed))
        assert drawn(attempt) == authored(quiz)
        single = answer_of(attempt, "single_choice")
        assert option_texts(single) == ["Listen first", "Ask about the camp", "Give advice"]
        multiple = answer_of(attempt, "multiple_response")
        assert option_texts(multiple) == [
            "Predictable routines",
            "Clear choices",
            "Surprise visits",
        ]
        matching = answer_of(attempt, "matching")
        assert option_texts(matching) == ["Under 5", "6 to 11"]  # the prompts
        matching_orders.add(tuple(matching.layout["answers"]))
        ordering = answer_of(attempt, "ordering")
        assert option_texts(ordering) != ["Introduce yourself", "Explain the visit", "Ask"]
        attempt_submit(attempt=attempt, now=T0)
    assert len(matching_orders) > 1
    assert all(
        sorted(order) == ["Clinging", "Distractor", "Withdrawal"] for order in matching_orders
    )


def test_shuffling_with_a_seeded_generator(learner: Any) -> None:
    quiz = make_quiz(shuffle_questions=True, shuffle_options=True)

    def orders(seed: int) -> tuple[list[int], list[str]]:
        attempt = attempt_start(user=learner, quiz=quiz, now=T0, rng=random.Random(seed))
        found = drawn(attempt), option_texts(answer_of(attempt, "single_choice"))
        attempt_submit(attempt=attempt, now=T0)
        return found

    results = [orders(seed) for seed in range(6)]
    assert orders(3) == results[3]  # the same seed, the same order
    assert any(questions != authored(quiz) for questions, _options in results)
    assert any(
        options != ["Listen first", "Ask about the camp", "Give advice"] for _q, options in results
    )
    assert all(sorted(questions) == sorted(authored(quiz)) for questions, _options in results)


# --- without a mouse: every field labelled, every question a group -------------------------------


class _Fields(HTMLParser):
    """The form fields of a page, with whether each is labelled, and the fieldsets' legends."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.fieldsets = 0
        self.legends = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if found.get("for"):
                self.label_for.add(str(found["for"]))
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.fields.append({**found, "in_label": "yes" if self.open_labels else None})
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def test_every_field_is_labelled_and_every_question_is_a_group(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module)
    client.force_login(learner)
    attempt = start(client, quiz)
    text = html(client, attempt_url(attempt.pk))
    form_html = text[text.index('<form method="post" action="/en/learn/quizzes/attempts/') :]
    parser = _Fields()
    parser.feed(form_html[: form_html.index("</form>")])
    assert (parser.fieldsets, parser.legends) == (8, 8)
    assert len(parser.fields) > 8
    for field in parser.fields:
        labelled = (
            field["in_label"] or field.get("aria-label") or field.get("id") in parser.label_for
        )
        assert labelled, field
    # The buttons are real buttons, reachable with the keyboard; nothing needs a pointer.
    assert 'name="action" value="finish"' in form_html
    assert "onclick" not in text
    assert 'tabindex="-1"' not in form_html
