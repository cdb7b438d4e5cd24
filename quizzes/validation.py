"""What makes a question complete for its type: one set of rules for the CMS form and the importer.

``question_problems`` returns ``(field, message)`` pairs; ``field`` is a question field name, or
``"options"`` for a problem with the options as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .models import QuestionType
from .text import decimal_text

__all__ = ["question_problems"]

HUNDRED = Decimal(100)
#: Weights such as 33.33333 three times add up to 99.99999: close enough to 100.
SUM_TOLERANCE = Decimal("0.01")


def _weight(option: Mapping[str, Any]) -> Decimal:
    value = option.get("weight")
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def question_problems(
    kind: str, fields: Mapping[str, Any], options: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Everything wrong with a question of ``kind`` made of ``fields`` and ``options``.

    ``options`` are dicts with the option fields (``text``, ``match``, ``weight``, ``value``,
    ``tolerance``, ``feedback``), in order, without the ones being deleted.
    """
    problems: list[tuple[str, str]] = []
    texts = [o for o in options if str(o.get("text") or "").strip()]
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.SCENARIO):
        if len(texts) < 2:
            problems.append(("options", _("Give at least two options with text.")))
        if options and max(_weight(o) for o in options) != HUNDRED:
            problems.append(("options", _("One option must give full credit (100%).")))
        if kind == QuestionType.SCENARIO:
            if not str(fields.get("scenario") or "").strip():
                problems.append(("scenario", _("A scenario question needs the case.")))
            if any(not str(o.get("feedback") or "").strip() for o in options):
                problems.append(
                    ("options", _("Every option of a scenario question needs its own feedback."))
                )
    elif kind == QuestionType.MULTIPLE_RESPONSE:
        if len(texts) < 2:
            problems.append(("options", _("Give at least two options with text.")))
        positive = sum((_weight(o) for o in options if _weight(o) > 0), Decimal(0))
        if abs(positive - HUNDRED) > SUM_TOLERANCE:
            problems.append(
                (
                    "options",
                    _(
                        "The credits of the right options must add up to 100%% "
                        "(they add up to %s%%)."
                    )
                    % decimal_text(positive),
                )
            )
    elif kind == QuestionType.TRUE_FALSE:
        if fields.get("correct_answer") is None:
            problems.append(("correct_answer", _("Say whether the statement is true or false.")))
        if options:
            problems.append(("options", _("A true-or-false question has no options.")))
    elif kind == QuestionType.SHORT_ANSWER:
        if not texts:
            problems.append(("options", _("Give at least one accepted answer.")))
        elif max(_weight(o) for o in texts) != HUNDRED:
            problems.append(("options", _("One accepted answer must give full credit (100%).")))
    elif kind == QuestionType.NUMERIC:
        numbers = [o for o in options if o.get("value") not in (None, "")]
        if not numbers:
            problems.append(("options", _("Give at least one accepted number.")))
        elif max(_weight(o) for o in numbers) != HUNDRED:
            problems.append(("options", _("One accepted number must give full credit (100%).")))
        if len(numbers) != len(options):
            problems.append(("options", _("Every option of a numeric question needs a number.")))
    elif kind == QuestionType.MATCHING:
        prompts = [o for o in texts if str(o.get("match") or "").strip()]
        if len(prompts) < 2:
            problems.append(("options", _("Give at least two prompts, each with its answer.")))
        if any(not str(o.get("match") or "").strip() for o in options):
            problems.append(
                (
                    "options",
                    _(
                        "Every option needs a matching answer; "
                        "leave the text empty for an extra wrong answer."
                    ),
                )
            )
    elif kind == QuestionType.ORDERING:
        if len(texts) < 2 or len(texts) != len(options):
            problems.append(
                ("options", _("Give at least two items, each with text, in the right order."))
            )
    elif kind == QuestionType.ESSAY:
        # Graded by a person with a rubric: no options. Whether it may be published without a
        # rubric is decided where it is published, so that an imported essay can be a draft.
        if options:
            problems.append(("options", _("A written task has no options.")))
        _word_range_problems(fields, problems)
    elif kind == QuestionType.DESCRIPTION:
        # Text between questions: no options and no answer (its marks are never used).
        if options:
            problems.append(("options", _("A description has no options.")))
    else:
        problems.append(("kind", _("Unknown question type “%s”.") % kind))
    return problems


def _word_range_problems(fields: Mapping[str, Any], problems: list[tuple[str, str]]) -> None:
    """A word range whose least is above its most can never be met."""
    least, most = fields.get("min_words"), fields.get("max_words")
    if least in (None, "") or most in (None, ""):
        return
    if int(str(least)) > int(str(most)):
        problems.append(("max_words", _("The most words must be at least the fewest words.")))
