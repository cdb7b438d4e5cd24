"""The whole-page cache for anonymous readers: fast, and never wrong or shared wrongly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core.page_cache import GENERATION_KEY
from courses.api import CoursePage, LessonPage
from tests.conftest import assert_max_queries
from tests.factories import practitioner

pytestmark = pytest.mark.django_db

LESSON = "/en/courses/sample-course/first-module/second-lesson/"


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 600


def test_anonymous_page_is_served_from_cache_without_queries(
    client: Client, sample_course: CoursePage
) -> None:
    first = client.get(LESSON)
    assert first["X-Page-Cache"] == "miss"
    with assert_max_queries(0):
        second = client.get(LESSON)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert not second.cookies


def test_signed_in_reader_is_never_served_a_shared_page(
    client: Client, sample_course: CoursePage
) -> None:
    Client().get(LESSON)  # an anonymous reader fills the cache
    client.force_login(practitioner(first_name="Aida"))
    response = client.get(LESSON)
    assert "X-Page-Cache" not in response
    assert "Log out" in response.content.decode()
    # ...and their page is not stored for others.
    anonymous = Client().get(LESSON)
    assert "Log out" not in anonymous.content.decode()


def test_request_with_a_session_is_not_looked_up(client: Client, sample_course: CoursePage) -> None:
    Client().get(LESSON)
    client.cookies["sessionid"] = "anything"
    assert "X-Page-Cache" not in client.get(LESSON)


def test_publishing_shows_at_once(client: Client, sample_course: CoursePage) -> None:
    client.get(LESSON)
    assert client.get(LESSON)["X-Page-Cache"] == "hit"
    lesson = LessonPage.objects.get(slug="second-lesson")
    lesson.body = [("markdown", "Freshly published.")]
    lesson.save_revision().publish()
    response = client.get(LESSON)
    assert response["X-Page-Cache"] == "miss"
    assert "Freshly published." in response.content.decode()


def test_renaming_another_page_updates_navigation(
    client: Client, sample_course: CoursePage
) -> None:
    """A lesson shows its neighbours' titles: a change to a neighbour must show too."""
    client.get(LESSON)
    neighbour = LessonPage.objects.get(slug="third-lesson")
    neighbour.title = "A renamed neighbour"
    neighbour.save_revision().publish()
    assert "A renamed neighbour" in client.get(LESSON).content.decode()


def test_unpublished_page_is_gone_at_once(client: Client, sample_course: CoursePage) -> None:
    client.get(LESSON)
    LessonPage.objects.get(slug="second-lesson").unpublish()
    assert client.get(LESSON).status_code == 404


def test_pages_with_forms_and_errors_are_not_cached(
    client: Client, sample_course: CoursePage
) -> None:
    for url in ("/en/accounts/login/", "/en/courses/nope/", "/healthz/"):
        client.get(url)
        assert "X-Page-Cache" not in client.get(url), url


def test_page_cache_failure_still_serves_pages(
    client: Client, sample_course: CoursePage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page cache failing (lookup or store) does not take the page down."""

    class BrokenCache:
        def __getattr__(self, name: str) -> Any:
            def broken(*args: Any, **kwargs: Any) -> Any:
                raise ConnectionError("cache down")

            return broken

    monkeypatch.setattr("core.page_cache.cache", BrokenCache())
    response = client.get(LESSON)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_lost_generation_starts_a_new_one(client: Client, sample_course: CoursePage) -> None:
    client.get(LESSON)
    old = cache.get(GENERATION_KEY)
    cache.delete(GENERATION_KEY)  # evicted
    assert client.get(LESSON)["X-Page-Cache"] == "miss"
    assert cache.get(GENERATION_KEY) != old


def test_off_when_seconds_is_zero(client: Client, sample_course: CoursePage, settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    client.get(LESSON)
    assert "X-Page-Cache" not in client.get(LESSON)


def test_language_switcher_is_links_so_pages_carry_no_csrf_token(
    client: Client, sample_course: CoursePage
) -> None:
    page = client.get(LESSON).content.decode()
    assert "csrfmiddlewaretoken" not in page
    assert 'href="/ru/courses/sample-course/first-module/second-lesson/" lang="ru"' in page
    assert 'href="/kk/courses/sample-course/first-module/second-lesson/" lang="kk"' in page
