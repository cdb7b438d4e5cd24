"""Which translations of each course exist, and which are out of date (CMS > Translations).

A translation group is the pages (or quiz rows) that share a ``translation_key``; its *source* is
the lowest id, the one created before any translation of it (``courses.translations``). Against
each other locale a member of the group is:

- **missing** when the group has no member in that locale, or only an *alias* of the source
  (the placeholder Wagtail makes for a parent when a page below it is translated first: it shows
  the source's own text until it is converted to an ordinary page);
- **out of date** when the source's latest revision is newer than the member's latest revision
  (the source changed after the translation was last saved);
- **up to date** otherwise.

The generic part (:func:`translation_cells`, :func:`locale_summaries`) takes plain members, so
``quizzes`` computes the same statuses for quizzes and questions through ``courses.api``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from .models import CoursePage, LessonPage, ModulePage

__all__ = [
    "CourseTranslations",
    "LocaleSummary",
    "TranslationCell",
    "TranslationMember",
    "TranslationRow",
    "TranslationStatus",
    "course_translation_status",
    "locale_summaries",
    "translation_cells",
    "translation_groups",
    "translation_locales",
]


class TranslationStatus(models.TextChoices):
    """Where a translation stands against its source."""

    SOURCE = "source", _("Source")
    UP_TO_DATE = "up_to_date", _("Up to date")
    OUT_OF_DATE = "out_of_date", _("Out of date")
    MISSING = "missing", _("Missing")


@dataclass(frozen=True)
class TranslationMember:
    """One page or snippet of a translation group: what the statuses are computed from."""

    pk: int
    translation_key: Any  # a UUID
    locale_id: int
    changed_at: datetime | None  # its latest revision's ``created_at`` (None: no revision)
    alias: bool = False  # a page that mirrors another (Wagtail's alias), not a translation


@dataclass(frozen=True)
class TranslationCell:
    """A group's state in one locale: ``object_id`` is the member in it (None when missing);
    ``source_changed_at`` is when the source last changed (its latest revision). A missing
    translation may have an ``alias`` in the locale (``object_id``), to convert and translate."""

    locale: Locale
    status: TranslationStatus
    object_id: int | None
    source_changed_at: datetime | None
    alias: bool = False


@dataclass(frozen=True)
class LocaleSummary:
    """How many of a table's rows are up to date, out of date and missing in one locale."""

    locale: Locale
    up_to_date: int
    out_of_date: int
    missing: int

    @property
    def total(self) -> int:
        return self.up_to_date + self.out_of_date + self.missing


@dataclass(frozen=True)
class TranslationRow:
    """A source page (``kind``: course, module or lesson) and its state in each locale."""

    source_id: int
    title: str
    kind: str
    source_locale: Locale
    cells: tuple[TranslationCell, ...]


@dataclass(frozen=True)
class CourseTranslations:
    """A source course: its own row, its modules' and lessons' rows in tree order, the locales
    it is compared in (every locale but its own) and a summary per locale."""

    course: TranslationRow
    rows: tuple[TranslationRow, ...]
    locales: tuple[Locale, ...]
    summaries: tuple[LocaleSummary, ...]

    @property
    def all_rows(self) -> tuple[TranslationRow, ...]:
        """The course's row, then its modules' and lessons'."""
        return (self.course, *self.rows)


def translation_locales() -> list[Locale]:
    """Every locale, the default first, then in the order they were made (one query)."""
    return list(Locale.objects.order_by("pk"))


def translation_groups(members: Iterable[TranslationMember]) -> dict[Any, list[TranslationMember]]:
    """The members by ``translation_key``, each group in id order (its source first)."""
    groups: dict[Any, list[TranslationMember]] = {}
    for member in sorted(members, key=lambda m: m.pk):
        groups.setdefault(member.translation_key, []).append(member)
    return groups


def _is_out_of_date(source: TranslationMember, member: TranslationMember) -> bool:
    if source.changed_at is None:
        return False
    return member.changed_at is None or source.changed_at > member.changed_at


def translation_cells(
    group: Sequence[TranslationMember], locales: Iterable[Locale]
) -> tuple[TranslationCell, ...]:
    """The state of ``group`` (its source first) in each of ``locales``; no query."""
    source = group[0]
    by_locale = {member.locale_id: member for member in group}
    cells = []
    for locale in locales:
        member = by_locale.get(locale.pk)
        if member is None:
            status, object_id = TranslationStatus.MISSING, None
        elif member.pk == source.pk:
            status, object_id = TranslationStatus.SOURCE, member.pk
        elif member.alias:
            cells.append(
                TranslationCell(
                    locale, TranslationStatus.MISSING, member.pk, source.changed_at, alias=True
                )
            )
            continue
        elif _is_out_of_date(source, member):
            status, object_id = TranslationStatus.OUT_OF_DATE, member.pk
        else:
            status, object_id = TranslationStatus.UP_TO_DATE, member.pk
        cells.append(TranslationCell(locale, status, object_id, source.changed_at))
    return tuple(cells)


def locale_summaries(
    rows: Iterable[Sequence[TranslationCell]], locales: Sequence[Locale]
) -> tuple[LocaleSummary, ...]:
    """For each of ``locales``, how many of ``rows`` (each a row's cells, in ``locales``' order)
    are up to date, out of date and missing there. A source counts in none."""
    counts = {locale.pk: dict.fromkeys(TranslationStatus, 0) for locale in locales}
    for cells in rows:
        for cell in cells:
            counts[cell.locale.pk][cell.status] += 1
    return tuple(
        LocaleSummary(
            locale,
            up_to_date=counts[locale.pk][TranslationStatus.UP_TO_DATE],
            out_of_date=counts[locale.pk][TranslationStatus.OUT_OF_DATE],
            missing=counts[locale.pk][TranslationStatus.MISSING],
        )
        for locale in locales
    )


@dataclass(frozen=True)
class _Page:
    member: TranslationMember
    title: str
    path: str
    kind: str


def _pages() -> list[_Page]:
    """Every course, module and lesson of every locale, published or not (one query)."""
    kinds = {
        ContentType.objects.get_for_model(model).pk: kind
        for model, kind in ((CoursePage, "course"), (ModulePage, "module"), (LessonPage, "lesson"))
    }
    rows = (
        Page.objects.filter(content_type_id__in=list(kinds))
        .order_by("path")
        .values_list(
            "pk",
            "translation_key",
            "locale_id",
            "latest_revision__created_at",
            "title",
            "path",
            "content_type_id",
            "alias_of_id",
        )
    )
    return [
        _Page(
            TranslationMember(pk, key, locale_id, changed_at, alias=alias_of is not None),
            title,
            path,
            kinds[type_id],
        )
        for pk, key, locale_id, changed_at, title, path, type_id, alias_of in rows
    ]


def course_translation_status() -> list[CourseTranslations]:
    """Each source course, with its modules and lessons in tree order and each one's state in
    every other locale. Two queries (the locales and the pages) whatever the number of pages.

    A module or lesson belongs to the course above it in its own tree; its row goes under that
    course's source. Rows are in tree order (a source written in another language's tree comes
    in that tree's order, after the source course's own pages)."""
    locales = translation_locales()
    locale_of = {locale.pk: locale for locale in locales}
    pages = _pages()
    groups = translation_groups(page.member for page in pages)
    course_key_by_path = {
        page.path: page.member.translation_key for page in pages if page.kind == "course"
    }

    def course_key(page: _Page) -> Any:
        steplen = Page.steplen
        for end in range(len(page.path) - steplen, 0, -steplen):
            key = course_key_by_path.get(page.path[:end])
            if key is not None:
                return key
        return None

    sources = [p for p in pages if groups[p.member.translation_key][0].pk == p.member.pk]
    children: dict[Any, list[_Page]] = {}
    for page in sources:
        if page.kind != "course":
            children.setdefault(course_key(page), []).append(page)

    def row(page: _Page, columns: Sequence[Locale]) -> TranslationRow:
        group = groups[page.member.translation_key]
        return TranslationRow(
            source_id=page.member.pk,
            title=page.title,
            kind=page.kind,
            source_locale=locale_of[page.member.locale_id],
            cells=translation_cells(group, columns),
        )

    courses = []
    for page in sources:
        if page.kind != "course":
            continue
        columns = tuple(locale for locale in locales if locale.pk != page.member.locale_id)
        course_row = row(page, columns)
        rows = tuple(row(child, columns) for child in children.get(page.member.translation_key, ()))
        summaries = locale_summaries([course_row.cells, *(r.cells for r in rows)], columns)
        courses.append(CourseTranslations(course_row, rows, columns, summaries))
    return courses
