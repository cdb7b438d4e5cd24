"""A course in several languages counts once (docs/decisions/0013-content-translations.md).

A page's translations are pages in other locales that share its ``translation_key``. The first of
them (the lowest id: the source, created before any translation of it) is the page's *identity*:
enrolments and lesson progress are stored against the identity of a course and a lesson, so a
learner who starts in English and goes on in Kazakh keeps every lesson they completed, and a
course is certified once. Readers compare lessons by ``translation_key``, so the same records
tick the Russian outline and the English one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

__all__ = ["identity_of", "in_active_language", "translation_ids"]

P = TypeVar("P", bound=Page)


def identity_of(page: P) -> P:
    """The page's identity: the first page of its translation group, of the same type (one
    query; the page itself when it is the first)."""
    first = type(page).objects.filter(translation_key=page.translation_key).order_by("pk").first()
    return first if first is not None else page


def translation_ids(pages: QuerySet[Any, Any]) -> QuerySet[Page]:
    """The ids of every translation of the pages a queryset of page ids names (a subquery:
    no query until it is read). ``pages`` is ``Model.objects.filter(…).values("lesson_id")``."""
    return Page.objects.filter(
        translation_key__in=Page.objects.filter(pk__in=pages).values("translation_key")
    ).values("pk")


def in_active_language(pages: Iterable[P]) -> dict[int, P]:
    """Each page's live translation in the active language, else the page itself: one query
    for any number of pages, none when they are all in it already (pages fetched with
    ``select_related("locale")`` cost nothing to check)."""
    pages = list(pages)
    language = get_supported_content_language_variant(get_language())
    wanted = [p for p in pages if p.locale.language_code != language]
    if not wanted:
        return {p.pk: p for p in pages}
    model = type(wanted[0])
    found = {
        t.translation_key: t
        for t in model.objects.live()
        .filter(
            locale__language_code=language,
            translation_key__in=[p.translation_key for p in wanted],
        )
        .select_related("locale")
    }
    return {p.pk: found.get(p.translation_key, p) for p in pages}
