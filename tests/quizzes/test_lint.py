# ruff: noqa: RUF001  (Russian and Kazakh question texts)
"""Item-writing lint (``quizzes.lint``): each rule flags a question that breaks it and leaves a
well-written one alone; the warnings reach the import report, the command and the CMS."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from quizzes.formats import parse_gift
from quizzes.importing import questions_import
from quizzes.lint import (
    Item,
    Option,
    item_from_parsed,
    item_from_question,
    lint,
    translated_titles,
)
from quizzes.models import Question, QuestionType
from tests.factories import UserFactory
from tests.factories.quizzes import QuestionCategoryFactory, make_question

from .test_admin_forms import ADD_QUESTION, question_form

SINGLE = QuestionType.SINGLE_CHOICE


def choice(text: str, *options: tuple[str, int], kind: str = SINGLE) -> Item:
    return Item(kind, text, tuple(Option(t, Decimal(w)) for t, w in options))


def codes(item: Item) -> list[str]:
    return [warning.code for warning in lint(item)]


GOOD = choice(
    "What helps most at a first meeting with a family?",
    ("Listen before you explain", 100),
    ("Explain the programme first", 0),
    ("Ask about the past at once", 0),
)


def test_a_well_written_question_has_no_warnings() -> None:
    assert lint(GOOD) == []


# --- (a) the right option much longer -----------------------------------------------------------


def test_a_right_option_much_longer_than_every_other_is_flagged() -> None:
    item = choice(
        "What helps most at a first meeting?",
        ("Listen", 0),
        ("Listen first, then explain calmly what the visit is for and what happens next", 100),
        ("Give advice", 0),
    )
    [warning] = lint(item)
    assert (warning.code, warning.option) == ("long-correct", 2)
    assert "option 2" in warning.message and "“Listen first" in warning.message


@pytest.mark.parametrize(
    ("right", "longest_wrong"),
    [
        ("A" * 29, "B" * 20),  # 1.45 times: under the ratio
        ("A" * 30, "B" * 12),  # 2.5 times but only 18 characters more: under the margin
        ("A" * 40, "B" * 40),  # as long as a wrong one
    ],
    ids=["ratio", "margin", "equal"],
)
def test_a_right_option_not_much_longer_is_not_flagged(right: str, longest_wrong: str) -> None:
    assert codes(choice("Which helps?", (right, 100), (longest_wrong, 0), ("C", 0))) == []


def test_the_threshold_itself_is_flagged() -> None:
    assert codes(choice("Which helps?", ("A" * 60, 100), ("B" * 40, 0))) == ["long-correct"]


def test_length_is_not_checked_with_several_right_options() -> None:
    item = choice(
        "Which help?",
        ("Predictable routines agreed with the family in advance, every week", 50),
        ("Choices", 50),
        ("Surprise", -100),
        kind=QuestionType.MULTIPLE_RESPONSE,
    )
    assert codes(item) == []


# --- (b) all / none of the above ----------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        "All of the above",
        "None of the above.",
        "all of these",
        "Все вышеперечисленное",
        "Всё вышеперечисленное",
        "все перечисленные",
        "Ничего из вышеперечисленного",
        "Ни один из перечисленных",
        "Все ответы верны",
        "Жоғарыдағылардың бәрі",
        "Жоғарыдағылардың ешқайсысы",
        "Жоғарыда аталғандардың барлығы",
        "Барлығы дұрыс",
        "Ешқайсысы",
    ],
)
def test_all_or_none_of_the_above_is_flagged(option: str) -> None:
    item = choice("What helps?", ("Listen", 100), ("Wait", 0), (option, 0))
    [warning] = lint(item)
    assert (warning.code, warning.option) == ("all-none-above", 3)
    assert option in warning.message


@pytest.mark.parametrize(
    "option",
    ["All children react differently", "Все дети реагируют по-разному", "Барлық балалар әртүрлі"],
)
def test_options_that_only_start_alike_are_not_flagged(option: str) -> None:
    assert codes(choice("What is true?", (option, 100), ("They need time to trust you", 0))) == []


# --- (c) negatives in the stem ------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "Which of these is NOT a sign of traumatic stress?",
        "Which of these does not help a child settle?",
        "Which reaction doesn't fit the case?",
        "What should you not say at a first visit?",
        "All of these help, except:",
        "Какой из подходов не помогает ребёнку?",
        "Что из перечисленного не относится к принципам?",
        "Что не следует делать на первой встрече?",
        "Все эти шаги помогают, кроме:",
        "Всё верно, за исключением:",
        "Назовите то, что НЕ помогает.",
        "Қайсысы травманың белгісі емес?",
        "Мыналардан басқа барлығы көмектеседі:",
        "Біреуін қоспағанда, бәрі дұрыс:",
    ],
)
def test_a_stem_asking_for_the_exception_is_flagged(stem: str) -> None:
    item = choice(stem, ("Listen", 100), ("Wait", 0))
    [warning] = lint(item)
    assert warning.code == "negative-stem"
    assert warning.option is None


@pytest.mark.parametrize(
    "stem",
    [
        "Why might a child not want to talk about the past?",
        "A mother does not attend the meeting. What do you do first?",
        "Почему ребёнок не хочет говорить о прошлом?",
        "Мать не пришла на встречу. Что вы сделаете сначала?",
        "Бала неге сөйлегісі келмейді?",
        "Басқа мамандармен қалай жұмыс істейсіз?",
    ],
)
def test_a_plain_negative_is_not_flagged(stem: str) -> None:
    assert codes(choice(stem, ("Listen", 100), ("Wait", 0))) == []


# --- (d) one-word short answers in several languages ----------------------------------------------


def short(*answers: str, translated: bool = True) -> Item:
    return Item(
        QuestionType.SHORT_ANSWER,
        "Which word names the ability to recover?",
        tuple(Option(a, Decimal(100)) for a in answers),
        translated,
    )


def test_a_one_word_answer_of_a_translated_question_is_flagged() -> None:
    [warning] = lint(short("resilience", "resiliency"))
    assert warning.code == "one-word-translated"
    assert "“resilience”, “resiliency”" in warning.message


@pytest.mark.parametrize(
    "item",
    [
        short("resilience", translated=False),
        short("resilien*"),
        short("bounce back"),
        short("526"),
    ],
    ids=["one language", "wildcard", "phrase", "number"],
)
def test_other_short_answers_are_not_flagged(item: Item) -> None:
    assert codes(item) == []


# --- the adapters -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_question_is_translated_when_another_locale_shares_its_key() -> None:
    from wagtail.models import Locale

    question = make_question(QuestionType.SHORT_ANSWER)
    assert item_from_question(question).translated is False
    assert lint(item_from_question(question)) == []
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    question.copy_for_translation(russian).save()
    assert item_from_question(question).translated is True
    assert [w.code for w in lint(item_from_question(question))] == ["one-word-translated"]


@pytest.mark.django_db
def test_translated_titles_asks_once() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Locale

    one = make_question(SINGLE, title="One")
    two = make_question(SINGLE, title="Two")
    one.copy_for_translation(Locale.objects.get_or_create(language_code="kk")[0]).save()
    with CaptureQueriesContext(connection) as ctx:
        found = translated_titles(
            [(one.category.name, "One"), (two.category.name, "Two"), ("Elsewhere", "One")]
        )
    assert found == {(one.category.name, "One")}
    assert len(ctx.captured_queries) == 1


def test_a_parsed_question_is_linted_like_a_stored_one() -> None:
    parsed = parse_gift(
        "::Q1::Which of these is NOT a principle? {=Blame ~Safety ~Trust ~All of the above}"
    )
    assert not parsed.errors
    assert [w.code for w in lint(item_from_parsed(parsed.questions[0]))] == [
        "all-none-above",
        "negative-stem",
    ]


def test_the_messages_are_translated() -> None:
    with translation.override("ru"):
        [warning] = lint(short("resilience"))
    assert warning.code == "one-word-translated"
    assert str(warning).endswith("[one-word-translated]")


# --- where trainers see them ----------------------------------------------------------------------

FLAWED = "::Flawed::Which of these is NOT helpful? {=Blame ~Safety ~Trust}\n\n"
CLEAN = "::Clean::What helps most at a first meeting? {=Listening ~Advice ~Forms}\n\n"


@pytest.mark.django_db
def test_the_import_report_lists_the_warnings_with_their_line() -> None:
    report = questions_import(
        text=CLEAN + FLAWED, fmt="gift", category="Bank", filename="q.gift", publish=True
    )
    assert report.ok, report.errors
    assert len(report.created) == 2  # imported anyway
    [warning] = report.warnings
    assert warning.line == 3 and warning.filename == "q.gift"
    assert "[negative-stem]" in str(warning) and str(warning).startswith("q.gift:3:")


@pytest.mark.django_db
def test_an_import_with_errors_has_no_warnings() -> None:
    report = questions_import(
        text=FLAWED + "::Broken::{", fmt="gift", category="Bank", filename="q.gift"
    )
    assert not report.ok and report.warnings == []


@pytest.mark.django_db
def test_a_clean_file_has_no_warnings() -> None:
    report = questions_import(text=CLEAN, fmt="gift", category="Bank", filename="q.gift")
    assert report.ok and report.warnings == []


@pytest.mark.django_db
def test_the_command_prints_the_warnings(tmp_path: Any) -> None:
    path = tmp_path / "q.gift"
    path.write_text(CLEAN + FLAWED, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(
        "import_questions", str(path), "--format", "gift", "--category", "Bank", stdout=out,
        stderr=err,
    )  # fmt: skip
    assert "warning:" in err.getvalue() and "[negative-stem]" in err.getvalue()
    assert "Clean" not in err.getvalue()


@pytest.mark.django_db
def test_the_import_screen_shows_the_warnings(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    payload = {
        "file": SimpleUploadedFile("q.gift", (CLEAN + FLAWED).encode()),
        "format": "gift",
        "new_category": "Uploaded",
    }
    page = client.post("/admin/quizzes/import/", payload).content.decode()
    assert "1 item-writing warning" in page
    assert "[negative-stem]" in page


@pytest.mark.django_db
def test_saving_a_flawed_question_in_the_cms_warns_and_saves(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    data = question_form(
        "single_choice",
        [
            {"text": "Listen", "weight": "0"},
            {"text": "All of the above", "weight": "100"},
        ],
        text="Which of these is NOT a principle?",
    )
    response = client.post(ADD_QUESTION, data, follow=True)
    assert response.status_code == 200
    assert Question.objects.filter(title="A question from the CMS").exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("[all-none-above]" in m and "option 2" in m for m in shown), shown
    assert any("[negative-stem]" in m for m in shown), shown


@pytest.mark.django_db
def test_saving_a_good_question_in_the_cms_gives_no_warning(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    QuestionCategoryFactory(name="Admin")
    data = question_form(
        "single_choice",
        [{"text": "Listen first", "weight": "100"}, {"text": "Give advice", "weight": "0"}],
    )
    response = client.post(ADD_QUESTION, data, follow=True)
    assert Question.objects.filter(title="A question from the CMS").exists()
    shown = [str(m) for m in response.context["messages"]]
    assert not any("[" in m and "]" in m for m in shown), shown


@pytest.mark.django_db
def test_editing_a_live_question_lints_the_unpublished_change(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    question = make_question(SINGLE, category=QuestionCategoryFactory(name="Admin"))
    stored = list(question.options.order_by("sort_order"))
    data = question_form(
        "single_choice",
        [
            {"text": "Listen first", "weight": "100"},
            {"text": "Ask about the camp", "weight": "0"},
            {"text": "None of the above", "weight": "0"},
        ],
        title=question.title,
    )
    data["options-INITIAL_FORMS"] = "3"
    for index, option in enumerate(stored):
        data[f"options-{index}-id"] = str(option.pk)
    response = client.post(
        f"/admin/snippets/quizzes/question/edit/{question.pk}/", data, follow=True
    )
    assert response.status_code == 200
    assert question.options.get(sort_order=2).text == "Give advice"  # live row unchanged
    shown = [str(m) for m in response.context["messages"]]
    assert any("[all-none-above]" in m and "option 3" in m for m in shown), shown
