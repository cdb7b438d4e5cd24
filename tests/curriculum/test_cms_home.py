"""The CMS dashboard shows each role panels it can use, and no search that refuses it (#11, 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.curriculum.test_homes import ROLES

pytestmark = pytest.mark.django_db

PANELS = {
    "reports-home": "Reports",
    "learners-home": "Learners",
    "quizzes-home": "Quizzes",
    "certification-home": "Certification",
}
EXPECTED = {
    "trainer": {
        "learners-home": ["/en/learn/cohorts/"],
        "quizzes-home": [
            "/admin/snippets/quizzes/quiz/",
            "/admin/quizzes/import/",
            "/en/learn/quizzes/grading/",
        ],
        "certification-home": ["/admin/snippets/certification/certificationtrack/"],
    },
    "ministry": {
        "reports-home": ["/en/dashboard/"],
        "certification-home": [
            "/admin/certificates/",
            "/admin/reports/older-course-versions/",
            "/admin/snippets/certification/certificationtrack/",
        ],
    },
    "reviewer": {
        "quizzes-home": [
            "/admin/snippets/quizzes/quiz/",
            "/admin/quizzes/import/",
            "/en/learn/quizzes/grading/",
        ],
    },
}


def dashboard(client: Client, role: str) -> str:
    make, _home = ROLES[role]
    client.force_login(make())
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def panel_links(html: str, panel_id: str) -> list[str]:
    start = html.find(f'id="{panel_id}')
    if start < 0:
        return []
    end = html.find("</section>", start)
    return re.findall(r'<a href="([^"]+)" class="w-font-bold"', html[start:end])


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_the_panels_it_can_use(client: Client, role: str) -> None:
    html = dashboard(client, role)
    shown = {panel: panel_links(html, panel) for panel in PANELS}
    assert {panel: links for panel, links in shown.items() if links} == EXPECTED[role]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_panel_link_opens_for_its_role(client: Client, role: str) -> None:
    html = dashboard(client, role)
    for panel in PANELS:
        for url in panel_links(html, panel):
            assert client.get(url).status_code == 200, (role, url)


def test_the_administrator_sees_every_panel(client: Client) -> None:
    html = dashboard(client, "administrator")
    assert all(panel_links(html, panel) for panel in PANELS)


def test_the_ministry_gets_no_page_search_it_may_not_use(client: Client) -> None:
    html = dashboard(client, "ministry")
    assert 'role="search"' not in html.split('class="w-dashboard', 1)[1]
    assert "Search all pages" not in html


def test_a_trainer_keeps_the_page_search(client: Client) -> None:
    html = dashboard(client, "trainer")
    form = re.search(r'<form\s+class="w-mb-12"\s+action="([^"]+)"', html)
    assert form is not None
    assert client.get(form.group(1), {"q": "course"}).status_code == 200


def test_a_refusal_in_the_cms_stays_in_the_cms(client: Client) -> None:
    """The ministry may not explore pages: Wagtail answers in the CMS, not with the site's 403."""
    dashboard(client, "ministry")
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_panels_are_translated(client: Client) -> None:
    from wagtail.users.models import UserProfile

    user: Any = ROLES["ministry"][0]()
    client.force_login(user)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ru"
    profile.save()
    html = client.get("/admin/").content.decode()
    assert "Сертификаты" in html
    assert 'href="/ru/dashboard/"' in html


@pytest.mark.parametrize(
    ("role", "first"), [("ministry", "reports-home"), ("trainer", "learners-home")]
)
def test_the_panel_a_role_needs_most_comes_first(client: Client, role: str, first: str) -> None:
    html = dashboard(client, role)
    positions = {panel: html.find(f'id="{panel}') for panel in PANELS}
    shown = sorted((at, panel) for panel, at in positions.items() if at >= 0)
    assert shown[0][1] == first
