"""Aiken: single-choice questions in plain text, and every broken file reported by line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.formats import (
    Choice,
    FormatError,
    ParsedQuestion,
    QuestionKind,
    TextFormat,
    parse_aiken,
    parse_gift,
    write_gift,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_questions_file() -> None:
    result = parse_aiken((FIXTURES / "questions.txt").read_text())
    assert result.ok
    assert [question.line for question in result.questions] == [1, 7, 11]
    first = result.questions[0]
    assert first == ParsedQuestion(
        kind=QuestionKind.SINGLE_CHOICE,
        text="Which of these helps a learner feel safe?",
        text_format=TextFormat.PLAIN,
        choices=(
            Choice("Sudden changes of plan", Decimal(0)),
            Choice("A predictable routine", Decimal(100)),
            Choice("Being asked to share in front of the group", Decimal(0)),
        ),
    )


def test_parenthesis_options_and_lower_case_answer_letter() -> None:
    result = parse_aiken((FIXTURES / "questions.txt").read_text())
    grounding, stance = result.questions[1], result.questions[2]
    assert [choice.text for choice in grounding.choices] == [
        "Bringing attention back to the present",
        "Testing memory",
    ]
    assert grounding.choices[0].weight == 100
    assert [choice.weight for choice in stance.choices] == [0, 100, 0, 0]


def test_question_text_may_span_lines_and_blank_lines_are_optional() -> None:
    result = parse_aiken(
        "A family has just arrived.\nWhat helps most at first?\nA. A calm welcome\n"
        "B. A long form\nANSWER: A\nNext?\nA. Yes\nB. No\nANSWER: B\n"
    )
    assert result.ok
    assert result.questions[0].text == "A family has just arrived.\nWhat helps most at first?"
    assert [question.line for question in result.questions] == [1, 6]


def test_windows_line_endings_and_indentation() -> None:
    result = parse_aiken("\ufeffSafe?\r\n  A. Yes\r\n  B. No\r\n  ANSWER:A\r\n")
    assert result.ok
    assert result.questions[0].choices[0] == Choice("Yes", Decimal(100))


def test_empty_file() -> None:
    result = parse_aiken("\n\n")
    assert result.ok
    assert result.questions == []


def test_broken_file_reports_each_question_with_its_line() -> None:
    result = parse_aiken((FIXTURES / "broken_aiken.txt").read_text())
    assert [str(error) for error in result.errors] == [
        "line 1 (problem at line 5): the question has no ANSWER: line before the next question",
        "line 5 (problem at line 7): a question needs at least two options, found 1",
        "line 9 (problem at line 12): ANSWER: E is not one of the options A, B",
        "line 14: option A has no question before it",
        "line 16 (problem at line 18): option A appears twice",
    ]
    assert [question.text for question in result.questions] == ["Which is kind?"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Safe?\nA. Yes\nB. No\n",
            FormatError(1, "the question has no ANSWER: line before the end of the file"),
        ),
        ("ANSWER: A\n", FormatError(1, "ANSWER: without a question before it")),
        ("Safe?\nANSWER: A\n", FormatError(1, "a question needs at least two options, found 0", 2)),
        (
            "Safe?\nA. Yes\nB. No\nANSWER: AB\n",
            FormatError(1, "ANSWER: must be followed by one option letter, not 'AB'", 4),
        ),
        (
            "Safe?\nA. Yes\nB. No\nANSWER:\n",
            FormatError(1, "ANSWER: must be followed by one option letter, not ''", 4),
        ),
        ("Safe?\nA.\nB. No\nANSWER: B\n", FormatError(1, "option A has no text", 2)),
        (
            "Safe?\n\nIs it?\nA. Yes\nB. No\nANSWER: A\n",
            FormatError(1, "the question has no options before the next question", 3),
        ),
    ],
)
def test_errors(source: str, expected: FormatError) -> None:
    assert parse_aiken(source).errors == [expected]


def test_aiken_questions_can_be_written_as_gift() -> None:
    questions = parse_aiken((FIXTURES / "questions.txt").read_text()).questions
    written = write_gift(questions)
    assert written.startswith("[plain]Which of these helps a learner feel safe?{\n")
    assert parse_gift(written).questions == questions
