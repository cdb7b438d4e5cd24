"""Asking someone who already has an account to join a cohort.

A trainer never enrols an existing account: the person gets an email with a link to a page that
says which cohort, who runs it and what its trainers will see, and joins only by confirming it
there, signed in. The link carries a signed token (cohort and account), so nothing is stored
until they join; it expires with the account invitations (``accounts.api.invitation_valid_days``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.api import invitation_valid_days
from core.api import absolute_url, site_url

from .models import Cohort, Profile

__all__ = ["cohort_join_invitations_send", "join_token", "join_token_read"]

logger = logging.getLogger(__name__)

_SALT = "learners.cohort-join"
#: One email per person and cohort in this time, however often a trainer adds the address.
RESEND_AFTER_SECONDS = 3600


def join_token(*, cohort: Cohort, user: User) -> str:
    """The signed token in a join link: which cohort, for which account."""
    return signing.dumps({"c": cohort.pk, "u": user.pk}, salt=_SALT, compress=True)


def join_token_read(token: str) -> tuple[int, int] | None:
    """The (cohort id, user id) a join token names, or None when it is forged or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=invitation_valid_days() * 24 * 3600)
        return int(data["c"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _language(user: User, fallback: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = Profile.objects.filter(user=user).values_list("preferred_language", flat=True)
    for language in (*preferred, fallback):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def _first_time(cohort: Cohort, user: User) -> bool:
    """Whether no join email went to ``user`` for ``cohort`` lately (a trainer pasting the same
    list again sends nothing twice). With the cache down, it goes: a repeat beats a loss."""
    try:
        key = f"learners:cohort-join:{cohort.pk}:{user.pk}"
        return bool(cache.add(key, 1, RESEND_AFTER_SECONDS))
    except Exception:  # noqa: BLE001 - any cache failure: send
        return True


def _email(cohort: Cohort, user: User, by: User, language: str) -> EmailMessage:
    with translation.override(language):
        token = join_token(cohort=cohort, user=user)
        link = absolute_url(reverse("learners:cohort_join", args=[token]))
        context = {
            "name": user.get_full_name(),
            "cohort": cohort.name,
            "trainer": by.get_full_name() or by.get_username(),
            "link": link,
            "days": invitation_valid_days(),
            "site_url": site_url(),
        }
        subject = render_to_string("learners/cohort_join_subject.txt", context)
        body = render_to_string("learners/cohort_join_email.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        headers={"Content-Language": language},
    )


def cohort_join_invitations_send(
    *, cohort: Cohort, users: Iterable[User], by: User, language: str | None = None
) -> int:
    """Email each of ``users`` a link to join ``cohort`` (once an hour at most per person and
    cohort), once the caller's transaction commits; returns how many emails go out. A failure to
    send is logged and never fails the trainer's request: adding the address again later sends
    it again."""
    messages = [
        _email(cohort, user, by, _language(user, language))
        for user in users
        if user.email and _first_time(cohort, user)
    ]

    def send() -> None:
        try:
            get_connection().send_messages(messages)
        except Exception:  # SMTP down: logged, the trainer can add again
            logger.exception("cohort join invitations for cohort %s not sent", cohort.pk)

    if messages:
        transaction.on_commit(send)
    return len(messages)
