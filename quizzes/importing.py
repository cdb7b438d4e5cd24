"""Import GIFT and Aiken question files into the question bank (see docs/question-formats.md).

``questions_import`` reads a whole file with ``quizzes.formats``, turns every question into the
``Question`` and ``QuestionOption`` rows it would store, and checks them all (the format's rules,
``quizzes.validation.question_problems``, the model fields' limits, titles unique per category)
before writing anything. Any problem, reported as ``FILE:LINE: message``, means nothing is written;
otherwise the write is one transaction.

A question is identified by its category and title, so importing a file again updates its
questions and creates no duplicates; a question that already matches the file is not written at
all.

Questions are reviewed like pages (``docs/quizzes.md``, "Review of changes"). With ``publish``
(the curriculum loader, the ``import_questions`` command, a Course reviewer) the rows are written
live, as before. Without it (a trainer's import in the CMS) nothing a learner sees changes: a
new question is created as a draft (``live=False``, never asked), and a change to a live
question is saved as a new revision that waits for review, leaving the live row as it was.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.html import strip_tags

from core.api import render_markdown

from .formats import (
    FormatError,
    NumericRange,
    ParsedQuestion,
    QuestionKind,
    TextFormat,
    parse_aiken,
    parse_gift,
)
from .formats.moodle_xml import MoodleXmlResult, parse_moodle_xml
from .lint import item_from_fields, lint, translated_titles
from .models import Question, QuestionCategory, QuestionOption, QuestionType
from .models import TextFormat as StoredFormat
from .question_images import image_src, store_images
from .validation import question_problems

__all__ = [
    "FORMATS",
    "ImportProblem",
    "ImportReport",
    "ImportedQuestion",
    "category_path",
    "file_category",
    "questions_import",
    "title_from_text",
]

Format = Literal["gift", "aiken", "xml"]
_Fail = Callable[[int | None, str], None]
FORMATS: tuple[Format, ...] = ("gift", "aiken", "xml")

#: A question without ``::title::`` is named after this many characters of its text, as Moodle
#: names it after the start of its text.
TITLE_LENGTH = 60

#: The question fields a GIFT or Aiken file sets. The others (marks, case sensitivity, the case
#: of a scenario, partial credit) take the model's defaults on a new question (partial credit
#: on, so a multiple-response question's weights count as in Moodle) and are left as they are on
#: an existing one: the file says nothing about them.
FILE_FIELDS = (
    "kind",
    "text",
    "text_format",
    "general_feedback",
    "correct_answer",
    "feedback_true",
    "feedback_false",
)
OPTION_FIELDS = ("text", "match", "weight", "value", "tolerance", "feedback")

#: Kinds GIFT cannot express: importing a file over one of them would replace it with something
#: else, so that is refused.
NOT_IN_GIFT = {QuestionType.ORDERING, QuestionType.SCENARIO}

_STORED_FORMAT = {
    TextFormat.MOODLE: StoredFormat.HTML,
    TextFormat.HTML: StoredFormat.HTML,
    TextFormat.MARKDOWN: StoredFormat.MARKDOWN,
    TextFormat.PLAIN: StoredFormat.PLAIN,
}
_MOODLE_CONTEXT = re.compile(r"\$\w+\$")
_MARKDOWN_MARKS = re.compile(r"[*`]+|^#+\s*", re.MULTILINE)

_UNSUPPORTED = {
    "essay": "an essay question ({} with no answers) cannot be stored by the quiz engine",
    "description": "a description (text with no answer block {...}) is not a question the quiz "
    "engine can store",
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem with a file: where (``line`` is None for the file as a whole) and what."""

    line: int | None
    message: str
    filename: str = ""

    def __str__(self) -> str:
        """``questions.gift:12: message``, as compilers report problems."""
        if self.line is None:
            return f"{self.filename}: {self.message}" if self.filename else self.message
        where = f"{self.filename}:{self.line}" if self.filename else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedQuestion:
    """A question of the file: its line, the category it goes to and its title."""

    line: int
    category: str
    title: str

    def __str__(self) -> str:
        return f"{self.category}: {self.title} (line {self.line})"


@dataclass
class ImportReport:
    """What an import did, or with ``dry_run`` what it would do.

    When ``errors`` is not empty nothing was written (and the lists of questions are empty).
    ``skipped`` lists the unsupported constructs left out on purpose (``skip_unsupported``).
    """

    filename: str
    category: str
    dry_run: bool = False
    created: list[ImportedQuestion] = field(default_factory=list)
    updated: list[ImportedQuestion] = field(default_factory=list)
    unchanged: list[ImportedQuestion] = field(default_factory=list)
    skipped: list[ImportProblem] = field(default_factory=list)
    #: What the import did that the author should know, though nothing is wrong (a duplicate
    #: title given a suffix, an essay saved as a draft until it has a rubric).
    notes: list[ImportProblem] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    #: Item-writing advice (``quizzes.lint``), translated: the questions are imported anyway.
    warnings: list[ImportProblem] = field(default_factory=list)
    #: False when the questions were saved as drafts for review rather than published.
    published: bool = True
    #: Moodle XML: the images stored as Wagtail images (their names in the file).
    images_created: list[str] = field(default_factory=list)
    #: Moodle XML: what the parser read, with the decoded images until they are stored.
    embedded: MoodleXmlResult | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the file was imported (or, in a dry run, could be)."""
        return not self.errors

    def summary(self) -> str:
        """``3 created, 1 updated, 5 unchanged`` (``3 to create, ...`` in a dry run)."""
        done = ("to create", "to update") if self.dry_run else ("created", "updated")
        text = (
            f"{len(self.created)} {done[0]}, {len(self.updated)} {done[1]}, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.skipped:
            text += f", {len(self.skipped)} skipped as unsupported"
        if self.categories_created:
            text += f"; new categories: {', '.join(self.categories_created)}"
        if self.images_created:
            count = len(self.images_created)
            text += f"; {count} image{'s' if count != 1 else ''} stored"
        if not self.published and (self.created or self.updated):
            text += "; saved as drafts, published when a reviewer approves them"
        return f"check only, nothing stored: {text}" if self.dry_run else text


@dataclass
class _Draft:
    """A question of the file as the rows it would store, before anything is written."""

    line: int
    category: str
    title: str
    title_from_text: bool
    fields: dict[str, Any]
    options: list[dict[str, Any]]
    #: Answers or feedback whose format tag cannot be converted into the question's format.
    conversion_problems: list[str] = field(default_factory=list)

    @property
    def ref(self) -> ImportedQuestion:
        return ImportedQuestion(self.line, self.category, self.title)


def questions_import(
    *,
    text: str | IO[bytes],
    fmt: Format,
    category: str = "",
    nest: bool = False,
    skip_unsupported: bool = False,
    dry_run: bool = False,
    filename: str = "",
    publish: bool = False,
    user: Any = None,
) -> ImportReport:
    """Create or update the questions of the GIFT or Aiken ``text``.

    A GIFT ``$CATEGORY: path`` puts the questions after it in the category ``path`` names (see
    ``file_category``); with ``nest`` in ``<category>/<path>`` instead (see ``category_path``).
    Questions before any ``$CATEGORY`` (every question of an Aiken file) go to ``category``; with
    no ``category`` they are an error. Categories are created when missing. Constructs the quiz
    engine cannot store (essays, descriptions) are errors unless ``skip_unsupported``, in which
    case they are listed in ``skipped``. With any error nothing is written. ``dry_run`` checks
    everything, against the database too, and reports what would change without writing.
    ``filename`` names the file in the messages. ``publish`` writes the questions live;
    without it new questions are drafts and changes to live questions are revisions for review
    (see the module's docstring). ``user`` is recorded as the author of the revisions.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown question format {fmt!r}; expected one of {FORMATS}")
    report = ImportReport(
        filename=filename, category=category.strip(), dry_run=dry_run, published=publish
    )

    def fail(line: int | None, message: str) -> None:
        report.errors.append(ImportProblem(line, message, filename))

    base = _base_category(category, fail) if category else ""
    if nest and not base and base is not None:
        fail(None, "to put the file's categories inside a category, name that category")
        base = None
    if base is not None:
        report.category = base
    questions = _parse(text, fmt, skip_unsupported, report, fail)
    questions = _storable(questions, skip_unsupported, report, fail)
    drafts = [] if base is None else _drafts(questions, base, nest, fail, report)
    if not nest:  # where the questions went: the file's own categories, or the one given
        report.category = ", ".join(dict.fromkeys(d.category for d in drafts)) or report.category
    if not questions and not report.errors:
        fail(None, "the file has no questions" + (" left to import" if report.skipped else ""))
    if not report.errors:
        try:
            with transaction.atomic():
                _check_and_write(drafts, base if nest and base else "", report, fail, user)
                if report.embedded is not None and not report.errors and not report.dry_run:
                    report.images_created = store_images(report.embedded.images.values())
        except IntegrityError:
            # Someone saved a question with one of these titles between our read and our write.
            fail(None, "the question bank changed during the import; nothing was stored, try again")
    if report.embedded is not None:
        report.embedded.close()
    if report.errors:
        report.created, report.updated, report.unchanged = [], [], []
        report.categories_created = []
        report.errors.sort(key=lambda problem: problem.line or 0)
    else:
        report.warnings = _lint_warnings(drafts, filename)
    return report


def _lint_warnings(drafts: list[_Draft], filename: str) -> list[ImportProblem]:
    """The item-writing warnings of the file's questions (one query, for their translations)."""
    translated = translated_titles((d.category, d.title) for d in drafts)
    return [
        ImportProblem(draft.line, str(warning), filename)
        for draft in drafts
        for warning in lint(
            item_from_fields(
                draft.fields["kind"],
                draft.fields,
                draft.options,
                translated=(draft.category, draft.title) in translated,
            )
        )
    ]


def file_category(path: str | None) -> str:
    """The category a GIFT ``$CATEGORY: path`` names: ``path`` without Moodle's leading context
    (``$course$``, ``$system$``, any ``$...$``) and its ``top`` category, once each, with spaces
    around each part trimmed; "" for none (no ``$CATEGORY``, or ``$course$/top``). Raises
    ``ValueError`` for a path with an empty part (see ``category_path``)."""
    return category_path("", path).lstrip("/")


def category_path(base: str, path: str | None) -> str:
    """The category a question goes to: ``base``, or ``base/<path>`` for a GIFT ``$CATEGORY``.

    Moodle's leading context (``$course$``, ``$system$``, any ``$...$``) and its ``top`` category
    are dropped, once each: ``$course$/top/Module 1`` under ``Trauma care`` is
    ``Trauma care/Module 1``. Spaces around each part are trimmed. Raises ``ValueError`` for a
    path with an empty part (Moodle writes ``//`` for a slash inside a name, which our
    categories cannot hold since ``/`` nests them).
    """
    if path is None:
        return base
    parts = [part.strip() for part in path.split("/")]
    if "" in parts:
        raise ValueError(
            f"the category path '{path}' has an empty part; Moodle writes // for a / inside a "
            "category name, which cannot be kept here because / nests categories: rename it"
        )
    if parts and _MOODLE_CONTEXT.fullmatch(parts[0]):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join([base, *parts]) if base else "/".join(parts)


def title_from_text(text: str, text_format: str) -> str:
    """A title for a question that has none: the start of its text, without markup.

    Whitespace is collapsed and the text cut at a word near ``TITLE_LENGTH`` characters, with
    an ellipsis when cut. The same text always gives the same title, so importing a file again
    finds the question again.
    """
    if text_format != StoredFormat.PLAIN:
        text = html.unescape(strip_tags(text))
    if text_format == StoredFormat.MARKDOWN:
        text = _MARKDOWN_MARKS.sub("", text)
    text = " ".join(text.split())
    if len(text) <= TITLE_LENGTH:
        return text
    cut = text[:TITLE_LENGTH]
    space = cut.rfind(" ")
    if space >= TITLE_LENGTH * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


# Reading and checking the file, without the database


def _base_category(name: str, fail: _Fail) -> str | None:
    """The target category's name with its parts trimmed, or None (and an error) if unusable."""
    parts = [part.strip() for part in name.split("/")]
    if "" in parts:
        fail(
            None,
            f"the category '{name}' is not a usable name: give a name, with / only between "
            "the parts of a nested category",
        )
        return None
    base = "/".join(parts)
    problems = _category_problems(base)
    for problem in problems:
        fail(None, problem)
    return None if problems else base


def _category_problems(name: str) -> list[str]:
    return [
        f"category '{name if len(name) <= 60 else name[:60] + '…'}': {message}"
        for _, message in _field_problems(QuestionCategory(name=name), exclude=[])
    ]


def _parse(
    text: str | IO[bytes], fmt: Format, skip_unsupported: bool, report: ImportReport, fail: _Fail
) -> list[ParsedQuestion]:
    errors: list[FormatError]
    if fmt == "xml":
        stream = io.BytesIO(text.encode("utf-8")) if isinstance(text, str) else text
        xml = parse_moodle_xml(stream, skip_unsupported=True, image_src=image_src)
        report.embedded = xml
        questions, errors = xml.questions, xml.errors
        for item in xml.unsupported:
            message = f"questions of type '{item.construct}' cannot be stored by the quiz engine"
            if skip_unsupported:
                report.skipped.append(ImportProblem(item.line, message, report.filename))
            else:
                fail(item.line, f"{message}; remove them, or skip unsupported questions")
    elif isinstance(text, str) and fmt == "aiken":
        aiken = parse_aiken(text)
        questions, errors = aiken.questions, aiken.errors
    elif isinstance(text, str):
        # Unsupported constructs are always read as skipped here, so that the message can say
        # how to skip them in either the command or the CMS.
        gift = parse_gift(text, skip_unsupported=True)
        questions, errors = gift.questions, gift.errors
        for item in gift.unsupported:
            message = _UNSUPPORTED.get(item.construct, f"{item.construct} is not supported")
            if skip_unsupported:
                report.skipped.append(ImportProblem(item.line, message, report.filename))
            else:
                fail(item.line, f"{message}; remove it, or skip unsupported questions")
    else:
        raise TypeError(f"a {fmt} file is read as text")
    for error in errors:
        if error.problem_line is not None and error.problem_line != error.line:
            fail(error.problem_line, f"{error.message} (in the question on line {error.line})")
        else:
            fail(error.line, error.message)
    return questions


def _storable(
    questions: list[ParsedQuestion], skip_unsupported: bool, report: ImportReport, fail: _Fail
) -> list[ParsedQuestion]:
    """The questions the quiz engine can hold with the meaning the file gives them; each other
    one is an error, or with ``skip_unsupported`` listed in ``skipped``."""
    kept = []
    for question in questions:
        problem = _unstorable(question)
        if problem is None:
            kept.append(question)
        elif skip_unsupported:
            report.skipped.append(ImportProblem(question.line, problem, report.filename))
        else:
            fail(question.line, f"{problem}; remove it, or skip unsupported questions")
    return kept


def _unstorable(question: ParsedQuestion) -> str | None:
    """Why the quiz engine cannot hold ``question`` as the file means it, or None."""
    if any(a.any_other and a.feedback for a in question.numeric_answers):
        # Moodle stores "~#feedback" as the answer "*" (0%, with feedback for any number no
        # other answer accepts). Our scorer gives such a number 0% too, but no feedback, and a
        # numeric option always needs a number: it cannot be held with the same meaning.
        return (
            "the feedback for any other number (~#feedback in a numeric question) cannot be "
            "stored: the quiz engine gives a number that no answer accepts 0% without feedback"
        )
    return None


class _Unconvertible(Exception):
    """Text in a format that cannot be converted faithfully into the question's stored one."""


#: Characters (and line starts) that mean something in HTML or Markdown: text without any of
#: them reads the same in every stored format.
_MARKUP = re.compile(r"[<>&*_`\[\]#|~\\!]|^\s*(?:[-+]|\d+[.)])\s", re.MULTILINE)


def _converted(text: str, fmt: TextFormat | None, question: ParsedQuestion) -> str:
    """``text``, written in ``fmt`` (None: the question's format), in the format the question is
    stored in. Moodle's own format is HTML in which a line break is a ``<br>``; plain text is
    escaped for HTML; Markdown is rendered to HTML as the quiz would render it. Raises
    ``_Unconvertible`` when there is no faithful conversion (HTML or Markdown with markup into
    plain text or Markdown)."""
    source = fmt or question.text_format
    target = _STORED_FORMAT[question.text_format]
    if not text:
        return ""
    if source is TextFormat.MOODLE and target == StoredFormat.HTML:
        return text.replace("\n", "<br>\n")
    if _STORED_FORMAT[source] == target:
        return text
    if target == StoredFormat.HTML:
        if source is TextFormat.PLAIN:
            return html.escape(text, quote=False).replace("\n", "<br>\n")
        rendered = render_markdown(text).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered
    if "\n" in text or _MARKUP.search(text):
        raise _Unconvertible(
            f"is written as {source.value} ([{source.value}]) but the question is stored as "
            f"{StoredFormat(target).label.lower()}, and its markup cannot be converted "
            "faithfully: write it in the question's format"
        )
    return text


def _draft(question: ParsedQuestion, category: str) -> _Draft:
    """The rows ``question`` becomes (not yet checked)."""
    kind = QuestionType(question.kind.value)
    conversion_problems: list[str] = []

    def _rendered(text: str, what: str, fmt: TextFormat | None = None) -> str:
        try:
            return _converted(text, fmt, question)
        except _Unconvertible as error:
            conversion_problems.append(f"{what} {error}")
            return text

    fields: dict[str, Any] = {
        "kind": kind,
        "text": _rendered(question.text, "the question text"),
        "text_format": _STORED_FORMAT[question.text_format],
        "general_feedback": _rendered(
            question.general_feedback, "the general feedback", question.general_feedback_format
        ),
        "correct_answer": question.correct,
        "feedback_true": _rendered(
            question.feedback_true, "the feedback for “true”", question.feedback_true_format
        ),
        "feedback_false": _rendered(
            question.feedback_false, "the feedback for “false”", question.feedback_false_format
        ),
    }
    # Essay settings GIFT cannot write are set only when the file gives them, so that importing
    # a GIFT essay again keeps what was set in the CMS.
    essay = {
        "model_answer": _rendered(question.grader_info, "the information for graders"),
        "response_template": question.response_template,
        "min_words": question.min_words,
        "max_words": question.max_words,
    }
    fields.update({name: value for name, value in essay.items() if value not in ("", None)})
    if question.case_sensitive is not None:  # Moodle XML's usecase; GIFT and Aiken say nothing
        fields["case_sensitive"] = question.case_sensitive
    options: list[dict[str, Any]] = []
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_RESPONSE):
        options = [
            _option(
                text=_rendered(choice.text, f"answer {number}", choice.text_format),
                weight=choice.weight,
                feedback=_rendered(
                    choice.feedback, f"the feedback of answer {number}", choice.feedback_format
                ),
            )
            for number, choice in enumerate(question.choices, start=1)
        ]
    elif question.kind is QuestionKind.SHORT_ANSWER:
        # Accepted answers are compared with what the learner types, never rendered.
        options = [
            _option(
                text=a.text,
                weight=a.weight,
                feedback=_rendered(a.feedback, f"the feedback of answer {n}", a.feedback_format),
            )
            for n, a in enumerate(question.answers, start=1)
        ]
    elif question.kind is QuestionKind.NUMERIC:
        for number, answer in enumerate(question.numeric_answers, start=1):
            accepted = answer.accepted
            if accepted is None:
                # "~" without feedback: 0% for any other number, which is what the scorer
                # gives a number no answer accepts (one with feedback is refused earlier).
                continue
            if isinstance(accepted, NumericRange):
                # min..max is (min + max) / 2 ± (max - min) / 2; halving a Decimal is exact.
                value = (accepted.minimum + accepted.maximum) / 2
                tolerance = (accepted.maximum - accepted.minimum) / 2
            else:
                value, tolerance = accepted.value, accepted.tolerance
            options.append(
                _option(
                    weight=answer.weight,
                    value=value,
                    tolerance=tolerance,
                    feedback=_rendered(
                        answer.feedback, f"the feedback of answer {number}", answer.feedback_format
                    ),
                )
            )
    elif question.kind is QuestionKind.MATCHING:
        # An empty prompt is an extra wrong answer: the option has no text, only a match.
        options = [
            _option(
                text=_rendered(pair.prompt, f"prompt {number}", pair.prompt_format),
                match=pair.answer,
            )
            for number, pair in enumerate(question.pairs, start=1)
        ]
    stored_format = fields["text_format"]
    title = question.title
    return _Draft(
        line=question.line,
        category=category,
        title=title or title_from_text(fields["text"], stored_format),
        title_from_text=not title,
        fields=fields,
        options=options,
        conversion_problems=conversion_problems,
    )


def _option(
    *,
    text: str = "",
    match: str = "",
    weight: Decimal = Decimal(0),
    value: Decimal | None = None,
    tolerance: Decimal | None = None,
    feedback: str = "",
) -> dict[str, Any]:
    return {
        "text": text,
        "match": match,
        "weight": weight,
        "value": value,
        "tolerance": tolerance,
        "feedback": feedback,
    }


def _drafts(
    questions: list[ParsedQuestion],
    base: str,
    nest: bool,
    fail: _Fail,
    report: ImportReport | None = None,
) -> list[_Draft]:
    """Every question as rows, with an error for each problem (all of them, every question).

    A bad ``$CATEGORY`` path is reported once, at the first question it applies to, and so is a
    question with no category at all (no ``$CATEGORY`` before it and no ``base``). A title used
    again in the same category gets a suffix (see ``_distinct_title``), noted in ``report``.
    """
    drafts: list[_Draft] = []
    bad_paths: set[str | None] = set()
    seen: dict[tuple[str, str], _Draft] = {}
    # Every title as the file gives it, so that a suffix never takes a title the file uses.
    given = {(q.category, q.title) for q in questions if q.title}
    for question in questions:
        if question.category in bad_paths:
            continue
        try:
            category = category_path(base, question.category) if nest else ""
            category = category or file_category(question.category) or base
            if not category:
                bad_paths.add(question.category)
                fail(question.line, "this question has no category: no $CATEGORY line comes "
                     "before it and no category was given; add a $CATEGORY line before it, or "
                     "choose a category for such questions")  # fmt: skip
                continue
            problems = _category_problems(category)
            if problems:
                raise ValueError("; ".join(problems))
        except ValueError as error:
            fail(question.line, str(error))
            bad_paths.add(question.category)
            continue
        draft = _draft(question, category)
        problems = _problems(draft)
        for problem in problems:
            fail(draft.line, problem)
        key = (draft.category, draft.title)
        if draft.title and key in seen:
            first = seen[key]
            draft.title = _distinct_title(draft, seen, given, question.category)
            seen[(draft.category, draft.title)] = draft
            if report is not None:
                report.notes.append(
                    ImportProblem(
                        draft.line,
                        f"the title '{first.title}' is also used by the question on line "
                        f"{first.line} (category '{draft.category}'); this question was imported "
                        f"as '{draft.title}'. Importing the same file again updates both",
                        report.filename,
                    )
                )
        elif draft.title:
            seen[key] = draft
        if not problems:
            drafts.append(draft)
    return drafts


def _distinct_title(
    draft: _Draft,
    seen: dict[tuple[str, str], _Draft],
    given: set[tuple[str | None, str]],
    path: str | None,
) -> str:
    """The title with the first suffix " (2)", " (3)"… that no earlier question of its category
    has and the file does not use itself: the same file always gives the same titles, so
    importing it again finds the same questions."""
    number = 2
    while True:
        title = f"{draft.title} ({number})"
        if (draft.category, title) not in seen and (path, title) not in given:
            return title
        number += 1


def _problems(draft: _Draft) -> list[str]:
    """What is wrong with the draft by the model's limits and the question rules."""
    problems: list[str] = []
    if not draft.title:
        problems.append(
            "title: the text gives no title (it is only markup); give the question a ::title::"
        )
    question = Question(title=draft.title, **draft.fields)
    problems.extend(
        f"{label}: {message}" for label, message in _field_problems(question, ["category"])
    )
    for number, option in enumerate(draft.options, start=1):
        problems.extend(
            f"answer {number}, {label}: {message}"
            for label, message in _field_problems(
                QuestionOption(**option), ["question", "sort_order"]
            )
        )
    problems.extend(f"{name}: {message}" for name, message in _rule_problems(draft))
    problems.extend(draft.conversion_problems)
    return problems


def _rule_problems(draft: _Draft) -> list[tuple[str, str]]:
    """``question_problems`` for the draft: the rules the CMS form applies too."""
    return question_problems(draft.fields["kind"], draft.fields, draft.options)


def _field_problems(instance: models.Model, exclude: list[str]) -> list[tuple[str, str]]:
    """The model's own field checks (lengths, decimal places, ranges) as (field label, message),
    leaving out the fields in ``exclude``."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        return [
            (str(getattr(instance._meta.get_field(name), "verbose_name", name)), text)
            for name, texts in error.message_dict.items()
            for text in texts
        ]
    return []


# Writing


def _same_text(stored: Any, wanted: Any) -> bool:
    """Equal, taking text as equal when only line endings or surrounding spaces differ (the CMS
    stores what browsers send, with CRLF)."""
    if isinstance(stored, str) and isinstance(wanted, str):
        return _normal(stored) == _normal(wanted)
    return bool(stored == wanted)


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _latest(question: Question) -> Question:
    """What the question will be once its pending changes are published: its latest revision
    when it has unpublished changes (a draft waiting for review), else the row."""
    if question.has_unpublished_changes and question.latest_revision_id:
        latest = question.get_latest_revision_as_object()
        assert isinstance(latest, Question)
        return latest
    return question


def _unchanged(question: Question, draft: _Draft) -> bool:
    if not all(_same_text(getattr(question, name), draft.fields[name]) for name in draft.fields):
        return False
    stored = list(question.options.all())
    if len(stored) != len(draft.options):
        return False
    return all(
        _same_text(getattr(option, name), wanted[name])
        for option, wanted in zip(stored, draft.options, strict=True)
        for name in OPTION_FIELDS
    )


def _categories_needed(drafts: Iterable[_Draft], base: str) -> list[str]:
    """Every question's category and the categories between it and the top, or ``base`` (the
    category the file's categories are put in, if any)."""
    names = {base} if base else set()
    for draft in drafts:
        parts = draft.category.split("/")
        for end in range(base.count("/") + 1 if base else 1, len(parts) + 1):
            names.add("/".join(parts[:end]))
    return sorted(names)


def _check_and_write(
    drafts: list[_Draft], base: str, report: ImportReport, fail: _Fail, user: Any = None
) -> None:
    """Compare the drafts with the bank (with what is waiting for review, when not publishing),
    refuse to replace what GIFT cannot express, then write (unless a dry run), live or for review
    (``report.published``). Runs inside the import's transaction."""
    wanted = _categories_needed(drafts, base)
    categories = {c.name: c for c in QuestionCategory.objects.filter(name__in=wanted)}
    existing = {
        (q.category.name, q.title): q
        for q in Question.objects.filter(category__name__in=wanted)
        .select_related("category")
        .prefetch_related("options")
    }
    for draft in drafts:
        found = existing.get((draft.category, draft.title))
        if found is not None and found.kind in NOT_IN_GIFT:
            fail(
                draft.line,
                f"the question '{draft.title}' in '{draft.category}' is an existing "
                f"{QuestionType(found.kind).label.lower()} question, which a question file cannot "
                "express; importing would replace it: give this question another title",
            )
    if report.errors:
        return
    for name in wanted:
        if name not in categories:
            report.categories_created.append(name)
            if not report.dry_run:
                categories[name] = QuestionCategory.objects.create(name=name)
    for draft in drafts:
        found = existing.get((draft.category, draft.title))
        if found is None:
            report.created.append(draft.ref)
            if not report.dry_run:
                # An essay needs a rubric before it is published, and a file gives none: it is
                # created as a draft even when publishing.
                draft_only = not report.published or _needs_rubric(draft)
                question = Question(
                    category=categories[draft.category],
                    title=draft.title,
                    live=not draft_only,
                    **draft.fields,
                )
                question.save()
                _replace_options(question, draft)
                if draft_only:
                    question.save_revision(user=user, log_action=True)
            if report.published and _needs_rubric(draft):
                report.notes.append(
                    ImportProblem(
                        draft.line,
                        f"the written task '{draft.title}' was saved as a draft: add its rubric, "
                        "then publish it",
                        report.filename,
                    )
                )
            continue
        if not report.published:
            found = _latest(found)
        if _unchanged(found, draft):
            report.unchanged.append(draft.ref)
            continue
        report.updated.append(draft.ref)
        if report.dry_run:
            continue
        for name, value in draft.fields.items():
            setattr(found, name, value)
        if report.published:
            found.save()
            _replace_options(found, draft)
            continue
        found.options = [
            QuestionOption(sort_order=order, **option) for order, option in enumerate(draft.options)
        ]
        if not found.live:
            found.save()  # a draft no learner sees: its row (and options) may change at once
        # The change becomes a revision for review; a live question's row, which attempts read,
        # stays as it is until a reviewer publishes it.
        found.save_revision(user=user, log_action=True)


def _needs_rubric(draft: _Draft) -> bool:
    """True for an essay: a file never carries the rubric a trainer grades it with."""
    return bool(draft.fields["kind"] == QuestionType.ESSAY)


def _replace_options(question: Question, draft: _Draft) -> None:
    QuestionOption.objects.filter(question=question).delete()
    QuestionOption.objects.bulk_create(
        QuestionOption(question=question, sort_order=order, **option)
        for order, option in enumerate(draft.options)
    )
