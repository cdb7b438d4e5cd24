"""The language to write to a person in (a password-reset email): theirs, not the requester's.

``accounts`` keeps no language of its own. An app above registers where a person's preferred
language is kept (``learners`` registers the profile's, ``register_language_source``); then the
CMS's (Wagtail's ``UserProfile.preferred_language``); else the language of the request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation

__all__ = ["register_language_source", "user_language"]

_sources: list[Callable[..., str | None]] = []


def register_language_source(source: Callable[..., str | None]) -> None:
    """``source(user=...)`` returns the person's preferred language, or None."""
    if source not in _sources:
        _sources.append(source)


def user_language(user: User) -> str:
    """The language to write to ``user`` in."""
    codes = {code for code, _name in settings.LANGUAGES}
    for source in _sources:
        language = source(user=user)
        if language in codes:
            return str(language)
    profile = getattr(user, "wagtail_userprofile", None) if user.pk else None
    if profile is not None and profile.preferred_language in codes:
        return str(profile.preferred_language)
    return translation.get_language() or settings.LANGUAGE_CODE
