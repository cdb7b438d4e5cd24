"""Question pools (``quizzes.pools``): a random draw needs count x attempts live questions (x 3
with unlimited attempts); a fixed quiz with several attempts and answers shown after each one is
a memory test. The CMS warns on save and still saves."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quizzes.models import Quiz, QuizDraw, ReviewWhen, Selection
from quizzes.pools import Draw, live_question_counts, pool_warnings, quiz_pool_warnings
from tests.factories import UserFactory
from tests.factories.quizzes import (
    QuestionCategoryFactory,
    QuestionFactory,
    QuizFactory,
    make_quiz,
)

from .test_admin_forms import ADD_QUIZ, quiz_form

RANDOM, FIXED = Selection.RANDOM, Selection.FIXED
AFTER_SUBMIT, AFTER_LAST = ReviewWhen.AFTER_SUBMIT, ReviewWhen.AFTER_LAST


def warnings(
    draws: list[Draw],
    counts: dict[str, int],
    attempts: int = 3,
    selection: str = RANDOM,
    review: str = AFTER_SUBMIT,
) -> list[str]:
    found = pool_warnings(
        selection=selection,
        attempts_allowed=attempts,
        review_answers=review,
        draws=draws,
        live_counts=counts,
    )
    return [w.code for w in found]


# --- the rule, pure -----------------------------------------------------------------------------


def test_a_pool_of_count_times_attempts_is_enough() -> None:
    assert warnings([Draw("Trauma", 5)], {"Trauma": 15}, attempts=3) == []


def test_a_pool_one_short_is_flagged() -> None:
    assert warnings([Draw("Trauma", 5)], {"Trauma": 14}, attempts=3) == ["small-pool"]


def test_unlimited_attempts_are_planned_as_three() -> None:
    assert warnings([Draw("Trauma", 4)], {"Trauma": 11}, attempts=0) == ["small-pool"]
    [found] = pool_warnings(
        selection=RANDOM,
        attempts_allowed=0,
        review_answers=AFTER_SUBMIT,
        draws=[Draw("Trauma", 4)],
        live_counts={"Trauma": 11},
    )
    assert "unlimited (counted as 3)" in found.message and "at least 12" in found.message
    assert warnings([Draw("Trauma", 4)], {"Trauma": 12}, attempts=0) == []


def test_subcategories_count_only_when_included() -> None:
    counts = {"Trauma": 2, "Trauma/Module 1": 5, "Trauma/Module 2": 5, "Trauma care": 50}
    assert warnings([Draw("Trauma", 4, True)], counts) == []
    assert warnings([Draw("Trauma", 4, False)], counts) == ["small-pool"]  # not "Trauma care"


def test_a_narrower_draw_takes_its_questions_from_the_broader_pool() -> None:
    counts = {"Trauma": 6, "Trauma/Module 1": 3}  # 9 in the broad scope
    draws = [Draw("Trauma", 3), Draw("Trauma/Module 1", 1)]
    # The broad draw keeps 9 - 1 = 8 < 3 x 3; the narrow one has 3 = 1 x 3.
    found = pool_warnings(
        selection=RANDOM,
        attempts_allowed=3,
        review_answers=AFTER_SUBMIT,
        draws=draws,
        live_counts=counts,
    )
    assert [w.code for w in found] == ["small-pool"]
    assert "“Trauma”" in found[0].message and "there are 8 live" in found[0].message


def test_the_message_names_the_category_and_the_numbers() -> None:
    [found] = pool_warnings(
        selection=RANDOM,
        attempts_allowed=2,
        review_answers=AFTER_SUBMIT,
        draws=[Draw("Stigma", 4)],
        live_counts={"Stigma": 5},
    )
    assert "“Stigma”" in found.message
    assert "takes 4 per attempt" in found.message and "there are 5 live" in found.message
    assert "Attempts allowed: 2." in found.message
    assert "at least 8" in found.message


@pytest.mark.parametrize(
    ("attempts", "review", "expected"),
    [
        (3, AFTER_SUBMIT, ["fixed-answers-after-submit"]),
        (0, AFTER_SUBMIT, ["fixed-answers-after-submit"]),
        (1, AFTER_SUBMIT, []),
        (3, AFTER_LAST, []),
        (3, ReviewWhen.AFTER_CLOSE, []),
        (3, ReviewWhen.NEVER, []),
    ],
)
def test_a_fixed_quiz_that_shows_answers_between_attempts_is_flagged(
    attempts: int, review: str, expected: list[str]
) -> None:
    assert warnings([], {}, attempts=attempts, selection=FIXED, review=review) == expected


def test_a_random_quiz_with_answers_after_submit_is_fine_with_a_big_pool() -> None:
    assert warnings([Draw("Trauma", 2)], {"Trauma": 6}, attempts=3, review=AFTER_SUBMIT) == []


# --- the database side ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_live_counts_take_live_questions_of_the_locale_in_one_query() -> None:
    top = QuestionCategoryFactory(name="Pool")
    inner = QuestionCategoryFactory(name="Pool/Inner")
    other = QuestionCategoryFactory(name="Pool two")
    for category, count in ((top, 2), (inner, 3), (other, 4)):
        for _ in range(count):
            QuestionFactory(category=category)
    QuestionFactory(category=top, live=False)  # a draft is never drawn
    draws = [Draw("Pool", 1), Draw("Pool/Inner", 1, False)]
    locale_id = top.questions.first().locale_id  # type: ignore[union-attr]
    with CaptureQueriesContext(connection) as ctx:
        counts = live_question_counts(draws, locale_id=locale_id)
    assert counts == {"Pool": 2, "Pool/Inner": 3}
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db
def test_a_quiz_check_costs_one_query_whatever_the_draws() -> None:
    categories = [QuestionCategoryFactory(name=f"Area {n}") for n in range(6)]
    for category in categories:
        QuestionFactory(category=category)
    quiz = QuizFactory(selection=RANDOM, attempts_allowed=2)
    for order, category in enumerate(categories):
        QuizDraw.objects.create(quiz=quiz, category=category, count=1, sort_order=order)
    quiz = Quiz.objects.prefetch_related("draws__category").get(pk=quiz.pk)
    with CaptureQueriesContext(connection) as ctx:
        found = quiz_pool_warnings(quiz)
    assert [w.code for w in found] == ["small-pool"] * 6
    assert len(ctx.captured_queries) == 1


# --- the CMS --------------------------------------------------------------------------------------


@pytest.fixture
def trainer_client(db: None, client: Client) -> Client:
    client.force_login(UserFactory(groups=["Trainer"]))
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def random_quiz_form(category_id: int, count: int, **fields: Any) -> dict[str, Any]:
    return quiz_form(
        selection="random",
        **{
            "draws-TOTAL_FORMS": "1",
            "draws-0-category": str(category_id),
            "draws-0-count": str(count),
            "draws-0-include_subcategories": "on",
            "draws-0-ORDER": "1",
            **fields,
        },
    )


def test_saving_a_random_quiz_with_a_small_pool_warns_and_saves(trainer_client: Client) -> None:
    category = QuestionCategoryFactory(name="Small")
    for _ in range(4):
        QuestionFactory(category=category)
    response = trainer_client.post(
        ADD_QUIZ, random_quiz_form(category.pk, 2, attempts_allowed="3"), follow=True
    )
    assert response.status_code == 200
    assert Quiz.objects.filter(slug="module-check").exists()
    shown = messages_of(response)
    assert any("“Small”" in m and "at least 6" in m for m in shown), shown


def test_saving_a_random_quiz_with_a_big_pool_gives_no_warning(trainer_client: Client) -> None:
    category = QuestionCategoryFactory(name="Big")
    for _ in range(6):
        QuestionFactory(category=category)
    response = trainer_client.post(
        ADD_QUIZ, random_quiz_form(category.pk, 2, attempts_allowed="3"), follow=True
    )
    assert Quiz.objects.filter(slug="module-check").exists()
    assert not any("draw" in m for m in messages_of(response)), messages_of(response)


def fixed_quiz_form(question_id: int, **fields: Any) -> dict[str, Any]:
    return quiz_form(
        **{
            "fixed_questions-TOTAL_FORMS": "1",
            "fixed_questions-0-question": str(question_id),
            "fixed_questions-0-ORDER": "1",
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("review", "warned"), [("after_submit", True), ("after_last", False)]
)  # fmt: skip
def test_saving_a_fixed_quiz_warns_of_a_memory_test(
    trainer_client: Client, review: str, warned: bool
) -> None:
    question = QuestionFactory()
    response = trainer_client.post(
        ADD_QUIZ,
        fixed_quiz_form(question.pk, attempts_allowed="3", review_answers=review),
        follow=True,
    )
    assert Quiz.objects.get(slug="module-check").review_answers == review
    assert any("tests memory" in m for m in messages_of(response)) is warned


def test_editing_a_live_quiz_warns_from_the_form_not_the_stored_rules(
    trainer_client: Client,
) -> None:
    """A trainer's change to a live quiz waits in a revision; the warning is about the change."""
    question = QuestionFactory()
    quiz = make_quiz([question], slug="module-check", attempts_allowed=1)
    data = fixed_quiz_form(question.pk, attempts_allowed="2")
    data["fixed_questions-INITIAL_FORMS"] = "1"
    data["fixed_questions-0-id"] = str(quiz.fixed_questions.get().pk)
    response = trainer_client.post(
        f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/", data, follow=True
    )
    assert response.status_code == 200
    quiz.refresh_from_db()
    assert quiz.live and quiz.attempts_allowed == 1  # the row is unchanged until published
    assert any("tests memory" in m for m in messages_of(response)), messages_of(response)


def test_editing_a_live_random_quiz_checks_the_draws_of_the_form(trainer_client: Client) -> None:
    category = QuestionCategoryFactory(name="Edited")
    for _ in range(6):
        QuestionFactory(category=category)
    quiz = QuizFactory(slug="module-check", selection=RANDOM, attempts_allowed=3)
    draw = QuizDraw.objects.create(quiz=quiz, category=category, count=2, sort_order=0)
    assert quiz_pool_warnings(quiz) == []
    data = random_quiz_form(category.pk, 3, attempts_allowed="3")
    data["draws-INITIAL_FORMS"] = "1"
    data["draws-0-id"] = str(draw.pk)
    response = trainer_client.post(
        f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/", data, follow=True
    )
    draw.refresh_from_db()
    assert draw.count == 2  # the live draw is unchanged until published
    assert any("at least 9" in m for m in messages_of(response)), messages_of(response)
