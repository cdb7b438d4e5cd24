"""Export questions of the bank as GIFT (see docs/question-formats.md).

``questions_export`` writes a category (and the categories inside it) as one GIFT text. Category
paths are written relative to the exported category, so importing the text with the same
``--category`` recreates the same categories, and importing it over the category it came from
changes nothing. Questions GIFT cannot express (ordering and scenario questions, matching
questions with an extra wrong answer) are left out and listed in ``skipped``, never dropped
silently; settings GIFT has no place for (marks, case-sensitive answers, all-or-nothing scoring)
are listed in ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Q

from .formats import (
    BLANK,
    Choice,
    MatchPair,
    NumericAnswer,
    NumericValue,
    ParsedQuestion,
    QuestionKind,
    TextAnswer,
    TextFormat,
    write_gift,
)
from .formats.moodle_xml import write_moodle_xml
from .models import Question, QuestionCategory, QuestionOption, QuestionType
from .question_images import read_image
from .text import decimal_text

__all__ = [
    "ExportResult",
    "NotExpressible",
    "parsed_question",
    "questions_export",
    "questions_export_moodle_xml",
]

#: How an exported ``$CATEGORY`` path starts, as Moodle writes it; the importer drops it again.
#: Written always, so that a category named "top" inside the exported one survives a round trip.
MOODLE_PREFIX = "$course$/top/"

_TEXT_FORMAT = {
    "html": TextFormat.HTML,
    "markdown": TextFormat.MARKDOWN,
    "plain": TextFormat.PLAIN,
}


class NotExpressible(ValueError):
    """The question cannot be written as GIFT; the message says why."""


@dataclass(frozen=True)
class ExportResult:
    """The GIFT text, how many questions it holds, and what it could not hold.

    ``skipped`` names each question left out and why; ``warnings`` names each exported question
    with a setting GIFT has no place for (kept when the file is imported over the same category,
    the default in a new one). The text starts with a comment listing the skipped questions.
    """

    text: str
    exported: int
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def questions_export(
    *, category: QuestionCategory | None, include_subcategories: bool = True
) -> ExportResult:
    """The questions of ``category`` (every question of the bank when None) as GIFT text.

    With ``include_subcategories`` the categories inside it (``<name>/...``) are exported too,
    each after a ``$CATEGORY`` line with its path relative to ``category``. Two queries.
    """
    base, ordered = _exported(category, include_subcategories)
    parsed: list[ParsedQuestion] = []
    skipped: list[str] = []
    warnings: list[str] = []
    for question in ordered:
        label = _label(question)
        try:
            parsed.append(_checked(question, _relative(question.category.name, base)))
        except NotExpressible as reason:
            skipped.append(f"{label}: {reason}")
            continue
        warnings.extend(f"{label}: {warning}" for warning in _lost_settings(question))
    text = write_gift(parsed)
    if skipped:
        header = ["// Not exported: GIFT cannot express these questions."]
        header.extend(f"// - {' '.join(line.split())}" for line in skipped)
        text = "\n".join(header) + "\n\n" + text
    return ExportResult(text=text, exported=len(parsed), skipped=skipped, warnings=warnings)


def _exported(
    category: QuestionCategory | None, include_subcategories: bool
) -> tuple[str | None, list[Question]]:
    """The exported category's name and its questions (two queries), its own first: GIFT cannot
    go back to "no category"."""
    questions = Question.objects.select_related("category").prefetch_related("options")
    base = category.name if category is not None else None
    if category is not None:
        within = Q(category=category)
        if include_subcategories:
            within |= Q(category__name__startswith=f"{category.name}/")
        questions = questions.filter(within)
    return base, sorted(questions, key=lambda q: (q.category.name != base, q.category.name, q.pk))


def questions_export_moodle_xml(
    *, category: QuestionCategory | None, include_subcategories: bool = True
) -> ExportResult:
    """The questions of ``category`` as Moodle XML, with the images their text shows embedded
    (see ``quizzes.question_images``). Moodle XML holds every kind GIFT does, and essays,
    descriptions, matching distractors and ``->`` in answers too; ordering and scenario
    questions are left out and listed in ``skipped``."""
    base, ordered = _exported(category, include_subcategories)
    parsed: list[ParsedQuestion] = []
    skipped: list[str] = []
    for question in ordered:
        relative = _relative(question.category.name, base) or (MOODLE_PREFIX.rstrip("/"))
        try:
            parsed.append(_xml_parsed(question, relative))
        except NotExpressible as reason:
            skipped.append(f"{_label(question)}: {reason}")
    text = write_moodle_xml(parsed, read_image=read_image)
    return ExportResult(text=text, exported=len(parsed), skipped=skipped)


def _xml_parsed(question: Question, category: str) -> ParsedQuestion:
    """``question`` for Moodle XML: as for GIFT, without GIFT's own limits."""
    options = list(question.options.all())
    common: dict[str, Any] = {
        "text": _clean(question.text),
        "title": " ".join(question.title.split()),
        "text_format": _TEXT_FORMAT.get(question.text_format, TextFormat.MARKDOWN),
        "general_feedback": _clean(question.general_feedback),
        "category": category,
    }
    kind = question.kind
    if kind == QuestionType.MATCHING:
        pairs = tuple(MatchPair(_clean(o.text), _clean(o.match)) for o in options)
        return ParsedQuestion(kind=QuestionKind.MATCHING, pairs=pairs, **common)
    if kind == QuestionType.SHORT_ANSWER:
        answers = tuple(TextAnswer(_clean(o.text), o.weight, _clean(o.feedback)) for o in options)
        return ParsedQuestion(
            kind=QuestionKind.SHORT_ANSWER,
            answers=answers,
            case_sensitive=question.case_sensitive,
            **common,
        )
    if kind == QuestionType.ESSAY:
        return ParsedQuestion(
            kind=QuestionKind.ESSAY,
            grader_info=_clean(question.model_answer),
            response_template=_clean(question.response_template),
            min_words=question.min_words,
            max_words=question.max_words,
            **common,
        )
    if kind == QuestionType.DESCRIPTION:
        return ParsedQuestion(kind=QuestionKind.DESCRIPTION, **common)
    parsed = _parsed(question, category)
    return replace(parsed, blank_position=None, text=common["text"])


def parsed_question(question: Question, *, base: str | None) -> ParsedQuestion:
    """``question`` as a ``ParsedQuestion`` that ``write_gift`` writes faithfully.

    ``base`` is the name of the category being exported: a question in it has no category, one
    inside it the rest of its category's path; None leaves categories out. Raises
    ``NotExpressible`` for a question GIFT cannot express. Reads ``question.options.all()``
    (prefetch them for many questions).
    """
    relative = None if base is None else _relative(question.category.name, base)
    return _checked(question, relative)


def _relative(name: str, base: str | None) -> str | None:
    """The ``$CATEGORY`` path of category ``name`` in an export of ``base``."""
    if base is None:
        return MOODLE_PREFIX + name
    if name == base:
        return None
    if not name.startswith(f"{base}/"):
        raise ValueError(f"the category {name!r} is not inside {base!r}")
    return MOODLE_PREFIX + name[len(base) + 1 :]


def _label(question: Question) -> str:
    return f"'{question.title}' ({question.category.name})"


def _clean(text: str) -> str:
    """Text as GIFT keeps it: line breaks as ``\\n`` and no surrounding whitespace (GIFT trims
    it; the CMS stores the ``\\r\\n`` browsers send)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _checked(question: Question, category: str | None) -> ParsedQuestion:
    """The parsed question, written alone to make sure GIFT reads it back the same."""
    parsed = _parsed(question, category)
    try:
        write_gift([parsed])
    except ValueError as error:
        if parsed.blank_position is None:
            raise NotExpressible(f"GIFT cannot express it faithfully ({error})") from error
        # A "_____" GIFT cannot place as a missing word stays in the text as it is.
        parsed = replace(parsed, blank_position=None)
        try:
            write_gift([parsed])
        except ValueError as second:
            raise NotExpressible(f"GIFT cannot express it faithfully ({second})") from second
    return parsed


def _parsed(question: Question, category: str | None) -> ParsedQuestion:
    kind = question.kind
    if kind == QuestionType.ORDERING:
        raise NotExpressible("GIFT has no ordering questions")
    if kind == QuestionType.SCENARIO:
        raise NotExpressible(
            "GIFT has no scenario questions (a case with feedback on every option)"
        )
    options: list[QuestionOption] = list(question.options.all())
    text = _clean(question.text)
    blank = text.find(BLANK)

    def build(kind: QuestionKind, **answers: Any) -> ParsedQuestion:
        try:
            return ParsedQuestion(
                kind=kind,
                text=text,
                title=" ".join(question.title.split()),
                text_format=_TEXT_FORMAT.get(question.text_format, TextFormat.MARKDOWN),
                general_feedback=_clean(question.general_feedback),
                category=category,
                # A "_____" with text after it goes where Moodle's missing word goes.
                blank_position=blank if blank >= 0 and text[blank + len(BLANK) :].strip() else None,
                **answers,
            )
        except ValueError as error:  # e.g. a choice question without options
            raise NotExpressible(f"it is incomplete ({error})") from error

    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return build(
            QuestionKind(kind),
            choices=tuple(Choice(_clean(o.text), o.weight, _clean(o.feedback)) for o in options),
        )
    if kind == QuestionType.TRUE_FALSE:
        if question.correct_answer is None:
            raise NotExpressible("it does not say whether the statement is true or false")
        return build(
            QuestionKind.TRUE_FALSE,
            correct=question.correct_answer,
            feedback_true=_clean(question.feedback_true),
            feedback_false=_clean(question.feedback_false),
        )
    if kind == QuestionType.SHORT_ANSWER:
        if any("->" in o.text for o in options):
            raise NotExpressible("GIFT cannot write -> in a short answer")
        return build(
            QuestionKind.SHORT_ANSWER,
            answers=tuple(
                TextAnswer(_clean(o.text), o.weight, _clean(o.feedback)) for o in options
            ),
        )
    if kind == QuestionType.NUMERIC:
        if any(o.value is None for o in options):
            raise NotExpressible("an answer has no number")
        return build(
            QuestionKind.NUMERIC,
            numeric_answers=tuple(
                NumericAnswer(
                    NumericValue(o.value, o.tolerance or Decimal(0)),
                    o.weight,
                    _clean(o.feedback),
                )
                for o in options
                if o.value is not None
            ),
        )
    if kind == QuestionType.ESSAY:
        # GIFT writes the prompt ({}); the rubric, word range and model answer are not GIFT's
        # (``_lost_settings`` says so; the curriculum keeps them in the quiz's .yaml).
        return build(QuestionKind.ESSAY)
    if kind == QuestionType.DESCRIPTION:
        return build(QuestionKind.DESCRIPTION)
    if kind == QuestionType.MATCHING:
        if any("->" in o.text for o in options):
            raise NotExpressible("GIFT cannot write -> in a matching prompt")
        return build(
            QuestionKind.MATCHING,
            pairs=tuple(MatchPair(_clean(o.text), _clean(o.match)) for o in options),
        )
    raise NotExpressible(f"unknown question type {kind!r}")


def _lost_settings(question: Question) -> list[str]:
    """The question's settings GIFT has no place for, when they are not the defaults."""
    lost: list[str] = []
    if question.default_mark != Decimal(1):
        lost.append(f"its marks ({decimal_text(question.default_mark)})")
    if question.kind == QuestionType.SHORT_ANSWER and question.case_sensitive:
        lost.append("case-sensitive answers")
    if (
        question.kind in (QuestionType.MULTIPLE_RESPONSE, QuestionType.MATCHING)
        and not question.partial_credit
    ):
        lost.append("all-or-nothing scoring (no partial credit)")
    if question.scenario.strip():
        lost.append("its case text")
    if question.kind == QuestionType.ESSAY and (
        question.rubric_criteria()
        or question.min_words
        or question.max_words
        or question.model_answer.strip()
        or question.response_template.strip()
    ):
        lost.append("its rubric, word range, model answer and answer template")
    if question.kind == QuestionType.MATCHING and any(
        o.feedback.strip() or o.weight for o in question.options.all()
    ):
        lost.append("the feedback and credit of its pairs")
    return [
        f"exported without {what}: GIFT has no place for it (an import over this category keeps "
        "it; a new category gets the default)"
        for what in lost
    ]
