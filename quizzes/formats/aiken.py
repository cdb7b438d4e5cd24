"""Read the Aiken question format: single-choice questions in plain text.

An Aiken question is its text, then options ``A.`` or ``A)``, then ``ANSWER: <letter>``::

    Which of these helps a learner feel safe?
    A. Sudden changes of plan
    B) A predictable routine
    ANSWER: B

Questions may be separated by blank lines. Every problem is reported with the line of its
question. The rules follow Moodle's Aiken importer (docs/question-formats.md): an option is an
upper-case letter, ``.`` or ``)``, then an optional space (``A)text`` is an option); a line
shorter than two characters is ignored; options are counted by position, so they must be
lettered A, B, C… in order. Two extensions read files Moodle refuses, with the meaning their
author clearly meant: question text over several lines (no blank line in between) and a
lower-case answer letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from quizzes.formats.model import (
    Choice,
    FormatError,
    ParsedQuestion,
    QuestionKind,
    TextFormat,
)

__all__ = ["AikenResult", "parse_aiken"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Moodle: a capital letter, "." or ")", then an optional space or tab; "A)text" is an option.
_OPTION = re.compile(r"([A-Z])[.)][ \t]?(.*)")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)")
_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class AikenResult:
    """What ``parse_aiken`` found; import the file only when ``ok`` is true."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has no errors."""
        return not self.errors


@dataclass
class _Draft:
    """A question being read: its text lines and options so far."""

    line: int
    text: list[str]
    options: dict[str, tuple[str, int]] = field(default_factory=dict)
    broken: bool = False


def parse_aiken(text: str) -> AikenResult:
    """Parse Aiken ``text`` into single-choice questions and errors with line numbers."""
    result = AikenResult()
    draft: _Draft | None = None
    after_blank = False

    def fail(line: int, message: str, problem_line: int | None = None) -> None:
        where = problem_line if problem_line != line else None
        result.errors.append(FormatError(line, message, where))

    def abandon(current: _Draft, line: int, where: str) -> None:
        if not current.broken:
            fail(current.line, f"the question has no ANSWER: line before {where}", line)

    for number, raw in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if len(line) < 2:
            continue  # Moodle ignores a line shorter than two characters
        option = _OPTION.fullmatch(line)
        answer = _ANSWER.fullmatch(line)
        if answer:
            if draft is None:
                fail(number, "ANSWER: without a question before it")
            elif not draft.broken:
                outcome = _finish(draft, answer.group(1).strip(), number)
                if isinstance(outcome, FormatError):
                    result.errors.append(outcome)
                else:
                    result.questions.append(outcome)
            draft = None
        elif option:
            letter, option_text = option.group(1), (option.group(2) or "").strip()
            if draft is None:
                fail(number, f"option {letter} has no question before it")
            elif letter in draft.options:
                if not draft.broken:
                    fail(draft.line, f"option {letter} appears twice", number)
                draft.broken = True
            elif letter != chr(ord("A") + len(draft.options)):
                if not draft.broken:
                    expected = chr(ord("A") + len(draft.options))
                    fail(
                        draft.line,
                        f"option {letter} should be option {expected}: options are lettered "
                        "A, B, C… in order, because Moodle counts them by position",
                        number,
                    )
                draft.broken = True
            elif not option_text:
                if not draft.broken:
                    fail(draft.line, f"option {letter} has no text", number)
                draft.broken = True
            else:
                draft.options[letter] = (option_text, number)
        elif draft is not None and not draft.options and not after_blank:
            draft.text.append(line)
        else:
            if draft is not None:
                if draft.options:
                    abandon(draft, number, "the next question")
                elif not draft.broken:
                    fail(draft.line, "the question has no options before the next question", number)
            draft = _Draft(number, [line])
        after_blank = False
    if draft is not None:
        abandon(draft, draft.line, "the end of the file")
    return result


def _finish(draft: _Draft, letter: str, line: int) -> ParsedQuestion | FormatError:
    """Turn a draft into a question once its ANSWER: line (at ``line``) has been read."""
    if len(draft.options) < 2:
        found = len(draft.options)
        return FormatError(
            draft.line, f"a question needs at least two options, found {found}", line
        )
    if not _LETTER.fullmatch(letter):
        return FormatError(
            draft.line, f"ANSWER: must be followed by one option letter, not {letter!r}", line
        )
    letter = letter.upper()
    if letter not in draft.options:
        known = ", ".join(draft.options)
        return FormatError(draft.line, f"ANSWER: {letter} is not one of the options {known}", line)
    return ParsedQuestion(
        kind=QuestionKind.SINGLE_CHOICE,
        text="\n".join(draft.text),
        text_format=TextFormat.PLAIN,
        choices=tuple(
            Choice(text, weight=Decimal(100 if key == letter else 0))
            for key, (text, _line) in draft.options.items()
        ),
        line=draft.line,
    )
