"""The rubric of a written task: criteria, each with levels worth points.

A rubric is a StreamField of criteria so that trainers edit it in the CMS like any other
structured content, and a revision of the question keeps the rubric it was published with. Each
level says what an answer at that level does; a grader picks one level per criterion, and the
answer's mark is the sum of the levels picked over the sum of each criterion's best level.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

__all__ = ["RubricCriterionBlock", "RubricLevelBlock", "rubric_problems"]


class RubricLevelBlock(blocks.StructBlock):
    """One level of a criterion: its points and what an answer at that level does."""

    points = blocks.DecimalBlock(label=_("points"), min_value=0, max_digits=6, decimal_places=2)
    description = blocks.TextBlock(label=_("what an answer at this level does"))

    class Meta:
        label = _("level")
        icon = "list-ul"


class RubricCriterionBlock(blocks.StructBlock):
    """A criterion: what is judged, and two or more levels from weakest to strongest."""

    title = blocks.CharBlock(label=_("criterion"), max_length=200)
    description = blocks.TextBlock(label=_("what graders look for"), required=False)
    levels = blocks.ListBlock(RubricLevelBlock(), label=_("levels"), min_num=2, max_num=6)

    class Meta:
        label = _("criterion")
        icon = "tasks"

    def clean(self, value: Any) -> Any:
        """Refuse a criterion whose levels repeat a number of points (a grader could not tell
        them apart in the record) or whose levels are all worth nothing."""
        value = super().clean(value)
        points = [Decimal(level["points"]) for level in value["levels"]]
        if len(set(points)) != len(points):
            raise StructBlockValidationError(
                block_errors={
                    "levels": ValidationError(_("Give each level a different number of points."))
                }
            )
        if points and max(points) <= 0:
            raise StructBlockValidationError(
                block_errors={
                    "levels": ValidationError(_("At least one level must be worth points."))
                }
            )
        return value


def rubric_problems(criteria: list[dict[str, Any]]) -> list[str]:
    """The problems of a rubric given as plain data (from a file), in the CMS's words."""
    problems: list[str] = []
    if not criteria:
        problems.append(str(_("A written task needs a rubric with at least one criterion.")))
    for number, criterion in enumerate(criteria, start=1):
        levels = criterion.get("levels") or []
        title = str(criterion.get("title") or "").strip()
        if not title:
            problems.append(str(_("Criterion %(n)s has no title.") % {"n": number}))
        if len(levels) < 2:
            problems.append(str(_("Criterion %(n)s needs at least two levels.") % {"n": number}))
        points = [Decimal(str(level.get("points", 0))) for level in levels]
        if any(p < 0 for p in points):
            problems.append(str(_("Criterion %(n)s has negative points.") % {"n": number}))
        if len(set(points)) != len(points):
            problems.append(
                str(_("Criterion %(n)s gives two levels the same points.") % {"n": number})
            )
        if points and max(points) <= 0:
            problems.append(str(_("Criterion %(n)s has no level worth points.") % {"n": number}))
    return problems
