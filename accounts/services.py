"""Writes for accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .invitations import invitation_email, invitation_language
from .models import Invitation
from .roles import Role

__all__ = [
    "AccountTaken",
    "DemoAccount",
    "account_create",
    "demo_accounts_create",
    "invitation_accept",
    "invitation_send",
    "invitations_create",
]

#: One demo account per role: (username, display name, role or None for the superuser).
DEMO_ACCOUNTS: tuple[tuple[str, str, str, Role | None], ...] = (
    ("admin", "Demo", "Administrator", None),
    ("trainer", "Demo", "Trainer", Role.TRAINER),
    ("practitioner", "Demo", "Practitioner", Role.PRACTITIONER),
    ("coordinator", "Demo", "Regional coordinator", Role.REGIONAL_COORDINATOR),
    ("ministry", "Demo", "Ministry analyst", Role.MINISTRY),
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as created, with its password when it was (re)set."""

    username: str
    role: str
    password: str


@transaction.atomic
def demo_accounts_create(*, password: str | None = None) -> list[DemoAccount]:
    """Create or refresh one demo account per role and return their credentials.

    Each run sets fresh random passwords (or ``password`` for all, e.g. in tests), so the printed
    passwords are always the ones that work. Names are clearly fictional.
    """
    user_model = get_user_model()
    created: list[DemoAccount] = []
    for username, first, last, role in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.org", "first_name": first, "last_name": last},
        )
        user.is_superuser = role is None
        user.is_staff = role is None
        secret = password or secrets.token_urlsafe(9)
        user.set_password(secret)
        user.save()
        if role is not None:
            user.groups.set([Group.objects.get(name=role.value)])
        created.append(DemoAccount(username, str(role.label) if role else "Administrator", secret))
    return created


# --- accounts made for someone, and their invitations --------------------------------------------


class AccountTaken(Exception):
    """An account cannot be made for an address: another account has it as its username."""


def account_create(*, email: str, role: Role) -> User:
    """Make an account for ``email`` (which is also its username) in ``role``, with no usable
    password: its owner sets one from their invitation. Raises ``AccountTaken`` when another
    account has the address as its username."""
    address = email.strip().lower()
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user = user_model(username=address, email=address)
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role.value))
    except IntegrityError:
        raise AccountTaken(address) from None
    return user


def invitations_create(
    *,
    user_ids: Iterable[int],
    languages: Mapping[int, str] | None = None,
    by: User | None = None,
    resend: bool = False,
) -> list[int]:
    """Record that an invitation email is wanted for each of ``user_ids`` and return the
    invitations' ids (``sending.invitations_queue`` also sends them once this commits).

    Only active accounts with an email address that have never signed in are invited. Someone
    invited before is invited again only with ``resend`` (a trainer's button), never twice by an
    import. ``languages`` gives each person's language (their profile's); the site's default
    otherwise. ``by`` is who asked (None: the system).
    """
    languages = languages or {}
    now = timezone.now()
    users = (
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True, last_login__isnull=True)
        .exclude(email="")
    )
    existing = {inv.user_id: inv for inv in Invitation.objects.filter(user__in=users)}
    ids: list[int] = []
    with transaction.atomic():
        for user in users:
            language = invitation_language(languages.get(user.pk))
            invitation = existing.get(user.pk)
            if invitation is None:
                try:
                    with transaction.atomic():
                        invitation = Invitation.objects.create(
                            user=user, language=language, queued_at=now, sent_by=by
                        )
                except IntegrityError:  # invited a moment ago by another request
                    continue
            elif resend:
                Invitation.objects.filter(pk=invitation.pk).update(
                    language=language, queued_at=now, sent_by=by, pending=True
                )
            else:
                continue
            ids.append(invitation.pk)
    return ids


#: A send that started this long ago and never finished (its worker died) may be tried again.
CLAIM_TIMEOUT = timedelta(minutes=10)


def invitation_send(*, invitation_id: int) -> bool:
    """Send one pending invitation and record when; returns whether an email went out.

    The invitation is claimed first (a conditional update), so the task and the sweep never
    send it twice at once. Someone who has signed in meanwhile needs no email: the invitation
    is marked accepted instead. If sending fails, the claim is released and the error raised:
    the invitation stays pending for the sweep.
    """
    now = timezone.now()
    claimed = (
        Invitation.objects.filter(pk=invitation_id, pending=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
    )
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("user").get(pk=invitation_id)
    user = invitation.user
    if user.last_login is not None or not user.is_active or not user.email:
        Invitation.objects.filter(pk=invitation_id).update(pending=False, claimed_at=None)
        if user.last_login is not None:
            Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).update(
                accepted_at=user.last_login
            )
        return False
    try:
        invitation_email(invitation).send()
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(claimed_at=None)
        raise
    Invitation.objects.filter(pk=invitation_id).update(
        pending=False, claimed_at=None, sent_at=timezone.now(), send_count=F("send_count") + 1
    )
    return True


def invitation_accept(*, user: User) -> None:
    """Record that ``user`` has signed in, which is what an invitation asks (one query)."""
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), pending=False
    )
