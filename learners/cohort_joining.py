"""Asking someone who already has an account to join a cohort.

A trainer never enrols an existing account: the person gets an email with a link to a page that
says which cohort, who runs it and what its trainers will see, and joins only by confirming it
there, signed in. The link carries a signed token (cohort and account), made when the email is
sent; it expires with the account invitations (``accounts.api.invitation_valid_days``).

The email itself is durable (``docs/decisions/0007-durable-tasks.md``): the trainer's request
records a ``CohortJoinInvitation`` (``services.cohort_join_invitations_record``), a Celery task
sends it after the commit (``tasks.send_cohort_join_invitations``), and a sweep sends what a lost
task or a failed send left waiting (``tasks.cohort_join_invitations_sweep``). This module holds
the token, the email and the timings they share.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.api import invitation_valid_days
from core.api import absolute_url, site_url

from .models import Cohort, CohortJoinInvitation, Profile

__all__ = [
    "CLAIM_TIMEOUT",
    "MAX_ATTEMPTS",
    "RESEND_AFTER",
    "SWEEP_GRACE",
    "join_email",
    "join_token",
    "join_token_read",
]

_SALT = "learners.cohort-join"
#: One email per person and cohort in this time, however often a trainer adds the address.
RESEND_AFTER = timedelta(hours=1)
#: The sweep leaves invitations asked for less than this long ago to the task sending them.
SWEEP_GRACE = timedelta(minutes=5)
#: A send claimed longer ago than this is taken to have died with its worker: it may be retried.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: Tries to send one invitation (the task's, then one per sweep, every 5 minutes: about two
#: hours of a mail server refusing) before it is given up as failed. Adding the address again
#: after ``RESEND_AFTER`` starts it afresh.
MAX_ATTEMPTS = 24


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


def _language(user: User, fallback: str) -> str:
    """The person's own language (their profile's), else ``fallback`` (the trainer's)."""
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = Profile.objects.filter(user=user).values_list("preferred_language", flat=True)
    for language in (*preferred, fallback):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def _inviter(invitation: CohortJoinInvitation) -> str:
    """Who the email says invites them: the trainer who added the address, else one of the
    cohort's trainers (the first has left), else the site."""
    by = invitation.invited_by or invitation.cohort.trainers.order_by("pk").first()
    if by is None:
        return "Zhusan Academy"
    return by.get_full_name() or by.get_username()


def join_email(invitation: CohortJoinInvitation) -> EmailMessage:
    """The email asking ``invitation.user`` to join ``invitation.cohort``, in their language,
    with a fresh join link."""
    user, cohort = invitation.user, invitation.cohort
    language = _language(user, invitation.language)
    with translation.override(language):
        token = join_token(cohort=cohort, user=user)
        link = absolute_url(reverse("learners:cohort_join", args=[token]))
        context = {
            "name": user.get_full_name(),
            "cohort": cohort.name,
            "trainer": _inviter(invitation),
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
