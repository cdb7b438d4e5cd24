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
from dataclasses import dataclass, field
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

UNSUPPORTED_MESSAGES = {
    "essay": "essay questions ({}) are not supported by the quiz engine",
    "description": "a description (text without an answer block {...}) is not a question "
    "the quiz engine supports",
}


@dataclass(frozen=True)
class GiftResult:
    """What ``parse_gift`` found.

    ``questions`` are the questions that parsed cleanly. ``unsupported`` lists every essay and
    description found. ``errors`` lists every problem that makes the file invalid; it includes the
    unsupported constructs unless they were skipped on purpose. Import a file only when
    ``ok`` is true.
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


# Reading


def parse_gift(text: str, *, skip_unsupported: bool = False) -> GiftResult:
    """Parse GIFT ``text`` into questions, errors and unsupported constructs.

    Essays and descriptions are always listed in ``unsupported``; with ``skip_unsupported``
    false (the default) each is also an error, because importing the file would lose them.
    Nothing is dropped silently: every block of the file becomes a question, an error or an
    unsupported construct.
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
    for index in range(start, len(chars) - len(needle) + 1):
        if all(
            not chars[index + offset].escaped and chars[index + offset].char == wanted
            for offset, wanted in enumerate(needle)
        ):
            return index
    return -1


def _starts(chars: Sequence[_Ch], prefix: str) -> bool:
    return _find(chars[: len(prefix)], prefix) == 0


def _parse_question(
    block: Sequence[tuple[int, str]], *, category: str | None
) -> ParsedQuestion | UnsupportedConstruct:
    """Parse one block (title, format, text and answer block) into a question."""
    line = block[0][0]
    chars = _strip(_scan(block))
    title = ""
    if _starts(chars, "::"):
        end = _find(chars, "::", 2)
        if end < 0:
            raise _Problem("the title is not closed: write ::title:: before the text", line)
        title = _text(_strip(chars[2:end]))
        chars = _strip(chars[end + 2 :])
    text_format = TextFormat.MOODLE
    for candidate in TextFormat:
        tag = f"[{candidate.value}]"
        if _starts(chars, tag):
            text_format = candidate
            chars = _strip(chars[len(tag) :])
            break

    opening, closing = _find(chars, "{"), _find(chars, "}")
    if opening < 0 and closing < 0:
        return UnsupportedConstruct(line, "description")
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
    split = _find(body, "####")
    if split >= 0:
        general_feedback = _text(_strip(body[split + 4 :]))
        body = body[:split]
    body = _strip(body)
    if not body:
        return UnsupportedConstruct(line, "essay")

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
        category=category,
        blank_position=blank_position,
        line=line,
    )
    block_line = chars[opening].line
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
        correct, feedback_true, feedback_false = true_false
        return ParsedQuestion(
            kind=QuestionKind.TRUE_FALSE,
            correct=correct,
            feedback_true=feedback_true,
            feedback_false=feedback_false,
            **common,
        )
    if _starts(body, "="):
        return ParsedQuestion(
            kind=QuestionKind.SHORT_ANSWER, answers=_short_answers(body, block_line), **common
        )
    raise _Problem(
        "cannot tell what kind of question this is: answers start with = (right) or ~ (wrong), "
        "a true/false block holds T, F, TRUE or FALSE, a numeric block starts with #",
        body[0].line,
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
    if feedback_at >= 0:
        feedback = _text(_strip(chars[feedback_at + 1 :]))
        chars = _strip(chars[:feedback_at])
    if not chars:
        raise _Problem(f"empty answer after {marker.char}", marker.line)
    return _RawAnswer(marker.char, marker.line, weight, list(chars), feedback)


def _weight(raw: str, line: int) -> Decimal:
    raw = raw.strip()
    if not _WEIGHT.fullmatch(raw) or not -100 <= Decimal(raw) <= 100:
        raise _Problem(f"the weight %{raw}% is not a number from -100 to 100", line)
    return Decimal(raw)


def _choices(body: Sequence[_Ch], block_line: int) -> tuple[QuestionKind, tuple[Choice, ...]]:
    raw = _split_answers(body, "=~")
    choices = tuple(
        Choice(
            text=_text(answer.text),
            weight=answer.weight
            if answer.weight is not None
            else Decimal(100 if answer.marker == "=" else 0),
            feedback=answer.feedback,
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
        answers.append(TextAnswer(_text(raw.text), weight, raw.feedback))
    if not any(answer.weight == 100 for answer in answers):
        raise _Problem(
            "no answer earns full marks: one answer needs = without a weight (or %100%)", block_line
        )
    return tuple(answers)


def _numeric(body: Sequence[_Ch], block_line: int) -> tuple[NumericAnswer, ...]:
    body = _strip(body)
    if not body:
        raise _Problem("a numeric block {#...} needs a number", block_line)
    if _find(body, "=") < 0:
        # {#3.14:0.01} is shorthand for {#=3.14:0.01}
        body = [_Ch("=", False, body[0].line), *body]
    answers = []
    for raw in _split_answers(body, "="):
        weight = Decimal(100) if raw.weight is None else raw.weight
        if weight < 0:
            raise _Problem(f"a numeric answer cannot have a negative weight ({weight}%)", raw.line)
        answers.append(NumericAnswer(_numeric_spec(raw.text, raw.line), weight, raw.feedback))
    if not any(answer.weight == 100 for answer in answers):
        raise _Problem(
            "no answer earns full marks: one answer needs = without a weight (or %100%)", block_line
        )
    return tuple(answers)


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
        prompt, answer = _text(_strip(chars[:arrow])), _text(_strip(chars[arrow + 2 :]))
        if not prompt or not answer:
            raise _Problem("a matching pair needs text on both sides of ->", line)
        pairs.append(MatchPair(prompt, answer))
    if len(pairs) < 2:
        raise _Problem("a matching question needs at least two pairs", block_line)
    return tuple(pairs)


def _true_false(body: Sequence[_Ch]) -> tuple[bool, str, str] | None:
    """(correct, feedback for "true", feedback for "false"), or None if not a true/false block."""
    first = _find(body, "#")
    word = _strip(body if first < 0 else body[:first])
    if any(ch.escaped for ch in word) or _text(word).upper() not in TRUE_WORDS | FALSE_WORDS:
        return None
    correct = _text(word).upper() in TRUE_WORDS
    wrong = right = ""
    if first >= 0:
        # GIFT gives the feedback for a wrong answer first, then for a right one.
        rest = body[first + 1 :]
        second = _find(rest, "#")
        wrong = _text(_strip(rest if second < 0 else rest[:second]))
        right = _text(_strip(rest[second + 1 :])) if second >= 0 else ""
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


def _feedback_text(feedback: str) -> str:
    return f"#{_escape(feedback)}" if feedback else ""


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
    general = f"####{_escape(question.general_feedback)}" if question.general_feedback else ""
    if question.kind is QuestionKind.TRUE_FALSE:
        right, wrong = (
            (question.feedback_true, question.feedback_false)
            if question.correct
            else (question.feedback_false, question.feedback_true)
        )
        feedback = ""
        if wrong or right:
            feedback = f"#{_escape(wrong)}" + (f"#{_escape(right)}" if right else "")
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
            if choice.weight == full and not marked:
                marked = True
                weight = _weight_text(choice.weight, full, choice.text)
                lines.append(f"={weight}{_escape(choice.text)}{_feedback_text(choice.feedback)}")
            else:
                weight = _weight_text(choice.weight, Decimal(0), choice.text)
                lines.append(f"~{weight}{_escape(choice.text)}{_feedback_text(choice.feedback)}")
        return lines
    if question.kind is QuestionKind.MULTIPLE_RESPONSE:
        return [
            f"~{_weight_text(c.weight, Decimal(0), c.text)}{_escape(c.text)}"
            f"{_feedback_text(c.feedback)}"
            for c in question.choices
        ]
    if question.kind is QuestionKind.SHORT_ANSWER:
        return [
            f"={_weight_text(a.weight, full, a.text)}{_escape(a.text)}{_feedback_text(a.feedback)}"
            for a in question.answers
        ]
    if question.kind is QuestionKind.NUMERIC:
        return [
            f"={_weight_text(a.weight, full, '')}{_numeric_text(a.accepted)}"
            f"{_feedback_text(a.feedback)}"
            for a in question.numeric_answers
        ]
    return [f"={_escape(p.prompt)} -> {_escape(p.answer)}" for p in question.pairs]


def _numeric_text(accepted: NumericValue | NumericRange) -> str:
    if isinstance(accepted, NumericRange):
        return f"{_number_text(accepted.minimum)}..{_number_text(accepted.maximum)}"
    if accepted.tolerance:
        return f"{_number_text(accepted.value)}:{_number_text(accepted.tolerance)}"
    return _number_text(accepted.value)
