"""Who may do what with courses in the CMS: one function per capability, used by views,
templates and the CMS alike. Editing pages themselves follows Wagtail's page permissions
(migration ``courses.0002``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.api import Role, has_permission, has_role, is_administrator

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = ["can_see_translations", "can_translate_pages"]


def can_see_translations(user: User | AnonymousUser) -> bool:
    """CMS > Translations, which translations of each course and its quizzes exist and which are
    out of date: trainers, course reviewers and administrators."""
    return is_administrator(user) or has_role(user, Role.TRAINER, Role.COURSE_REVIEWER)


def can_translate_pages(user: User | AnonymousUser) -> bool:
    """Starting a translation with Wagtail's simple translation ("Translate": copies the page into
    another locale to be translated; ``simple_translation.submit_translation``). Wagtail checks
    the user may also edit the page."""
    return has_permission(user, "simple_translation.submit_translation")
