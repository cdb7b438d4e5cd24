"""CMS > Translations: which translations of each course exist, and which are out of date.

``/admin/translations/`` lists each source course, then its modules and lessons in tree order,
with a column per other locale (``translation_status.course_translation_status``): missing (with
Wagtail's "Translate" for those who may start a translation), up to date, or out of date against
the source's latest revision (with when the source changed). Apps above add their own tables in
the slot ``courses.translation_status`` (``quizzes``: quizzes and their questions).

Wagtail's admin gate runs first: anonymous visitors and users without CMS access go to the admin
sign-in page. CMS users who may not see the screen get a 403 page that says why.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.api import admin_refusal

from .permissions import can_see_translations, can_translate_pages
from .translation_status import course_translation_status

TITLE = _("Translations")


def translations(request: HttpRequest) -> HttpResponse:
    """The screen: a table per source course, then what other apps contribute."""
    if not can_see_translations(request.user):
        return admin_refusal(
            request,
            title=TITLE,
            icon="globe",
            message=_(
                "You do not have permission to see the state of translations. Trainers, course "
                "reviewers and administrators can; ask an administrator if you need access."
            ),
        )
    context = {
        "title": TITLE,
        "courses": course_translation_status(),
        "can_translate": can_translate_pages(request.user),
    }
    return render(request, "courses/admin/translations.html", context)
