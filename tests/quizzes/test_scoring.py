"""Scoring: every question kind's rules and edge cases, garbage responses, grades over attempts.

Pure functions: no database. Fractions are compared as strings so that the four-place
quantization is checked too ("0.5000", not just 0.5).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from quizzes.scoring import (
    GRADING_METHODS,
    KINDS,
    Outcome,
    Status,
    aggregate,
    correct_answer_summary,
    is_answered,
    parse_number,
    score,
    word_count,
)


def option(
    option_id: str, text: str = "", weight: str = "0", feedback: str = "", **extra: Any
) -> dict[str, Any]:
    return {"id": option_id, "text": text, "weight": weight, "feedback": feedback, **extra}


def snapshot(kind: str, *options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"v": 1, "kind": kind, "options": list(options), **extra}


def fullwidth(text: str) -> str:
    """ASCII ``text`` (no spaces) in its full-width forms, which NFKC turns back into ASCII."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


def result(outcome: Outcome) -> tuple[str, Status, tuple[str, ...]]:
    """An Outcome as plain values, the fraction as its exact string."""
    return (str(outcome.fraction), outcome.status, outcome.feedback)


UNANSWERED = ("0.0000", Status.UNANSWERED, ())
INVALID = ("0.0000", Status.INVALID, ())


# Single choice and scenario

CHOICE_OPTIONS = (
    option("a", "<p>Safety</p>", "100", "<p>Yes.</p>"),
    option("b", "Choice", "50", "Half right."),
    option("c", "Trust", "0", ""),
    option("d", "Speed", "-50", "Never."),
)


@pytest.mark.parametrize("kind", ["single_choice", "scenario"])
@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"choice": "a"}, ("1.0000", Status.CORRECT, ("<p>Yes.</p>",))),
        ({"choice": "b"}, ("0.5000", Status.PARTIAL, ("Half right.",))),
        ({"choice": "c"}, ("0.0000", Status.INCORRECT, ())),
        ({"choice": "d"}, ("0.0000", Status.INCORRECT, ("Never.",))),
        ({"choice": "zzz"}, INVALID),
        ({"choice": ""}, UNANSWERED),
        ({}, UNANSWERED),
        (None, UNANSWERED),
    ],
)
def test_single_choice(
    kind: str, response: dict[str, Any] | None, expected: tuple[Any, ...]
) -> None:
    assert result(score(snapshot(kind, *CHOICE_OPTIONS), response)) == expected


def test_single_choice_weight_above_100_is_clamped() -> None:
    question = snapshot("single_choice", option("a", "A", "150"))
    assert result(score(question, {"choice": "a"})) == ("1.0000", Status.CORRECT, ())


def test_fraction_is_quantized_half_up() -> None:
    question = snapshot("single_choice", option("a", "A", "33.33335"), option("b", "B", "0.004"))
    assert str(score(question, {"choice": "a"}).fraction) == "0.3333"  # 0.3333335 → 0.3333
    question = snapshot("single_choice", option("a", "A", "33.345"), option("b", "B", "0.004"))
    assert str(score(question, {"choice": "a"}).fraction) == "0.3335"  # 0.33345: half up, not even
    # 0.00004 rounds to nothing: incorrect, not partial.
    assert result(score(question, {"choice": "b"})) == ("0.0000", Status.INCORRECT, ())


# Multiple response

MR_OPTIONS = (
    option("a", "Rest", "50", "Yes, rest."),
    option("b", "Water", "50", "Yes, water."),
    option("c", "Run", "-100", "No running."),
    option("d", "Sing", "0", ""),
)


@pytest.mark.parametrize(
    ("partial", "choices", "expected"),
    [
        (True, ["a", "b"], ("1.0000", Status.CORRECT, ("Yes, rest.", "Yes, water."))),
        (True, ["b", "a"], ("1.0000", Status.CORRECT, ("Yes, rest.", "Yes, water."))),
        (True, ["a"], ("0.5000", Status.PARTIAL, ("Yes, rest.",))),
        (True, ["a", "d"], ("0.5000", Status.PARTIAL, ("Yes, rest.",))),
        (True, ["a", "c"], ("0.0000", Status.INCORRECT, ("Yes, rest.", "No running."))),
        (True, ["c"], ("0.0000", Status.INCORRECT, ("No running.",))),  # -1 clamped to 0
        (
            True,
            ["a", "b", "c", "d"],
            ("0.0000", Status.INCORRECT, ("Yes, rest.", "Yes, water.", "No running.")),
        ),
        (True, ["a", "a", "a"], ("0.5000", Status.PARTIAL, ("Yes, rest.",))),  # duplicates once
        (
            True,
            ["a", "zzz", 7, None],
            ("0.5000", Status.PARTIAL, ("Yes, rest.",)),
        ),  # unknown ignored
        (False, ["a", "b"], ("1.0000", Status.CORRECT, ("Yes, rest.", "Yes, water."))),
        (False, ["a", "b", "a"], ("1.0000", Status.CORRECT, ("Yes, rest.", "Yes, water."))),
        (False, ["a", "b", "zzz"], ("1.0000", Status.CORRECT, ("Yes, rest.", "Yes, water."))),
        (False, ["a"], ("0.0000", Status.INCORRECT, ("Yes, rest.",))),
        (False, ["a", "b", "d"], ("0.0000", Status.INCORRECT, ("Yes, rest.", "Yes, water."))),
        (
            False,
            ["a", "b", "c", "d"],
            ("0.0000", Status.INCORRECT, ("Yes, rest.", "Yes, water.", "No running.")),
        ),
        (True, ["zzz"], INVALID),
        (False, ["zzz", "yyy"], INVALID),
        (True, [], UNANSWERED),
        (False, ["", None], UNANSWERED),
    ],
)
def test_multiple_response(partial: bool, choices: list[Any], expected: tuple[Any, ...]) -> None:
    question = snapshot("multiple_response", *MR_OPTIONS, partial_credit=partial)
    assert result(score(question, {"choices": choices})) == expected


def test_multiple_response_partial_thirds() -> None:
    question = snapshot(
        "multiple_response",
        option("a", weight="33.33333"),
        option("b", weight="33.33333"),
        option("c", weight="33.33334"),
        partial_credit=True,
    )
    assert result(score(question, {"choices": ["a"]})) == ("0.3333", Status.PARTIAL, ())
    assert result(score(question, {"choices": ["a", "b"]})) == ("0.6667", Status.PARTIAL, ())
    assert result(score(question, {"choices": ["a", "b", "c"]})) == ("1.0000", Status.CORRECT, ())


def test_multiple_response_without_partial_credit_by_default() -> None:
    question = snapshot("multiple_response", *MR_OPTIONS)  # no partial_credit key
    assert score(question, {"choices": ["a"]}).status is Status.INCORRECT


# True / false


@pytest.mark.parametrize(
    ("correct", "choice", "expected"),
    [
        (True, "true", ("1.0000", Status.CORRECT, ("<p>You said true.</p>",))),
        (True, "false", ("0.0000", Status.INCORRECT, ("You said false.",))),
        (False, "false", ("1.0000", Status.CORRECT, ("You said false.",))),
        (False, "true", ("0.0000", Status.INCORRECT, ("<p>You said true.</p>",))),
        (None, "true", ("0.0000", Status.INCORRECT, ("<p>You said true.</p>",))),
        (True, "True", INVALID),
        (True, "yes", INVALID),
        (True, "", UNANSWERED),
        (True, None, UNANSWERED),
    ],
)
def test_true_false(correct: bool | None, choice: Any, expected: tuple[Any, ...]) -> None:
    question = snapshot(
        "true_false",
        correct=correct,
        feedback_true="<p>You said true.</p>",
        feedback_false="You said false.",
    )
    assert result(score(question, {"choice": choice})) == expected


def test_true_false_without_feedback() -> None:
    question = {"v": 1, "kind": "true_false", "correct": True}
    assert result(score(question, {"choice": "true"})) == ("1.0000", Status.CORRECT, ())


# Short answer

SHORT_OPTIONS = (
    option("a", "Қауіпсіздік", "100", "Дұрыс!"),
    option("b", "безопасность", "100", "Верно!"),
    option("c", "Safe*", "50", "Close."),
    option("d", "a.b (c)+?", "100", "Literal."),
    option("e", "*", "0", "Try again."),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Қауіпсіздік", ("1.0000", Status.CORRECT, ("Дұрыс!",))),
        ("  қауіпсіздік  ", ("1.0000", Status.CORRECT, ("Дұрыс!",))),
        ("ҚАУІПСІЗДІК", ("1.0000", Status.CORRECT, ("Дұрыс!",))),
        ("БЕЗОПАСНОСТЬ", ("1.0000", Status.CORRECT, ("Верно!",))),
        ("Безопасность\n", ("1.0000", Status.CORRECT, ("Верно!",))),
        ("Safe", ("0.5000", Status.PARTIAL, ("Close.",))),
        ("safety first", ("0.5000", Status.PARTIAL, ("Close.",))),
        (fullwidth("SAFETY"), ("0.5000", Status.PARTIAL, ("Close.",))),  # NFKC
        ("unsafe", ("0.0000", Status.INCORRECT, ("Try again.",))),  # wildcard only at the end
        ("a.b (c)+?", ("1.0000", Status.CORRECT, ("Literal.",))),
        ("A.B  (C)+?", ("1.0000", Status.CORRECT, ("Literal.",))),
        ("axb (c)+?", ("0.0000", Status.INCORRECT, ("Try again.",))),
        ("a.b cc", ("0.0000", Status.INCORRECT, ("Try again.",))),
        ("", UNANSWERED),
        ("   \u00a0 ", UNANSWERED),
    ],
)
def test_short_answer(text: str, expected: tuple[Any, ...]) -> None:
    assert result(score(snapshot("short_answer", *SHORT_OPTIONS), {"text": text})) == expected


@pytest.mark.parametrize(
    ("accepted", "text", "correct"),
    [
        ("Жақсы сөз", "жақсы" + "\u00a0\u00a0" + "сөз", True),  # NBSP run → one space
        ("Жақсы сөз", "жақсы\t сөз ", True),
        ("ﬁsh", "fish", True),  # NFKC ligature
        ("Straße", "STRASSE", True),  # casefold, not lower
        ("a.b", "axb", False),
        ("a+", "aa", False),
        ("[ab]", "a", False),
        ("a\\d", "a1", False),
        ("a\\d", "a\\d", True),
        ("^a$", "^a$", True),
        ("*", "anything at all", True),
        ("a*", "a", True),
        ("*a", "ba", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "a-b-b-c", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # prefix and suffix may not overlap
        ("ab*ba", "abba", True),
        ("", "anything", False),  # a blank accepted answer matches nothing
    ],
)
def test_short_answer_matching(accepted: str, text: str, correct: bool) -> None:
    question = snapshot("short_answer", option("a", accepted, "100"))
    expected = Status.CORRECT if correct else Status.INCORRECT
    assert score(question, {"text": text}).status is expected


@pytest.mark.parametrize("text", ["", " ", "\u00a0\t\n", "\u3000"])
def test_short_answer_blank_is_unanswered_even_against_a_catch_all(text: str) -> None:
    question = snapshot("short_answer", option("a", "*", "100"))
    assert result(score(question, {"text": text})) == UNANSWERED


def test_short_answer_case_sensitive() -> None:
    question = snapshot(
        "short_answer",
        option("a", "Қауіпсіздік", "100", "Exact."),
        option("b", "қауіпсіздік", "50", "Lower case."),
        case_sensitive=True,
    )
    assert result(score(question, {"text": " Қауіпсіздік "})) == (
        "1.0000",
        Status.CORRECT,
        ("Exact.",),
    )
    assert result(score(question, {"text": "қауіпсіздік"})) == (
        "0.5000",
        Status.PARTIAL,
        ("Lower case.",),
    )
    assert result(score(question, {"text": "ҚАУІПСІЗДІК"})) == ("0.0000", Status.INCORRECT, ())


def test_short_answer_best_weight_wins_first_of_equals() -> None:
    question = snapshot(
        "short_answer",
        option("a", "*", "0", "Catch-all."),
        option("b", "cat*", "50", "Half."),
        option("c", "cats", "100", "Full."),
        option("d", "cat*", "50", "Other half."),
        option("e", "dog*", "-50", "Negative."),
    )
    assert result(score(question, {"text": "cats"})) == ("1.0000", Status.CORRECT, ("Full.",))
    assert result(score(question, {"text": "catnip"})) == ("0.5000", Status.PARTIAL, ("Half.",))
    assert result(score(question, {"text": "bird"})) == (
        "0.0000",
        Status.INCORRECT,
        ("Catch-all.",),
    )
    # A negative weight loses to the catch-all's 0, and would be clamped anyway.
    assert result(score(question, {"text": "dogs"})) == (
        "0.0000",
        Status.INCORRECT,
        ("Catch-all.",),
    )


def test_short_answer_no_options() -> None:
    assert result(score({"kind": "short_answer"}, {"text": "x"})) == (
        "0.0000",
        Status.INCORRECT,
        (),
    )


def test_short_answer_long_input_with_many_wildcards_is_fast() -> None:
    # A regular expression ".*a.*a.*a.*a.*b" would backtrack for minutes on this.
    question = snapshot("short_answer", option("a", "*a*a*a*a*a*b", "100"))
    assert score(question, {"text": "a" * 20_000}).status is Status.INCORRECT
    assert score(question, {"text": "a" * 20_000 + "b"}).status is Status.CORRECT


# Numeric


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3.5", "3.5"),
        ("3,5", "3.5"),
        ("  3,5 ", "3.5"),
        ("-3,5", "-3.5"),
        ("+3.5", "3.5"),
        ("- 3,5", "-3.5"),
        ("\u22123,5", "-3.5"),  # typographic minus
        ("1 000", "1000"),
        ("1\u00a0000", "1000"),  # NBSP
        ("1\u202f000", "1000"),  # narrow NBSP
        ("1\u2009000,25", "1000.25"),  # thin space
        ("12 345 678.9", "12345678.9"),
        ("1000000", "1000000"),
        ("1,000", "1.000"),  # comma is a decimal separator
        (",5", "0.5"),
        ("-.5", "-0.5"),
        ("5.", "5"),
        ("007", "7"),
        ("0", "0"),
        (fullwidth("3,5"), "3.5"),
        ("", None),
        ("   ", None),
        ("abc", None),
        ("1,2,3", None),
        ("1.2.3", None),
        ("1.000,5", None),
        ("1 00", None),
        ("12 34", None),
        ("1 0000", None),
        ("NaN", None),
        ("nan", None),
        ("Infinity", None),
        ("-Infinity", None),
        ("inf", None),
        ("1e3", None),
        ("0x10", None),
        ("-", None),
        (".", None),
        ("+-1", None),
        ("1-", None),
        ("3,5 m", None),
        ("١٢", None),  # Arabic-Indic digits are not what our learners type
    ],
)
def test_parse_number(text: str, number: str | None) -> None:
    parsed = parse_number(text)
    assert parsed == (None if number is None else Decimal(number))
    if parsed is not None:
        assert parsed.is_finite()


NUMERIC_OPTIONS = (
    option("a", weight="100", feedback="Exactly.", value="3.5", tolerance="0.1"),
    option("b", weight="50", feedback="Roughly.", value="3.5", tolerance="1"),
    option("c", weight="100", feedback="Negative.", value="-2", tolerance="0"),
    option("d", weight="100", feedback="Big.", value="1000", tolerance=None),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.5", ("1.0000", Status.CORRECT, ("Exactly.",))),
        ("3,5", ("1.0000", Status.CORRECT, ("Exactly.",))),
        ("3,6", ("1.0000", Status.CORRECT, ("Exactly.",))),  # boundary inclusive
        ("3.4", ("1.0000", Status.CORRECT, ("Exactly.",))),
        ("3.6000000000000000000000000000001", ("0.5000", Status.PARTIAL, ("Roughly.",))),
        ("3,61", ("0.5000", Status.PARTIAL, ("Roughly.",))),
        ("4,5", ("0.5000", Status.PARTIAL, ("Roughly.",))),
        ("2.5", ("0.5000", Status.PARTIAL, ("Roughly.",))),
        ("4.51", ("0.0000", Status.INCORRECT, ())),
        ("-2", ("1.0000", Status.CORRECT, ("Negative.",))),
        ("-2,0", ("1.0000", Status.CORRECT, ("Negative.",))),
        ("-2.0001", ("0.0000", Status.INCORRECT, ())),  # zero tolerance
        ("2", ("0.0000", Status.INCORRECT, ())),
        ("1 000", ("1.0000", Status.CORRECT, ("Big.",))),
        ("1000,00", ("1.0000", Status.CORRECT, ("Big.",))),
        ("1,000", ("0.0000", Status.INCORRECT, ())),  # that is 1
        ("abc", INVALID),
        ("1,2,3", INVALID),
        ("1.2.3", INVALID),
        ("NaN", INVALID),
        ("Infinity", INVALID),
        ("", UNANSWERED),
        ("  ", UNANSWERED),
    ],
)
def test_numeric(text: str, expected: tuple[Any, ...]) -> None:
    assert result(score(snapshot("numeric", *NUMERIC_OPTIONS), {"text": text})) == expected


def test_numeric_negative_tolerance_is_its_size_and_valueless_options_are_skipped() -> None:
    question = snapshot(
        "numeric",
        option("a", weight="100", value=None, tolerance="5"),
        option("b", weight="100", value="10", tolerance="-0.5"),
    )
    assert score(question, {"text": "9,5"}).status is Status.CORRECT
    assert score(question, {"text": "0"}).status is Status.INCORRECT


# Matching

MATCHING_OPTIONS = (
    option("p1", "<p>Kazakhstan</p>", match="Astana"),
    option("p2", "France", match="Paris"),
    option("p3", "Texas", match="Austin"),
    option("p4", "Austin's state", match="Texas"),
    option("p5", "Another French city", match="Paris"),  # shares its answer with p2
    option("x1", "", match="Almaty"),  # a distractor answer
)


@pytest.mark.parametrize(
    ("partial", "matches", "expected"),
    [
        (
            True,
            {"p1": "Astana", "p2": "Paris", "p3": "Austin", "p4": "Texas", "p5": "Paris"},
            ("1.0000", Status.CORRECT, ()),
        ),
        (
            True,
            {"p1": "Astana", "p2": "Paris", "p3": "Austin", "p4": "Texas", "p5": "Lyon"},
            ("0.8000", Status.PARTIAL, ()),
        ),
        (True, {"p1": "Almaty", "p2": "Paris"}, ("0.2000", Status.PARTIAL, ())),
        (True, {"p1": "astana"}, ("0.0000", Status.INCORRECT, ())),  # exact, case and all
        (True, {"p1": "Astana ", "p2": "Paris"}, ("0.2000", Status.PARTIAL, ())),
        (
            True,
            {"p1": "Almaty", "x1": "Almaty"},
            ("0.0000", Status.INCORRECT, ()),
        ),  # x1 is no prompt
        (True, {"p1": "Astana", "p2": ["Paris"], "p3": 5}, ("0.2000", Status.PARTIAL, ())),
        (
            False,
            {"p1": "Astana", "p2": "Paris", "p3": "Austin", "p4": "Texas", "p5": "Paris"},
            ("1.0000", Status.CORRECT, ()),
        ),
        (
            False,
            {"p1": "Astana", "p2": "Paris", "p3": "Austin", "p4": "Texas", "p5": "Lyon"},
            ("0.0000", Status.INCORRECT, ()),
        ),
        (False, {"p1": "Astana"}, ("0.0000", Status.INCORRECT, ())),
        (True, {}, UNANSWERED),
        (True, {"p1": "", "p2": None, "p3": "  "}, UNANSWERED),
        (True, {"zzz": "Astana"}, INVALID),
        (True, {"p1": ["Astana"]}, INVALID),
    ],
)
def test_matching(partial: bool, matches: dict[str, Any], expected: tuple[Any, ...]) -> None:
    question = snapshot("matching", *MATCHING_OPTIONS, partial_credit=partial)
    assert result(score(question, {"matches": matches})) == expected


def test_matching_prompt_feedback_is_not_shown() -> None:
    question = snapshot("matching", option("p1", "A", feedback="Per option.", match="1"))
    assert result(score(question, {"matches": {"p1": "1"}})) == ("1.0000", Status.CORRECT, ())


# Ordering

ORDER_OPTIONS = tuple(option(letter, f"Step {letter.upper()}") for letter in "abcde")


@pytest.mark.parametrize(
    ("partial", "order", "expected"),
    [
        (True, ["a", "b", "c", "d", "e"], ("1.0000", Status.CORRECT, ())),
        (True, ["b", "c", "d", "e", "a"], ("0.7500", Status.PARTIAL, ())),  # b→c c→d d→e
        (True, ["a", "b", "d", "c", "e"], ("0.2500", Status.PARTIAL, ())),  # a→b only
        (True, ["c", "d", "a", "b", "e"], ("0.5000", Status.PARTIAL, ())),  # c→d a→b
        (True, ["e", "d", "c", "b", "a"], ("0.0000", Status.INCORRECT, ())),
        (False, ["a", "b", "c", "d", "e"], ("1.0000", Status.CORRECT, ())),
        (False, ["b", "c", "d", "e", "a"], ("0.0000", Status.INCORRECT, ())),
        (True, ["a", "b", "c", "d"], INVALID),  # missing
        (True, ["a", "b", "c", "d", "e", "f"], INVALID),  # extra
        (True, ["a", "b", "c", "d", "d"], INVALID),  # duplicated
        (True, ["a", "b", "c", "d", "e", "e"], INVALID),
        (False, ["a", "b", "c", "d", 5], INVALID),
        (True, [], UNANSWERED),
    ],
)
def test_ordering(partial: bool, order: list[Any], expected: tuple[Any, ...]) -> None:
    question = snapshot("ordering", *ORDER_OPTIONS, partial_credit=partial)
    assert result(score(question, {"order": order})) == expected


def test_ordering_thirds() -> None:
    question = snapshot("ordering", *ORDER_OPTIONS[:4], partial_credit=True)
    assert result(score(question, {"order": ["a", "b", "d", "c"]})) == (
        "0.3333",
        Status.PARTIAL,
        (),
    )
    assert result(score(question, {"order": ["c", "d", "a", "b"]})) == (
        "0.6667",
        Status.PARTIAL,
        (),
    )


@pytest.mark.parametrize("partial", [True, False])
def test_ordering_single_item(partial: bool) -> None:
    question = snapshot("ordering", option("a", "Only"), partial_credit=partial)
    assert result(score(question, {"order": ["a"]})) == ("1.0000", Status.CORRECT, ())
    assert result(score(question, {"order": ["b"]})) == INVALID


# Garbage responses: never raise, never score


#: The kinds a learner answers with a choice or a value (essays and descriptions have their own
#: tests below).
ANSWERED_KINDS = [k for k in KINDS if k not in ("essay", "description")]

GARBAGE_QUESTIONS = {
    "single_choice": snapshot("single_choice", *CHOICE_OPTIONS),
    "scenario": snapshot("scenario", *CHOICE_OPTIONS),
    "multiple_response": snapshot("multiple_response", *MR_OPTIONS, partial_credit=True),
    "true_false": snapshot("true_false", correct=True),
    "short_answer": snapshot("short_answer", *SHORT_OPTIONS),
    "numeric": snapshot("numeric", *NUMERIC_OPTIONS),
    "matching": snapshot("matching", *MATCHING_OPTIONS, partial_credit=True),
    "ordering": snapshot("ordering", *ORDER_OPTIONS, partial_credit=True),
}
# Values of the wrong type for every kind (a string or a list of ids is right for some kinds).
GARBAGE_VALUES = {
    "int": 5,
    "float": 1.5,
    "true": True,
    "false": False,
    "list of ints": [5, 6],
    "list of lists": [["a"]],
    "list of dicts": [{"a": 1}],
    "dict": {"a": "b"},
    "nested": {"nested": [{"deep": None}]},
    "object": object(),
    "decimal nan": Decimal("NaN"),
}
GARBAGE_KEYS = {
    "single_choice": "choice",
    "scenario": "choice",
    "multiple_response": "choices",
    "true_false": "choice",
    "short_answer": "text",
    "numeric": "text",
    "matching": "matches",
    "ordering": "order",
}


@pytest.mark.parametrize("kind", ANSWERED_KINDS)
@pytest.mark.parametrize("value", GARBAGE_VALUES.values(), ids=GARBAGE_VALUES.keys())
def test_garbage_values_are_invalid(kind: str, value: Any) -> None:
    question = GARBAGE_QUESTIONS[kind]
    assert result(score(question, {GARBAGE_KEYS[kind]: value})) == INVALID
    assert is_answered(question, {GARBAGE_KEYS[kind]: value}) is True


@pytest.mark.parametrize("kind", ANSWERED_KINDS)
@pytest.mark.parametrize(
    ("response", "status"),
    [
        (None, Status.UNANSWERED),
        ({}, Status.UNANSWERED),
        ({"other": "a"}, Status.UNANSWERED),
        ([], Status.INVALID),
        (["a"], Status.INVALID),
        ("a", Status.INVALID),
        (5, Status.INVALID),
    ],
    ids=repr,
)
def test_garbage_responses(kind: str, response: Any, status: Status) -> None:
    outcome = score(GARBAGE_QUESTIONS[kind], response)
    assert result(outcome) == ("0.0000", status, ())
    assert is_answered(GARBAGE_QUESTIONS[kind], response) is (status is not Status.UNANSWERED)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("single_choice", 5),
        ("single_choice", ["a"]),
        ("multiple_response", "a"),  # a string is not a list of ids
        ("multiple_response", {"a": True}),
        ("true_false", True),
        ("true_false", ["true"]),
        ("short_answer", ["Қауіпсіздік"]),
        ("short_answer", 5),
        ("numeric", 3.5),
        ("numeric", ["3.5"]),
        ("matching", ["Astana"]),
        ("matching", "Astana"),
        ("ordering", "abcde"),
        ("ordering", {"a": 1}),
    ],
)
def test_wrong_types_are_invalid(kind: str, value: Any) -> None:
    assert result(score(GARBAGE_QUESTIONS[kind], {GARBAGE_KEYS[kind]: value})) == INVALID


# Answered or not


@pytest.mark.parametrize(
    ("kind", "response", "answered"),
    [
        ("single_choice", {"choice": "c"}, True),
        ("single_choice", {"choice": ""}, False),
        ("multiple_response", {"choices": ["c"]}, True),
        ("multiple_response", {"choices": []}, False),
        ("true_false", {"choice": "false"}, True),
        ("short_answer", {"text": "wrong"}, True),
        ("short_answer", {"text": " "}, False),
        ("numeric", {"text": "abc"}, True),  # invalid, but the learner did answer
        ("numeric", {"text": ""}, False),
        ("matching", {"matches": {"p1": "Almaty"}}, True),
        ("matching", {"matches": {"p1": ""}}, False),
        ("ordering", {"order": ["a"]}, True),
        ("ordering", {"order": []}, False),
    ],
)
def test_is_answered(kind: str, response: dict[str, Any], answered: bool) -> None:
    assert is_answered(GARBAGE_QUESTIONS[kind], response) is answered


# Snapshots: defaults and malformed ones


@pytest.mark.parametrize("kind", ANSWERED_KINDS)
def test_minimal_snapshot(kind: str) -> None:
    assert score({"kind": kind}, None) == Outcome(Decimal("0.0000"), Status.UNANSWERED, ())
    assert correct_answer_summary({"kind": kind}) == []


@pytest.mark.parametrize("response", [None, {}, {"text": "anything"}, "garbage", 5])
def test_a_description_asks_nothing_and_is_worth_nothing(response: Any) -> None:
    assert score({"kind": "description"}, response) == Outcome(Decimal("0.0000"), Status.INFO, ())
    assert is_answered({"kind": "description"}, response) is False
    assert correct_answer_summary({"kind": "description"}) == []


@pytest.mark.parametrize(
    ("response", "status"),
    [
        ({"text": "Your father loved you."}, Status.AWAITING),
        ({"text": "   "}, Status.UNANSWERED),
        (None, Status.UNANSWERED),
        ({"text": ["a"]}, Status.INVALID),
        ("a", Status.INVALID),
    ],
    ids=repr,
)
def test_a_written_answer_waits_for_its_grader(response: Any, status: Status) -> None:
    assert score({"kind": "essay"}, response) == Outcome(Decimal("0.0000"), status, ())
    assert correct_answer_summary({"kind": "essay", "rubric": []}) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Trauma-informed care isn't quick.", 4),
        ("Баланың «өз әңгімесі» — 3 сөйлем.", 5),
        ("one,two;three", 3),
        ("-- — ...", 0),
    ],
)
def test_words_are_counted_as_a_reader_counts_them(text: str, words: int) -> None:
    assert word_count(text) == words


def test_option_defaults() -> None:
    question = {"kind": "single_choice", "options": [{"id": "a"}]}
    assert result(score(question, {"choice": "a"})) == ("0.0000", Status.INCORRECT, ())


@pytest.mark.parametrize(
    "question",
    [
        {},
        {"kind": "poem"},
        {"kind": None},
        {"kind": ["single_choice"]},
        {"v": 2, "kind": "single_choice"},
        {"v": True, "kind": "single_choice"},
        {"kind": "single_choice", "options": "abc"},
        {"kind": "single_choice", "options": ["a"]},
        {"kind": "single_choice", "options": [{"text": "no id"}]},
        {"kind": "single_choice", "options": [{"id": "a"}, {"id": "a"}]},
        {"kind": "single_choice", "options": [{"id": "a", "weight": "lots"}]},
        {"kind": "single_choice", "options": [{"id": "a", "weight": "NaN"}]},
        {"kind": "single_choice", "options": [{"id": "a", "weight": True}]},
        {"kind": "single_choice", "options": [{"id": "a", "text": 5}]},
        {"kind": "numeric", "options": [{"id": "a", "value": "Infinity"}]},
        {"kind": "multiple_response", "partial_credit": "yes"},
        {"kind": "true_false", "correct": "true"},
        {"kind": "true_false", "feedback_true": ["x"]},
    ],
    ids=repr,
)
def test_malformed_snapshot_raises(question: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"(?i)snapshot|kind"):
        score(question, {"choice": "a"})
    with pytest.raises(ValueError, match=r"(?i)snapshot|kind"):
        score(question, None)  # whatever the response
    with pytest.raises(ValueError, match=r"(?i)snapshot|kind"):
        correct_answer_summary(question)


def test_unknown_kind_message() -> None:
    with pytest.raises(ValueError, match="Unknown question kind: 'poem'"):
        score({"kind": "poem"}, None)


# Correct answer summaries


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        (snapshot("single_choice", *CHOICE_OPTIONS), ["<p>Safety</p>"]),
        (snapshot("scenario", *CHOICE_OPTIONS), ["<p>Safety</p>"]),
        (
            snapshot("single_choice", option("a", "A", "100"), option("b", "B", "100")),
            ["A", "B"],
        ),
        (snapshot("single_choice", option("a", "A", "50"), option("b", "B", "80")), ["B"]),
        (snapshot("single_choice", option("a", "A", "0"), option("b", "B", "-10")), []),
        (snapshot("multiple_response", *MR_OPTIONS), ["Rest", "Water"]),
        (snapshot("short_answer", *SHORT_OPTIONS), ["Қауіпсіздік", "безопасность", "a.b (c)+?"]),
        (snapshot("short_answer", option("a", "x<y", "90"), option("b", "z", "40")), ["x&lt;y"]),
        (snapshot("short_answer", option("a", "*", "0")), []),
        (snapshot("numeric", *NUMERIC_OPTIONS), ["3.5 ± 0.1", "-2", "1000"]),
        (
            snapshot("numeric", option("a", weight="100", value="1E+3", tolerance="0.50")),
            ["1000 ± 0.50"],
        ),
        (
            snapshot("matching", *MATCHING_OPTIONS),
            [
                "<p>Kazakhstan</p> → Astana",
                "France → Paris",
                "Texas → Austin",
                "Austin's state → Texas",
                "Another French city → Paris",
            ],
        ),
        (snapshot("matching", option("p", "A & B", match="<C>")), ["A & B → &lt;C&gt;"]),
        (snapshot("ordering", *ORDER_OPTIONS[:3]), ["Step A", "Step B", "Step C"]),
    ],
)
def test_correct_answer_summary(question: dict[str, Any], summary: list[str]) -> None:
    assert correct_answer_summary(question) == summary


@pytest.mark.parametrize(("correct", "summary"), [(True, ["True"]), (False, ["False"]), (None, [])])
def test_correct_answer_summary_true_false(correct: bool | None, summary: list[str]) -> None:
    with translation.override("en"):
        assert correct_answer_summary(snapshot("true_false", correct=correct)) == summary


# Grades over attempts

SCORES = [Decimal("60"), Decimal("85.5"), Decimal("70"), Decimal("40")]


@pytest.mark.parametrize(
    ("method", "scores", "grade"),
    [
        ("highest", SCORES, Decimal("85.5")),
        ("latest", SCORES, Decimal("40")),
        ("first", SCORES, Decimal("60")),
        ("average", SCORES, Decimal("63.88")),  # 63.875 rounds half up
        ("average", [Decimal("100"), Decimal("0"), Decimal("0")], Decimal("33.33")),
        ("average", [Decimal("100"), Decimal("100"), Decimal("0")], Decimal("66.67")),
        ("average", [Decimal("50")], Decimal("50.00")),
        ("average", [Decimal("0.25"), Decimal("0")], Decimal("0.13")),  # half up, not even
        ("highest", [Decimal("50")], Decimal("50")),
        ("latest", [Decimal("50")], Decimal("50")),
        ("first", [Decimal("50")], Decimal("50")),
    ],
)
def test_aggregate(method: str, scores: list[Decimal], grade: Decimal) -> None:
    assert str(aggregate(method, scores)) == str(grade)


@pytest.mark.parametrize("method", GRADING_METHODS)
def test_aggregate_no_scores(method: str) -> None:
    assert aggregate(method, []) is None


@pytest.mark.parametrize("method", ["", "best", "Highest", "mean"])
def test_aggregate_unknown_method(method: str) -> None:
    with pytest.raises(ValueError, match="Unknown grading method"):
        aggregate(method, SCORES)
    with pytest.raises(ValueError, match="Unknown grading method"):
        aggregate(method, [])


def test_kinds_and_methods() -> None:
    assert set(KINDS) == {
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "numeric",
        "matching",
        "ordering",
        "scenario",
        "essay",
        "description",
    }
    assert GRADING_METHODS == ("highest", "latest", "first", "average")
