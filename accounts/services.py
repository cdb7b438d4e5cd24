"""Writes for accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    "totp_enrolment_confirm",
    "totp_enrolment_start",
    "two_factor_reset",
    "two_factor_verify",
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


#: A resend is asked for at most once in this long per person (three an hour): a trainer's
#: repeated clicks, or anyone with the button, cannot flood someone's inbox.
RESEND_INTERVAL = timedelta(minutes=20)


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
    import, and not within ``RESEND_INTERVAL`` of the last time it was asked for (then it is
    left out of the ids returned). ``languages`` gives each person's language (their
    profile's); the site's default otherwise. ``by`` is who asked (None: the system).
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
            elif resend and invitation.queued_at <= now - RESEND_INTERVAL:
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


# --- two-factor sign-in ---------------------------------------------------------------------------

#: How many one-time backup codes an enrolment gives (for a lost or broken phone).
BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator app ``user`` is setting up: an unconfirmed TOTP device with a fresh
    secret, made once and shown again until confirmed (so a reload does not change the QR code
    they scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device_id: int, token: str) -> list[str] | None:
    """Turn on two-factor sign-in for ``user`` once ``token`` (from their app) matches the
    device being set up; returns the new backup codes (shown once), or None when the code is
    wrong (failures are throttled by django-otp).

    Any earlier app and backup codes are replaced: one app and one set of codes per person.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_is_allowed()[0] or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


def two_factor_verify(*, user: User, token: str) -> tuple[Device | None, datetime | None]:
    """Check a code from ``user``'s app, or one of their backup codes (used up by this).

    Returns the device that accepted it, or None and, when wrong codes have come too fast
    (django-otp's throttling: 1, 2, 4, 8... seconds after each failure), until when no code is
    checked at all.
    """
    token = "".join(token.split())
    devices: list[Device] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return None, (data or {}).get("locked_until")
    for device in devices:
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            # The code was tried against every device: a right one clears all their counts.
            for other in devices:
                if other.persistent_id != verified.persistent_id:
                    other.refresh_from_db()
                    other.throttle_reset()
            return verified, None
    return None, None


def two_factor_reset(*, user: User) -> int:
    """Remove ``user``'s authenticator app and backup codes (a lost phone); returns how many
    devices went. They sign in with their password alone, or enrol again if required to."""
    count = TOTPDevice.objects.filter(user=user).count()
    count += StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return count
