"""Who may do what with the oversight dashboard (``reports.permissions``), and the data
migration that gives regional coordinators ``reports.view_names`` (and not the ministry)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission

from reports.permissions import (
    VIEW_NAMES,
    can_see_names,
    can_view_audit_log,
    can_view_dashboard,
    sees_every_region,
)
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

migration = import_module("reports.migrations.0002_view_names_permission")


def user_in(role: str | None) -> Any:
    if role is None:
        return AnonymousUser()
    if role == "admin":
        return UserFactory(is_superuser=True, is_staff=True)
    if role == "Practitioner":
        return practitioner()
    return UserFactory(groups=[role])


ROLES = [
    None,
    "Practitioner",
    "Trainer",
    "Course reviewer",
    "Regional coordinator",
    "Ministry",
    "admin",
]

# role: (dashboard, every region, names, audit log)
EXPECTED = {
    None: (False, False, False, False),
    "Practitioner": (False, False, False, False),
    "Trainer": (False, False, False, False),
    "Course reviewer": (False, False, False, False),
    "Regional coordinator": (True, False, True, False),
    "Ministry": (True, True, False, False),
    "admin": (True, True, True, True),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_against_each_capability(role: str | None) -> None:
    user = user_in(role)
    answers = (
        can_view_dashboard(user),
        sees_every_region(user),
        can_see_names(user),
        can_view_audit_log(user),
    )
    assert answers == EXPECTED[role]


def test_an_administrator_may_give_the_ministry_names() -> None:
    official = UserFactory(groups=["Ministry"])
    assert not can_see_names(official)
    official.user_permissions.add(
        Permission.objects.get(content_type__app_label="reports", codename="view_names")
    )
    official = type(official).objects.get(pk=official.pk)  # a fresh permission cache
    assert can_see_names(official)
    assert not can_view_audit_log(official)


def test_an_inactive_coordinator_sees_no_names() -> None:
    coordinator = UserFactory(groups=["Regional coordinator"], is_active=False)
    assert not can_see_names(coordinator)


def test_the_permission_alone_opens_no_dashboard() -> None:
    trainer = UserFactory(groups=["Trainer"])
    trainer.user_permissions.add(
        Permission.objects.get(content_type__app_label="reports", codename="view_names")
    )
    trainer = type(trainer).objects.get(pk=trainer.pk)
    assert can_see_names(trainer)
    assert not can_view_dashboard(trainer)


def group_codenames(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migration_gives_coordinators_names_and_not_the_ministry() -> None:
    assert VIEW_NAMES in group_codenames("Regional coordinator")
    assert VIEW_NAMES not in group_codenames("Ministry")
    assert all(
        VIEW_NAMES not in group_codenames(g) for g in ("Trainer", "Course reviewer", "Practitioner")
    )


def test_the_migration_can_be_reversed_and_run_again() -> None:
    migration.revoke(django_apps, None)
    assert VIEW_NAMES not in group_codenames("Regional coordinator")
    migration.grant(django_apps, None)
    migration.grant(django_apps, None)  # twice: no duplicate, no error
    assert VIEW_NAMES in group_codenames("Regional coordinator")
    assert (
        Permission.objects.filter(content_type__app_label="reports", codename="view_names").count()
        == 1
    )


def test_the_migration_creates_the_permission_when_missing() -> None:
    Permission.objects.filter(content_type__app_label="reports", codename="view_names").delete()
    migration.grant(django_apps, None)
    assert VIEW_NAMES in group_codenames("Regional coordinator")
