"""403, 404 and 500 pages in the site's layout and the reader's language (issue #11, 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from curriculum.urls import urlpatterns as site_urls
from tests.curriculum.test_homes import user_in
from tests.factories import practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings: Any) -> None:
    """As in production: Django's error pages, not its debug pages."""
    settings.DEBUG = False


LAYOUT = '<header class="site-header">'


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure for the test")


#: For the 500 test: the site's URLs plus a view that fails.
urlpatterns = [path("boom/", boom), *site_urls]
handler403 = "curriculum.views.permission_denied"


@pytest.fixture
def quiet_client() -> Client:
    client = Client(raise_request_exception=False)
    return client


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "We cannot find this page"),
        ("ru", "Мы не можем найти эту страницу"),
        ("kk", "Бұл бетті таба алмадық"),
    ],
)
def test_404_in_the_site_layout_and_language(client: Client, language: str, title: str) -> None:
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert LAYOUT in html
    assert f'<html lang="{language}">' in html
    assert title in html
    assert f'href="/{language}/courses/"' in html


def test_404_for_a_signed_in_reader_keeps_their_header(client: Client) -> None:
    client.force_login(practitioner())
    response = client.get("/en/learn/cohorts/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="/en/learn/profile/"' in html
    assert 'href="/en/home/"' in html


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "You cannot open this page"),
        ("ru", "Эта страница вам недоступна"),
        ("kk", "Бұл бет сізге қолжетімсіз"),
    ],
)
def test_403_in_the_site_layout_and_language(client: Client, language: str, title: str) -> None:
    client.force_login(practitioner())
    response = client.get(f"/{language}/dashboard/")
    assert response.status_code == 403
    html = response.content.decode()
    assert LAYOUT in html
    assert title in html
    assert f'href="/{language}/home/"' in html


def test_the_cms_keeps_its_own_403() -> None:
    request = RequestFactory().get("/admin/somewhere/")
    request.user = user_in("Trainer")
    from curriculum.views import permission_denied

    with translation.override("en"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert LAYOUT not in html
    assert "Access refused" in html
    assert "w-header" in html or "wagtail" in html.lower()


def test_outside_the_cms_a_cms_user_gets_the_site_403() -> None:
    request = RequestFactory().get("/en/dashboard/")
    request.user = user_in("Trainer")
    from curriculum.views import permission_denied

    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert LAYOUT in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Something went wrong on our side"),
        ("ru", "На нашей стороне произошла ошибка"),  # noqa: RUF001
        ("kk", "Біз жақта қате шықты"),
    ],
)
def test_500_in_the_site_look_and_language(quiet_client: Client, language: str, title: str) -> None:
    response = quiet_client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    html = response.content.decode()
    assert LAYOUT in html
    assert f'<html lang="{language}">' in html
    assert title in html


def test_500_needs_no_database_and_no_request() -> None:
    """Django's handler renders 500.html with an empty context: no request, no context
    processors. It must still render, with no query (the database may be what failed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.views.defaults import server_error

    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert LAYOUT in response.content.decode()
    assert queries.captured_queries == []


def database_gone(request: HttpRequest) -> HttpResponse:
    from django.db import OperationalError

    raise OperationalError("could not connect to server: Connection refused")


#: For the 503 test: the site's URLs, a view whose database is gone, and our 500 handler.
urlpatterns += [path("database-gone/", database_gone)]
handler500 = "curriculum.views.server_error"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The site will be back in a moment"),
        ("ru", "Сайт скоро снова заработает"),
        ("kk", "Сайт жақында қайта ашылады"),
    ],
)
def test_a_database_that_cannot_be_reached_is_a_503_to_retry(
    quiet_client: Client, language: str, title: str
) -> None:
    """PostgreSQL restarting or failing over: a 503 with Retry-After (a proxy or a load balancer
    may retry), and a page that says to try again and to check what was being saved."""
    response = quiet_client.get("/database-gone/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert LAYOUT in html
    assert f'<html lang="{language}">' in html
    assert title in html
    assert html.count('class="button"') == 1


@pytest.mark.urls(__name__)
def test_any_other_failure_is_still_a_500(quiet_client: Client) -> None:
    response = quiet_client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
