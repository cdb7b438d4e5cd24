"""Writes for accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import Role

__all__ = ["DemoAccount", "demo_accounts_create"]

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
