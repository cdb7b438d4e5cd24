# ruff: noqa: RUF001, RUF003  (Russian and Kazakh words are the point of the patterns)
"""Item-writing lint: question flaws that let a learner score without knowing the answer, or fail
while knowing it. Warnings for trainers, never errors (the question is saved or imported).

The rules (codes are stable; docs/question-formats.md, "Item-writing warnings"):

- ``long-correct``: in a choice question, the one right option is at least ``LONG_RATIO`` times
  as long as the longest wrong one and at least ``LONG_MARGIN`` characters longer. Test-wise
  learners pick the longest, most qualified option.
- ``all-none-above``: an option "all of the above" / "none of the above" (English, Russian,
  Kazakh). It rewards partial knowledge (two right options give it away) and reads wrongly once
  options are shuffled.
- ``negative-stem``: the stem asks for the exception ("Which is NOT…", "all … except", "Какой
  из … не", "кроме", "… емес", "…дан басқа"). A plain "not" elsewhere in the stem is fine: only
  stems where a quick reader picks a right statement and is marked wrong are flagged.
- ``one-word-translated``: a short-answer question whose accepted answers are all single words
  (no ``*``, not numbers) while the question exists in several languages (rows sharing its
  ``translation_key``, or an import updating such a question). Synonyms and inflected forms
  (Russian and Kazakh change word endings) are marked wrong.

One representation, :class:`Item` (kind, stem, options with their credit), with adapters from a
model instance (``item_from_question``), from the field and option dicts the CMS form and the
importer use (``item_from_fields``) and from a parsed file question (``item_from_parsed``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .formats import ParsedQuestion, QuestionKind
from .models import Question, QuestionType

__all__ = [
    "LONG_MARGIN",
    "LONG_RATIO",
    "Item",
    "LintWarning",
    "Option",
    "item_from_fields",
    "item_from_parsed",
    "item_from_question",
    "lint",
    "question_lint",
    "translated_titles",
]

#: The right option is "much longer" at this ratio to the longest wrong option ...
LONG_RATIO = Decimal("1.5")
#: ... and at least this many characters more (short options differ by a few words naturally).
LONG_MARGIN = 20

CHOICE_KINDS = {QuestionType.SINGLE_CHOICE, QuestionType.SCENARIO, QuestionType.MULTIPLE_RESPONSE}


@dataclass(frozen=True)
class Option:
    """An option as the learner reads it (plain text) and the credit it gives (percent)."""

    text: str
    weight: Decimal = Decimal(0)


@dataclass(frozen=True)
class Item:
    """A question as the lint sees it. ``translated``: it exists in more than one language."""

    kind: str
    text: str
    options: tuple[Option, ...] = ()
    translated: bool = False


@dataclass(frozen=True)
class LintWarning:
    """One flaw: ``code`` names the rule, ``option`` the option (1-based) when it is about one."""

    code: str
    message: str
    option: int | None = field(default=None)

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


# --- the representation and its adapters ----------------------------------------------------


def plain(text: str) -> str:
    """What the learner reads: no HTML tags, entities or Markdown emphasis, spaces collapsed."""
    text = html.unescape(strip_tags(text or ""))
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(text.split())


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def item_from_fields(
    kind: str,
    fields: Mapping[str, Any],
    options: Sequence[Mapping[str, Any]],
    *,
    translated: bool = False,
) -> Item:
    """From the dicts the CMS form and the importer check (``validation.question_problems``)."""
    return Item(
        kind=str(kind),
        text=plain(str(fields.get("text") or "")),
        options=tuple(
            Option(plain(str(o.get("text") or "")), _decimal(o.get("weight"))) for o in options
        ),
        translated=translated,
    )


def item_from_question(question: Question, *, translated: bool | None = None) -> Item:
    """From a question and its options as they are in memory (an edit form's unsaved ones
    count). ``translated`` None asks the database (one query) whether another language has it."""
    if translated is None:
        translated = (
            question.translation_key is not None
            and Question.objects.filter(translation_key=question.translation_key)
            .exclude(pk=question.pk)
            .exists()
        )
    return Item(
        kind=question.kind,
        text=plain(question.text),
        options=tuple(Option(plain(o.text), _decimal(o.weight)) for o in question.options.all()),
        translated=translated,
    )


def item_from_parsed(question: ParsedQuestion, *, translated: bool = False) -> Item:
    """From a question read from a GIFT or Aiken file."""
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_RESPONSE):
        options = tuple(Option(plain(c.text), c.weight) for c in question.choices)
    elif question.kind is QuestionKind.SHORT_ANSWER:
        options = tuple(Option(a.text.strip(), a.weight) for a in question.answers)
    else:
        options = ()
    return Item(question.kind.value, plain(question.text), options, translated)


# --- the rules ----------------------------------------------------------------------------------


def lint(item: Item) -> list[LintWarning]:
    """Every flaw of ``item``, in rule order."""
    return [
        *_long_correct(item),
        *_all_none_above(item),
        *_negative_stem(item),
        *_one_word_translated(item),
    ]


def question_lint(question: Question) -> list[LintWarning]:
    """The flaws of a question as it is in memory (at most one query, for its translations)."""
    return lint(item_from_question(question))


def _quoted(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _long_correct(item: Item) -> list[LintWarning]:
    if item.kind not in CHOICE_KINDS:
        return []
    right = [(n, o) for n, o in enumerate(item.options, start=1) if o.weight > 0 and o.text]
    wrong = [o for o in item.options if o.weight <= 0 and o.text]
    if len(right) != 1 or not wrong:
        return []
    number, option = right[0]
    longest = max(len(o.text) for o in wrong)
    length = len(option.text)
    if length < LONG_RATIO * longest or length - longest < LONG_MARGIN:
        return []
    return [
        LintWarning(
            "long-correct",
            _(
                "The right answer stands out by its length: option %(number)s (“%(text)s”, "
                "%(length)s characters) is much longer than every wrong option (at most "
                "%(longest)s). Learners who guess pick the longest option. Shorten it, or give "
                "the wrong options the same detail."
            )
            % {
                "number": number,
                "text": _quoted(option.text),
                "length": length,
                "longest": longest,
            },
            number,
        )
    ]


_ABOVE = [
    # English
    r"\b(?:all|none|both|neither)\s+of\s+(?:the\s+)?(?:above|these|them|the\s+options)\b",
    r"\ball\s+the\s+above\b",
    r"\b(?:all|none)\s+(?:of\s+the\s+)?(?:answers|options)\s+(?:are\s+)?(?:correct|right)\b",
    # Russian (ё is read as е)
    r"\bвсе\s+(?:выше|ниже)?(?:перечисленн|указанн|сказанн|названн)\w*",
    r"\b(?:ничто|ничего|ни\s+од\w+)\s+из\s+(?:выше|ниже)?(?:перечисленн|указанн|названн)\w*",
    r"\b(?:все|оба)\s+(?:ответы|варианта|варианты)\s+(?:верн|правильн)\w*",
    r"\bнет\s+(?:верного|правильного)\s+(?:ответа|варианта)\b",
    # Kazakh
    r"\bжоғарыда\w*\s+(?:\w+\s+)?(?:бәрі|барлығы|ешқайсысы)\b",
    r"\b(?:бәрі|барлығы|ешқайсысы)\s+(?:дұрыс|жоғарыда\w*)",
    r"\bдұрыс\s+жауап\s+жоқ\b",
]
_ABOVE_WHOLE = {
    "all", "none", "both", "neither", "all of them", "none of them",
    "все", "ничего", "ни один", "оба",
    "бәрі", "барлығы", "ешқайсысы", "екеуі де",
}  # fmt: skip


def _normal(text: str) -> str:
    return text.lower().replace("ё", "е").strip(" .!;:")


def _all_none_above(item: Item) -> list[LintWarning]:
    if item.kind not in CHOICE_KINDS:
        return []
    warnings = []
    for number, option in enumerate(item.options, start=1):
        text = _normal(option.text)
        if text in _ABOVE_WHOLE or any(re.search(p, text) for p in _ABOVE):
            warnings.append(
                LintWarning(
                    "all-none-above",
                    _(
                        "“All of the above” or “none of the above”: option %(number)s "
                        "(“%(text)s”) lets a learner who knows only two options answer, and "
                        "reads wrongly once options are shuffled. Replace it with a specific "
                        "option."
                    )
                    % {"number": number, "text": _quoted(option.text)},
                    number,
                )
            )
    return warnings


#: Stems asking for the exception. Capitals (NOT, НЕ, ЕМЕС) are matched as written: a writer who
#: capitalises the negative knows it is the point of the question, and it is still a trap.
_NEGATIVE_EXACT = [r"\bNOT\b", r"\bNEVER\b", r"\bEXCEPT\b", r"\bНЕ\b", r"\bКРОМЕ\b", r"\bЕМЕС\b"]
_NEGATIVE = [
    # English: "Which ... not/never", "What should you not ...", "all ... except"
    r"\bwhich\b[^.?!:;]{0,60}?(?:\bnot\b|\bnever\b|n't\b)",
    r"\bwhat\s+(?:should|would|must|does|do|is|are|can)\s+(?:\w+\s+)?(?:not|never)\b",
    r"\b(?:except|apart\s+from|other\s+than)\b",
    # Russian: "Какой/что из ... не", "Что не следует", "кроме", "за исключением"
    r"\b(?:как\w*|котор\w*|что)\s+из\b[^.?!:;]{0,60}?\bне\b",
    r"\bчто\s+не\s+(?:следует|нужно|надо|стоит|является|относится|помогает)\b",
    r"\bкроме\b",
    r"\bза\s+исключением\b",
    # Kazakh: "Қайсысы ... емес", "…дан/ден/тан/тен/нан/нен басқа", "қоспағанда"
    r"\bқай\w*\b[^.?!:;]{0,60}?\bемес\b",
    r"\w(?:дан|ден|тан|тен|нан|нен)\s+басқа\w*",
    r"\bқоспағанда\b",
]


def _negative_stem(item: Item) -> list[LintWarning]:
    if not item.text:
        return []
    found = next((m for p in _NEGATIVE_EXACT if (m := re.search(p, item.text))), None) or next(
        (m for p in _NEGATIVE if (m := re.search(p, item.text, re.IGNORECASE))), None
    )
    if found is None:
        return []
    return [
        LintWarning(
            "negative-stem",
            _(
                "The question asks for the exception (“%(words)s”): a learner who reads quickly "
                "picks a right statement and is marked wrong, which tests reading, not "
                "understanding. Ask for the right answer instead where you can."
            )
            % {"words": _quoted(found.group(0), 40)},
        )
    ]


def _one_word_translated(item: Item) -> list[LintWarning]:
    if item.kind != QuestionType.SHORT_ANSWER or not item.translated:
        return []
    accepted = [o.text.strip() for o in item.options if o.weight > 0 and o.text.strip()]
    if not accepted or any("*" in a or len(a.split()) > 1 for a in accepted):
        return []
    if all(re.fullmatch(r"[\d.,+-]+", a) for a in accepted):
        return []  # a number reads the same in every language
    return [
        LintWarning(
            "one-word-translated",
            _(
                "A one-word answer in a question asked in several languages: the accepted "
                "answers (%(answers)s) are single words, so a synonym or another form of the "
                "word (Russian and Kazakh words change their endings) is marked wrong. Accept "
                "more forms (a * matches any ending) or ask a choice question instead."
            )
            % {"answers": ", ".join(f"“{a}”" for a in accepted[:5])},
        )
    ]


# --- imports -------------------------------------------------------------------------------------


def translated_titles(wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (category name, title) questions exist in another language too: one query."""
    pairs = set(wanted)
    if not pairs:
        return set()
    sibling = Question.objects.filter(translation_key=OuterRef("translation_key")).exclude(
        pk=OuterRef("pk")
    )
    rows = (
        Question.objects.filter(
            category__name__in={c for c, _t in pairs}, title__in={t for _c, t in pairs}
        )
        .filter(Exists(sibling))
        .values_list("category__name", "title")
    )
    return {row for row in rows if row in pairs}
