"""Read and write Moodle's GIFT question format.

``parse_gift`` turns a GIFT file into ``ParsedQuestion`` values and reports every problem with
the line of the question it belongs to; ``write_gift`` turns questions back into GIFT text that
reads back to the same questions. See docs/question-formats.md for what maps to what.

The parser works on characters tagged with "was this escaped?" and their line number, so a
``\\=`` in an answer never splits it and every error can name its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, TypedDict

from quizzes.formats.model import (
    BLANK,
    Choice,
    FormatError,
    MatchPair,
    NumericAnswer,
    NumericRange,
    NumericValue,
    ParsedQuestion,
    QuestionKind,
    TextAnswer,
    TextFormat,
    UnsupportedConstruct,
)

__all__ = ["GiftResult", "parse_gift", "write_gift"]

CATEGORY_PREFIX = "$CATEGORY:"
# The characters GIFT lets an author escape with a backslash; "\n" is a newline.
SPECIAL_CHARACTERS = "~=#{}:"
# Weights of a multiple-response question may be written as 33.33 or 33.333: close enough.
WEIGHT_SUM_TOLERANCE = Decimal("0.1")
TRUE_WORDS = frozenset({"T", "TRUE"})
FALSE_WORDS = frozenset({"F", "FALSE"})

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WEIGHT = re.compile(r"[+-]?\d+(?:\.\d+)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

#: Messages for constructs the parser reads but the quiz engine may not hold (none at present:
#: essays and descriptions became questions; kept for callers that list ``unsupported``).
UNSUPPORTED_MESSAGES: dict[str, str] = {}


@dataclass(frozen=True)
class GiftResult:
    """What ``parse_gift`` found.

    ``questions`` are the questions that parsed cleanly, essays and descriptions included.
    ``unsupported`` would list constructs the quiz engine cannot represent (GIFT has none left).
    ``errors`` lists every problem that makes the file invalid. Import a file only when ``ok``
    is true; what the importer still cannot store is refused there (``quizzes.importing``).
    """

    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)
    unsupported: list[UnsupportedConstruct] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has no errors."""
        return not self.errors


class _Ch(NamedTuple):
    """One character of a question, whether it was escaped, and the line it came from."""

    char: str
    escaped: bool
    line: int


class _Common(TypedDict):
    """The fields every kind of question shares."""

    title: str
    text: str
    text_format: TextFormat
    general_feedback: str
    general_feedback_format: TextFormat | None
    category: str | None
    blank_position: int | None
    line: int


class _Problem(Exception):
    """Raised inside the parser to abandon one question; becomes a ``FormatError``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class _RawAnswer:
    """An answer between two markers, before its kind gives it a meaning."""

    marker: str
    line: int
    weight: Decimal | None
    text: list[_Ch]
    feedback: str
    text_format: TextFormat | None = None
    feedback_format: TextFormat | None = None


# Reading


def parse_gift(text: str, *, skip_unsupported: bool = False) -> GiftResult:
    """Parse GIFT ``text`` into questions, errors and unsupported constructs.

    Every construct Moodle's GIFT importer reads is parsed, essays (``{}``) and descriptions
    (text without an answer block) included. A construct listed in ``UNSUPPORTED_MESSAGES``
    would be listed in ``unsupported`` (and, without ``skip_unsupported``, be an error); there
    is none at present. Nothing is dropped silently: every block of the file becomes a
    question, an error or an unsupported construct.
    """
    result = GiftResult()
    category: str | None = None
    for block in _blocks(text):
        first_line, first = block[0]
        if first.strip().startswith(CATEGORY_PREFIX):
            path = first.strip()[len(CATEGORY_PREFIX) :].strip()
            if path:
                category = path
            else:
                result.errors.append(FormatError(first_line, "$CATEGORY: needs a category path"))
            block = block[1:]
            if not block:
                continue
        line = block[0][0]
        try:
            item = _parse_question(block, category=category)
        except _Problem as problem:
            where = problem.line if problem.line != line else None
            result.errors.append(FormatError(line, problem.message, where))
            continue
        if isinstance(item, UnsupportedConstruct):
            result.unsupported.append(item)
            if not skip_unsupported:
                message = UNSUPPORTED_MESSAGES[item.construct]
                result.errors.append(
                    FormatError(line, f"{message}; remove it or import with skip_unsupported")
                )
        else:
            result.questions.append(item)
    return result


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Yield the blank-line separated blocks of a file as (line number, line), comments removed.

    A comment line does not end a block, as in Moodle: only a blank line does.
    """
    block: list[tuple[int, str]] = []
    for number, line in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        if not line.strip():
            if block:
                yield block
            block = []
        elif not line.lstrip().startswith("//"):
            block.append((number, line))
    if block:
        yield block


def _scan(block: Sequence[tuple[int, str]]) -> list[_Ch]:
    """Turn lines into tagged characters, resolving GIFT's backslash escapes."""
    chars: list[_Ch] = []
    for index, (number, line) in enumerate(block):
        if index:
            chars.append(_Ch("\n", False, block[index - 1][0]))
        position = 0
        while position < len(line):
            char = line[position]
            following = line[position + 1 : position + 2]
            if char == "\\" and following and following in SPECIAL_CHARACTERS + "\\n":
                chars.append(_Ch("\n" if following == "n" else following, True, number))
                position += 2
            else:
                # An unknown escape such as "\(" is kept as written, as Moodle does.
                chars.append(_Ch(char, False, number))
                position += 1
    return chars


def _text(chars: Sequence[_Ch]) -> str:
    return "".join(ch.char for ch in chars)


def _strip(chars: Sequence[_Ch]) -> list[_Ch]:
    """Drop unescaped whitespace at both ends (an escaped newline is content)."""
    start, end = 0, len(chars)
    while start < end and not chars[start].escaped and chars[start].char.isspace():
        start += 1
    while end > start and not chars[end - 1].escaped and chars[end - 1].char.isspace():
        end -= 1
    return list(chars[start:end])


def _find(chars: Sequence[_Ch], needle: str, start: int = 0) -> int:
    """Index of the first unescaped occurrence of ``needle`` at or after ``start``, or -1."""
    first, rest = needle[0], needle[1:]
    for index in range(start, len(chars) - len(needle) + 1):
        ch = chars[index]
        if ch.char != first or ch.escaped:  # most positions: no generator built for them
            continue
        if all(
            not chars[index + offset].escaped and chars[index + offset].char == wanted
            for offset, wanted in enumerate(rest, start=1)
        ):
            return index
    return -1


def _starts(chars: Sequence[_Ch], prefix: str) -> bool:
    return _find(chars[: len(prefix)], prefix) == 0


def _rfind(chars: Sequence[_Ch], needle: str) -> int:
    """Index of the last unescaped occurrence of ``needle``, or -1."""
    for index in range(len(chars) - len(needle), -1, -1):
        if _find(chars[index : index + len(needle)], needle) == 0:
            return index
    return -1


def _formatted(chars: Sequence[_Ch]) -> tuple[TextFormat | None, list[_Ch]]:
    """Read a leading format tag (``[html]``, ``[plain]``, ``[moodle]``, ``[markdown]``).

    As in Moodle, the tag counts only at the very start of the (trimmed) text and an unknown
    tag such as ``[note]`` is text. Returns the tag's format (None without one) and the text
    after it, trimmed.
    """
    chars = _strip(chars)
    for candidate in TextFormat:
        tag = f"[{candidate.value}]"
        if _starts(chars, tag):
            return candidate, _strip(chars[len(tag) :])
    return None, chars


def _own_formats(question: ParsedQuestion) -> ParsedQuestion:
    """The question with every item format equal to the question's own written as None, so
    that ``[html]`` on an answer of an ``[html]`` question means the same as no tag."""

    def own(fmt: TextFormat | None) -> TextFormat | None:
        return None if fmt is question.text_format else fmt

    return replace(
        question,
        general_feedback_format=own(question.general_feedback_format),
        feedback_true_format=own(question.feedback_true_format),
        feedback_false_format=own(question.feedback_false_format),
        choices=tuple(
            replace(c, text_format=own(c.text_format), feedback_format=own(c.feedback_format))
            for c in question.choices
        ),
        answers=tuple(replace(a, feedback_format=own(a.feedback_format)) for a in question.answers),
        numeric_answers=tuple(
            replace(a, feedback_format=own(a.feedback_format)) for a in question.numeric_answers
        ),
        pairs=tuple(replace(p, prompt_format=own(p.prompt_format)) for p in question.pairs),
    )


def _parse_question(
    block: Sequence[tuple[int, str]], *, category: str | None
) -> ParsedQuestion | UnsupportedConstruct:
    """Parse one block (title, format, text and answer block) into a question."""
    question = _read_question(block, category=category)
    if isinstance(question, ParsedQuestion):
        return _own_formats(question)
    return question  # pragma: no cover - no construct is unsupported at present


def _read_question(
    block: Sequence[tuple[int, str]], *, category: str | None
) -> ParsedQuestion | UnsupportedConstruct:
    line = block[0][0]
    chars = _strip(_scan(block))
    title = ""
    if _starts(chars, "::"):
        end = _find(chars, "::", 2)
        if end < 0:
            raise _Problem("the title is not closed: write ::title:: before the text", line)
        title = _text(_strip(chars[2:end]))
        chars = _strip(chars[end + 2 :])
    tagged, chars = _formatted(chars)
    text_format = tagged or TextFormat.MOODLE

    opening, closing = _find(chars, "{"), _find(chars, "}")
    if opening < 0 and closing < 0:
        # Text without an answer block is a description (Moodle's "description" question).
        if not chars:
            raise _Problem("the description has no text", line)
        return ParsedQuestion(
            kind=QuestionKind.DESCRIPTION,
            text=_text(chars),
            title=title,
            text_format=text_format,
            category=category,
            line=line,
        )
    if opening < 0 or 0 <= closing < opening:
        raise _Problem("} without an opening {; write \\} for a literal brace", chars[closing].line)
    if closing < 0:
        raise _Problem(
            f"the answer block opened with {{ on line {chars[opening].line} is not closed with }} "
            "before the next blank line",
            chars[opening].line,
        )
    nested = _find(chars, "{", opening + 1)
    if 0 <= nested < closing:
        raise _Problem(
            "{ inside an answer block; write \\{ for a literal brace", chars[nested].line
        )
    after = chars[closing + 1 :]
    for stray in (_find(after, "{"), _find(after, "}")):
        if stray >= 0:
            raise _Problem(
                "a question has one answer block; write \\{ and \\} for literal braces",
                after[stray].line,
            )

    body = chars[opening + 1 : closing]
    general_feedback = ""
    general_format: TextFormat | None = None
    # Moodle takes the general feedback after the last "####".
    split = _rfind(body, "####")
    if split >= 0:
        general_format, feedback_chars = _formatted(body[split + 4 :])
        general_feedback = _text(feedback_chars)
        body = body[:split]
    body = _strip(body)

    before = chars[:opening]
    blank_position: int | None = None
    if after:
        blank_position = len(_text(before))
        text = _text(before) + BLANK + _text(after)
    else:
        text = _text(_strip(before))
    if not text:
        raise _Problem("the question has no text", line)

    common = _Common(
        title=title,
        text=text,
        text_format=text_format,
        general_feedback=general_feedback,
        general_feedback_format=general_format,
        category=category,
        blank_position=blank_position,
        line=line,
    )
    block_line = chars[opening].line
    if not body:
        # "{}" (or only general feedback): an essay, graded by a person.
        return ParsedQuestion(kind=QuestionKind.ESSAY, **common)
    if _starts(body, "#"):
        return ParsedQuestion(
            kind=QuestionKind.NUMERIC, numeric_answers=_numeric(body[1:], block_line), **common
        )
    if _find(body, "~") >= 0:
        kind, choices = _choices(body, block_line)
        return ParsedQuestion(kind=kind, choices=choices, **common)
    if _find(body, "=") >= 0 and _find(body, "->") >= 0:
        return ParsedQuestion(kind=QuestionKind.MATCHING, pairs=_pairs(body, block_line), **common)
    true_false = _true_false(body)
    if true_false is not None:
        correct, (feedback_true, true_format), (feedback_false, false_format) = true_false
        return ParsedQuestion(
            kind=QuestionKind.TRUE_FALSE,
            correct=correct,
            feedback_true=feedback_true,
            feedback_false=feedback_false,
            feedback_true_format=true_format,
            feedback_false_format=false_format,
            **common,
        )
    # Anything else is a short answer, as in Moodle: "{Frog}" is "{=Frog}".
    if not _starts(body, "="):
        body = [_Ch("=", False, body[0].line), *body]
    return ParsedQuestion(
        kind=QuestionKind.SHORT_ANSWER, answers=_short_answers(body, block_line), **common
    )


def _split_answers(body: Sequence[_Ch], markers: str) -> list[_RawAnswer]:
    """Cut an answer block at its unescaped markers and read each answer's weight and feedback."""
    cuts = [i for i, ch in enumerate(body) if not ch.escaped and ch.char in markers]
    leading = _strip(body[: cuts[0]] if cuts else body)
    if leading:
        raise _Problem(
            f"text before the first answer: each answer starts with {' or '.join(markers)}",
            leading[0].line,
        )
    answers = []
    for start, end in zip(cuts, [*cuts[1:], len(body)], strict=True):
        answers.append(_raw_answer(body[start], body[start + 1 : end]))
    return answers


def _raw_answer(marker: _Ch, chars: Sequence[_Ch]) -> _RawAnswer:
    chars = _strip(chars)
    weight: Decimal | None = None
    feedback_at = _find(chars, "#")
    if _starts(chars, "%"):
        end = _find(chars, "%", 1)
        # "%" with no closing "%" before the feedback is just text that begins with "%".
        if end > 0 and (feedback_at < 0 or end < feedback_at):
            weight = _weight(_text(chars[1:end]), marker.line)
            chars = _strip(chars[end + 1 :])
            feedback_at = _find(chars, "#")
    feedback = ""
    feedback_format: TextFormat | None = None
    if feedback_at >= 0:
        feedback_format, feedback_chars = _formatted(chars[feedback_at + 1 :])
        feedback = _text(feedback_chars)
        chars = _strip(chars[:feedback_at])
    text_format, chars = _formatted(chars)
    if not chars:
        raise _Problem(f"empty answer after {marker.char}", marker.line)
    return _RawAnswer(
        marker.char, marker.line, weight, list(chars), feedback, text_format, feedback_format
    )


def _weight(raw: str, line: int) -> Decimal:
    raw = raw.strip()
    if not _WEIGHT.fullmatch(raw) or not -100 <= Decimal(raw) <= 100:
        raise _Problem(f"the weight %{raw}% is not a number from -100 to 100", line)
    return Decimal(raw)


def _choices(body: Sequence[_Ch], block_line: int) -> tuple[QuestionKind, tuple[Choice, ...]]:
    raw = _split_answers(body, "=~")
    for answer in raw:
        if answer.marker == "=" and answer.weight is not None:
            # Moodle reads no weight after "=" in a choice block: "=%50%a" is the fully correct
            # answer "%50%a". Refused rather than read either way.
            raise _Problem(
                f"a weight after = in a multiple-choice question is not read by Moodle (it "
                f"makes %{_number_text(answer.weight)}% part of a fully correct answer's text): "
                f"write ~%{_number_text(answer.weight)}% for partial credit, or = alone",
                answer.line,
            )
    choices = tuple(
        Choice(
            text=_text(answer.text),
            weight=answer.weight
            if answer.weight is not None
            else Decimal(100 if answer.marker == "=" else 0),
            feedback=answer.feedback,
            text_format=answer.text_format,
            feedback_format=answer.feedback_format,
        )
        for answer in raw
    )
    if len(choices) < 2:
        raise _Problem("a multiple-choice question needs at least two answers", block_line)
    if any(answer.marker == "=" for answer in raw):
        if not any(choice.weight == 100 for choice in choices):
            raise _Problem(
                "no answer is fully correct: mark the correct answer with = (or %100%)",
                block_line,
            )
        return QuestionKind.SINGLE_CHOICE, choices
    positive = sum((c.weight for c in choices if c.weight > 0), Decimal(0))
    if not positive:
        raise _Problem(
            "no correct answer: mark it with =, or give the correct answers positive weights "
            "such as ~%50%",
            block_line,
        )
    if abs(positive - 100) > WEIGHT_SUM_TOLERANCE:
        raise _Problem(
            f"the positive weights of a multiple-response question add up to {positive}%, not 100%",
            block_line,
        )
    return QuestionKind.MULTIPLE_RESPONSE, choices


def _short_answers(body: Sequence[_Ch], block_line: int) -> tuple[TextAnswer, ...]:
    answers = []
    for raw in _split_answers(body, "="):
        weight = Decimal(100) if raw.weight is None else raw.weight
        if weight < 0:
            raise _Problem(f"a short answer cannot have a negative weight ({weight}%)", raw.line)
        # A format tag on an accepted answer is dropped, as Moodle drops it: the answer is
        # compared with what the learner types, never shown as formatted text.
        answers.append(TextAnswer(_text(raw.text), weight, raw.feedback, raw.feedback_format))
    if not any(answer.weight == 100 for answer in answers):
        raise _Problem(
            "no answer earns full marks: one answer needs = without a weight (or %100%)", block_line
        )
    return tuple(answers)


def _numeric(body: Sequence[_Ch], block_line: int) -> tuple[NumericAnswer, ...]:
    body = _strip(body)
    # As in Moodle, everything from the first "~" on is the feedback for any other number
    # ("~#Completely wrong", which Moodle stores as the answer "*" earning 0%).
    other: NumericAnswer | None = None
    tilde = _find(body, "~")
    if tilde >= 0:
        other = _any_other(body[tilde], body[tilde + 1 :])
        body = _strip(body[:tilde])
    if not body:
        raise _Problem("a numeric block {#...} needs a number", block_line)
    if not _starts(body, "="):
        # {#3.14:0.01} is shorthand for {#=3.14:0.01}; Moodle also keeps a first answer
        # written without "=" before others: {#3:2 =%50%3:4}.
        body = [_Ch("=", False, body[0].line), *body]
    answers = []
    for raw in _split_answers(body, "="):
        weight = Decimal(100) if raw.weight is None else raw.weight
        if weight < 0:
            raise _Problem(f"a numeric answer cannot have a negative weight ({weight}%)", raw.line)
        answers.append(
            NumericAnswer(
                _numeric_spec(raw.text, raw.line), weight, raw.feedback, raw.feedback_format
            )
        )
    if other is not None:
        answers.append(other)
    if not any(answer.weight == 100 for answer in answers):
        raise _Problem(
            "no answer earns full marks: one answer needs = without a weight (or %100%)", block_line
        )
    return tuple(answers)


def _any_other(marker: _Ch, chars: Sequence[_Ch]) -> NumericAnswer:
    """The "any other number" answer from what follows the ``~`` of a numeric block."""
    chars = _strip(chars)
    hash_at = _find(chars, "#")
    ignored = _strip(chars if hash_at < 0 else chars[:hash_at])
    if ignored:
        # Moodle would silently drop this text (a number or a weight): say so instead.
        raise _Problem(
            f"in a numeric question ~ starts the feedback for any other number (~#feedback); "
            f"'{_text(ignored)}' after ~ would be ignored: write more answers with =",
            ignored[0].line,
        )
    feedback_format, feedback = (None, []) if hash_at < 0 else _formatted(chars[hash_at + 1 :])
    return NumericAnswer(None, Decimal(0), _text(feedback), feedback_format)


def _numeric_spec(chars: Sequence[_Ch], line: int) -> NumericValue | NumericRange:
    dots, colon = _find(chars, ".."), _find(chars, ":")
    if dots >= 0:
        minimum = _number(_text(chars[:dots]), line)
        maximum = _number(_text(chars[dots + 2 :]), line)
        if minimum > maximum:
            raise _Problem(f"the range {_text(chars)} starts above its end", line)
        return NumericRange(minimum, maximum)
    if colon >= 0:
        value = _number(_text(chars[:colon]), line)
        tolerance = _number(_text(chars[colon + 1 :]), line)
        if tolerance < 0:
            raise _Problem(f"the tolerance {tolerance} is negative", line)
        return NumericValue(value, tolerance)
    return NumericValue(_number(_text(chars), line))


def _number(raw: str, line: int) -> Decimal:
    raw = raw.strip()
    if not _NUMBER.fullmatch(raw):
        raise _Problem(f"{raw!r} is not a number", line)
    try:
        return Decimal(raw)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise _Problem(f"{raw!r} is not a number", line) from error


def _pairs(body: Sequence[_Ch], block_line: int) -> tuple[MatchPair, ...]:
    cuts = [i for i, ch in enumerate(body) if not ch.escaped and ch.char == "="]
    leading = _strip(body[: cuts[0]])
    if leading:
        raise _Problem("text before the first pair: each pair starts with =", leading[0].line)
    pairs = []
    for start, end in zip(cuts, [*cuts[1:], len(body)], strict=True):
        chars = _strip(body[start + 1 : end])
        line = body[start].line
        if _find(chars, "#") >= 0:
            raise _Problem("matching pairs have no feedback; write \\# for a literal #", line)
        arrow = _find(chars, "->")
        if arrow < 0:
            raise _Problem("a matching pair needs the form =prompt -> answer", line)
        prompt_format, prompt = _formatted(chars[:arrow])
        # The answer is plain text in Moodle: a tag there is kept as text.
        answer = _text(_strip(chars[arrow + 2 :]))
        if not answer:
            raise _Problem(
                "a matching pair needs an answer after -> (an empty prompt before -> makes "
                "an extra wrong answer)",
                line,
            )
        pairs.append(MatchPair(_text(prompt), answer, prompt_format))
    if len(pairs) < 2:
        raise _Problem("a matching question needs at least two pairs", block_line)
    return tuple(pairs)


_Feedback = tuple[str, TextFormat | None]


def _true_false(body: Sequence[_Ch]) -> tuple[bool, _Feedback, _Feedback] | None:
    """(correct, feedback for "true", feedback for "false"), each feedback with its format,
    or None if not a true/false block.

    Moodle compares the word case-sensitively: ``{true}`` is a short answer "true".
    """
    first = _find(body, "#")
    word = _strip(body if first < 0 else body[:first])
    if any(ch.escaped for ch in word) or _text(word) not in TRUE_WORDS | FALSE_WORDS:
        return None
    correct = _text(word) in TRUE_WORDS
    wrong: _Feedback = ("", None)
    right: _Feedback = ("", None)
    if first >= 0:
        # GIFT gives the feedback for a wrong answer first, then for a right one.
        rest = body[first + 1 :]
        second = _find(rest, "#")
        wrong_format, wrong_chars = _formatted(rest if second < 0 else rest[:second])
        wrong = (_text(wrong_chars), wrong_format)
        if second >= 0:
            right_format, right_chars = _formatted(rest[second + 1 :])
            right = (_text(right_chars), right_format)
    if correct:
        return True, right, wrong
    return False, wrong, right


# Writing


def write_gift(questions: Iterable[ParsedQuestion]) -> str:
    """Write questions as GIFT text that ``parse_gift`` reads back to equal questions.

    Special characters are escaped and newlines written as ``\\n``. A ``$CATEGORY`` line is
    written whenever the category changes. Raises ``ValueError`` for a question GIFT cannot
    express faithfully (for example a short answer containing ``->``, or a question without a
    category after one with a category); the output is checked by reading it back.
    """
    questions = list(questions)
    chunks: list[str] = []
    category: str | None = None
    for number, question in enumerate(questions, start=1):
        if question.category != category:
            if question.category is None:
                raise ValueError(
                    f"question {number} has no category but follows one that has: GIFT cannot "
                    "return to no category; put uncategorised questions first"
                )
            chunks.append(f"{CATEGORY_PREFIX} {question.category}")
            category = question.category
        chunks.append(_write_question(question))
    output = "\n\n".join(chunks) + "\n" if chunks else ""
    _check_round_trip(output, questions)
    return output


def _check_round_trip(output: str, questions: list[ParsedQuestion]) -> None:
    result = parse_gift(output)
    if result.errors:
        raise ValueError(f"the questions cannot be written as GIFT: {result.errors[0]}")
    pairs = zip(questions, result.questions, strict=False)
    for number, (written, read) in enumerate(pairs, start=1):
        if written != read:
            raise ValueError(
                f"question {number} ({written.title or written.text[:40]!r}) cannot be written "
                f"as GIFT faithfully: it reads back as {read!r}"
            )
    if len(result.questions) != len(questions):  # pragma: no cover - errors would say why
        raise ValueError("the GIFT text does not read back to the same number of questions")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL_CHARACTERS:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _number_text(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _weight_text(weight: Decimal, default: Decimal, text: str) -> str:
    # A text that itself begins with "%" needs an explicit weight in front of it.
    if weight != default or text.startswith("%"):
        return f"%{_number_text(weight)}%"
    return ""


def _tag(fmt: TextFormat | None, text: str, question: ParsedQuestion) -> str:
    """The format tag to write before an answer's or feedback's text: its own format when it
    differs from the question's, or the question's when the text itself starts with "[" or
    "%" (so that it is read neither as a tag nor as a weight, by us or by Moodle)."""
    if fmt is not None:
        return f"[{fmt.value}]"
    if text.startswith(("[", "%")):
        return f"[{question.text_format.value}]"
    return ""


def _tagged(text: str, fmt: TextFormat | None, question: ParsedQuestion) -> str:
    return _tag(fmt, text, question) + _escape(text)


def _feedback_text(feedback: str, fmt: TextFormat | None, question: ParsedQuestion) -> str:
    return f"#{_tagged(feedback, fmt, question)}" if feedback or fmt else ""


def _write_question(question: ParsedQuestion) -> str:
    head = f"::{_escape(question.title)}::" if question.title else ""
    before = question.text_before_blank
    # A text that starts like a format tag, or a comment when there is no title, needs an
    # explicit tag in front so that it reads back as text.
    if (
        question.text_format is not TextFormat.MOODLE
        or before.startswith("[")
        or (not head and before.startswith("//"))
    ):
        head += f"[{question.text_format.value}]"
    return head + _escape(before) + _write_block(question) + _escape(question.text_after_blank)


def _write_block(question: ParsedQuestion) -> str:
    general = ""
    if question.general_feedback or question.general_feedback_format:
        general = "####" + _tagged(
            question.general_feedback, question.general_feedback_format, question
        )
    if question.kind is QuestionKind.DESCRIPTION:
        return ""
    if question.kind is QuestionKind.ESSAY:
        return "{" + general + "}"
    if question.kind is QuestionKind.TRUE_FALSE:
        true = (question.feedback_true, question.feedback_true_format)
        false = (question.feedback_false, question.feedback_false_format)
        right, wrong = (true, false) if question.correct else (false, true)
        feedback = ""
        if any(wrong) or any(right):
            feedback = f"#{_tagged(*wrong, question)}"
            if any(right):
                feedback += f"#{_tagged(*right, question)}"
        return "{" + ("TRUE" if question.correct else "FALSE") + feedback + general + "}"

    lines = _answer_lines(question)
    if general:
        lines.append(general)
    prefix = "#" if question.kind is QuestionKind.NUMERIC else ""
    return "{" + prefix + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"


def _answer_lines(question: ParsedQuestion) -> list[str]:
    full = Decimal(100)
    if question.kind is QuestionKind.SINGLE_CHOICE:
        lines, marked = [], False
        for choice in question.choices:
            # Only the first fully correct choice takes "=", so that the block always keeps a
            # "~" and reads back as a choice rather than a short answer.
            text = _tagged(choice.text, choice.text_format, question)
            feedback = _feedback_text(choice.feedback, choice.feedback_format, question)
            if choice.weight == full and not marked:
                marked = True
                lines.append(f"={_weight_text(choice.weight, full, text)}{text}{feedback}")
            else:
                lines.append(f"~{_weight_text(choice.weight, Decimal(0), text)}{text}{feedback}")
        return lines
    if question.kind is QuestionKind.MULTIPLE_RESPONSE:
        lines = []
        for choice in question.choices:
            text = _tagged(choice.text, choice.text_format, question)
            feedback = _feedback_text(choice.feedback, choice.feedback_format, question)
            lines.append(f"~{_weight_text(choice.weight, Decimal(0), text)}{text}{feedback}")
        return lines
    if question.kind is QuestionKind.SHORT_ANSWER:
        lines = []
        for answer in question.answers:
            text = _tagged(answer.text, None, question)
            feedback = _feedback_text(answer.feedback, answer.feedback_format, question)
            lines.append(f"={_weight_text(answer.weight, full, text)}{text}{feedback}")
        return lines
    if question.kind is QuestionKind.NUMERIC:
        lines = []
        for numeric in question.numeric_answers:
            if numeric.accepted is None:
                # Moodle's own layout for the answer "*": the feedback for any other number.
                lines.append("~#" + _tagged(numeric.feedback, numeric.feedback_format, question))
                continue
            feedback = _feedback_text(numeric.feedback, numeric.feedback_format, question)
            lines.append(
                f"={_weight_text(numeric.weight, full, '')}{_numeric_text(numeric.accepted)}"
                f"{feedback}"
            )
        return lines
    return [
        f"={_tagged(p.prompt, p.prompt_format, question)} -> {_escape(p.answer)}"
        for p in question.pairs
    ]


def _numeric_text(accepted: NumericValue | NumericRange) -> str:
    if isinstance(accepted, NumericRange):
        return f"{_number_text(accepted.minimum)}..{_number_text(accepted.maximum)}"
    if accepted.tolerance:
        return f"{_number_text(accepted.value)}:{_number_text(accepted.tolerance)}"
    return _number_text(accepted.value)
