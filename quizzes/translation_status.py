"""What ``quizzes`` adds to CMS > Translations (the slot ``courses.translation_status``): each
quiz and the questions it lists, in every locale, with the statuses ``courses`` computes for
pages (``courses.api.translation_cells``): missing, up to date, or out of date against the
source's latest revision. Questions that no quiz lists (drawn at random from a category, or not
used yet) come after, in a table of their own.

Four queries whatever the number of quizzes and questions: the locales, the quizzes, the quizzes'
question lists and the questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from courses.api import (
    TranslationCell,
    TranslationMember,
    locale_summaries,
    translation_cells,
    translation_groups,
    translation_locales,
)

from .models import Question, Quiz, QuizQuestion
from .permissions import can_translate_quizzes

__all__ = ["QuizTranslationRow", "quiz_translation_panel", "quiz_translation_status"]

QUIZ_EDIT = "wagtailsnippets_quizzes_quiz:edit"
QUESTION_EDIT = "wagtailsnippets_quizzes_question:edit"


@dataclass(frozen=True)
class QuizTranslationRow:
    """A source quiz or question and its state in each locale; ``edit_url_name`` is the snippet
    edit view, ``model_name`` what Wagtail's "Translate" view takes."""

    source_id: int
    title: str
    kind: str  # "quiz" or "question"
    cells: tuple[TranslationCell, ...]

    @property
    def model_name(self) -> str:
        return self.kind

    @property
    def edit_url_name(self) -> str:
        return QUIZ_EDIT if self.kind == "quiz" else QUESTION_EDIT


def _members(model: type[Quiz] | type[Question]) -> tuple[list[TranslationMember], dict[int, str]]:
    rows = model.objects.order_by().values_list(
        "pk", "translation_key", "locale_id", "latest_revision__created_at", "title"
    )
    members, titles = [], {}
    for pk, key, locale_id, changed_at, title in rows:
        members.append(TranslationMember(pk, key, locale_id, changed_at))
        titles[pk] = title
    return members, titles


def quiz_translation_status() -> dict[str, Any]:
    """The locales (columns), the quizzes each followed by the questions it lists, the questions
    no quiz lists, and a summary per locale of both tables."""
    locales = translation_locales()
    quizzes, quiz_titles = _members(Quiz)
    questions, question_titles = _members(Question)
    quiz_groups = translation_groups(quizzes)
    question_groups = translation_groups(questions)
    key_of_question = {member.pk: member.translation_key for member in questions}
    listed: dict[int, list[Any]] = {}
    for quiz_id, question_id in QuizQuestion.objects.order_by("quiz_id", "sort_order").values_list(
        "quiz_id", "question_id"
    ):
        keys = listed.setdefault(quiz_id, [])
        key = key_of_question.get(question_id)
        if key is not None and key not in keys:
            keys.append(key)

    def row(
        group: list[TranslationMember], kind: str, titles: dict[int, str]
    ) -> QuizTranslationRow:
        source = group[0]
        cells = translation_cells(group, locales)
        return QuizTranslationRow(source.pk, titles[source.pk], kind, cells)

    quiz_rows: list[QuizTranslationRow] = []
    shown: set[Any] = set()
    sources = sorted(quiz_groups.values(), key=lambda g: quiz_titles[g[0].pk].lower())
    for group in sources:
        quiz_rows.append(row(group, "quiz", quiz_titles))
        for key in listed.get(group[0].pk, ()):
            quiz_rows.append(row(question_groups[key], "question", question_titles))
            shown.add(key)
    other_rows = [
        row(group, "question", question_titles)
        for key, group in sorted(
            question_groups.items(), key=lambda item: question_titles[item[1][0].pk].lower()
        )
        if key not in shown
    ]
    summaries = [
        summary
        for summary in locale_summaries(
            [r.cells for r in quiz_rows] + [r.cells for r in other_rows], locales
        )
        if summary.total
    ]
    return {
        "quiz_locales": locales,
        "quiz_rows": quiz_rows,
        "other_question_rows": other_rows,
        "quiz_summaries": summaries,
    }


def quiz_translation_panel(request: HttpRequest | None, user: Any) -> Mapping[str, Any] | None:
    """The panel's context: the tables, and whether ``user`` may start a translation."""
    del request
    if not isinstance(user, User):
        return None
    return {**quiz_translation_status(), "can_translate_quizzes": can_translate_quizzes(user)}
