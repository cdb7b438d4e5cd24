"""The profile's preferred language, at sign-in and when the person picks another.

- Signing in (``user_logged_in``): the rest of the request, the language cookie and the redirect
  after sign-in are in the person's preferred language (``core.api.use_language``).
- Picking a language with the switcher while signed in (``core.api.language_chosen``): the
  profile keeps it (``profile_set_language``), so emails and certificates follow.
- Emails ``accounts`` writes (a password reset) use the profile's language
  (``accounts.api.register_language_source``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from accounts.api import register_language_source
from core.api import language_chosen, use_language

from .selectors import preferred_language_of
from .services import profile_set_language


def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    language = preferred_language_of(user=user)
    if language is not None:
        use_language(request, language)


def chosen(sender: Any, user: User, language: str, **kwargs: Any) -> None:
    profile_set_language(user=user, language=language)


def connect() -> None:
    """Called from ``LearnersConfig.ready``."""
    user_logged_in.connect(signed_in, dispatch_uid="learners-language-at-sign-in")
    language_chosen.connect(chosen, dispatch_uid="learners-language-chosen")
    register_language_source(preferred_language_of)
