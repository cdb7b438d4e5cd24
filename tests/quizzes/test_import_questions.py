"""Importing GIFT and Aiken files into the question bank, exporting it as GIFT, the commands and
the CMS pages.

Every kind of question is checked down to how it scores (through the same snapshot an attempt
takes), and every way a file can be rejected is checked to leave the bank exactly as it was.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from quizzes.exporting import parsed_question, questions_export
from quizzes.importing import (
    ImportProblem,
    ImportReport,
    category_path,
    questions_import,
    title_from_text,
)
from quizzes.models import (
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    QuizQuestion,
)
from quizzes.scoring import Outcome, score
from quizzes.services import question_snapshot
from tests.conftest import assert_max_queries
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import QuestionCategoryFactory, make_question, make_quiz

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
IMPORT_URL = "/admin/quizzes/import/"
EXPORT_URL = "/admin/quizzes/export/"
PRINCIPLES = "Bank/Trauma-informed care/Principles"
PRACTICE = "Bank/Trauma-informed care/Practice"


def import_fixture(name: str, category: str = "Bank", **options: Any) -> ImportReport:
    # The fixtures' $CATEGORY lines go inside the category named, as when asked to (``nest``).
    options.setdefault("nest", True)
    options.setdefault("publish", True)  # as the command and the curriculum loader import
    fmt = "aiken" if name.endswith(".txt") else "gift"
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return questions_import(text=text, fmt=fmt, category=category, filename=name, **options)


def import_text(text: str, category: str = "Bank", **options: Any) -> ImportReport:
    options.setdefault("nest", True)
    options.setdefault("publish", True)
    return questions_import(text=text, fmt="gift", category=category, filename="q.gift", **options)


def question(title: str, category: str | None = None) -> Question:
    found = Question.objects.filter(title=title)
    if category is not None:
        found = found.filter(category__name=category)
    return found.get()


def options(q: Question) -> list[tuple[Any, ...]]:
    return [
        (o.text, o.match, o.weight, o.value, o.tolerance, o.feedback)
        for o in q.options.order_by("sort_order")
    ]


def content(q: Question) -> tuple[Any, ...]:
    """What a question is, apart from where it is stored: for comparing a copy with its original."""
    return (
        q.kind, q.title, q.text, q.text_format, q.general_feedback, q.correct_answer,
        q.feedback_true, q.feedback_false, q.partial_credit, q.case_sensitive, options(q),
    )  # fmt: skip


def bank() -> list[Any]:
    """Every stored row of the bank, ids and timestamps included: equal before and after means
    nothing was written."""
    questions = Question.objects.select_related("category").order_by("pk")
    return [
        list(QuestionCategory.objects.order_by("pk").values_list("pk", "name")),
        [(q.pk, q.category.name, q.updated_at, *content(q)) for q in questions],
        list(QuestionOption.objects.order_by("pk").values_list("pk", "question_id", "sort_order")),
    ]


def outcome(title: str, respond: Any) -> Outcome:
    """Score a response built from the option ids of the question's snapshot, in authoring order."""
    snapshot, _layout = question_snapshot(question(title), rng=random.Random(1), shuffle=False)
    ids = [option["id"] for option in snapshot["options"]]
    return score(snapshot, respond(ids))


def fraction(title: str, respond: Any) -> Decimal:
    return outcome(title, respond).fraction


# Every GIFT type, down to its rows and its scores


def test_every_gift_type_becomes_the_right_rows() -> None:
    report = import_fixture("all_types.gift")

    assert report.ok, report.errors
    assert len(report.created) == 11

    safety = question("Safety first", PRINCIPLES)
    assert safety.kind == QuestionType.SINGLE_CHOICE
    assert safety.text_format == "html"
    assert safety.general_feedback.startswith("The six principles build")
    assert options(safety) == [
        (
            "Safety",
            "",
            100,
            None,
            None,
            "Yes: a person needs to feel safe before anything else can help.",
        ),
        ("Collaboration", "", 0, None, None, "Important, but it rests on safety."),
        ("Trustworthiness", "", 25, None, None, "Close: trust grows out of safety."),
    ]

    practices = question("Helpful practices", PRINCIPLES)
    assert practices.kind == QuestionType.MULTIPLE_RESPONSE
    assert practices.partial_credit is True
    assert [o[2] for o in options(practices)] == [50, 50, -100, 0]
    assert practices.text == "Which practices help a learner feel <b>in control</b>?"

    routine = question("Routine", PRINCIPLES)
    assert (routine.kind, routine.correct_answer) == (QuestionType.TRUE_FALSE, True)
    assert routine.feedback_true == "Right: routines lower uncertainty."
    assert routine.feedback_false == "Routines lower uncertainty, so the answer is true."
    assert options(routine) == []

    avoidance = question("Avoidance", PRINCIPLES)
    assert avoidance.correct_answer is False
    assert avoidance.general_feedback == "Let people decide what to share."

    senses = question("Grounding sense", PRINCIPLES)
    assert (senses.kind, senses.text_format) == (QuestionType.SHORT_ANSWER, "markdown")
    assert [(o[0], o[2]) for o in options(senses)] == [
        ("sight", 100),
        ("hearing", 100),
        ("smell", 50),
    ]

    counting = question("Counting senses", PRACTICE)
    assert counting.kind == QuestionType.NUMERIC
    assert [(o[3], o[4], o[2], o[5]) for o in options(counting)] == [
        (15, 0, 100, "5 + 4 + 3 + 2 + 1 = 15."),
        (14, 1, 50, "Almost: add the five numbers again."),
    ]
    breathing = question("Breathing", PRACTICE)
    assert [(o[3], o[4]) for o in options(breathing)] == [(6, 2)]  # 4..8 is 6 ± 2
    pi = question("Pi", PRACTICE)
    assert (pi.text_format, [(o[3], o[4]) for o in options(pi)]) == (
        "plain", [(Decimal("3.14"), Decimal("0.005"))],
    )  # fmt: skip

    matching = question("Match the principle", PRACTICE)
    assert matching.kind == QuestionType.MATCHING
    assert [(o[0], o[1]) for o in options(matching)] == [
        ("Safety", "A quiet, predictable room"),
        ("Choice", "Learners decide whether to share"),
        ("Collaboration", "Plans are made together"),
    ]

    missing = question("Missing word", PRACTICE)
    assert missing.text == (
        'A trauma-informed approach asks "what happened to you?" rather than _____ in conversation.'
    )

    escapes = question("Escapes", PRACTICE)
    assert escapes.text == (
        "Special characters: {braces}, equals = tilde ~ hash # and a backslash \\ stay as text."
        "<br>\nThis is a second line."
    )
    assert options(escapes)[0][0] == "a = b"
    assert options(escapes)[0][5] == "Feedback with # and { } kept."
    assert options(escapes)[1][0] == "c ~ d"


def test_imported_questions_score_as_written() -> None:
    import_fixture("all_types.gift")

    assert fraction("Safety first", lambda ids: {"choice": ids[0]}) == 1
    assert fraction("Safety first", lambda ids: {"choice": ids[2]}) == Decimal("0.25")
    assert outcome("Safety first", lambda ids: {"choice": ids[1]}).feedback == (
        "Important, but it rests on safety.",
    )
    assert fraction("Helpful practices", lambda ids: {"choices": ids[:2]}) == 1
    assert fraction("Helpful practices", lambda ids: {"choices": [ids[0]]}) == Decimal("0.5")
    assert fraction("Helpful practices", lambda ids: {"choices": [ids[0], ids[2]]}) == 0
    assert fraction("Routine", lambda ids: {"choice": "true"}) == 1
    assert outcome("Routine", lambda ids: {"choice": "false"}).feedback == (
        "Routines lower uncertainty, so the answer is true.",
    )
    assert fraction("Avoidance", lambda ids: {"choice": "false"}) == 1
    assert fraction("Avoidance", lambda ids: {"choice": "true"}) == 0
    assert fraction("Grounding sense", lambda ids: {"text": " Hearing "}) == 1
    assert fraction("Grounding sense", lambda ids: {"text": "smell"}) == Decimal("0.5")
    assert fraction("Grounding sense", lambda ids: {"text": "taste"}) == 0
    assert fraction("Counting senses", lambda ids: {"text": "15"}) == 1
    assert fraction("Counting senses", lambda ids: {"text": "13"}) == Decimal("0.5")
    assert fraction("Counting senses", lambda ids: {"text": "12.9"}) == 0
    for accepted in ("4", "6", "8"):
        assert fraction("Breathing", lambda ids, a=accepted: {"text": a}) == 1
    assert fraction("Breathing", lambda ids: {"text": "8.01"}) == 0
    assert fraction("Pi", lambda ids: {"text": "3,145"}) == 1
    assert fraction("Pi", lambda ids: {"text": "3.146"}) == 0

    matching = question("Match the principle")
    answers = [o.match for o in matching.options.order_by("sort_order")]
    assert (
        fraction(
            "Match the principle", lambda ids: {"matches": dict(zip(ids, answers, strict=True))}
        )
        == 1
    )
    swapped = [answers[1], answers[0], answers[2]]
    assert fraction(
        "Match the principle", lambda ids: {"matches": dict(zip(ids, swapped, strict=True))}
    ) == Decimal("0.3333")

    assert fraction("Missing word", lambda ids: {"choice": ids[1]}) == 1
    assert fraction("Escapes", lambda ids: {"choice": ids[0]}) == 1


def test_aiken_questions_are_plain_single_choice_titled_by_their_text() -> None:
    report = import_fixture("questions.txt", category="Aiken")

    assert report.ok
    safe = question("Which of these helps a learner feel safe?")
    assert (safe.kind, safe.text_format, safe.category.name) == ("single_choice", "plain", "Aiken")
    assert [o[2] for o in options(safe)] == [0, 100, 0]
    stance = question("Which question shows a trauma-informed stance?")
    assert [o[2] for o in options(stance)] == [0, 100, 0, 0]  # "ANSWER: b"
    assert fraction("What is a grounding exercise for?", lambda ids: {"choice": ids[0]}) == 1


# Formats, titles and categories


def test_text_formats_map_to_the_stored_formats() -> None:
    assert import_fixture("formats.gift").ok

    moodle = question("Moodle lines")
    # Moodle's own format is HTML in which a line break shows as one.
    assert moodle.text_format == "html"
    assert moodle.text == "A question in Moodle's own format<br>\nwritten over<br>\ntwo lines."
    assert question("Html").text_format == "html"
    assert question("Markdown").text_format == "markdown"
    plain = question("Plain")
    assert (plain.text_format, plain.text) == ("plain", "A plain <question> & text.")


def test_a_question_without_a_title_is_named_after_its_text() -> None:
    assert import_fixture("formats.gift").ok

    assert Question.objects.filter(title="Short untitled question?").exists()
    long = Question.objects.get(title__startswith="A question with no title")
    assert long.title == "A question with no title, whose markup is left out of the…"
    assert len(long.title) <= 61
    # The same text gives the same title, so a second import finds the questions again.
    again = import_fixture("formats.gift")
    assert (len(again.created), len(again.unchanged)) == (0, 6)


@pytest.mark.parametrize(
    ("text", "text_format", "expected"),
    [
        ("Plain <b>stays</b>", "plain", "Plain <b>stays</b>"),
        ("<p>An <em>HTML</em>&nbsp;text</p>", "html", "An HTML text"),  # NBSP collapses too
        ("# A **bold** `code` text", "markdown", "A bold code text"),
        ("Fill the _____ in.", "html", "Fill the _____ in."),
        ("word " * 20, "plain", "word word word word word word word word word word word word…"),
    ],
)
def test_title_from_text(text: str, text_format: str, expected: str) -> None:
    assert title_from_text(text, text_format) == expected


def test_category_lines_nest_under_the_category_named_on_import() -> None:
    report = import_fixture("categories.gift", category="Course")

    assert report.ok, report.errors
    where = dict(Question.objects.values_list("title", "category__name"))
    assert where == {
        "Uncategorised": "Course",
        "In module one": "Course/Module 1/Safety",
        "In system": "Course/Shared",
        "Under top": "Course/Plain top",
        "Spaced": "Course/Module 2/Choice",
        "Back to the base": "Course",
    }
    # The categories in between are made too, so a random draw can take a whole module.
    assert report.categories_created == [
        "Course", "Course/Module 1", "Course/Module 1/Safety", "Course/Module 2",
        "Course/Module 2/Choice", "Course/Plain top", "Course/Shared",
    ]  # fmt: skip
    assert set(QuestionCategory.objects.values_list("name", flat=True)) == set(
        report.categories_created
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (None, "Base"),
        ("$course$/top/A/B", "Base/A/B"),
        ("$module$/top", "Base"),
        ("top/top/A", "Base/top/A"),  # one "top" is Moodle's; the next is a real category
        (" A / B ", "Base/A/B"),
    ],
)
def test_category_path(path: str | None, expected: str) -> None:
    assert category_path("Base", path) == expected


def test_a_category_path_with_a_slash_inside_a_name_is_an_error() -> None:
    report = import_text("$CATEGORY: $course$/top/Before//after\n\n::A::One.{T}\n\n::B::Two.{F}\n")

    assert [str(e) for e in report.errors] == [
        "q.gift:3: the category path '$course$/top/Before//after' has an empty part; Moodle "
        "writes // for a / inside a category name, which cannot be kept here because / nests "
        "categories: rename it"
    ]
    assert not QuestionCategory.objects.exists()


def test_an_unusable_target_category_is_an_error() -> None:
    for name in ("  ", "A//B", "A/"):
        report = import_text("::A::One.{T}", category=name)
        assert "is not a usable name" in str(report.errors[0])
    report = import_text("::A::One.{T}", category="x" * 256)
    assert "at most 255 characters" in str(report.errors[0])
    assert not QuestionCategory.objects.exists()


def test_the_files_own_categories_are_used_unless_asked_to_nest() -> None:
    report = import_fixture("categories.gift", category="Course", nest=False)

    assert report.ok, report.errors
    where = dict(Question.objects.values_list("title", "category__name"))
    assert where == {
        "Uncategorised": "Course",
        "In module one": "Module 1/Safety",
        "In system": "Shared",
        "Under top": "Plain top",
        "Spaced": "Module 2/Choice",
        "Back to the base": "Course",
    }
    assert "Course/Module 1" not in report.categories_created
    assert "Module 1" in report.categories_created


def test_questions_with_no_category_anywhere_are_an_error() -> None:
    report = import_text("::A::One.{T}\n\n::B::Two.{F}\n", category="", nest=False)
    assert [str(e) for e in report.errors] == [
        "q.gift:1: this question has no category: no $CATEGORY line comes before it and no "
        "category was given; add a $CATEGORY line before it, or choose a category for such "
        "questions"
    ]
    report = import_text("::A::One.{T}", category="")
    assert "name that category" in str(report.errors[0])
    assert not QuestionCategory.objects.exists()


# Importing again


def test_importing_the_same_file_twice_changes_nothing() -> None:
    import_fixture("all_types.gift")
    before = bank()

    report = import_fixture("all_types.gift")

    assert report.ok
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 11)
    assert report.categories_created == []
    assert report.summary() == "0 created, 0 updated, 11 unchanged"
    assert bank() == before


def test_a_changed_question_is_updated_in_place_and_its_options_replaced() -> None:
    import_fixture("all_types.gift")
    safety = question("Safety first")
    quiz = make_quiz([safety])
    text = (FIXTURES / "all_types.gift").read_text().replace("~Collaboration#", "~Co-operation#")

    report = questions_import(
        text=text, fmt="gift", category="Bank", filename="all_types.gift", nest=True, publish=True
    )

    assert [q.title for q in report.updated] == ["Safety first"]
    assert len(report.unchanged) == 10
    updated = question("Safety first")
    assert updated.pk == safety.pk  # same row: quizzes that use it keep it
    assert QuizQuestion.objects.get(quiz=quiz).question_id == safety.pk
    assert [o[0] for o in options(updated)] == ["Safety", "Co-operation", "Trustworthiness"]
    assert Question.objects.count() == 11


def test_settings_a_file_does_not_carry_are_kept_on_update() -> None:
    import_fixture("all_types.gift")
    Question.objects.filter(title="Grounding sense").update(
        default_mark=Decimal(3), case_sensitive=True
    )
    Question.objects.filter(title="Helpful practices").update(partial_credit=False)

    report = import_fixture("all_types.gift")

    assert len(report.unchanged) == 11
    senses = question("Grounding sense")
    assert (senses.default_mark, senses.case_sensitive) == (3, True)
    assert question("Helpful practices").partial_credit is False


def test_text_with_crlf_line_ends_from_the_cms_counts_as_unchanged() -> None:
    import_fixture("all_types.gift")
    escapes = question("Escapes")
    escapes.text = escapes.text.replace("\n", "\r\n") + "\r\n"
    escapes.save()

    assert len(import_fixture("all_types.gift").unchanged) == 11


# Invalid files change nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            (FIXTURES / "broken.gift").read_text(),
            ["broken.gift:3: the answer block opened with { on line 3 is not closed"],
            id="parse-error",
        ),
        pytest.param(
            (FIXTURES / "rejected_by_engine.gift").read_text(),
            [
                "broken.gift:3: options: The credits of the right options must add up to 100% "
                "(they add up to 99.9%).",
                "broken.gift:10: answer 2, credit (%): Ensure that there are no more than 5 "
                "decimal places.",
            ],
            id="rejected-by-the-engine",
        ),
        pytest.param(
            (FIXTURES / "unsupported.gift").read_text(),
            [
                "broken.gift:3: the feedback for any other number (~#feedback in a numeric "
                "question) cannot be stored",
                "broken.gift:7: the feedback for any other number",
            ],
            id="unsupported",
        ),
        pytest.param(
            "::Safety first::Which comes first?{=%50%Safety ~Choice}",
            ["broken.gift:1: a weight after = in a multiple-choice question is not read"],
            id="single-choice-without-100",
        ),
        pytest.param(
            f"::{'x' * 256}::A long title.{{T}}",
            ["broken.gift:1: title: Ensure this value has at most 255 characters (it has 256)."],
            id="title-too-long",
        ),
        pytest.param(
            "::Pairs::Match.{=a -> " + "b" * 256 + " =c -> d}",
            ["broken.gift:1: answer 1, matching answer: Ensure this value has at most 255"],
            id="match-too-long",
        ),
        pytest.param(
            "::N::Tiny.{#0.00000001..0.00000002}",
            ["broken.gift:1: answer 1, number: Ensure that there are no more than 8 decimal"],
            id="range-midpoint-too-precise",
        ),
    ],
)
def test_an_invalid_file_changes_nothing_even_over_existing_questions(
    text: str, expected: list[str]
) -> None:
    import_fixture("all_types.gift")  # questions already in the bank
    # The same file with one question changed, so a partial write would show.
    text = (FIXTURES / "all_types.gift").read_text().replace("~Collaboration#", "~Changed#") + (
        "\n\n$CATEGORY: top\n\n" + text
    )
    offset = (FIXTURES / "all_types.gift").read_text().count("\n") + 4
    before = bank()

    report = questions_import(text=text, fmt="gift", category="Bank", filename="broken.gift")

    assert not report.ok
    assert bank() == before
    assert (report.created, report.updated, report.unchanged) == ([], [], [])
    messages = [str(e) for e in report.errors]
    shifted = [_shift(message, offset) for message in expected]
    assert len(messages) >= len(shifted)
    for wanted in shifted:
        assert any(message.startswith(wanted) for message in messages), (wanted, messages)


def _shift(message: str, offset: int) -> str:
    """The expected message with every line number in it moved down by ``offset`` lines."""
    message = re.sub(r"^([^:]+):(\d+):", lambda m: f"{m[1]}:{int(m[2]) + offset}:", message)
    return re.sub(r"on line (\d+)", lambda m: f"on line {int(m[1]) + offset}", message)


def test_a_file_without_questions_is_an_error() -> None:
    report = import_text("// only a comment\n\n")
    assert [str(e) for e in report.errors] == ["q.gift: the file has no questions"]
    report = import_text("::Days::How many?{#7~#Count them.}", skip_unsupported=True)
    assert [str(e) for e in report.errors] == ["q.gift: the file has no questions left to import"]
    assert not QuestionCategory.objects.exists()


def test_every_problem_of_a_file_is_reported_at_once_with_file_and_line() -> None:
    report = import_fixture("broken.gift")

    assert [e.line for e in report.errors] == [3, 7, 9, 15, 19, 22, 24, 26, 28, 30]
    assert str(report.errors[4]) == (
        "broken.gift:19: empty answer after = (in the question on line 17)"
    )
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.exists()


def test_duplicate_titles_are_imported_as_distinct_questions_with_a_note() -> None:
    # Moodle imports every question of a file, whatever its name.
    text = "::Same::One.{T}\n\n::Other::Two.{T}\n\n::Same::Three.{F}\n"
    report = import_text(text)

    assert report.ok
    assert [str(n) for n in report.notes] == [
        "q.gift:5: the title 'Same' is also used by the question on line 1 (category 'Bank'); "
        "this question was imported as 'Same (2)'. Importing the same file again updates both"
    ]
    assert question("Same").correct_answer is True
    assert question("Same (2)").correct_answer is False
    again = import_text(text)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 3)


def test_duplicate_titles_made_from_the_text_get_suffixes_too() -> None:
    report = import_text("Is this true?{T}\n\nIs this true?{F}\n\nIs this true?{T}\n")

    assert report.ok
    assert sorted(q.title for q in report.created) == [
        "Is this true?",
        "Is this true? (2)",
        "Is this true? (3)",
    ]
    assert len(report.notes) == 2


def test_the_same_title_in_two_categories_is_fine() -> None:
    report = import_text("::Same::One.{T}\n\n$CATEGORY: Other\n\n::Same::Two.{T}\n")

    assert report.ok
    assert Question.objects.filter(title="Same").count() == 2


@pytest.mark.parametrize("kind", [QuestionType.ORDERING, QuestionType.SCENARIO])
def test_a_file_never_replaces_a_question_gift_cannot_express(kind: str) -> None:
    existing = make_question(kind, title="Keep me", category=QuestionCategoryFactory(name="Bank"))
    before = bank()

    report = import_text("::Keep me::Replace it?{T}\n")

    assert [str(e) for e in report.errors] == [
        f"q.gift:1: the question 'Keep me' in 'Bank' is an existing "
        f"{QuestionType(kind).label.lower()} question, which a question file cannot express; "
        "importing would replace it: give this question another title"
    ]
    assert bank() == before
    assert question("Keep me").kind == existing.kind


def test_skip_unsupported_imports_the_rest_and_lists_what_it_skipped() -> None:
    report = import_fixture("unsupported.gift", skip_unsupported=True)

    assert report.ok
    message = (
        "the feedback for any other number (~#feedback in a numeric question) cannot be stored: "
        "the quiz engine gives a number that no answer accepts 0% without feedback"
    )
    assert [str(s) for s in report.skipped] == [
        f"unsupported.gift:3: {message}",
        f"unsupported.gift:7: {message}",
    ]
    assert list(Question.objects.values_list("title", flat=True)) == ["Ready"]
    assert report.summary() == (
        "1 created, 0 updated, 0 unchanged, 2 skipped as unsupported; new categories: Bank"
    )


def test_a_dry_run_reports_and_writes_nothing() -> None:
    import_fixture("all_types.gift")
    text = (FIXTURES / "all_types.gift").read_text().replace("~Collaboration#", "~Changed#")
    text += "\n\n$CATEGORY: New\n\n::Fresh::A new one.{T}\n"
    before = bank()

    report = questions_import(text=text, fmt="gift", category="Bank", dry_run=True, nest=True)

    assert bank() == before
    assert [q.title for q in report.created] == ["Fresh"]
    assert [q.title for q in report.updated] == ["Safety first"]
    assert report.categories_created == ["Bank/New"]
    assert report.summary().startswith("check only, nothing stored: 1 to create, 1 to update")


def test_a_dry_run_of_an_invalid_file_reports_its_errors() -> None:
    report = import_fixture("broken.gift", dry_run=True)

    assert len(report.errors) == 10


def test_problems_print_as_file_line_message() -> None:
    assert str(ImportProblem(4, "bad", "q.gift")) == "q.gift:4: bad"
    assert str(ImportProblem(4, "bad")) == "line 4: bad"
    assert str(ImportProblem(None, "bad", "q.gift")) == "q.gift: bad"


# Export


def test_export_then_import_into_a_new_category_recreates_the_same_questions() -> None:
    import_fixture("all_types.gift")
    source = QuestionCategory.objects.get(name="Bank")

    result = questions_export(category=source)
    report = questions_import(text=result.text, fmt="gift", category="Copy", nest=True)

    assert (result.exported, result.skipped, result.warnings) == (11, [], [])
    assert report.ok and len(report.created) == 11
    for original in Question.objects.filter(category__name__startswith="Bank"):
        copy = question(original.title, original.category.name.replace("Bank", "Copy", 1))
        assert content(copy) == content(original)


def test_export_then_import_over_the_same_category_changes_nothing() -> None:
    import_fixture("all_types.gift")
    before = bank()
    result = questions_export(category=QuestionCategory.objects.get(name="Bank"))

    report = questions_import(text=result.text, fmt="gift", category="Bank", nest=True)

    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 11)
    assert bank() == before


def test_questions_made_in_the_cms_survive_the_round_trip() -> None:
    category = QuestionCategoryFactory(name="CMS")
    inner = QuestionCategoryFactory(name="CMS/Inner")
    kinds = [
        QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE, QuestionType.TRUE_FALSE,
        QuestionType.SHORT_ANSWER, QuestionType.NUMERIC,
    ]  # fmt: skip
    for kind in kinds:
        made = make_question(kind, category=inner)
        # As a browser sends it from the CMS, with CRLF; "_____" in the middle is a missing word.
        made.text = f"Line one\r\nline two of {kind} _____ here."
        made.save()
    made = make_question(QuestionType.TRUE_FALSE, category=category, title="At the end")
    made.text = "Ends with a blank: _____"  # GIFT cannot put a missing word last: it stays text
    made.save()
    before = bank()

    result = questions_export(category=category)
    over = questions_import(text=result.text, fmt="gift", category="CMS", nest=True)
    assert len(over.unchanged) == 6
    assert bank() == before
    fresh = questions_import(text=result.text, fmt="gift", category="Fresh", nest=True)

    assert result.text.index("$CATEGORY: $course$/top/Inner") > result.text.index("blank")
    assert "line two of numeric {#" in result.text  # a missing word, as Moodle writes it
    assert len(fresh.created) == 6
    for original in Question.objects.filter(category__name__startswith="CMS"):
        copy = question(original.title, original.category.name.replace("CMS", "Fresh", 1))
        expected = list(content(original))
        expected[2] = original.text.replace("\r\n", "\n")
        assert list(content(copy)) == expected


def test_ordering_and_scenario_questions_are_listed_not_exported() -> None:
    category = QuestionCategoryFactory(name="Mixed")
    make_question(QuestionType.SINGLE_CHOICE, category=category, title="Kept")
    make_question(QuestionType.ORDERING, category=category, title="Steps")
    make_question(QuestionType.SCENARIO, category=category, title="A visit")
    # Moodle writes a matching question's extra wrong answer as "= -> answer": kept.
    make_question(QuestionType.MATCHING, category=category, title="Ages")  # has a distractor

    result = questions_export(category=category)

    assert result.exported == 2
    assert result.skipped == [
        "'Steps' (Mixed): GIFT has no ordering questions",
        "'A visit' (Mixed): GIFT has no scenario questions (a case with feedback on every option)",
    ]
    assert "= -> Distractor" in result.text
    assert result.text.startswith("// Not exported: GIFT cannot express these questions.\n")
    assert "// - 'Steps' (Mixed): GIFT has no ordering questions\n" in result.text
    assert "::Kept::" in result.text
    imported = questions_import(text=result.text, fmt="gift", category="Again", nest=True)
    assert sorted(q.title for q in imported.created) == ["Ages", "Kept"]


def test_settings_gift_cannot_carry_are_warned_about() -> None:
    category = QuestionCategoryFactory(name="Marks")
    make_question(QuestionType.SHORT_ANSWER, category=category, title="Word", default_mark=2,
                  case_sensitive=True)  # fmt: skip

    result = questions_export(category=category)

    assert result.exported == 1
    assert [w.split(": GIFT")[0] for w in result.warnings] == [
        "'Word' (Marks): exported without its marks (2)",
        "'Word' (Marks): exported without case-sensitive answers",
    ]


def test_export_without_subcategories_and_of_the_whole_bank() -> None:
    import_fixture("categories.gift", category="Course")

    own = questions_export(
        category=QuestionCategory.objects.get(name="Course"), include_subcategories=False
    )
    everything = questions_export(category=None)

    assert own.exported == 2
    assert "$CATEGORY" not in own.text
    assert everything.exported == 6
    assert "$CATEGORY: $course$/top/Course/Module 1/Safety" in everything.text
    report = questions_import(text=everything.text, fmt="gift", category="Copy", nest=True)
    assert "Copy/Course/Module 1/Safety" in report.categories_created


@pytest.mark.parametrize("count", [2, 12])
def test_the_export_runs_two_queries_however_many_questions(count: int) -> None:
    category = QuestionCategoryFactory(name="Many")
    inner = QuestionCategoryFactory(name="Many/Inner")
    for number in range(count):
        make_question(QuestionType.MATCHING if number % 2 else QuestionType.NUMERIC,
                      category=category if number % 3 else inner)  # fmt: skip

    with assert_max_queries(2):
        result = questions_export(category=category)

    assert result.exported + len(result.skipped) == count


def test_parsed_question_leaves_the_category_out_without_a_base() -> None:
    q = make_question(QuestionType.NUMERIC, category=QuestionCategoryFactory(name="A/B"))
    q = Question.objects.prefetch_related("options").get(pk=q.pk)

    assert parsed_question(q, base=None).category is None
    assert parsed_question(q, base="A").category == "$course$/top/B"
    assert parsed_question(q, base="A/B").category is None


# The commands


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_import_command_imports_and_prints_a_summary() -> None:
    path = FIXTURES / "all_types.gift"
    out, _ = run("import_questions", str(path), "--format", "gift", "--category", "Bank", "--nest")
    assert out.strip().endswith("into 'Bank': 11 created, 0 updated, 0 unchanged; new categories: "
                                "Bank, Bank/Trauma-informed care, Bank/Trauma-informed care/Practice, "
                                "Bank/Trauma-informed care/Principles.")  # fmt: skip

    out, _ = run("import_questions", str(path), "--format=gift", "--category=Bank", "--nest", "-v2")
    assert out.strip().endswith("0 created, 0 updated, 11 unchanged.")


def test_the_import_command_uses_the_files_own_categories_without_category() -> None:
    path = FIXTURES / "all_types.gift"
    out, _ = run("import_questions", str(path), "--format", "gift")
    assert "11 created" in out
    assert set(QuestionCategory.objects.values_list("name", flat=True)) == {
        "Trauma-informed care", "Trauma-informed care/Practice", "Trauma-informed care/Principles",
    }  # fmt: skip
    with pytest.raises(CommandError, match="An Aiken file has no categories"):
        run("import_questions", str(FIXTURES / "questions.txt"), "--format", "aiken")
    with pytest.raises(CommandError, match="--nest puts the file's categories inside"):
        run("import_questions", str(path), "--format", "gift", "--nest")


def test_the_import_command_lists_every_error_and_fails() -> None:
    path = FIXTURES / "broken.gift"
    with pytest.raises(CommandError) as error:
        run("import_questions", str(path), "--format", "gift", "--category", "Bank")

    message = str(error.value)
    assert message.startswith(f"10 problems in {path}; nothing was imported:\n")
    assert f"{path}:19: empty answer after = (in the question on line 17)" in message
    assert message.count(f"{path}:") == 10
    assert error.value.returncode == 1
    assert not Question.objects.exists()


def test_the_import_command_skips_unsupported_only_when_asked() -> None:
    path = str(FIXTURES / "unsupported.gift")
    with pytest.raises(CommandError, match="2 problems"):
        run("import_questions", path, "--format", "gift", "--category", "Bank")

    out, err = run("import_questions", path, "--format", "gift", "--category", "Bank",
                   "--skip-unsupported")  # fmt: skip

    assert err.count("skipped: ") == 2
    assert f"skipped: {path}:7: the feedback for any other number" in err
    assert "1 created" in out


def test_the_import_command_dry_run_and_aiken() -> None:
    path = str(FIXTURES / "questions.txt")
    out, _ = run("import_questions", path, "--format", "aiken", "--category", "A", "--dry-run")
    assert "check only, nothing stored: 3 to create" in out
    assert not Question.objects.exists()


def test_the_import_command_rejects_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.gift"
    path.write_bytes("::Вопрос::Это правда?{T}\n".encode("cp1251"))

    with pytest.raises(CommandError) as error:
        run("import_questions", str(path), "--format", "gift", "--category", "Bank")

    assert str(error.value).startswith(f"{path}:1: the file is not valid utf-8 text (byte 2")
    assert "--encoding" in str(error.value)
    run(
        "import_questions",
        str(path),
        "--format",
        "gift",
        "--category",
        "Bank",
        "--encoding",
        "cp1251",
    )
    assert Question.objects.get().title == "Вопрос"


def test_the_import_command_accepts_a_bom_and_reports_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "bom.gift"
    path.write_bytes("\ufeff::Title::Text?{T}\n".encode())
    run("import_questions", str(path), "--format", "gift", "--category", "Bank")
    assert Question.objects.get().title == "Title"

    with pytest.raises(CommandError, match="does not exist"):
        run("import_questions", str(tmp_path / "nope.gift"), "--format", "gift", "--category", "B")
    with pytest.raises(CommandError, match="unknown encoding"):
        run("import_questions", str(path), "--format", "gift", "--category", "B", "--encoding", "x")


def test_the_export_command_writes_gift(tmp_path: Path) -> None:
    import_fixture("all_types.gift")

    out, _ = run("export_questions", "--category", "Bank")
    assert "::Safety first::" in out
    target = tmp_path / "bank.gift"
    out, _ = run("export_questions", "--category", "Bank", "-o", str(target))
    assert out.strip() == f"11 questions of 'Bank' written to {target}."
    assert (
        target.read_text(encoding="utf-8")
        == questions_export(category=QuestionCategory.objects.get(name="Bank")).text
    )


def test_the_export_command_fails_on_what_gift_cannot_hold_unless_told(tmp_path: Path) -> None:
    category = QuestionCategoryFactory(name="Mixed")
    make_question(QuestionType.SINGLE_CHOICE, category=category, title="Kept")
    make_question(QuestionType.ORDERING, category=category, title="Steps")
    target = tmp_path / "mixed.gift"

    with pytest.raises(CommandError) as error:
        run("export_questions", "--category", "Mixed", "-o", str(target))
    assert "1 question cannot be written in GIFT; nothing was written" in str(error.value)
    assert "'Steps' (Mixed): GIFT has no ordering questions" in str(error.value)
    assert not target.exists()

    _, err = run("export_questions", "--category", "Mixed", "-o", str(target), "--skip-unsupported")
    assert "not exported: 'Steps' (Mixed)" in err
    assert "::Kept::" in target.read_text()
    with pytest.raises(CommandError, match="There is no question category 'Nope'"):
        run("export_questions", "--category", "Nope")


# The CMS pages


@pytest.fixture
def trainer(client: Client) -> Any:
    user = UserFactory(groups=["Trainer"])
    client.force_login(user)
    return user


def upload(client: Client, data: bytes, name: str = "questions.gift", **fields: Any) -> Any:
    payload = {"file": SimpleUploadedFile(name, data), "format": "gift", "nest": "on", **fields}
    if "category" not in fields:
        payload.setdefault("new_category", "Uploaded")
    return client.post(IMPORT_URL, payload)


def test_the_upload_imports_and_shows_the_counts(client: Client, trainer: Any) -> None:
    response = upload(client, (FIXTURES / "all_types.gift").read_bytes())

    page = response.content.decode()
    assert response.status_code == 200
    assert "11 created, 0 updated, 0 unchanged" in page
    assert 'href="/admin/snippets/quizzes/question/"' in page
    assert Question.objects.filter(category__name__startswith="Uploaded").count() == 11

    existing = QuestionCategory.objects.get(name="Uploaded")
    page = upload(client, (FIXTURES / "all_types.gift").read_bytes(), category=existing.pk)
    assert "0 created, 0 updated, 11 unchanged" in page.content.decode()


def test_the_upload_shows_the_notes_of_renamed_duplicates(client: Client, trainer: Any) -> None:
    data = b"::Same::First? {T}\n\n::Same::Second? {F}\n"
    page = upload(client, data, name="dupes.gift").content.decode()
    assert "1 note" in page
    assert "dupes.gift:3:" in page and "Same (2)" in page
    assert Question.objects.filter(title="Same (2)").exists()


def test_the_upload_lists_every_error_and_stores_nothing(client: Client, trainer: Any) -> None:
    response = upload(client, (FIXTURES / "broken.gift").read_bytes(), name="broken.gift")

    page = response.content.decode()
    assert "10 problems: nothing was stored" in page
    assert "broken.gift:19: empty answer after = (in the question on line 17)" in page
    assert "broken.gift:30: the title is not closed" in page
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.exists()


def test_the_upload_can_skip_unsupported_and_check_only(client: Client, trainer: Any) -> None:
    data = (FIXTURES / "unsupported.gift").read_bytes()

    page = upload(client, data, name="unsupported.gift", skip_unsupported="on", dry_run="on")
    page = page.content.decode()

    assert "Check only: the file is valid, nothing was stored" in page
    assert "unsupported.gift:3: the feedback for any other number" in page
    assert not Question.objects.exists()
    upload(client, data, skip_unsupported="on")
    assert Question.objects.count() == 1


def test_the_upload_imports_aiken(client: Client, trainer: Any) -> None:
    upload(client, (FIXTURES / "questions.txt").read_bytes(), name="q.txt", format="aiken")
    assert Question.objects.filter(text_format="plain").count() == 3


@pytest.mark.parametrize(
    ("data", "fields", "expected"),
    [
        (b"x" * (2 * 1024 * 1024 + 1), {}, "The file is larger than 2 MB."),
        (b"", {}, "The submitted file is empty."),
        ("::Тема::Да?{T}".encode("cp1251"), {}, "questions.gift is not UTF-8 text"),
        (b"::A::B?{T}", {"new_category": "", "nest": ""}, "this question has no category"),
        (b"::A::B?{T}", {"new_category": ""}, "Choose the category to put the file"),
        (
            b"A?\nA. Yes\nB. No\nANSWER: A\n",
            {"new_category": "", "nest": "", "format": "aiken"},
            "An Aiken file has no categories: choose one or name a new one.",
        ),
    ],
)
def test_the_upload_form_refuses_bad_input(
    client: Client, trainer: Any, data: bytes, fields: dict[str, str], expected: str
) -> None:
    page = upload(client, data, **fields).content.decode()

    assert expected in page
    assert not Question.objects.exists()


def test_the_upload_refuses_a_category_chosen_twice(client: Client, trainer: Any) -> None:
    existing = QuestionCategoryFactory(name="Existing")
    page = upload(client, b"::A::B?{T}", category=existing.pk, new_category="New").content.decode()
    assert "Choose an existing category or name a new one, not both." in page


def _cms_user_without_quiz_permissions() -> Any:
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


ROLES = {
    "practitioner": lambda: practitioner(),
    "ministry": lambda: UserFactory(groups=["Ministry"]),
    "coordinator": lambda: UserFactory(groups=["Regional coordinator"]),
    "cms user without the permission": _cms_user_without_quiz_permissions,
    "trainer": lambda: UserFactory(groups=["Trainer"]),
    "reviewer": lambda: UserFactory(groups=["Course reviewer"]),
    "superuser": lambda: UserFactory(is_superuser=True),
}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # Wagtail's admin gate sends anyone without admin access to the sign-in page first.
        ("anonymous", "login"),
        ("practitioner", "login"),
        ("ministry", 403),  # in the CMS for certification, without quiz permissions
        ("coordinator", "login"),
        ("cms user without the permission", 403),
        ("trainer", 200),
        ("reviewer", 200),
        ("superuser", 200),
    ],
)
@pytest.mark.parametrize("url", [IMPORT_URL, EXPORT_URL])
def test_who_may_import_and_export(client: Client, who: str, expected: Any, url: str) -> None:
    if who != "anonymous":
        client.force_login(ROLES[who]())

    response = client.get(url)

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected
    if url == IMPORT_URL:
        upload(client, b"::A::B?{T}")
        assert Question.objects.exists() is (expected == 200)


def test_the_menu_shows_import_and_export_to_those_allowed(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    page = client.get("/admin/").content.decode()
    assert "Import questions" in page and "Export questions" in page

    client.force_login(_cms_user_without_quiz_permissions())
    page = client.get("/admin/").content.decode()
    assert "Import questions" not in page and "Export questions" not in page


def test_the_export_page_lists_skipped_questions_and_downloads(
    client: Client, trainer: Any
) -> None:
    category = QuestionCategoryFactory(name="Trauma care/Модуль 1")
    make_question(QuestionType.SINGLE_CHOICE, category=category, title="Kept")
    make_question(QuestionType.ORDERING, category=category, title="Steps")

    assert client.get(EXPORT_URL).status_code == 200
    page = client.get(EXPORT_URL, {"category": category.pk, "subcategories": "on"})
    html = page.content.decode()
    assert "1 question can be exported." in html
    assert "&#x27;Steps&#x27; (Trauma care/Модуль 1): GIFT has no ordering questions" in html
    assert "download=1" in html

    download = client.get(EXPORT_URL, {"category": category.pk, "download": 1})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''trauma-care-%D0%BC%D0%BE%D0%B4%D1%83%D0%BB%D1%8C-1.gift"
    )
    text = download.content.decode()
    assert "::Kept::" in text and "// - 'Steps'" in text
