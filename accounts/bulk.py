"""Bulk writes of accounts: many people at once in a role (synthetic demo people,
``reports.demo_data``), and their removal.

The accounts have no usable password (nobody signs in as them until a password is set), and are
inserted in a few statements with no signals per account.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction

from .roles import Role

__all__ = ["NewAccount", "account_ids_matching", "accounts_bulk_create", "accounts_delete"]

BATCH_SIZE = 5000


class NewAccount(NamedTuple):
    username: str
    email: str
    first_name: str
    last_name: str
    date_joined: datetime


def accounts_bulk_create(*, accounts: Sequence[NewAccount], role: Role) -> list[int]:
    """Insert the accounts, in ``role``, with unusable passwords; returns their ids in order.
    A username already taken fails the whole batch (``IntegrityError``)."""
    user_model = get_user_model()
    # One unusable value for the batch: "!" and random text, which no password ever matches.
    unusable = make_password(None)
    users = [
        user_model(
            username=a.username,
            email=a.email,
            first_name=a.first_name,
            last_name=a.last_name,
            date_joined=a.date_joined,
            password=unusable,
        )
        for a in accounts
    ]
    group = Group.objects.get(name=role.value)
    with transaction.atomic():
        user_model.objects.bulk_create(users, batch_size=BATCH_SIZE)
        membership = user_model.groups.through
        membership.objects.bulk_create(
            [membership(user_id=u.pk, group_id=group.pk) for u in users], batch_size=BATCH_SIZE
        )
    return [u.pk for u in users]


def account_ids_matching(*, username_prefix: str, email_domain: str) -> list[int]:
    """The ids of the accounts whose username starts with ``username_prefix`` and whose email
    is at ``email_domain`` (both), by id."""
    return list(
        get_user_model()
        .objects.filter(username__startswith=username_prefix, email__iendswith=f"@{email_domain}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def accounts_delete(*, user_ids: Collection[int]) -> int:
    """Delete the accounts and everything that cascades from them; returns how many accounts.
    Records that protect an account (certificates) must be deleted first."""
    user_model: type[User] = get_user_model()
    _, by_model = user_model.objects.filter(pk__in=list(user_ids)).delete()
    return by_model.get(user_model._meta.label, 0)
