"""A quiz in several languages counts once (docs/decisions/0013-content-translations.md).

A quiz's translations are ``Quiz`` rows in other locales that share its ``translation_key``. The
first of them (the lowest id: the source, created before any translation of it) is the quiz's
identity: its rules, attempts, results and placements are kept on it, so a learner who starts in
English and finishes in Kazakh has one set of attempts and one grade. The translation in the
reader's language gives the words: the title, the description and the questions asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant

from .models import Quiz

__all__ = ["QuizInLanguage", "canonical_quiz_ids", "quiz_in_language"]


@dataclass(frozen=True)
class QuizInLanguage:
    """``quiz``: the identity (rules, attempts, results); ``text``: the words to show."""

    quiz: Quiz
    text: Quiz


def quiz_in_language(quiz: Quiz) -> QuizInLanguage:
    """The quiz's identity and its live translation in the active language (else the identity
    itself): one query."""
    group = list(
        Quiz.objects.filter(translation_key=quiz.translation_key)
        .select_related("locale")
        .order_by("pk")
    )
    identity = group[0] if group else quiz
    language = get_supported_content_language_variant(get_language())
    text = next((q for q in group if q.locale.language_code == language and q.live), identity)
    return QuizInLanguage(quiz=identity, text=text)


def canonical_quiz_ids(quiz_ids: list[int]) -> dict[int, int]:
    """Each quiz id → the id of its identity (the first row of its translation group): one
    query for any number of ids."""
    if not quiz_ids:
        return {}
    rows = list(
        Quiz.objects.filter(
            translation_key__in=Quiz.objects.filter(pk__in=quiz_ids).values("translation_key")
        )
        .order_by("pk")
        .values_list("pk", "translation_key")
    )
    first: dict[object, int] = {}
    for pk, key in rows:
        first.setdefault(key, pk)
    return {pk: first[key] for pk, key in rows if pk in set(quiz_ids)}
