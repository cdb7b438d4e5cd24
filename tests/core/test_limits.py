"""Request body caps (issue #12): an oversized body is refused from its headers, never read.

Before, a 200 MB post to the sign-in page was read whole. The tests go through Django's WSGI
handler, the way gunicorn calls the site, with a body that fails the test if anything reads it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import RequestFactory

from core.limits import RequestBodyLimitMiddleware, body_limit_for

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that must never be read."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readinto = readline = read  # type: ignore[assignment]


def wsgi(path: str, headers: dict[str, str], body: Any = None) -> tuple[int, dict[str, str], str]:
    """Call the site as gunicorn does; returns status, headers and text."""
    environ = RequestFactory()._base_environ(  # type: ignore[attr-defined]  # the client's own
        **{
            "PATH_INFO": path,
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
            **headers,
        }
    )
    environ["wsgi.input"] = body if body is not None else UnreadableBody()
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> Any:
        started["status"] = int(status.split()[0])
        started["headers"] = dict(response_headers)

    chunks: Iterable[bytes] = WSGIHandler()(environ, start_response)  # type: ignore[arg-type]
    text = b"".join(chunks).decode()
    return started["status"], started["headers"], text


@pytest.mark.parametrize("path", ["/en/accounts/login/", "/admin/login/", "/ru/accounts/login/"])
def test_a_200_mb_login_post_is_refused_unread(path: str) -> None:
    status, headers, text = wsgi(path, {"CONTENT_LENGTH": str(200 * MB)})
    assert status == 413
    assert headers["Connection"] == "close"
    assert text.strip()


def test_the_message_says_what_to_do() -> None:
    status, _headers, text = wsgi("/en/accounts/login/", {"CONTENT_LENGTH": str(200 * MB)})
    assert status == 413
    assert "larger than 1 MB" in text


def test_an_oversized_autosave_is_refused_unread() -> None:
    status, *_ = wsgi("/en/learn/quizzes/attempts/1/autosave/", {"CONTENT_LENGTH": str(2 * MB)})
    assert status == 413


def test_a_chunked_body_without_a_length_is_refused_unread() -> None:
    status, *_ = wsgi("/en/accounts/login/", {"HTTP_TRANSFER_ENCODING": "chunked"})
    assert status == 411


@pytest.mark.parametrize("length", ["-1", "1e9", "abc", "٣"])
def test_a_length_that_is_not_a_number_is_refused_unread(length: str) -> None:
    status, *_ = wsgi("/en/accounts/login/", {"CONTENT_LENGTH": length})
    assert status == 400


def test_an_ordinary_login_post_still_works(client: Any) -> None:
    """Small posts go through: the sign-in form answers (wrong password: the form again)."""
    from tests.factories import UserFactory

    UserFactory(username="dana")
    response = client.post("/en/accounts/login/", {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    status, _headers, _text = wsgi(
        "/en/accounts/login/",
        {"CONTENT_LENGTH": "0", "CONTENT_TYPE": "application/x-www-form-urlencoded"},
        io.BytesIO(b""),
    )
    assert status in (200, 403)  # the form, or the CSRF refusal: anything but the cap


def test_caps_follow_the_path(settings: Any) -> None:
    assert body_limit_for("/en/accounts/login/") == settings.REQUEST_BODY_MAX_BYTES == 1 * MB
    assert body_limit_for("/admin/login/") == 1 * MB
    assert body_limit_for("/admin/documents/multiple/add/") == 100 * MB
    assert body_limit_for("/admin/images/multiple/add/") > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    assert body_limit_for("/admin/pages/3/edit/") == 10 * MB
    largest = max(limit for _prefix, limit in settings.REQUEST_BODY_LIMITS)
    assert largest >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_large_document_upload_passes_the_cap(rf: RequestFactory) -> None:
    """The CMS's document upload takes a lesson video: 50 MB goes on to the view."""
    request = rf.post("/admin/documents/multiple/add/")
    request.META["CONTENT_LENGTH"] = str(50 * MB)
    reached: list[bool] = []

    def view(request: Any) -> HttpResponse:
        reached.append(True)
        return HttpResponse("ok")

    assert RequestBodyLimitMiddleware(view)(request).status_code == 200
    assert reached
    request.META["CONTENT_LENGTH"] = str(101 * MB)
    assert RequestBodyLimitMiddleware(view)(request).status_code == 413
    assert len(reached) == 1


def test_the_cap_is_first_in_the_middleware(settings: Any) -> None:
    """Nothing before it may read the body."""
    assert settings.MIDDLEWARE[0] == "core.limits.RequestBodyLimitMiddleware"
