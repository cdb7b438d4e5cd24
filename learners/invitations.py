"""Invitations for the people learners makes accounts for: specialists imported from a file and
unknown addresses added to a cohort. ``accounts`` sends them; learners knows each person's
language (their profile's) and who in a cohort has not signed in yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.db.models.functions import Lower

from accounts.api import invitations_queue

from .models import Cohort, Profile

__all__ = ["cohort_invitations_send", "people_invite", "specialists_invite"]


def _languages(user_ids: list[int]) -> dict[int, str]:
    return dict(
        Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "preferred_language")
    )


def people_invite(
    *,
    user_ids: Iterable[int],
    by: User | None,
    resend: bool = False,
    language: str | None = None,
) -> list[int]:
    """Invite each of ``user_ids`` who has not signed in yet, in their profile's language
    (without a profile: ``language``, e.g. the one the trainer adding them works in, else the
    site's default); returns the invitations' ids. The emails go out from a Celery task once the
    caller's transaction commits."""
    ids = list(user_ids)
    languages = _languages(ids)
    if language:
        languages = {user_id: languages.get(user_id, language) for user_id in ids}
    return invitations_queue(user_ids=ids, languages=languages, by=by, resend=resend)


def specialists_invite(*, emails: Iterable[str], by: User | None) -> list[int]:
    """After an import: invite the specialists named in the file who cannot sign in yet (no
    password, never signed in) and were never invited. Those are the accounts the import made,
    and any an earlier import made before invitations existed; a re-run of the same file (a
    redelivered task) invites nobody twice."""
    wanted = {email.strip().lower() for email in emails if email.strip()}
    if not wanted:
        return []
    user_ids = list(
        get_user_model()
        .objects.annotate(email_key=Lower("email"))
        .filter(
            email_key__in=wanted,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
            last_login__isnull=True,
            invitation__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    return people_invite(user_ids=user_ids, by=by)


def cohort_invitations_send(*, cohort: Cohort, by: User, user_id: int | None = None) -> list[int]:
    """Send an invitation again to every member of ``cohort`` who has not signed in yet (or only
    to the member ``user_id``); returns the invitations' ids (empty: nobody needed one)."""
    members = cohort.members.filter(last_login__isnull=True)
    if user_id is not None:
        members = members.filter(pk=user_id)
    return people_invite(user_ids=members.values_list("pk", flat=True), by=by, resend=True)
