"""Score quiz responses against question snapshots: pure functions, no database.

When an attempt starts, the quiz engine stores a *snapshot* of each question (a JSON-able dict,
answer key included) so that later edits to the question cannot change how the attempt is
scored. The learner's *response* is another JSON-able dict. :func:`score` turns the two into an
:class:`Outcome`; :func:`aggregate` turns the percentages of several attempts into one grade.

Snapshot schema, version 1::

    {
        "v": 1,
        "kind": "single_choice" | "multiple_response" | "true_false" | "short_answer"
                | "numeric" | "matching" | "ordering" | "scenario",
        "partial_credit": bool,         # multiple_response, matching, ordering
        "case_sensitive": bool,         # short_answer
        "options": [                    # in authoring order; ids are unique in the question
            {"id": str, "text": str, "weight": "-100".."100", "feedback": str,
             "match": str,              # matching: the answer belonging to this prompt
             "value": str | None, "tolerance": str | None},   # numeric
        ],
        "correct": bool | None,         # true_false
        "feedback_true": str, "feedback_false": str,   # true_false
    }

Missing keys take defaults (no options, weight 0, empty text, flags off). A snapshot is written
by our own code, so one that is malformed (an unknown kind or version, an option without an id,
a weight that is not a number) raises ``ValueError``: that is a bug to surface, not to score.
A response comes from POSTed form data, so nothing in it ever raises: a response of the wrong
shape scores 0 as :attr:`Status.UNANSWERED` (nothing given) or :attr:`Status.INVALID`.

Every string this module returns (feedback, correct-answer summaries) is an HTML fragment:
option text and feedback are stored sanitised HTML, and plain-text parts (short answers,
matching answers, numbers) are escaped here. Templates render them through ``|sanitize``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext

__all__ = [
    "GRADING_METHODS",
    "KINDS",
    "SNAPSHOT_VERSION",
    "Outcome",
    "Status",
    "aggregate",
    "correct_answer_summary",
    "essay_text",
    "is_answered",
    "parse_number",
    "score",
    "word_count",
]

SNAPSHOT_VERSION = 1  # the "v" the engine writes into each snapshot

KINDS: tuple[str, ...] = (
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
)

#: Kinds scored by a person with a rubric (``quizzes.grading``), not here.
GRADED_BY_PERSON: frozenset[str] = frozenset({"essay"})
#: Kinds with nothing to answer: text between questions, worth no marks.
NOT_ANSWERED: frozenset[str] = frozenset({"description"})

GRADING_METHODS: tuple[str, ...] = ("highest", "latest", "first", "average")

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_FRACTION_PLACES = Decimal("0.0001")
_GRADE_PLACES = Decimal("0.01")


class Status(StrEnum):
    """How a response fared; the review page and the "answered 7 of 10" count read it."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    UNANSWERED = "unanswered"
    INVALID = "invalid"
    #: A written answer waiting for its grader.
    AWAITING = "awaiting"
    #: A description: nothing to answer.
    INFO = "info"


@dataclass(frozen=True)
class Outcome:
    """The score of one response.

    ``fraction`` is between 0 and 1, quantized to four places. ``feedback`` holds the
    per-option or per-answer feedback the learner's answer earned (non-empty HTML fragments);
    a question's general feedback is not scoring's business.
    """

    fraction: Decimal
    status: Status
    feedback: tuple[str, ...] = ()


_UNANSWERED = Outcome(_ZERO.quantize(_FRACTION_PLACES), Status.UNANSWERED)
_INVALID = Outcome(_ZERO.quantize(_FRACTION_PLACES), Status.INVALID)


# Reading snapshots (trusted, written by our code: malformed values raise ValueError)


@dataclass(frozen=True)
class _Option:
    id: str
    text: str
    weight: Decimal
    feedback: str
    match: str
    value: Decimal | None
    tolerance: Decimal | None


def _snapshot_decimal(value: object, what: str) -> Decimal | None:
    """A Decimal stored in a snapshot (normally as a string), or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"Snapshot {what} is not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"Snapshot {what} is not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"Snapshot {what} is not a finite number: {value!r}")
    return number


def _snapshot_text(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"Snapshot {what} is not a string: {value!r}")
    return value


def _snapshot_flag(snapshot: Mapping[str, Any], key: str) -> bool:
    value = snapshot.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"Snapshot {key} is not a boolean: {value!r}")
    return value


@dataclass(frozen=True)
class _Question:
    kind: str
    options: list[_Option]
    partial_credit: bool
    case_sensitive: bool
    correct: bool | None
    feedback_true: str
    feedback_false: str


def _question(snapshot: Mapping[str, Any]) -> _Question:
    """Read and check a whole snapshot, so that a malformed one raises whatever the response."""
    if not isinstance(snapshot, Mapping):
        raise ValueError("Snapshot is not a mapping")
    correct = snapshot.get("correct")
    if correct is not None and not isinstance(correct, bool):
        raise ValueError(f"Snapshot correct is not a boolean: {correct!r}")
    return _Question(
        kind=_kind(snapshot),
        options=_options(snapshot),
        partial_credit=_snapshot_flag(snapshot, "partial_credit"),
        case_sensitive=_snapshot_flag(snapshot, "case_sensitive"),
        correct=correct,
        feedback_true=_snapshot_text(snapshot.get("feedback_true"), "feedback_true"),
        feedback_false=_snapshot_text(snapshot.get("feedback_false"), "feedback_false"),
    )


def _kind(snapshot: Mapping[str, Any]) -> str:
    version = snapshot.get("v", SNAPSHOT_VERSION)
    if version != SNAPSHOT_VERSION or isinstance(version, bool):
        raise ValueError(f"Unknown snapshot version: {version!r}")
    kind = snapshot.get("kind")
    if kind not in KINDS:
        raise ValueError(f"Unknown question kind: {kind!r}")
    return str(kind)


def _options(snapshot: Mapping[str, Any]) -> list[_Option]:
    raw_options = snapshot.get("options")
    if raw_options is None:
        return []
    if not isinstance(raw_options, list | tuple):
        raise ValueError("Snapshot options are not a list")
    options: list[_Option] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_options):
        if not isinstance(raw, Mapping):
            raise ValueError(f"Snapshot option {index} is not a mapping")
        option_id = raw.get("id")
        if not isinstance(option_id, str) or not option_id:
            raise ValueError(f"Snapshot option {index} has no id")
        if option_id in seen:
            raise ValueError(f"Snapshot option id {option_id!r} is not unique")
        seen.add(option_id)
        options.append(
            _Option(
                id=option_id,
                text=_snapshot_text(raw.get("text"), "option text"),
                weight=_snapshot_decimal(raw.get("weight"), "option weight") or _ZERO,
                feedback=_snapshot_text(raw.get("feedback"), "option feedback"),
                match=_snapshot_text(raw.get("match"), "option match"),
                value=_snapshot_decimal(raw.get("value"), "option value"),
                tolerance=_snapshot_decimal(raw.get("tolerance"), "option tolerance"),
            )
        )
    return options


# Reading responses (untrusted: nothing here raises)


class _Blank:
    """The response gives nothing for the question."""


class _Garbage:
    """The response gives something of the wrong shape."""


_BLANK = _Blank()
_GARBAGE = _Garbage()


def _field(response: object, key: str) -> object:
    """The response's value for ``key``; ``_BLANK`` when there is none, ``_GARBAGE`` when the
    response itself is not a mapping."""
    if response is None:
        return _BLANK
    if not isinstance(response, Mapping):
        return _GARBAGE
    value = response.get(key)
    if _is_blank(value):
        return _BLANK
    if isinstance(value, list | tuple) and all(_is_blank(item) for item in value):
        return _BLANK
    return value


def _is_blank(value: object) -> bool:
    """None, a string of whitespace, or an empty list or mapping: what an untouched form sends."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | tuple | Mapping) and not value)


def _outcome(fraction: Decimal, feedback: Sequence[str] = ()) -> Outcome:
    """The Outcome of an answered response: clamp, quantize and derive the status."""
    fraction = min(max(fraction, _ZERO), _ONE).quantize(_FRACTION_PLACES, rounding=ROUND_HALF_UP)
    if fraction == _ONE:
        status = Status.CORRECT
    elif fraction > _ZERO:
        status = Status.PARTIAL
    else:
        status = Status.INCORRECT
    return Outcome(fraction, status, tuple(text for text in feedback if text))


# Scorers, one per kind


def _score_single_choice(question: _Question, response: object) -> Outcome:
    choice = _field(response, "choice")
    if choice is _BLANK:
        return _UNANSWERED
    for option in question.options:
        if option.id == choice:
            return _outcome(option.weight / _HUNDRED, [option.feedback])
    return _INVALID


def _score_multiple_response(question: _Question, response: object) -> Outcome:
    choices = _field(response, "choices")
    if choices is _BLANK:
        return _UNANSWERED
    if not isinstance(choices, list | tuple):
        return _INVALID
    given = {choice for choice in choices if isinstance(choice, str)}
    options = question.options
    chosen = [option for option in options if option.id in given]
    if not chosen:
        return _INVALID
    if question.partial_credit:
        fraction = sum((option.weight for option in chosen), _ZERO) / _HUNDRED
    else:
        wanted = {option.id for option in options if option.weight > _ZERO}
        fraction = _ONE if {option.id for option in chosen} == wanted else _ZERO
    return _outcome(fraction, [option.feedback for option in chosen])


def _score_true_false(question: _Question, response: object) -> Outcome:
    choice = _field(response, "choice")
    if choice is _BLANK:
        return _UNANSWERED
    if choice not in ("true", "false"):
        return _INVALID
    answer = choice == "true"
    feedback = question.feedback_true if answer else question.feedback_false
    return _outcome(_ONE if answer is question.correct else _ZERO, [feedback])


def _normalise(text: str, *, case_sensitive: bool) -> str:
    """NFKC, trimmed, each run of whitespace (NBSP included) one space, casefolded unless
    ``case_sensitive``. NFKC is applied again after casefolding, as Unicode's caseless
    matching recommends."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if case_sensitive:
        return text
    return unicodedata.normalize("NFKC", text.casefold())


def _wildcard_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern``, in which ``*`` stands for any run of characters and
    everything else is literal.

    Not a regular expression: ``.*`` pieces backtrack polynomially on long learner input, while
    matching each literal piece at its leftmost place is linear and finds a match if any exists.
    """
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return pattern == text
    first, *middle, last = pieces
    if len(first) + len(last) > len(text):
        return False
    if not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _best(matching: Sequence[_Option]) -> Outcome:
    """The Outcome of the best-weighted matching option (the first of equals), 0 if none."""
    if not matching:
        return _outcome(_ZERO)
    best = max(matching, key=lambda option: option.weight)  # max keeps the first of equals
    return _outcome(best.weight / _HUNDRED, [best.feedback])


def _score_short_answer(question: _Question, response: object) -> Outcome:
    text = _field(response, "text")
    if text is _BLANK:
        return _UNANSWERED
    if not isinstance(text, str):
        return _INVALID
    case_sensitive = question.case_sensitive
    answer = _normalise(text, case_sensitive=case_sensitive)
    matching = []
    for option in question.options:
        accepted = _normalise(option.text, case_sensitive=case_sensitive)
        if accepted and _wildcard_match(accepted, answer):
            matching.append(option)
    return _best(matching)


_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
_NUMBER = re.compile(
    r"(?P<sign>[+-])? ?"
    r"(?P<whole>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)?"
    r"(?:[.,](?P<fraction>[0-9]*))?"
)


def parse_number(text: str) -> Decimal | None:
    """The number a learner typed, or None if ``text`` is not one.

    Forgiving the way people in Kazakhstan type numbers: surrounding whitespace, a sign (a
    typographic minus too), a comma or a dot as the decimal separator ("3,5" is 3.5), and
    spaces, no-break spaces or thin spaces between groups of three digits ("1 000"). Exactly
    one separator is a decimal separator, so "1,000" is 1 and "1,2,3", "1.000,5", "1e3", "NaN"
    and "Infinity" are not numbers. Full-width digits are read as digits (NFKC).
    """
    text = " ".join(unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).split())
    found = _NUMBER.fullmatch(text)
    if found is None:
        return None
    whole, fraction = found["whole"], found["fraction"]
    if not whole and not fraction:
        return None
    digits = (whole or "0").replace(" ", "") + ("." + fraction if fraction else "")
    return Decimal((found["sign"] or "") + digits)


def _score_numeric(question: _Question, response: object) -> Outcome:
    text = _field(response, "text")
    if text is _BLANK:
        return _UNANSWERED
    if not isinstance(text, str):
        return _INVALID
    number = parse_number(text)
    if number is None:
        return _INVALID
    matching = []
    for option in question.options:
        if option.value is None:
            continue
        # Bounds, not |number - value|: comparisons are exact, while subtracting would round a
        # learner's 30-digit answer (28-digit context) into the accepted range.
        tolerance = abs(option.tolerance or _ZERO)
        if option.value - tolerance <= number <= option.value + tolerance:
            matching.append(option)
    return _best(matching)


def _score_matching(question: _Question, response: object) -> Outcome:
    matches = _field(response, "matches")
    if matches is _BLANK:
        return _UNANSWERED
    if not isinstance(matches, Mapping):
        return _INVALID
    prompts = [option for option in question.options if option.text.strip()]
    chosen: dict[str, str] = {}
    for prompt in prompts:
        value = matches.get(prompt.id)
        if isinstance(value, str) and not _is_blank(value):
            chosen[prompt.id] = value
    if not chosen:
        # Nothing for any prompt: blank if the mapping is all blanks, otherwise garbage.
        return _UNANSWERED if all(map(_is_blank, matches.values())) else _INVALID
    right = sum(1 for prompt in prompts if chosen.get(prompt.id) == prompt.match)
    if question.partial_credit:
        fraction = Decimal(right) / Decimal(len(prompts))
    else:
        fraction = _ONE if right == len(prompts) else _ZERO
    return _outcome(fraction)


def _score_ordering(question: _Question, response: object) -> Outcome:
    order = _field(response, "order")
    if order is _BLANK:
        return _UNANSWERED
    if not isinstance(order, list | tuple) or not all(isinstance(item, str) for item in order):
        return _INVALID
    correct = [option.id for option in question.options]
    if len(order) != len(correct) or set(order) != set(correct):
        return _INVALID
    if list(order) == correct:
        return _outcome(_ONE)
    if not question.partial_credit:
        return _outcome(_ZERO)
    successor = dict(pairwise(correct))
    kept = sum(1 for first, second in pairwise(order) if successor.get(first) == second)
    return _outcome(Decimal(kept) / Decimal(len(correct) - 1))


def _score_essay(question: _Question, response: object) -> Outcome:
    """A written answer is graded by a person: it waits, scoring 0 until then. An empty one
    needs no grader and scores 0 at once."""
    text = _field(response, "text")
    if isinstance(text, _Blank):
        return _UNANSWERED
    if not isinstance(text, str):
        return _INVALID
    return Outcome(_ZERO.quantize(_FRACTION_PLACES), Status.AWAITING)


def _score_description(question: _Question, response: object) -> Outcome:
    """A description asks nothing and is worth nothing."""
    return Outcome(_ZERO.quantize(_FRACTION_PLACES), Status.INFO)


_SCORERS: dict[str, Callable[[_Question, object], Outcome]] = {
    "single_choice": _score_single_choice,
    "scenario": _score_single_choice,
    "multiple_response": _score_multiple_response,
    "true_false": _score_true_false,
    "short_answer": _score_short_answer,
    "numeric": _score_numeric,
    "matching": _score_matching,
    "ordering": _score_ordering,
    "essay": _score_essay,
    "description": _score_description,
}


def word_count(text: str) -> int:
    """Words in a written answer, as a learner would count them: runs of letters or digits,
    with inner hyphens and apostrophes (so "trauma-informed" and "don't" are one word)."""
    return len(_WORD.findall(text))


def essay_text(response: object) -> str:
    """The text of a written answer ("" when the response holds none)."""
    text = _field(response, "text")
    return text if isinstance(text, str) else ""


def score(snapshot: Mapping[str, Any], response: Mapping[str, Any] | None) -> Outcome:
    """Score a learner's ``response`` against a question ``snapshot``.

    Never raises because of the response, whatever its shape; raises ``ValueError`` for a
    snapshot of an unknown kind or version, or one that is malformed.
    """
    question = _question(snapshot)
    return _SCORERS[question.kind](question, response)


def is_answered(snapshot: Mapping[str, Any], response: Mapping[str, Any] | None) -> bool:
    """Whether the learner gave an answer, right, wrong or unreadable (the attempt page's
    "answered 7 of 10"). A response of the wrong shape counts as answered: it scores 0 as
    invalid rather than inviting the learner to come back to it."""
    return score(snapshot, response).status not in (Status.UNANSWERED, Status.INFO)


# The review page


def _best_weighted(options: Sequence[_Option]) -> list[_Option]:
    """The options with the highest weight (normally 100), if that weight earns anything."""
    if not options:
        return []
    top = max(option.weight for option in options)
    if top <= _ZERO:
        return []
    return [option for option in options if option.weight == top]


def _range_text(value: Decimal, tolerance: Decimal | None) -> str:
    """ "3.5 ± 0.1", or "3.5" without a tolerance; never exponent notation ("1E+3")."""
    if not tolerance:
        return format(value, "f")
    return f"{format(value, 'f')} ± {format(abs(tolerance), 'f')}"


def correct_answer_summary(snapshot: Mapping[str, Any]) -> list[str]:
    """The correct answer(s) in words for the review page, as HTML fragments.

    Choice and scenario questions: the option(s) of the highest weight; multiple response: every
    option of positive weight; true/false: "True" or "False"; short answer: the accepted
    answers of the highest weight; numeric: "3.5 ± 0.1" for each of those; matching:
    "prompt → answer" per prompt; ordering: the items in order. Empty when the snapshot
    has no correct answer.
    """
    question = _question(snapshot)
    kind, options = question.kind, question.options
    if kind in ("single_choice", "scenario"):
        return [option.text for option in _best_weighted(options)]
    if kind == "multiple_response":
        return [option.text for option in options if option.weight > _ZERO]
    if kind == "true_false":
        if question.correct is None:
            return []
        return [html.escape(gettext("True") if question.correct else gettext("False"))]
    if kind == "short_answer":
        return [html.escape(option.text) for option in _best_weighted(options)]
    if kind == "numeric":
        valued = [option for option in options if option.value is not None]
        return [
            html.escape(_range_text(option.value, option.tolerance))
            for option in _best_weighted(valued)
            if option.value is not None
        ]
    if kind == "matching":
        return [
            f"{option.text} → {html.escape(option.match)}"
            for option in options
            if option.text.strip()
        ]
    if kind in GRADED_BY_PERSON or kind in NOT_ANSWERED:
        return []  # a written task has a rubric and a model answer for graders, not a key
    return [option.text for option in options]  # ordering


# Grades over several attempts


def aggregate(method: str, scores: Sequence[Decimal]) -> Decimal | None:
    """One grade from the percentages of several attempts, given first to latest.

    ``method`` is one of :data:`GRADING_METHODS`; the average is quantized to two places.
    None when there are no scores; ``ValueError`` for an unknown method.
    """
    if method not in GRADING_METHODS:
        raise ValueError(f"Unknown grading method: {method!r}")
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "latest":
        return scores[-1]
    if method == "first":
        return scores[0]
    total = sum(scores, _ZERO)
    return (total / Decimal(len(scores))).quantize(_GRADE_PLACES, rounding=ROUND_HALF_UP)
