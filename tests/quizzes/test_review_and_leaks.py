"""No right answer leaves the server before the review options allow it; the review shows exactly
what they allow.

Choice texts, matching answers and ordering items are on the attempt page by design (the learner
chooses among them); what must not be there is anything that tells which is right: weights,
feedback, accepted answers, numbers, the matching pairs, the right order.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from courses.api import LessonPage, ModulePage
from quizzes.models import Attempt, QuestionType, Quiz, ReviewWhen
from quizzes.services import attempt_start, attempt_submit
from tests.factories import LessonPageFactory
from tests.factories.quizzes import SECRETS, make_question, place_in_lesson

from .helpers import answer_of, attempt_url, every_kind, form, placed_quiz, quiz_url, right, wrong

pytestmark = pytest.mark.django_db

#: Words only the answer key holds (the scoring data), whatever the question type.
KEY_WORDS = ["weight", "fraction", "snapshot", "tolerance", "data-correct", "FB-"]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.content.decode()
    # The CSRF token is random text that could hold anything.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def number(value: str) -> re.Pattern[str]:
    """``value`` as a number of its own (not inside a random id)."""
    return re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w-])")


def assert_no_key(text: str, kind: str) -> None:
    for word in KEY_WORDS:
        assert word not in text, (kind, word)
    if kind == QuestionType.SHORT_ANSWER:
        assert SECRETS[kind] not in text  # the accepted answer
    if kind == QuestionType.NUMERIC:
        assert not number(SECRETS[kind]).search(text)
    if kind == QuestionType.ESSAY:
        assert SECRETS[kind] not in text  # the model answer


def start(client: Client, quiz: Quiz) -> Attempt:
    client.post(quiz_url(quiz.pk, "start"))
    return Attempt.objects.filter(quiz=quiz).latest("pk")


def texts_in_order(html: str, block: str) -> list[str]:
    """The ``<span>`` texts inside the first ``<ul class="{block}">``, in page order."""
    found = re.search(rf'<ul class="{block}">(.*?)</ul>', html, re.S)
    assert found, block
    return re.findall(r"<span>(.*?)</span>", found[1])


# --- the attempt, the summary and the autosave --------------------------------------------------


# Every kind with something to answer (a description asks nothing and has no key).
@pytest.mark.parametrize("kind", [k for k in QuestionType.values if k != QuestionType.DESCRIPTION])
def test_the_attempt_pages_carry_no_answer_key(
    client: Client, module: ModulePage, learner: Any, kind: str
) -> None:
    question = make_question(kind, general_feedback="FB-general")
    quiz = placed_quiz(module, [question])
    client.force_login(learner)
    attempt = start(client, quiz)
    for url in (attempt_url(attempt.pk), attempt_url(attempt.pk, "summary")):
        assert_no_key(page(client, url), kind)
    # Answered (wrongly) and saved: the pages show the learner's answer and still nothing else.
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, wrong))
    assert set(response.json()) == {
        "saved",
        "saved_at",
        "answered",
        "total",
        "problems",
        "revision",
    }
    assert_no_key(response.content.decode(), kind)
    for url in (attempt_url(attempt.pk), attempt_url(attempt.pk, "summary")):
        text = page(client, url)
        assert_no_key(text, kind)
        assert "right" not in re.sub(r"<[^>]+>", " ", text.split('<main id="main"')[1]).split()
    # A right answer saved is the learner's own answer; it says nothing about being right.
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right))
    assert response.json()["problems"] == []
    text = page(client, attempt_url(attempt.pk))
    for word in ("weight", "fraction", "snapshot", "data-correct", "FB-"):
        assert word not in response.content.decode()
        assert word not in text


def test_the_lesson_shows_the_quiz_block_and_nothing_of_its_questions(
    client: Client, module: ModulePage, learner: Any
) -> None:
    lesson = LessonPageFactory(parent=module)
    quiz = placed_quiz(module)
    place_in_lesson(quiz, LessonPage.objects.get(pk=lesson.pk))
    client.force_login(learner)
    text = page(client, lesson.url)
    assert f'href="{quiz_url(quiz.pk)}?from={lesson.pk}"' in text
    for kind in QuestionType.values:
        assert_no_key(text, kind)
    for secret in SECRETS.values():
        assert secret not in text


def test_option_values_are_random_ids_not_authoring_positions(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(module, [make_question(QuestionType.SINGLE_CHOICE)])
    client.force_login(learner)
    seen: dict[str, set[str]] = {}
    for _ in range(3):
        attempt = start(client, quiz)
        text = page(client, attempt_url(attempt.pk))
        pairs = re.findall(r'name="q1" value="([^"]+)"> <span>(.*?)</span>', text)
        assert len(pairs) == 3
        for value, label in pairs:
            assert re.fullmatch(r"[A-Za-z0-9_-]{8}", value), value
            seen.setdefault(label, set()).add(value)
        client.post(attempt_url(attempt.pk, "submit"))
    assert all(len(values) == 3 for values in seen.values())  # a new id in every attempt


def test_with_shuffling_the_right_option_moves(learner: Any, client: Client) -> None:
    from tests.factories.quizzes import make_quiz

    quiz = make_quiz([make_question(QuestionType.SINGLE_CHOICE)], shuffle_options=True)
    client.force_login(learner)
    places = set()
    for seed in range(8):
        attempt = attempt_start(user=learner, quiz=quiz, rng=random.Random(seed))
        answer = answer_of(attempt, QuestionType.SINGLE_CHOICE)
        right_id = right(answer)["q1"]
        places.add(answer.layout["options"].index(right_id))
        attempt_submit(attempt=attempt)
    assert len(places) > 1


@pytest.mark.parametrize("shuffle", [False, True], ids=["authoring order", "shuffled"])
def test_matching_tokens_are_not_tied_to_the_prompts(
    client: Client, module: ModulePage, learner: Any, shuffle: bool
) -> None:
    """The `<option value>` of the right answer changes between attempts, and every prompt is
    offered the same list, so neither the values nor their order says which answer fits."""
    quiz = placed_quiz(module, [make_question(QuestionType.MATCHING)], shuffle_options=shuffle)
    client.force_login(learner)
    tokens_of_right_answer = set()
    for seed in range(8):
        attempt = attempt_start(user=learner, quiz=quiz, rng=random.Random(seed))
        text = page(client, attempt_url(attempt.pk))
        selects = re.findall(
            r'<label for="q1-[^"]+"><span>(.*?)</span></label>\s*<select[^>]*>(.*?)</select>',
            text,
            re.S,
        )
        assert [prompt for prompt, _ in selects] in (
            ["Under 5", "6 to 11"],
            ["6 to 11", "Under 5"],
        )
        lists = {options for _prompt, options in selects}
        assert len(lists) == 1  # the same options, in the same order, for every prompt
        offered = re.findall(r'<option value="(\d*)">([^<]*)</option>', lists.pop())
        assert [value for value, _ in offered] == ["", "0", "1", "2"]
        tokens_of_right_answer.add({t: v for v, t in offered}[SECRETS["matching"]])
        attempt_submit(attempt=attempt)
    assert len(tokens_of_right_answer) > 1


@pytest.mark.parametrize("shuffle", [False, True], ids=["authoring order", "shuffled"])
def test_ordering_items_are_never_shown_in_the_right_order(
    client: Client, module: ModulePage, learner: Any, shuffle: bool
) -> None:
    quiz = placed_quiz(module, [make_question(QuestionType.ORDERING)], shuffle_options=shuffle)
    client.force_login(learner)
    right_order = ["Introduce yourself", "Explain the visit", "Ask"]
    for seed in range(10):
        attempt = attempt_start(user=learner, quiz=quiz, rng=random.Random(seed))
        shown = texts_in_order(page(client, attempt_url(attempt.pk)), "quiz-ordering")
        assert sorted(shown) == sorted(right_order)
        assert shown != right_order
        attempt_submit(attempt=attempt)


def test_two_item_ordering_is_shown_reversed(
    client: Client, module: ModulePage, learner: Any
) -> None:
    from quizzes.models import QuestionOption

    question = make_question(QuestionType.ORDERING)
    QuestionOption.objects.filter(question=question, text="Ask").delete()
    quiz = placed_quiz(module, [question])
    client.force_login(learner)
    for _ in range(4):
        attempt = start(client, quiz)
        shown = texts_in_order(page(client, attempt_url(attempt.pk)), "quiz-ordering")
        assert shown == ["Explain the visit", "Introduce yourself"]
        client.post(attempt_url(attempt.pk, "submit"))


# --- the review ---------------------------------------------------------------------------------

NEVER, AFTER_SUBMIT, AFTER_CLOSE = ReviewWhen.NEVER, ReviewWhen.AFTER_SUBMIT, ReviewWhen.AFTER_CLOSE

#: What each review option shows, as markers found only then (every answer is wrong).
SHOWS = {
    "score": ["Your score:", "badge--incorrect", "0 of 1"],
    "answers": [
        "The right answer",
        SECRETS[QuestionType.SHORT_ANSWER],
        "<li>526</li>",
        "Under 5 → ",
    ],
    "feedback": ["Feedback on your answer", "FB-general", "FB-true", "FB-s"],
}


def taken_wrongly(client: Client, module: ModulePage, learner: Any, **options: Any) -> Attempt:
    """A quiz of every type with ``options``, taken and submitted with every answer wrong."""
    quiz = placed_quiz(module, every_kind(), **options)
    client.force_login(learner)
    attempt = start(client, quiz)
    client.post(attempt_url(attempt.pk), form(attempt, wrong, action="save"))
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert attempt.state == "finished"
    return attempt


@pytest.mark.parametrize("shown", ["score", "answers", "feedback"])
@pytest.mark.parametrize(
    ("when", "closed", "visible"),
    [
        (NEVER, False, False),
        (NEVER, True, False),
        (AFTER_SUBMIT, False, True),
        (AFTER_SUBMIT, True, True),
        (AFTER_CLOSE, False, False),
        (AFTER_CLOSE, True, True),
    ],
    ids=["never", "never, closed", "after submit", "after submit, closed", "after close, open",
         "after close, closed"],
)  # fmt: skip
def test_review_options(
    client: Client,
    module: ModulePage,
    learner: Any,
    shown: str,
    when: str,
    closed: bool,
    visible: bool,
) -> None:
    options = {f"review_{name}": NEVER for name in SHOWS} | {f"review_{shown}": when}
    closes = timezone.now() + timedelta(days=1)
    attempt = taken_wrongly(client, module, learner, closes_at=closes, **options)
    if closed:
        Quiz.objects.filter(pk=attempt.quiz_id).update(
            closes_at=timezone.now() - timedelta(minutes=1)
        )
    text = page(client, attempt_url(attempt.pk, "review"))
    for name, markers in SHOWS.items():
        for marker in markers:
            expected = visible and name == shown
            assert (marker in text) is expected, (name, marker, expected)
    detail = page(client, quiz_url(attempt.quiz_id))
    assert ("Your grade: 0%" in detail) is (visible and shown == "score")
    assert ("Not shown yet" in detail) is not (visible and shown == "score")


def test_a_review_with_everything_never_shows_no_score_and_no_feedback(
    client: Client, module: ModulePage, learner: Any
) -> None:
    quiz = placed_quiz(
        module, review_score=NEVER, review_answers=NEVER, review_feedback=NEVER, pass_mark=40
    )
    client.force_login(learner)
    attempt = start(client, quiz)
    data = form(attempt, wrong)
    for kind in ("single_choice", "short_answer", "matching", "true_false"):
        data.update(right(answer_of(attempt, kind)))
    client.post(attempt_url(attempt.pk), {**data, "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (50, True)
    for url in (attempt_url(attempt.pk, "review"), quiz_url(quiz.pk)):
        text = page(client, url)
        for markers in SHOWS.values():
            for marker in markers:
                assert marker not in text, (url, marker)
        for word in ("50%", "4 of 8", "passed", "badge--correct", "badge--partial", "FB-"):
            assert word not in text, (url, word)
    review = page(client, attempt_url(attempt.pk, "review"))
    assert "Your trainer has chosen not to show the score yet." in review
    assert "<section" not in review.split('<main id="main"')[1]  # no question is shown
