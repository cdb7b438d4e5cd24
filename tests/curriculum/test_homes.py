"""A home for each role: where sign-in lands, and the places the header offers (issue #11, 6)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def user_in(*groups: str, **fields: Any) -> User:
    """A user in ``groups`` (UserFactory, typed as the User it makes)."""
    user: Any = UserFactory(groups=list(groups), **fields)
    return cast(User, user)


def trainer() -> User:
    return user_in("Trainer")


def coordinator() -> User:
    from learners.models import CoordinatorRegion

    user = user_in("Regional coordinator")
    CoordinatorRegion.objects.create(user=user, region="KZ-75")
    return user


def ministry() -> User:
    return user_in("Ministry")


def reviewer() -> User:
    return user_in("Course reviewer")


def administrator() -> User:
    return user_in(is_superuser=True, is_staff=True)


ROLES: dict[str, tuple[Any, str]] = {
    "practitioner": (practitioner, "/en/learn/"),
    "trainer": (trainer, "/en/learn/cohorts/"),
    "coordinator": (coordinator, "/en/dashboard/"),
    "ministry": (ministry, "/en/dashboard/"),
    "reviewer": (reviewer, "/admin/"),
    "administrator": (administrator, "/admin/"),
}


def sign_in(client: Client, user: User, next_url: str | None = None) -> Any:
    data = {"username": user.username, "password": PASSWORD}
    url = "/en/accounts/login/" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data, follow=True)


# --- where sign-in lands -------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_lands_on_its_home(client: Client, role: str) -> None:
    make, home = ROLES[role]
    response = sign_in(client, make())
    assert response.redirect_chain[0] == ("/en/home/", 302)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_a_russian_sign_in_lands_in_russian(client: Client) -> None:
    user = ministry()
    response = client.post(
        "/ru/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/ru/dashboard/"


def test_anonymous_home_asks_to_sign_in(client: Client) -> None:
    response = client.get("/en/home/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/home/"


def test_signing_in_from_the_home_redirect_still_lands_by_role(client: Client) -> None:
    """Someone sent to sign in from /en/home/ comes back to it, and it sends them on."""
    response = sign_in(client, trainer(), next_url="/en/home/")
    assert response.redirect_chain[-1][0] == "/en/learn/cohorts/"


def test_a_safe_next_wins(client: Client) -> None:
    response = sign_in(client, ministry(), next_url="/en/courses/")
    assert response.redirect_chain == [("/en/courses/", 302)]


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored(client: Client, unsafe: str) -> None:
    response = sign_in(client, ministry(), next_url=unsafe)
    assert response.redirect_chain[-1][0] == "/en/dashboard/"


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x"])
def test_home_itself_ignores_an_unsafe_next(client: Client, unsafe: str) -> None:
    client.force_login(trainer())
    response = client.get("/en/home/", {"next": unsafe})
    assert response["Location"] == "/en/learn/cohorts/"


def test_home_follows_a_safe_next(client: Client) -> None:
    client.force_login(trainer())
    response = client.get("/en/home/", {"next": "/en/courses/"})
    assert response["Location"] == "/en/courses/"


def test_a_practitioner_without_a_profile_completes_it_first(client: Client) -> None:
    response = sign_in(client, user_in("Practitioner"))
    assert response.redirect_chain[-1][0].startswith("/en/learn/profile/?next=")


# --- the header ----------------------------------------------------------------------------------

LINKS = {
    "My learning": 'href="/en/learn/"',
    "Cohorts": 'href="/en/learn/cohorts/"',
    "To grade": 'href="/en/learn/quizzes/grading/"',
    "Dashboard": 'href="/en/dashboard/"',
    "Certificates": 'href="/admin/certificates/"',
    "CMS": 'href="/admin/"',
    "Profile": 'href="/en/learn/profile/"',
    "Password": 'href="/en/accounts/password/change/"',
}
HEADER_LINKS = {
    "practitioner": {"My learning", "Profile"},
    "trainer": {"My learning", "Cohorts", "To grade", "CMS", "Password"},
    "coordinator": {"My learning", "Dashboard", "Password"},
    "ministry": {"My learning", "Dashboard", "Certificates", "CMS", "Password"},
    "reviewer": {"My learning", "To grade", "CMS", "Password"},
    "administrator": {
        "My learning",
        "Cohorts",
        "To grade",
        "Dashboard",
        "Certificates",
        "CMS",
        "Password",
    },
}


def header(html: str) -> str:
    start = html.index('<header class="site-header">')
    return html[start : html.index("</header>", start)]


@pytest.mark.parametrize("role", list(ROLES))
def test_the_header_shows_each_role_its_places(client: Client, role: str) -> None:
    make, _home = ROLES[role]
    client.force_login(make())
    html = header(client.get("/en/courses/").content.decode())
    shown = {name for name, link in LINKS.items() if link in html}
    assert shown == HEADER_LINKS[role]
    assert 'href="/en/courses/"' in html
    assert "Log out" in html
    assert "Log in" not in html


def test_the_header_for_a_visitor(client: Client) -> None:
    html = header(client.get("/en/courses/").content.decode())
    assert 'href="/en/accounts/login/"' in html
    assert not {name for name, link in LINKS.items() if link in html}


@pytest.mark.parametrize("role", ["trainer", "ministry"])
def test_every_header_link_opens_for_its_role(client: Client, role: str) -> None:
    make, _home = ROLES[role]
    client.force_login(make())
    for name in HEADER_LINKS[role]:
        url = LINKS[name].removeprefix('href="').removesuffix('"')
        assert client.get(url).status_code == 200, (name, url)


def test_the_header_costs_no_query_once_worked_out(client: Client) -> None:
    """The places are worked out once a sign-in (a few queries), then read from the session: a
    page (one with no Wagtail editing bar) costs every role the same, and asks nobody's roles or
    permissions again."""
    url = "/en/accounts/password/change/"

    def warm_queries(user: User) -> list[str]:
        browser = Client()
        browser.force_login(user)
        browser.get(url)
        with CaptureQueriesContext(connection) as warm:
            assert browser.get(url).status_code == 200
        return [query["sql"] for query in warm.captured_queries]

    counts = set()
    for make in (practitioner, coordinator, trainer, ministry, administrator):
        queries = warm_queries(make())
        counts.add(len(queries))
        assert not [sql for sql in queries if '"auth_group"' in sql or '"auth_permission"' in sql]
    assert len(counts) == 1


def test_signing_in_again_works_the_places_out_afresh(client: Client) -> None:
    """A role given while signed in shows from the next sign-in."""
    from django.contrib.auth.models import Group

    user = practitioner()
    sign_in(client, user)
    assert LINKS["Dashboard"] not in header(client.get("/en/courses/").content.decode())
    user.groups.add(Group.objects.get(name="Ministry"))
    sign_in(client, user)
    assert LINKS["Dashboard"] in header(client.get("/en/courses/").content.decode())


def test_another_person_in_the_same_browser_gets_their_own_places(client: Client) -> None:
    sign_in(client, ministry())
    client.post("/en/accounts/logout/")
    sign_in(client, practitioner())
    html = header(client.get("/en/courses/").content.decode())
    assert LINKS["Dashboard"] not in html
    assert LINKS["Certificates"] not in html


def test_the_menu_folds_without_script(client: Client) -> None:
    client.force_login(ministry())
    html = header(client.get("/en/courses/").content.decode())
    assert '<details class="site-menu">' in html
    assert '<summary class="site-menu__toggle">Menu</summary>' in html


def test_the_header_is_translated(client: Client) -> None:
    client.force_login(ministry())
    html = header(client.get("/ru/courses/").content.decode())
    assert "Панель мониторинга" in html
    html = header(client.get("/kk/courses/").content.decode())
    assert "Мәзір" in html
