"""Questions as the GIFT and Aiken parsers see them, independent of how the quiz engine stores them.

Everything here is a frozen dataclass: a parser builds these values, the quiz engine (issue #4)
turns them into its own models, and the GIFT writer turns them back into text. Weights are
percentages and numbers are ``Decimal`` so that ``33.33`` or ``0.1`` survive a round trip exactly.

One ``ParsedQuestion`` class covers every kind. The fields a kind does not use keep their empty
defaults; ``__post_init__`` rejects a question whose fields do not fit its kind, so a consumer can
read ``question.choices`` for a choice question without checking types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "BLANK",
    "Choice",
    "FormatError",
    "MatchPair",
    "NumericAnswer",
    "NumericRange",
    "NumericValue",
    "ParsedQuestion",
    "QuestionKind",
    "TextAnswer",
    "TextFormat",
    "UnsupportedConstruct",
]

#: What a "missing word" question shows where its answer block stood (Moodle uses the same).
BLANK = "_____"

FULL_CREDIT = Decimal(100)


class QuestionKind(StrEnum):
    """The kinds of question the quiz engine can represent."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"
    MATCHING = "matching"
    #: A written answer graded by a person (Moodle's essay): no answers, a word range and
    #: information for graders.
    ESSAY = "essay"
    #: Text shown between questions, with no answer and no marks (Moodle's description).
    DESCRIPTION = "description"


class TextFormat(StrEnum):
    """How the question text (and its answers and feedback) is to be rendered."""

    MOODLE = "moodle"
    HTML = "html"
    MARKDOWN = "markdown"
    PLAIN = "plain"


@dataclass(frozen=True)
class Choice:
    """One option of a single-choice or multiple-response question.

    ``weight`` is the percentage of the question's mark this option earns (-100 to 100). In a
    single-choice question the correct option has 100; in a multiple-response question the
    positive weights add up to 100 and wrong options may be negative.
    """

    text: str
    weight: Decimal = Decimal(0)
    feedback: str = ""
    #: The format of ``text`` and of ``feedback`` when a tag such as ``[html]`` gave them one
    #: other than the question's; None means the question's own format.
    text_format: TextFormat | None = None
    feedback_format: TextFormat | None = None

    @property
    def is_correct(self) -> bool:
        """True for an option that earns any credit."""
        return self.weight > 0


@dataclass(frozen=True)
class TextAnswer:
    """One accepted answer of a short-answer question, with the percentage it earns."""

    text: str
    weight: Decimal = FULL_CREDIT
    feedback: str = ""
    #: The format of ``feedback`` when a tag gave it one other than the question's (None).
    feedback_format: TextFormat | None = None


@dataclass(frozen=True)
class NumericValue:
    """A number with an absolute tolerance: ``value ± tolerance`` is accepted."""

    value: Decimal
    tolerance: Decimal = Decimal(0)

    def accepts(self, number: Decimal) -> bool:
        """Whether ``number`` lies within the tolerance of the value."""
        return abs(number - self.value) <= self.tolerance


@dataclass(frozen=True)
class NumericRange:
    """An inclusive range ``minimum..maximum`` of accepted numbers."""

    minimum: Decimal
    maximum: Decimal

    def accepts(self, number: Decimal) -> bool:
        """Whether ``number`` lies within the range."""
        return self.minimum <= number <= self.maximum


@dataclass(frozen=True)
class NumericAnswer:
    """One accepted answer of a numeric question, with the percentage it earns.

    ``accepted`` None is Moodle's "any other number" answer (GIFT ``~#feedback``, stored by
    Moodle as ``*``): it earns nothing and only carries feedback for a number no other answer
    accepts. It is always the last answer and earns 0%.
    """

    accepted: NumericValue | NumericRange | None
    weight: Decimal = FULL_CREDIT
    feedback: str = ""
    #: The format of ``feedback`` when a tag gave it one other than the question's (None).
    feedback_format: TextFormat | None = None

    @property
    def any_other(self) -> bool:
        """True for the "any other number" answer."""
        return self.accepted is None


@dataclass(frozen=True)
class MatchPair:
    """A prompt and the answer that belongs to it in a matching question.

    An empty ``prompt`` makes ``answer`` an extra wrong answer (a distractor), as in Moodle's
    ``= -> Chat``.
    """

    prompt: str
    answer: str
    #: The format of ``prompt`` when a tag gave it one other than the question's (None).
    prompt_format: TextFormat | None = None

    @property
    def is_distractor(self) -> bool:
        """True for an extra wrong answer, which belongs to no prompt."""
        return not self.prompt


# Which list-valued field each kind uses; true/false uses ``correct`` instead.
_LIST_FIELDS: dict[QuestionKind, str] = {
    QuestionKind.SINGLE_CHOICE: "choices",
    QuestionKind.MULTIPLE_RESPONSE: "choices",
    QuestionKind.SHORT_ANSWER: "answers",
    QuestionKind.NUMERIC: "numeric_answers",
    QuestionKind.MATCHING: "pairs",
}


@dataclass(frozen=True)
class ParsedQuestion:
    """A question read from a file, before the quiz engine stores it.

    ``text`` of a "missing word" question contains ``BLANK`` at ``blank_position``: the learner
    sees the blank where the author put the answers. ``line`` is where the question starts in its
    file; it is left out of comparisons so that a question equals itself after a round trip.

    True/false questions use ``correct`` and two feedbacks: ``feedback_true`` is shown to a
    learner who answers "true", ``feedback_false`` to one who answers "false".
    """

    kind: QuestionKind
    text: str
    title: str = ""
    text_format: TextFormat = TextFormat.MOODLE
    general_feedback: str = ""
    category: str | None = None
    blank_position: int | None = None
    choices: tuple[Choice, ...] = ()
    answers: tuple[TextAnswer, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    correct: bool | None = None
    feedback_true: str = ""
    feedback_false: str = ""
    #: The formats of the general and true/false feedback when a tag such as ``[html]`` gave
    #: them one other than the question's; None means the question's own format.
    general_feedback_format: TextFormat | None = None
    feedback_true_format: TextFormat | None = None
    feedback_false_format: TextFormat | None = None
    #: Essays: what graders see beside the answer (Moodle's "information for graders"; our
    #: model answer), the text the answer box starts with, and the word range (None: no limit).
    grader_info: str = ""
    response_template: str = ""
    min_words: int | None = None
    max_words: int | None = None
    #: Short answers: whether case counts (Moodle XML's ``usecase``); None when the file does
    #: not say (GIFT and Aiken never do), so an import keeps what the bank has.
    case_sensitive: bool | None = None
    line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        """Refuse a question whose fields do not fit its kind (a programming error)."""
        used = _LIST_FIELDS.get(self.kind)
        for name in ("choices", "answers", "numeric_answers", "pairs"):
            if name == used and not getattr(self, name):
                raise ValueError(f"a {self.kind} question needs {name}")
            if name != used and getattr(self, name):
                raise ValueError(f"a {self.kind} question has no {name}")
        if self.kind is QuestionKind.TRUE_FALSE:
            if self.correct is None:
                raise ValueError("a true_false question needs correct=True or correct=False")
        elif self.correct is not None or self.feedback_true or self.feedback_false:
            raise ValueError(f"a {self.kind} question has no true/false answer or feedback")
        if self.case_sensitive is not None and self.kind is not QuestionKind.SHORT_ANSWER:
            raise ValueError(f"a {self.kind} question has no case sensitivity")
        if self.kind is not QuestionKind.ESSAY and (
            self.grader_info or self.response_template or self.min_words or self.max_words
        ):
            raise ValueError(f"a {self.kind} question has no essay settings")
        if (
            self.min_words is not None
            and self.max_words is not None
            and self.min_words > self.max_words
        ):
            raise ValueError("min_words is above max_words")
        if self.kind is QuestionKind.NUMERIC:
            others = [i for i, a in enumerate(self.numeric_answers) if a.any_other]
            if others and (others != [len(self.numeric_answers) - 1] or len(others) > 1):
                raise ValueError("the 'any other number' answer must come once, last")
            if others and self.numeric_answers[-1].weight:
                raise ValueError("the 'any other number' answer earns 0%")
        if self.blank_position is not None and not self.text.startswith(BLANK, self.blank_position):
            raise ValueError(f"blank_position {self.blank_position} does not point at {BLANK!r}")

    @property
    def text_before_blank(self) -> str:
        """The text up to the blank (all of it when there is no blank)."""
        if self.blank_position is None:
            return self.text
        return self.text[: self.blank_position]

    @property
    def text_after_blank(self) -> str:
        """The text after the blank ("" when there is no blank)."""
        if self.blank_position is None:
            return ""
        return self.text[self.blank_position + len(BLANK) :]


@dataclass(frozen=True)
class FormatError:
    """A problem that makes a question (and so its file) invalid.

    ``line`` is where the question starts; ``problem_line`` is where the problem itself is, when
    that is a different line (an answer further down, an unclosed brace).
    """

    line: int
    message: str
    problem_line: int | None = None

    def __str__(self) -> str:
        """``line 4: message`` or ``line 4 (problem at line 6): message``."""
        if self.problem_line is not None and self.problem_line != self.line:
            return f"line {self.line} (problem at line {self.problem_line}): {self.message}"
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class UnsupportedConstruct:
    """A well-formed construct the quiz engine does not represent (a Moodle XML question type
    it has no kind for). GIFT essays and descriptions are questions now."""

    line: int
    construct: str

    def __str__(self) -> str:
        """``line 4: essay``."""
        return f"line {self.line}: {self.construct}"
