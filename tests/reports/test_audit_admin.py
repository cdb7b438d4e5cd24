"""The report audit log in the CMS (``reports.admin_views``): administrators only, read-only,
newest first, filtered by action and by username, paginated, with a query budget that does not
grow with the log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from reports.models import AuditEvent
from tests.accounts.test_permissions import ROLES, sign_in
from tests.conftest import assert_max_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/report-audit-log/"
RESULTS = "/admin/report-audit-log/results/"
CMS_USERS = {"Trainer", "Course reviewer", "Ministry"}  # CMS access, but not administrators


def event(username: str = "coordinator-synthetic", **kwargs: Any) -> AuditEvent:
    defaults: dict[str, Any] = {"action": AuditEvent.Action.DRILL_DOWN, "view": "overdue"}
    return AuditEvent.objects.create(username=username, **{**defaults, **kwargs})


def rows(response: Any) -> str:
    """The listing table of a page (not the filter's list of usernames before it)."""
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<table class="listing') :]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("url", [LISTING, RESULTS])
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_only_administrators_read_the_audit_log(client: Client, role: str | None, url: str) -> None:
    event(username="someone-synthetic", query="region=KZ-75")
    sign_in(client, role)
    response = client.get(url)
    if role == "admin":
        assert response.status_code == 200
        assert "someone-synthetic" in response.content.decode()
    elif role in CMS_USERS:
        assert response.status_code == 403
        body = response.content.decode()
        assert "You do not have permission to see the report audit log" in body
        assert "someone-synthetic" not in body
    else:  # no CMS access: Wagtail's sign-in page
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("path", ["new/", "edit/{pk}/", "delete/{pk}/", "history/{pk}/", "inspect/{pk}/", "copy/{pk}/"])  # fmt: skip
def test_nobody_edits_the_log(admin_client: Client, path: str) -> None:
    logged = event()
    # No such URL (the language prefix middleware first redirects to /en/..., also unknown).
    response = admin_client.get(LISTING + path.format(pk=logged.pk), follow=True)
    assert response.status_code == 404
    response = admin_client.post(LISTING + path.format(pk=logged.pk), follow=True)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(pk=logged.pk).exists()


def test_the_listing_shows_who_did_what_newest_first(admin_client: Client) -> None:
    old = event(username="first-synthetic", action=AuditEvent.Action.EXPORT, view="regions")
    new = event(username="second-synthetic", action=AuditEvent.Action.DOWNLOAD, view="expiring",
                query="region=KZ-11&track=3")  # fmt: skip
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=2))
    body = rows(admin_client.get(LISTING))
    assert body.index("second-synthetic") < body.index("first-synthetic")
    assert "Downloaded an export" in body and "Asked for an export" in body
    assert "expiring" in body and "region=KZ-11&amp;track=3" in body
    assert new.get_action_display() == "Downloaded an export"


def test_filters_by_action_and_by_user(admin_client: Client) -> None:
    event(username="anna-synthetic", action=AuditEvent.Action.DRILL_DOWN)
    event(username="anna-synthetic", action=AuditEvent.Action.EXPORT, view="courses")
    event(username="boris-synthetic", action=AuditEvent.Action.EXPORT, view="regions")

    body = admin_client.get(RESULTS, {"action": "export"}).content.decode()
    assert "courses" in body and "regions" in body
    assert "Viewed practitioners" not in body

    body = rows(admin_client.get(RESULTS, {"username": "boris-synthetic"}))
    assert "boris-synthetic" in body and "anna-synthetic" not in body

    body = admin_client.get(
        RESULTS, {"username": "anna-synthetic", "action": "drill_down"}
    ).content.decode()
    assert "Viewed practitioners" in body and "courses" not in body


def test_the_log_is_paginated(admin_client: Client) -> None:
    for n in range(51):
        event(username=f"person{n:02d}-synthetic")
    first = rows(admin_client.get(LISTING))
    second = rows(admin_client.get(LISTING, {"p": 2}))
    assert "person50-synthetic" in first and "person00-synthetic" not in first
    assert "person00-synthetic" in second and "person50-synthetic" not in second


def test_events_of_a_deleted_account_stay_listed(admin_client: Client) -> None:
    user = UserFactory(username="gone-synthetic")
    event(username=user.username, user=user)
    user.delete()
    assert "gone-synthetic" in admin_client.get(LISTING).content.decode()


def count_queries(client: Client, events: int) -> int:
    AuditEvent.objects.all().delete()
    users = [UserFactory() for _ in range(3)]
    for n in range(events):
        user = users[n % 3]
        event(username=user.username, user=user, view=f"view{n}")
    with assert_max_queries(40) as context:
        response = client.get(LISTING)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_the_log(admin_client: Client) -> None:
    admin_client.get(LISTING)  # warm per-process caches (site, locale)
    assert count_queries(admin_client, 3) == count_queries(admin_client, 30)


def test_the_menu_item_is_for_administrators_only(client: Client) -> None:
    sign_in(client, "admin")
    assert LISTING in client.get("/admin/").content.decode()
    client.logout()
    for role in CMS_USERS:
        sign_in(client, role)
        assert LISTING not in client.get("/admin/").content.decode(), role
        client.logout()
