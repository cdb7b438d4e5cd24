"""The statistics page for trainers in the CMS: ``/admin/quizzes/<quiz_id>/statistics/``.

Summary figures, the score distribution as a bar chart drawn on the server (inline SVG, no
JavaScript; the same numbers in a table under it), and the per-question table, which can also be
downloaded as CSV. The figures come from :func:`quizzes.statistics.quiz_statistics`; who may see
them from :func:`quizzes.permissions.can_view_statistics`.

Wagtail's admin gate runs first: anonymous visitors, and signed-in users without admin access,
are sent to the admin sign-in page. Users with admin access but without the permission get a 403.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.utils import quote
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from core.api import admin_refusal, csv_download

from .models import Quiz
from .permissions import can_view_statistics
from .statistics import QuizStatistics, ScoreBin, quiz_statistics

#: The header row, in the reader's language (the same words as the people and cohort exports).
CSV_COLUMNS = [
    pgettext_lazy("CSV column", "position"), pgettext_lazy("CSV column", "question_id"),
    pgettext_lazy("CSV column", "title"), pgettext_lazy("CSV column", "type"),
    pgettext_lazy("CSV column", "deleted"), pgettext_lazy("CSV column", "times_asked"),
    pgettext_lazy("CSV column", "facility"), pgettext_lazy("CSV column", "discrimination"),
    pgettext_lazy("CSV column", "hints"),
]  # fmt: skip

# The chart's geometry, in SVG user units (the SVG scales to the width of the page).
CHART_WIDTH = 640
CHART_HEIGHT = 280
PLOT_LEFT = 48  # room for the count axis
PLOT_RIGHT = 8
PLOT_TOP = 28  # room for the count over the tallest bar
PLOT_BOTTOM = 52  # room for the bin labels and the axis title
BAR_GAP = 0.2  # share of each slot left empty between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    count: int
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw the score distribution."""

    width: int
    height: int
    plot_left: int
    tick_label_x: int
    plot_right: float
    plot_top: int
    baseline: float
    axis_title_x: float
    axis_title_y: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    summary: str


def _tick_step(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most five steps up to ``top``."""
    rough = max(top / 5, 1)
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return int(multiple * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def score_chart(distribution: tuple[ScoreBin, ...], *, attempts: int) -> Chart:
    """Bars and count axis for ``distribution``, and a one-sentence text version of it."""
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    baseline = PLOT_TOP + plot_height
    highest = max((b.count for b in distribution), default=0)
    step = _tick_step(max(highest, 1))
    top = step * max(math.ceil(highest / step), 1)
    slot = plot_width / len(distribution)
    bars = []
    for index, score_bin in enumerate(distribution):
        height = plot_height * score_bin.count / top
        x = PLOT_LEFT + index * slot + slot * BAR_GAP / 2
        bars.append(
            Bar(
                x=round(x, 2),
                y=round(baseline - height, 2),
                width=round(slot * (1 - BAR_GAP), 2),
                height=round(height, 2),
                label_x=round(PLOT_LEFT + (index + 0.5) * slot, 2),
                count=score_bin.count,
                label=score_bin.label,
            )
        )
    ticks = tuple(
        Tick(y=round(baseline - plot_height * value / top, 2), value=value)
        for value in range(0, top + 1, step)
    )
    counts = "; ".join(
        _("%(range)s%%: %(count)s") % {"range": b.label, "count": b.count} for b in distribution
    )
    summary = _(
        "Bar chart of the scores of %(attempts)s finished attempts, in bins of ten "
        "percentage points. Attempts per bin: %(counts)s."
    ) % {"attempts": attempts, "counts": counts}
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_left=PLOT_LEFT,
        tick_label_x=PLOT_LEFT - 8,
        plot_right=CHART_WIDTH - PLOT_RIGHT,
        plot_top=PLOT_TOP,
        baseline=baseline,
        axis_title_x=round(PLOT_LEFT + plot_width / 2, 2),
        axis_title_y=CHART_HEIGHT - 8,
        bars=tuple(bars),
        ticks=ticks,
        summary=summary,
    )


def _refused(request: HttpRequest) -> HttpResponse | None:
    """A 403 page in the CMS when the user may not see statistics; None when they may."""
    if can_view_statistics(request.user):
        return None
    return admin_refusal(
        request,
        title=_("Statistics"),
        icon="table",
        message=_(
            "You do not have permission to see quiz statistics. Trainers and course reviewers "
            "can see them; ask an administrator if you need access."
        ),
    )


def _edit_url(quiz: Quiz) -> str:
    return reverse(Quiz.snippet_viewset.get_url_name("edit"), args=[quote(quiz.pk)])


def statistics_page(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """Summary figures, the score distribution and the per-question table of one quiz."""
    if (denied := _refused(request)) is not None:
        return denied
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    stats = quiz_statistics(quiz=quiz)
    context: dict[str, Any] = {
        "quiz": quiz,
        "stats": stats,
        "edit_url": _edit_url(quiz),
        "chart": None if stats.empty else score_chart(stats.distribution, attempts=stats.attempts),
    }
    return render(request, "quizzes/admin/statistics.html", context)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def statistics_csv(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """The per-question table as CSV (UTF-8 with a BOM, so Excel reads Cyrillic titles)."""
    if (denied := _refused(request)) is not None:
        return denied
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    stats: QuizStatistics = quiz_statistics(quiz=quiz)
    response, writer = csv_download(f"quiz-{quiz.slug}-statistics.csv")
    writer.writerow([str(column) for column in CSV_COLUMNS])
    for question in stats.questions:
        writer.writerow(
            [
                question.position or "",
                question.question_id or "",
                question.title,
                question.kind_label,
                pgettext("CSV value", "yes") if question.deleted else pgettext("CSV value", "no"),
                question.asked,
                _number(question.facility),
                _number(question.discrimination),
                "; ".join(question.hints),
            ]
        )
    return response


urlpatterns: list[Any] = [
    path("quizzes/<int:quiz_id>/statistics/", statistics_page, name="quizzes_statistics"),
    path(
        "quizzes/<int:quiz_id>/statistics/questions.csv",
        statistics_csv,
        name="quizzes_statistics_csv",
    ),
]
